import Foundation

/// The shared vectors of Firmware-Protocol/vectors/vectors.txt, read the same way the C tests read them.
struct TestVectors {
    struct CRC {
        var name: String
        var data: [UInt8]
        var crc: UInt16
    }
    struct COBSCase {
        var name: String
        var decoded: [UInt8]
        var encoded: [UInt8]
    }
    struct Frame {
        var name: String
        var type: UInt8
        var payload: [UInt8]
        var wire: [UInt8]
    }
    struct Invalid {
        var name: String
        var wire: [UInt8]
        var error: String
    }

    /// A fresh receiver (console position) fed `wire` reports exactly these frame types, errors and console bytes.
    struct Stream {
        var name: String
        var maximumFrameSize: Int
        var wire: [UInt8]
        var frameTypes: [UInt8]
        var errors: [String]
        var console: [UInt8]
    }

    var crcs: [CRC] = []
    var cobs: [COBSCase] = []
    var frames: [Frame] = []
    var invalid: [Invalid] = []
    var streams: [Stream] = []

    static let fileURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Firmware-Protocol/vectors/vectors.txt")

    static func load() throws -> TestVectors {
        let text = try String(contentsOf: Self.fileURL, encoding: .utf8)
        var vectors = TestVectors()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let tokens = line.split(separator: " ")
            guard let kind = tokens.first else { continue }
            var fields: [String: String] = [:]
            for token in tokens.dropFirst() {
                let parts = token.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            let name = fields["name"] ?? "?"
            switch kind {
            case "crc":
                vectors.crcs.append(
                    CRC(name: name, data: hex(fields["data"]), crc: UInt16(fields["crc"] ?? "", radix: 16) ?? 0)
                )
            case "cobs":
                vectors.cobs.append(
                    COBSCase(name: name, decoded: hex(fields["decoded"]), encoded: hex(fields["encoded"]))
                )
            case "frame":
                vectors.frames.append(
                    Frame(
                        name: name,
                        type: UInt8(fields["type"] ?? "", radix: 16) ?? 0,
                        payload: hex(fields["payload"]),
                        wire: hex(fields["wire"])
                    )
                )
            case "invalid":
                vectors.invalid.append(Invalid(name: name, wire: hex(fields["wire"]), error: fields["error"] ?? "?"))
            case "stream":
                vectors.streams.append(
                    Stream(
                        name: name,
                        maximumFrameSize: Int(fields["max"] ?? "") ?? 0,
                        wire: hex(fields["wire"]),
                        frameTypes: list(fields["frames"]).map { UInt8($0, radix: 16) ?? 0 },
                        errors: list(fields["errors"]),
                        console: hex(fields["console"])
                    )
                )
            default:
                continue
            }
        }
        return vectors
    }
}

/// A comma-separated field; `-` is the empty list.
func list(_ text: String?) -> [String] {
    guard let text, text != "-" else { return [] }
    return text.split(separator: ",").map(String.init)
}

func hex(_ text: String?) -> [UInt8] {
    guard let text, text != "-" else { return [] }
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
