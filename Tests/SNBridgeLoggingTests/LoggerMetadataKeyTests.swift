import Foundation
import SNBridgeLogging
import Testing

/// Every metadata key logged anywhere in `Sources/` is one of ``LoggerMetadataKey``: one spelling, one meaning.
@Suite("Log metadata vocabulary")
struct LoggerMetadataKeyTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// `"key": "\(value)"`, `"key": .string(...)` (any key) and `"a.b":` (any dotted key) in dictionary literals,
    /// `metadata["key"]` and `[metadataKey: "key"]`.
    static let patterns = [
        #""([a-z][a-z0-9_.]*)" *: *(?:\.string\(|\.stringConvertible\(|"\\\()"#,
        #""([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)" *:"#,
        #"metadata\["([^"]+)"\]"#,
        #"metadataKey: "([^"]+)""#,
    ].map { try! NSRegularExpression(pattern: $0) }

    static func loggedKeys() throws -> [String: Set<String>] {
        var keys: [String: Set<String>] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for pattern in patterns {
                for match in pattern.matches(in: text, range: range) {
                    guard let keyRange = Range(match.range(at: 1), in: text) else { continue }
                    keys[String(text[keyRange]), default: []].insert(file.lastPathComponent)
                }
            }
        }
        return keys
    }

    @Test("Every key the sources log is in LoggerMetadataKey")
    func everyLoggedKeyIsListed() throws {
        let logged = try Self.loggedKeys()
        #expect(logged.count > 40, "the scan found only \(logged.keys.sorted()); did Sources/ move?")
        let listed = Set(LoggerMetadataKey.allCases.map(\.rawValue))
        let unlisted = logged.filter { !listed.contains($0.key) }
        #expect(
            unlisted.isEmpty,
            "keys logged but not in LoggerMetadataKey: \(unlisted.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.sorted().joined(separator: ", ")))" })"
        )
    }

    @Test("Every listed key is dotted, lower case, and used somewhere")
    func everyListedKeyIsUsed() throws {
        let logged = try Self.loggedKeys()
        for key in LoggerMetadataKey.allCases {
            #expect(
                key.rawValue.range(of: #"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"#, options: .regularExpression) != nil,
                "\(key.rawValue)"
            )
            #expect(logged[key.rawValue] != nil, "\(key.rawValue) is listed but nothing logs it")
        }
    }
}
