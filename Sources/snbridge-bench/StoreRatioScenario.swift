/// What the session store costs on the QoS 1 path: 25 clients with clean session off (so every session is a stored
/// one), closed loop, 32-byte payloads, through a bridge with its store in a state directory and through one with
/// `state.directory: none`, in alternation (both fleets stay connected), several rounds; judged on the median ratio.
///
/// Target: with the store, at least 90% of the throughput without it.
struct StoreRatioScenario {
    let context: BenchContext
    let clients = 25

    func run() async throws {
        let rounds = AlternatingRounds(context: context, scenario: "qos1-store")
        context.progress(
            "qos1-store: \(clients) clean-session-off clients, \(rounds.rounds) alternating rounds store / none"
        )
        let stored = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            eventLoops: context.options.bridgeEventLoops,
            clientIDPrefix: "stored-"
        )
        let memory: BridgeProcess
        do {
            memory = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                eventLoops: context.options.bridgeEventLoops,
                stateDirectory: "none",
                clientIDPrefix: "memory-"
            )
        } catch {
            await stored.stop()
            throw error
        }
        var outcome: (ratios: [Double], delivered: [Double]) = ([], [])
        var failure: (any Error)?
        do {
            let storedFleet = try await ClientFleet.connectSN(
                count: clients,
                bridge: stored,
                context: context,
                cleanSession: false
            )
            let memoryFleet = try await ClientFleet.connectSN(
                count: clients,
                bridge: memory,
                context: context,
                cleanSession: false
            )
            outcome = try await rounds.run(
                baseline: .init(publishers: memoryFleet, bridge: memory, path: "none"),
                candidate: .init(publishers: storedFleet, bridge: stored, path: "store")
            )
            await ClientFleet.close(storedFleet)
            await ClientFleet.close(memoryFleet)
        } catch {
            failure = error
        }
        await stored.stop()
        await memory.stop()
        if let failure { throw failure }

        rounds.summary(
            path: "store/none",
            clients: clients,
            ratios: outcome.ratios,
            delivered: outcome.delivered,
            target: "QoS 1 x\(clients) clean session off, store >= 90% of none",
            atLeast: 0.9
        )
    }
}
