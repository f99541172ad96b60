/// One problem in a ``GatewayConfiguration``, naming the YAML key path of the field at fault.
public struct GatewayConfigurationError: Error, Hashable, CustomStringConvertible {
    /// The YAML key path, e.g. `gateway.max_clients`.
    public var field: String
    /// What is wrong, e.g. `must be at least 1`.
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `gateway.max_clients must be at least 1`.
    public var description: String {
        "\(self.field) \(self.problem)"
    }
}
