import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension IOError {
    /// The tty went away under us: the far end of a pseudo-terminal closed or a USB adapter was unplugged.
    var isPortGone: Bool {
        self.errnoCode == EIO || self.errnoCode == ENXIO || self.errnoCode == ENODEV
    }
}
