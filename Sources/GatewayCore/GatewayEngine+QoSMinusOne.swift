import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    /// The gateway's own upstream session, used for QoS -1 publishes.
    var gatewayUpstreamClientID: String {
        "\(self.configuration.upstream.clientIDPrefix)snbridge-gateway-\(self.configuration.gatewayID)"
    }

    /// Opens the shared session (once). It reconnects on its own, so QoS -1 keeps working across broker restarts.
    func startGatewayUpstream() -> EventLoopFuture<Void> {
        if let connected = self.gatewayUpstreamConnected {
            return connected
        }
        let upstream = self.upstreamFactory.makeSession(
            parameters: UpstreamSessionParameters(
                clientID: self.gatewayUpstreamClientID,
                cleanSession: true,
                keepAlive: self.configuration.upstream.keepAlive,
                username: self.configuration.upstream.username,
                password: self.configuration.upstream.password,
                reconnects: true
            ),
            events: UpstreamSessionEvents(message: { _, _ in }, connectionLost: {})
        )
        self.gatewayUpstream = upstream
        let connected = upstream.connect().map { _ in }.hop(to: self.eventLoop)
        self.gatewayUpstreamConnected = connected
        connected.whenFailure { [self] error in
            self.logger.error(
                "Gateway upstream session for QoS -1 could not connect",
                metadata: ["error.description": "\(error)"]
            )
            // Try again with the next QoS -1 message.
            self.gatewayUpstreamConnected = nil
            self.gatewayUpstream = nil
        }
        return connected
    }

    /// A PUBLISH with QoS -1: no session, predefined topic ids (global ones) and short names only, never answered.
    func qosMinusOnePublishReceived(_ publish: MQTTSNPublish, from address: MQTTSNClientAddress) {
        guard self.configuration.qosMinusOne.enabled else {
            self.metrics.dropped("qos_minus_one_disabled")
            self.throttledNotice(
                "QoS -1 publish dropped: gateway.qos_minus_one.enabled is off",
                metadata: ["peer.address": "\(address)", "drop.reason": "qos_minus_one_disabled"]
            )
            return
        }
        if !self.qosMinusOneSources.isEmpty, let socketAddress = address.socketAddress,
            !self.qosMinusOneSources.contains(where: { $0.contains(socketAddress) })
        {
            self.metrics.dropped("qos_minus_one_refused")
            self.throttledNotice(
                "QoS -1 publish from a source not allowed",
                metadata: ["peer.address": "\(address)", "drop.reason": "qos_minus_one_refused"]
            )
            return
        }
        let topic: String?
        switch publish.topicIDType {
        case .predefined: topic = self.globalPredefinedTopics.name(for: publish.topicID)
        case .shortName: topic = MQTTSNShortTopicName(rawValue: publish.topicID).name
        case .normal:
            // The non-standard "extended" form some samples send: a normal topic id only means something inside
            // the session that registered it, and QoS -1 has none.
            self.metrics.dropped("qos_minus_one_normal_topic_id")
            self.throttledNotice(
                "QoS -1 publish with a normal topic id dropped: without a session only predefined topic ids and short names can be used",
                metadata: [
                    "peer.address": "\(address)", "topic.id": "\(publish.topicID)",
                    "drop.reason": "qos_minus_one_normal_topic_id",
                ]
            )
            return
        }
        guard let topic, ClientSessionStateMachine.isValidTopicName(topic) else {
            self.metrics.dropped("qos_minus_one_invalid_topic")
            self.throttledNotice(
                "QoS -1 publish with an unknown topic dropped",
                metadata: [
                    "peer.address": "\(address)", "topic.id": "\(publish.topicID)",
                    "drop.reason": "qos_minus_one_invalid_topic",
                ]
            )
            return
        }
        let message = UpstreamMessage(topic: topic, payload: publish.payload, qos: .atMostOnce, retain: publish.retain)
        self.startGatewayUpstream().whenSuccess { [self] in
            guard let upstream = self.gatewayUpstream else { return }
            self.publishUnacknowledged(message, via: upstream, clientID: self.gatewayUpstreamClientID)
            self.flushPendingWrites()
        }
    }
}
