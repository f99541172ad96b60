import Foundation

/// The firmware of `Firmware-Protocol/emulated` running on an emulated microcontroller, its UART on a fresh
/// pseudo-terminal that `snbridge run` opens as a serial port: the library on a real instruction set with real
/// memory limits.
///
/// ```
///  qemu-system-arm -M mps2-an385 -serial pty   CMSDK UART0 --+
///                                                             +--> /dev/pts/N <-- snbridge run (serial.ports)
///  simavr-uart-pty (libsimavr, ATmega328P)     USART0 -------+
/// ```
///
/// Stopping signals only the emulator's own pid.
public final class EmulatedBoard: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// MPS2 AN385 (Cortex-M3) under qemu-system-arm.
        case cortexM3 = "cortex-m3"
        /// ATmega328P at 16 MHz under simavr.
        case atmega328p

        /// The HELLO device id its firmware sends, in the log's lower-case hex.
        public var deviceID: String {
            switch self {
            case .cortexM3: return "c027e3000385"
            case .atmega328p: return "a7328b000001"
            }
        }

        /// What the board's emulator needs, installed by `scripts/install-deps`: qemu, or libsimavr to build the
        /// runner against.
        var emulatorFile: String {
            switch self {
            case .cortexM3: return "/usr/bin/qemu-system-arm"
            case .atmega328p: return "/usr/include/simavr/sim_avr.h"
            }
        }
    }

    public let kind: Kind
    public let process: ChildProcess
    /// The pty the board's UART is attached to.
    public let ttyPath: String

    static let firmwareDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Firmware-Protocol")

    private init(kind: Kind, process: ChildProcess, ttyPath: String) {
        self.kind = kind
        self.process = process
        self.ttyPath = ttyPath
    }

    /// Whether the emulator for `kind` is installed; the reason a test is skipped otherwise.
    public static func emulatorInstalled(_ kind: Kind) -> Bool {
        FileManager.default.fileExists(atPath: kind.emulatorFile)
    }

    /// Builds the firmware images and the simavr runner (`make -C Firmware-Protocol emulated`; a no-op when they
    /// are up to date).
    public static func buildFirmware() async throws {
        try await ChildProcess.run(
            "/usr/bin/make",
            ["-s", "-C", firmwareDirectory.path, "emulated"],
            timeout: .seconds(180)
        )
    }

    /// Boots the board and waits until the emulator has said which pty its UART is on.
    public static func boot(_ kind: Kind) async throws -> EmulatedBoard {
        let build = firmwareDirectory.appendingPathComponent("build/emulated")
        let image = build.appendingPathComponent("\(kind.rawValue).elf").path
        let process: ChildProcess
        switch kind {
        case .cortexM3:
            process = try ChildProcess(
                executable: kind.emulatorFile,
                arguments: ["-M", "mps2-an385", "-nographic", "-monitor", "none", "-serial", "pty", "-kernel", image]
            )
        case .atmega328p:
            process = try ChildProcess(
                executable: build.appendingPathComponent("simavr-uart-pty").path,
                arguments: [image]
            )
        }
        do {
            // qemu: "char device redirected to /dev/pts/3 (label serial0)"; simavr-uart-pty: "pty /dev/pts/3".
            let line = try await process.waitForLine(timeout: .seconds(20)) { $0.contains("/dev/pts/") }
            guard let range = line.range(of: #"/dev/pts/[0-9]+"#, options: .regularExpression) else {
                throw ChildProcessError.failed(process.commandLine, status: -1, output: line)
            }
            return EmulatedBoard(kind: kind, process: process, ttyPath: String(line[range]))
        } catch {
            await process.terminate()
            throw error
        }
    }

    /// Powers the board off (SIGTERM to the emulator, SIGKILL after a grace period).
    public func stop() async {
        await process.terminate()
    }
}
