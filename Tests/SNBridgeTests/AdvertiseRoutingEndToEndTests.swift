import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// ADVERTISE leaves from a socket that can reach its destination, and a destination none can reach is named in a
/// warning instead of being skipped in silence.
@Suite("ADVERTISE routing", .serialized, .timeLimit(.minutes(2)))
struct AdvertiseRoutingEndToEndTests {
    @Test("A loopback-only gateway warns once about a LAN destination and still advertises to a loopback one")
    func unreachableDestinationIsNamed() async throws {
        let peer = try await DatagramPeer.bind(on: MultiThreadedEventLoopGroup.singleton)
        let peerPort = try #require(peer.localAddress?.port)
        let bridge = try await UDPBridgeFixture.start(
            gatewayYAML: "  id: 7",
            udpYAML: "  advertise: { interval: 1s, addresses: [\"192.0.2.7:1884\", \"127.0.0.1:\(peerPort)\"] }"
        )
        let warning = try await bridge.process.waitForLog("ADVERTISE destination unreachable from every UDP socket")
        #expect(warning.contains("192.0.2.7"))
        // The reachable destination gets ADVERTISE: length 5, type 0x00, gateway id 7, duration 1 s.
        #expect(try await peer.receive(timeout: .seconds(10)).bytes == [0x05, 0x00, 0x07, 0x00, 0x01])
        #expect(try await peer.receive(timeout: .seconds(10)).bytes == [0x05, 0x00, 0x07, 0x00, 0x01])
        // Once, not every interval.
        let warnings = (bridge.process.process.output + bridge.process.process.errorOutput).filter {
            $0.contains("ADVERTISE destination unreachable")
        }
        #expect(warnings.count == 1)
        await peer.close()
        try await bridge.stop()
    }
}
