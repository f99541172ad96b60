import MQTTSN
import NIOCore
import NIOPosix
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A device on the master side of a pseudo-terminal pair whose slave path snbridge opens as a serial port: it
/// links (HELLO), connects and registers over MQTT-SN frames, answers LINK-PING, and publishes QoS 0 frames when
/// the pacer says so. Frames are encoded into one reused buffer, so publishing allocates nothing per frame.
final class SimulatedSerialDevice: LoadPublisher, @unchecked Sendable {
    let index: Int
    /// The pty pair when the device made its own; nil when it opened a tty someone else provides (a relay).
    let pair: PseudoTerminalPair?
    private let ttyPath: String
    /// Seconds between HELLOs until linked; the reference library uses 1 s.
    var helloInterval: TimeAmount = .seconds(1)
    let channel: any Channel
    let counters = PublishCounters()
    var eventLoop: any EventLoop { channel.eventLoop }

    // Confined to the event loop.
    private var frame = ByteBuffer()
    private var message = ByteBuffer()
    private var payloadStart = 0
    private var topicID: UInt16 = 0
    private var sequence: UInt32 = 0
    private var sending = false
    private var linked: EventLoopPromise<Void>?
    private var connectAck: EventLoopPromise<MQTTSNReturnCode>?
    private var registerAck: EventLoopPromise<MQTTSNRegisterAck>?

    private init(index: Int, pair: PseudoTerminalPair?, ttyPath: String, channel: any Channel) {
        self.index = index
        self.pair = pair
        self.ttyPath = ttyPath
        self.channel = channel
    }

    static func make(index: Int, on eventLoop: any EventLoop) async throws -> SimulatedSerialDevice {
        let pair = try PseudoTerminalPair()
        guard let master = pair.takeMaster() else { throw BenchError.failed("no pty master") }
        return try await make(index: index, descriptor: master, pair: pair, ttyPath: pair.slavePath, on: eventLoop)
    }

