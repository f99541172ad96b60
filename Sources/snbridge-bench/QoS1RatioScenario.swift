/// The QoS 1 throughput target: 25 clients straight to mosquitto and through the bridge, in alternating rounds
/// (``AlternatingRounds``).
///
/// Target: bridged throughput at least 80% of direct.
struct QoS1RatioScenario {
    let context: BenchContext
    let clients = 25

    func run() async throws {
        let rounds = AlternatingRounds(context: context, scenario: "qos1-ratio")
        context.progress("qos1-ratio: \(clients) clients, \(rounds.rounds) alternating rounds direct / snbridge")
        let direct = try await ClientFleet.connectDirect(count: clients, context: context)
        let bridge: BridgeProcess
        do {
            bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                eventLoops: context.options.bridgeEventLoops
            )
        } catch {
            await ClientFleet.close(direct)
            throw error
        }
        var outcome: (ratios: [Double], delivered: [Double]) = ([], [])
        var failure: (any Error)?
        do {
            let publishers = try await ClientFleet.connectSN(count: clients, bridge: bridge, context: context)
            outcome = try await rounds.run(
                baseline: .init(publishers: direct, bridge: nil, path: "direct"),
                candidate: .init(publishers: publishers, bridge: bridge, path: "bridge")
            )
            await ClientFleet.close(publishers)
        } catch {
            failure = error
        }
        await ClientFleet.close(direct)
        await bridge.stop()
        if let failure { throw failure }
        rounds.summary(
            path: "bridge/direct",
            clients: clients,
            ratios: outcome.ratios,
            delivered: outcome.delivered,
            target: "QoS 1 x\(clients) >= 80% of direct",
            atLeast: 0.8
        )
    }
}
