// Prints the USB-serial devices snbridge's discovery sees, then every add/change/remove, as JSON lines on standard
// output. On SIGTERM or SIGINT it stops discovery, prints {"event":"finished"} once the event stream has ended, and
// exits 0. Logs go to standard error. It reads no configuration: the built-in rules apply.
// Tests run it under umockdev; on a real machine it shows what the bridge would pick up.
import DeviceDiscovery
import Foundation
import Logging

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel =
        ProcessInfo.processInfo.environment["SNBRIDGE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
    return handler
}

let discovery = SerialDeviceDiscovery(logger: Logger(label: "snbridge.discovery-probe"))
do {
    try discovery.start()
} catch {
    FileHandle.standardError.write(Data("snbridge-discovery-probe: \(error)\n".utf8))
    exit(1)
}

// Stop through the same path the bridge uses, so that a clean shutdown of the discovery thread is exercised too.
let terminationSources = [SIGTERM, SIGINT].map { signalNumber in
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler { discovery.stop() }
    source.resume()
    return source
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
for await event in discovery.events {
    var line = try encoder.encode(DeviceDiscoveryEventRecord(event))
    line.append(UInt8(ascii: "\n"))
    FileHandle.standardOutput.write(line)
}
FileHandle.standardOutput.write(Data("{\"event\":\"finished\"}\n".utf8))
withExtendedLifetime(terminationSources) {}
