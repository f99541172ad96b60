// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "snbridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "snbridge", targets: ["snbridge"]),
        .library(name: "MQTTSN", targets: ["MQTTSN"]),
        .library(name: "MQTTClient", targets: ["MQTTClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    ],
    targets: [
        // MQTT-SN v1.2 packets as value types and their wire codec. No transport, no MQTT.
        .target(
            name: "MQTTSN",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // Our MQTT 3.1.1 / 5.0 client on SwiftNIO. Knows nothing about MQTT-SN.
        .target(
            name: "MQTTClient",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What a transport shares with the gateway core: client addresses, the transport interface, and the UDP transport.
        // Transports deliver MQTT-SN packets and never see MQTT.
        .target(
            name: "MQTTSNTransport",
            dependencies: [
                "MQTTSN",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A thin C shim over Debian's OpenSSL (libssl-dev) for DTLS 1.2 server associations. swift-nio-ssl's
        // BoringSSL symbols are prefixed, so both link into one binary; no OpenSSL type is visible to Swift.
        .target(
            name: "CSNDTLS",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        // MQTT-SN over DTLS: one association per peer, PSK or certificates, HelloVerify cookies.
        .target(
            name: "MQTTSNDTLS",
            dependencies: [
                "MQTTSN",
                "MQTTSNTransport",
                "CSNDTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Sessions, topic registries and the bridge between MQTT-SN clients and upstream MQTT sessions.
        .target(
            name: "GatewayCore",
            dependencies: [
                "MQTTSN",
                "MQTTSNTransport",
                "MQTTSNDTLS",
                "MQTTClient",
                "SessionStore",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The durable session store: per-session records as opaque versioned blobs and the outage FIFO, in SQLite
        // (WAL) through GRDB, written behind the event loop. Knows nothing about MQTT-SN sessions' insides.
        .target(
            name: "SessionStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A child process that writes to a session store as fast as it can and reports what is durable, for the
        // SIGKILL tests.
        .executableTarget(
            name: "snbridge-store-writer",
            dependencies: [
                "SessionStore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Glibc calls Swift's overlay hides (posix_openpt, ptsname_r, modem-line ioctls).
        .target(name: "CSerialPort"),
        // Serial framing (Firmware-Protocol), termios and the serial transport.
        .target(
            name: "SerialLink",
            dependencies: [
                "MQTTSN",
                "MQTTSNTransport",
                "CSerialPort",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CLibudev",
            pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]
        ),
        // USB-serial discovery and hotplug through libudev.
        .target(
            name: "DeviceDiscovery",
            dependencies: [
                "CLibudev",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // snbridge's log lines: text, journald and JSON formats, and the escaping that keeps device text one value.
        .target(
            name: "SNBridgeLogging",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        // Configuration, services and commands; `snbridge` is a thin @main over this.
        .target(
            name: "SNBridge",
            dependencies: [
                "MQTTSN",
                "MQTTSNTransport",
                "MQTTClient",
                "GatewayCore",
                "SerialLink",
                "DeviceDiscovery",
                "SNBridgeLogging",
                "SessionStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "snbridge", dependencies: ["SNBridge"]),
        // Prints what DeviceDiscovery sees as JSON lines; the umockdev tests run it, and it helps on a real machine.
        .executableTarget(
            name: "snbridge-discovery-probe",
            dependencies: ["DeviceDiscovery", .product(name: "Logging", package: "swift-log")]
        ),

        // End-to-end benchmarks: drives a real `snbridge run` through a real mosquitto and measures it (BENCHMARKS.md).
        .executableTarget(
            name: "snbridge-bench",
            dependencies: [
                "MQTTSN", "MQTTClient", "GatewayCore", "TestSupport", "SessionStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // snbridge's main job in one command: a broker, the bridge and a simulated board, messages flowing.
        .executableTarget(
            name: "snbridge-demo",
            dependencies: [
                "MQTTClient", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // The C99 reference device library, built from Firmware-Protocol/ so the tests use the exact code makers flash.
        .target(
            name: "SNDevice",
            path: "Firmware-Protocol/snbridge-device/src",
            publicHeadersPath: "."
        ),
        // A simulated device (the reference library on a tty) that tests and the demo drive.
        .executableTarget(
            name: "snbridge-simdevice",
            dependencies: ["SNDevice"],
            path: "Firmware-Protocol/simdevice"
        ),

        // Real-parts test helpers: a mosquitto on a free loopback port, pseudo-terminals, child processes.
        .target(
            name: "TestSupport",
            dependencies: [
                "CSerialPort",
                "CSNDTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MQTTSNTests",
            dependencies: [
                "MQTTSN",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MQTTClientTests",
            dependencies: [
                "MQTTClient", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "GatewayCoreTests",
            dependencies: [
                "GatewayCore", "MQTTSN", "MQTTSNTransport", "MQTTClient", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SerialLinkTests",
            dependencies: [
                "SerialLink", "MQTTSN", "TestSupport", "CSerialPort",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SNBridgeTests",
            dependencies: [
                "SNBridge", "SNBridgeLogging", "GatewayCore", "MQTTSN", "MQTTSNTransport", "MQTTClient", "SerialLink",
                "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            // Run by the monitoring end-to-end tests with the system python3 (urllib, prometheus_client, Chromium).
            exclude: ["Support/monitoring_probe.py", "Support/status_page_browser.py", "Support/multicast_client.py"]
        ),
        .testTarget(
            name: "DeviceDiscoveryTests",
            dependencies: ["DeviceDiscovery", "TestSupport"]
        ),
        .testTarget(
            name: "SNBridgeLoggingTests",
            dependencies: ["SNBridgeLogging", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SessionStoreTests",
            dependencies: [
                "SessionStore", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SNBridgeSystemdTests",
            dependencies: ["SNBridge", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ]
)

// Every warning in our own Swift targets is an error (issue 12: the house stays clean). Per target, because SwiftPM
// builds dependencies with `-suppress-warnings`, which a global `-Xswiftc -warnings-as-errors` would conflict with.
let cTargets: Set<String> = ["CSNDTLS", "CSerialPort", "CLibudev"]
for target in package.targets where !cTargets.contains(target.name) && target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
}
