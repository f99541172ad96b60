import DeviceDiscovery
import Logging

/// A one-off look at the serial devices: udev's scan, merged with a bridge's retained device list.
enum DeviceSnapshot {
    /// The devices the matcher selects now; empty when udev is not usable here.
    static func discover(
        matcher: DeviceMatcher,
        logger: Logger,
        within limit: Duration = .seconds(5)
    ) async
        -> [DiscoveredSerialDevice]
    {
        let discovery = SerialDeviceDiscovery(matcher: matcher, logger: logger)
        do {
            try discovery.start()
        } catch {
            logger.notice("udev is not usable here; no devices discovered", metadata: ["error.description": "\(error)"])
            return []
        }
        // The scan ends with enumerationCompleted; the guard only matters if udev hangs.
        let guardTask = Task {
            try await Task.sleep(for: limit)
            discovery.stop()
        }
        var devices: [String: DiscoveredSerialDevice] = [:]
        scan: for await event in discovery.events {
            switch event {
            case .added(let device), .changed(let device): devices[device.syspath] = device
            case .removed(let device): devices[device.syspath] = nil
            case .enumerationCompleted: break scan
            }
        }
        guardTask.cancel()
        discovery.stop()
        return devices.values.sorted { $0.devnode < $1.devnode }
    }

    /// Discovered devices with the live state of the same identity, then the bridge's other devices. When the
    /// bridge is offline, its states are marked as its last report (`linked, bridge offline`).
    static func merge(
        discovered: [DiscoveredSerialDevice],
        live: [DeviceRecord],
        bridgeOffline: Bool = false
    ) -> [DeviceListing] {
        let liveByID = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var listing = discovered.map { device -> DeviceListing in
            let descriptor = DeviceDescriptor(discovered: device)
            let record = liveByID[descriptor.id]
            return DeviceListing(
                id: descriptor.id,
                path: device.devnode,
                usbID: descriptor.usbID,
                rule: descriptor.rule,
                state: record.map { state(of: $0, bridgeOffline: bridgeOffline) } ?? "present",
                source: record == nil ? "udev" : "udev+bridge",
                product: device.product,
                serial: device.serialNumber
            )
        }
        let shown = Set(listing.map(\.id))
        for record in live where !shown.contains(record.id) {
            listing.append(
                DeviceListing(
                    id: record.id,
                    path: record.path,
                    usbID: record.usbID,
                    rule: record.rule,
                    state: state(of: record, bridgeOffline: bridgeOffline),
                    source: "bridge"
                )
            )
        }
        return listing
    }

    private static func state(of record: DeviceRecord, bridgeOffline: Bool) -> String {
        bridgeOffline ? "\(record.state), bridge offline" : record.state
    }
}
