import CSNDTLS
import NIOCore

/// One peer's DTLS association: an OpenSSL session behind the shim, confined to the transport's event loop.
final class DTLSAssociation {
    let session: OpaquePointer
    let createdAt: NIODeadline
    var lastHeard: NIODeadline
    /// The authenticated names, once the handshake completed.
    var names: [String]?

    init?(server: OpaquePointer, peer: SocketAddress, mtu: Int, now: NIODeadline) {
        var key = Self.cookieKey(peer)
        guard let session = snb_dtls_session_new(server, &key, key.count, Int32(mtu)) else {
            return nil
        }
        self.session = session
        self.createdAt = now
        self.lastHeard = now
    }

    deinit {
        snb_dtls_session_free(self.session)
    }

    var isEstablished: Bool { snb_dtls_session_is_established(self.session) == 1 }

    var lastError: String {
        var buffer = [CChar](repeating: 0, count: 256)
        snb_dtls_session_error(self.session, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Reads the authenticated names after the handshake (PSK identity, or certificate CN and DNS SANs).
    func readNames() -> [String] {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = snb_dtls_session_names(self.session, &buffer, buffer.count)
        guard length > 0 else { return [] }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    /// The peer's address and port as octets: what the HelloVerify cookie is computed over.
    static func cookieKey(_ address: SocketAddress) -> [UInt8] {
        switch address {
        case .v4(let v4):
            var raw = v4.address
            return withUnsafeBytes(of: &raw.sin_addr) { Array($0) } + withUnsafeBytes(of: &raw.sin_port) { Array($0) }
        case .v6(let v6):
            var raw = v6.address
            return withUnsafeBytes(of: &raw.sin6_addr) { Array($0) } + withUnsafeBytes(of: &raw.sin6_port) { Array($0) }
        case .unixDomainSocket:
            return Array(address.description.utf8.prefix(64))
        }
    }
}
