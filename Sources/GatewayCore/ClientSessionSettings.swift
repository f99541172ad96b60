/// The ``ClientSessionStateMachine/Settings`` of a gateway, held once and shared by reference: every session of the
/// gateway points at the same one (8 bytes a session instead of a copy of the settings in each).
final class ClientSessionSettings: Sendable {
    let value: ClientSessionStateMachine.Settings

    init(_ value: ClientSessionStateMachine.Settings) {
        self.value = value
    }
}
