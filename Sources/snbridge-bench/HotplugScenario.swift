/// Hotplug: a USB-serial device added (umockdev) to its first message upstream.
///
/// Not measured yet: `snbridge run` does not start DeviceDiscovery (nor serial ports) in this revision, so there is
/// nothing to hot-plug into. Reported as a row saying so, to keep the target visible.
struct HotplugScenario {
    let context: BenchContext

    func run() async throws {
        var result = ScenarioResult(scenario: "hotplug", path: "serial")
        result.target = "hotplug add to first message < 1 s: not measured"
        result.note = "snbridge run does not run device discovery yet; nothing to hot-plug into"
        context.report(result)
    }
}
