import MQTTSNDTLS
import NIOCore

extension GatewayConfiguration {
    /// DTLS listeners (`udp.dtls.*`): MQTT-SN over DTLS 1.2 with pre-shared keys and/or certificates.
    public struct DTLS: Sendable {
        public typealias Certificates = DTLSTransport.Configuration.Certificates
        public typealias ClientCertificates = DTLSTransport.Configuration.ClientCertificates

        /// `udp.dtls.listeners`, as `host:port`. Defaults to `0.0.0.0:8884`.
        public var listeners: [String]
        /// Pre-shared keys by identity = client id, from `udp.dtls.psk_file` (`identity:hexkey` lines, as
        /// mosquitto's `psk_file`).
        public var preSharedKeys: [String: [UInt8]]
        /// `udp.dtls.cert_file`, `key_file`, `ca_file`, `client_certificates`.
        public var certificates: Certificates?
        /// A handshake not finished within this is dropped and counted (`udp.dtls.handshake_timeout`). 10 s.
        public var handshakeTimeout: TimeAmount

        public init(
            listeners: [String] = ["0.0.0.0:\(DTLSTransport.defaultPort)"],
            preSharedKeys: [String: [UInt8]] = [:],
            certificates: Certificates? = nil,
            handshakeTimeout: TimeAmount = .seconds(10)
        ) {
            self.listeners = listeners
            self.preSharedKeys = preSharedKeys
            self.certificates = certificates
            self.handshakeTimeout = handshakeTimeout
        }
    }
}
