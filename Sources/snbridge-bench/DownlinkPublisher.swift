import Logging
import MQTTClient
import NIOCore
import Synchronization

/// Publishes a device's commands to mosquitto at QoS 1 (`benchdown/<index>`, outside the collector's `bench/#`),
/// keeping at most `window` messages between "published" and "the device has it": a closed loop end to end, so
/// the rate measured is what the bridge delivers, not what the broker can queue.
///
/// Lives on the same event loop as its device's ``SNLoadClient``, so the window credit needs no hop.
final class DownlinkPublisher: @unchecked Sendable {
    let index: Int
    let client: MQTTClient
    let topic: String
    /// Messages of the current run (``begin(_:receiver:)`` resets both counts).
    let sent = Atomic<Int>(0)
    /// QoS 1 publishes of the current run mosquitto refused or that failed (connection lost).
    let failed = Atomic<Int>(0)
    var eventLoop: any EventLoop { client.eventLoop }

    // Confined to the event loop.
    private var receiver: DownlinkReceiver?
    private var template: [UInt8] = []
    private var sequence: UInt32 = 0
    private var window = 0
    private var sending = false

    init(index: Int, brokerPort: Int, eventLoop: any EventLoop, logger: Logger) {
        self.index = index
        self.topic = Self.topic(index)
        self.client = MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1",
                port: brokerPort,
                clientID: "bench-downlink-\(index)",
                keepAlive: .seconds(600),
                maximumInFlight: 1024
            ),
            eventLoop: eventLoop,
            logger: logger,
            messageHandler: { _ in }
        )
    }

    static func topic(_ index: Int) -> String { "benchdown/\(index)" }

    func connect() async throws {
        try await client.connect()
    }

    /// Starts publishing `run`'s messages to `receiver`'s device; call on the event loop.
    func begin(_ run: PublishRun, receiver: DownlinkReceiver) {
        self.receiver = receiver
        self.window = run.window
        self.sequence = 0
        self.sent.store(0, ordering: .relaxed)
        self.failed.store(0, ordering: .relaxed)
        self.template = BenchPayload.template(size: run.payloadSize, runID: run.runID, clientIndex: UInt32(index))
        self.sending = true
        receiver.onDelivered = { [unowned self] in self.fill() }
        fill()
    }

    func end() {
        sending = false
    }

    private func fill() {
        guard let receiver else { return }
        while sending && Int(sequence) - receiver.uniqueCount < window {
            var payload = ByteBuffer(bytes: template)
            BenchPayload.stamp(&payload, payloadStart: 0, sequence: sequence, sendTime: MonotonicClock.nanoseconds())
            sequence &+= 1
            sent.add(1, ordering: .relaxed)
            client.publish(MQTTMessage(topic: topic, payload: payload, qos: .atLeastOnce)).whenFailure { _ in
                self.failed.add(1, ordering: .relaxed)
            }
        }
    }

    func close() async {
        try? await client.disconnect()
    }
}
