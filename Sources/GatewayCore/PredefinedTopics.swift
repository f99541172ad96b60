/// Predefined topic ids in both directions, built once from configuration.
final class PredefinedTopics: Sendable {
    private let namesByID: [UInt16: String]
    private let idsByName: [String: UInt16]

    /// `clientSpecific` entries take precedence over `global` ones.
    init(global: [UInt16: String], clientSpecific: [UInt16: String] = [:]) {
        let merged = global.merging(clientSpecific) { _, client in client }
        self.namesByID = merged
        var idsByName: [String: UInt16] = [:]
        for (id, name) in merged.sorted(by: { $0.key < $1.key }) where idsByName[name] == nil {
            idsByName[name] = id
        }
        self.idsByName = idsByName
    }

    func name(for id: UInt16) -> String? { self.namesByID[id] }
    func id(for name: String) -> UInt16? { self.idsByName[name] }
}
