import MQTTSN
import MQTTSNTransport
import NIOCore
import Testing

@testable import GatewayCore

/// The pieces of the durable-session wiring that are plain values: which sessions are stored, the topic-id block of
/// an incarnation, a sleeping client's buffer handed over to the store, and the stored form of addresses.
@Suite("Session storage rules")
struct SessionStorageRulesTests {
    @Test("Stored: clean session off, or asleep; not a clean-session client that is awake")
    func outlivesConnection() {
        var clean = StateMachineHarness.active()
        #expect(!clean.machine.outlivesConnection)
        _ = clean.machine.disconnectReceived(MQTTSNDisconnect(duration: 60), now: clean.at(1))
        #expect(clean.machine.outlivesConnection)
        var kept = StateMachineHarness(connect: MQTTSNConnect(cleanSession: false, duration: 10, clientID: "p1"))
        _ = kept.machine.upstreamConnected(now: kept.at(0))
        #expect(kept.machine.outlivesConnection)
        #expect(kept.machine.record != nil)
    }

    @Test("Every incarnation gets the next block; ids stay in 1...65534")
    func incarnationBlocks() {
        let blocks = TopicIDBlocks(maxTopicsPerClient: 64, seed: 0)
        let first = blocks.firstID(incarnation: 1_764_000_000_000_000)
        let next = blocks.firstID(incarnation: 1_764_000_000_000_001)
        #expect(next == first + 64 || next == 1)
        #expect(Set((0..<UInt64(blocks.blockCount)).map { blocks.firstID(incarnation: $0) }).count == blocks.blockCount)
        for incarnation in [UInt64(0), 1, 1022, 1023, UInt64(Int64.max)] {
            let id = blocks.firstID(incarnation: incarnation)
            #expect(id >= 1 && Int(id) + 63 <= 65_534)
        }
    }

    @Test("A sleeping client's buffered messages hand their upstream acknowledgements over once, an awake one's never")
    func bufferedAcknowledgements() {
        var harness = StateMachineHarness.active()
        _ = harness.machine.enqueue(.text("cmd", "1", qos: .atLeastOnce), acknowledgement: .init(packetID: 1))
        #expect(harness.machine.takeAcknowledgementsOfBuffered().isEmpty, "active: the client acknowledges itself")
        _ = harness.machine.disconnectReceived(MQTTSNDisconnect(duration: 60), now: harness.at(1))
        _ = harness.machine.enqueue(.text("cmd", "2", qos: .atLeastOnce), acknowledgement: .init(packetID: 2))
        let acknowledgements = harness.machine.takeAcknowledgementsOfBuffered()
        #expect(acknowledgements.map(\.packetID).sorted() == [1, 2])
        #expect(harness.machine.takeAcknowledgementsOfBuffered().isEmpty)
        #expect(harness.machine.queue.map(\.message.payload) == [ByteBuffer(string: "1"), ByteBuffer(string: "2")])
    }

    @Test("Addresses round-trip through their stored form")
    func addresses() throws {
        let addresses: [MQTTSNClientAddress] = [
            .udp(try SocketAddress(ipAddress: "192.0.2.7", port: 50123)),
            .udp(try SocketAddress(ipAddress: "2001:db8::7", port: 1884)),
            .serial(device: "/dev/ttyUSB0", wirelessNodeID: nil),
        ]
        for address in addresses {
            let text = try #require(address.storedForm)
            #expect(MQTTSNClientAddress(storedForm: text) == address, "\(text)")
            #expect(!MQTTSNClientAddress.isAuthenticated(storedForm: text), "\(text)")
        }
        // A DTLS peer's address is marked as one, so a restored session is not continued by plain datagrams.
        for address in addresses.prefix(2) {
            let text = try #require(address.storedForm(authenticated: true))
            #expect(text.hasPrefix("dtls:"), "\(text)")
            #expect(MQTTSNClientAddress(storedForm: text) == address, "\(text)")
            #expect(MQTTSNClientAddress.isAuthenticated(storedForm: text), "\(text)")
        }
        #expect(MQTTSNClientAddress.serial(device: "/dev/ttyUSB0", wirelessNodeID: [1]).storedForm == nil)
        for garbage in [
            "", "udp:", "udp:1.2.3.4", "udp:[::1]1884", "udp:1.2.3.4:99999", "tcp:1.2.3.4:1", "dtls:",
            "dtlsx:1.2.3.4:1", "serial:",
        ] {
            #expect(MQTTSNClientAddress(storedForm: garbage) == nil, "\(garbage)")
        }
    }
}
