import Logging
import MQTTSNTransport
import NIOConcurrencyHelpers
import NIOCore

/// Serial lines as an MQTT-SN transport for the gateway core.
///
/// Every linked device is reachable at `.serial(device: <tty path>, wirelessNodeID: nil)`, and every radio node
/// behind a hub at `.serial(device: <tty path>, wirelessNodeID: <node id>)`. Pass the transport as the delegate
/// of ``SerialLinkBootstrap/connect(devicePath:delegate:)`` for each port; it forwards link events to `observer`.
///
/// ```
///  tty -> SerialLinkHandler -> SerialTransport.serialLink(_:received:) -> MQTTSNInboundHandler.receive(from: .serial)
///  gateway -> SerialTransport.send(_:to: .serial) -> SerialLinkConnection -> tty (written on flush())
/// ```
public final class SerialTransport: MQTTSNTransport, SerialLinkDelegate {
    public let name = "serial"

    private let inboundHandler: any MQTTSNInboundHandler
    private let observer: (any SerialLinkDelegate)?
    private let logger: Logger
    private let connections = NIOLockedValueBox<[String: SerialLinkConnection]>([:])

    /// - Parameters:
    ///   - inboundHandler: receives every MQTT-SN message from every linked device.
    ///   - observer: told about link up/down, console lines and read bursts (device registry, logs, metrics); MQTT-SN
    ///     messages go to `inboundHandler` only.
    public init(inboundHandler: any MQTTSNInboundHandler, observer: (any SerialLinkDelegate)? = nil, logger: Logger) {
        self.inboundHandler = inboundHandler
        self.observer = observer
        self.logger = logger
    }

    /// Paths of the devices whose link is up.
    public var linkedDevices: [String] {
        self.connections.withLockedValue { Array($0.keys) }
    }

    public func canReach(_ address: MQTTSNClientAddress) -> Bool {
        guard case .serial(let device, _) = address else { return false }
        return self.connections.withLockedValue { $0[device] != nil }
    }

    public func send(_ message: ByteBuffer, to address: MQTTSNClientAddress) {
        guard case .serial(let device, let nodeID) = address,
            let connection = self.connections.withLockedValue({ $0[device] })
        else {
            self.logger.debug("No serial link for MQTT-SN message", metadata: ["peer.address": "\(address)"])
            return
        }
        let forwarderNodeID = nodeID.map { ByteBuffer(bytes: $0) }
        connection.channel.write(SerialLinkOutbound.mqttsn(message, forwarderNodeID: forwarderNodeID), promise: nil)
    }

    /// The link's negotiated frame size less the framing, and less the Forwarder Encapsulation header for a
    /// node behind a forwarder.
    public func maximumMessageSize(for address: MQTTSNClientAddress) -> Int? {
        guard case .serial(let device, let nodeID) = address,
            let linkMaximum = self.connections.withLockedValue({ $0[device] })?.maximumMQTTSNMessageSize
        else {
            return nil
        }
        return linkMaximum - (nodeID.map { 3 + $0.count } ?? 0)
    }

    public func flush() {
        for connection in self.connections.withLockedValue({ Array($0.values) }) {
            connection.channel.flush()
        }
    }

    // MARK: SerialLinkDelegate

    public func serialLink(_ connection: SerialLinkConnection, linkUp device: DeviceHello) {
        self.connections.withLockedValue { $0[connection.devicePath] = connection }
        self.observer?.serialLink(connection, linkUp: device)
    }

    public func serialLink(_ connection: SerialLinkConnection, linkDown reason: SerialLinkLossReason) {
        self.connections.withLockedValue { connections in
            if connections[connection.devicePath] === connection {
                connections[connection.devicePath] = nil
            }
        }
        self.observer?.serialLink(connection, linkDown: reason)
    }

    public func serialLink(
        _ connection: SerialLinkConnection,
        received message: ByteBuffer,
        forwarderNodeID: ByteBuffer?
    ) {
        let address = MQTTSNClientAddress.serial(
            device: connection.devicePath,
            wirelessNodeID: forwarderNodeID.map { Array($0.readableBytesView) }
        )
        self.inboundHandler.receive(message, from: address, via: self)
    }

    public func serialLink(_ connection: SerialLinkConnection, consoleLine: String) {
        self.observer?.serialLink(connection, consoleLine: consoleLine)
    }

    public func serialLink(_ connection: SerialLinkConnection, refused reject: LinkReject) {
        self.observer?.serialLink(connection, refused: reject)
    }

    public func serialLinkReadComplete(_ connection: SerialLinkConnection) {
        self.inboundHandler.receiveBurstComplete(via: self)
        self.observer?.serialLinkReadComplete(connection)
    }
}
