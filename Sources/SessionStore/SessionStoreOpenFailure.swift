import GRDB

/// Why a store file could not be opened, and whether moving it aside and starting anew can help.
struct SessionStoreOpenFailure: Error, CustomStringConvertible {
    /// SQLite's or the system's words.
    var reason: String
    /// The file's content is damaged or not a store at all (moving it aside helps), rather than inaccessible or from a
    /// newer snbridge (moving it would lose data a fix of the permissions or a downgrade back would recover).
    var isCorruption: Bool

    var description: String { reason }

    init(reason: String, isCorruption: Bool) {
        self.reason = reason
        self.isCorruption = isCorruption
    }

    static func corrupt(_ reason: String) -> Self { Self(reason: reason, isCorruption: true) }

    static func unusable(_ reason: String) -> Self { Self(reason: reason, isCorruption: false) }

    /// Classifies what opening, checking or reading the file threw.
    init(_ error: any Error) {
        if let failure = error as? SessionStoreOpenFailure {
            self = failure
        } else if let error = error as? DatabaseError {
            let code = error.resultCode
            self.reason = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "\(code)")"
            self.isCorruption =
                code == .SQLITE_NOTADB || code == .SQLITE_CORRUPT || code == .SQLITE_FORMAT
                || error.extendedResultCode == .SQLITE_IOERR_SHORT_READ
        } else {
            self.reason = "\(error)"
            self.isCorruption = false
        }
    }
}
