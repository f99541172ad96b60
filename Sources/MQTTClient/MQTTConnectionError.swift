import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Why a connection could not be established or was lost.
///
/// Errors compare equal by kind (and reason code for ``rejected(_:)``), so tests can write
/// `#expect(throws: MQTTConnectionError.badUsernameOrPassword)` while ``description`` carries the details.
public struct MQTTConnectionError: Error, Hashable, CustomStringConvertible {
    fileprivate enum Kind: Hashable, Sendable {
        case badUsernameOrPassword
        case notAuthorized
        case identifierRejected
        case serverUnavailable
        case unacceptableProtocolVersion
        case rejected(UInt8)
        case timeout
        case connectionRefused
        case connectionClosed
        case tlsFailure
        case keepAliveTimeout
        case protocolViolation
        case alreadyConnected
        case serverDisconnected
        case reconnectAttemptsExhausted
        case disconnectRequested
    }

    private let kind: Kind
    /// The CONNACK return code (3.1.1) or reason code (5.0), or the DISCONNECT reason code, when one caused this.
    public let reasonCode: MQTTReasonCode?
    public let description: String

    private init(_ kind: Kind, reasonCode: MQTTReasonCode? = nil, _ description: String) {
        self.kind = kind
        self.reasonCode = reasonCode
        self.description = description
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// 3.1.1 return code 4, 5.0 reason code 0x86.
    public static let badUsernameOrPassword = Self(
        .badUsernameOrPassword,
        "the broker rejected the user name or password"
    )
    /// 3.1.1 return code 5, 5.0 reason code 0x87.
    public static let notAuthorized = Self(.notAuthorized, "the broker says the client is not authorized to connect")
    /// 3.1.1 return code 2, 5.0 reason code 0x85.
    public static let identifierRejected = Self(.identifierRejected, "the broker rejected the client identifier")
    /// 3.1.1 return code 3, 5.0 reason codes 0x88 (server unavailable) and 0x89 (server busy).
    public static let serverUnavailable = Self(.serverUnavailable, "the broker is unavailable")
    /// 3.1.1 return code 1, 5.0 reason code 0x84.
    public static let unacceptableProtocolVersion = Self(
        .unacceptableProtocolVersion,
        "the broker does not support this protocol version"
    )
    /// No CONNACK within the connect timeout.
    public static let timeout = Self(.timeout, "the connection was not accepted within the connect timeout")
    /// The TCP connection could not be established.
    public static let connectionRefused = Self(
        .connectionRefused,
        "the TCP connection to the broker could not be established"
    )
    /// The connection closed (before CONNACK, or while connected).
    public static let connectionClosed = Self(.connectionClosed, "the connection to the broker closed")
    /// The TLS handshake failed (untrusted certificate, wrong host name, rejected client certificate...).
    public static let tlsFailure = Self(.tlsFailure, "the TLS handshake with the broker failed")
    /// No PINGRESP (nor any other packet) within the keep alive after a PINGREQ.
    public static let keepAliveTimeout = Self(
        .keepAliveTimeout,
        "the broker did not answer PINGREQ within the keep alive"
    )
    /// The broker sent something the protocol does not allow, or something we could not decode.
    public static let protocolViolation = Self(.protocolViolation, "the broker violated the MQTT protocol")
    /// ``MQTTClient/connect()`` while already connected or connecting.
    public static let alreadyConnected = Self(.alreadyConnected, "the client is already connected or connecting")
    /// An MQTT 5.0 DISCONNECT from the broker.
    public static let serverDisconnected = Self(.serverDisconnected, "the broker sent DISCONNECT")
    /// The reconnect policy's maximum attempts were used up.
    public static let reconnectAttemptsExhausted = Self(.reconnectAttemptsExhausted, "every reconnect attempt failed")
    /// ``MQTTClient/disconnect()`` or ``MQTTClient/closeAbruptly()`` was called while connecting.
    public static let disconnectRequested = Self(.disconnectRequested, "the client was asked to disconnect")

    /// A CONNACK refusal with a reason code that has no dedicated member.
    public static func rejected(_ reasonCode: MQTTReasonCode) -> Self {
        Self(.rejected(reasonCode.rawValue), reasonCode: reasonCode, "the broker refused the connection: \(reasonCode)")
    }

    /// Maps a refused CONNACK to its error.
    static func refused(returnCode: UInt8, version: MQTTProtocolVersion) -> Self {
        let code = MQTTReasonCode(rawValue: returnCode)
        let base: Self
        switch (version, returnCode) {
        case (.v3_1_1, 1), (.v5, 0x84): base = .unacceptableProtocolVersion
        case (.v3_1_1, 2), (.v5, 0x85): base = .identifierRejected
        case (.v3_1_1, 3), (.v5, 0x88), (.v5, 0x89): base = .serverUnavailable
        case (.v3_1_1, 4), (.v5, 0x86): base = .badUsernameOrPassword
        case (.v3_1_1, 5), (.v5, 0x87): base = .notAuthorized
        default: return .rejected(code)
        }
        let codeDescription = version == .v5 ? "\(code)" : "return code \(returnCode)"
        return Self(base.kind, reasonCode: code, "\(base.description) (\(codeDescription))")
    }

    static func serverDisconnected(_ reasonCode: MQTTReasonCode) -> Self {
        Self(.serverDisconnected, reasonCode: reasonCode, "the broker sent DISCONNECT: \(reasonCode)")
    }

    static func connectionRefused(_ underlying: any Error) -> Self {
        Self(.connectionRefused, "the TCP connection to the broker could not be established: \(sentence(underlying))")
    }

    static func tlsFailure(_ underlying: any Error) -> Self {
        Self(.tlsFailure, "the TLS handshake with the broker failed: \(sentence(underlying))")
    }

    static func protocolViolation(_ reason: String) -> Self {
        Self(.protocolViolation, "the broker violated the MQTT protocol: \(reason)")
    }

    static func connectionClosed(_ underlying: any Error) -> Self {
        Self(.connectionClosed, "the connection to the broker closed: \(sentence(underlying))")
    }

    /// What went wrong underneath, in words rather than as a type dump: `127.0.0.1 port 1883: Connection refused`
    /// for each address tried, `cannot resolve broker.local: ...` for a failed lookup, the system's message for an
    /// I/O error.
    static func sentence(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let lookup = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve \(error.host): \(sentence(lookup))"
            }
            guard !error.connectionErrors.isEmpty else { return "no address found for \(error.host)" }
            return error.connectionErrors.map { failure in
                "\(failure.target.ipAddress ?? error.host) port \(error.port): \(sentence(failure.error))"
            }.joined(separator: "; ")
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        default:
            return "\(error)"
        }
    }
}
