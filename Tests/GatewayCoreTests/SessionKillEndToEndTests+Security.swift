import Foundation
import MQTTSN
import NIOCore
import TestSupport
import Testing

/// The security rules hold for sessions restored after a SIGKILL: a DTLS client's session is continued only
/// through a new association of that client, and a restored session is held to the ACL in force when it restarts.
extension SessionKillEndToEndTests {
    static let boilerKey: [UInt8] = Array("boiler-7 secret key".utf8)

    /// A file only the owner may read, in a directory of its own; removed with the directory.
    static func privateFile(_ name: String, _ text: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snbridge-secrets-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return file
    }

    @Test("A DTLS client's session restored after a SIGKILL is not continued by plain datagrams from its address")
    func dtlsSessionAcrossKill() async throws {
        let hexKey = Self.boilerKey.map { String(format: "%02x", $0) }.joined()
        let psk = try Self.privateFile("psk", "boiler-7:\(hexKey)\n")
        defer { try? FileManager.default.removeItem(at: psk.deletingLastPathComponent()) }
        let dtlsPort = try FreePort.udp()
        let setup = try await Self.testbed(
            udp: #", dtls: { listeners: ["127.0.0.1:\#(dtlsPort)"], psk_file: "\#(psk.path)" }"#,
            extraYAML: "gateway: { authentication: dtls }"
        )
        defer { Task { await setup.stop() } }
        let dtls = try SocketAddress(ipAddress: "127.0.0.1", port: dtlsPort)
        let credentials = DTLSClientHandler.Credentials.preSharedKey(identity: "boiler-7", key: Self.boilerKey)

        let device = try await MQTTSNTestClient.make(gateway: dtls, group: setup.group, dtls: credentials)
        #expect(try await device.connect(clientID: "boiler-7", cleanSession: false) == .accepted)
        let command = try await device.subscribe(.name("plant/boiler/7/cmd"), qos: .atLeastOnce, messageID: 1)
        #expect(command.returnCode == .accepted)
        try await Self.sleep(device, seconds: 120)
        try await MosquittoPublisher.publish(broker: setup.broker, topic: "plant/boiler/7/cmd", payload: "open", qos: 1)
        _ = try await eventually("the command stored") {
            setup.logCount("Buffered messages acknowledged upstream once stored") >= 1 ? true : nil
        }
        let port = try #require(device.localAddress?.port)
        await device.close()

        try await setup.killAndRestart()

        // A forger with the device's source address and port, on the plain UDP listener: a PINGREQ without a client
        // id (which wakes the session at its address) and one with it (which wakes it from anywhere its identity
        // may connect) both get DISCONNECT and never the command.
        let forger = try await MQTTSNTestClient.make(gateway: setup.gateway, group: setup.group, port: port)
        for clientID in [nil, "boiler-7"] {
            try await forger.send(.pingRequest(MQTTSNPingRequest(clientID: clientID)))
            _ = try await forger.receive(timeout: .seconds(10)) { packet -> Bool? in
                if case .publish(let publish) = packet {
                    Issue.record("the forger got \(String(buffer: publish.payload))")
                }
                if case .pingResponse = packet { Issue.record("the forger woke the session") }
                if case .disconnect = packet { return true }
                return nil
            }
        }
        await forger.close()

        // The device itself, through a new association from the same port, wakes its session and gets the command.
        let again = try await MQTTSNTestClient.make(gateway: dtls, group: setup.group, port: port, dtls: credentials)
        #expect(try await Self.wake(again, clientID: "boiler-7") == ["open"])
        await again.close()
    }

    @Test("A session restored after a SIGKILL is held to the ACL in force when the bridge starts again")
    func aclAcrossKill() async throws {
        let acl = try Self.privateFile("acl", "pattern readwrite plant/%c/#\n")
        defer { try? FileManager.default.removeItem(at: acl.deletingLastPathComponent()) }
        let setup = try await Self.testbed(extraYAML: #"gateway: { acl_file: "\#(acl.path)" }"#)
        defer { Task { await setup.stop() } }
        let subscriber = try await MosquittoSubscriber.start(broker: setup.broker, topics: ["plant/#"], qos: 1)
        defer { Task { await subscriber.stop() } }
        let sensor = try await setup.client()
        #expect(try await sensor.connect(clientID: "p1", cleanSession: false) == .accepted)
        let temperature = try await sensor.register("plant/p1/temperature", messageID: 1)
        let valve = try await sensor.register("plant/p1/valve/cmd", messageID: 2)
        #expect(temperature.returnCode == .accepted && valve.returnCode == .accepted)
        // PUBREC comes once the session (with both registrations) is durable.
        try await Self.publishExactlyOnce(sensor, "shut", topicID: valve.topicID, messageID: 3)
        try await subscriber.waitForMessage { $0.topic == "plant/p1/valve/cmd" && $0.payload == "shut" }

        // The plant narrows the ACL: the sensor may now only report its temperature.
        try "pattern readwrite plant/%c/temperature\n".write(to: acl, atomically: true, encoding: .utf8)
        try await setup.killAndRestart()
        #expect(try await sensor.connect(clientID: "p1", cleanSession: false) == .accepted)
        // A device answered with congestion (the restored session's upstream still coming up) sends again.
        var code = MQTTSNReturnCode.rejectedCongestion
        for attempt in 0..<20 where code == .rejectedCongestion {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(250)) }
            code = try await SessionFaultEndToEndTests.publish(
                sensor,
                "21.5",
                topicID: temperature.topicID,
                messageID: UInt16(40 + attempt)
            )
        }
        #expect(code == .accepted)
        #expect(
            try await SessionFaultEndToEndTests.publish(sensor, "open", topicID: valve.topicID, messageID: 5)
                == .rejectedNotSupported
        )
        try await subscriber.waitForMessage { $0.topic == "plant/p1/temperature" && $0.payload == "21.5" }
        #expect(!subscriber.messages.contains { $0.payload == "open" })
        _ = try await setup.bridge.waitForLog("Topic access refused", "acl.operation=publish")
        await sensor.close()
    }
}
