import Logging
import ServiceLifecycle

/// Keeps systemd's watchdog fed while the bridge runs and tells systemd when shutdown begins.
///
/// Add it to the bridge's `ServiceGroup`. It pings every ``SystemdNotifier/watchdogPingInterval`` (half of the unit's
/// `WatchdogSec=`) until graceful shutdown, then sends `STOPPING=1`. Pings come from a task of the same concurrency
/// pool as the bridge's work, so a bridge wedged badly enough to starve it stops pinging and systemd restarts it.
/// `READY=1` is not sent here: only the code that knows the bridge serves can say so (``SystemdNotifier/ready()``).
public struct SystemdWatchdogService: Service {
    private let notifier: SystemdNotifier
    private let logger: Logger

    public init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        if let interval = notifier.watchdogPingInterval {
            logger.debug("systemd watchdog enabled", metadata: ["systemd.watchdog.ping_interval": "\(interval)"])
            await cancelWhenGracefulShutdown { [notifier, logger] in
                while !Task.isCancelled {
                    Self.send(logger: logger) { () throws(SystemdNotifierError) in try notifier.watchdog() }
                    try? await Task.sleep(for: interval)
                }
            }
        } else {
            // Finishing early would end the service group; stay until shutdown so STOPPING=1 goes out then.
            try? await gracefulShutdown()
        }
        Self.send(logger: logger) { () throws(SystemdNotifierError) in try notifier.stopping() }
    }

    /// A failed notification is logged, not thrown: systemd going away must not take the bridge down with it.
    private static func send(logger: Logger, _ notification: () throws(SystemdNotifierError) -> Void) {
        do {
            try notification()
        } catch {
            logger.warning("systemd notification failed", metadata: ["error.description": "\(error)"])
        }
    }
}
