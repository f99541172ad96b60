import CSNDTLS

/// The OpenSSL server context of one DTLS listener: its pre-shared keys, certificates and cookie secret.
final class DTLSServerContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ configuration: DTLSTransport.Configuration) throws {
        var error = [CChar](repeating: 0, count: 256)
        func message() -> String {
            String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        guard let server = snb_dtls_server_new(&error, error.count) else {
            throw DTLSTransportError(message())
        }
        // Owned from here on: a failure below frees it in deinit.
        self.pointer = server
        for (identity, key) in configuration.preSharedKeys.sorted(by: { $0.key < $1.key }) {
            guard snb_dtls_server_add_psk(server, identity, key, key.count) == 0 else {
                throw DTLSTransportError("cannot add the pre-shared key of '\(identity)'")
            }
        }
        if let certificates = configuration.certificates {
            let verify: Int32
            switch certificates.clientCertificates {
            case .none: verify = Int32(SNB_DTLS_VERIFY_NONE)
            case .optional: verify = Int32(SNB_DTLS_VERIFY_OPTIONAL)
            case .required: verify = Int32(SNB_DTLS_VERIFY_REQUIRED)
            }
            let result = snb_dtls_server_use_certificates(
                server,
                certificates.certificateFile,
                certificates.keyFile,
                certificates.caFile,
                verify,
                &error,
                error.count
            )
            guard result == 0 else {
                throw DTLSTransportError(message())
            }
        }
        guard snb_dtls_server_prepare(server, &error, error.count) == 0 else {
            throw DTLSTransportError(message())
        }
    }

    deinit {
        snb_dtls_server_free(self.pointer)
    }
}
