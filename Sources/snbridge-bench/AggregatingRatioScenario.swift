/// Aggregating mode on the QoS 1 path: 25 clients through a bridge in transparent mode (25 broker sessions) and
/// through one in aggregating mode (2 shared sessions), both over MQTT 5, in alternating rounds
/// (``AlternatingRounds``).
///
/// Target: aggregating at least the transparent-mode throughput of the same run.
struct AggregatingRatioScenario {
    let context: BenchContext
    let clients = 25

    static let aggregatingYAML = "  mode: aggregating\n  aggregating: { connections: 2 }"
    static let version5YAML = "  protocol: \"5\""

    func run() async throws {
        let rounds = AlternatingRounds(context: context, scenario: "aggregating-qos1")
        context.progress(
            "aggregating-qos1: \(clients) clients, \(rounds.rounds) alternating rounds transparent / aggregating"
        )
        let transparent = try await start(prefix: "tr-", gatewayYAML: "")
        let aggregating: BridgeProcess
        do {
            aggregating = try await start(prefix: "ag-", gatewayYAML: Self.aggregatingYAML)
        } catch {
            await transparent.stop()
            throw error
        }
        var outcome: (ratios: [Double], delivered: [Double]) = ([], [])
        var failure: (any Error)?
        do {
            let perClient = try await ClientFleet.connectSN(count: clients, bridge: transparent, context: context)
            let shared = try await ClientFleet.connectSN(count: clients, bridge: aggregating, context: context)
            outcome = try await rounds.run(
                baseline: .init(publishers: perClient, bridge: transparent, path: "transparent"),
                candidate: .init(publishers: shared, bridge: aggregating, path: "aggregating")
            )
            await ClientFleet.close(perClient)
            await ClientFleet.close(shared)
        } catch {
            failure = error
        }
        await transparent.stop()
        await aggregating.stop()
        if let failure { throw failure }
        rounds.summary(
            path: "aggregating/transparent",
            clients: clients,
            ratios: outcome.ratios,
            delivered: outcome.delivered,
            target: "QoS 1 x\(clients) aggregating >= transparent",
            atLeast: 1.0
        )
    }

    private func start(prefix: String, gatewayYAML: String) async throws -> BridgeProcess {
        try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            extraYAML: "status: { client_id: \(prefix)status }",
            gatewayYAML: gatewayYAML,
            brokerYAML: Self.version5YAML,
            eventLoops: context.options.bridgeEventLoops,
            clientIDPrefix: prefix
        )
    }
}
