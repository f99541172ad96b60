import Foundation
import GatewayCore
import MQTTSNTransport
import NIOCore

extension DeviceRegistry {
    /// Follows the gateway's session events: a UDP client is a device of its own (origin `udp`, its address as
    /// path), online while its session is connected or asleep; a serial device's own client (no forwarder node id)
    /// updates that device at once, between the link monitor's samples.
    public func sessionChanged(_ event: GatewaySessionEvent, now: NIODeadline = .now()) {
        let session = event.session
        let client = DeviceClientState(session.state).map { DeviceRecord.Client(id: session.clientID, state: $0) }
        switch session.address {
        case .serial(let device, nil):
            update(path: device) { entry, time in
                Self.count(session, into: &entry, now: now, time: time)
                entry.client = client
                return entry.machine.clientObserved(client?.state, at: time)
            }
        case .serial:
            // Nodes behind a forwarder are not devices the bridge can tell apart yet.
            return
        case .udp, .udpForwarded:
            guard self.listsUDPDevices else { return }
            let descriptor = DeviceDescriptor.udp(clientID: session.clientID, address: session.address.displayName)
            update(id: descriptor.id, creating: descriptor, listNow: false) { entry, time in
                Self.count(session, into: &entry, now: now, time: time)
                entry.client = client
                if event.ended {
                    return entry.machine.gone(reason: event.endReason ?? "disconnected", at: time)
                }
                return entry.machine.appeared(at: time) + entry.machine.linkUp(at: time)
                    + entry.machine.clientObserved(client?.state, at: time)
            }
        }
    }

    /// What the link monitor sampled of every session: the counters and last-heard time of the devices they belong
    /// to, which move without a state change (a PUBLISH is no session event).
    public func sessionsSampled(_ sessions: [GatewaySessionSnapshot], now: NIODeadline = .now()) {
        state.withLockedValue { state in
            let time = self.now()
            for session in sessions where session.state != .lost {
                let id: String?
                switch session.address {
                case .udp, .udpForwarded:
                    guard self.listsUDPDevices else { continue }
                    id = DeviceDescriptor.udp(clientID: session.clientID, address: "").id
                case .serial(let device, nil): id = state.idsByPath[device]
                case .serial: id = nil
                }
                guard let id, var entry = state.entries[id] else { continue }
                let before = (entry.counters, entry.lastSeen)
                Self.count(session, into: &entry, now: now, time: time)
                guard entry.counters != before.0 || entry.lastSeen != before.1 else { continue }
                state.entries[id] = entry
                state.countersChanged = true
            }
        }
    }

    private static func count(_ session: GatewaySessionSnapshot, into entry: inout Entry, now: NIODeadline, time: Date)
    {
        entry.counters.messagesIn = session.messagesIn
        entry.counters.messagesOut = session.messagesOut
        if let heard = session.lastHeard {
            // Whole seconds, as the JSON shows it: the clock conversion jitters, and an idle sensor must not look
            // changed at every sample.
            let seen = SessionRecord.wallClock(heard, now: now, wallNow: time).timeIntervalSince1970.rounded(.down)
            entry.lastSeen = Date(timeIntervalSince1970: seen)
        }
    }

    /// Forgets UDP sensors that left more than `interval` ago: they drop out of the list and their retained
    /// topics are cleared (``StatusPublication/forgotten(deviceID:)``). Serial devices stay: their port does.
    public func forgetDeparted(after interval: TimeAmount) {
        state.withLockedValue { state in
            let cutoff = now().addingTimeInterval(-Double(interval.nanoseconds) / 1e9)
            let forgotten = state.entries.values.filter { entry in
                entry.descriptor.origin == .udp && entry.machine.state == .lost && entry.machine.since < cutoff
            }
            for entry in forgotten {
                state.entries[entry.descriptor.id] = nil
                state.tally.replace(entry.tallyShare, with: nil)
                state.order = nil
                if state.idsByPath[entry.descriptor.path] == entry.descriptor.id {
                    state.idsByPath[entry.descriptor.path] = nil
                }
                state.countersChanged = true
                logger.info("Device forgotten", metadata: ["device.id": "\(entry.descriptor.id)"])
                publish(.forgotten(deviceID: entry.descriptor.id))
            }
        }
    }
}
