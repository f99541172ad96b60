import Logging
import ServiceLifecycle

/// Keeps systemd's `STATUS=` (what `systemctl status` prints) at the bridge's one-line summary, e.g.
/// `broker connected; 12 sessions; 3 boards linked; 9 devices online`, sent when it changes (checked every
/// ``interval``). Does nothing outside systemd.
public struct SystemdStatusService: Service {
    private let notifier: SystemdNotifier
    private let monitor: BridgeMonitor
    private let interval: Duration
    private let logger: Logger

    public init(notifier: SystemdNotifier, monitor: BridgeMonitor, interval: Duration = .seconds(2), logger: Logger) {
        self.notifier = notifier
        self.monitor = monitor
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        guard notifier.isActive else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown { [notifier, monitor, interval, logger] in
            var sent: String?
            while !Task.isCancelled {
                if monitor.lifecycle.isReady {
                    let summary = await monitor.summary()
                    if summary != sent {
                        do {
                            try notifier.status(summary)
                            sent = summary
                        } catch {
                            logger.warning("systemd notification failed", metadata: ["error.description": "\(error)"])
                        }
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
