import CSerialPort
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opening a tty for a device and driving its modem lines.
///
/// The sequence matters for boards that reset on DTR/RTS: open with O_NOCTTY|O_NONBLOCK (no controlling
/// terminal, no wait for carrier), TIOCEXCL, raw 8N1 with HUPCL cleared (closing must not drop DTR), then DTR/RTS
/// set deliberately in a single ioctl.
public enum SerialPort {
    /// Opens and configures `path`; returns the descriptor, which the caller owns.
    public static func open(
        path: String,
        configuration: SerialPortConfiguration,
        logger: Logger
    ) throws(SerialPortError) -> CInt {
        let descriptor = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .open(path, errno: errno)
        }
        do {
            if configuration.exclusive, csp_set_exclusive(descriptor) != 0 {
                // Pseudo-terminals and some drivers do not support TIOCEXCL; that is not worth failing for.
                guard errno == ENOTTY || errno == EINVAL else {
                    throw SerialPortError.exclusive(path, errno: errno)
                }
            }
            guard csp_configure_raw(descriptor, UInt(configuration.baudRate)) == 0 else {
                throw SerialPortError.configure(path, errno: errno)
            }
            try Self.setModemLines(
                descriptor,
                dataTerminalReady: configuration.dataTerminalReady,
                requestToSend: configuration.requestToSend,
                path: path,
                logger: logger
            )
        } catch let error as SerialPortError {
            Glibc.close(descriptor)
            throw error
        } catch {
            Glibc.close(descriptor)
            throw .configure(path, errno: EINVAL)
        }
        return descriptor
    }

    /// Sets DTR and RTS together. A tty without modem lines (a pseudo-terminal, some CDC devices) is not an error.
    /// Returns whether the lines exist.
    @discardableResult
    public static func setModemLines(
        _ descriptor: CInt,
        dataTerminalReady: Bool,
        requestToSend: Bool,
        path: String,
        logger: Logger
    ) throws(SerialPortError) -> Bool {
        guard csp_modem_set(descriptor, dataTerminalReady ? 1 : 0, requestToSend ? 1 : 0) == 0 else {
            let error = errno
            if error == ENOTTY || error == EINVAL {
                logger.debug("Serial port has no modem lines", metadata: ["device.path": "\(path)"])
                return false
            }
            throw .modemLines(path, errno: error)
        }
        return true
    }

    /// Plays `pulse` on the descriptor's modem lines, on `eventLoop` without blocking it.
    public static func pulse(
        _ pulse: SerialPortResetPulse,
        descriptor: CInt,
        path: String,
        eventLoop: any EventLoop,
        logger: Logger
    ) -> EventLoopFuture<Void> {
        var future = eventLoop.makeSucceededVoidFuture()
        for step in pulse.steps {
            future = future.flatMap {
                do {
                    let hasLines = try Self.setModemLines(
                        descriptor,
                        dataTerminalReady: step.dataTerminalReady,
                        requestToSend: step.requestToSend,
                        path: path,
                        logger: logger
                    )
                    guard hasLines, step.hold > .zero else { return eventLoop.makeSucceededVoidFuture() }
                    return eventLoop.scheduleTask(in: step.hold) {}.futureResult
                } catch {
                    return eventLoop.makeFailedFuture(error)
                }
            }
        }
        return future
    }
}
