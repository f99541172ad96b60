import Foundation
import GatewayCore
import NIOCore

extension SNBridgeConfiguration {
    /// The `gateway.*` keys of ``GatewayConfiguration/Security``.
    static let securityKeys = [
        "authentication", "session_takeover", "acl_file", "mountpoint", "idle_session_timeout", "max_keepalive",
        "source_limits", "unconfirmed_send_budget",
    ]

    mutating func readSecurity(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        var security = gateway.security
        if let authentication = reader.choice(
            section.key("authentication"),
            ["open": GatewayConfiguration.Security.Authentication.open, "allowlist": .allowlist, "dtls": .dtls]
        ) {
            security.authentication = authentication
        }
        if let takeover = reader.choice(
            section.key("session_takeover"),
            ["same-identity": GatewayConfiguration.Security.SessionTakeover.sameIdentity, "never": .never, "any": .any]
        ) {
            security.sessionTakeover = takeover
        }
        let aclFile = section.key("acl_file")
        if let path = reader.string(aclFile) {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                security.accessControl = try TopicAccessControl(parsing: text, key: aclFile.path)
            } catch let error as GatewayConfigurationError {
                reader.report(error.field, error.problem)
            } catch {
                reader.report(aclFile.path, "cannot read '\(path)': \(error.localizedDescription)")
            }
        }
        if let mountpoint = reader.string(section.key("mountpoint")) { security.mountpoint = mountpoint }
        if let timeout = reader.duration(section.key("idle_session_timeout"), in: .seconds(1) ... .seconds(86_400)) {
            security.idleSessionTimeout = TimeAmount(timeout)
        }
        if let keepAlive = reader.duration(section.key("max_keepalive"), in: .seconds(1) ... .seconds(65_535)) {
            security.maxKeepAlive = UInt16(keepAlive.components.seconds)
        }
        if let budget = reader.int(section.key("unconfirmed_send_budget"), in: 0...16_777_216) {
            security.unconfirmedSendBudget = budget
        }
        let limits = section.key("source_limits")
        reader.expectMapping(
            limits,
            allowed: ["prefix_length_v4", "prefix_length_v6", "new_sessions_per_second", "burst", "max_sessions"]
        )
        if let value = reader.int(limits.key("prefix_length_v4"), in: 0...32) {
            security.sourceLimits.prefixLengthV4 = value
        }
        if let value = reader.int(limits.key("prefix_length_v6"), in: 0...128) {
            security.sourceLimits.prefixLengthV6 = value
        }
        if let value = reader.double(limits.key("new_sessions_per_second"), in: 0.001...1_000_000) {
            security.sourceLimits.newSessionsPerSecond = value
        }
        if let value = reader.int(limits.key("burst"), in: 1...1_000_000) { security.sourceLimits.burst = value }
        if let value = reader.int(limits.key("max_sessions"), in: 1...1_000_000) {
            security.sourceLimits.maxSessions = value
        }
        gateway.security = security
    }
}

extension SNBridgeConfiguration {
    /// `udp.dtls.*`: listeners, `psk_file` (`identity:hexkey` lines) and certificates.
    mutating func readDTLS(_ section: ConfigurationReader.Cursor, with reader: ConfigurationReader) {
        guard section.isPresent else { return }
        reader.expectMapping(
            section,
            allowed: ["listeners", "psk_file", "cert_file", "key_file", "ca_file", "client_certificates"]
        )
        var dtls = GatewayConfiguration.DTLS()
        let listeners = section.key("listeners")
        if listeners.isPresent {
            dtls.listeners = reader.sequence(listeners).compactMap { reader.string($0) }
        }
        let pskFile = section.key("psk_file")
        if let path = reader.string(pskFile) {
            if let problem = SecretFilePermissions.problem(path) {
                reader.report(pskFile.path, problem)
            } else if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                dtls.preSharedKeys = Self.parsePreSharedKeys(text, key: pskFile.path, reporter: reader.report)
            } else {
                reader.report(pskFile.path, "cannot read '\(path)'")
            }
        }
        let certificate = reader.string(section.key("cert_file"))
        let keyFile = section.key("key_file")
        let key = reader.string(keyFile)
        if let key, let problem = SecretFilePermissions.problem(key) {
            reader.report(keyFile.path, problem)
        }
        let clientCertificates =
            reader.choice(
                section.key("client_certificates"),
                [
                    "none": GatewayConfiguration.DTLS.ClientCertificates.none, "optional": .optional,
                    "required": .required,
                ]
            ) ?? .none
        let caFile = reader.string(section.key("ca_file"))
        if let certificate, let key {
            dtls.certificates = .init(
                certificateFile: certificate,
                keyFile: key,
                caFile: caFile,
                clientCertificates: clientCertificates
            )
        } else if certificate != nil || key != nil {
            reader.report(section.path, "cert_file and key_file go together")
        }
        if clientCertificates != .none && caFile == nil {
            reader.report(section.key("ca_file").path, "is required to check client certificates")
        }
        gateway.dtls = dtls
    }

    /// mosquitto's `psk_file` format: `identity:hexkey` per line, `#` comments.
    static func parsePreSharedKeys(
        _ text: String,
        key: String,
        reporter: (String, String) -> Void
    ) -> [String: [UInt8]] {
        var keys: [String: [UInt8]] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let colon = trimmed.lastIndex(of: ":") else {
                reporter(key, "line \(index + 1): expected identity:hexkey")
                continue
            }
            let identity = String(trimmed[..<colon])
            let hex = Array(trimmed[trimmed.index(after: colon)...].utf8)
            var bytes: [UInt8] = []
            var valid = !identity.isEmpty && hex.count >= 2 && hex.count % 2 == 0
            var position = 0
            while valid && position < hex.count {
                guard let byte = UInt8(String(decoding: hex[position..<position + 2], as: UTF8.self), radix: 16) else {
                    valid = false
                    break
                }
                bytes.append(byte)
                position += 2
            }
            guard valid else {
                reporter(key, "line \(index + 1): expected identity:hexkey with an even number of hex digits")
                continue
            }
            keys[identity] = bytes
        }
        return keys
    }
}
