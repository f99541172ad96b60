import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows USB-serial devices as they come and go and reports the ones a ``DeviceMatcher`` selects.
///
/// One thread serves all devices: it blocks in `poll()` on the udev monitor socket and a wakeup pipe for shutdown,
/// and hands events to ``events``. The initial scan runs on that thread too, after the monitor exists, so nothing
/// plugged in meanwhile is missed, and everything present at start is reported before ``DeviceDiscoveryEvent/enumerationCompleted``.
///
/// ```swift
/// let discovery = SerialDeviceDiscovery(matcher: DeviceMatcher(rules: configuredRules), logger: logger)
/// try discovery.start()
/// for await event in discovery.events { ... }   // ends after stop()
/// ```
public final class SerialDeviceDiscovery: Sendable {
    private enum RunState {
        case idle
        case running(thread: pthread_t, wakeupWriteEnd: CInt)
        case stopped
    }

    /// Discovery events, in order; ends when discovery stops. Meant for one consumer.
    public let events: AsyncStream<DeviceDiscoveryEvent>
    /// The rules devices are matched against.
    public let matcher: DeviceMatcher

    private let continuation: AsyncStream<DeviceDiscoveryEvent>.Continuation
    private let logger: Logger
    private let runState = Mutex<RunState>(.idle)

    public init(matcher: DeviceMatcher = DeviceMatcher(), logger: Logger) {
        self.matcher = matcher
        self.logger = logger
        (self.events, self.continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    deinit {
        stop()
    }

    /// Opens the udev monitor and starts the discovery thread. Throws when udev cannot be reached; the scan and all
    /// later events arrive on ``events``.
    public func start() throws(DeviceDiscoveryError) {
        try runState.withLock { (state: inout RunState) throws(DeviceDiscoveryError) in
            guard case .idle = state else { throw .alreadyStarted }
            let monitor = try UdevSerialMonitor()
            var pipeEnds: [CInt] = [-1, -1]
            guard pipe(&pipeEnds) == 0 else { throw .wakeupPipeFailed(errno: errno) }
            _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)

            let loop = DiscoveryLoop(
                monitor: monitor,
                wakeupReadEnd: pipeEnds[0],
                matcher: matcher,
                continuation: continuation,
                logger: logger
            )
            let thread: pthread_t
            do throws(DeviceDiscoveryError) {
                thread = try Self.spawnThread(running: loop)
            } catch {
                close(pipeEnds[0])
                close(pipeEnds[1])
                throw error
            }
            state = .running(thread: thread, wakeupWriteEnd: pipeEnds[1])
        }
        logger.debug("discovery started", metadata: ["udev.subsystem": "tty"])
    }

    /// Stops the discovery thread, waits for it, and ends ``events``. Safe to call more than once.
    public func stop() {
        let previous = runState.withLock { state in
            let previous = state
            state = .stopped
            return previous
        }
        switch previous {
        case .idle:
            continuation.finish()
        case .running(let thread, let wakeupWriteEnd):
            var byte: UInt8 = 1
            _ = write(wakeupWriteEnd, &byte, 1)
            pthread_join(thread, nil)
            close(wakeupWriteEnd)
            logger.debug("discovery stopped")
        case .stopped:
            break
        }
    }

    private static func spawnThread(running loop: DiscoveryLoop) throws(DeviceDiscoveryError) -> pthread_t {
        let context = Unmanaged.passRetained(loop).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { context in
                let loop = Unmanaged<DiscoveryLoop>.fromOpaque(context!).takeRetainedValue()
                loop.run()
                return nil
            },
            context
        )
        guard result == 0 else {
            Unmanaged<DiscoveryLoop>.fromOpaque(context).release()
            throw .threadStartFailed(errno: result)
        }
        return thread
    }
}
