import Logging
import MQTTSN
import MQTTSNTransport
import NIOCore

extension GatewayEngine {
    /// Answers a message that failed to decode when its type and message id say what the client waits for
    /// (``ClientRefusal/init(undecodable:error:)``). Returns `false` when there is nothing to answer: the caller
    /// then counts and logs it as malformed.
    func refuseUndecodable(
        _ bytes: ByteBuffer,
        error: MQTTSNDecodingError,
        from address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport
    ) -> Bool {
        guard let header = MQTTSNMessageHeader(peeking: bytes),
            let refusal = ClientRefusal(undecodable: header, error: error)
        else {
            return false
        }
        let now = self.eventLoop.now
        switch header.type {
        case .connect, .pingRequest:
            // Answered whoever sends them: neither needs a session.
            self.refused(refusal, error: error, to: address, via: transport, clientID: nil)
            return true
        default:
            break
        }
        guard let session = self.session(for: address) else {
            self.metrics.malformed()
            self.unknownClient(header.type, from: address, via: transport)
            return true
        }
        if let outOfOrder = session.machine.refuseOutOfOrder(header.type, now: now) {
            self.perform(outOfOrder, for: session)
            return true
        }
        switch header.type {
        case .willTopic:
            self.perform(session.machine.willTopicRefused(refusal.reason, now: now), for: session)
        default:
            session.machine.heard(at: now)
            self.refused(refusal, error: error, to: session.address, via: session.transport, clientID: session.clientID)
        }
        return true
    }

    /// Sends a refusal's answer, counts its reason and logs it: a notice at most once per second (with how many
    /// were held back), the rest at debug level.
    func refused(
        _ refusal: ClientRefusal,
        error: (any Error)? = nil,
        to address: MQTTSNClientAddress,
        via transport: any MQTTSNTransport,
        clientID: String?
    ) {
        self.metrics.refused(refusal.reason.rawValue)
        var metadata: Logger.Metadata = [
            "peer.address": "\(address)",
            "refusal.reason": "\(refusal.reason.rawValue)",
            "refusal.answer": "\(refusal.answer.messageType)",
        ]
        if let clientID {
            metadata["client.id"] = "\(clientID.debugDescription)"
        }
        if let error {
            metadata["error.description"] = "\(error)"
        }
        self.throttledNotice("MQTT-SN message refused", metadata: metadata)
        self.send(refusal.answer, to: address, via: transport)
    }

    /// Logs a refusal or a drop at notice level at most once per second (saying how many were held back since),
    /// the others at debug level, so that a misbehaving client cannot flood the log.
    func throttledNotice(_ message: Logger.Message, metadata: Logger.Metadata) {
        if self.refusalWarnings.admit() {
            var metadata = metadata
            metadata["refusal.suppressed"] = "\(self.refusalWarnings.suppressed)"
            self.refusalWarnings.resetSuppressed()
            self.logger.notice(message, metadata: metadata)
        } else {
            self.logger.debug(message, metadata: metadata)
        }
    }

    /// Performs ``ClientSessionAction/refuse(_:endsSession:)``.
    func performRefusal(_ refusal: ClientRefusal, endsSession: Bool, for session: ClientSession) {
        self.refused(refusal, to: session.address, via: session.transport, clientID: session.clientID)
        guard endsSession else {
            return
        }
        session.upstream?.closeAbruptly().whenComplete { _ in }
        self.removeSession(session)
    }
}
