import Foundation
import Synchronization
import Testing

/// Runs external programs for the namespace tests and collects their output.
enum Command {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `arguments` to completion, killing it after `timeout`.
    @discardableResult
    static func run(_ arguments: [String], timeout: Duration = .seconds(10)) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
        try process.run()
        let pid = process.processIdentifier
        let killer = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        // Read while it runs so a chatty program never blocks on a full pipe.
        async let stdout = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let stderr = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        var status: Int32 = -1
        for await code in exited.stream { status = code }
        killer.cancel()
        return Output(status: status, stdout: String(decoding: await stdout, as: UTF8.self),
                      stderr: String(decoding: await stderr, as: UTF8.self))
    }

    /// Runs and requires exit status 0.
    @discardableResult
    static func must(_ arguments: [String]) async throws -> Output {
        let output = try await run(arguments)
        if output.status != 0 {
            throw LabError.commandFailed(arguments.joined(separator: " "), output.status, output.stderr)
        }
        return output
    }
}

enum LabError: Error, CustomStringConvertible {
    case commandFailed(String, Int32, String)
    case timeout(String)

    var description: String {
        switch self {
        case .commandFailed(let command, let status, let stderr): "\(command) exited \(status): \(stderr)"
        case .timeout(let what): "timed out waiting for \(what)"
        }
    }
}

/// Lines of a stream, with bounded waits for a line matching a predicate.
final class LineBuffer: Sendable {
    private struct State {
        var lines: [String] = []
        var partial = ""
        var waiters: [(id: Int, remaining: Int, predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<String?, Never>)] = []
        var nextID = 0
    }

    private let state = Mutex(State())

    var lines: [String] { state.withLock { $0.lines } }

    func append(_ data: Data) {
        let resumed = state.withLock { state -> [(CheckedContinuation<String?, Never>, String)] in
            state.partial += String(decoding: data, as: UTF8.self)
            var complete = state.partial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            state.partial = complete.removeLast()
            var resumed: [(CheckedContinuation<String?, Never>, String)] = []
            for line in complete {
                state.lines.append(line)
                for index in state.waiters.indices where state.waiters[index].predicate(line) {
                    state.waiters[index].remaining -= 1
                    if state.waiters[index].remaining == 0 { resumed.append((state.waiters[index].continuation, line)) }
                }
                state.waiters.removeAll { $0.remaining == 0 }
            }
            return resumed
        }
        for (continuation, line) in resumed { continuation.resume(returning: line) }
    }

