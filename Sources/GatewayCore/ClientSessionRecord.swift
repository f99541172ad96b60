import DequeModule
import MQTTSN
import NIOCore

/// The stored form of a ``ClientSessionStateMachine``: everything a session that outlives its connection needs
/// after a restart, and nothing that only makes sense in one process (deadlines, rate-limit tokens, I/O handles).
///
/// It is `Codable` and versioned (``currentVersion``): a store keeps it as an opaque blob keyed by client id, and a
/// blob with an unknown version is refused rather than misread. Restoring (``ClientSessionStateMachine/init(restoring:settings:predefinedTopics:now:)``)
/// gives a session whose upstream is not open yet; the in-flight message is sent again (with DUP) once it is.
struct ClientSessionRecord: Codable, Hashable, Sendable {
    /// What the client was doing; the connect exchange is never stored (there is no session yet).
    enum State: Codable, Hashable, Sendable {
        case active
        case asleep(duration: UInt16)
        /// Clean session off, waiting for the client's next CONNECT.
        case disconnected
    }

    /// A downlink message the client had not acknowledged yet.
    struct InFlight: Codable, Hashable, Sendable {
        var message: UpstreamMessage
        var messageID: UInt16
        var stage: ClientSessionStateMachine.InFlight.Stage
        /// The topic id and type the PUBLISH used (after REGISTER, or predefined, or a short name).
        var topicIDType: UInt8
        var topicID: UInt16
    }

    static let currentVersion = 1

    var version: Int = Self.currentVersion
    var clientID: String
    var state: State
    var cleanSession: Bool
    var keepAlive: UInt16
    var will: UpstreamMessage?
    /// Assigned topic ids (predefined ones come from the configuration) and where the next search starts.
    var topicIDs: [UInt16: String]
    var nextTopicID: UInt16
    var subscriptions: [String: UpstreamQoS]
    var queue: [UpstreamMessage]
    var inFlight: InFlight?
    var nextMessageID: UInt16
    /// QoS 2 message ids acknowledged with PUBREC, waiting for PUBREL (uplink dedup).
    var awaitingRelease: [UInt16]
}

extension ClientSessionStateMachine {
    /// The session's stored form, or `nil` when there is nothing to keep yet (connect exchange, closed).
    var record: ClientSessionRecord? {
        let state: ClientSessionRecord.State
        switch self.state {
        case .active: state = .active
        case .asleep(let duration), .awake(let duration): state = .asleep(duration: duration)
        case .disconnected: state = .disconnected
        case .awaitingWillTopic, .awaitingWillMessage, .connectingUpstream:
            // A kept session reconnecting is stored as it was; a new one has nothing to keep yet.
            guard self.isReconnecting else { return nil }
            state = .disconnected
        case .closed: return nil
        }
        var inFlight: ClientSessionRecord.InFlight?
        if let current = self.inFlight {
            var topicIDType = MQTTSNTopicIDType.normal
            var topicID: UInt16 = 0
            switch current.packet {
            case .publish(let publish):
                topicIDType = publish.topicIDType
                topicID = publish.topicID
            case .register(let register):
                topicID = register.topicID
            default:
                if case .registering(let id) = current.stage { topicID = id }
            }
            inFlight = ClientSessionRecord.InFlight(
                message: current.message,
                messageID: current.messageID,
                stage: current.stage,
                topicIDType: topicIDType.rawValue,
                topicID: topicID
            )
        }
        return ClientSessionRecord(
            clientID: self.clientID,
            state: state,
            cleanSession: self.cleanSession,
            keepAlive: self.keepAlive,
            will: self.will,
            topicIDs: self.registry.assigned,
            nextTopicID: self.registry.nextAssignedID,
            subscriptions: self.subscriptions,
            queue: self.queue.map(\.message),
            inFlight: inFlight,
            nextMessageID: self.nextMessageID,
            awaitingRelease: self.awaitingRelease.sorted()
        )
    }

    /// A session restored from its stored form. Its upstream session is not open: ``start()`` opens it, and once
    /// it is up the subscriptions are restored and the delivery resumes (the in-flight message again, with DUP).
    init(
        restoring record: ClientSessionRecord,
        settings: ClientSessionSettings,
        predefinedTopics: PredefinedTopics,
        now: NIODeadline
    ) {
        self.clientID = record.clientID
        self.sharedSettings = settings
        let settings = settings.value
        switch record.state {
        case .active: self.state = .active
        case .asleep(let duration): self.state = .asleep(duration: duration)
        case .disconnected: self.state = .disconnected
        }
        self.upstream = .idle
        self.cleanSession = record.cleanSession
        self.keepAlive = record.keepAlive
        self.will = record.will
        self.lastHeard = now
        self.registry = TopicRegistry(
            limit: settings.maxTopicsPerClient,
            predefined: predefinedTopics,
            assigned: record.topicIDs,
            nextID: record.nextTopicID
        )
        self.subscriptions = record.subscriptions
        self.queue = Deque(record.queue.map { Downlink(message: $0) })
        self.nextMessageID = record.nextMessageID
        self.awaitingRelease = Set(record.awaitingRelease)
        self.rateLimiter = Self.makeRateLimiter(settings, now: now)
        if let stored = record.inFlight {
            let packet: MQTTSNPacket
            switch stored.stage {
            case .registering(let topicID):
                packet = .register(
                    MQTTSNRegister(topicID: topicID, messageID: stored.messageID, topicName: stored.message.topic)
                )
            case .awaitingPublishAck, .awaitingPublishReceived:
                packet = .publish(
                    MQTTSNPublish(
                        dup: true,
                        qos: stored.message.qos.mqttsnQoS,
                        retain: stored.message.retain,
                        topicIDType: MQTTSNTopicIDType(rawValue: stored.topicIDType) ?? .normal,
                        topicID: stored.topicID,
                        messageID: stored.messageID,
                        payload: stored.message.payload
                    )
                )
            case .awaitingPublishComplete:
                packet = .publishRelease(MQTTSNPublishRelease(messageID: stored.messageID))
            }
            // Due at once: the client gets it again as soon as the session runs.
            self.inFlight = InFlight(
                downlink: Downlink(message: stored.message),
                messageID: stored.messageID,
                stage: stored.stage,
                packet: packet,
                retransmissions: 0,
                deadline: now
            )
        }
    }
}
