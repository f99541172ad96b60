import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The body of the discovery thread: scan, then poll the monitor until woken for shutdown.
///
/// Everything here runs on that one thread; the monitor and state machine are never touched from elsewhere, which is
/// what makes the unchecked `Sendable` hand-over from ``SerialDeviceDiscovery/start()`` sound.
final class DiscoveryLoop: @unchecked Sendable {
    private let monitor: UdevSerialMonitor
    private let wakeupReadEnd: CInt
    private let matcher: DeviceMatcher
    private let continuation: AsyncStream<DeviceDiscoveryEvent>.Continuation
    private let logger: Logger
    private var stateMachine = DeviceDiscoveryStateMachine()

    init(
        monitor: UdevSerialMonitor,
        wakeupReadEnd: CInt,
        matcher: DeviceMatcher,
        continuation: AsyncStream<DeviceDiscoveryEvent>.Continuation,
        logger: Logger
    ) {
        self.monitor = monitor
        self.wakeupReadEnd = wakeupReadEnd
        self.matcher = matcher
        self.continuation = continuation
        self.logger = logger
    }

    func run() {
        defer {
            close(wakeupReadEnd)
            perform(stateMachine.stop())
        }
        do {
            for snapshot in try monitor.enumerateDevices() {
                perform(stateMachine.deviceEnumerated(syspath: snapshot.syspath, device: matched(snapshot)))
            }
        } catch {
            logger.error("device scan failed", metadata: ["error.description": "\(error)"])
        }
        perform(stateMachine.enumerationFinished())

        var descriptors = [
            pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeupReadEnd, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("polling the udev monitor failed", metadata: ["error.errno": "\(errno)"])
                return
            }
            if descriptors[1].revents != 0 {
                return
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                for event in monitor.receiveEvents() {
                    // A removal is decided by syspath alone; sysfs is gone, so the USB parents cannot be read.
                    let device = event.action == .remove ? nil : matched(event.device)
                    perform(stateMachine.monitorEvent(event.action, syspath: event.device.syspath, device: device))
                }
            } else if descriptors[0].revents != 0 {
                logger.error("the udev monitor socket failed", metadata: ["poll.revents": "\(descriptors[0].revents)"])
                return
            }
        }
    }

    private func matched(_ snapshot: UdevDeviceSnapshot) -> DiscoveredSerialDevice? {
        guard let device = DiscoveredSerialDevice(snapshot: snapshot) else { return nil }
        guard let matched = matcher.match(device) else {
            logger.trace("tty matches no rule", metadata: ["device.path": "\(device.devnode)"])
            return nil
        }
        return matched
    }

    private func perform(_ action: DeviceDiscoveryStateMachine.Action) {
        switch action {
        case .none:
            break
        case .report(let event):
            log(event)
            continuation.yield(event)
        case .finish:
            continuation.finish()
        }
    }

    private func log(_ event: DeviceDiscoveryEvent) {
        switch event {
        case .added(let device):
            logger.info("serial device added", metadata: Self.metadata(of: device))
        case .changed(let device):
            logger.debug("serial device changed", metadata: Self.metadata(of: device))
        case .removed(let device):
            logger.info("serial device removed", metadata: Self.metadata(of: device))
        case .enumerationCompleted:
            logger.debug("initial device scan complete")
        }
    }

    static func metadata(of device: DiscoveredSerialDevice) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "device.id": "\(device.identity)",
            "device.path": "\(device.devnode)",
            "device.syspath": "\(device.syspath)",
        ]
        if let vendorID = device.vendorID { metadata["usb.vid"] = "\(vendorID.fourDigitHex)" }
        if let productID = device.productID { metadata["usb.pid"] = "\(productID.fourDigitHex)" }
        if let serial = device.serialNumber { metadata["usb.serial"] = "\(serial)" }
        if let rule = device.matchedRule { metadata["device.rule"] = "\(rule.name)" }
        return metadata
    }
}
