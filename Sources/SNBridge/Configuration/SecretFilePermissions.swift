#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that a file holding a secret (`broker.password_file`, `broker.tls.key_file`, DTLS keys) cannot be read
/// by every user of the machine, as mosquitto does for its password files.
enum SecretFilePermissions {
    /// Why `path` is unfit to hold a secret, or `nil` when only its owner and group can read it.
    static func problem(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return nil  // Unreadable files are reported by the caller.
        }
        guard status.st_mode & S_IROTH == 0 else {
            let mode = String(status.st_mode & 0o777, radix: 8)
            return "'\(path)' is readable by every user (mode \(mode)); restrict it, e.g. chmod 600 or 640"
        }
        return nil
    }
}
