import Foundation

/// Runs the built `swiftlb` binary (`.build/debug/swiftlb`, found from this file's path) as an
/// operator would, without blocking a thread while it runs.
enum SwiftLBProcess {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = packageRoot.appendingPathComponent(".build/debug/swiftlb")

    struct Outcome: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var description: String { "\(binary.path) is missing: run `swift build --build-tests` first" }
    }

    static func run(_ arguments: [String]) async throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw MissingBinary() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("slb-spk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Outcome(
            status: status,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
