import MQTTSN
import NIOCore
import NIOEmbedded
import Testing

@Suite("Length-prefixed stream decoder")
struct MQTTSNLengthPrefixedDecoderTests {
    private func makeChannel(maximumMessageLength: Int = 1024) -> EmbeddedChannel {
        EmbeddedChannel(
            handler: ByteToMessageHandler(MQTTSNLengthPrefixedDecoder(maximumMessageLength: maximumMessageLength))
        )
    }

    private func readFrames(_ channel: EmbeddedChannel) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) {
            frames.append(Array(frame.readableBytesView))
        }
        return frames
    }

    @Test("a stream delivered one octet at a time yields each message whole")
    func byteByByte() throws {
        let channel = self.makeChannel()
        let messages = packetVectors.map(\.bytes)
        var frames: [[UInt8]] = []
        for message in messages {
            for (offset, byte) in message.enumerated() {
                try channel.writeInbound(ByteBuffer(bytes: [byte]))
                let received = try self.readFrames(channel)
                // Nothing may come out before the last octet of the message.
                #expect(received.isEmpty == (offset < message.count - 1))
                frames += received
            }
        }
        #expect(frames == messages)
        #expect(try channel.finish().isClean)
    }

    @Test("several messages in one read come out one by one")
    func severalInOneRead() throws {
        let channel = self.makeChannel()
        let messages = packetVectors.map(\.bytes)
        try channel.writeInbound(ByteBuffer(bytes: messages.flatMap { $0 }))
        #expect(try self.readFrames(channel) == messages)
        #expect(try channel.finish().isClean)
    }

    @Test("reads split at arbitrary points still yield whole messages")
    func arbitrarySplits() throws {
        let channel = self.makeChannel()
        let messages = packetVectors.map(\.bytes)
        let stream = messages.flatMap { $0 }
        var generator = XorShiftGenerator(seed: 7)
        var offset = 0
        while offset < stream.count {
            let length = min(Int.random(in: 1...50, using: &generator), stream.count - offset)
            try channel.writeInbound(ByteBuffer(bytes: stream[offset..<(offset + length)]))
            offset += length
        }
        let frames = try self.readFrames(channel)
        #expect(frames == messages)
        for (frame, vector) in zip(frames, packetVectors) {
            #expect(try MQTTSNPacket.decode(frame) == vector.packet)
        }
        #expect(try channel.finish().isClean)
    }

    @Test("an oversize length is rejected as soon as the length field is complete")
    func oversizeRejected() throws {
        let channel = self.makeChannel(maximumMessageLength: 64)
        // 0x01, Length 256: nothing of the body has arrived yet.
        #expect(throws: MQTTSNDecodingError.messageTooLarge(length: 256, limit: 64)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x01, 0x01, 0x00]))
        }
        _ = try? channel.finish()
    }

    @Test("a short-form length above the cap is rejected")
    func shortFormOversize() throws {
        let channel = self.makeChannel(maximumMessageLength: 16)
        #expect(throws: MQTTSNDecodingError.messageTooLarge(length: 17, limit: 16)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x11]))
        }
        _ = try? channel.finish()
    }

    @Test("an encapsulation whose message takes it above the cap is rejected")
    func encapsulationOversize() throws {
        let channel = self.makeChannel(maximumMessageLength: 16)
        // Encapsulation header of 3 octets, then a message declaring 14: 17 in all.
        #expect(throws: MQTTSNDecodingError.messageTooLarge(length: 17, limit: 16)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x03, 0xFE, 0x00, 0x0E]))
        }
        _ = try? channel.finish()
    }

    @Test(
        "lengths below the header size are rejected",
        arguments: [[0x00], [0x01, 0x00, 0x03], [0x01, 0x00, 0x00]] as [[UInt8]]
    )
    func lengthTooSmall(_ bytes: [UInt8]) throws {
        let channel = self.makeChannel()
        #expect(throws: MQTTSNDecodingError.self) {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
        _ = try? channel.finish()
    }

    @Test("the decoder frames without the channel, keeping incomplete messages buffered")
    func directDecoding() throws {
        var decoder = MQTTSNLengthPrefixedDecoder()
        // A whole PINGRESP, then the first 3 of the 4 octets of a PUBREC.
        var buffer = ByteBuffer(bytes: [0x02, 0x17, 0x04, 0x0F, 0x00])
        #expect(try decoder.decode(buffer: &buffer).map { Array($0.readableBytesView) } == [0x02, 0x17])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
        #expect(buffer.readableBytes == 3)
        buffer.writeInteger(UInt8(0x03))
        #expect(
            try decoder.decodeLast(buffer: &buffer, seenEOF: true).map { Array($0.readableBytesView) } == [
                0x04, 0x0F, 0x00, 0x03,
            ]
        )
        #expect(throws: MQTTSNDecodingError.lengthTooSmall(declared: 1)) {
            var bad = ByteBuffer(bytes: [0x01, 0x00, 0x01])
            _ = try decoder.decode(buffer: &bad)
        }
    }

    @Test("the cap is clamped to what the length field can express")
    func capClamped() {
        #expect(MQTTSNLengthPrefixedDecoder(maximumMessageLength: 1 << 20).maximumMessageLength == 65_535)
        #expect(
            MQTTSNLengthPrefixedDecoder(limits: MQTTSNDecodingLimits(maximumMessageLength: 100)).maximumMessageLength
                == 100
        )
    }
}
