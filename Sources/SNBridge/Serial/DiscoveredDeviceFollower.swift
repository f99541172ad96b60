import DeviceDiscovery
import Logging

/// Turns udev discovery events into ports for the ``SerialPortSupervisor``: added devices are attached (opened),
/// removed ones detached (closed, their sessions lost so wills fire), and a board that comes back is attached
/// again under the same identity, whatever its tty is called this time.
struct DiscoveredDeviceFollower: Sendable {
    let discovery: SerialDeviceDiscovery
    let supervisor: SerialPortSupervisor
    let logger: Logger

    /// Follows events until discovery stops.
    func run() async {
        for await event in discovery.events {
            switch event {
            case .added(let device), .changed(let device):
                supervisor.attach(
                    SerialPortSettings(discovered: device),
                    descriptor: DeviceDescriptor(discovered: device)
                )
            case .removed(let device):
                supervisor.detach(path: device.devnode)
            case .enumerationCompleted:
                logger.debug("Initial device scan complete")
            }
        }
    }
}
