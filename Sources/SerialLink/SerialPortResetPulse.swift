import NIOCore

/// A sequence of DTR/RTS states, each held for a while, driving the auto-reset circuit of USB-serial boards.
///
/// ESP32/ESP8266 dev boards wire the two lines through a transistor pair:
///
/// ```
///  DTR RTS | EN (reset)  GPIO0 (boot mode)
///   0   0  |  high        high     run
///   1   1  |  high        high     run   (both asserted cancel out: opening a port does not reset)
///   0   1  |  LOW         high     held in reset
///   1   0  |  high        LOW      boot strap pin low: download mode if EN rises now
/// ```
public struct SerialPortResetPulse: Hashable, Sendable {
    public struct Step: Hashable, Sendable {
        public var dataTerminalReady: Bool
        public var requestToSend: Bool
        public var hold: TimeAmount

        public init(dataTerminalReady: Bool, requestToSend: Bool, hold: TimeAmount) {
            self.dataTerminalReady = dataTerminalReady
            self.requestToSend = requestToSend
            self.hold = hold
        }
    }

    public var steps: [Step]

    public init(steps: [Step]) {
        self.steps = steps
    }

    /// esptool's hard reset: EN low for 100 ms with GPIO0 high, so the board restarts into its firmware.
    public static let hardReset = SerialPortResetPulse(steps: [
        Step(dataTerminalReady: false, requestToSend: true, hold: .milliseconds(100)),
        Step(dataTerminalReady: false, requestToSend: false, hold: .zero),
    ])

    /// esptool's classic reset: DTR=false,RTS=true (100 ms), DTR=true,RTS=false (50 ms), DTR=false. GPIO0 is low
    /// when EN rises, so an ESP32 starts its ROM download mode, not the firmware: only for flashing tools.
    public static let esptoolBootloaderEntry = SerialPortResetPulse(steps: [
        Step(dataTerminalReady: false, requestToSend: true, hold: .milliseconds(100)),
        Step(dataTerminalReady: true, requestToSend: false, hold: .milliseconds(50)),
        Step(dataTerminalReady: false, requestToSend: false, hold: .zero),
    ])
}
