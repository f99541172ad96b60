import Foundation
import NIOCore
import NIOPosix

/// A real mosquitto on free loopback ports, in its own temporary directory with its own generated configuration.
///
/// Several brokers may run at once (Swift Testing runs tests in parallel): every broker has its own directory,
/// ports and process, and ``stop()`` only signals its own pid.
///
///     let broker = try await MosquittoBroker.start(.init(users: ["alice": "secret"]))
///     defer { Task { await broker.stop() } }   // or `await broker.stop()` at the end of the test
public final class MosquittoBroker: Sendable {
    /// Where the broker listens; always loopback.
    public let host = "127.0.0.1"
    /// The plain MQTT listener.
    public let port: Int
    /// The TLS listener, when ``Options/tls`` was given.
    public let tlsPort: Int?
    /// The broker's temporary directory (configuration, password file, certificates, log).
    public let directory: URL
    /// The generated certificates, when ``Options/tls`` was given.
    public let certificates: MosquittoCertificates?
    /// The options the broker was started with.
    public let options: Options

    private let process: ChildProcess

    /// The CA certificate that signed the broker's TLS certificate.
    public var caFile: String? { certificates?.caFile }

    /// The broker's process id.
    public var pid: Int32 { process.pid }

    /// mosquitto's own log lines so far (it logs to standard output), for failure diagnostics.
    public var log: [String] { process.output + process.errorOutput }

    private init(
        port: Int,
        tlsPort: Int?,
        directory: URL,
        certificates: MosquittoCertificates?,
        options: Options,
        process: ChildProcess
    ) {
        self.port = port
        self.tlsPort = tlsPort
        self.directory = directory
        self.certificates = certificates
        self.options = options
        self.process = process
    }

