/// Why a benchmark step failed.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    static func timedOut(_ what: String) -> Self { Self(description: "timed out: \(what)") }
    static func refused(_ what: String) -> Self { Self(description: "refused: \(what)") }
    static let superseded = Self(description: "superseded by a retry")
    static func notStarted(_ what: String) -> Self { Self(description: "did not start: \(what)") }
    static func unknownScenario(_ name: String) -> Self { Self(description: "unknown scenario '\(name)'") }
    static func failed(_ what: String) -> Self { Self(description: what) }
}
