import Logging
import NIOCore

/// Compatibility mode: raw MQTT-SN on the line, delimited by MQTT-SN's own length field (no sync, no CRC, no
/// handshake, no console). Fed by `MQTTSNLengthPrefixedDecoder`; the port counts as linked while it is open.
final class RawMQTTSNLinkHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SerialLinkOutbound
    typealias OutboundOut = ByteBuffer

    private(set) var counters = SerialLinkCounters()
    let connection: SerialLinkConnection
    private let delegate: any SerialLinkDelegate
    private var logger: Logger
    private var isUp = false

    init(connection: SerialLinkConnection, delegate: any SerialLinkDelegate, logger: Logger) {
        self.connection = connection
        self.delegate = delegate
        self.logger = logger
        self.logger[metadataKey: "device.path"] = "\(connection.devicePath)"
    }

    /// Raw devices have no identity of their own: the port path stands in for it.
    var syntheticHello: DeviceHello {
        DeviceHello(
            supportedVersions: 0...0,
            maximumFrameSize: UInt16(SerialFrame.hardMaximumSize),
            deviceIdentity: Array(self.connection.devicePath.utf8.suffix(DeviceHello.deviceIdentityLengths.upperBound)),
            firmwareName: "raw-mqttsn",
            firmwareVersion: ""
        )
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.up() }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.up()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if self.isUp {
            self.isUp = false
            self.delegate.serialLink(self.connection, linkDown: .channelClosed)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = self.unwrapInboundIn(data)
        self.counters.framesReceived += 1
        do {
            let (nodeID, inner) = try SerialForwarderEnvelope.open(message)
            self.delegate.serialLink(self.connection, received: inner, forwarderNodeID: nodeID)
        } catch {
            self.counters.count(error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.delegate.serialLinkReadComplete(self.connection)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.isPortGone {
            self.logger.debug("Serial port gone, closing", metadata: ["error.description": "\(error)"])
        } else {
            // A raw byte stream cannot resynchronise after a bad length field: start over with a fresh port.
            self.logger.warning("Raw MQTT-SN stream error, closing", metadata: ["error.description": "\(error)"])
        }
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .mqttsn(let message, let forwarderNodeID):
            let bytes = forwarderNodeID.map { SerialForwarderEnvelope.wrap(message, forwarderNodeID: $0) } ?? message
            self.counters.framesSent += 1
            context.write(self.wrapOutboundOut(bytes), promise: promise)
        case .reset:
            promise?.succeed(())
        }
    }

    private func up() {
        guard !self.isUp else { return }
        self.isUp = true
        self.logger.info("Raw MQTT-SN serial link up")
        // The length-prefixed reader takes messages up to the hard frame limit; there is no framing to subtract.
        self.connection.linkUp(maximumMQTTSNMessageSize: SerialFrame.hardMaximumSize)
        self.delegate.serialLink(self.connection, linkUp: self.syntheticHello)
    }
}
