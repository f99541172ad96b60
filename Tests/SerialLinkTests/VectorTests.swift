import NIOCore
import Testing

@testable import SerialLink

@Suite("Shared protocol vectors")
struct VectorTests {
    let vectors: TestVectors

    init() throws {
        self.vectors = try TestVectors.load()
    }

    @Test func vectorFileHasEveryKind() {
        #expect(self.vectors.crcs.count >= 5)
        #expect(self.vectors.cobs.count >= 10)
        #expect(self.vectors.frames.count >= 10)
        #expect(self.vectors.invalid.count >= 8)
        #expect(self.vectors.streams.count >= 4)
    }

    @Test func crcCheckValues() {
        for vector in self.vectors.crcs {
            #expect(CRC16CCITTFalse.checksum(vector.data) == vector.crc, "\(vector.name)")
        }
        #expect(CRC16CCITTFalse.checksum(Array("123456789".utf8)) == 0x29B1)
    }

    @Test func cobsEncodesAndDecodes() throws {
        for vector in self.vectors.cobs {
            var buffer = ByteBuffer()
            COBS.encode(vector.decoded, into: &buffer)
            #expect(Array(buffer.readableBytesView) == vector.encoded, "\(vector.name)")
            #expect(vector.encoded.count <= COBS.maximumEncodedLength(of: vector.decoded.count), "\(vector.name)")
            #expect(!vector.encoded.contains(0), "\(vector.name)")
            let decoded = try COBS.decode(vector.encoded, maximumLength: 4096)
            #expect(decoded == vector.decoded, "\(vector.name)")
        }
    }

    @Test func framesEncodeToTheWireBytes() {
        for vector in self.vectors.frames {
            let frame = SerialFrame(
                type: SerialFrameType(rawValue: vector.type),
                payload: ByteBuffer(bytes: vector.payload)
            )
            #expect(Array(frame.encoded().readableBytesView) == vector.wire, "\(vector.name)")
        }
    }

    @Test func wireBytesDeframeToTheFrames() {
        for vector in self.vectors.frames {
            let events = deframe(vector.wire)
            let type = SerialFrameType(rawValue: vector.type)
            if type.isKnown {
                #expect(
                    events == [.frame(SerialFrame(type: type, payload: ByteBuffer(bytes: vector.payload)))],
                    "\(vector.name)"
                )
            } else {
                #expect(events == [.badFrame(.unknownType)], "\(vector.name)")
            }
        }
    }

    static let errorNames: [String: SerialFrameError] = [
        "cobs": .cobsError, "too-short": .tooShort, "bad-crc": .badCRC, "unknown-type": .unknownType,
        "oversize": .oversize,
    ]

    @Test func invalidWireInputIsRejectedWithTheExpectedErrorAndTheNextFrameArrives() throws {
        let expected = Self.errorNames
        let next = SerialFrame(type: .linkPing, payload: ByteBuffer(bytes: [1, 2]))
        for vector in self.vectors.invalid {
            let error = try #require(expected[vector.error], "\(vector.name): unknown error name \(vector.error)")
            let events = deframe(vector.wire + Array(next.encoded().readableBytesView))
            #expect(events == [.badFrame(error), .frame(next)], "\(vector.name)")
        }
    }

    /// Console lines carry no CR/LF in these vectors, so the lines joined are the console bytes.
    @Test func streamsGiveTheSameFramesErrorsAndConsoleAsTheSpec() throws {
        for vector in self.vectors.streams {
            let events = deframe(vector.wire, maximumFrameSize: vector.maximumFrameSize, leadingDelimiter: false)
            var types: [UInt8] = []
            var errors: [SerialFrameError] = []
            var console: [UInt8] = []
            for event in events {
                switch event {
                case .frame(let frame): types.append(frame.type.rawValue)
                case .badFrame(let error): errors.append(error)
                case .consoleLine(let line): console += Array(line.utf8)
                }
            }
            let expectedErrors = try vector.errors.map { name in
                try #require(Self.errorNames[name], "\(vector.name): unknown error name \(name)")
            }
            #expect(types == vector.frameTypes, "\(vector.name)")
            #expect(errors == expectedErrors, "\(vector.name)")
            #expect(console == vector.console, "\(vector.name)")
        }
    }

    @Test func linkMessagesMatchTheirVectors() throws {
        let byName = Dictionary(uniqueKeysWithValues: self.vectors.frames.map { ($0.name, $0) })
        let hello = DeviceHello(
            supportedVersions: 1...1,
            maximumFrameSize: 256,
            deviceIdentity: [0x24, 0x0A, 0xC4, 0x12, 0x34, 0x56],
            firmwareName: "sensor",
            firmwareVersion: "1.0"
        )
        let cases: [(String, SerialLinkMessage)] = [
            ("hello-basic", .hello(hello)),
            ("hello-ack", .helloAck(HelloAck(version: 1, maximumFrameSize: 1024, keepaliveSeconds: 15))),
            ("reject-version", .reject(LinkReject(reason: .unsupportedVersion, gatewayVersions: 1...1))),
            ("ping-token", .linkPing(token: ByteBuffer(bytes: [0, 0, 0, 0x2A]))),
            ("reset-rehello", .reset(.rehello)),
            ("mqttsn-connect", .mqttsn(ByteBuffer(bytes: hex("0A040401003C64657631")))),
        ]
        for (name, message) in cases {
            let vector = try #require(byName[name])
            #expect(Array(message.frame.encoded().readableBytesView) == vector.wire, "\(name)")
            let frame = try SerialFrame(segment: Array(vector.wire.dropFirst().dropLast()))
            #expect(try SerialLinkMessage(frame: frame) == message, "\(name)")
        }
    }
}

/// Runs bytes through a fresh deframer, preceded by a 0x00 so the first segment is in frame position.
func deframe(
    _ bytes: [UInt8],
    maximumFrameSize: Int = SerialFrame.hardMaximumSize,
    leadingDelimiter: Bool = true
)
    -> [SerialDeframerEvent]
{
    var deframer = SerialDeframer(maximumFrameSize: maximumFrameSize)
    var events: [SerialDeframerEvent] = []
    for byte in (leadingDelimiter ? [0] : []) + bytes {
        if let event = deframer.process(byte) { events.append(event) }
    }
    if let event = deframer.finish() { events.append(event) }
    return events
}
