import Foundation

/// One stored session: the gateway's own encoding of it, opaque to the store, and the few facts the gateway needs
/// without decoding it.
///
/// The store never looks inside ``state``; ``formatVersion`` says which encoding it is, so a newer gateway can read
/// (or knowingly discard) what an older one wrote.
public struct SessionRecord: Sendable, Hashable {
    /// The MQTT-SN client id; the key.
    public var clientID: String
    /// Which encoding ``state`` is in, the gateway's own numbering.
    public var formatVersion: Int
    /// The encoded session: registrations, subscriptions, will, queues, QoS 2 ids, whatever the gateway keeps.
    public var state: Data
    /// The transport address the client last used, as the gateway writes it (e.g. `udp:192.0.2.7:50123`).
    public var lastAddress: String?
    /// When the session expires or its sleep ends, in wall-clock time (monotonic deadlines do not survive a restart).
    public var deadline: Date?
    /// The session incarnation, for the topic-id rule; see ``SessionStore/allocateIncarnation()``.
    public var incarnation: UInt64
    /// When the record was handed to the store; set by ``SessionStore/save(_:)``.
    public internal(set) var updatedAt: Date

    public init(
        clientID: String,
        formatVersion: Int,
        state: Data,
        lastAddress: String? = nil,
        deadline: Date? = nil,
        incarnation: UInt64
    ) {
        self.clientID = clientID
        self.formatVersion = formatVersion
        self.state = state
        self.lastAddress = lastAddress
        self.deadline = deadline
        self.incarnation = incarnation
        self.updatedAt = Date(timeIntervalSince1970: 0)
    }

    /// Client ids longer than this (UTF-8 bytes) are refused; MQTT-SN's own limit is 23 characters.
    public static let maximumClientIDBytes = 1_024
    /// Encoded sessions larger than this are refused, and skipped when found in a store file.
    public static let maximumStateBytes = 64 << 20
    /// Addresses longer than this are refused.
    public static let maximumAddressBytes = 1_024

    /// Why this record cannot be stored, or `nil`.
    var problem: SessionStoreError? {
        if let problem = SessionStoreError.clientIDProblem(clientID) { return problem }
        if state.count > Self.maximumStateBytes {
            return .tooLarge(
                clientID: clientID,
                what: "session state",
                bytes: state.count,
                limit: Self.maximumStateBytes
            )
        }
        if let lastAddress, lastAddress.utf8.count > Self.maximumAddressBytes {
            return .tooLarge(
                clientID: clientID,
                what: "address",
                bytes: lastAddress.utf8.count,
                limit: Self.maximumAddressBytes
            )
        }
        if incarnation > UInt64(Int64.max) {
            return .invalid(clientID: clientID, reason: "incarnation \(incarnation) does not fit in 63 bits")
        }
        return nil
    }
}