    /// A device on an existing tty, such as the board end of a umockdev relay (already in raw mode).
    static func make(
        index: Int,
        opening path: String,
        on eventLoop: any EventLoop
    ) async throws -> SimulatedSerialDevice {
        let descriptor = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw BenchError.failed("cannot open \(path): errno \(errno)") }
        return try await make(index: index, descriptor: descriptor, pair: nil, ttyPath: path, on: eventLoop)
    }

    private static func make(
        index: Int,
        descriptor: CInt,
        pair: PseudoTerminalPair?,
        ttyPath: String,
        on eventLoop: any EventLoop
    ) async throws -> SimulatedSerialDevice {
        let handler = SimulatedSerialDeviceHandler()
        let channel = try await NIOPipeBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .takingOwnershipOfDescriptor(inputOutput: descriptor)
            .get()
        let device = SimulatedSerialDevice(index: index, pair: pair, ttyPath: ttyPath, channel: channel)
        try await eventLoop.submit { handler.device = device }.get()
        return device
    }

    /// The tty snbridge opens (for a relayed device: the board end).
    var path: String { ttyPath }
    var clientID: String { "serial-\(index)" }

    /// HELLO every second until HELLO-ACK (snbridge may not have opened the port yet), then CONNECT and REGISTER.
    func linkConnectAndRegister(timeout: TimeAmount = .seconds(5)) async throws {
        var isLinked = false
        let interval = helloInterval
        let attempts = max(20, Int(20_000_000_000 / max(interval.nanoseconds, 1)))
        for _ in 0..<attempts where !isLinked {
            let attempt = try await eventLoop.submit { () -> EventLoopFuture<Void> in
                let promise = self.eventLoop.makePromise(of: Void.self)
                self.linked = promise
                var hello = ByteBuffer()
                hello.writeInteger(UInt8(1))  // version min
                hello.writeInteger(UInt8(1))  // version max
                hello.writeInteger(UInt16(1024))  // max frame
                let id: [UInt8] = [0xBE, 0x4C, UInt8(self.index >> 8), UInt8(self.index & 0xFF)]
                hello.writeInteger(UInt8(id.count))
                hello.writeBytes(id)
                hello.writeInteger(UInt8(0))  // firmware name
                hello.writeInteger(UInt8(0))  // firmware version
                self.sendFrame(type: SerialFraming.hello, payload: hello)
                return promise.futureResult.withTimeout(interval, on: self.eventLoop)
            }.get()
            do {
                try await attempt.get()
                isLinked = true
            } catch {}
        }
        guard isLinked else { throw BenchError.timedOut("HELLO-ACK on \(path)") }

        let code = try await eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: MQTTSNReturnCode.self)
            self.connectAck = promise
            self.sendMQTTSN(.connect(MQTTSNConnect(cleanSession: true, duration: 3_600, clientID: self.clientID)))
            return promise.futureResult.withTimeout(timeout, on: self.eventLoop)
        }.get()
        guard code == .accepted else { throw BenchError.refused("CONNECT of \(clientID): \(code)") }
        let ack = try await eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: MQTTSNRegisterAck.self)
            self.registerAck = promise
            self.sendMQTTSN(.register(MQTTSNRegister(messageID: 1, topicName: "bench/s/\(self.index)")))
            return promise.futureResult.withTimeout(timeout, on: self.eventLoop)
        }.get()
        guard ack.returnCode == .accepted else {
            throw BenchError.refused("REGISTER of \(clientID): \(ack.returnCode)")
        }
        try await eventLoop.submit { self.topicID = ack.topicID }.get()
    }

    /// The size of one publish frame on the wire, delimiters included, for pacing at line rate.
    func frameBytes(payloadSize: Int) -> Int {
        var scratch = ByteBuffer()
        let template = BenchPayload.template(size: payloadSize, runID: 0xFFFF_FFFF, clientIndex: 0xFFFF_FFFF)
        var publish = ByteBuffer()
        try? MQTTSNPacket.publish(
            MQTTSNPublish(qos: .atMostOnce, topicID: 0x0101, payload: ByteBuffer(bytes: template))
        )
        .encode(into: &publish)
        SerialFraming.appendFrame(type: SerialFraming.mqttsn, payload: publish, to: &scratch)
        return scratch.readableBytes
    }

    func begin(_ run: PublishRun, credit: DeliveryCredit) {
        sequence = 0
        let template = BenchPayload.template(size: run.payloadSize, runID: run.runID, clientIndex: UInt32(index))
        message = ByteBuffer()
        try? MQTTSNPacket.publish(
            MQTTSNPublish(qos: .atMostOnce, topicID: topicID, payload: ByteBuffer(bytes: template))
        )
        .encode(into: &message)
        payloadStart = message.writerIndex - template.count
        sending = true
    }

    func end() {
        sending = false
    }

    func fill() {}

    func sendOne() -> Bool {
        guard sending else { return false }
        BenchPayload.stamp(
            &message,
            payloadStart: payloadStart,
            sequence: sequence,
            sendTime: MonotonicClock.nanoseconds()
        )
        sequence &+= 1
        frame.clear()
        SerialFraming.appendFrame(type: SerialFraming.mqttsn, payload: message, to: &frame)
        counters.sent.add(1, ordering: .relaxed)
        channel.writeAndFlush(frame, promise: nil)
        return true
    }

    func close() async {
        try? await channel.close()
        pair?.releaseSlave()
    }

    private func sendFrame(type: UInt8, payload: ByteBuffer) {
        var out = ByteBuffer()
        SerialFraming.appendFrame(type: type, payload: payload, to: &out)
        channel.writeAndFlush(out, promise: nil)
    }

    private func sendMQTTSN(_ packet: MQTTSNPacket) {
        var buffer = ByteBuffer()
        try? packet.encode(into: &buffer)
        sendFrame(type: SerialFraming.mqttsn, payload: buffer)
    }

    /// One decoded frame from the bridge, on the event loop.
    func received(type: UInt8, payload: ByteBuffer) {
        switch type {
        case SerialFraming.helloAck:
            linked?.succeed()
            linked = nil
        case SerialFraming.linkPing:
            sendFrame(type: SerialFraming.linkPong, payload: payload)
        case SerialFraming.mqttsn:
            var buffer = payload
            guard let packet = try? MQTTSNPacket.decode(from: &buffer) else { return }
            switch packet {
            case .connectAck(let ack):
                connectAck?.succeed(ack.returnCode)
                connectAck = nil
            case .registerAck(let ack):
                registerAck?.succeed(ack)
                registerAck = nil
            default:
                break
            }
        default:
            break
        }
    }
}
