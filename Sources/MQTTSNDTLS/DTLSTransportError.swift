/// Why a DTLS listener could not be set up.
public struct DTLSTransportError: Error, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    static let noLocalAddress = DTLSTransportError("the DTLS socket has no local address")
}
