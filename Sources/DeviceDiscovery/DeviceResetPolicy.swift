/// When the bridge resets a board through its DTR/RTS lines (the auto-reset circuit of ESP32 and NodeMCU boards).
public enum DeviceResetPolicy: String, Sendable, Hashable, CaseIterable {
    /// Never toggle the lines on purpose.
    case never
    /// Reset the board each time the tty is opened, so it starts the handshake from a known state.
    case onOpen = "on-open"
    /// Reset the board when the serial link is lost (no answer to keep-alives) while the tty stays present.
    case onLinkLoss = "on-link-loss"
}
