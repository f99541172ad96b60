/// Why a ``UDPTransport`` could not start.
public struct UDPTransportError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case noLocalAddress
    }

    private let code: Code

    /// The socket was bound but reports no local address.
    public static let noLocalAddress = UDPTransportError(code: .noLocalAddress)

    public var description: String {
        switch self.code {
        case .noLocalAddress: "the UDP listener was bound but has no local address"
        }
    }
}
