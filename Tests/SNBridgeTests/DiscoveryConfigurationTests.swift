import DeviceDiscovery
import Foundation
import Testing

@testable import SNBridge

/// The `discovery:` and `status:` sections.
@Suite("Discovery and status configuration")
struct DiscoveryConfigurationTests {
    @Test("Without the sections: discovery automatic with the built-in rules, status under snbridge/")
    func defaults() throws {
        let configuration = try SNBridgeConfiguration.parse(yaml: "")
        #expect(configuration.discovery.enabled == nil)
        #expect(configuration.discovery.builtInDefaults)
        #expect(configuration.discovery.rules.isEmpty)
        #expect(configuration.status.enabled)
        #expect(configuration.status.topicPrefix == "snbridge")
        #expect(configuration.status.consoleToMQTT == false)
        #expect(configuration.status.interval == .seconds(10))
    }

    @Test("Every discovery and status key is read")
    func everyKeyIsRead() throws {
        let configuration = try SNBridgeConfiguration.parse(
            yaml: """
                discovery:
                  enabled: true
                  builtin_defaults: false
                  match:
                    - name: weather-station
                      usb_id: ["10c4:ea60", "303a:*"]
                      serial: 0001A2B3
                      baud: 921600
                      framing: raw
                      reset: on-open
                      client_id_prefix: ws-
                    - by_id: "usb-Silicon_Labs_*"
                      by_path: "pci-0000:00:14.0-usb-0:2*"
                      property: SNBRIDGE_DEVICE=1
                      reset: on-link-loss
                status:
                  topic_prefix: site/7/snbridge
                  console_to_mqtt: true
                  client_id: gw-7-status
                  interval: 30s
                """
        )
        let discovery = configuration.discovery
        #expect(discovery.enabled == true)
        #expect(discovery.builtInDefaults == false)
        #expect(discovery.rules.count == 2)
        let first = try #require(discovery.rules.first)
        #expect(first.name == "weather-station")
        #expect(first.criteria.usbIDs.map(\.description) == ["10c4:ea60", "303a:*"])
        #expect(first.criteria.serialNumber == "0001A2B3")
        #expect(
            first.options
                == DeviceMatchOptions(baudRate: 921_600, framing: .raw, resetPolicy: .onOpen, clientIDPrefix: "ws-")
        )
        let second = discovery.rules[1]
        #expect(second.name == "match[1]")
        #expect(second.criteria.byIDGlob == "usb-Silicon_Labs_*")
        #expect(second.criteria.byPathGlob == "pci-0000:00:14.0-usb-0:2*")
        #expect(second.criteria.udevProperty == UdevPropertyMatch(key: "SNBRIDGE_DEVICE", value: "1"))
        #expect(second.options.resetPolicy == .onLinkLoss)
        #expect(second.options.baudRate == 115_200)
        #expect(discovery.matcher.effectiveRules.count == 2)

        #expect(configuration.status.topicPrefix == "site/7/snbridge")
        #expect(configuration.status.consoleToMQTT)
        #expect(configuration.status.clientID == "gw-7-status")
        #expect(configuration.status.interval == .seconds(30))
    }

    @Test("The sample file's discovery and status sections mean what their comments say")
    func sampleFile() throws {
        let configuration = try SNBridgeConfiguration.load(contentsOf: ConfigurationTests.sampleFile)
        #expect(configuration.discovery.enabled == nil)
        #expect(configuration.discovery.builtInDefaults)
        #expect(configuration.status.topicPrefix == "snbridge")
        #expect(configuration.status.consoleToMQTT == false)
    }

    static let badCases: [ConfigurationTests.BadCase] = [
        .init(yaml: "discovery:\n  enable: true", key: "discovery.enable", problemContains: "did you mean 'enabled'"),
        .init(yaml: "discovery:\n  enabled: sometimes", key: "discovery.enabled", problemContains: "true or false"),
        .init(
            yaml: "discovery:\n  match:\n    - usb_id: 10c4-ea60",
            key: "discovery.match[0].usb_id",
            problemContains: "invalid USB id"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - usb_id: [\"10c4:ea60\", \"zz:1\"]",
            key: "discovery.match[0].usb_id[1]",
            problemContains: "invalid USB id"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - property: NOVALUE",
            key: "discovery.match[0].property",
            problemContains: "KEY=VALUE"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - name: empty\n      baud: 115200",
            key: "discovery.match[0]",
            problemContains: "nothing to match on"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - usb_id: 10c4:ea60\n      baud: 1234",
            key: "discovery.match[0].baud",
            problemContains: "must be one of"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - usb_id: 10c4:ea60\n      framing: cobs",
            key: "discovery.match[0].framing",
            problemContains: "snbridge, raw"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - usb_id: 10c4:ea60\n      reset: always",
            key: "discovery.match[0].reset",
            problemContains: "never, on-open, on-link-loss"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - usb_id: 10c4:ea60\n      seriall: X",
            key: "discovery.match[0].seriall",
            problemContains: "did you mean 'serial'"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - 10c4:ea60",
            key: "discovery.match[0]",
            problemContains: "expected a mapping"
        ),
        .init(
            yaml: "discovery:\n  match:\n    - {name: a, usb_id: 10c4:ea60}\n    - {name: a, usb_id: 1a86:7523}",
            key: "discovery.match[1].name",
            problemContains: "already named 'a'"
        ),
        .init(yaml: "status:\n  topic_prefix: snbridge/#", key: "status.topic_prefix", problemContains: "wildcards"),
        .init(
            yaml: "status:\n  topic_prefix: /snbridge",
            key: "status.topic_prefix",
            problemContains: "start or end with '/'"
        ),
        .init(yaml: "status:\n  topic_prefix: \"\"", key: "status.topic_prefix", problemContains: "must not be empty"),
        .init(
            yaml: "status:\n  console_to_mqtt: loud",
            key: "status.console_to_mqtt",
            problemContains: "true or false"
        ),
        .init(yaml: "status:\n  interval: 100ms", key: "status.interval", problemContains: "between 1s"),
        .init(yaml: "status:\n  prefix: x", key: "status.prefix", problemContains: "unknown key"),
    ]

    @Test("Bad discovery and status values name their key", arguments: badCases)
    func badValueNamesTheKey(_ badCase: ConfigurationTests.BadCase) {
        #expect {
            try SNBridgeConfiguration.parse(yaml: badCase.yaml)
        } throws: { error in
            guard let errors = error as? ConfigurationErrors else { return false }
            return errors.errors.contains { $0.key == badCase.key && $0.problem.contains(badCase.problemContains) }
        }
    }
}
