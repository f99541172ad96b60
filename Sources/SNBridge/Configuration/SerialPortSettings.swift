import NIOCore
import SerialLink

/// One configured serial port (`serial.ports[n]`): a fixed tty path such as a Raspberry Pi's `/dev/ttyAMA0`,
/// opened whether or not udev knows it.
public struct SerialPortSettings: Hashable, Sendable {
    /// The tty path (`path`).
    public var path: String
    /// Baud rate and reset policy (`baud`, `reset`).
    public var port: SerialPortConfiguration
    /// `snbridge` framing (Firmware-Protocol/PROTOCOL.md) or `raw` MQTT-SN length framing (`framing`).
    public var mode: SerialLinkMode
    /// How often the link is probed when the device is quiet (`link_keepalive`).
    public var linkKeepalive: TimeAmount
    /// Put before the client ids of this device's MQTT-SN clients upstream, after `broker.client_id_prefix`
    /// (a discovery rule's `client_id_prefix`).
    public var clientIDPrefix: String?

    public init(
        path: String,
        port: SerialPortConfiguration = SerialPortConfiguration(),
        mode: SerialLinkMode = .framed,
        linkKeepalive: TimeAmount = SerialLinkConfiguration().keepaliveInterval
    ) {
        self.path = path
        self.port = port
        self.mode = mode
        self.linkKeepalive = linkKeepalive
    }

    /// The link configuration these settings give.
    var link: SerialLinkConfiguration {
        var link = SerialLinkConfiguration()
        link.keepaliveInterval = linkKeepalive
        return link
    }
}
