import Addressing
import Config
import Testing

@Suite struct LegacyConfigTests {
    @Test func bareConfigTextParses() throws {
        let configuration = try Configuration(parsing: try Fixture.text("legacy-config.yaml"), fileName: "legacy.yaml")
        #expect(configuration.pools.map(\.name) == ["default", "old-arp", "old-ndp"])
        let pool = try #require(configuration.pool(named: "default"))
        #expect(pool.ranges.map(\.description) == ["192.168.1.240/28", "192.168.2.10-192.168.2.20"])
        #expect(pool.autoAssign && !pool.avoidBuggyIPs && pool.serviceAllocation == nil)
        #expect(configuration.pool(named: "old-arp")?.autoAssign == false)
        #expect(configuration.pool(named: "old-ndp")?.avoidBuggyIPs == true)
        #expect(configuration.pool(named: "old-ndp")?.families == [.ipv6])
        // Each layer-2 pool is announced from every node on every interface.
        for pool in configuration.pools {
            let ads = configuration.advertisements(for: pool)
            #expect(ads.count == 1)
            #expect(ads.first?.implied == true)
            #expect(ads.first?.nodeSelectors.isEmpty == true && ads.first?.interfaces.isEmpty == true)
            #expect(ads.first?.selectsNode(labels: ["any": "node"]) == true)
        }
    }

    @Test func configMapManifestParses() throws {
        let manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: config
              namespace: metallb-system
            data:
              config: |
                address-pools:
                - name: cm
                  protocol: layer2
                  addresses: [10.5.0.0/30]
            """
        let configuration = try Configuration(parsing: manifest)
        #expect(configuration.pools.map(\.name) == ["cm"])
        #expect(configuration.pool(named: "cm")?.addresses.count == AddressCount(4))
    }

    @Test func bgpIsRejectedClearly() {
        let text = """
            peers:
            - peer-address: 10.0.0.1
              peer-asn: 64501
              my-asn: 64500
            bgp-communities:
              no-advertise: 65535:65282
            address-pools:
            - name: bgp-pool
              protocol: bgp
              addresses: [10.6.0.0/24]
              bgp-advertisements:
              - aggregation-length: 32
            """
        let result = ConfigurationParser.parse(text: text, fileName: "bgp.yaml")
        let lines = result.errors.map { "\($0.fieldPath): \($0.reason)" }
        #expect(lines.contains("peers: BGP is not supported by SwiftLB (layer 2 only): remove peers"))
        #expect(lines.contains("bgp-communities: BGP is not supported by SwiftLB (layer 2 only): remove bgp-communities"))
        #expect(lines.contains("address-pools[0].protocol: BGP is not supported by SwiftLB (layer 2 only)"))
        #expect(lines.contains { $0.hasPrefix("address-pools[0].bgp-advertisements: ") })
        #expect(result.errors.allSatisfy { $0.document.file == "bgp.yaml" })
    }

    @Test func poolFieldErrors() {
        let text = """
            address-pools:
            - protocol: layer2
              addresses: [10.0.0.0/30]
            - name: p
              addresses: [10.0.1.0/30]
            - name: q
              protocol: vxlan
              addresses: []
            - name: r
              protocol: layer2
              auto-assign: "false"
            """
        let result = ConfigurationParser.parse(text: text, fileName: "f.yaml")
        let lines = Set(result.errors.map { "\($0.fieldPath): \($0.reason)" })
        #expect(lines == [
            "address-pools[0].name: name is required",
            "address-pools[1].protocol: protocol is required (layer2)",
            "address-pools[2].protocol: unknown protocol \"vxlan\" (expected layer2)",
            "address-pools[2].addresses: addresses must not be empty",
            "address-pools[3].addresses: addresses are required (at least one CIDR or START-END range)",
            "address-pools[3].auto-assign: expected true or false, found \"false\"",
        ])
    }

    @Test func configMapErrorsPointIntoDataConfig() {
        let manifest = """
            kind: ConfigMap
            metadata: {name: config}
            data:
              config: |
                address-pools:
                - name: x
                  protocol: layer2
                  addresses: [10.0.0.0/99]
            """
        let result = ConfigurationParser.parse(text: manifest, fileName: "cm.yaml")
        #expect(result.errors.map(\.description) == [
            "cm.yaml: document 1 (ConfigMap \"config\"): data.config.address-pools[0].addresses[0]: invalid CIDR \"10.0.0.0/99\" (expected ADDRESS/LENGTH or START-END)",
        ])
    }
}
