/// When the gateway pulses a board's reset through DTR/RTS.
public enum SerialPortResetPolicy: String, Hashable, Sendable, CaseIterable {
    /// Never touch the reset lines beyond holding them in their idle state.
    case never
    /// Reset the board once when the port is opened, so it starts with a fresh HELLO.
    case onOpen
    /// Reset the board whenever the link is lost (a hung device gets restarted).
    case onLinkLoss
}
