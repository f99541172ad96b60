/// Why `?offset=&limit=` cannot be served; the listener answers 400 with this reason (``PageRequest``).
struct PageRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}
