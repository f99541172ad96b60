import Foundation

/// The protocol version argument (`-V`) of mosquitto_sub / mosquitto_pub.
public enum MosquittoProtocolVersion: String, Sendable {
    case mqttv311
    case mqttv5
}

/// A message printed by ``MosquittoSubscriber``.
public struct MosquittoReceivedMessage: Sendable, Hashable {
    public var topic: String
    public var payload: String
    public var qos: Int
    public var retain: Bool
}

/// A running `mosquitto_sub` whose output is parsed as it arrives.
///
/// ``start(broker:topics:qos:version:count:timeoutSeconds:extraArguments:)`` returns only after mosquitto_sub logged
/// "received SUBACK" (it runs with `-d`), so a message published afterwards is guaranteed to reach it: no sleeping.
public final class MosquittoSubscriber: Sendable {
    private static let messagePrefix = "snbridge-msg\t"

    /// The underlying process.
    public let process: ChildProcess

    private init(process: ChildProcess) {
        self.process = process
    }

    /// Starts `mosquitto_sub -d -q qos -V version -t topic...` against `broker` and waits for its SUBACK.
    ///
    /// - Parameters:
    ///   - count: `-C`: exit after this many messages.
    ///   - timeoutSeconds: `-W`: exit after this many seconds.
    ///   - extraArguments: such as `["-u", "alice", "-P", "secret"]` or `["-i", "client-id", "-c"]`.
    public static func start(
        host: String = "127.0.0.1",
        port: Int,
        topics: [String],
        qos: Int = 0,
        version: MosquittoProtocolVersion = .mqttv5,
        count: Int? = nil,
        timeoutSeconds: Int? = nil,
        extraArguments: [String] = []
    ) async throws -> MosquittoSubscriber {
        var arguments = ["-d", "-h", host, "-p", String(port), "-q", String(qos), "-V", version.rawValue]
        for topic in topics { arguments += ["-t", topic] }
        if let count { arguments += ["-C", String(count)] }
        if let timeoutSeconds { arguments += ["-W", String(timeoutSeconds)] }
        // A machine-readable line per message: qos, retain, topic, payload.
        arguments += ["-F", "\(messagePrefix)%q\t%r\t%t\t%p"]
        arguments += extraArguments
        // Line-buffered: piped stdout would otherwise hold "received SUBACK" back until exit.
        let process = try ChildProcess(
            executable: "/usr/bin/stdbuf",
            arguments: ["-oL", "/usr/bin/mosquitto_sub"] + arguments
        )
        do {
            try await process.waitForLine { $0.contains("received SUBACK") }
        } catch {
            await process.terminate()
            throw error
        }
        return MosquittoSubscriber(process: process)
    }

    /// Convenience for a ``MosquittoBroker``'s plain listener.
    public static func start(
        broker: MosquittoBroker,
        topics: [String],
        qos: Int = 0,
        version: MosquittoProtocolVersion = .mqttv5,
        count: Int? = nil,
        timeoutSeconds: Int? = nil,
        extraArguments: [String] = []
    ) async throws -> MosquittoSubscriber {
        try await start(
            host: broker.host,
            port: broker.port,
            topics: topics,
            qos: qos,
            version: version,
            count: count,
            timeoutSeconds: timeoutSeconds,
            extraArguments: extraArguments
        )
    }

    /// Every message received so far, in order.
    public var messages: [MosquittoReceivedMessage] {
        process.output.compactMap(Self.parse)
    }

    /// The debug lines of received PUBLISH packets, such as `received PUBLISH (d1, q2, r0, m1, 'a/b', ... (5 bytes))`.
    public var receivedPublishLines: [String] {
        process.output.filter { $0.contains("received PUBLISH") }
    }

    /// Waits until a message satisfying `predicate` arrived, and returns it.
    @discardableResult
    public func waitForMessage(
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (MosquittoReceivedMessage) -> Bool
    ) async throws -> MosquittoReceivedMessage {
        let line = try await process.waitForLine(timeout: timeout) { line in
            Self.parse(line).map(predicate) ?? false
        }
        return Self.parse(line)!
    }

    /// Waits until a message on `topic` arrived, and returns it.
    @discardableResult
    public func waitForMessage(topic: String, timeout: Duration = .seconds(10)) async throws -> MosquittoReceivedMessage
    {
        try await waitForMessage(timeout: timeout) { $0.topic == topic }
    }

    /// Waits for mosquitto_sub to exit by itself (after `-C` messages or `-W` seconds).
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(15)) async throws -> Int32 {
        try await process.waitForExit(timeout: timeout)
    }

    /// Stops mosquitto_sub (by pid).
    public func stop() async {
        await process.terminate()
    }

    private static func parse(_ line: String) -> MosquittoReceivedMessage? {
        guard line.hasPrefix(messagePrefix) else { return nil }
        let fields = line.dropFirst(messagePrefix.count).split(
            separator: "\t",
            maxSplits: 3,
            omittingEmptySubsequences: false
        )
        guard fields.count == 4, let qos = Int(fields[0]) else { return nil }
        return MosquittoReceivedMessage(
            topic: String(fields[2]),
            payload: String(fields[3]),
            qos: qos,
            retain: fields[1] == "1"
        )
    }
}

/// Runs `mosquitto_pub` once.
public enum MosquittoPublisher {
    /// Publishes one message with `mosquitto_pub` and waits until it has exited successfully
    /// (for QoS 1/2 that means the broker acknowledged it).
    public static func publish(
        host: String = "127.0.0.1",
        port: Int,
        topic: String,
        payload: String,
        qos: Int = 0,
        retain: Bool = false,
        version: MosquittoProtocolVersion = .mqttv5,
        extraArguments: [String] = []
    ) async throws {
        var arguments = [
            "-h", host, "-p", String(port), "-t", topic, "-m", payload, "-q", String(qos), "-V", version.rawValue,
        ]
        if retain { arguments.append("-r") }
        arguments += extraArguments
        try await ChildProcess.run("/usr/bin/mosquitto_pub", arguments)
    }

    /// Convenience for a ``MosquittoBroker``'s plain listener.
    public static func publish(
        broker: MosquittoBroker,
        topic: String,
        payload: String,
        qos: Int = 0,
        retain: Bool = false,
        version: MosquittoProtocolVersion = .mqttv5,
        extraArguments: [String] = []
    ) async throws {
        try await publish(
            host: broker.host,
            port: broker.port,
            topic: topic,
            payload: payload,
            qos: qos,
            retain: retain,
            version: version,
            extraArguments: extraArguments
        )
    }
}
