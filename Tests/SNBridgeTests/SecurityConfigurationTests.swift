import Foundation
import GatewayCore
import NIOCore
import Testing

@testable import SNBridge

@Suite("Security configuration")
struct SecurityConfigurationTests {
    static func problems(_ yaml: String) -> [ConfigurationError] {
        do {
            _ = try SNBridgeConfiguration.parse(yaml: yaml)
            return []
        } catch let errors as ConfigurationErrors {
            return errors.errors
        } catch {
            return [ConfigurationError(key: "?", problem: "\(error)")]
        }
    }

    static func temporaryFile(_ contents: String, mode: mode_t) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("snbridge-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    @Test("defaults: open without clients, allowlist with them; takeover same-identity; limits on")
    func defaults() throws {
        let open = try SNBridgeConfiguration.parse(yaml: "")
        #expect(open.gateway.effectiveAuthentication == .open)
        #expect(open.gateway.security.sessionTakeover == .sameIdentity)
        #expect(open.gateway.security.idleSessionTimeout == .seconds(30))
        #expect(open.gateway.security.maxKeepAlive == 3600)
        #expect(open.gateway.security.protectedTopicFilters == ["snbridge/#", "$SYS/#"])
        let listed = try SNBridgeConfiguration.parse(yaml: "gateway: { clients: { a: {} } }")
        #expect(listed.gateway.effectiveAuthentication == .allowlist)
        let renamed = try SNBridgeConfiguration.parse(yaml: "status: { topic_prefix: plant/bridge }")
        #expect(renamed.gateway.security.protectedTopicFilters == ["plant/bridge/#", "$SYS/#"])
    }

    @Test("every security key is read")
    func everyKeyIsRead() throws {
        let acl = try Self.temporaryFile("pattern readwrite devices/%c/#\n", mode: 0o644)
        defer { unlink(acl) }
        let configuration = try SNBridgeConfiguration.parse(
            yaml: """
                gateway:
                  authentication: allowlist
                  session_takeover: never
                  acl_file: \(acl)
                  mountpoint: devices/%c/
                  idle_session_timeout: 5s
                  max_keepalive: 10m
                  unconfirmed_send_budget: 0
                  source_limits: { prefix_length_v4: 24, prefix_length_v6: 56, new_sessions_per_second: 5, burst: 9, max_sessions: 30 }
                  clients:
                    boiler-7: { allowed_sources: ["10.0.0.7", "fd00::/64"], mountpoint: plant/boiler/7/ }
                """
        )
        let security = configuration.gateway.security
        #expect(security.authentication == .allowlist)
        #expect(security.sessionTakeover == .never)
        #expect(security.accessControl?.rules.map(\.filter) == ["devices/%c/#"])
        #expect(security.mountpoint == "devices/%c/")
        #expect(security.idleSessionTimeout == .seconds(5))
        #expect(security.maxKeepAlive == 600)
        #expect(security.unconfirmedSendBudget == 0)
        #expect(
            security.sourceLimits
                == .init(prefixLengthV4: 24, prefixLengthV6: 56, newSessionsPerSecond: 5, burst: 9, maxSessions: 30)
        )
        #expect(configuration.gateway.clients["boiler-7"]?.allowedSources == ["10.0.0.7", "fd00::/64"])
        #expect(configuration.gateway.clients["boiler-7"]?.mountpoint == "plant/boiler/7/")
    }

    @Test("bad security values name their key")
    func badValues() throws {
        let badACL = try Self.temporaryFile("topic read a\ntopic sometimes b\n", mode: 0o644)
        defer { unlink(badACL) }
        let cases: [(String, String, String)] = [
            ("gateway: { authentication: maybe }", "gateway.authentication", "one of open"),
            ("gateway: { authentication: dtls }", "gateway.authentication", "needs udp.dtls"),
            ("udp: { dtls: { listeners: [\"127.0.0.1:8884\"] } }", "udp.dtls", "needs a psk_file"),
            ("udp: { dtls: { cert_file: /x } }", "udp.dtls", "cert_file and key_file go together"),
            ("gateway: { session_takeover: sometimes }", "gateway.session_takeover", "one of same-identity"),
            ("gateway: { acl_file: \(badACL) }", "gateway.acl_file", "line 2: access must be"),
            ("gateway: { acl_file: /nonexistent/acl }", "gateway.acl_file", "cannot read"),
            ("gateway: { mountpoint: devices/# }", "gateway.mountpoint", "without wildcards"),
            (
                "gateway: { clients: { a: { allowed_sources: [nowhere] } } }", "gateway.clients.a.allowed_sources[0]",
                "CIDR"
            ),
            ("gateway: { max_keepalive: 0s }", "gateway.max_keepalive", "between 1s"),
        ]
        for (yaml, key, problem) in cases {
            let found = Self.problems(yaml)
            #expect(found.contains { $0.key == key && $0.problem.contains(problem) }, "\(yaml): \(found)")
        }
    }

    @Test("a broker URL with user info is refused without echoing the password")
    func urlUserInfo() {
        let found = Self.problems("broker: { url: \"mqtt://alice:s3cret@broker:1883\" }")
        #expect(found.count == 1)
        #expect(found.first?.key == "broker.url")
        #expect(found.first?.problem.contains("broker.password_file") == true)
        #expect(found.first?.problem.contains("s3cret") == false)
    }

    @Test("a password file or key file readable by every user is refused, naming the key")
    func secretFilePermissions() throws {
        let open = try Self.temporaryFile("pw\n", mode: 0o644)
        let closed = try Self.temporaryFile("pw\n", mode: 0o640)
        defer {
            unlink(open)
            unlink(closed)
        }
        let refused = Self.problems("broker: { username: u, password_file: \(open) }")
        #expect(refused.contains { $0.key == "broker.password_file" && $0.problem.contains("readable by every user") })
        #expect(Self.problems("broker: { username: u, password_file: \(closed) }").isEmpty)
        let key = Self.problems("broker: { url: \"mqtts://b\", tls: { cert_file: \(closed), key_file: \(open) } }")
        #expect(key.contains { $0.key == "broker.tls.key_file" && $0.problem.contains("readable by every user") })
    }

    @Test("udp.dtls: psk_file in mosquitto's identity:hexkey format, readable only by the service")
    func dtlsKeys() throws {
        let keys = try Self.temporaryFile("# comment\nboiler-7:00ff10\nvalve-3:abcd\n", mode: 0o600)
        let open = try Self.temporaryFile("boiler-7:00ff10\n", mode: 0o644)
        let bad = try Self.temporaryFile("boiler-7:0g\n", mode: 0o600)
        defer {
            unlink(keys)
            unlink(open)
            unlink(bad)
        }
        let configuration = try SNBridgeConfiguration.parse(
            yaml: "gateway: { authentication: dtls }\nudp: { dtls: { psk_file: \(keys) } }"
        )
        #expect(
            configuration.gateway.dtls?.preSharedKeys == ["boiler-7": [0x00, 0xFF, 0x10], "valve-3": [0xAB, 0xCD]]
        )
        #expect(configuration.gateway.dtls?.listeners == ["0.0.0.0:8884"])
        #expect(configuration.gateway.effectiveAuthentication == .dtls)
        #expect(
            Self.problems("udp: { dtls: { psk_file: \(open) } }").contains {
                $0.key == "udp.dtls.psk_file" && $0.problem.contains("readable by every user")
            }
        )
        #expect(
            Self.problems("udp: { dtls: { psk_file: \(bad) } }").contains {
                $0.key == "udp.dtls.psk_file" && $0.problem.contains("line 1")
            }
        )
    }
}
