import Foundation
import SessionStore
import Testing

@testable import SNBridge

@Suite("state: configuration of the session store")
struct StateConfigurationTests {
    @Test("By default the store is on, in /var/lib/snbridge, with synchronous full")
    func defaults() throws {
        let configuration = try SNBridgeConfiguration.parse(yaml: "")
        #expect(configuration.state.location == .directory("/var/lib/snbridge"))
        #expect(configuration.state.filePath == "/var/lib/snbridge/sessions.sqlite")
        #expect(configuration.state.synchronous == .full)
        #expect(configuration.summary.contains("state:       /var/lib/snbridge/sessions.sqlite (synchronous: full)"))
    }

    @Test("state.directory takes an absolute path or none; state.synchronous normal or full")
    func values() throws {
        let custom = try SNBridgeConfiguration.parse(yaml: "state: { directory: /srv/snbridge/, synchronous: normal }")
        #expect(custom.state.location == .directory("/srv/snbridge/"))
        #expect(custom.state.filePath == "/srv/snbridge/sessions.sqlite")
        #expect(custom.state.synchronous == .normal)
        let memory = try SNBridgeConfiguration.parse(yaml: "state: { directory: none }")
        #expect(memory.state.location == .inMemory)
        #expect(memory.state.filePath == nil)
        #expect(memory.summary.contains("state:       in memory"))
    }

    @Test(
        "Bad state values are errors naming the key",
        arguments: [
            ("state: { directory: relative/dir }", "state.directory"),
            ("state: { synchronous: sometimes }", "state.synchronous"),
            ("state: { directroy: /x }", "state.directroy"),
            ("state: /var/lib/snbridge", "state"),
        ]
    )
    func badValues(yaml: String, key: String) throws {
        do {
            _ = try SNBridgeConfiguration.parse(yaml: yaml)
            Issue.record("\(yaml) was accepted")
        } catch let errors as ConfigurationErrors {
            #expect(errors.errors.map(\.key) == [key], "\(errors)")
        }
    }

    @Test("--state-directory overrides the file and is checked like it")
    func commandLineOverride() throws {
        let override = try ConfigurationOptions.parse(["--state-directory", "none"]).resolve()
        #expect(override.state.location == .inMemory)
        let path = try ConfigurationOptions.parse(["--state-directory", "/tmp/x"]).resolve()
        #expect(path.state.location == .directory("/tmp/x"))
        #expect(throws: ConfigurationErrors.self) {
            try ConfigurationOptions.parse(["--state-directory", "x"]).resolve()
        }
    }
}
