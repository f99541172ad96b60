import Logging
import MQTTClient
import NIOCore

/// The baseline: the same messages published straight to mosquitto by our MQTTClient, no bridge in between.
///
/// Each publish copies the payload template into a new buffer, because MQTTClient keeps the buffer until the broker
/// acknowledges it; that is one allocation per message the MQTT-SN path does not pay in the generator.
final class DirectLoadClient: LoadPublisher, @unchecked Sendable {
    let index: Int
    let client: MQTTClient
    let counters = PublishCounters()
    var eventLoop: any EventLoop { client.eventLoop }

    // Confined to the event loop.
    private var run: PublishRun?
    private var credit: DeliveryCredit?
    private var template: [UInt8] = []
    private var topic: String
    private var sent = 0
    private var completed = 0
    private var sequence: UInt32 = 0
    private var sending = false

    /// `topic` defaults to the collector's `bench/c/<index>`.
    init(index: Int, brokerPort: Int, eventLoop: any EventLoop, logger: Logger, topic: String? = nil) {
        self.index = index
        self.topic = topic ?? "bench/c/\(index)"
        self.client = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1",
                port: brokerPort,
                clientID: "bench-direct-\(index)",
                keepAlive: .seconds(600),
                maximumInFlight: 1024
            ),
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { _ in }
        )
    }

    func connect() async throws {
        try await client.connect()
    }

    func begin(_ run: PublishRun, credit: DeliveryCredit) {
        self.run = run
        self.credit = credit
        sent = 0
        completed = 0
        sequence = 0
        template = BenchPayload.template(size: run.payloadSize, runID: run.runID, clientIndex: UInt32(index))
        sending = true
        if run.mode == .closedLoop { fill() }
    }

    func end() {
        sending = false
    }

    func fill() {
        guard sending else { return }
        while sendOne() {}
    }

    func sendOne() -> Bool {
        guard sending, let run else { return false }
        guard run.allowsAnother(sent: sent, completed: completed, credit: credit) else { return false }
        var payload = ByteBuffer(bytes: template)
        BenchPayload.stamp(&payload, payloadStart: 0, sequence: sequence, sendTime: MonotonicClock.nanoseconds())
        sequence &+= 1
        sent += 1
        counters.sent.add(1, ordering: .relaxed)
        let qos: MQTTQoS = run.qos == 1 ? .atLeastOnce : .atMostOnce
        let future = client.publish(MQTTMessage(topic: topic, payload: payload, qos: qos))
        if run.qos == 1 {
            future.whenComplete { result in
                self.completed += 1
                switch result {
                case .success: self.counters.acknowledged.add(1, ordering: .relaxed)
                case .failure: self.counters.rejected.add(1, ordering: .relaxed)
                }
                if self.run?.mode == .closedLoop { self.fill() }
            }
        }
        return true
    }

    func close() async {
        try? await client.disconnect()
    }
}
