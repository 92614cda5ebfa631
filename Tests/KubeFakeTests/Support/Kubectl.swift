import Foundation
import KubeFake
import Synchronization

/// Runs Debian's real `kubectl` against a KubeFake server, with the kubeconfig the server
/// wrote, as a subprocess with a bounded run time.
struct Kubectl {
    let kubeconfig: String
    let directory: URL

    /// Writes the server's kubeconfig into a fresh temporary directory.
    init(server: KubeFakeServer) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubefake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
        try server.writeKubeconfig(to: kubeconfig)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let executable = "/usr/bin/kubectl"

    func arguments(_ arguments: [String]) -> [String] {
        // A private cache directory: discovery must come from this server, not a stale cache.
        ["--kubeconfig", kubeconfig, "--cache-dir", directory.appendingPathComponent("cache").path,
         "--request-timeout=20s"] + arguments
    }

    /// Writes `text` to a file in the temporary directory and returns its path (for `-f`).
    func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs kubectl to completion (killed after `limit`); output goes through files, so a
    /// large output cannot block the child on a full pipe.
    func run(_ args: String..., limit: Duration = .seconds(30)) async throws -> Result {
        try await run(args, limit: limit)
    }

    func run(_ args: [String], limit: Duration = .seconds(30)) async throws -> Result {
        let outPath = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let errPath = directory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outPath.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments(args)
        process.standardOutput = try FileHandle(forWritingTo: outPath)
        process.standardError = try FileHandle(forWritingTo: errPath)
        process.environment = ["HOME": directory.path, "PATH": "/usr/bin:/bin"]
        let status = try await Self.runToExit(process, limit: limit)
        let stdout = (try? String(contentsOf: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errPath, encoding: .utf8)) ?? ""
        return Result(status: status, stdout: stdout, stderr: stderr)
    }

    static func runToExit(_ process: Process, limit: Duration) async throws -> Int32 {
        let (exits, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { continuation.yield($0.terminationStatus) }
        try process.run()
        let pid = process.processIdentifier
        let killer = Task {
            try await Task.sleep(for: limit)
            kill(pid, SIGKILL)
        }
        defer { killer.cancel() }
        var iterator = exits.makeAsyncIterator()
        return await iterator.next() ?? -1
    }

    /// Starts a long-running kubectl (e.g. `get -w`); its stdout lines arrive in the collector.
    func start(_ args: String...) throws -> RunningKubectl {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments(args)
        process.environment = ["HOME": directory.path, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let collector = LineCollector()
        collector.follow(pipe.fileHandleForReading)
        try process.run()
        return RunningKubectl(process: process, collector: collector)
    }
}

struct RunningKubectl {
    let process: Process
    let collector: LineCollector

    func lines(_ count: Int, within timeout: Duration = .seconds(15)) async -> [String] {
        await collector.wait(for: count, within: timeout)
    }

    /// Kills kubectl (it never exits by itself while watching).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
