import Addressing
import ClusterModel
import Config
import Election
import Testing

/// One test per MetalLB rule (metallb-facts.md §1), each checked on the one-shot snapshot and
/// on the incremental election fed the same state.
@Suite struct ElectionRuleTests {
    typealias F = ElectionFixtures

    let nodes = F.nodes(4)

    func elect(
        _ service: LoadBalancerService,
        endpoints: [ServiceEndpoint]? = nil,
        nodes: [ClusterNode]? = nil,
        members: [SpeakerMember]? = nil,
        configuration: Configuration = F.configuration,
        options: ElectionOptions = ElectionOptions()
    ) -> ServiceElection {
        let nodes = nodes ?? self.nodes
        let members = members ?? F.members(nodes)
        let endpoints = endpoints ?? F.endpoints(on: nodes.map(\.name))
        let snapshot = ElectionSnapshot(configuration: configuration, options: options, nodes: nodes, members: members)
        let result = snapshot.elect(service, endpoints: endpoints)
        var incremental = OwnerElection(configuration: configuration, options: options)
        for node in nodes { _ = incremental.upsertNode(node) }
        for member in members { _ = incremental.memberJoined(member) }
        _ = incremental.upsertService(service, endpoints: endpoints)
        #expect(incremental.owner(of: service.key) == result.owner)
        #expect(incremental.withdrawReason(of: service.key) == result.reason)
        return result
    }

    func verdict(_ result: ServiceElection, _ node: String) -> WithdrawReason?? {
        result.verdicts.first { $0.node == node }.map(\.reason)
    }

    @Test func firstInHashOrderOwns() throws {
        let ip = try #require(IPAddress("192.168.10.7"))
        let result = elect(F.service("web", ip: "192.168.10.7"))
        let expected = ElectionOrder.sorted(nodes.map(\.name), for: ip)
        #expect(result.candidates.map(\.node) == expected)
        #expect(result.owner == expected.first)
        #expect(result.verdicts.filter(\.announces).map(\.node) == [expected[0]])
        #expect(result.verdicts.filter { $0.reason == .notOwner }.count == 3)
    }

