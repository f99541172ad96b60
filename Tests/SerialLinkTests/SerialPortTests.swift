import CSerialPort
import Logging
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import SerialLink

#if canImport(Glibc)
import Glibc
#endif

/// The opener against a pseudo-terminal slave: the same tty calls as a USB-serial adapter, minus modem lines.
@Suite("Serial port opener")
struct SerialPortTests {
    let logger = Logger(label: "test.serialport")

    @Test(arguments: [115_200, 230_400, 460_800, 921_600])
    func opensRawAtTheRequestedBaudRate(baudRate: Int) throws {
        let pair = try PseudoTerminalPair()
        let descriptor = try SerialPort.open(
            path: pair.slavePath,
            configuration: SerialPortConfiguration(baudRate: baudRate),
            logger: self.logger
        )
        defer { close(descriptor) }
        var settings = termios()
        #expect(tcgetattr(descriptor, &settings) == 0)
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO) == 0, "raw mode: no line discipline, no echo")
        #expect(settings.c_cflag & tcflag_t(HUPCL) == 0, "closing must not drop DTR")
        #expect(settings.c_cflag & tcflag_t(CLOCAL) != 0)
        let expected: speed_t =
            switch baudRate {
            case 115_200: speed_t(B115200)
            case 230_400: speed_t(B230400)
            case 460_800: speed_t(B460800)
            default: speed_t(B921600)
            }
        #expect(cfgetospeed(&settings) == expected)
        #expect(fcntl(descriptor, F_GETFL) & O_NONBLOCK != 0)
    }

    @Test func unsupportedBaudRateIsATypedError() throws {
        let pair = try PseudoTerminalPair()
        #expect(throws: SerialPortError.self) {
            _ = try SerialPort.open(
                path: pair.slavePath,
                configuration: SerialPortConfiguration(baudRate: 12_345),
                logger: self.logger
            )
        }
    }

    @Test func missingDeviceIsATypedError() {
        do {
            _ = try SerialPort.open(
                path: "/dev/snbridge-no-such-tty",
                configuration: SerialPortConfiguration(),
                logger: self.logger
            )
            Issue.record("opening a missing device succeeded")
        } catch {
            #expect(error.operation == "open")
            #expect(error.errnoValue == ENOENT)
        }
    }

    @Test func aPseudoTerminalHasNoModemLinesAndThatIsNotAFailure() throws {
        let pair = try PseudoTerminalPair()
        let descriptor = try SerialPort.open(
            path: pair.slavePath,
            configuration: SerialPortConfiguration(),
            logger: self.logger
        )
        defer { close(descriptor) }
        let hasLines = try SerialPort.setModemLines(
            descriptor,
            dataTerminalReady: true,
            requestToSend: false,
            path: pair.slavePath,
            logger: self.logger
        )
        var bits: CInt = 0
        // Whatever the kernel says about pty modem lines, the opener's answer agrees with TIOCMGET.
        #expect(hasLines == (csp_modem_get(descriptor, &bits) == 0))
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        try SerialPort.pulse(
            .hardReset,
            descriptor: descriptor,
            path: pair.slavePath,
            eventLoop: eventLoop,
            logger: self.logger
        ).wait()
    }

    @Test func resetPulsesFollowEsptool() {
        #expect(
            SerialPortResetPulse.hardReset.steps.map { [$0.dataTerminalReady, $0.requestToSend] } == [
                [false, true], [false, false],
            ]
        )
        #expect(SerialPortResetPulse.hardReset.steps.first?.hold == .milliseconds(100))
        #expect(
            SerialPortResetPulse.esptoolBootloaderEntry.steps.map { [$0.dataTerminalReady, $0.requestToSend] }
                == [[false, true], [true, false], [false, false]]
        )
        #expect(
            SerialPortResetPulse.esptoolBootloaderEntry.steps.map(\.hold) == [
                .milliseconds(100), .milliseconds(50), .zero,
            ]
        )
    }

    @Test func resetOnOpenOnAPortWithoutModemLinesStillConnects() async throws {
        let pair = try PseudoTerminalPair()
        var port = SerialPortConfiguration(baudRate: 921_600, resetPolicy: .onOpen)
        port.resetPulse = .esptoolBootloaderEntry
        let bootstrap = SerialLinkBootstrap(
            group: MultiThreadedEventLoopGroup.singleton,
            port: port,
            logger: self.logger
        )
        let connection = try await bootstrap.connect(devicePath: pair.slavePath, delegate: LinkEventRecorder()).get()
        #expect(connection.channel.isActive)
        try await connection.close().get()
    }

    @Test func connectByPathRunsTheLinkOnTheTty() async throws {
        // The gateway opens the slave path as it would /dev/ttyUSB0; the test plays the device on the master.
        let pair = try PseudoTerminalPair()
        let master = try #require(pair.takeMaster())
        defer { close(master) }
        let recorder = LinkEventRecorder()
        let bootstrap = SerialLinkBootstrap(group: MultiThreadedEventLoopGroup.singleton, logger: self.logger)
        let connection = try await bootstrap.connect(devicePath: pair.slavePath, delegate: recorder).get()
        pair.releaseSlave()
        let hello = SerialLinkMessage.hello(
            DeviceHello(
                supportedVersions: 1...1,
                maximumFrameSize: 128,
                deviceIdentity: [7],
                firmwareName: "m",
                firmwareVersion: "0"
            )
        )
        let bytes = Array("boot\r\n".utf8) + Array(hello.frame.encoded().readableBytesView)
        #expect(write(master, bytes, bytes.count) == bytes.count)
        _ = try await recorder.wait { $0 == .console("boot") }
        _ = try await recorder.wait { if case .linkUp = $0 { true } else { false } }
        try await connection.close().get()
        _ = try await recorder.wait { $0 == .linkDown(.channelClosed) }
    }
}
