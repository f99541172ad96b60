import Foundation
import Logging
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import SerialLink

/// The real simulated device (the C reference library) on the slave side of a pseudo-terminal, our serial link on
/// the master side: the path a USB-serial board takes, minus the USB.
@Suite("Serial link over a real pseudo-terminal", .serialized)
struct PseudoTerminalEndToEndTests {
    struct Setup {
        let pair: PseudoTerminalPair
        let device: SimulatedDevice
        let recorder: LinkEventRecorder
        let connection: SerialLinkConnection
    }

    func start(
        deviceArguments: [String] = ["--banner"],
        mode: SerialLinkMode = .framed,
        keepalive: TimeAmount = .seconds(5),
        readBatching: TimeAmount? = nil,
        baudRate: Int = 115_200
    ) async throws -> Setup {
        let pair = try PseudoTerminalPair()
        let recorder = LinkEventRecorder()
        var logger = Logger(label: "test.serial")
        logger.logLevel = .debug
        var link = SerialLinkConfiguration()
        link.keepaliveInterval = keepalive
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        var bootstrap = SerialLinkBootstrap(
            group: loop,
            link: link,
            port: SerialPortConfiguration(baudRate: baudRate),
            mode: mode,
            logger: logger
        )
        bootstrap.readPacer = readBatching.map { SerialReadPacer(interval: $0, eventLoop: loop) }
        let master = try #require(pair.takeMaster())
        let connection = try await bootstrap.connect(
            takingOwnershipOf: master,
            name: pair.slavePath,
            delegate: recorder
        ).get()
        let device = try SimulatedDevice(arguments: deviceArguments + [pair.slavePath])
        _ = try await device.waitForLine(startingWith: "ready")
        pair.releaseSlave()
        return Setup(pair: pair, device: device, recorder: recorder, connection: connection)
    }

    @Test func bootNoiseHandshakeMQTTSNConsoleAndUnplug() async throws {
        let setup = try await self.start()
        defer { setup.device.terminate() }

        // The ROM banner arrives as console lines and does not disturb the handshake.
        _ = try await setup.recorder.wait { $0 == .console("rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)") }
        let up = try await setup.recorder.wait { if case .linkUp = $0 { true } else { false } }
        guard case .linkUp(let hello) = up else { return }
        #expect(hello.deviceIdentity == [0x5E, 0x1D, 0xEF, 0x1C, 0xE0, 0x01])
        #expect(hello.firmwareName == "snbridge-simdevice")
        #expect(hello.maximumFrameSize == 256)
        let linked = try await setup.device.waitForLine(startingWith: "linked")
        #expect(linked == "linked 1 5 256")

        // MQTT-SN CONNECT reaches the delegate byte for byte; our CONNACK reaches the device.
        setup.device.send("connect dev1 60 clean")
        let connect: [UInt8] = [0x0A, 0x04, 0x04, 0x01, 0x00, 0x3C] + Array("dev1".utf8)
        _ = try await setup.recorder.wait { $0 == .message(connect, forwarderNodeID: nil) }
        try await setup.connection.send(ByteBuffer(bytes: [0x03, 0x05, 0x00])).get()
        #expect(try await setup.device.waitForLine(startingWith: "connack") == "connack 0")

        // printf debugging between frames surfaces as a console line.
        setup.device.send("console temperature sensor warming up")
        _ = try await setup.recorder.wait { $0 == .console("temperature sensor warming up") }

        // A corrupted frame is counted and the next one still arrives.
        setup.device.send("corrupt-next")
        setup.device.send("ping")
        setup.device.send("ping")
        _ = try await setup.recorder.wait { $0 == .message([0x02, 0x16], forwarderNodeID: nil) }
        let counters = try await setup.connection.counters().get()
        #expect(counters.badCRC == 1)
        #expect(counters.badFrames == 1)

        // A node behind the device arrives with its forwarder node id, and our answer goes back encapsulated.
        setup.device.send("forward 002A 0216")
        _ = try await setup.recorder.wait { $0 == .message([0x02, 0x16], forwarderNodeID: [0x00, 0x2A]) }
        try await setup.connection.send(
            ByteBuffer(bytes: [0x02, 0x17]),
            forwarderNodeID: ByteBuffer(bytes: [0x00, 0x2A])
        ).get()
        #expect(try await setup.device.waitForLine(startingWith: "forwarded") == "forwarded 002A 0217")

        // The far end closing is detected as link lost.
        setup.device.send("quit")
        try await setup.device.waitForExit()
        _ = try await setup.recorder.wait { $0 == .linkDown(.channelClosed) }
        try await setup.connection.closeFuture.get()
    }

