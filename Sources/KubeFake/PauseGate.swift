import Synchronization

/// Holds requests and watch deliveries while the fake is paused (fault injection), without
/// an actor hop on the fast path: the watch writer checks it before every event.
final class PauseGate: Sendable {
    private struct State {
        var paused = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var isPaused: Bool { state.withLock { $0.paused } }

    /// How many requests or watch deliveries are held right now.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    func pause() { state.withLock { $0.paused = true } }

    func resume() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.paused = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at once when not paused, otherwise when `resume()` is called.
    func wait() async {
        guard isPaused else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                guard state.paused else { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
