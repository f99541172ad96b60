import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The log handler of `snbridge run`: every line in one ``LogFormat`` (text, journal or JSON), escaped so that
/// text from devices and clients stays one value of one line.
///
/// An error attached to a log call (`logger.warning("...", error: error)`) is written as `error.description`, in
/// the words of the error's own description.
public struct SNBridgeLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    public let format: LogFormat
    private let output: LogOutput

    public init(format: LogFormat, logLevel: Logger.Level = .info, output: LogOutput = .standardError) {
        self.format = format
        self.logLevel = logLevel
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let own = event.metadata {
            merged.merge(own) { _, new in new }
        }
        if let error = event.error {
            merged["error.description"] = .string("\(error)")
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let line = LogLine(
            level: event.level,
            message: event.message.description,
            metadata: merged,
            source: event.source,
            time: now
        )
        output.write(line.rendered(as: format))
    }
}
