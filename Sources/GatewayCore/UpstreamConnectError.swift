import MQTTSN

/// Why the broker did not open an upstream session, and what the MQTT-SN client is told.
///
/// MQTT-SN's CONNACK knows only four return codes, so broker answers are mapped:
///
/// | Broker / situation                                   | CONNACK to the client             |
/// |------------------------------------------------------|-----------------------------------|
/// | server unavailable, timeout, connection refused      | 0x01 rejected: congestion (retry) |
/// | bad username or password, not authorized             | 0x03 rejected: not supported      |
/// | identifier rejected, unacceptable protocol, other    | 0x03 rejected: not supported      |
///
/// Congestion tells a device to try again later, which helps only when the cause is transient; a refusal that
/// would repeat on every retry is "not supported", so that a device does not hammer the broker.
public struct UpstreamConnectError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case unavailable
        case notAuthorized
        case identifierRejected
        case refused
    }

    private let code: Code
    /// The broker's or the client library's own words, for logs.
    public var detail: String

    private init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The broker cannot be reached, timed out or said "server unavailable": transient.
    public static func unavailable(_ detail: String) -> UpstreamConnectError {
        .init(code: .unavailable, detail: detail)
    }
    /// Bad username or password, or not authorized.
    public static func notAuthorized(_ detail: String) -> UpstreamConnectError {
        .init(code: .notAuthorized, detail: detail)
    }
    /// The broker rejected the client id.
    public static func identifierRejected(_ detail: String) -> UpstreamConnectError {
        .init(code: .identifierRejected, detail: detail)
    }
    /// Any other refusal.
    public static func refused(_ detail: String) -> UpstreamConnectError { .init(code: .refused, detail: detail) }

    /// The CONNACK return code the MQTT-SN client gets (see the table above).
    public var mqttsnReturnCode: MQTTSNReturnCode {
        switch self.code {
        case .unavailable: .rejectedCongestion
        case .notAuthorized, .identifierRejected, .refused: .rejectedNotSupported
        }
    }

    public var description: String {
        switch self.code {
        case .unavailable: "broker unavailable: \(self.detail)"
        case .notAuthorized: "not authorized by the broker: \(self.detail)"
        case .identifierRejected: "client identifier rejected by the broker: \(self.detail)"
        case .refused: "connection refused by the broker: \(self.detail)"
        }
    }
}
