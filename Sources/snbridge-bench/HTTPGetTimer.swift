import NIOCore
import NIOPosix

/// Times one plain HTTP/1.1 GET on loopback, from connect to the last byte of the response (`Connection: close`),
/// as a monitoring scraper or a browser sees it. Returns the seconds taken and the status line.
enum HTTPGetTimer {
    static func get(
        port: Int,
        path: String,
        on eventLoop: any EventLoop
    ) async throws -> (seconds: Double, status: String, bytes: Int) {
        let started = MonotonicClock.nanoseconds()
        let collector = ResponseCollector(promise: eventLoop.makePromise(of: ByteBuffer.self))
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(
            ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        ).get()
        let response = try await collector.promise.futureResult.get()
        let seconds = MonotonicClock.seconds(since: started)
        let status = response.getString(at: response.readerIndex, length: min(response.readableBytes, 12)) ?? ""
        return (seconds, status, response.readableBytes)
    }

    private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<ByteBuffer>
        private var received = ByteBuffer()

        init(promise: EventLoopPromise<ByteBuffer>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received.writeBuffer(&buffer)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.succeed(received)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }
    }
}