    /// Frames 25 ms apart: unpaced, each is its own read; paced at 600 ms (a 9600-baud port may pause that long),
    /// the first is read at once and the others wait for the tick and come in one read, all of them, in order.
    /// The margins hold on a loaded machine: the frames are sent within about 250 ms, well inside the pause.
    /// Writes are not delayed.
    @Test(arguments: [nil, TimeAmount.milliseconds(600)])
    func pacedReadsBatchFramesWithoutLosingAny(readBatching: TimeAmount?) async throws {
        let setup = try await self.start(deviceArguments: [], readBatching: readBatching, baudRate: 9600)
        defer { setup.device.terminate() }
        _ = try await setup.device.waitForLine(startingWith: "linked")
        _ = try await setup.recorder.wait { if case .linkUp = $0 { true } else { false } }

        let burstsBefore = setup.recorder.readBurstCount
        for _ in 1...10 {
            setup.device.send("ping")
            try await Task.sleep(for: .milliseconds(25))
        }
        let ping = LinkEventRecorder.Event.message([0x02, 0x16], forwarderNodeID: nil)
        _ = try await setup.recorder.wait(occurrence: 10) { $0 == ping }
        let bursts = setup.recorder.readBurstCount - burstsBefore
        if readBatching == nil {
            #expect(bursts >= 6, "unpaced: about one read per frame, got \(bursts)")
        } else {
            #expect(bursts <= 3, "paced: the frames behind the first wait for the tick, got \(bursts) reads")
        }
        #expect(setup.recorder.recorded.filter { $0 == ping }.count == 10)

        // The other direction goes out at once, paced or not.
        setup.device.send("connect dev1 60 clean")
        _ = try await setup.recorder.wait { if case .message(let bytes, _) = $0 { bytes.count > 2 } else { false } }
        try await setup.connection.send(ByteBuffer(bytes: [0x03, 0x05, 0x00])).get()
        #expect(try await setup.device.waitForLine(startingWith: "connack") == "connack 0")
        setup.device.send("quit")
        try await setup.device.waitForExit()
    }

    @Test(arguments: [
        (TimeAmount.milliseconds(5), 115_200, true),
        (.milliseconds(50), 115_200, true),
        (.milliseconds(5), 2_000_000, true),
        (.milliseconds(10), 2_000_000, false),
        (.milliseconds(50), 921_600, false),
    ])
    func aPauseMayNotOverflowTheTTYBuffer(interval: TimeAmount, baudRate: Int, paced: Bool) {
        let pacer = SerialReadPacer(interval: interval, eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        #expect(pacer.canPace(baudRate: baudRate) == paced)
    }

    @Test func gatewayResetMakesTheDeviceSayHelloAgain() async throws {
        let setup = try await self.start(deviceArguments: [])
        defer { setup.device.terminate() }
        _ = try await setup.device.waitForLine(startingWith: "linked")
        try await setup.connection.resetLink(.rehello).get()
        _ = try await setup.device.waitForLine(startingWith: "link-down reset")
        _ = try await setup.recorder.wait { $0 == .linkDown(.resetByGateway) }
        // Linked a second time, on both sides.
        _ = try await setup.recorder.wait(occurrence: 2) { if case .linkUp = $0 { true } else { false } }
        _ = try await setup.device.waitForLine(startingWith: "linked", occurrence: 2)
        setup.device.send("quit")
        try await setup.device.waitForExit()
        _ = try await setup.recorder.wait { $0 == .linkDown(.channelClosed) }
    }

    @Test func aHungDeviceIsDeclaredLostAndRelinksWhenItRecovers() async throws {
        // Keepalive 1 s: a hung device is lost after 3 s of silence, where a quiet one answers the pings.
        let setup = try await self.start(deviceArguments: [], keepalive: .seconds(1))
        defer { setup.device.terminate() }
        _ = try await setup.recorder.wait { if case .linkUp = $0 { true } else { false } }
        setup.device.send("freeze")
        _ = try await setup.recorder.wait { $0 == .linkDown(.silence) }
        // Thawed, it notices the silence itself (or answers queued pings and is told to RESET): either way it says
        // HELLO again and the link comes back.
        setup.device.send("thaw")
        _ = try await setup.device.waitForLine(startingWith: "link-down")
        _ = try await setup.recorder.wait(occurrence: 2) { if case .linkUp = $0 { true } else { false } }
        _ = try await setup.device.waitForLine(startingWith: "linked", occurrence: 2)
        setup.device.send("quit")
        try await setup.device.waitForExit()
    }

    @Test func versionMismatchIsRejectedWithTheGatewayRange() async throws {
        let setup = try await self.start(deviceArguments: ["--versions", "2-3"])
        defer { setup.device.terminate() }
        #expect(try await setup.device.waitForLine(startingWith: "rejected") == "rejected 1 1 1")
        #expect(!setup.recorder.recorded.contains { if case .linkUp = $0 { true } else { false } })
        setup.device.send("quit")
        try await setup.device.waitForExit()
        // Never linked, so no link-down either: the port just closes.
        try await setup.connection.closeFuture.get()
        #expect(!setup.recorder.recorded.contains { if case .linkDown = $0 { true } else { false } })
    }

    @Test func rawCompatibilityMode() async throws {
        let setup = try await self.start(deviceArguments: ["--raw"], mode: .rawMQTTSN)
        defer { setup.device.terminate() }
        _ = try await setup.recorder.wait { if case .linkUp = $0 { true } else { false } }
        setup.device.send("connect raw1 30 clean")
        let connect: [UInt8] = [0x0A, 0x04, 0x04, 0x01, 0x00, 0x1E] + Array("raw1".utf8)
        _ = try await setup.recorder.wait { $0 == .message(connect, forwarderNodeID: nil) }
        try await setup.connection.send(ByteBuffer(bytes: [0x03, 0x05, 0x00])).get()
        #expect(try await setup.device.waitForLine(startingWith: "connack") == "connack 0")
        setup.device.send("quit")
        try await setup.device.waitForExit()
        _ = try await setup.recorder.wait { $0 == .linkDown(.channelClosed) }
    }
}
