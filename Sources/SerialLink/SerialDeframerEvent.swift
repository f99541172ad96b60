/// What the deframer makes of the byte stream from a device.
public enum SerialDeframerEvent: Hashable, Sendable {
    /// A frame that passed COBS, size, CRC and type checks.
    case frame(SerialFrame)
    /// A line of console text printed outside frames (debug output, ROM boot messages).
    case consoleLine(String)
    /// A segment in frame position that failed a check; counted and dropped.
    case badFrame(SerialFrameError)
}
