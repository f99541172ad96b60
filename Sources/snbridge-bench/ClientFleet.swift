import NIOCore

/// Creates, connects and closes many generated clients at once, with a bound on how many handshakes are
/// outstanding so a burst of CONNECTs does not overflow the bridge's socket buffer.
enum ClientFleet {
    /// `count` MQTT-SN clients spread round robin over the load event loops, each connected and its topic
    /// registered; throws if any client could not be set up.
    static func connectSN(
        count: Int,
        bridge: BridgeProcess,
        context: BenchContext,
        concurrency: Int = 200,
        keepAlive: UInt16 = 3_600,
        cleanSession: Bool = true
    ) async throws -> [SNLoadClient] {
        let gateway = try SocketAddress(ipAddress: "127.0.0.1", port: bridge.udpPort)
        var clients: [SNLoadClient] = []
        clients.reserveCapacity(count)
        for index in 0..<count {
            clients.append(try await SNLoadClient.make(index: index, gateway: gateway, on: context.loadGroup.next()))
        }
        try await forEach(clients, concurrency: concurrency) { client in
            try await client.connectAndRegister(
                keepAlive: keepAlive,
                timeout: .seconds(5),
                attempts: 3,
                cleanSession: cleanSession
            )
        }
        return clients
    }

    /// `count` clients over DTLS to the bridge's DTLS listener on `port`, client `i` with pre-shared key `keys[i]`.
    static func connectSNOverDTLS(
        count: Int,
        port: Int,
        keys: [[UInt8]],
        bridge: BridgeProcess,
        context: BenchContext,
        keepAlive: UInt16 = 3_600
    ) async throws -> [SNLoadClient] {
        let gateway = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        var clients: [SNLoadClient] = []
        clients.reserveCapacity(count)
        for index in 0..<count {
            clients.append(
                try await SNLoadClient.makeDTLS(
                    index: index,
                    gateway: gateway,
                    key: keys[index],
                    on: context.loadGroup.next()
                )
            )
        }
        try await forEach(clients, concurrency: 25) { client in
            try await client.connectAndRegister(keepAlive: keepAlive, timeout: .seconds(5), attempts: 3)
        }
        return clients
    }

    /// `indexOffset` puts the clients in the collector's direct lane when it is ``MessageCollector/directLaneBit``.
    static func connectDirect(
        count: Int,
        context: BenchContext,
        indexOffset: Int = 0
    ) async throws -> [DirectLoadClient] {
        let clients = (0..<count).map {
            DirectLoadClient(
                index: indexOffset | $0,
                brokerPort: context.broker.port,
                eventLoop: context.loadGroup.next(),
                logger: context.logger
            )
        }
        try await forEach(clients, concurrency: 100) { try await $0.connect() }
        return clients
    }

    static func close(_ clients: [SNLoadClient]) async {
        await withTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.close() } }
        }
    }

    static func close(_ clients: [DirectLoadClient]) async {
        await withTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.close() } }
        }
    }

    /// Runs `body` for every element with at most `concurrency` running at once; the first failure is rethrown
    /// after the others finished.
    static func forEach<Element: Sendable>(
        _ elements: [Element],
        concurrency: Int,
        _ body: @escaping @Sendable (Element) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = elements.makeIterator()
            for _ in 0..<concurrency {
                guard let element = iterator.next() else { break }
                group.addTask { try await body(element) }
            }
            while try await group.next() != nil {
                if let element = iterator.next() {
                    group.addTask { try await body(element) }
                }
            }
        }
    }
}
