import NIOCore

extension DTLSTransport {
    /// How a DTLS listener is bound and whom it accepts.
    public struct Configuration: Sendable {
        /// Client certificates: not asked for, checked when given, or required.
        public enum ClientCertificates: String, Sendable, Hashable {
            case none
            case optional
            case required
        }

        /// Server certificate, key and the CA client certificates must chain to.
        public struct Certificates: Sendable, Hashable {
            public var certificateFile: String
            public var keyFile: String
            public var caFile: String?
            public var clientCertificates: ClientCertificates

            public init(
                certificateFile: String,
                keyFile: String,
                caFile: String?,
                clientCertificates: ClientCertificates
            ) {
                self.certificateFile = certificateFile
                self.keyFile = keyFile
                self.caFile = caFile
                self.clientCertificates = clientCertificates
            }
        }

        public var host: String
        public var port: Int
        /// Pre-shared keys by PSK identity (the client id).
        public var preSharedKeys: [String: [UInt8]]
        public var certificates: Certificates?
        /// The largest plaintext MQTT-SN message; datagrams are read up to this plus DTLS overhead.
        public var maximumDatagramSize: Int
        /// Path MTU assumed for handshake flights.
        public var mtu: Int
        /// Associations still in their handshake, at most; further ClientHellos are dropped and counted.
        public var maximumPendingHandshakes: Int
        /// A handshake not finished within this is dropped (a wrong PSK never finishes: its Finished does not decrypt).
        public var handshakeTimeout: TimeAmount
        /// An association not heard from for this long is forgotten.
        public var idleTimeout: TimeAmount

        public init(
            host: String,
            port: Int = DTLSTransport.defaultPort,
            preSharedKeys: [String: [UInt8]] = [:],
            certificates: Certificates? = nil,
            maximumDatagramSize: Int = 2048,
            mtu: Int = 1400,
            maximumPendingHandshakes: Int = 1024,
            handshakeTimeout: TimeAmount = .seconds(10),
            idleTimeout: TimeAmount = .hours(2)
        ) {
            self.host = host
            self.port = port
            self.preSharedKeys = preSharedKeys
            self.certificates = certificates
            self.maximumDatagramSize = maximumDatagramSize
            self.mtu = mtu
            self.maximumPendingHandshakes = maximumPendingHandshakes
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
        }
    }
}
