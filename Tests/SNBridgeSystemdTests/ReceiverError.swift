/// Why the stand-in for systemd's socket could not receive.
struct ReceiverError: Error, CustomStringConvertible {
    let description: String
}
