import NIOSSL

/// TLS towards the broker, built on NIOSSL's `TLSConfiguration`.
///
/// The SSL context is created once here, so the thousands of clients a gateway may create from one
/// configuration share it instead of each loading certificates again.
public struct MQTTTLSConfiguration: Sendable {
    /// The full NIOSSL configuration; the convenience initialiser fills it from PEM files.
    public let tlsConfiguration: TLSConfiguration
    /// The name sent in SNI and checked against the certificate; nil uses the configured host
    /// (SNI is skipped for IP addresses, which are verified against the certificate's IP SANs).
    public var serverName: String?
    /// The context every connection made with this configuration uses.
    public let sslContext: NIOSSLContext

    public init(tlsConfiguration: TLSConfiguration, serverName: String? = nil) throws {
        self.tlsConfiguration = tlsConfiguration
        self.serverName = serverName
        self.sslContext = try NIOSSLContext(configuration: tlsConfiguration)
    }

    /// TLS from PEM files.
    ///
    /// - Parameters:
    ///   - caFile: the CA to trust; nil trusts the system's default roots.
    ///   - certificateFile: a client certificate (with `privateKeyFile`) for brokers that require one.
    ///   - verifyHostname: false still verifies the chain but accepts any host name (for brokers reached by an
    ///     address their certificate does not list).
    public init(
        caFile: String? = nil,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        serverName: String? = nil,
        verifyHostname: Bool = true
    ) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        if let certificateFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        }
        if let privateKeyFile {
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
        }
        configuration.certificateVerification = verifyHostname ? .fullVerification : .noHostnameVerification
        try self.init(tlsConfiguration: configuration, serverName: serverName)
    }
}
