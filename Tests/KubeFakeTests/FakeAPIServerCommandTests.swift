import Foundation
import Testing

/// `swiftlb fake-apiserver` as an operator or an out-of-process test runs it.
@Suite(.serialized, .enabled(if: SwiftLBBinary.path != nil))
struct FakeAPIServerCommandTests {
    static var binary: String? { SwiftLBBinary.path }
}

enum SwiftLBBinary {
    /// The `swiftlb` built next to this test bundle (`swift build --build-tests` builds both).
    static var path: String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("swiftlb").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

extension FakeAPIServerCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func servesKubectlOverTLSAndStopsOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-apiserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary!)
        process.arguments = ["fake-apiserver", "--listen", "127.0.0.1:0", "--tls", "--token", "cli-token",
                             "--kubeconfig-out", kubeconfig]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let lines = LineCollector()
        lines.follow(output.fileHandleForReading)
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.yield($0.terminationStatus) }
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let banner = await lines.wait(for: 1, within: .seconds(20)).first ?? ""
        #expect(banner.hasPrefix("fake-apiserver listening on https://127.0.0.1:"))
        #expect(FileManager.default.fileExists(atPath: kubeconfig))
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        #expect(config.contains("certificate-authority-data:") && config.contains("cli-token"))

        let kubectl = Process()
        kubectl.executableURL = URL(fileURLWithPath: "/usr/bin/kubectl")
        kubectl.arguments = ["--kubeconfig", kubeconfig, "--cache-dir", directory.appendingPathComponent("cache").path,
                             "--request-timeout=20s", "get", "namespaces", "-o", "name"]
        kubectl.environment = ["HOME": directory.path]
        let kubectlOut = directory.appendingPathComponent("kubectl.out")
        _ = FileManager.default.createFile(atPath: kubectlOut.path, contents: nil)
        kubectl.standardOutput = try FileHandle(forWritingTo: kubectlOut)
        kubectl.standardError = FileHandle.nullDevice
        let status = try await Kubectl.runToExit(kubectl, limit: .seconds(30))
        #expect(status == 0)
        #expect(try String(contentsOf: kubectlOut, encoding: .utf8).contains("namespace/default"))

        kill(process.processIdentifier, SIGTERM)
        let killer = Task {
            try await Task.sleep(for: .seconds(20))
            kill(process.processIdentifier, SIGKILL)
        }
        var iterator = exits.makeAsyncIterator()
        let exitStatus = await iterator.next()
        killer.cancel()
        #expect(exitStatus == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func rejectsABadListenAddress() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary!)
        process.arguments = ["fake-apiserver", "--listen", "no-port-here"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status = try await Kubectl.runToExit(process, limit: .seconds(20))
        #expect(status != 0)
    }
}
