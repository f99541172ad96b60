import Foundation

extension DeviceRegistry {
    /// The device gauges as kept: no walk over the devices.
    func tally() -> DeviceTally {
        state.withLockedValue { $0.tally }
    }

    /// One page of the device list in list order (boards first, then UDP sensors, each sorted by id): `limit`
    /// records from `offset` on, and how many devices there are. Only the devices on the page are turned into
    /// records; the order is kept until a device is added or removed.
    func page(offset: Int, limit: Int) -> (total: Int, records: [DeviceRecord]) {
        state.withLockedValue { state in
            let order: [String]
            if let kept = state.order, kept.count == state.entries.count {
                order = kept
            } else {
                order = Self.listOrder(of: state.entries)
                state.order = order
            }
            let start = min(max(0, offset), order.count)
            let end = start + min(max(0, limit), order.count - start)
            return (order.count, order[start..<end].compactMap { state.entries[$0]?.record })
        }
    }

    /// The last console lines of the devices `ids` that printed any, oldest first.
    func consoleLines(ids: [String]) -> [String: [String]] {
        state.withLockedValue { state in
            var lines: [String: [String]] = [:]
            for id in ids {
                if let console = state.entries[id]?.console, !console.isEmpty { lines[id] = console }
            }
            return lines
        }
    }

    /// The ids of `entries`, boards first, then UDP sensors, each by id: thousands of sensors must not push the
    /// few boards off the first page.
    static func listOrder(of entries: [String: Entry]) -> [String] {
        var boards: [String] = []
        var sensors: [String] = []
        for (id, entry) in entries {
            if entry.descriptor.origin == .udp { sensors.append(id) } else { boards.append(id) }
        }
        return boards.sorted() + sensors.sorted()
    }
}

extension DeviceRegistry.Entry {
    /// What the device adds to the registry's ``DeviceTally``.
    var tallyShare: DeviceTally.Share {
        DeviceTally.Share(state: machine.state, origin: descriptor.origin)
    }

    /// The device as the list shows it.
    var record: DeviceRecord {
        var reason: String?
        if case .error(let why) = machine.state { reason = why }
        return DeviceRecord(
            id: descriptor.id,
            path: descriptor.path,
            usbID: descriptor.usbID,
            rule: descriptor.rule,
            origin: descriptor.origin,
            manufacturer: descriptor.manufacturer,
            product: descriptor.product,
            state: machine.state.name,
            online: machine.state.isOnline,
            link: machine.state.linkName,
            reason: reason,
            since: machine.since,
            lastSeen: lastSeen,
            helloID: helloID,
            firmware: firmware,
            client: client,
            counters: counters
        )
    }
}
