import MQTTSNTransport

extension Gateway {
    /// A transport lost its link to a device (a serial board unplugged, or its link gone silent): every client
    /// session on that device, the device's own and those of radio nodes behind it, is lost at once and the broker
    /// publishes its will, without waiting for the keepalive to run out.
    ///
    /// - Parameter device: the device name in ``MQTTSNClientAddress/serial(device:wirelessNodeID:)``.
    public func linkLost(device: String) {
        let engine = self.engine
        engine.eventLoop.execute {
            let lost = engine.sessions.values.filter { session in
                guard case .serial(let sessionDevice, _) = session.address else { return false }
                return sessionDevice == device
            }
            for session in lost {
                engine.sessionLost(session, reason: .linkLost)
            }
            engine.flushPendingWrites()
        }
    }
}
