/// Why a notification to systemd could not be sent.
public struct SystemdNotifierError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case socketPathTooLong(String)
        case socketFailed(errno: Int32)
        case sendFailed(path: String, errno: Int32)
    }

    private let code: Code

    /// `$NOTIFY_SOCKET` does not fit in a `sockaddr_un`.
    public static func socketPathTooLong(_ path: String) -> Self { Self(code: .socketPathTooLong(path)) }

    /// No datagram socket could be created.
    public static func socketFailed(errno: Int32) -> Self { Self(code: .socketFailed(errno: errno)) }

    /// systemd's socket did not take the datagram (systemd gone, or the path is wrong).
    public static func sendFailed(path: String, errno: Int32) -> Self {
        Self(code: .sendFailed(path: path, errno: errno))
    }

    public var description: String {
        switch code {
        case .socketPathTooLong(let path):
            "NOTIFY_SOCKET '\(path)' is longer than a unix socket address can hold"
        case .socketFailed(let errno):
            "could not create a socket to notify systemd (errno \(errno))"
        case .sendFailed(let path, let errno):
            "could not notify systemd through '\(path)' (errno \(errno))"
        }
    }
}
