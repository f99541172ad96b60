/// Settings every scenario reads, from the command line.
struct BenchOptions: Sendable {
    var quick: Bool
    var snbridgePath: String
    var simdevicePath: String
    var jsonOutput: String?
    /// Offered rate of the fixed-rate throughput runs, all clients together.
    var offeredRate: Double
    /// Outstanding messages per client in closed-loop runs.
    var window: Int
    var clientCounts: [Int]
    var qosLevels: [Int]
    var payloadSizes: [Int]
    var modes: [PublishRun.Mode]
    var scaleClients: Int
    var serialDevices: Int
    /// `serial.read_batching` for the serial scenario; nil leaves snbridge's default.
    var serialReadBatching: String?

    /// Overrides the measurement window (e.g. to attach a profiler for longer).
    var measureSecondsOverride: Double?
    /// Event loops of snbridge's NIO group (NIO_SINGLETON_GROUP_LOOP_COUNT); nil leaves NIO's default (one per core).
    var bridgeEventLoops: Int?
    /// Sessions the store scenario stores and restores.
    var restoreSessions: Int = 10_000
    /// Clients of the aggregating-scale scenario.
    var aggregatingClients: Int = 100_000

    var warmupSeconds: Double { quick ? 0.3 : 1 }
    var measureSeconds: Double { measureSecondsOverride ?? (quick ? 1.5 : 5) }
    var latencySeconds: Double { quick ? 2 : 10 }
}
