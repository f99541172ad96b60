/// Which rows of a list a request asks for: `?offset=&limit=` on `/`, `/api/devices` and `/api/sessions`.
///
/// `offset` counts from 0 (default 0); `limit` is 1 to ``maximumLimit`` rows. Without `limit`, the JSON lists
/// answer every row (as before paging) and the page its ``StatusPage/defaultLimit``. Anything else (a value that
/// is not a whole number, out of range, given twice, or another parameter) is refused with a reason
/// (``PageRequestError``), which the listener answers with 400.
struct PageRequest: Sendable, Hashable {
    /// Rows skipped.
    var offset: Int
    /// Rows at most; `nil` for all of them.
    var limit: Int?

    /// The largest `limit` accepted.
    static let maximumLimit = 10_000

    init(offset: Int = 0, limit: Int? = nil) {
        self.offset = offset
        self.limit = limit
    }

    /// The request in `query` (what follows `?` in the URI, without it), or the reason it cannot be served.
    init(query: Substring, defaultLimit: Int? = nil) throws(PageRequestError) {
        var offset: Int?
        var limit: Int?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? parts[1] : ""
            switch name {
            case "offset":
                guard offset == nil else { throw PageRequestError("offset is given more than once") }
                guard let number = Self.wholeNumber(value), number >= 0 else {
                    throw PageRequestError("offset must be a whole number from 0, not '\(value.prefix(40))'")
                }
                offset = number
            case "limit":
                guard limit == nil else { throw PageRequestError("limit is given more than once") }
                guard let number = Self.wholeNumber(value), (1...Self.maximumLimit).contains(number) else {
                    throw PageRequestError(
                        "limit must be a whole number from 1 to \(Self.maximumLimit), not '\(value.prefix(40))'"
                    )
                }
                limit = number
            default:
                throw PageRequestError("unknown parameter '\(name.prefix(40))' (offset and limit are known)")
            }
        }
        self.offset = offset ?? 0
        self.limit = limit ?? defaultLimit
    }

    /// Rows from ``offset`` on: ``limit``, or all that are left.
    var count: Int { limit ?? Int.max - offset }

    /// The query of the page after this one, when there are rows after it.
    func next(total: Int) -> PageRequest? {
        guard let limit, offset + limit < total else { return nil }
        return PageRequest(offset: offset + limit, limit: limit)
    }

    /// The query of the page before this one, when this one does not start at the first row.
    func previous() -> PageRequest? {
        guard offset > 0 else { return nil }
        let limit = self.limit ?? offset
        return PageRequest(offset: max(0, offset - limit), limit: limit)
    }

    /// `offset=100&limit=100`, for links.
    var query: String {
        limit.map { "offset=\(offset)&limit=\($0)" } ?? "offset=\(offset)"
    }

    /// Only ASCII digits, at most 9 of them (so no overflow and no `+1`, ` 1` or `1e3`).
    private static func wholeNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            return nil
        }
        return Int(text)
    }
}
