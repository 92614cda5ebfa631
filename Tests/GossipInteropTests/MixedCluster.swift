import Foundation
import Testing

/// A set of member processes on loopback; every process is killed when the cluster goes away.
final class MixedCluster: Sendable {
    let secretPath: String?
    let profile: String
    private let processes = ProcessList()

    init(profile: String = "lan", secret: [UInt8]? = nil) throws {
        self.profile = profile
        self.secretPath = try secret.map { try SocketInteropTests.secretDirectory($0) }
    }

    /// Starts `swiftlb members`.
    func swift(
        _ name: String, joining seeds: [PeerProcess] = [], secretPath: String?? = .none, extraArguments: [String] = []
    ) throws -> PeerProcess {
        let port = Binaries.freePort()
        var arguments = ["members", "--name", name, "--bind", "127.0.0.1:\(port)", "--profile", profile, "--meta", "meta-\(name)"]
        for seed in seeds { arguments += ["--join", "127.0.0.1:\(seed.port)"] }
        if let path = secretPath ?? self.secretPath { arguments += ["--secret-key-path", path] }
        let process = try PeerProcess(
            name: name, port: port, executable: Binaries.swiftlb, arguments: arguments + extraArguments)
        processes.add(process)
        return process
    }

    /// Starts the Go memberlist peer.
    func go(
        _ name: String, joining seeds: [PeerProcess] = [], secretPath: String?? = .none, extraArguments: [String] = []
    ) throws -> PeerProcess {
        let port = Binaries.freePort()
        var arguments = ["-name", name, "-bind", "127.0.0.1:\(port)", "-profile", profile, "-meta", "meta-\(name)"]
        for seed in seeds { arguments += ["-join", "127.0.0.1:\(seed.port)"] }
        if let path = secretPath ?? self.secretPath { arguments += ["-secret-key-path", path] }
        let process = try PeerProcess(
            name: name, port: port, executable: try Binaries.goPeer(), arguments: arguments + extraArguments)
        processes.add(process)
        return process
    }

    /// Waits until every one of `observers` has seen every one of `members` join with its metadata.
    func expectConverged(_ observers: [PeerProcess], on members: [PeerProcess], within timeout: Duration = .seconds(30)) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for observer in observers {
                for member in members {
                    let name = member.name
                    group.addTask {
                        let joined = try await observer.expect("join", of: name, within: timeout)
                        #expect(joined.meta == "meta-\(name)", "\(observer.name) sees \(name) with meta \(joined.meta ?? "nil")")
                        #expect(joined.addr == "127.0.0.1:\(member.port)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    deinit {
        processes.killAll()
    }
}

/// Processes to kill at the end, whatever happens.
final class ProcessList: Sendable {
    private let list = Mutex<[PeerProcess]>([])
    func add(_ process: PeerProcess) { list.withLock { $0.append(process) } }
    func killAll() {
        for process in list.withLock({ $0 }) { process.crash() }
    }
}

import Synchronization
