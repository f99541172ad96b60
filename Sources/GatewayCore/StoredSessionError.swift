/// Why a stored session record could not be restored.
struct StoredSessionError: Error, Hashable, CustomStringConvertible {
    let description: String

    /// Written by a gateway that encodes sessions differently.
    static func unknownVersion(_ version: Int) -> Self {
        Self(description: "unknown session format version \(version)")
    }

    /// The record's client id or version does not match what the store says.
    static let mismatch = Self(description: "the record does not match its key or version")
}
