/// Latencies in microsecond buckets up to one second, plus an exact maximum; percentiles without storing samples.
///
/// Recording is an array increment, cheap enough for the collector's hot path. Latencies of a second or more all
/// land in the last bucket (they are reported through ``maximum`` anyway).
struct LatencyHistogram {
    private static let bucketCount = 1_000_000
    private var buckets = [UInt32](repeating: 0, count: bucketCount)
    private(set) var count = 0
    private(set) var maximumNanoseconds: UInt64 = 0

    mutating func record(nanoseconds: UInt64) {
        let micros = Int(min(nanoseconds / 1_000, UInt64(Self.bucketCount - 1)))
        buckets[micros] &+= 1
        count += 1
        if nanoseconds > maximumNanoseconds { maximumNanoseconds = nanoseconds }
    }

    /// The latency in microseconds below which `fraction` of the samples lie; nil without samples.
    func percentileMicroseconds(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((Double(count) * fraction).rounded(.up)))
        var seen = 0
        for (micros, bucket) in buckets.enumerated() where bucket > 0 {
            seen += Int(bucket)
            if seen >= rank { return Double(micros) + 0.5 }
        }
        return Double(maximumNanoseconds) / 1_000
    }

    var maximumMicroseconds: Double? { count > 0 ? Double(maximumNanoseconds) / 1_000 : nil }

    mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in buckets.indices where other.buckets[index] > 0 { buckets[index] &+= other.buckets[index] }
        count += other.count
        maximumNanoseconds = max(maximumNanoseconds, other.maximumNanoseconds)
    }

    mutating func reset() {
        if count > 0 { buckets = [UInt32](repeating: 0, count: Self.bucketCount) }
        count = 0
        maximumNanoseconds = 0
    }
}
