import Foundation
import TestSupport
import Testing

/// A brief link loss keeps a board's MQTT-SN session (`serial.session_grace`, by default the port's
/// `link_keepalive`); a longer one loses it and fires the will. The real `snbridge run`, mosquitto, and the C
/// library on a pty.
@Suite("snbridge run keeps a relinking board's session", .serialized)
struct SerialSessionGraceEndToEndTests {
    /// The bridge with one port at `keepalive`, and a board on it that linked and connected (a will on
    /// grace/status, the given CONNECT arguments).
    private static func connectedBoard(
        keepalive: String,
        serialYAML: String = "",
        extraYAML: String = "",
        id: String,
        connect: String
    ) async throws -> (SerialBridgeFixture, SimulatedDevice) {
        let fixture = try await SerialBridgeFixture.start(
            serialPort: "{ path: PATH, baud: 115200, link_keepalive: \(keepalive) }",
            serialYAML: serialYAML,
            extraYAML: extraYAML,
            topics: ["grace/#"]
        )
        let device = try SimulatedDevice(arguments: ["--id", id, fixture.cable.deviceEnd])
        try await device.waitForLine(startingWith: "linked")
        device.send("will grace/status 1 gone")
        device.send("connect \(connect)")
        try await device.waitForLine(startingWith: "connack 0")
        return (fixture, device)
    }

    @Test("A relink within the grace keeps registrations and subscriptions, and fires no will")
    func relinkWithinTheGraceKeepsTheSession() async throws {
        let (fixture, device) = try await Self.connectedBoard(keepalive: "5s", id: "0a0b0c0d", connect: "grace-1 30")
        let (broker, bridge, subscriber) = (fixture.broker, fixture.bridge, fixture.subscriber)
        device.send("publish grace/temperature 1 21.5")
        try await device.waitForLine(startingWith: "puback")
        try await subscriber.waitForMessage { $0.topic == "grace/temperature" && $0.payload == "21.5" }
        device.send("subscribe grace/command 1")
        try await device.waitForLine(startingWith: "suback")

        // The board says HELLO again while linked (it lost the link on its side): the link goes down and comes back.
        device.send("hello")
        try await device.waitForLine(startingWith: "linked", occurrence: 2)
        try await bridge.waitForLog("Device relinked within the session grace")

        // Without CONNECT or REGISTER: the old topic id still works, the subscription still delivers.
        device.send("publish grace/temperature 1 22.0")
        let puback = try await device.waitForLine(startingWith: "puback", occurrence: 2)
        #expect(puback.hasSuffix(" 0"), "PUBACK \(puback): the old topic id was refused")
        try await subscriber.waitForMessage { $0.topic == "grace/temperature" && $0.payload == "22.0" }
        try await MosquittoPublisher.publish(broker: broker, topic: "grace/command", payload: "on", qos: 1)
        let message = try await device.waitForLine(startingWith: "message")
        #expect(message.hasSuffix(" on"))
        // A lost session would have published the will before 22.0 reached the broker.
        #expect(!subscriber.messages.contains { $0.topic == "grace/status" }, "the will fired")
        #expect(!device.printed.contains("disconnected"), "the gateway ended the session")

        try await fixture.stop { try await device.waitForLine(startingWith: "disconnected") }
        device.terminate()
    }

    @Test("A QoS 1 message published while the link is down reaches the board once it relinks within the grace")
    func downlinkQueuedDuringTheOutageArrivesAfterTheRelink() async throws {
        let (fixture, device) = try await Self.connectedBoard(
            keepalive: "1s",
            serialYAML: "session_grace: 30s",
            extraYAML: "gateway: { retry_interval: 2s }",
            id: "0a0b0c0f",
            connect: "grace-3 30"
        )
        let (broker, bridge, subscriber) = (fixture.broker, fixture.bridge, fixture.subscriber)
        device.send("subscribe grace/command 1")
        try await device.waitForLine(startingWith: "suback")

        // A hung firmware: after 3 silent keepalives the link is down, the session waits.
        device.send("freeze")
        try await bridge.waitForLog(
            "Device link down; its sessions are kept for the session grace",
            timeout: .seconds(15)
        )
        try await MosquittoPublisher.publish(broker: broker, topic: "grace/command", payload: "while-away", qos: 1)

        // It recovers: its own silence check sends HELLO, the gateway resumes the session and retransmits.
        device.send("thaw")
        try await bridge.waitForLog("Device relinked within the session grace", timeout: .seconds(15))
        let message = try await device.waitForLine(startingWith: "message", timeout: .seconds(20))
        #expect(message.hasSuffix(" while-away"))
        #expect(!subscriber.messages.contains { $0.topic == "grace/status" }, "the will fired")

        try await fixture.stop()
        device.terminate()
    }

    @Test("A link gone longer than the grace loses the session and fires the will")
    func linkLossBeyondTheGraceFiresTheWill() async throws {
        let (fixture, device) = try await Self.connectedBoard(
            keepalive: "1s",
            id: "0a0b0c0e",
            connect: "grace-2 30 clean"
        )
        let (bridge, subscriber) = (fixture.bridge, fixture.subscriber)

        // A hung firmware: silence for 3 keepalives, then the 1 s grace, then the will.
        device.send("freeze")
        try await bridge.waitForLog(
            "Device link down; its sessions are kept for the session grace",
            timeout: .seconds(15)
        )
        let will = try await subscriber.waitForMessage(topic: "grace/status", timeout: .seconds(15))
        #expect(will.payload == "gone")
        try await bridge.waitForLog("Session grace over without a relink")

        device.send("thaw")
        try await fixture.stop()
        device.terminate()
    }
}
