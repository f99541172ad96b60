import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import SerialLink

/// The link handler in a channel with virtual time: what reaches the wire and the delegate, and when.
@Suite("Link handler on an embedded channel")
struct SerialLinkHandlerTests {
    let hello = DeviceHello(
        supportedVersions: 1...1,
        maximumFrameSize: 128,
        deviceIdentity: [0x42],
        firmwareName: "e",
        firmwareVersion: "1"
    )

    func makeChannel(keepalive: TimeAmount = .seconds(2)) throws -> (EmbeddedChannel, LinkEventRecorder) {
        let channel = EmbeddedChannel()
        let recorder = LinkEventRecorder()
        var configuration = SerialLinkConfiguration()
        configuration.keepaliveInterval = keepalive
        let connection = SerialLinkConnection(devicePath: "/dev/embedded", channel: channel)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SerialFrameDecoder()))
        try channel.pipeline.syncOperations.addHandler(
            SerialLinkHandler(
                configuration: configuration,
                connection: connection,
                delegate: recorder,
                logger: Logger(label: "test")
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, recorder)
    }

    /// Frames the gateway wrote, decoded.
    func written(_ channel: EmbeddedChannel) throws -> [SerialLinkMessage] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readableBytesView
        }
        return deframe(bytes).compactMap { event in
            if case .frame(let frame) = event { return try? SerialLinkMessage(frame: frame) }
            return nil
        }
    }

    func device(_ message: SerialLinkMessage, into channel: EmbeddedChannel) throws {
        try channel.writeInbound(message.frame.encoded())
    }

    @Test func handshakePingsAndSilenceOverVirtualTime() throws {
        let (channel, recorder) = try self.makeChannel()
        try self.device(.hello(self.hello), into: channel)
        #expect(
            try self.written(channel) == [.helloAck(HelloAck(version: 1, maximumFrameSize: 1024, keepaliveSeconds: 2))]
        )
        #expect(recorder.recorded == [.linkUp(self.hello)])

        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1500))
        #expect(try self.written(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        guard case .linkPing(let token) = try self.written(channel).first else {
            Issue.record("expected a LINK-PING after 2 s of silence")
            return
        }
        // The device answers: still linked, and silence is measured from the answer.
        try self.device(.linkPong(token: token), into: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(recorder.recorded == [.linkUp(self.hello)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(recorder.recorded == [.linkUp(self.hello), .linkDown(.silence)])
        _ = try channel.finish()
    }

    @Test func mqttsnIsDeliveredAndRepliesWaitForFlush() throws {
        let (channel, recorder) = try self.makeChannel()
        try self.device(.hello(self.hello), into: channel)
        _ = try self.written(channel)
        try self.device(.mqttsn(ByteBuffer(bytes: [0x02, 0x16])), into: channel)
        #expect(recorder.recorded.last == .message([0x02, 0x16], forwarderNodeID: nil))

        channel.write(SerialLinkOutbound.mqttsn(ByteBuffer(bytes: [0x02, 0x17]), forwarderNodeID: nil), promise: nil)
        #expect(try self.written(channel).isEmpty)
        channel.flush()
        #expect(try self.written(channel) == [.mqttsn(ByteBuffer(bytes: [0x02, 0x17]))])

        let tooLarge = channel.writeAndFlush(
            SerialLinkOutbound.mqttsn(ByteBuffer(repeating: 1, count: 200), forwarderNodeID: nil)
        )
        #expect(throws: SerialLinkStateMachine.SendError.tooLarge) { try tooLarge.wait() }
        _ = try channel.finish()
    }

    @Test func badFramesAreCountedPerCause() throws {
        let (channel, _) = try self.makeChannel()
        var body: [UInt8] = [SerialFrameType.linkPing.rawValue, 1, 2]
        let wrongCRC = CRC16CCITTFalse.checksum(body) ^ 0x0001
        body += [UInt8(wrongCRC >> 8), UInt8(wrongCRC & 0xFF)]
        var damaged = ByteBuffer(bytes: [0])
        COBS.encode(body, into: &damaged)
        damaged.writeInteger(UInt8(0))
        try channel.writeInbound(damaged)
        try channel.writeInbound(SerialFrame(type: SerialFrameType(rawValue: 0x7E)).encoded())
        try channel.writeInbound(SerialFrame(type: .linkPing, payload: ByteBuffer(repeating: 1, count: 9)).encoded())
        try channel.writeInbound(ByteBuffer(bytes: Array("log line\n".utf8)))
        let handler = try channel.pipeline.syncOperations.handler(type: SerialLinkHandler.self)
        #expect(handler.counters.badCRC == 1)
        #expect(handler.counters.unknownType == 1)
        #expect(handler.counters.malformedPayload == 1)
        #expect(handler.counters.consoleLines == 1)
        #expect(handler.counters.badFrames == 3)
        _ = try channel.finish()
    }

    @Test func trafficBeforeHelloGetsARateLimitedReset() throws {
        let (channel, _) = try self.makeChannel()
        let connect = SerialLinkMessage.mqttsn(ByteBuffer(bytes: [0x02, 0x16]))
        try self.device(connect, into: channel)
        try self.device(connect, into: channel)
        #expect(try self.written(channel) == [.reset(.rehello)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        try self.device(connect, into: channel)
        #expect(try self.written(channel) == [.reset(.rehello)])
        _ = try channel.finish()
    }
}
