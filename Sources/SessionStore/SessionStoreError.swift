/// Why the session store refused or could not carry out a write.
public struct SessionStoreError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case invalid(clientID: String, reason: String)
        case tooLarge(clientID: String, what: String, bytes: Int, limit: Int)
        case outageBufferFull(clientID: String, scope: String, limits: OutageBufferLimits)
        case writeFailed(file: String, reason: String)
        case closed
        case unusable(file: String, reason: String)
    }

    private let code: Code

    /// A record or message the store cannot keep as it is.
    public static func invalid(clientID: String, reason: String) -> Self {
        Self(code: .invalid(clientID: clientID, reason: reason))
    }

    /// A field over its hard cap.
    public static func tooLarge(clientID: String, what: String, bytes: Int, limit: Int) -> Self {
        Self(code: .tooLarge(clientID: clientID, what: what, bytes: bytes, limit: limit))
    }

    /// The outage buffer has no room for the message: the client's share (`scope` "client") or all of it ("total").
    public static func outageBufferFull(clientID: String, scope: String, limits: OutageBufferLimits) -> Self {
        Self(code: .outageBufferFull(clientID: clientID, scope: scope, limits: limits))
    }

    /// The commit that carried the write failed (disk full, I/O error); the write is not durable.
    public static func writeFailed(file: String, reason: String) -> Self {
        Self(code: .writeFailed(file: file, reason: reason))
    }

    /// The store was closed before the write.
    public static let closed = Self(code: .closed)

    /// The store file cannot be used at all (not even after moving it aside).
    public static func unusable(file: String, reason: String) -> Self {
        Self(code: .unusable(file: file, reason: reason))
    }

    /// Whether this is ``outageBufferFull(clientID:scope:limits:)``: the gateway answers congestion.
    public var isOutageBufferFull: Bool {
        if case .outageBufferFull = code { return true }
        return false
    }

    public var description: String {
        switch code {
        case .invalid(let clientID, let reason):
            "cannot store for client '\(clientID)': \(reason)"
        case .tooLarge(let clientID, let what, let bytes, let limit):
            "cannot store for client '\(clientID)': \(what) of \(bytes) bytes is over the \(limit)-byte limit"
        case .outageBufferFull(let clientID, let scope, let limits):
            "outage buffer full for client '\(clientID)' (\(scope) limit: \(limits.messages) messages, \(limits.bytes) bytes)"
        case .writeFailed(let file, let reason):
            "writing \(file) failed: \(reason)"
        case .closed:
            "the session store is closed"
        case .unusable(let file, let reason):
            "cannot use \(file): \(reason)"
        }
    }

    /// Why `clientID` cannot key a record, or `nil`.
    static func clientIDProblem(_ clientID: String) -> Self? {
        if clientID.isEmpty { return .invalid(clientID: clientID, reason: "empty client id") }
        let bytes = clientID.utf8.count
        if bytes > SessionRecord.maximumClientIDBytes {
            return .tooLarge(
                clientID: String(clientID.prefix(64)),
                what: "client id",
                bytes: bytes,
                limit: SessionRecord.maximumClientIDBytes
            )
        }
        return nil
    }
}