    /// The `occurrence`-th line (earlier or future) satisfying `predicate`, or nil after `timeout`.
    func first(occurrence: Int = 1, timeout: Duration,
               where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withCheckedContinuation { continuation in
            let existing = state.withLock { state -> String? in
                let matches = state.lines.filter(predicate)
                if matches.count >= occurrence { return matches[occurrence - 1] }
                state.waiters.append((id, occurrence - matches.count, predicate, continuation))
                return nil
            }
            if let existing {
                continuation.resume(returning: existing)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        let expired = state.withLock { state -> CheckedContinuation<String?, Never>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        expired?.resume(returning: nil)
    }
}

/// A long-running program whose standard error lines can be awaited (the announcer logs one
/// logfmt line per event there), stopped with a signal at the end.
final class BackgroundProcess: Sendable {
    private let buffer = LineBuffer()
    private let process: Process
    private let stdoutPipe = Pipe()
    private let stdinPipe = Pipe()
    let name: String

    init(_ arguments: [String], name: String) throws {
        self.name = name
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = stdoutPipe
        process.standardInput = stdinPipe
        errPipe.fileHandleForReading.readabilityHandler = { [buffer] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
            } else {
                buffer.append(data)
            }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Writes one line to the program's standard input.
    func send(line: String) throws {
        try stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }
    var lines: [String] { buffer.lines }

    /// Waits (bounded) for a standard error line satisfying `predicate`, including earlier ones.
    func waitForLine(_ what: String, occurrence: Int = 1, timeout: Duration = .seconds(10),
                     where predicate: @escaping @Sendable (String) -> Bool) async throws -> String {
        guard let line = await buffer.first(occurrence: occurrence, timeout: timeout, where: predicate) else {
            throw LabError.timeout("\(what) from \(name); its log:\n\(lines.joined(separator: "\n"))")
        }
        return line
    }

    /// Sends `signal` and waits (bounded) for the exit; returns standard output. SIGKILLs if needed.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) async -> (status: Int32, stdout: String) {
        guard process.isRunning else { return (process.terminationStatus, readStdout()) }
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))  // bounded wait for exit; Process has no async wait
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        return (process.terminationStatus, readStdout())
    }

    private func readStdout() -> String {
        String(decoding: stdoutPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}

/// Network namespaces for one test: a client namespace holding a bridge `br0`
/// (192.0.2.1/24, 2001:db8::1/64), and speaker namespaces each joined to the bridge by a veth
/// pair whose speaker end is `eth0` with a fixed MAC. Names are `slb-a<random>-<role>`;
/// `Lab.with` removes every namespace (and with them every interface) when the test ends,
/// also when it fails or set-up fails half-way.
final class Lab: Sendable {
    let id: String
    let client: String
    private let namespaces = Mutex<[String]>([])
    private let processes = Mutex<[BackgroundProcess]>([])

    static var isRoot: Bool { getuid() == 0 }

    /// The debug `swiftlb` binary built by `swift build --build-tests`.
    static let swiftlb: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/debug/swiftlb").path
    }()

    /// Runs `body` in a new lab and tears the lab down afterwards, whatever happens.
    static func with(_ body: (Lab) async throws -> Void) async throws {
        let lab = Lab()
        do {
            try await lab.addClient()
            try await body(lab)
        } catch {
            await lab.destroy()
            throw error
        }
        await lab.destroy()
    }

    private init() {
        id = String(UInt32.random(in: 0...UInt32.max) & 0xFFFFFF, radix: 16)
        client = "slb-a\(id)-c"
    }

    private func addClient() async throws {
        try await addNamespace(client)
        try await Command.must(["ip", "-n", client, "link", "add", "br0", "type", "bridge"])
        try await Command.must(["ip", "netns", "exec", client, "sysctl", "-qw", "net.ipv6.conf.br0.accept_dad=0"])
        try await Command.must(["ip", "-n", client, "link", "set", "br0", "address", "02:00:00:00:00:01", "up"])
        try await Command.must(["ip", "-n", client, "addr", "add", "192.0.2.1/24", "dev", "br0"])
        try await Command.must(["ip", "-n", client, "addr", "add", "2001:db8::1/64", "dev", "br0", "nodad"])
    }

    private func addNamespace(_ name: String) async throws {
        try await Command.must(["ip", "netns", "add", name])
        namespaces.withLock { $0.append(name) }
        try await Command.must(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    /// Adds a speaker namespace `slb-a<id>-<role>` with `eth0` (MAC `mac`) bridged to the client.
    @discardableResult
    func addSpeaker(_ role: String, mac: String, address: String? = nil) async throws -> String {
        let namespace = "slb-a\(id)-\(role)"
        try await addNamespace(namespace)
        let port = "p-\(role)"
        try await Command.must(["ip", "link", "add", "eth0", "netns", namespace, "type", "veth", "peer", "name", port,
                                "netns", client])
        try await Command.must(["ip", "-n", namespace, "link", "set", "eth0", "address", mac, "up"])
        try await Command.must(["ip", "-n", client, "link", "set", port, "master", "br0", "up"])
        if let address { try await Command.must(["ip", "-n", namespace, "addr", "add", address, "dev", "eth0"]) }
        return namespace
    }

    /// Starts `swiftlb announce` in `namespace` on eth0 and waits for its `ready` line.
    func startAnnouncer(in namespace: String, ips: [String], extra: [String] = []) async throws -> BackgroundProcess {
        let arguments = ["ip", "netns", "exec", namespace, Self.swiftlb, "announce", "--interface", "eth0"]
            + ips.flatMap { ["--ip", $0] } + extra
        let process = try BackgroundProcess(arguments, name: "announcer in \(namespace)")
        processes.withLock { $0.append(process) }
        _ = try await process.waitForLine("ready") { $0.contains("msg=ready") }
        return process
    }

    func start(_ arguments: [String], name: String) throws -> BackgroundProcess {
        let process = try BackgroundProcess(arguments, name: name)
        processes.withLock { $0.append(process) }
        return process
    }

    /// In the client namespace.
    func client(_ arguments: [String], timeout: Duration = .seconds(10)) async throws -> Command.Output {
        try await Command.run(["ip", "netns", "exec", client] + arguments, timeout: timeout)
    }

    /// Kills every process started here and deletes every namespace. Safe to call twice.
    private func destroy() async {
        for process in processes.withLock({ $0 }) { _ = await process.stop(signal: SIGKILL, timeout: .seconds(2)) }
        for namespace in namespaces.withLock({ $0 }).reversed() {
            _ = try? await Command.run(["ip", "netns", "del", namespace])
        }
        namespaces.withLock { $0 = [] }
    }
}

/// `arping` output → the MACs of the replies it printed.
func arpingReplyMACs(_ output: String) -> [String] {
    output.split(separator: "\n").filter { $0.contains("reply from") }.compactMap { line in
        guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
        return line[line.index(after: open)..<close].lowercased()
    }
}

/// The value of a counter line `name{ip="…"} value` printed by `swiftlb announce` at exit.
func counter(_ name: String, ip: String? = nil, in output: String) -> UInt64? {
    let key = ip.map { "\(name){ip=\"\($0)\"} " } ?? "\(name) "
    return output.split(separator: "\n").first { $0.hasPrefix(key) }.flatMap { UInt64($0.dropFirst(key.count)) }
}
