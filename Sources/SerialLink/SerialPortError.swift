#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to open or configure a serial port.
public struct SerialPortError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errnoValue: Int32

    init(path: String, operation: String, errnoValue: Int32) {
        self.path = path
        self.operation = operation
        self.errnoValue = errnoValue
    }

    static func open(_ path: String, errno: Int32) -> SerialPortError {
        SerialPortError(path: path, operation: "open", errnoValue: errno)
    }
    static func exclusive(_ path: String, errno: Int32) -> SerialPortError {
        SerialPortError(path: path, operation: "take exclusive use (TIOCEXCL)", errnoValue: errno)
    }
    static func configure(_ path: String, errno: Int32) -> SerialPortError {
        SerialPortError(path: path, operation: "set raw mode and baud rate", errnoValue: errno)
    }
    static func modemLines(_ path: String, errno: Int32) -> SerialPortError {
        SerialPortError(path: path, operation: "set DTR/RTS", errnoValue: errno)
    }

    public var description: String {
        "cannot \(self.operation) on \(self.path): \(String(cString: strerror(self.errnoValue)))"
    }
}
