import Logging

/// The JSON of ``LogFormat/json`` lines: strings escaped per RFC 8259, with control and reordering characters as
/// `\uNNNN` so a line shown raw in a terminal is as safe as a text line.
enum LogJSON {
    static func object(_ fields: [(String, Logger.MetadataValue)]) -> String {
        "{" + fields.map { string($0.0) + ":" + value($0.1) }.joined(separator: ",") + "}"
    }

    static func value(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): string(text)
        case .stringConvertible(let convertible): string(convertible.description)
        case .array(let array): "[" + array.map(Self.value).joined(separator: ",") + "]"
        case .dictionary(let dictionary): object(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    static func string(_ text: String) -> String {
        LogText.quoted(text) { "\\u" + LogText.hex($0.value, digits: 4) }
    }
}
