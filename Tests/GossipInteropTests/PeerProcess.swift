import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One JSON line printed by `swiftlb members` or the Go peer.
struct PeerEvent: Sendable, Decodable, CustomStringConvertible {
    var event: String
    var node: String?
    var addr: String?
    var meta: String?
    var data: String?
    var join: Bool?
    var time: String?
    /// `counters` replies of `swiftlb members`.
    var sequence: Int?
    var droppedUndecryptable: Int?
    var droppedMalformed: Int?
    /// `ping` lines (PingDelegate.NotifyPingComplete): the round-trip time.
    var rttMicroseconds: Int?

    init(event: String) { self.event = event }

    var description: String {
        "\(event) node=\(node ?? "-") meta=\(meta ?? "-") data=\(data ?? "-")"
    }
}

struct WaitTimedOut: Error, CustomStringConvertible {
    var what: String
    var seen: [PeerEvent]
    var description: String { "timed out waiting for \(what); saw: \(seen.map(\.description).joined(separator: " | "))" }
}

/// Every event a process printed, with awaitable predicates (no polling, every wait bounded).
final class EventLog: Sendable {
    private struct Waiter {
        var predicate: @Sendable (PeerEvent) -> Bool
        var continuation: CheckedContinuation<PeerEvent, any Error>
    }
    private struct State {
        var events: [PeerEvent] = []
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    var events: [PeerEvent] { state.withLock { $0.events } }

    func append(_ event: PeerEvent) {
        let ready = state.withLock { state -> [Waiter] in
            state.events.append(event)
            let matching = state.waiters.filter { $0.value.predicate(event) }
            for key in matching.keys { state.waiters[key] = nil }
            return Array(matching.values)
        }
        for waiter in ready { waiter.continuation.resume(returning: event) }
    }

    /// The first event (already seen or still to come) matching `predicate`, within `timeout`.
    func first(
        _ what: String, timeout: Duration, where predicate: @escaping @Sendable (PeerEvent) -> Bool
    ) async throws -> PeerEvent {
        try await withThrowingTaskGroup(of: PeerEvent.self) { group in
            group.addTask { try await self.wait(predicate) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw WaitTimedOut(what: what, seen: self.events)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func wait(_ predicate: @escaping @Sendable (PeerEvent) -> Bool) async throws -> PeerEvent {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let existing = state.withLock { state -> PeerEvent? in
                    if let event = state.events.first(where: predicate) { return event }
                    if Task.isCancelled { return nil }
                    state.waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                    return nil
                }
                if let existing {
                    continuation.resume(returning: existing)
                } else if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}

/// A member process (`swiftlb members` or the Go peer) whose stdout JSON lines are collected.
final class PeerProcess: Sendable {
    let name: String
    let port: Int
    let log = EventLog()
    private let process: Process
    private let stdin: FileHandle

    init(name: String, port: Int, executable: String, arguments: [String]) throws {
        self.name = name
        self.port = port
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.stdin = input.fileHandleForWriting
        let reader = output.fileHandleForReading
        let log = self.log
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer = Data(buffer[(newline + 1)...])
                    if let event = try? JSONDecoder().decode(PeerEvent.self, from: line) { log.append(event) }
                }
            }
            log.append(PeerEvent(event: "exited"))
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Writes one command line to the process's stdin (Go peer commands).
    func command(_ line: String) {
        try? stdin.write(contentsOf: Data((line + "\n").utf8))
    }

    /// SIGTERM: the member leaves gracefully.
    func terminate() { kill(pid, SIGTERM) }

    /// SIGKILL: the member vanishes without a word.
    func crash() { kill(pid, SIGKILL) }

    /// Waits for an event matching `predicate`.
    @discardableResult
    func expect(
        _ what: String, within timeout: Duration = .seconds(20), where predicate: @escaping @Sendable (PeerEvent) -> Bool
    ) async throws -> PeerEvent {
        try await log.first("\(name): \(what)", timeout: timeout, where: predicate)
    }

    /// Waits until this member reports `node` with `event` (join, dead, leave, …).
    @discardableResult
    func expect(_ event: String, of node: String, within timeout: Duration = .seconds(20)) async throws -> PeerEvent {
        try await expect("\(event) of \(node)", within: timeout) { $0.event == event && $0.node == node }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
