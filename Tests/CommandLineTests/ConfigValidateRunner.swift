import Foundation

/// Runs the built `swiftlb` binary (`.build/debug/swiftlb`, found from this file's path) as
/// an operator would, capturing exit status and both output streams.
enum ConfigValidateRunner {
    /// The package root: this file lives in `Tests/CommandLineTests/`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary = packageRoot.appendingPathComponent(".build/debug/swiftlb")

    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var description: String { "\(binary.path) is missing: run `swift build --build-tests` first" }
    }

    /// Runs `swiftlb ARGUMENTS...` from the package root. Output goes to temporary files,
    /// so a large report can never fill a pipe and block the child.
    static func run(_ arguments: [String]) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw MissingBinary() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("slb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Outcome(
            status: process.terminationStatus,
            standardOutput: try String(contentsOf: outURL, encoding: .utf8),
            standardError: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// Writes `text` to a temporary file and returns its path; the caller removes it.
    static func temporaryFile(_ text: String, name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slb-cli-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
