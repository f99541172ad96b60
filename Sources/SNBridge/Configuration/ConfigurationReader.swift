import Foundation
import Yams

/// Walks a YAML document and reads typed values by key, collecting every problem instead of stopping at the first.
///
/// Unknown keys are errors (with a suggestion when one is close), because a misspelt key silently falling back to
/// its default is the most common configuration bug there is.
final class ConfigurationReader {
    private(set) var errors: [ConfigurationError] = []

    func report(_ key: String, _ problem: String) {
        errors.append(ConfigurationError(key: key, problem: problem))
    }

    /// A position in the document: the node found there (nil when the key is absent) and its dotted path.
    struct Cursor {
        var node: Node?
        var path: String

        func key(_ name: String) -> Cursor {
            let childPath = path.isEmpty ? name : "\(path).\(name)"
            return Cursor(node: node?.mapping?[name], path: childPath)
        }

        /// False for an absent key and for an explicit YAML null (`key:` or `key: ~`), which both mean "use the default".
        var isPresent: Bool {
            guard let node else { return false }
            if case .scalar(let scalar) = node, scalar.style == .plain,
                ["", "~", "null", "Null", "NULL"].contains(scalar.string)
            {
                return false
            }
            return true
        }
    }

    /// Checks that a mapping holds only `allowed` keys. Returns false when the node is present but not a mapping.
    @discardableResult
    func expectMapping(_ cursor: Cursor, allowed: [String]) -> Bool {
        guard cursor.isPresent, let node = cursor.node else { return true }
        guard let mapping = node.mapping else {
            report(cursor.path, "expected a mapping of keys (\(allowed.joined(separator: ", ")))")
            return false
        }
        var seen: Set<String> = []
        for key in mapping.keys {
            guard let name = key.string else {
                report(cursor.path, "keys must be strings")
                continue
            }
            guard seen.insert(name).inserted else {
                reportDuplicate(name, at: key, in: cursor)
                continue
            }
            if !allowed.contains(name) {
                let keyPath = cursor.path.isEmpty ? name : "\(cursor.path).\(name)"
                if let suggestion = Self.closest(to: name, in: allowed) {
                    report(keyPath, "unknown key (did you mean '\(suggestion)'?)")
                } else {
                    report(keyPath, "unknown key (allowed: \(allowed.joined(separator: ", ")))")
                }
            }
        }
        return true
    }

    func string(_ cursor: Cursor) -> String? {
        guard cursor.isPresent, let node = cursor.node else { return nil }
        guard case .scalar(let scalar) = node else {
            report(cursor.path, "expected a string")
            return nil
        }
        return scalar.string
    }

    func int(_ cursor: Cursor, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(cursor) else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            report(cursor.path, "expected a whole number, got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(cursor.path, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    func double(_ cursor: Cursor, in range: ClosedRange<Double>) -> Double? {
        guard let text = string(cursor) else { return nil }
        guard let value = Double(text), value.isFinite else {
            report(cursor.path, "expected a number, got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(cursor.path, "must be between \(range.lowerBound) and \(range.upperBound), got \(text)")
            return nil
        }
        return value
    }

    func bool(_ cursor: Cursor) -> Bool? {
        guard let text = string(cursor) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(cursor.path, "expected true or false, got '\(text)'")
            return nil
        }
    }

    /// A duration such as `250ms`, `10s`, `5m`, `1h`, or a bare number of seconds.
    func duration(_ cursor: Cursor, in range: ClosedRange<Duration>) -> Duration? {
        guard let text = string(cursor) else { return nil }
        guard let value = Self.parseDuration(text) else {
            report(cursor.path, "expected a duration like 500ms, 10s, 5m or 1h, got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(
                cursor.path,
                "must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got '\(text)'"
            )
            return nil
        }
        return value
    }

    func choice<T>(_ cursor: Cursor, _ options: KeyValuePairs<String, T>) -> T? {
        guard let text = string(cursor) else { return nil }
        if let match = options.first(where: { $0.key == text }) {
            return match.value
        }
        report(cursor.path, "must be one of \(options.map { $0.key }.joined(separator: ", ")), got '\(text)'")
        return nil
    }

    /// The elements of a sequence; a single scalar is accepted as a one-element list.
    func sequence(_ cursor: Cursor) -> [Cursor] {
        guard cursor.isPresent, let node = cursor.node else { return [] }
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map { Cursor(node: $0.element, path: "\(cursor.path)[\($0.offset)]") }
        case .scalar:
            return [Cursor(node: node, path: cursor.path)]
        case .mapping:
            report(cursor.path, "expected a list")
            return []
        }
    }

    /// The entries of a mapping whose keys are data (client ids, topic ids), in document order.
    func entries(_ cursor: Cursor) -> [(key: String, value: Cursor)] {
        guard cursor.isPresent, let node = cursor.node else { return [] }
        guard let mapping = node.mapping else {
            report(cursor.path, "expected a mapping")
            return []
        }
        var seen: Set<String> = []
        return mapping.compactMap { pair in
            guard let key = pair.key.string else {
                report(cursor.path, "keys must be strings")
                return nil
            }
            guard seen.insert(key).inserted else {
                reportDuplicate(key, at: pair.key, in: cursor)
                return nil
            }
            return (key, Cursor(node: pair.value, path: "\(cursor.path).\(key)"))
        }
    }

    /// A key a mapping gives twice: YAML leaves the meaning open (Yams keeps the last), so it is an error.
    private func reportDuplicate(_ name: String, at key: Node, in cursor: Cursor) {
        let keyPath = cursor.path.isEmpty ? name : "\(cursor.path).\(name)"
        let line = key.mark.map { " (again on line \($0.line))" } ?? ""
        report(keyPath, "given twice\(line); keep one")
    }

    static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return .milliseconds(Int64((value * unit.scale * 1000).rounded()))
        }
        guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        return "\(milliseconds / 1000)s"
    }

    /// The allowed key nearest to `name` by edit distance, when it is near enough to be a typo.
    static func closest(to name: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(name, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 3) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
