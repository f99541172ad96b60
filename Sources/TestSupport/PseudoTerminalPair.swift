import CSerialPort
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair standing in for a USB-serial adapter: the gateway side uses the master descriptor, a
/// simulated device opens the slave path like a real /dev/ttyUSB0.
///
/// The pair keeps its own descriptor on the slave open until ``releaseSlave()``: with no slave open, reads on the
/// master fail with EIO at once, so a test would see the link close before the device even started. After release,
/// the device's exit closes the last slave descriptor and the master sees EIO: unplugging, as the link sees it.
public final class PseudoTerminalPair: @unchecked Sendable {
    /// A failed pseudo-terminal call.
    public struct Failure: Error, CustomStringConvertible {
        public let operation: String
        public let errnoValue: Int32
        public var description: String { "\(self.operation): \(String(cString: strerror(self.errnoValue)))" }
    }

    /// The slave device path, e.g. /dev/pts/3.
    public let slavePath: String
    private let lock = NSLock()
    private var master: CInt?
    private var slave: CInt?

    public init() throws {
        let master = csp_open_pty_master()
        guard master >= 0 else { throw Failure(operation: "posix_openpt", errnoValue: errno) }
        var name = [CChar](repeating: 0, count: 128)
        let status = csp_pty_slave_name(master, &name, UInt(name.count))
        guard status == 0 else {
            close(master)
            throw Failure(operation: "ptsname_r", errnoValue: status)
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else {
            let saved = errno
            close(master)
            throw Failure(operation: "open \(path)", errnoValue: saved)
        }
        // Raw on the slave side too, so nothing is echoed or translated before the device configures it.
        _ = csp_configure_raw(slave, 115_200)
        self.slavePath = path
        self.master = master
        self.slave = slave
    }

    /// Hands the master descriptor to the caller (e.g. a NIO channel), who then owns and closes it.
    public func takeMaster() -> CInt? {
        self.lock.withLock {
            defer { self.master = nil }
            return self.master
        }
    }

    /// Closes the pair's own slave descriptor; call once the device has opened the slave.
    public func releaseSlave() {
        self.lock.withLock {
            if let slave = self.slave { close(slave) }
            self.slave = nil
        }
    }

    deinit {
        if let master { close(master) }
        if let slave { close(slave) }
    }
}
