import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Paths of the programs the interop tests run, and free loopback ports.
enum Binaries {
    /// The package root (this file is Tests/GossipInteropTests/Binaries.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `swiftlb`, built next to the test bundle by `swift build --build-tests`.
    static var swiftlb: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("swiftlb").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot + "/.build/debug/swiftlb"
    }

    private static let goPeerBuild = Mutex<Result<String, GoBuildFailed>?>(nil)

    struct GoBuildFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// The Go memberlist peer (Tests/GoPeer), built on demand into .build/gopeer/ with a
    /// bounded timeout (Scripts/test.d/41-gossip-gopeer.sh builds the same binary).
    static func goPeer() throws -> String {
        try goPeerBuild.withLock { cached in
            if let cached { return try cached.get() }
            let output = packageRoot + "/.build/gopeer/gopeer"
            let source = packageRoot + "/Tests/GoPeer/main.go"
            let result: Result<String, GoBuildFailed>
            if let built = try? FileManager.default.attributesOfItem(atPath: output)[.modificationDate] as? Date,
                let edited = try? FileManager.default.attributesOfItem(atPath: source)[.modificationDate] as? Date,
                built >= edited
            {
                result = .success(output)
            } else {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
                process.arguments = ["300", "go", "build", "-o", output, "./Tests/GoPeer"]
                process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
                var environment = ProcessInfo.processInfo.environment
                environment["GO111MODULE"] = "off"
                environment["GOPATH"] = "/usr/share/gocode"
                if environment["GOCACHE"] == nil, environment["HOME"] == nil {
                    environment["GOCACHE"] = packageRoot + "/.build/gopeer/cache"
                }
                process.environment = environment
                do {
                    try process.run()
                    process.waitUntilExit()
                    result = process.terminationStatus == 0
                        ? .success(output) : .failure(GoBuildFailed(description: "go build exited \(process.terminationStatus)"))
                } catch {
                    result = .failure(GoBuildFailed(description: "go build: \(error)"))
                }
            }
            cached = result
            return try result.get()
        }
    }

    /// A loopback port free for both UDP and TCP right now.
    static func freePort() -> Int {
        for _ in 0..<50 {
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(tcp) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { continue }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &length) }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(udp) }
            let udpBound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if udpBound == 0 { return port }
        }
        return 20000 + Int(getpid() % 20000)
    }
}
