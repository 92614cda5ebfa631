import Synchronization

/// The speaker's input queue. Producers (informer forwarders, gossip, the announcer's
/// conflicts, signals) append; the speaker takes everything pending at once and applies it
/// in one reconcile pass, so a burst of N changes costs one announcer diff, one status
/// write and one round of events instead of N. Nothing waits on a timer: a batch is
/// simply whatever arrived while the previous pass ran.
final class SpeakerInbox: Sendable {
    private struct State {
        var pending: [SpeakerInput] = []
        var waiter: CheckedContinuation<[SpeakerInput]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func yield(_ input: SpeakerInput) {
        let ready = state.withLock { state -> (CheckedContinuation<[SpeakerInput]?, Never>, [SpeakerInput])? in
            guard !state.finished else { return nil }
            state.pending.append(input)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.pending = [] }
            return (waiter, state.pending)
        }
        if let (waiter, batch) = ready { waiter.resume(returning: batch) }
    }

    /// No more inputs: the current and every later `nextBatch` return what is left, then nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[SpeakerInput]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything pending, in arrival order; waits when nothing is. Nil once finished and
    /// drained, or when the calling task is cancelled.
    func nextBatch() async -> [SpeakerInput]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> [SpeakerInput]?? in
                    if !state.pending.isEmpty {
                        defer { state.pending = [] }
                        return .some(state.pending)
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }
}
