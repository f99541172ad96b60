/// Two configurations compared the robust way: both fleets stay connected and are measured in alternation,
/// several rounds, and the comparison is judged on the median of the rounds' ratios, because a single pair of
/// windows on a shared 2-core machine moves by ±30%.
///
/// ```
///  round 1:  baseline ─▶ candidate      ratio₁ = candidate₁ / baseline₁
///  round 2:  baseline ─▶ candidate      ratio₂
///  ...                                  judged on median(ratio₁ ... ratioₙ)
/// ```
///
/// Each measurement is QoS 1, closed loop, 32-byte payloads (``PublishRun/closedLoopQoS1(_:)``) and is reported as
/// its own row; ``summary(path:clients:ratios:delivered:target:atLeast:)`` adds the row the target is judged on.
struct AlternatingRounds {
    /// One side of the comparison: its clients, the bridge they go through (`nil`: straight to mosquitto) and the
    /// `path` its rows are reported under.
    struct Lane {
        let publishers: [any LoadPublisher]
        let bridge: BridgeProcess?
        let path: String
    }

    let context: BenchContext
    let scenario: String

    var rounds: Int { context.options.quick ? 2 : 5 }

    /// Every round's candidate/baseline ratio, and the candidate's delivered/s, in round order.
    func run(baseline: Lane, candidate: Lane) async throws -> (ratios: [Double], delivered: [Double]) {
        var ratios: [Double] = []
        var delivered: [Double] = []
        for _ in 0..<rounds {
            let base = try await measure(baseline)
            let result = try await measure(candidate)
            if let c = result.deliveredPerSecond, let b = base.deliveredPerSecond, b > 0 {
                ratios.append(c / b)
                delivered.append(c)
            }
        }
        return (ratios, delivered)
    }

    /// One measurement of `lane`, reported.
    func measure(_ lane: Lane) async throws -> ScenarioResult {
        let measurement = LoadMeasurement(
            context: context,
            publishers: lane.publishers,
            run: .closedLoopQoS1(context),
            offeredRate: nil,
            bridge: lane.bridge,
            seconds: context.options.quick ? 1.5 : 3,
            warmupSeconds: context.options.warmupSeconds
        )
        let result = try await measurement.measure(scenario: scenario, path: lane.path)
        context.report(result)
        return result
    }

    /// Reports the row the target is judged on: `target` followed by the median and every round's ratio, met when
    /// the median is at least `atLeast`.
    func summary(
        path: String,
        clients: Int,
        ratios: [Double],
        delivered: [Double]?,
        target: String,
        atLeast threshold: Double
    ) {
        var summary = ScenarioResult(scenario: scenario, path: path)
        summary.clients = clients
        summary.qos = 1
        summary.payloadBytes = 32
        summary.mode = "closed"
        summary.window = context.options.window
        let median = Self.median(ratios)
        summary.deliveredPerSecond = delivered.map(Self.median)
        summary.target =
            "\(target): median \(ResultTable.format(median * 100, decimals: 0))% of \(ratios.count) rounds ("
            + ratios.map { ResultTable.format($0 * 100, decimals: 0) + "%" }.joined(separator: ", ") + ")"
        summary.targetMet = median >= threshold
        context.report(summary)
    }

    /// The middle value; the mean of the two middle values for an even count.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
