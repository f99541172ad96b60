import MQTTSN
import NIOCore
import Testing

@Suite("Random and mutated input")
struct MQTTSNMutationTests {
    /// Decodes `bytes`; when they decode, checks that the packet re-encodes to bytes decoding to the same packet.
    /// Returns whether the bytes decoded.
    private func checkDecodeIsTotal(_ bytes: [UInt8], limits: MQTTSNDecodingLimits) -> Bool {
        var buffer = ByteBuffer(bytes: bytes)
        let packet: MQTTSNPacket
        do {
            packet = try MQTTSNPacket.decode(from: &buffer, limits: limits)
        } catch {
            // Typed throws: reaching here means a MQTTSNDecodingError, which is all that is asked of bad input.
            #expect(buffer.readableBytes == bytes.count)
            return false
        }
        #expect(buffer.readableBytes == 0)
        var reencoded = ByteBuffer()
        do {
            try packet.encode(into: &reencoded)
            #expect(try MQTTSNPacket.decode(from: &reencoded, limits: limits) == packet, "input \(bytes)")
        } catch {
            Issue.record("decoded packet failed to round-trip: \(error), input \(bytes)")
        }
        return true
    }

    private func mutate(_ bytes: [UInt8], using generator: inout XorShiftGenerator) -> [UInt8] {
        var bytes = bytes
        switch generator.next() % 6 {
        case 0 where !bytes.isEmpty:
            // Flip one bit.
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &generator)
        case 1 where !bytes.isEmpty:
            // Replace one octet.
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        case 2 where !bytes.isEmpty:
            // Truncate.
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator))
        case 3:
            // Append octets, fixing up a short length field half of the time so the body parsers are reached.
            let extra = Int.random(in: 1...4, using: &generator)
            bytes += (0..<extra).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator), let first = bytes.first, first > 1, bytes.count < 256 {
                bytes[0] = UInt8(bytes.count)
            }
        case 4 where bytes.count > 1:
            // Change the message type, keeping the body.
            let typeIndex = bytes[0] == 0x01 ? 3 : 1
            if typeIndex < bytes.count {
                bytes[typeIndex] = MQTTSNMessageType.allCases.randomElement(using: &generator)!.rawValue
            }
        default:
            // Entirely random bytes with a matching short length field.
            let count = Int.random(in: 2...40, using: &generator)
            bytes = [UInt8(count)] + (1..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }

    @Test("mutated vectors decode or throw, and what decodes round-trips")
    func mutatedVectors() {
        var generator = XorShiftGenerator(seed: 0x5EED_CAFE_F00D_0001)
        let limits = MQTTSNDecodingLimits(maximumClientIDLength: 16, maximumTopicNameLength: 32)
        var decodedCount = 0
        var rejectedCount = 0
        for iteration in 0..<20_000 {
            var bytes = packetVectors[iteration % packetVectors.count].bytes
            for _ in 0...Int.random(in: 0...2, using: &generator) {
                bytes = self.mutate(bytes, using: &generator)
            }
            if self.checkDecodeIsTotal(bytes, limits: limits) {
                decodedCount += 1
            } else {
                rejectedCount += 1
            }
        }
        // Both outcomes must be exercised, or the test proves nothing.
        #expect(decodedCount > 1_000)
        #expect(rejectedCount > 1_000)
    }

    @Test("short random byte strings decode or throw")
    func randomBytes() {
        var generator = XorShiftGenerator(seed: 42)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...12, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = self.checkDecodeIsTotal(bytes, limits: .default)
        }
    }

    @Test("every message type with every short body of up to two octets decodes or throws")
    func exhaustiveShortBodies() {
        var decoded = Set<MQTTSNMessageType>()
        for type in MQTTSNMessageType.allCases {
            for body in [[], [0x00], [0x01], [0xFF], [0x00, 0x00], [0x02, 0x17], [0xFF, 0xFF]] as [[UInt8]] {
                if self.checkDecodeIsTotal([UInt8(2 + body.count), type.rawValue] + body, limits: .default) {
                    decoded.insert(type)
                }
            }
        }
        #expect(decoded.contains(.pingResponse))
        #expect(decoded.contains(.disconnect))
        // Its length covers the whole datagram, leaving no room for the encapsulated message.
        #expect(!decoded.contains(.forwarderEncapsulation))
    }
}
