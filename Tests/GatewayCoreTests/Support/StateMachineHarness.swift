import MQTTSN
import NIOCore

@testable import GatewayCore

/// Drives a ``ClientSessionStateMachine`` with a virtual clock, for table tests.
struct StateMachineHarness {
    var machine: ClientSessionStateMachine
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static let settings = ClientSessionStateMachine.Settings(
        retryInterval: .seconds(2),
        retryCount: 2,
        keepAliveGraceFactor: 1.5,
        queueLimit: 3,
        connectTimeout: .seconds(30),
        rateLimit: nil,
        maxTopicsPerClient: 3
    )

    init(
        connect: MQTTSNConnect = MQTTSNConnect(duration: 10, clientID: "sensor-1"),
        settings: ClientSessionStateMachine.Settings = StateMachineHarness.settings,
        predefined: [UInt16: String] = [7: "predefined/seven"]
    ) {
        self.machine = ClientSessionStateMachine(
            connect: connect,
            settings: ClientSessionSettings(settings),
            predefinedTopics: PredefinedTopics(global: predefined),
            now: NIODeadline.uptimeNanoseconds(1_000_000_000)
        )
    }

    /// The virtual time `seconds` after the session started.
    func at(_ seconds: Double) -> NIODeadline {
        self.start + .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    /// A machine already past CONNECT without will, active at t=0.
    static func active(
        keepAlive: UInt16 = 10,
        settings: ClientSessionStateMachine.Settings = StateMachineHarness.settings
    ) -> StateMachineHarness {
        var harness = StateMachineHarness(
            connect: MQTTSNConnect(duration: keepAlive, clientID: "sensor-1"),
            settings: settings
        )
        _ = harness.machine.upstreamConnected(now: harness.at(0))
        return harness
    }
}

extension UpstreamMessage {
    static func text(
        _ topic: String,
        _ payload: String,
        qos: UpstreamQoS = .atMostOnce,
        retain: Bool = false
    )
        -> UpstreamMessage
    {
        UpstreamMessage(topic: topic, payload: ByteBuffer(string: payload), qos: qos, retain: retain)
    }
}

extension MQTTSNPublish {
    static func text(
        _ payload: String,
        qos: MQTTSNQoS,
        topicID: UInt16,
        type: MQTTSNTopicIDType = .normal,
        messageID: UInt16 = 0,
        dup: Bool = false,
        retain: Bool = false
    ) -> MQTTSNPublish {
        MQTTSNPublish(
            dup: dup,
            qos: qos,
            retain: retain,
            topicIDType: type,
            topicID: topicID,
            messageID: messageID,
            payload: ByteBuffer(string: payload)
        )
    }
}
