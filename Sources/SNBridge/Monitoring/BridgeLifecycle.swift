import Foundation
import NIOConcurrencyHelpers

/// Where the bridge is in its life, for `/readyz`: ready once every listener is bound and the services run,
/// stopping from the first shutdown signal on.
final class BridgeLifecycle: Sendable {
    private struct State {
        var ready = false
        var stopping = false
        var listeners = 0
    }

    private let state = NIOLockedValueBox(State())
    /// When the bridge started.
    let started = Date()

    func becameReady(listeners: Int) {
        state.withLockedValue {
            $0.ready = true
            $0.listeners = listeners
        }
    }

    func stopping() {
        state.withLockedValue { $0.stopping = true }
    }

    var isReady: Bool { state.withLockedValue { $0.ready } }
    var isStopping: Bool { state.withLockedValue { $0.stopping } }
    /// The UDP listeners bound at start.
    var listeners: Int { state.withLockedValue { $0.listeners } }
}