    @Test func dualStackHashesTheFirstIngressIP() throws {
        let v6First = elect(F.service("web", ip: "fd00:10::5", extraIPs: ["192.168.10.5"]))
        let expected = ElectionOrder.sorted(nodes.map(\.name), for: try #require(IPAddress("fd00:10::5")))
        #expect(v6First.owner == expected.first)
        #expect(v6First.ingressIPs.count == 2)
    }

    @Test func servicesSharingAnIPShareTheOwner() {
        let a = elect(F.service("a", ip: "192.168.10.9"))
        let b = elect(F.service("b", ip: "192.168.10.9", namespace: "other"))
        #expect(a.owner == b.owner)
    }

    @Test func notLoadBalancer() {
        #expect(elect(F.service("web", ip: "192.168.10.7", type: .nodePort)).reason == .notLoadBalancer)
    }

    @Test func noIPAllocated() {
        let result = elect(F.service("web", ip: nil))
        #expect(result.reason == .noIPAllocated)
        #expect(result.verdicts.allSatisfy { $0.reason == .noIPAllocated })
    }

    @Test func invalidIP() {
        #expect(elect(F.service("web", ip: "192.168.10.300")).reason == .invalidIP)
    }

    @Test func ipNotAllowedOutsidePools() {
        #expect(elect(F.service("web", ip: "10.1.1.1")).reason == .ipNotAllowed)
    }

    @Test func ipsInTwoPoolsAreNotAllowed() {
        let configuration = Configuration(
            pools: [F.pool("a", ["192.168.10.0/24"]), F.pool("b", ["fd00:10::/112"])],
            l2Advertisements: [L2AdvertisementConfig(name: "all")])
        let result = elect(F.service("web", ip: "192.168.10.1", extraIPs: ["fd00:10::1"]), configuration: configuration)
        #expect(result.reason == .ipNotAllowed)
    }

    @Test func noServingEndpointMeansNobodyAnnouncesWhateverThePolicy() {
        let notReady = [ServiceEndpoint(address: "10.244.0.1", nodeName: "node-1", ready: false, serving: false)]
        #expect(elect(F.service("web", ip: "192.168.10.7"), endpoints: []).reason == .noEndpoints)
        #expect(elect(F.service("web", ip: "192.168.10.7"), endpoints: notReady).reason == .noEndpoints)
        #expect(elect(F.service("web", ip: "192.168.10.7", policy: .local), endpoints: []).reason == .noEndpoints)
    }

    @Test func terminatingButServingEndpointsCount() {
        let serving = [ServiceEndpoint(address: "10.244.0.1", nodeName: "node-2", ready: false, serving: true)]
        let result = elect(F.service("web", ip: "192.168.10.7", policy: .local), endpoints: serving)
        #expect(result.owner == "node-2")
    }

    @Test func localPolicyKeepsOnlyNodesWithAServingEndpoint() {
        let endpoints = F.endpoints(on: ["node-3"])
            + [ServiceEndpoint(address: "10.244.9.9", nodeName: "node-1", ready: false, serving: false)]
        let result = elect(F.service("web", ip: "192.168.10.7", policy: .local), endpoints: endpoints)
        #expect(result.owner == "node-3")
        #expect(result.candidates.map(\.node) == ["node-3"])
        #expect(verdict(result, "node-1") == .some(.noLocalEndpoint))
    }

    @Test func clusterPolicyIgnoresWhereEndpointsRun() {
        let result = elect(F.service("web", ip: "192.168.10.7"), endpoints: F.endpoints(on: ["node-3"]))
        #expect(result.candidates.count == 4)
    }

    @Test func poolWithoutAdvertisementIsNotAnnounced() {
        let configuration = Configuration(
            pools: [F.pool("a", ["192.168.10.0/24"]), F.pool("b", ["192.168.20.0/24"])],
            l2Advertisements: [L2AdvertisementConfig(name: "only-a", ipAddressPools: ["a"])])
        #expect(elect(F.service("web", ip: "192.168.20.1"), configuration: configuration).reason == .noApplicableAdvertisement)
        #expect(elect(F.service("web", ip: "192.168.10.1"), configuration: configuration).owner != nil)
    }

    @Test func advertisementServiceSelectorsFilterPerService() {
        let configuration = Configuration(
            pools: [F.pool("a", ["192.168.10.0/24"])],
            l2Advertisements: [
                L2AdvertisementConfig(name: "tier", serviceSelectors: [LabelSelector(matchLabels: ["tier": "edge"])])
            ])
        let plain = elect(F.service("web", ip: "192.168.10.1"), configuration: configuration)
        let edge = elect(F.service("web", ip: "192.168.10.1", labels: ["tier": "edge"]), configuration: configuration)
        #expect(plain.reason == .noApplicableAdvertisement)
        #expect(edge.owner != nil)
    }

    @Test func sharedIPWithServiceSelectorIsNotAnnounced() {
        let configuration = Configuration(
            pools: [F.pool("a", ["192.168.10.0/24"])],
            l2Advertisements: [
                L2AdvertisementConfig(name: "tier", serviceSelectors: [LabelSelector(matchLabels: ["tier": "edge"])])
            ])
        let service = F.service(
            "web", ip: "192.168.10.1", labels: ["tier": "edge"], annotations: ["metallb.io/allow-shared-ip": "k"])
        #expect(elect(service, configuration: configuration).reason == .sharedIPWithServiceSelector)
    }

    @Test func nodeSelectorsLimitCandidates() {
        let nodes = [
            ClusterNode(name: "node-1", labels: ["zone": "a"]), ClusterNode(name: "node-2", labels: ["zone": "b"]),
            ClusterNode(name: "node-3", labels: ["zone": "a"]),
        ]
        let configuration = Configuration(
            pools: [F.pool("a", ["192.168.10.0/24"])],
            l2Advertisements: [
                L2AdvertisementConfig(name: "zone-a", nodeSelectors: [LabelSelector(matchLabels: ["zone": "a"])])
            ])
        let result = elect(F.service("web", ip: "192.168.10.1"), nodes: nodes, configuration: configuration)
        #expect(Set(result.candidates.map(\.node)) == ["node-1", "node-3"])
        #expect(verdict(result, "node-2") == .some(.noMatchingAdvertisement))
    }

    @Test func advertisementsOnOnePoolAreUnioned() {
        let nodes = [ClusterNode(name: "node-1", labels: ["zone": "a"]), ClusterNode(name: "node-2", labels: ["zone": "b"])]
        let configuration = Configuration(
            pools: [F.pool("a", ["192.168.10.0/24"])],
            l2Advertisements: [
                L2AdvertisementConfig(name: "a", nodeSelectors: [LabelSelector(matchLabels: ["zone": "a"])]),
                L2AdvertisementConfig(name: "b", nodeSelectors: [LabelSelector(matchLabels: ["zone": "b"])]),
            ])
        let result = elect(F.service("web", ip: "192.168.10.1"), nodes: nodes, configuration: configuration)
        #expect(result.candidates.count == 2)
    }

    @Test func deadSpeakersAreNotCandidates() {
        let result = elect(F.service("web", ip: "192.168.10.7"), members: F.members(Array(nodes.prefix(2))))
        #expect(Set(result.candidates.map(\.node)) == ["node-1", "node-2"])
        #expect(verdict(result, "node-4") == .some(.notMember))
    }

    @Test func membersWithoutANodeObjectAreNotCandidates() {
        let result = elect(
            F.service("web", ip: "192.168.10.7"), members: F.members(nodes) + [SpeakerMember(name: "ghost")])
        #expect(verdict(result, "ghost") == .some(.unknownNode))
        #expect(result.candidates.count == 4)
    }

    @Test func networkUnavailableNodesAreNotCandidates() {
        var nodes = self.nodes
        nodes[0].networkUnavailable = true
        let result = elect(F.service("web", ip: "192.168.10.7"), nodes: nodes)
        #expect(verdict(result, "node-1") == .some(.networkUnavailable))
        #expect(result.candidates.count == 3)
    }

    @Test func excludeLabelRemovesNodesUnlessIgnored() {
        var nodes = self.nodes
        nodes[1].labels[ClusterNode.excludeFromExternalLoadBalancersLabel] = ""
        let result = elect(F.service("web", ip: "192.168.10.7"), nodes: nodes)
        #expect(verdict(result, "node-2") == .some(.excludedFromLoadBalancers))
        let ignored = elect(
            F.service("web", ip: "192.168.10.7"), nodes: nodes,
            options: ElectionOptions(ignoreExcludeFromLoadBalancers: true))
        #expect(ignored.candidates.count == 4)
    }

    @Test func announcingInterfaceHealthIsOptIn() {
        let members = [SpeakerMember(name: "node-1", announcingInterfaceUp: false)]
            + nodes.dropFirst().map { SpeakerMember(name: $0.name, announcingInterfaceUp: true) }
        let off = elect(F.service("web", ip: "192.168.10.7"), members: members)
        #expect(off.candidates.count == 4)
        let on = elect(
            F.service("web", ip: "192.168.10.7"), members: members,
            options: ElectionOptions(requireAnnouncingInterfaceUp: true))
        #expect(verdict(on, "node-1") == .some(.announcingInterfaceDown))
        #expect(on.candidates.count == 3)
    }

    @Test func withoutGossipEveryNodeIsACandidate() {
        let result = elect(
            F.service("web", ip: "192.168.10.7"), members: [], options: ElectionOptions(membership: .everyNode))
        #expect(result.candidates.count == 4)
        #expect(elect(F.service("web", ip: "192.168.10.7"), members: []).reason == .noCandidates)
    }

    @Test func loadBalancerClassFiltering() {
        var classed = F.service("web", ip: "192.168.10.7")
        classed.loadBalancerClass = "example.com/other"
        #expect(elect(classed).reason == .loadBalancerClassMismatch)
        classed.loadBalancerClass = "swiftlb.io/l2"
        #expect(elect(classed, options: ElectionOptions(loadBalancerClass: "swiftlb.io/l2")).owner != nil)
        #expect(elect(F.service("web", ip: "192.168.10.7"), options: ElectionOptions(loadBalancerClass: "swiftlb.io/l2")).reason
            == .loadBalancerClassMismatch)
    }

    @Test func reasonsSplitIntoServiceWideAndPerNode() {
        #expect(WithdrawReason.noEndpoints.isServiceWide)
        #expect(!WithdrawReason.notOwner.isServiceWide)
        #expect(WithdrawReason.noMatchingAdvertisement.rawValue == "noMatchingAdvertisement")
    }
}
