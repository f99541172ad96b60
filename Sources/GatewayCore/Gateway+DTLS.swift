import Logging
import MQTTSNDTLS
import MQTTSNTransport
import NIOCore

extension Gateway {
    /// Binds the listeners of ``GatewayConfiguration/dtls`` on the gateway's loop and registers them as transports.
    func startDTLSListeners() async throws -> [SocketAddress] {
        let engine = self.engine
        guard let dtls = engine.configuration.dtls else {
            return []
        }
        var bound: [SocketAddress] = []
        for (index, listener) in dtls.listeners.enumerated() {
            guard let hostAndPort = HostAndPort(listener, defaultPort: DTLSTransport.defaultPort) else {
                throw GatewayConfigurationError(
                    field: "udp.dtls.listeners[\(index)]",
                    problem: "must be host:port, not '\(listener)'"
                )
            }
            let transport: DTLSTransport
            do {
                transport = try await DTLSTransport.bind(
                    configuration: .init(
                        host: hostAndPort.host,
                        port: hostAndPort.port,
                        preSharedKeys: dtls.preSharedKeys,
                        certificates: dtls.certificates,
                        maximumDatagramSize: max(engine.configuration.maxMessageSize, 256) + 1,
                        handshakeTimeout: dtls.handshakeTimeout
                    ),
                    on: engine.eventLoop,
                    handler: self,
                    dropped: { reason in engine.metrics.dropped(reason) },
                    logger: engine.logger
                ).get()
            } catch {
                throw GatewayConfigurationError(
                    field: "udp.dtls.listeners[\(index)]",
                    problem: "cannot start \(listener): \(error)"
                )
            }
            try await engine.eventLoop.submit { engine.transports.append(transport) }.get()
            engine.logger.info(
                "MQTT-SN DTLS listener started",
                metadata: ["listener.address": "\(transport.localAddress)"]
            )
            bound.append(transport.localAddress)
        }
        return bound
    }

    /// Closes the DTLS listeners (at shutdown).
    func closeDTLSListeners() async {
        let engine = self.engine
        let listeners =
            (try? await engine.eventLoop.submit { () -> [DTLSTransport] in
                let listeners = engine.transports.compactMap { $0 as? DTLSTransport }
                engine.transports.removeAll { $0 is DTLSTransport }
                return listeners
            }.get()) ?? []
        for listener in listeners {
            try? await listener.close().get()
        }
    }
}
