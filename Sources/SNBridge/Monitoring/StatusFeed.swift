import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The recent status announcements, kept for `/api/events` and the page, and the server-sent event streams of
/// `/api/events/stream`, which get every announcement as it happens:
///
/// ```
/// event: device            one <prefix>/events message (joined, left, error)
/// data: {"device":"...","event":"left",...}
///
/// event: devices           the device list changed: how many devices and how many of them online; the records
/// data: {"online":9,"total":12}   are in /api/devices (paged), not here: at 10,000 devices the list is 3.5 MB
///
/// event: forgotten         a device was forgotten: {"device":"..."}
/// data: {...}
///
/// event: console           a console line (with status.console_to_mqtt): {"device":"...","line":"..."}
/// data: {...}
/// ```
///
/// ``record(_:)`` runs under the device registry's lock: it only appends and hands bytes to channels, which write
/// on their own event loops. A stream whose client does not read is skipped until it drains (counted).
public final class StatusFeed: Sendable {
    /// How many events are kept.
    static let eventLimit = 200
    /// How many streams may be open at once; more get 503.
    static let subscriberLimit = 64

    private struct State {
        var events = CircularBuffer<DeviceEventMessage>(initialCapacity: 16)
        var subscribers: [ObjectIdentifier: any Channel] = [:]
        var skipped = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Keeps and streams one announcement.
    func record(_ publication: StatusPublication) {
        let (subscribers, message): ([any Channel], String?) = state.withLockedValue { state in
            switch publication {
            case .event(let event):
                state.events.append(event)
                if state.events.count > Self.eventLimit { state.events.removeFirst() }
            case .availability, .deviceList, .console, .forgotten:
                break
            }
            guard !state.subscribers.isEmpty else { return ([], nil) }
            return (Array(state.subscribers.values), Self.message(for: publication))
        }
        guard let message else { return }
        for channel in subscribers {
            send(message, to: channel)
        }
    }

    /// The recent events, oldest first.
    func recentEvents() -> [DeviceEventMessage] {
        state.withLockedValue { Array($0.events) }
    }

    /// Streams from now on to `channel`, until it closes. False when too many streams are open.
    func subscribe(_ channel: any Channel) -> Bool {
        let added = state.withLockedValue { state -> Bool in
            guard state.subscribers.count < Self.subscriberLimit else { return false }
            state.subscribers[ObjectIdentifier(channel)] = channel
            return true
        }
        guard added else { return false }
        channel.closeFuture.whenComplete { [state] _ in
            state.withLockedValue { _ = $0.subscribers.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        return true
    }

    /// Closes every stream (shutdown).
    func closeAll() {
        let channels = state.withLockedValue { state -> [any Channel] in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Messages skipped for streams whose client did not keep up.
    var skippedMessages: Int { state.withLockedValue { $0.skipped } }

    private func send(_ text: String, to channel: any Channel) {
        guard channel.isWritable else {
            state.withLockedValue { $0.skipped += 1 }
            return
        }
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text))), promise: nil)
    }

    /// One server-sent event; `nil` for announcements the page does not need (availability is in the list).
    static func message(for publication: StatusPublication) -> String? {
        switch publication {
        case .event(let event):
            return frame(event: "device", data: StatusJSON.encode(event))
        case .deviceList(let records):
            // Counted here, not encoded: this runs under the registry's lock for every list change.
            let online = records.reduce(0) { $0 + ($1.online == true ? 1 : 0) }
            return frame(event: "devices", data: "{\"online\":\(online),\"total\":\(records.count)}")
        case .console(let deviceID, let line):
            return frame(event: "console", data: StatusJSON.encode(["device": deviceID, "line": line]))
        case .forgotten(let deviceID):
            return frame(event: "forgotten", data: StatusJSON.encode(["device": deviceID]))
        case .availability:
            return nil
        }
    }

    /// `event:` and `data:` lines; JSON has no raw newlines, so one `data:` line holds it.
    static func frame(event: String, data: String) -> String {
        "event: \(event)\ndata: \(data)\n\n"
    }
}
