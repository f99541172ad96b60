import Foundation
import GRDB

extension SessionStore {
    /// Reads a stored session, checking every column's type and cap, so that a file edited by hand or damaged in a
    /// way SQLite does not notice gives a skipped row, never a crash; `nil` when the row is unusable.
    static func sessionRecord(from row: Row) -> SessionRecord? {
        guard case .string(let clientID) = (row[0] as DatabaseValue).storage,
            SessionStoreError.clientIDProblem(clientID) == nil,
            case .int64(let formatVersion) = (row[1] as DatabaseValue).storage,
            case .blob(let state) = (row[2] as DatabaseValue).storage,
            state.count <= SessionRecord.maximumStateBytes,
            case .int64(let incarnation) = (row[5] as DatabaseValue).storage, incarnation >= 0,
            let updatedAt = double(row[6])
        else { return nil }
        let lastAddress: String?
        switch (row[3] as DatabaseValue).storage {
        case .null: lastAddress = nil
        case .string(let address) where address.utf8.count <= SessionRecord.maximumAddressBytes: lastAddress = address
        default: return nil
        }
        let deadline: Date?
        switch (row[4] as DatabaseValue).storage {
        case .null: deadline = nil
        default:
            guard let seconds = double(row[4]) else { return nil }
            deadline = Date(timeIntervalSince1970: seconds)
        }
        var record = SessionRecord(
            clientID: clientID,
            formatVersion: Int(formatVersion),
            state: state,
            lastAddress: lastAddress,
            deadline: deadline,
            incarnation: UInt64(incarnation)
        )
        record.updatedAt = Date(timeIntervalSince1970: updatedAt)
        return record
    }

    static let sessionColumns = "client_id, format_version, state, last_address, deadline, incarnation, updated_at"

    /// Reads a buffered outage message, with the same checks.
    static func outageMessage(from row: Row) -> OutageMessage? {
        guard case .int64(let sequence) = (row[0] as DatabaseValue).storage, sequence > 0,
            case .string(let clientID) = (row[1] as DatabaseValue).storage,
            case .string(let topic) = (row[2] as DatabaseValue).storage,
            case .int64(let qos) = (row[4] as DatabaseValue).storage, (0...2).contains(qos),
            case .int64(let retain) = (row[5] as DatabaseValue).storage,
            let enqueuedAt = double(row[6])
        else { return nil }
        let payload: Data
        switch (row[3] as DatabaseValue).storage {
        case .blob(let data): payload = data
        case .string(let text) where text.isEmpty: payload = Data()
        default: return nil
        }
        var message = OutageMessage(
            clientID: clientID,
            topic: topic,
            payload: payload,
            qos: UInt8(qos),
            retain: retain != 0
        )
        guard message.problem == nil else { return nil }
        message.sequence = UInt64(sequence)
        message.enqueuedAt = Date(timeIntervalSince1970: enqueuedAt)
        return message
    }

    static let outageColumns = "sequence, client_id, topic, payload, qos, retain, enqueued_at"

    private static func double(_ value: DatabaseValue) -> Double? {
        switch value.storage {
        case .double(let number): number
        case .int64(let number): Double(number)
        default: nil
        }
    }
}
