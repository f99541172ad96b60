/// Why a ``UDPTransport`` or ``UDPMulticastTransport`` could not start.
public struct UDPTransportError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case noLocalAddress
        case notMulticast
        case noInterfaceAddress
    }

    private let code: Code

    /// The socket was bound but reports no local address.
    public static let noLocalAddress = UDPTransportError(code: .noLocalAddress)

    /// A multicast transport was asked to join an address that is not a multicast group.
    public static let notMulticast = UDPTransportError(code: .notMulticast)

    /// An IPv4 group was to be joined through a device entry without an IPv4 address.
    public static let noInterfaceAddress = UDPTransportError(code: .noInterfaceAddress)

    public var description: String {
        switch self.code {
        case .noLocalAddress: "the UDP listener was bound but has no local address"
        case .notMulticast: "the address is not a multicast group"
        case .noInterfaceAddress: "the interface has no IPv4 address to join an IPv4 group with"
        }
    }
}
