import Addressing
import Config
import Testing

@Suite struct ValidationTests {
    /// Every problem of the fixture is reported at once, each with document, field and reason.
    @Test func everyErrorAtOnce() throws {
        let result = ConfigurationParser.parse(text: try Fixture.text("invalid-everything.yaml"), fileName: "bad.yaml")
        let lines = result.errors.map(\.description)
        let expected = [
            #"bad.yaml: document 1 (IPAddressPool "alpha"): spec.addresses[1]: range start 10.0.0.10 is after its end 10.0.0.5"#,
            #"bad.yaml: document 1 (IPAddressPool "alpha"): spec.addresses[2]: 10.0.0.128/25 overlaps 10.0.0.0/24 at spec.addresses[0]"#,
            #"bad.yaml: document 2 (IPAddressPool "alpha"): spec.addresses[1]: invalid CIDR "300.1.1.1/24" (expected ADDRESS/LENGTH or START-END)"#,
            #"bad.yaml: document 2 (IPAddressPool "alpha"): spec.addresses[2]: range 10.9.0.1-fd00::1 mixes IPv4 and IPv6"#,
            #"bad.yaml: document 2 (IPAddressPool "alpha"): spec.autoAssign: expected true or false, found "maybe""#,
            #"bad.yaml: document 2 (IPAddressPool "alpha"): metadata.name: duplicate pool name "alpha" (first defined in bad.yaml: document 1 (IPAddressPool "alpha"))"#,
            #"bad.yaml: document 2 (IPAddressPool "alpha"): spec.addresses[0]: 10.0.0.200/29 overlaps 10.0.0.0/24 at spec.addresses[0] of pool "alpha" (bad.yaml: document 1 (IPAddressPool "alpha"))"#,
            #"bad.yaml: document 2 (IPAddressPool "alpha"): spec.addresses[0]: 10.0.0.200/29 overlaps 10.0.0.128/25 at spec.addresses[2] of pool "alpha" (bad.yaml: document 1 (IPAddressPool "alpha"))"#,
            #"bad.yaml: document 3 (IPAddressPool "empty"): spec.addresses: addresses must not be empty"#,
            #"bad.yaml: document 4 (L2Advertisement "ad"): spec.nodeSelectors[0].matchExpressions[0].operator: unknown operator "Near" (expected In, NotIn, Exists or DoesNotExist)"#,
            #"bad.yaml: document 4 (L2Advertisement "ad"): spec.nodeSelectors[0].matchExpressions[1].values: Exists takes no values"#,
            #"bad.yaml: document 4 (L2Advertisement "ad"): spec.nodeSelectors[0].matchExpressions[2].values: In needs at least one value"#,
            #"bad.yaml: document 4 (L2Advertisement "ad"): spec.ipAddressPools[1]: unknown pool "alhpa" (MetalLB would silently ignore it, so the pool meant here would never be announced)"#,
            #"bad.yaml: document 5 (L2Advertisement "ad"): metadata.name: duplicate L2Advertisement name "ad" (first defined in bad.yaml: document 4 (L2Advertisement "ad"))"#,
        ]
        #expect(lines == expected)
    }

