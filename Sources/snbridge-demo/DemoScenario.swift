import Foundation
import Logging
import MQTTClient
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport

/// The story the demo tells: the board links and connects, publishes readings at QoS 1 that a subscriber on the
/// broker sees, then a command published on the broker reaches the board.
struct DemoScenario {
    struct Outcome {
        var readingsAtBroker: Int
        var commandReachedBoard: Bool
        var medianLatency: Duration?
    }

    let setup: DemoSetup
    let count: Int
    let interval: Duration

    func run() async throws -> Outcome {
        let board = setup.board
        let received = NIOLockedValueBox<[String: ContinuousClock.Instant]>([:])
        var logger = Logger(label: "snbridge-demo")
        logger.logLevel = .error
        let subscriber = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: setup.brokerHost,
                port: setup.brokerPort,
                clientID: "snbridge-demo-watcher-\(getpid())"
            ),
            eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
            logger: logger
        ) { message in
            let payload = String(buffer: message.payload)
            received.withLockedValue { $0[payload] = .now }
            DemoOutput.line("broker", "\(message.topic) = \(payload)  (QoS \(message.qos.rawValue))")
        }
        _ = try await subscriber.connect()
        _ = try await subscriber.subscribe([MQTTSubscription(topicFilter: "demo/board/#", qos: .atLeastOnce)])
        DemoOutput.line("broker", "a subscriber watches demo/board/#")

        let linked = try await board.waitForLine(startingWith: "linked", timeout: .seconds(15))
        DemoOutput.line("board", "serial link up (\(linked))")
        try await setup.bridge.waitForLine(timeout: .seconds(10)) { $0.contains("Device linked") }
        for line in setup.bridge.errorOutput where line.contains("Device console") || line.contains("Device linked") {
            DemoOutput.line("bridge", DemoOutput.logEssence(line))
        }
        board.send("will demo/board/status 1 offline")
        board.send("connect demo-board 30 clean")
        try await board.waitForLine(startingWith: "connack 0")
        DemoOutput.line("board", "MQTT-SN CONNECT accepted: demo-board has its own MQTT session on the broker")
        board.send("subscribe demo/board/led 1")
        try await board.waitForLine(startingWith: "suback")

        var sentAt: [String: ContinuousClock.Instant] = [:]
        for index in 1...count {
            let reading = String(format: "%.1f", 20.0 + Double(index % 7) * 0.3 + Double(index) / 100)
            let payload = "\(reading)C #\(index)"
            sentAt[payload] = .now
            board.send("publish demo/board/temperature 1 \(payload)")
            try await board.waitForLine(startingWith: "puback", occurrence: index, timeout: .seconds(10))
            try await Task.sleep(for: interval)
        }

        DemoOutput.line("broker", "publishing demo/board/led = on")
        try await subscriber.publish(MQTTMessage(topic: "demo/board/led", payload: "on", qos: .atLeastOnce))
        let command = try? await board.waitForLine(startingWith: "message", timeout: .seconds(10))
        if let command {
            DemoOutput.line("board", "received \(command)")
        }
        // Every reading was acknowledged end to end; give the subscriber's copies a moment to be counted.
        let deadline = ContinuousClock.now + .seconds(5)
        while received.withLockedValue({ $0.keys.filter { sentAt[$0] != nil }.count }) < count,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        try? await subscriber.disconnect()

        let arrivals = received.withLockedValue { $0 }
        let latencies = sentAt.compactMap { payload, sent in arrivals[payload].map { $0 - sent } }.sorted()
        return Outcome(
            readingsAtBroker: latencies.count,
            commandReachedBoard: command?.hasSuffix(" on") ?? false,
            medianLatency: latencies.isEmpty ? nil : latencies[latencies.count / 2]
        )
    }
}
