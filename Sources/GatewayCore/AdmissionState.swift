import NIOCore

/// The gateway-wide part of admission: parsed source prefixes per client, new-session buckets and held-session
/// counts per source prefix, and one log throttle per refusal reason. Confined to the gateway's event loop.
struct AdmissionState: Sendable {
    /// `gateway.clients.<id>.allowed_sources`, parsed.
    let allowedSources: [String: [SourceAddressPrefix]]
    /// New-session token buckets by source prefix; cleared when it grows past ``bucketLimit`` (a spoofed flood).
    var newSessionBuckets: [SourcePrefixKey: TokenBucket] = [:]
    /// Sessions held by source prefix.
    var sessionsBySource: [SourcePrefixKey: Int] = [:]
    var refusalWarnings: [ConnectRefusal: WarningThrottle] = [:]
    var accessWarnings = WarningThrottle()
    var budgetWarnings = WarningThrottle()

    static let bucketLimit = 65_536

    init(configuration: GatewayConfiguration) {
        var allowedSources: [String: [SourceAddressPrefix]] = [:]
        for (clientID, client) in configuration.clients where !client.allowedSources.isEmpty {
            allowedSources[clientID] = client.allowedSources.compactMap(SourceAddressPrefix.init)
        }
        self.allowedSources = allowedSources
    }
}
