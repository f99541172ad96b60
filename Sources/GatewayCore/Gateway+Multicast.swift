import MQTTSNTransport
import NIOCore

extension Gateway {
    /// Joins every `udp.multicast` group on its interface. On a failure the groups joined so far are left again
    /// and the error names the entry's key.
    func joinMulticastGroups() async throws -> [MulticastMembership] {
        let engine = self.engine
        guard !engine.configuration.multicast.isEmpty else {
            return []
        }
        let devices = GatewayConfiguration.networkDevices()
        var joined: [MulticastMembership] = []
        do {
            for (index, entry) in engine.configuration.multicast.enumerated() {
                let field = "udp.multicast[\(index)]"
                var configuration: UDPMulticastTransport.Configuration
                switch GatewayConfiguration.resolve(entry, field: field, devices: devices) {
                case .success(let resolved): configuration = resolved
                case .failure(let problems): throw problems.problems[0]
                }
                configuration.maximumDatagramSize = max(engine.configuration.maxMessageSize, 256) + 1
                let transport: UDPMulticastTransport
                do {
                    transport = try await UDPMulticastTransport.join(
                        configuration: configuration,
                        on: engine.eventLoop,
                        handler: self,
                        logger: engine.logger
                    )
                } catch {
                    throw GatewayConfigurationError(
                        field: field,
                        problem: "cannot join \(entry.group) port \(entry.port) on \(entry.interface): \(error)"
                    )
                }
                joined.append(MulticastMembership(transport: transport, reply: entry.reply))
            }
        } catch {
            for membership in joined {
                try? await membership.transport.close().get()
            }
            throw error
        }
        return joined
    }
}
