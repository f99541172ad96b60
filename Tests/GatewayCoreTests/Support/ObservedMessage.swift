/// A message the observer saw at the broker.
struct ObservedMessage: Sendable, Hashable {
    var topic: String
    var payload: String
    var qos: Int
    var retain: Bool
}
