import DeviceDiscovery
import SerialLink

extension SerialPortSettings {
    /// The settings a discovered device is opened with: its tty and the options of the rule that matched it.
    init(discovered device: DiscoveredSerialDevice) {
        let options = device.matchedRule?.options ?? DeviceMatchOptions()
        let resetPolicy: SerialPortResetPolicy
        switch options.resetPolicy {
        case .never: resetPolicy = .never
        case .onOpen: resetPolicy = .onOpen
        case .onLinkLoss: resetPolicy = .onLinkLoss
        }
        self.init(
            path: device.devnode,
            port: SerialPortConfiguration(baudRate: options.baudRate, resetPolicy: resetPolicy),
            mode: options.framing == .raw ? .rawMQTTSN : .framed
        )
        self.clientIDPrefix = options.clientIDPrefix
    }
}
