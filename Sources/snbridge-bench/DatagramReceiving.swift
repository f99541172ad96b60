import NIOCore

/// What a bench client on its own UDP socket does with the bridge's datagrams (``BridgeDatagramHandler``).
protocol DatagramReceiving: AnyObject {
    /// Called on the socket's event loop for every datagram from the bridge.
    func received(_ datagram: ByteBuffer)
}
