import Foundation
import Logging
import MQTTSNTransport
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import SerialLink

/// The hand-off to the gateway core: the simulated device's MQTT-SN messages reach an `MQTTSNInboundHandler` with
/// `.serial` addresses, and replies sent to those addresses reach the device.
@Suite("Serial transport for the gateway core")
struct SerialTransportTests {
    final class RecordingInbound: MQTTSNInboundHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var received: [(bytes: [UInt8], address: MQTTSNClientAddress)] = []
        private var waiters:
            [(
                predicate: ([UInt8], MQTTSNClientAddress) -> Bool,
                continuation: CheckedContinuation<MQTTSNClientAddress, Never>
            )] = []

        func receive(_ bytes: ByteBuffer, from address: MQTTSNClientAddress, via transport: any MQTTSNTransport) {
            let message = Array(bytes.readableBytesView)
            var ready: [CheckedContinuation<MQTTSNClientAddress, Never>] = []
            self.lock.withLock {
                self.received.append((message, address))
                self.waiters.removeAll { waiter in
                    guard waiter.predicate(message, address) else { return false }
                    ready.append(waiter.continuation)
                    return true
                }
            }
            for continuation in ready { continuation.resume(returning: address) }
        }

        func receiveBurstComplete(via transport: any MQTTSNTransport) {}

        /// The address of the first message equal to `bytes`; the test's time limit bounds the wait.
        func address(of bytes: [UInt8]) async -> MQTTSNClientAddress {
            await withCheckedContinuation { continuation in
                self.lock.withLock {
                    if let hit = self.received.first(where: { $0.bytes == bytes }) {
                        continuation.resume(returning: hit.address)
                    } else {
                        self.waiters.append(({ message, _ in message == bytes }, continuation))
                    }
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func messagesFlowBothWaysThroughSerialAddresses() async throws {
        let pair = try PseudoTerminalPair()
        let inbound = RecordingInbound()
        let observer = LinkEventRecorder()
        let transport = SerialTransport(
            inboundHandler: inbound,
            observer: observer,
            logger: Logger(label: "test.transport")
        )
        let bootstrap = SerialLinkBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let master = try #require(pair.takeMaster())
        let connection = try await bootstrap.connect(
            takingOwnershipOf: master,
            name: pair.slavePath,
            delegate: transport
        ).get()
        let device = try SimulatedDevice(arguments: [pair.slavePath])
        defer { device.terminate() }
        _ = try await device.waitForLine(startingWith: "ready")
        pair.releaseSlave()
        _ = try await observer.wait { if case .linkUp = $0 { true } else { false } }

        #expect(transport.canReach(.serial(device: pair.slavePath, wirelessNodeID: nil)))
        #expect(!transport.canReach(.serial(device: "/dev/ttyNothing", wirelessNodeID: nil)))

        device.send("connect dev1 60 clean")
        let connect: [UInt8] = [0x0A, 0x04, 0x04, 0x01, 0x00, 0x3C] + Array("dev1".utf8)
        let address = await inbound.address(of: connect)
        #expect(address == .serial(device: pair.slavePath, wirelessNodeID: nil))
        transport.send(ByteBuffer(bytes: [0x03, 0x05, 0x00]), to: address)
        transport.flush()
        #expect(try await device.waitForLine(startingWith: "connack") == "connack 0")

        device.send("forward 0102 0216")
        let nodeAddress = await inbound.address(of: [0x02, 0x16])
        #expect(nodeAddress == .serial(device: pair.slavePath, wirelessNodeID: [0x01, 0x02]))
        transport.send(ByteBuffer(bytes: [0x02, 0x17]), to: nodeAddress)
        transport.flush()
        #expect(try await device.waitForLine(startingWith: "forwarded") == "forwarded 0102 0217")

        device.send("quit")
        try await device.waitForExit()
        _ = try await observer.wait { $0 == .linkDown(.channelClosed) }
        #expect(!transport.canReach(address))
        try await connection.closeFuture.get()
    }
}
