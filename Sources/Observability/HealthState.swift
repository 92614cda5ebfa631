import Synchronization

/// What `/readyz` reports: each component (informers synced, gossip joined, config loaded)
/// marks itself ready or not with a reason, and the daemon is ready when all are.
///
/// A `Mutex` rather than an actor: the HTTP handler reads it on a NIO thread and must not hop.
public final class HealthState: Sendable {
    private let checks = Mutex<[String: String?]>([:])

    public init(pending components: [String] = []) {
        checks.withLock { state in
            for component in components { state[component] = .some("starting") }
        }
    }

    public func markReady(_ component: String) {
        checks.withLock { $0[component] = .some(nil) }
    }

    public func markNotReady(_ component: String, reason: String) {
        checks.withLock { $0[component] = .some(reason) }
    }

    /// Components that are not ready, with their reasons, sorted by name.
    public var notReady: [(component: String, reason: String)] {
        checks.withLock { state in
            state.compactMap { name, reason in reason.flatMap { $0 }.map { (name, $0) } }
        }.sorted { $0.component < $1.component }
    }

    public var isReady: Bool { notReady.isEmpty }
}
