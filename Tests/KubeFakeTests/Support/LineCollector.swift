import Foundation
import Synchronization

/// Lines (watch events, kubectl output) arriving from a background reader, which a test
/// awaits with a bound: `wait(for:within:)` returns as soon as enough have arrived, when the
/// source ends, or when the time is up, whichever comes first.
final class LineCollector: Sendable {
    private struct State {
        var lines: [String] = []
        var finished = false
        var pending = ""
        var waiters: [Int: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var lines: [String] { state.withLock { $0.lines } }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Appends raw text, splitting it into lines (a partial last line waits for its newline).
    func append(text: String) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.pending += text
            while let newline = state.pending.firstIndex(of: "\n") {
                let line = String(state.pending[..<newline])
                state.pending = String(state.pending[state.pending.index(after: newline)...])
                if !line.isEmpty { state.lines.append(line) }
            }
            return Self.takeSatisfied(&state)
        }
        for continuation in ready { continuation.resume() }
    }

    func finish() {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if !state.pending.isEmpty { state.lines.append(state.pending) }
            state.pending = ""
            state.finished = true
            return Self.takeSatisfied(&state)
        }
        for continuation in ready { continuation.resume() }
    }

    private static func takeSatisfied(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let satisfied = state.waiters.filter { state.finished || state.lines.count >= $0.value.count }
        for id in satisfied.keys { state.waiters.removeValue(forKey: id) }
        return satisfied.values.map(\.continuation)
    }

    /// The lines so far once there are at least `count`, the source ended, or `timeout` passed.
    func wait(for count: Int, within timeout: Duration) async -> [String] {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitUntil(count) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return lines
    }

    private func waitUntil(_ count: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.lines.count >= count || Task.isCancelled { return true }
                    state.waiters[id] = (count, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }

    /// Collects what `handle` yields (a child process's output) until end of file.
    func follow(_ handle: FileHandle) {
        handle.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                self.finish()
            } else {
                self.append(text: String(decoding: data, as: UTF8.self))
            }
        }
    }
}
