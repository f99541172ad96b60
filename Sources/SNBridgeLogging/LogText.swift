/// The escaping every log format shares, so that nothing a device or a client sends (a console line, a client
/// id, a topic) can forge a key, end a line early or drive the terminal that shows the log.
///
/// ```
/// hello                          -> hello
/// hello device.id=spoofed        -> "hello device.id=spoofed"
/// ESC[0;32mI (123) app: ok ESC[0m -> "\x1b[0;32mI (123) app: ok \x1b[0m"
/// line one CR LF line two        -> "line one\r\nline two"
/// say "hi" \o/                   -> "say \"hi\" \\o/"
/// (empty)                        -> ""
/// ```
///
/// Control characters (C0, DEL, C1) are written `\xNN` (`\n`, `\r`, `\t` by name), and so are the Unicode
/// characters that reorder or break displayed text (bidirectional overrides and isolates, line and paragraph
/// separators) as `\u{NNNN}`. Bytes that are not UTF-8 never reach a log handler as such: the serial link decodes
/// console bytes with U+FFFD in place of each invalid sequence, which prints as itself.
public enum LogText {
    /// `value` as a `key=value` value: bare when that is unambiguous, otherwise quoted and escaped.
    public static func value(_ value: String) -> String {
        needsQuoting(value) ? quoted(value, escapingControl: textEscape) : value
    }

    /// `text` in double quotes with `"` and `\` escaped, `\n`, `\r` and `\t` by name and every other escaped
    /// character as `escapingControl` writes it: the one quoting both the text and the JSON format use.
    static func quoted(_ text: String, escapingControl: (Unicode.Scalar) -> String) -> String {
        var quoted = "\""
        quoted.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default:
                if isEscaped(scalar) {
                    quoted += escapingControl(scalar)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    /// `text` with control and reordering characters escaped but nothing quoted: for messages.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isEscaped) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            appendEscaped(scalar, to: &result)
        }
        return result
    }

    private static func needsQuoting(_ value: String) -> Bool {
        if value.isEmpty { return true }
        for scalar in value.unicodeScalars {
            switch scalar {
            case " ", "=", "\"", "\\": return true
            default: if isEscaped(scalar) { return true }
            }
        }
        return false
    }

    static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func appendEscaped(_ scalar: Unicode.Scalar, to output: inout String) {
        guard isEscaped(scalar) else {
            output.unicodeScalars.append(scalar)
            return
        }
        switch scalar {
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        default: output += textEscape(scalar)
        }
    }

    /// `\xNN` up to U+00FF, `\u{NNNN}` above.
    private static func textEscape(_ scalar: Unicode.Scalar) -> String {
        scalar.value <= 0xFF ? "\\x" + hex(scalar.value, digits: 2) : "\\u{" + hex(scalar.value, digits: 4) + "}"
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
