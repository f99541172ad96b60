import Foundation
import NIOCore
import Synchronization

/// Connects and registers many MQTT-SN clients in transparent mode (each gets its own MQTT session upstream) and
/// measures how long that takes and how much resident memory each idle session costs the bridge.
///
/// Targets: 10,000 sessions connected in under 10 s, under 16 KiB resident memory per idle session.
struct ConnectionScaleScenario {
    let context: BenchContext

    func run() async throws {
        let count = context.options.scaleClients
        context.progress("scale: \(count) MQTT-SN clients through snbridge")
        let bridge = try await BridgeProcess.start(
            executable: context.options.snbridgePath,
            brokerPort: context.broker.port,
            maxClients: max(20_000, count * 2),
            eventLoops: context.options.bridgeEventLoops
        )
        var clients: [SNLoadClient] = []
        do {
            try await Task.sleep(for: .seconds(1))
            let before = ProcessSample.read(pid: bridge.pid)
            let gateway = try SocketAddress(ipAddress: "127.0.0.1", port: bridge.udpPort)
            clients.reserveCapacity(count)
            for index in 0..<count {
                clients.append(
                    try await SNLoadClient.make(index: index, gateway: gateway, on: context.loadGroup.next())
                )
            }
            let dropsBefore = UDPSocketDrops.count(localPort: bridge.udpPort)
            let failures = Atomic<Int>(0)
            let started = MonotonicClock.nanoseconds()
            try await ClientFleet.forEach(clients, concurrency: 500) { client in
                do {
                    try await client.connectAndRegister(keepAlive: 3_600, timeout: .seconds(5), attempts: 3)
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
            let connectSeconds = MonotonicClock.seconds(since: started)
            let connectedAt = ProcessSample.read(pid: bridge.pid)
            // Let the bridge settle (allocator caches, upstream CONNACK bookkeeping) before reading idle memory.
            try await Task.sleep(for: .seconds(context.options.quick ? 1 : 3))
            let after = ProcessSample.read(pid: bridge.pid)

            var result = ScenarioResult(scenario: "scale", path: "bridge")
            result.clients = count
            result.connectSeconds = connectSeconds
            result.failedClients = failures.load(ordering: .relaxed)
            result.droppedAtBridgeSocket = UDPSocketDrops.count(localPort: bridge.udpPort) - dropsBefore
            result.bridgeResidentBeforeBytes = before?.residentBytes
            result.bridgeResidentBytes = after?.residentBytes
            if let before, let connectedAt {
                result.bridgeCPU = connectedAt.coreShare(since: before.withTime(started))
            }
            let connected = count - (result.failedClients ?? 0)
            if let before, let after, connected > 0 {
                let perSession = Double(after.residentBytes - before.residentBytes) / Double(connected)
                result.bytesPerSession = perSession
                let memoryMet = perSession < 16_384
                let timeMet = connectSeconds < 10 && result.failedClients == 0
                result.target =
                    "\(count) sessions < 10 s: \(ResultTable.format(connectSeconds, decimals: 2)) s"
                    + "\(result.failedClients == 0 ? "" : " (\(result.failedClients!) failed)"); "
                    + "< 16 KiB/session: \(ResultTable.format(perSession / 1024, decimals: 1)) KiB"
                result.targetMet = memoryMet && timeMet && count >= 10_000
                if count < 10_000 { result.note = "fewer than the 10,000 clients of the target (--quick)" }
            }
            context.report(result)
        } catch {
            await ClientFleet.close(clients)
            await bridge.stop()
            throw error
        }
        await ClientFleet.close(clients)
        await bridge.stop()
    }
}
