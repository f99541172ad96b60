extension Gateway {
    /// Gives the clients of one serial device an extra upstream client id prefix (a discovery rule's
    /// `client_id_prefix`), placed after `broker.client_id_prefix`: `<broker prefix><device prefix><client id>`.
    /// `nil` removes it. Applies to sessions that connect from then on.
    ///
    /// - Parameter device: the device name in ``MQTTSNClientAddress/serial(device:wirelessNodeID:)``.
    public func setClientIDPrefix(_ prefix: String?, forDevice device: String) {
        let engine = self.engine
        engine.eventLoop.execute {
            engine.deviceClientIDPrefixes[device] = prefix
        }
    }
}
