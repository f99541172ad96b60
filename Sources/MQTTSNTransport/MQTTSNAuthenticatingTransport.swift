/// A transport that authenticates its peers (DTLS with pre-shared keys or certificates): it can say who the peer at
/// an address proved to be. The gateway holds such a peer to that identity as its client id.
public protocol MQTTSNAuthenticatingTransport: MQTTSNTransport {
    /// The names the peer at `address` authenticated with (its PSK identity, or its certificate's CN and DNS SANs),
    /// `nil` when the peer has no authenticated association.
    func authenticatedNames(of address: MQTTSNClientAddress) -> [String]?
}
