/// Serial: simulated devices on pseudo-terminal pairs, each publishing QoS 0 frames at 115200-baud line rate
/// (11,520 bytes/s of frames), all at once; frames per second delivered to the subscriber and the bridge's CPU per
/// frame.
///
/// Target: 32 devices at line rate using under 10% of one core.
struct SerialScenario {
    let context: BenchContext
    let lineBytesPerSecond = 11_520.0
    let payloadSize = 32

    func run() async throws {
        let count = context.options.serialDevices
        context.progress("serial: \(count) simulated devices on pseudo-terminals through snbridge")
        var devices: [SimulatedSerialDevice] = []
        for index in 0..<count {
            devices.append(try await SimulatedSerialDevice.make(index: index, on: context.loadGroup.next()))
        }
        let ports = devices.map { "    - path: \($0.path)\n      baud: 115200" }.joined(separator: "\n")
        let bridge: BridgeProcess
        do {
            bridge = try await BridgeProcess.start(
                executable: context.options.snbridgePath,
                brokerPort: context.broker.port,
                extraYAML: "serial:\n"
                    + (context.options.serialReadBatching.map { "  read_batching: \($0)\n" } ?? "")
                    + "  ports:\n\(ports)",
                eventLoops: context.options.bridgeEventLoops
            )
        } catch {
            for device in devices { await device.close() }
            throw error
        }
        do {
            try await ClientFleet.forEach(devices, concurrency: devices.count) { try await $0.linkConnectAndRegister() }
            let frameBytes = devices.first?.frameBytes(payloadSize: payloadSize) ?? 1
            let perDevice = lineBytesPerSecond / Double(frameBytes)
            let run = PublishRun(runID: context.makeRunID(), qos: 0, payloadSize: payloadSize, mode: .paced, window: 0)
            let measurement = LoadMeasurement(
                context: context,
                publishers: devices,
                run: run,
                offeredRate: perDevice * Double(count),
                bridge: bridge,
                seconds: context.options.measureSeconds * 2,
                warmupSeconds: context.options.warmupSeconds
            )
            var result = try await measurement.measure(scenario: "serial", path: "serial")
            result.droppedAtBridgeSocket = nil
            result.framesPerSecond = result.deliveredPerSecond
            if let cpu = result.bridgeCPU, let frames = result.deliveredPerSecond, frames > 0 {
                result.cpuMicrosecondsPerFrame = cpu * 1e6 / frames
                result.target =
                    "\(count) devices at 115200 baud < 10% of a core: \(ResultTable.format(cpu * 100, decimals: 1))% "
                    + "(\(ResultTable.format(cpu * 1e6 / frames, decimals: 1)) µs/frame, \(frameBytes)-byte frames, "
                    + "read_batching \(context.options.serialReadBatching ?? "default"))"
                result.targetMet = cpu < 0.10 && count >= 32 && (result.lost ?? 0) == 0
            }
            context.report(result)
        } catch {
            await bridge.stop()
            for device in devices { await device.close() }
            throw error
        }
        await bridge.stop()
        for device in devices { await device.close() }
    }
}
