import Addressing
import Config
import Testing

/// Which L2Advertisements announce a pool (MetalLB internal/config, speaker layer2).
@Suite struct AdvertisementResolutionTests {
    private func pool(_ name: String, labels: [String: String] = [:]) -> AddressPoolConfig {
        AddressPoolConfig(name: name, labels: labels, addresses: AddressPool())
    }

    @Test func namedSelectedAndCatchAll() {
        let red = pool("red", labels: ["color": "red"])
        let blue = pool("blue", labels: ["color": "blue"])
        let configuration = Configuration(pools: [red, blue], l2Advertisements: [
            L2AdvertisementConfig(name: "names-red", ipAddressPools: ["red"]),
            L2AdvertisementConfig(name: "selects-blue", ipAddressPoolSelectors: [LabelSelector(matchLabels: ["color": "blue"])]),
            L2AdvertisementConfig(name: "all", nodeSelectors: [LabelSelector(matchLabels: ["edge": "1"])]),
            L2AdvertisementConfig(name: "names-other", ipAddressPools: ["green"]),
        ])
        #expect(configuration.advertisements(for: red).map(\.name) == ["names-red", "all"])
        #expect(configuration.advertisements(forPoolNamed: "blue").map(\.name) == ["selects-blue", "all"])
        #expect(configuration.advertisements(forPoolNamed: "green").isEmpty)
        #expect(configuration.l2Advertisements[2].coversAllPools)
        #expect(!configuration.l2Advertisements[0].coversAllPools)
    }

    @Test func selectorsOnAPoolListAreOred() {
        let ad = L2AdvertisementConfig(
            name: "x", ipAddressPools: ["a"],
            ipAddressPoolSelectors: [LabelSelector(matchLabels: ["k": "1"]), LabelSelector(matchLabels: ["k": "2"])])
        #expect(ad.applies(to: pool("a")))
        #expect(ad.applies(to: pool("b", labels: ["k": "2"])))
        #expect(!ad.applies(to: pool("c", labels: ["k": "3"])))
    }

    @Test func poolContainingAnAddress() throws {
        let configuration = try Configuration(parsing: """
            address-pools:
            - {name: v4, protocol: layer2, addresses: [10.0.0.0/24]}
            - {name: v6, protocol: layer2, addresses: ["fd00::/120"]}
            """)
        #expect(configuration.pool(containing: IPAddress("fd00::7")!)?.name == "v6")
        #expect(configuration.pool(containing: IPAddress("10.0.1.0")!) == nil)
    }

    @Test func avoidBuggyIPsDecidesAssignability() {
        let p = AddressPoolConfig(name: "p", addresses: try! AddressPool(parsing: ["10.0.0.0/24"]), avoidBuggyIPs: true)
        #expect(!p.canAssign(IPAddress("10.0.0.0")!))
        #expect(!p.canAssign(IPAddress("10.0.0.255")!))
        #expect(p.canAssign(IPAddress("10.0.0.1")!))
        #expect(!p.canAssign(IPAddress("10.0.1.1")!))
        #expect(p.usableCount == AddressCount(254))
    }
}
