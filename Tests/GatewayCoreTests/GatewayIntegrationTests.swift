import Testing

/// The suites that start mosquitto and real sockets, run one after another.
///
/// Serialized as a whole because Foundation's `Process.run()` can crash while other threads open and close file
/// descriptors by the thousand (as the scale test does): no broker start may overlap the scale test.
@Suite("Gateway integration", .serialized)
struct GatewayIntegrationTests {}
