import NIOCore
import NIOEmbedded
import Testing

@testable import SerialLink

@Suite("Deframer: frames, console text, noise and damage")
struct DeframerTests {
    let hello = SerialLinkMessage.hello(
        DeviceHello(
            supportedVersions: 1...1,
            maximumFrameSize: 256,
            deviceIdentity: [1, 2, 3],
            firmwareName: "t",
            firmwareVersion: "1"
        )
    ).frame
    let connect = SerialLinkMessage.mqttsn(ByteBuffer(bytes: hex("0A040401003C64657631"))).frame

    func wire(_ frame: SerialFrame) -> [UInt8] {
        Array(frame.encoded().readableBytesView)
    }

    @Test func bootNoiseBeforeTheFirstFrameBecomesConsoleLines() {
        let noise = Array("ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET)\r\n".utf8) + [0xFF, 0xFE, 0x41]
        let events = deframe(noise + self.wire(self.hello), leadingDelimiter: false)
        #expect(
            events == [
                .consoleLine("ets Jun  8 2016 00:22:57"),
                .consoleLine("rst:0x1 (POWERON_RESET)"),
                .consoleLine("\u{FFFD}\u{FFFD}A"),
                .frame(self.hello),
            ]
        )
    }

    @Test func textWithoutNewlineIsEndedByTheNextFramesDelimiter() {
        let bytes = self.wire(self.hello) + Array("x=1".utf8) + self.wire(self.connect)
        #expect(deframe(bytes) == [.frame(self.hello), .consoleLine("x=1"), .frame(self.connect)])
    }

    @Test func lineEndings() {
        let events = deframe(Array("a\r\nb\rc\n\nd".utf8), leadingDelimiter: false)
        #expect(events == [.consoleLine("a"), .consoleLine("b"), .consoleLine("c"), .consoleLine("d")])
    }

    @Test func longConsoleLinesAreSplitAtTheLimit() {
        let events = deframe(
            Array(repeating: UInt8(ascii: "z"), count: 600) + [UInt8(ascii: "\n")],
            leadingDelimiter: false
        )
        #expect(events.count == 3)
        #expect(events.first == .consoleLine(String(repeating: "z", count: SerialDeframer.consoleLineLimit)))
        #expect(events.last == .consoleLine(String(repeating: "z", count: 600 - 2 * SerialDeframer.consoleLineLimit)))
    }

    @Test func consoleRunLongerThanAnyFrameStillSurfacesAndTheLinkContinues() {
        let text = Array(repeating: UInt8(ascii: "q"), count: 1500)
        let events = deframe(self.wire(self.hello) + text + self.wire(self.connect), maximumFrameSize: 64)
        #expect(events.first == .frame(self.hello))
        #expect(events.last == .frame(self.connect))
        let consoleBytes = events.reduce(0) { total, event in
            if case .consoleLine(let line) = event { return total + line.utf8.count }
            return total
        }
        #expect(consoleBytes == 1500)
    }

    @Test func corruptedFrameIsCountedAndTheNextFrameArrives() {
        var damaged = self.wire(self.connect)
        damaged[5] ^= 0x10
        let events = deframe(self.wire(self.hello) + damaged + self.wire(self.connect))
        #expect(events == [.frame(self.hello), .badFrame(.badCRC), .frame(self.connect)])
    }

    @Test func truncatedFrameFromADeviceResetIsCountedAndTheLinkRecovers() {
        let truncated = Array(self.wire(self.connect).dropLast(4))
        let events = deframe(truncated + self.wire(self.hello))
        #expect(events.count == 2)
        if case .badFrame = events.first {} else { Issue.record("expected a bad frame first, got \(events)") }
        #expect(events.last == .frame(self.hello))
    }

    @Test func oversizeFrameIsRefusedWithoutBufferingIt() {
        let big = SerialFrame(type: .mqttsn, payload: ByteBuffer(repeating: 0x41, count: 200))
        let events = deframe(self.wire(big) + self.wire(self.hello), maximumFrameSize: 64)
        #expect(events == [.badFrame(.oversize), .frame(self.hello)])
    }

    @Test func frameAtTheHardCapIsAccepted() {
        let payload = ByteBuffer(repeating: 0x00, count: SerialFrame.hardMaximumSize - SerialFrame.overhead)
        let frame = SerialFrame(type: .mqttsn, payload: payload)
        #expect(deframe(self.wire(frame)) == [.frame(frame)])
        let tooBig = SerialFrame(type: .mqttsn, payload: ByteBuffer(repeating: 0x00, count: payload.readableBytes + 1))
        #expect(deframe(self.wire(tooBig)) == [.badFrame(.oversize)])
    }

    @Test func frameAfterZeroBytesInNoiseResynchronises() {
        // A stray 0x00 in boot noise shifts the frame/console alternation; valid frames still win.
        let noise: [UInt8] = Array("boot".utf8) + [0x00] + Array("more noise".utf8) + [0x00] + Array("x".utf8)
        let events = deframe(noise + self.wire(self.hello) + self.wire(self.connect), leadingDelimiter: false)
        #expect(events.contains(.frame(self.hello)))
        #expect(events.last == .frame(self.connect))
    }

    @Test func byteByByteAndBulkDeliveryAgreeThroughTheChannelDecoder() throws {
        let stream =
            Array("ets Jun  8 2016\r\n".utf8) + self.wire(self.hello) + Array("dbg\n".utf8) + self.wire(self.connect)
        func run(chunks: [[UInt8]]) throws -> [SerialDeframerEvent] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(SerialFrameDecoder()))
            for chunk in chunks {
                try channel.writeInbound(ByteBuffer(bytes: chunk))
            }
            var events: [SerialDeframerEvent] = []
            while let event = try channel.readInbound(as: SerialDeframerEvent.self) {
                events.append(event)
            }
            _ = try channel.finish()
            return events
        }
        let bulk = try run(chunks: [stream])
        let single = try run(chunks: stream.map { [$0] })
        #expect(
            bulk == [.consoleLine("ets Jun  8 2016"), .frame(self.hello), .consoleLine("dbg"), .frame(self.connect)]
        )
        #expect(single == bulk)
    }

    @Test func randomGarbageNeverCrashesAndRespectsTheCap() {
        var generator = SystemRandomNumberGenerator()
        var deframer = SerialDeframer(maximumFrameSize: 64)
        for _ in 0..<20_000 {
            if case .frame(let frame) = deframer.process(UInt8.random(in: 0...255, using: &generator)) {
                #expect(frame.decodedSize <= 64)
            }
        }
    }
}
