import NIOCore

/// Streaming COBS encoder writing straight into a ByteBuffer: each block's code byte is reserved when the block
/// starts and patched when it ends, so nothing is buffered on the side.
struct COBSEncoder {
    private var codeIndex: Int
    private var code: UInt8 = 1

    init(out: inout ByteBuffer) {
        codeIndex = out.writerIndex
        out.writeInteger(UInt8(0))
    }

    mutating func append(_ byte: UInt8, to out: inout ByteBuffer) {
        if byte == 0 {
            closeBlock(&out)
            return
        }
        out.writeInteger(byte)
        code += 1
        if code == 0xFF { closeBlock(&out) }
    }

    mutating func finish(_ out: inout ByteBuffer) {
        out.setInteger(code, at: codeIndex)
    }

    private mutating func closeBlock(_ out: inout ByteBuffer) {
        out.setInteger(code, at: codeIndex)
        codeIndex = out.writerIndex
        out.writeInteger(UInt8(0))
        code = 1
    }
}