    @Test func overlapsAcrossFilesNameBothFiles() {
        let first = ConfigSource(name: "one.yaml", text: """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: a}
            spec: {addresses: ["fd00::/64"]}
            """)
        let second = ConfigSource(name: "two.yaml", text: """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: b}
            spec: {addresses: ["10.0.0.0/8", "fd00::ffff - fd00:0:0:1::"]}
            """)
        let result = ConfigurationParser.parse([first, second])
        #expect(result.errors.map(\.description) == [
            #"two.yaml: document 1 (IPAddressPool "b"): spec.addresses[1]: fd00::ffff-fd00:0:0:1:: overlaps fd00::/64 at spec.addresses[0] of pool "a" (one.yaml: document 1 (IPAddressPool "a"))"#,
        ])
        // Touching ranges do not overlap.
        let touching = ConfigurationParser.parse(text: """
            address-pools:
            - {name: a, protocol: layer2, addresses: ["10.0.0.0/25", "10.0.0.128-10.0.0.130"]}
            """)
        #expect(touching.isValid)
    }

    @Test func duplicateEntriesInAdvertisementsAreRejected() {
        let result = ConfigurationParser.parse(text: """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: p}
            spec: {addresses: [10.0.0.0/30]}
            ---
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata: {name: ad}
            spec:
              ipAddressPools: [p, p]
              nodeSelectors: [{matchLabels: {a: b}}, {matchLabels: {a: b}}]
            """)
        #expect(result.errors.map { "\($0.fieldPath): \($0.reason)" } == [
            #"spec.ipAddressPools[1]: duplicate pool "p""#,
            "spec.nodeSelectors[1]: duplicate selector a=b",
        ])
    }

    @Test func poolsWithoutAdvertisementGetANote() {
        let result = ConfigurationParser.parse(text: """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: lonely}
            spec: {addresses: [10.0.0.0/30]}
            """)
        #expect(result.isValid)
        #expect(result.notes.map(\.message) == [
            #"no L2Advertisement covers pool "lonely": its addresses are assigned but never announced"#,
        ])
    }
}

@Suite struct LabelSyntaxValidationTests {
    private func selectorErrors(_ selector: String) -> [String] {
        let yaml = """
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata: {name: ad}
            spec:
              nodeSelectors:
              - \(selector)
            """
        return ConfigurationParser.parse(text: yaml).errors.map { "\($0.fieldPath): \($0.reason)" }
    }

    @Test(arguments: [
        "{matchLabels: {kubernetes.io/hostname: node-1}}",
        "{matchLabels: {node-role.kubernetes.io/control-plane: \"\"}}",
        "{matchLabels: {a_b.c-D9: x.Y_z-1}}",
        "{matchExpressions: [{key: topology.kubernetes.io/zone, operator: NotIn, values: [eu-1a, eu-1b]}]}",
    ])
    func acceptsKubernetesLabels(selector: String) {
        #expect(selectorErrors(selector) == [])
    }

    @Test(arguments: [
        ("{matchLabels: {-bad: x}}", "spec.nodeSelectors[0].matchLabels"),
        ("{matchLabels: {Example.COM/x: y}}", "spec.nodeSelectors[0].matchLabels"),
        ("{matchLabels: {a/b/c: y}}", "spec.nodeSelectors[0].matchLabels"),
        ("{matchLabels: {app: \"has space\"}}", "spec.nodeSelectors[0].matchLabels.app"),
        ("{matchExpressions: [{key: \"x/\", operator: Exists}]}", "spec.nodeSelectors[0].matchExpressions[0].key"),
        ("{matchExpressions: [{key: k, operator: In, values: [\"-v\"]}]}", "spec.nodeSelectors[0].matchExpressions[0].values[0]"),
        ("{matchExpressions: [{operator: Exists}]}", "spec.nodeSelectors[0].matchExpressions[0].key"),
        ("{matchExpressions: [{key: k}]}", "spec.nodeSelectors[0].matchExpressions[0].operator"),
    ])
    func rejectsInvalidLabels(selector: String, path: String) {
        let errors = selectorErrors(selector)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix(path + ": ") == true, "\(errors)")
    }

    @Test func longNamesAreRejected() {
        let long = String(repeating: "a", count: 64)
        #expect(selectorErrors("{matchLabels: {\(long): x}}").count == 1)
        #expect(selectorErrors("{matchLabels: {x: \(long)}}").count == 1)
        #expect(selectorErrors("{matchLabels: {\(long.dropLast()): \(long.dropLast())}}").isEmpty)
    }

    @Test func poolLabelsAreChecked() {
        let result = ConfigurationParser.parse(text: """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: p, labels: {"bad key": x}}
            spec: {addresses: [10.0.0.0/30]}
            """)
        #expect(result.errors.map(\.fieldPath) == ["metadata.labels"])
    }
}
