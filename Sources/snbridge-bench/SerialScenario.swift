/// Serial: frames per second and CPU per frame for many simulated devices on pseudo-terminal pairs at 115200-baud
/// line rate each. Placeholder until `snbridge run` reads `serial.ports`.
struct SerialScenario {
    let context: BenchContext

    func run() async throws {
        var result = ScenarioResult(scenario: "serial", path: "serial")
        result.clients = context.options.serialDevices
        result.target = "\(context.options.serialDevices) devices at 115200 baud < 10% of a core: not measured"
        result.note = "snbridge run does not read serial.ports yet"
        context.report(result)
    }
}
