import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    /// The largest packet `session`'s client can take: the smallest of `gateway.max_message_size`,
    /// `gateway.clients.<id>.max_packet_size` and what its transport carries to its address (a serial link's
    /// frame size as negotiated in HELLO).
    func maximumPacketSize(for session: ClientSession) -> Int {
        var size = self.configuration.maxMessageSize
        if !self.configuration.clients.isEmpty,
            let configured = self.configuration.clients[session.clientID]?.maxPacketSize
        {
            size = min(size, configured)
        }
        if let carried = session.transport.maximumMessageSize(for: session.address) {
            size = min(size, carried)
        }
        return size
    }

    /// Brings the session's maximum packet size up to date (a new session, a new address, a relinked device).
    func refreshMaximumPacketSize(of session: ClientSession) {
        session.machine.maximumPacketSize = self.maximumPacketSize(for: session)
    }

    /// Performs ``ClientSessionAction/deliveryDropped(_:_:size:)``: counts the message and logs it, a message too
    /// large for the client once per topic at notice level (later ones at debug level), so that a broker that
    /// keeps publishing a large retained or periodic message does not fill the log.
    func deliveryDropped(_ message: UpstreamMessage, reason: DeliveryDropReason, size: Int, for session: ClientSession)
    {
        self.metrics.dropped(reason.rawValue)
        let metadata: Logger.Metadata = [
            "client.id": "\(session.clientID)", "peer.address": "\(session.address)",
            "topic.name": "\(message.topic.debugDescription)", "message.qos": "\(message.qos.rawValue)",
            "message.size": "\(size)", "client.max_packet_size": "\(session.machine.maximumPacketSize)",
            "drop.reason": "\(reason.rawValue)",
        ]
        switch reason {
        case .tooLarge:
            if session.tooLargeTopicsLogged.insert(message.topic).inserted {
                self.logger.notice("Broker message too large for the client dropped", metadata: metadata)
            } else {
                self.logger.debug("Broker message too large for the client dropped", metadata: metadata)
            }
        case .retriesExhausted:
            self.logger.notice(
                "Broker message not acknowledged by the client after retries dropped",
                metadata: metadata
            )
        }
    }
}
