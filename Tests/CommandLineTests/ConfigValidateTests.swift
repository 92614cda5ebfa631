import Foundation
import Testing

/// `swiftlb config validate` run as a real process on the example manifests and fixtures.
@Suite(.timeLimit(.minutes(1))) struct ConfigValidateTests {
    private func validate(_ files: [String]) throws -> ConfigValidateRunner.Outcome {
        try ConfigValidateRunner.run(["config", "validate"] + files)
    }

    @Test func legacyConfigMapExampleIsValid() throws {
        let outcome = try validate(["manifests/examples/configmap-layer2.yaml"])
        #expect(outcome.status == 0)
        #expect(outcome.standardError.isEmpty)
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "valid configuration (1 file): 2 pools, 2 L2 advertisements")
        #expect(lines.contains("  default: IPv4, IPv4 254 address(es), auto-assign, avoiding .0/.255"))
        #expect(lines.contains("  reserved: IPv4+IPv6, IPv4 10, IPv6 256 address(es), on request only (autoAssign: false)"))
        #expect(lines.contains("    addresses: 192.168.20.10-192.168.20.19, fd00:20::/120"))
        #expect(lines.contains("  default (implied by legacy layer2 pool): pools default"))
    }

    @Test func crdExampleIsValidAndSummarised() throws {
        let outcome = try validate(["manifests/examples/crds-layer2.yaml"])
        #expect(outcome.status == 0)
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "valid configuration (1 file): 2 pools, 1 L2 advertisement")
        #expect(lines.contains("  public: IPv4+IPv6, IPv4 64, IPv6 18446744073709551616 address(es), auto-assign"))
        #expect(lines.contains("  workers-zone-a: pools public, internal"))
        #expect(lines.contains(
            "    nodes: {node-role.kubernetes.io/worker=,topology.kubernetes.io/zone in (zone-a)}; interfaces: eth0"))
        #expect(lines.contains { $0.hasPrefix("note: ") && $0.contains("skipped Namespace") })
    }

    @Test func invalidExamplePrintsEveryErrorAndExitsOne() throws {
        let file = "manifests/examples/invalid/invalid-overlap.yaml"
        let outcome = try validate([file])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        let errors = outcome.standardError.split(separator: "\n").map(String.init).filter { $0.hasPrefix(file + ": ") }
        #expect(errors.count == 6)
        #expect(errors.contains("\(file): document 2 (IPAddressPool \"second\"): spec.addresses[0]: 192.168.1.128/25 overlaps 192.168.1.0/24 at spec.addresses[0] of pool \"first\" (\(file): document 1 (IPAddressPool \"first\"))"))
        #expect(errors.contains("\(file): document 3 (L2Advertisement \"announce\"): spec.nodeSelectors[0].matchExpressions[0].values: Exists takes no values"))
        // Every line is `file: document: field: reason`.
        for line in errors {
            let parts = line.components(separatedBy: ": ")
            #expect(parts.count >= 4, "\(line)")
        }
        #expect(outcome.standardError.hasSuffix("invalid configuration: 6 errors\n"))
        #expect(!outcome.standardError.contains("Fatal error"))
    }

    @Test func filesTogetherFormOneConfiguration() throws {
        let pools = try ConfigValidateRunner.temporaryFile("""
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: split}
            spec: {addresses: ["10.77.0.0/30"]}
            """, name: "pools.yaml")
        let ads = try ConfigValidateRunner.temporaryFile("""
            {"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
             "metadata": {"name": "split-ad"}, "spec": {"ipAddressPools": ["split"]}}
            """, name: "ads.json")
        defer {
            try? FileManager.default.removeItem(at: pools)
            try? FileManager.default.removeItem(at: ads)
        }
        let together = try validate([ads.path, pools.path])
        #expect(together.status == 0)
        #expect(together.standardOutput.hasPrefix("valid configuration (2 files): 1 pool, 1 L2 advertisement"))
        let alone = try validate([ads.path])
        #expect(alone.status == 1)
        #expect(alone.standardError.contains("spec.ipAddressPools[0]: unknown pool \"split\""))
    }

    @Test func fixturesWithManyErrorsReportThemAll() throws {
        let outcome = try validate(["Tests/ConfigTests/Fixtures/invalid-everything.yaml"])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.hasSuffix("invalid configuration: 14 errors\n"))
    }

    @Test func unreadableFilesAreOneLineEach() throws {
        let outcome = try validate(["/nonexistent/slb.yaml", "manifests", "manifests/examples/crds-layer2.yaml"])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError == "/nonexistent/slb.yaml: cannot read: no such file\nmanifests: cannot read: is a directory\n")
    }

    @Test func binaryGarbageIsAnErrorNotACrash() throws {
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("slb-cli-\(UUID().uuidString).yaml")
        try Data([0xFF, 0xFE, 0x00, 0x41, 0xC3]).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let outcome = try validate([garbage.path])
        #expect(outcome.status == 1)
        #expect(outcome.standardError == "\(garbage.path): cannot read: not UTF-8 text\n")
        let text = try ConfigValidateRunner.temporaryFile("kind: [\n\u{7}\u{0}", name: "ctl.yaml")
        defer { try? FileManager.default.removeItem(at: text) }
        let bad = try validate([text.path])
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("invalid YAML"))
    }
}
