import Logging
import NIOCore
import NIOHTTP1

/// One connection to the monitoring listener: GET and HEAD of ``BridgeMonitor``'s endpoints, one request at a time
/// (NIO's pipeline handler orders pipelined ones), and `/api/events/stream` handed to the ``StatusFeed``.
///
/// Request bodies are discarded; other methods get 405. NIO's HTTP decoder caps the request head.
final class MonitoringHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// How often an idle event stream gets a comment line, so proxies and browsers keep it open.
    static let streamHeartbeat = TimeAmount.seconds(15)

    private let monitor: BridgeMonitor
    private let logger: Logger
    private var request: HTTPRequestHead?
    private var streaming = false

    init(monitor: BridgeMonitor, logger: Logger) {
        self.monitor = monitor
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request, !streaming else { return }
            request = nil
            handle(head, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let uri = head.uri.prefix { $0 != "#" }
        let path = String(uri.prefix { $0 != "?" })
        let query = uri.firstIndex(of: "?").map { uri[uri.index(after: $0)...] } ?? ""
        guard head.method == .GET || head.method == .HEAD else {
            write(.error(.methodNotAllowed, "only GET and HEAD"), for: head, context: context)
            return
        }
        if path == "/api/events/stream" {
            startStream(for: head, context: context)
            return
        }
        let monitor = self.monitor
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await monitor.response(to: path, query: query)
        }.whenSuccess { response in
            let (handler, context) = loopBound.value
            handler.write(response, for: head, context: context)
        }
    }

    private func write(_ response: MonitoringResponse, for head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(response.body.readableBytes)")
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))),
            promise: nil
        )
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func startStream(for head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard monitor.feed.subscribe(context.channel) else {
            write(.error(.serviceUnavailable, "too many event streams open"), for: head, context: context)
            return
        }
        streaming = true
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "X-Accel-Buffering", value: "no")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
            promise: nil
        )
        // Ask browsers to come back soon after a restart of the bridge.
        context.writeAndFlush(
            wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "retry: 2000\n: connected\n\n")))),
            promise: nil
        )
        let channel = context.channel
        let heartbeat = context.eventLoop.scheduleRepeatedTask(
            initialDelay: Self.streamHeartbeat,
            delay: Self.streamHeartbeat
        ) { _ in
            channel.writeAndFlush(
                HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: ": heartbeat\n\n"))),
                promise: nil
            )
        }
        channel.closeFuture.whenComplete { _ in heartbeat.cancel() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("Monitoring connection closed on error", metadata: ["error.description": "\(error)"])
        context.close(promise: nil)
    }
}
