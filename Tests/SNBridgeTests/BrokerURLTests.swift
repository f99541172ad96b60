import Testing

@testable import SNBridge

@Suite("Broker URL")
struct BrokerURLTests {
    @Test(
        "Valid URLs",
        arguments: [
            ("mqtt://localhost", BrokerURL(host: "localhost", port: 1883, usesTLS: false)),
            ("mqtt://10.0.0.5:1999", BrokerURL(host: "10.0.0.5", port: 1999, usesTLS: false)),
            ("mqtts://broker.example.com", BrokerURL(host: "broker.example.com", port: 8883, usesTLS: true)),
            ("ssl://b:443", BrokerURL(host: "b", port: 443, usesTLS: true)),
            ("tcp://b/", BrokerURL(host: "b", port: 1883, usesTLS: false)),
            ("mqtt://[::1]:1884", BrokerURL(host: "::1", port: 1884, usesTLS: false)),
            ("MQTTS://[fd00::1]", BrokerURL(host: "fd00::1", port: 8883, usesTLS: true)),
        ]
    )
    func validURL(text: String, expected: BrokerURL) throws {
        #expect(try BrokerURL.parse(text).get() == expected)
        #expect(try BrokerURL.parse(expected.description).get() == expected)
    }

    @Test(
        "Invalid URLs say why",
        arguments: [
            ("localhost:1883", "expected mqtt://"),
            ("http://x", "unsupported scheme"),
            ("mqtt://", "missing host"),
            ("mqtt://:1883", "missing host"),
            ("mqtt://x:0", "port must be"),
            ("mqtt://x:abc", "port must be"),
            ("mqtt://[::1", "unterminated"),
            ("mqtt://x/topic", "no path"),
            ("mqtt://alice:pw@x", "must not carry a user or password"),
        ]
    )
    func invalidURL(text: String, problem: String) {
        guard case .failure(let error) = BrokerURL.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(error.problem.contains(problem))
    }
}
