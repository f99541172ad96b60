/// Why a link that was up went down.
public struct SerialLinkLossReason: Hashable, Sendable, CustomStringConvertible {
    enum Code: Hashable, Sendable {
        case silence
        case deviceRestarted
        case resetByGateway
        case channelClosed
    }

    let code: Code

    /// No valid frame for the silence limit: the device is hung or unplugged.
    public static let silence = SerialLinkLossReason(code: .silence)
    /// The device said HELLO while linked: it rebooted or lost the link on its side.
    public static let deviceRestarted = SerialLinkLossReason(code: .deviceRestarted)
    /// The gateway sent RESET.
    public static let resetByGateway = SerialLinkLossReason(code: .resetByGateway)
    /// The serial port closed (device unplugged, far end of a pseudo-terminal closed, read error).
    public static let channelClosed = SerialLinkLossReason(code: .channelClosed)

    public var description: String {
        switch self.code {
        case .silence: "no frame from the device within the link silence limit"
        case .deviceRestarted: "device sent HELLO while linked"
        case .resetByGateway: "gateway reset the link"
        case .channelClosed: "serial port closed"
        }
    }
}
