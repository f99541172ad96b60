extension MQTTSNForwarderEncapsulation {
    /// Checks what the wire format cannot carry: a radius above two bits, or another encapsulation inside.
    func validate() throws(MQTTSNEncodingError) {
        guard self.radius & ~Self.radiusMask == 0 else {
            throw .invalidRadius(self.radius)
        }
        if case .forwarderEncapsulation = self.message {
            throw .nestedForwarderEncapsulation
        }
    }
}
