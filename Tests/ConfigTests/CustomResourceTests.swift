import Addressing
import Config
import Testing

@Suite struct CustomResourceTests {
    @Test func everyFieldIsRead() throws {
        let result = ConfigurationParser.parse(text: try Fixture.text("crds-all-fields.yaml"), fileName: "all.yaml")
        #expect(result.errors.isEmpty, "\(result.errors)")
        let configuration = result.configuration
        let gold = try #require(configuration.pool(named: "gold"))
        #expect(gold.labels == ["tier": "gold", "zone": "a"])
        #expect(gold.ranges.map(\.description) == ["203.0.113.0/28", "2001:db8:5::10/124"])
        #expect(!gold.autoAssign && gold.avoidBuggyIPs)
        #expect(gold.usableCount == AddressCount(16 - 1 + 16))
        let allocation = try #require(gold.serviceAllocation)
        #expect(allocation.priority == 50)
        #expect(allocation.namespaces == ["payments", "shop"])
        #expect(allocation.namespaceSelectors == [LabelSelector(matchLabels: ["team": "money"])])
        #expect(allocation.serviceSelectors == [LabelSelector(matchExpressions: [
            LabelSelectorRequirement(key: "app", operator: .in, values: ["checkout", "cart"]),
            LabelSelectorRequirement(key: "canary", operator: .doesNotExist),
        ])])
        #expect(allocation.allows(namespace: "shop", namespaceLabels: [:], serviceLabels: ["app": "cart"]))
        #expect(!allocation.allows(namespace: "shop", namespaceLabels: [:], serviceLabels: ["app": "cart", "canary": "1"]))
        #expect(allocation.allows(namespace: "other", namespaceLabels: ["team": "money"], serviceLabels: ["app": "checkout"]))
        #expect(!allocation.allows(namespace: "other", namespaceLabels: [:], serviceLabels: ["app": "checkout"]))

        let silver = try #require(configuration.pool(named: "silver"))
        #expect(silver.autoAssign && !silver.avoidBuggyIPs && silver.serviceAllocation == nil && silver.labels.isEmpty)

        let edge = try #require(configuration.l2Advertisements.first { $0.name == "gold-edge" })
        #expect(edge.ipAddressPools.isEmpty)
        #expect(edge.ipAddressPoolSelectors == [LabelSelector(matchLabels: ["tier": "gold"])])
        #expect(edge.interfaces == ["eth1", "bond0"])
        #expect(edge.serviceSelectors == [LabelSelector(matchLabels: ["exposed": "yes"])])
        #expect(edge.nodeSelectors.count == 2)
        #expect(edge.selectsNode(labels: ["edge": "true", "kubernetes.io/hostname": "node-9"]))
        #expect(edge.selectsNode(labels: ["kubernetes.io/hostname": "node-1"]))
        #expect(!edge.selectsNode(labels: ["kubernetes.io/hostname": "node-9"]))

        #expect(result.notes.map(\.description).contains(
            "all.yaml: document 1 (Namespace \"metallb-system\"): -: skipped Namespace \"metallb-system\": not MetalLB layer-2 configuration"))
    }

    @Test func jsonListParses() throws {
        let configuration = try Configuration(parsing: try Fixture.text("crds-list.json"), fileName: "list.json")
        let pool = try #require(configuration.pool(named: "json-pool"))
        #expect(pool.ranges.map(\.description) == ["172.16.0.0/29", "fd00:1::1-fd00:1::8"])
        #expect(pool.families == [.ipv4, .ipv6])
        #expect(configuration.l2Advertisements.map(\.name) == ["json-ad"])
        #expect(configuration.advertisements(for: pool).map(\.name) == ["json-ad"])
    }

    @Test func concatenatedJSONObjectsParse() throws {
        let configuration = try Configuration(parsing: try Fixture.text("crds-stream.json"))
        #expect(configuration.pools.map(\.name) == ["a", "b \"quoted\" {brace}"])
        #expect(configuration.l2Advertisements.first?.ipAddressPools == ["a"])
    }

    @Test func jsonArrayAndErrorsInItemsCarryTheirPath() {
        let json = """
            [{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"ok"},"spec":{"addresses":["10.0.0.0/30"]}},
             {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"bad"},"spec":{"addresses":["10.0.0.9-10.0.0.1"]}}]
            """
        let result = ConfigurationParser.parse(text: json, fileName: "a.json")
        #expect(result.errors.map { "\($0.fieldPath): \($0.reason)" } == [
            "[1].spec.addresses[0]: range start 10.0.0.9 is after its end 10.0.0.1",
        ])
        #expect(result.configuration.pools.map(\.name) == ["ok", "bad"])
    }

    @Test func unknownFieldsAreToleratedWithANote() throws {
        let yaml = """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: p}
            spec:
              addresses: [10.0.0.0/30]
              autoassign: false
            status:
              assignedIPv4: 3
            """
        let result = ConfigurationParser.parse(text: yaml, fileName: "p.yaml")
        #expect(result.errors.isEmpty)
        #expect(result.configuration.pool(named: "p")?.autoAssign == true)
        #expect(result.notes.contains { $0.fieldPath == "spec.autoassign" && $0.message == "unknown field, ignored" })
    }

    @Test func wrongApiVersionMissingNameAndBGPKinds() {
        let yaml = """
            apiVersion: metallb.io/v1alpha1
            kind: IPAddressPool
            metadata: {name: old}
            spec: {addresses: [10.0.0.0/30]}
            ---
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            spec: {addresses: [10.0.1.0/30]}
            ---
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {name: router}
            ---
            just a string
            """
        let result = ConfigurationParser.parse(text: yaml, fileName: "k.yaml")
        #expect(result.errors.map(\.description) == [
            "k.yaml: document 1 (IPAddressPool \"old\"): apiVersion: expected apiVersion metallb.io/v1beta1, found \"metallb.io/v1alpha1\"",
            "k.yaml: document 2 (IPAddressPool): metadata.name: metadata.name is required",
            "k.yaml: document 3 (BGPPeer \"router\"): kind: BGP is not supported by SwiftLB (layer 2 only): BGPPeer",
            "k.yaml: document 4: -: expected an object (a mapping), found \"just a string\"",
        ])
    }

    @Test func yamlSyntaxErrorsAreReportedWithLine() {
        let yaml = """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: p}
            spec: {addresses: [10.0.0.0/30]}
            ---
            spec:
              addresses: [unclosed
            """
        let result = ConfigurationParser.parse(text: yaml, fileName: "s.yaml")
        #expect(result.configuration.pools.map(\.name) == ["p"])
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.document.index == 1)
        #expect(result.errors.first?.reason.hasPrefix("invalid YAML at line ") == true)
    }

    @Test func emptyOrForeignFilesAreErrors() {
        for text in ["", "---\n", "# only a comment\n"] {
            let result = ConfigurationParser.parse(text: text, fileName: "e.yaml")
            #expect(result.errors.map(\.reason) == [
                "no MetalLB configuration found (expected IPAddressPool or L2Advertisement objects, or a legacy ConfigMap)",
            ])
        }
        let namespaceOnly = ConfigurationParser.parse(text: "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
        #expect(namespaceOnly.errors.count == 1)
        #expect(namespaceOnly.notes.count == 1)
    }
}
