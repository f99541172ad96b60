import NIOCore

/// Splits the bytes from the bridge at 0x00 delimiters and hands each valid frame to its device.
final class SimulatedSerialDeviceHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    var device: SimulatedSerialDevice?
    private var pending = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        pending.writeBuffer(&bytes)
        while let zero = pending.readableBytesView.firstIndex(of: 0) {
            let length = zero - pending.readerIndex
            let segment = pending.readSlice(length: length)!
            pending.moveReaderIndex(forwardBy: 1)
            if length > 0, let frame = SerialFraming.decodeFrame(segment) {
                device?.received(type: frame.type, payload: frame.payload)
            }
        }
        pending.discardReadBytes()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // EIO once snbridge closes the slave side at shutdown: expected.
        context.close(promise: nil)
    }
}
