import Foundation

/// A throwaway PKI made with `openssl` at test time: a CA, a server certificate for 127.0.0.1 / localhost, and a
/// client certificate, all signed by the CA. A second, unrelated CA is included for "wrong CA" tests.
public struct MosquittoCertificates: Sendable {
    public let caFile: String
    public let serverCertificateFile: String
    public let serverKeyFile: String
    public let clientCertificateFile: String
    public let clientKeyFile: String
    /// A CA that signed nothing here: verifying the broker against it must fail.
    public let unrelatedCAFile: String

    /// Generates every file into `directory` (EC P-256 keys, so it is fast).
    public static func generate(in directory: URL) async throws -> MosquittoCertificates {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let openssl = "/usr/bin/openssl"

        try await makeCA(key: path("ca.key"), certificate: path("ca.crt"), name: "snbridge test CA")
        try await makeCA(key: path("other-ca.key"), certificate: path("other-ca.crt"), name: "unrelated test CA")

        let serverExtensions = path("server.ext")
        try """
        subjectAltName = IP:127.0.0.1, DNS:localhost
        extendedKeyUsage = serverAuth
        basicConstraints = CA:FALSE

        """.write(toFile: serverExtensions, atomically: true, encoding: .utf8)
        let clientExtensions = path("client.ext")
        try """
        extendedKeyUsage = clientAuth
        basicConstraints = CA:FALSE

        """.write(toFile: clientExtensions, atomically: true, encoding: .utf8)

        for (name, extensions, subject) in [
            ("server", serverExtensions, "/CN=localhost"), ("client", clientExtensions, "/CN=snbridge-test-client"),
        ] {
            try await ChildProcess.run(
                openssl,
                ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("\(name).key")]
            )
            try await ChildProcess.run(
                openssl,
                ["req", "-new", "-key", path("\(name).key"), "-subj", subject, "-out", path("\(name).csr")]
            )
            try await ChildProcess.run(
                openssl,
                [
                    "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                    "-CAcreateserial", "-CAserial", path("ca-\(name).srl"), "-days", "2", "-sha256",
                    "-extfile", extensions, "-out", path("\(name).crt"),
                ]
            )
        }

        return MosquittoCertificates(
            caFile: path("ca.crt"),
            serverCertificateFile: path("server.crt"),
            serverKeyFile: path("server.key"),
            clientCertificateFile: path("client.crt"),
            clientKeyFile: path("client.key"),
            unrelatedCAFile: path("other-ca.crt")
        )
    }

    private static func makeCA(key: String, certificate: String, name: String) async throws {
        let openssl = "/usr/bin/openssl"
        try await ChildProcess.run(openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
        try await ChildProcess.run(
            openssl,
            [
                "req", "-x509", "-new", "-key", key, "-sha256", "-days", "2", "-subj", "/CN=\(name)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", certificate,
            ]
        )
    }
}