    /// Starts mosquitto and returns once its listeners accept TCP connections.
    /// `port` asks for a given plain port (a broker restarted where clients expect it); by default a free one.
    public static func start(
        _ options: Options = Options(),
        port requestedPort: Int? = nil,
        executable: String = "/usr/sbin/mosquitto",
        startTimeout: Duration = .seconds(15)
    ) async throws -> MosquittoBroker {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mosquitto-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let certificates: MosquittoCertificates?
        if options.tls != nil {
            certificates = try await MosquittoCertificates.generate(in: directory)
        } else {
            certificates = nil
        }
        if !options.users.isEmpty {
            try await writePasswordFile(options.users, to: directory.appendingPathComponent("passwords").path)
        }
        if let dynamicSecurity = options.dynamicSecurity {
            try dynamicSecurity.write(
                to: directory.appendingPathComponent("dynamic-security.json"),
                atomically: true,
                encoding: .utf8
            )
        }
        if let acl = options.accessControl {
            try acl.joined(separator: "\n").appending("\n")
                .write(to: directory.appendingPathComponent("acl"), atomically: true, encoding: .utf8)
        }

        // The ports were free a moment ago; if someone else took one meanwhile mosquitto exits, and we retry.
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try requestedPort ?? FreePort.tcp()
            let tlsPort = options.tls != nil ? try FreePort.tcp() : nil
            let configuration = Self.configuration(
                options: options,
                port: port,
                tlsPort: tlsPort,
                directory: directory,
                certificates: certificates
            )
            let configurationFile = directory.appendingPathComponent("mosquitto.conf")
            try configuration.write(to: configurationFile, atomically: true, encoding: .utf8)

            // Line-buffered so that log lines can be waited for as they happen; stdbuf execs, keeping the pid.
            let process = try ChildProcess(
                executable: "/usr/bin/stdbuf",
                arguments: ["-oL", executable, "-c", configurationFile.path],
                directory: directory
            )
            do {
                try await waitUntilAccepting(
                    ports: [port] + (tlsPort.map { [$0] } ?? []),
                    process: process,
                    timeout: startTimeout
                )
                return MosquittoBroker(
                    port: port,
                    tlsPort: tlsPort,
                    directory: directory,
                    certificates: certificates,
                    options: options,
                    process: process
                )
            } catch {
                lastError = error
                await process.terminate()
            }
        }
        throw lastError ?? MosquittoBrokerError.notStarted("unknown reason")
    }

    /// Waits until mosquitto logs a line satisfying `predicate` (it runs with `log_type all`), such as
    /// `Sending PUBACK to client-1`: a way to know the broker reached a point without sleeping.
    @discardableResult
    public func waitForLog(
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        try await process.waitForLine(timeout: timeout, where: predicate)
    }

    /// Stops the broker (SIGTERM, then SIGKILL if it does not exit) and removes its directory.
    public func stop() async {
        await process.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Freezes the broker (SIGSTOP) so it neither reads nor answers; ``resume()`` undoes it.
    public func pause() { process.send(signal: SIGSTOP) }

    /// Resumes a broker frozen by ``pause()``.
    public func resume() { process.send(signal: SIGCONT) }

    static func configuration(
        options: Options,
        port: Int,
        tlsPort: Int?,
        directory: URL,
        certificates: MosquittoCertificates?
    ) -> String {
        var lines: [String] = [
            "per_listener_settings false",
            "persistence false",
            "log_dest stdout",
            "log_type all",
            "allow_anonymous \(options.allowAnonymous)",
        ]
        // mosquitto started as root drops to the "mosquitto" user and could no longer read our 0600 key files.
        if geteuid() == 0 { lines.append("user root") }
        if !options.users.isEmpty {
            lines.append("password_file \(directory.appendingPathComponent("passwords").path)")
        }
        if options.accessControl != nil {
            lines.append("acl_file \(directory.appendingPathComponent("acl").path)")
        }
        if options.dynamicSecurity != nil {
            lines.append("plugin \(dynamicSecurityPlugin)")
            lines.append("plugin_opt_config_file \(directory.appendingPathComponent("dynamic-security.json").path)")
        }
        lines.append(contentsOf: options.extraConfiguration)

        lines.append("listener \(port) 127.0.0.1")
        lines.append(contentsOf: options.listenerOptions)

        if let tlsPort, let certificates, let tls = options.tls {
            lines.append("listener \(tlsPort) 127.0.0.1")
            lines.append("cafile \(certificates.caFile)")
            lines.append("certfile \(certificates.serverCertificateFile)")
            lines.append("keyfile \(certificates.serverKeyFile)")
            lines.append("require_certificate \(tls.requireClientCertificate)")
            lines.append(contentsOf: options.listenerOptions)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where Debian's mosquitto package installs the dynamic security plugin.
    public static let dynamicSecurityPlugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"

    private static func writePasswordFile(_ users: [String: String], to path: String) async throws {
        for (index, (user, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
            let create = index == 0 ? ["-c"] : []
            try await ChildProcess.run("/usr/bin/mosquitto_passwd", ["-b"] + create + [path, user, password])
        }
    }

    /// Polls a TCP connect to every port until all accept, the process exits, or the deadline passes.
    private static func waitUntilAccepting(ports: [Int], process: ChildProcess, timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var pending = ports
        while let port = pending.first {
            if let status = process.terminationStatus {
                throw MosquittoBrokerError.notStarted(
                    "mosquitto exited with status \(status): \((process.output + process.errorOutput).joined(separator: "\n"))"
                )
            }
            if await canConnect(port: port) {
                pending.removeFirst()
                continue
            }
            guard ContinuousClock.now < deadline else {
                throw MosquittoBrokerError.notStarted("port \(port) did not accept connections within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func canConnect(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: "127.0.0.1", port: port)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

extension MosquittoBroker {
    /// What the generated mosquitto configuration contains.
    public struct Options: Sendable {
        /// Whether clients without a username may connect.
        public var allowAnonymous: Bool
        /// Username to password; written with `mosquitto_passwd -b -c` into a password file when not empty.
        public var users: [String: String]
        /// A TLS listener beside the plain one, with certificates generated by `openssl` at start.
        public var tls: TLSOptions?
        /// Lines of a mosquitto ACL file (`user alice`, `topic readwrite a/#`, ...); nil for no ACL.
        public var accessControl: [String]?
        /// A dynamic security plugin configuration (JSON); unlike an ACL file it can refuse subscriptions in
        /// SUBACK (mosquitto 2.0's ACL file only filters deliveries). nil for no plugin.
        public var dynamicSecurity: String?
        /// Extra global configuration lines, such as `max_packet_size 1000` or `max_inflight_messages 1`.
        public var extraConfiguration: [String]
        /// Extra lines for each listener, such as `protocol mqtt` or `max_connections 10`.
        public var listenerOptions: [String]

        public init(
            allowAnonymous: Bool = true,
            users: [String: String] = [:],
            tls: TLSOptions? = nil,
            accessControl: [String]? = nil,
            dynamicSecurity: String? = nil,
            extraConfiguration: [String] = [],
            listenerOptions: [String] = []
        ) {
            self.allowAnonymous = allowAnonymous
            self.users = users
            self.tls = tls
            self.accessControl = accessControl
            self.dynamicSecurity = dynamicSecurity
            self.extraConfiguration = extraConfiguration
            self.listenerOptions = listenerOptions
        }
    }

    /// The TLS listener's options.
    public struct TLSOptions: Sendable {
        /// Whether the broker requires a client certificate signed by the generated CA.
        public var requireClientCertificate: Bool

        public init(requireClientCertificate: Bool = false) {
            self.requireClientCertificate = requireClientCertificate
        }
    }
}

/// Why a ``MosquittoBroker`` could not be started.
public struct MosquittoBrokerError: Error, CustomStringConvertible {
    public let description: String

    static func notStarted(_ reason: String) -> Self {
        Self(description: "mosquitto did not start: \(reason)")
    }
}
