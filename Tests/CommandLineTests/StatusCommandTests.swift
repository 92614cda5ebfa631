import Foundation
import Testing

/// `swiftlb status` (offline) run as a real process on the example CRDs.
@Suite(.timeLimit(.minutes(1))) struct StatusCommandTests {
    static let workers = [
        "--node", "node-a=node-role.kubernetes.io/worker=,topology.kubernetes.io/zone=zone-a",
        "--node", "node-b=node-role.kubernetes.io/worker=,topology.kubernetes.io/zone=zone-a",
        "--node", "node-c=node-role.kubernetes.io/worker=,topology.kubernetes.io/zone=zone-a",
        "--node", "node-z=node-role.kubernetes.io/worker=,topology.kubernetes.io/zone=zone-b",
    ]

    func lines(_ text: String, after header: String) -> [String] {
        let all = text.split(separator: "\n").map(String.init)
        guard let start = all.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        return Array(all[(start + 1)...].prefix { $0.hasPrefix("    ") }).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Candidates in the SHA-256 order Python's hashlib gives for these names and IPs:
    /// 192.0.2.10 → node-c, node-b, node-a; 2001:db8:100::7 → node-c, node-a, node-b.
    @Test func electsInMetalLBOrderAndExplainsEveryNode() throws {
        let outcome = try ConfigValidateRunner.run(
            ["status", "--config", "manifests/examples/crds-layer2.yaml"] + Self.workers
                + ["--service", "web/frontend=192.0.2.10", "--service", "web/v6=2001:db8:100::7"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let rows = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("IP") == true)
        let frontend = try #require(rows.first { $0.hasPrefix("192.0.2.10 ") })
        #expect(frontend.contains("web/frontend") && frontend.contains("public"))
        #expect(frontend.hasSuffix("node-c node-b node-a"))
        let v6 = try #require(rows.first { $0.hasPrefix("2001:db8:100::7 ") })
        #expect(v6.hasSuffix("node-c node-a node-b"))
        let verdicts = lines(outcome.standardOutput, after: "192.0.2.10 ")
        #expect(verdicts.count == 4)
        #expect(verdicts.first?.hasPrefix("node-c  owner") == true)
        #expect(verdicts.contains { $0.hasPrefix("node-b  notOwner: candidate #2") })
        #expect(verdicts.contains { $0.hasPrefix("node-z  noMatchingAdvertisement") })
    }

    @Test func downNodesAndLocalPolicyChangeTheOwner() throws {
        let outcome = try ConfigValidateRunner.run(
            ["status", "--config", "manifests/examples/crds-layer2.yaml"] + Self.workers
                + ["--down", "node-c", "--service", "ops/grafana=10.20.0.150", "--local", "ops/grafana=node-a,node-z",
                   "--service", "web/nowhere=198.51.100.1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let grafana = try #require(outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("10.20.0.150 ") })
        #expect(grafana.hasSuffix("node-a"))
        let verdicts = lines(outcome.standardOutput, after: "10.20.0.150 ")
        #expect(verdicts.contains { $0.hasPrefix("node-c  notMember") })
        #expect(verdicts.contains { $0.hasPrefix("node-b  noLocalEndpoint") })
        let nowhere = try #require(outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("198.51.100.1 ") })
        #expect(nowhere.contains("none (ipNotAllowed)"))
    }

    @Test func badArgumentsAndConfigurationsAreRefused() throws {
        let noConfig = try ConfigValidateRunner.run(["status", "--nodes", "a", "--service", "x/y=10.20.0.1"])
        #expect(noConfig.status == 64)
        #expect(noConfig.standardError.contains("--config"))
        let badService = try ConfigValidateRunner.run(
            ["status", "--config", "manifests/examples/crds-layer2.yaml", "--nodes", "a", "--service", "noslash=10.20.0.1"])
        #expect(badService.status == 64)
        #expect(badService.standardError.contains("NAMESPACE/NAME"))
        let invalid = try ConfigValidateRunner.run(
            ["status", "--config", "manifests/examples/invalid/invalid-overlap.yaml", "--nodes", "a",
             "--service", "x/y=10.20.0.1"])
        #expect(invalid.status == 1)
        #expect(invalid.standardError.contains("invalid configuration"))
        #expect(invalid.standardOutput.isEmpty)
        #expect(!invalid.standardError.contains("Fatal error"))
    }
}
