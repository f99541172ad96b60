import SNBridgeLogging
import Testing

/// The escaping that keeps text from devices and clients one value of one line.
@Suite("Log value escaping")
struct LogTextTests {
    @Test(
        "Values are bare when unambiguous, otherwise quoted with control and reordering characters escaped",
        arguments: [
            ("hello", "hello"),
            ("usb-10c4:ea60-0001A2B3-if00", "usb-10c4:ea60-0001A2B3-if00"),
            ("/dev/ttyUSB0", "/dev/ttyUSB0"),
            ("", "\"\""),
            ("hello device.id=spoofed", "\"hello device.id=spoofed\""),
            ("a=b", "\"a=b\""),
            ("\u{1B}[0;32mI (123) app: ok\u{1B}[0m", "\"\\x1b[0;32mI (123) app: ok\\x1b[0m\""),
            ("line one\r\nline two", "\"line one\\r\\nline two\""),
            ("tab\there", "\"tab\\there\""),
            ("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\""),
            ("bell\u{07}", "\"bell\\x07\""),
            ("del\u{7F}", "\"del\\x7f\""),
            ("c1\u{9B}31m", "\"c1\\x9b31m\""),
            ("right-to-left \u{202E}txt.exe", "\"right-to-left \\u{202e}txt.exe\""),
            ("temp \u{FFFD}\u{FFFD} 21", "\"temp \u{FFFD}\u{FFFD} 21\""),
            ("grüße", "grüße"),
        ]
    )
    func value(_ input: String, _ expected: String) {
        #expect(LogText.value(input) == expected)
    }

    @Test("Messages keep their spaces but lose their control characters")
    func message() {
        #expect(LogText.escaped("Device linked") == "Device linked")
        #expect(LogText.escaped("two\nlines") == "two\\nlines")
    }
}
