import Addressing
import ClusterModel
import Config
import Election
import PropertyBased
import SwiftLBTestKit
import Testing

/// A random small cluster: nodes with zone labels and conditions, live members, pools with
/// advertisements restricted by node selectors, and Services of both traffic policies.
struct RandomCluster {
    typealias F = ElectionFixtures

    var configuration: Configuration
    var nodes: [ClusterNode]
    var members: [SpeakerMember]
    var services: [LoadBalancerService]
    var endpoints: [ServiceKey: [ServiceEndpoint]]

    static let zones = ["a", "b", "c"]

    init(seed: UInt64, nodeCount: Int = 9, serviceCount: Int = 24) {
        var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: seed)
        configuration = Configuration(
            pools: [
                F.pool("everywhere", ["192.168.10.0/24", "fd00:10::/112"]),
                F.pool("zoned", ["192.168.20.0/24"]),
                F.pool("unannounced", ["192.168.30.0/24"]),
            ],
            l2Advertisements: [
                L2AdvertisementConfig(name: "all", ipAddressPools: ["everywhere"]),
                L2AdvertisementConfig(
                    name: "zone-a", ipAddressPools: ["zoned"], nodeSelectors: [LabelSelector(matchLabels: ["zone": "a"])]),
                L2AdvertisementConfig(
                    name: "zone-b", ipAddressPools: ["zoned"], nodeSelectors: [LabelSelector(matchLabels: ["zone": "b"])]),
            ])
        nodes = (1...nodeCount).map { index in Self.randomNode("node-\(index)", using: &random) }
        members = nodes.filter { _ in random.next() % 5 != 0 }.map { SpeakerMember(name: $0.name) }
        services = []
        endpoints = [:]
        for index in 0..<serviceCount {
            let (service, serviceEndpoints) = Self.randomService(index, nodes: nodes.map(\.name), using: &random)
            services.append(service)
            endpoints[service.key] = serviceEndpoints
        }
    }

    static func randomNode(_ name: String, using random: inout some RandomNumberGenerator) -> ClusterNode {
        var labels = ["zone": zones.randomElement(using: &random)!]
        if random.next() % 10 == 0 { labels[ClusterNode.excludeFromExternalLoadBalancersLabel] = "" }
        return ClusterNode(name: name, labels: labels, networkUnavailable: random.next() % 10 == 0)
    }

    static func randomService(
        _ index: Int, nodes: [String], using random: inout some RandomNumberGenerator
    ) -> (LoadBalancerService, [ServiceEndpoint]) {
        let ips = ["192.168.10.\(random.next() % 40)", "fd00:10::\(random.next() % 40)", "192.168.20.\(random.next() % 40)",
                   "192.168.30.1", "10.9.9.9"]
        let ip = random.next() % 8 == 0 ? ips[Int(random.next() % UInt64(ips.count))] : ips[Int(random.next() % 3)]
        let policy: ExternalTrafficPolicy = random.next() % 3 == 0 ? .local : .cluster
        let service = F.service("svc-\(index)", ip: random.next() % 20 == 0 ? nil : ip, policy: policy)
        let endpointNodes = nodes.filter { _ in random.next() % 4 == 0 }
        return (service, F.endpoints(on: endpointNodes))
    }

    var snapshot: ElectionSnapshot { ElectionSnapshot(configuration: configuration, nodes: nodes, members: members) }

    func loaded() -> OwnerElection {
        var election = OwnerElection(configuration: configuration)
        for node in nodes { _ = election.upsertNode(node) }
        _ = election.setMembers(members)
        for service in services { _ = election.upsertService(service, endpoints: endpoints[service.key] ?? []) }
        return election
    }

    func expectedOwners() -> [ServiceKey: String] {
        var result: [ServiceKey: String] = [:]
        for service in services {
            if let owner = snapshot.elect(service, endpoints: endpoints[service.key] ?? []).owner {
                result[service.key] = owner
            }
        }
        return result
    }
}

@Suite struct ElectionPropertyTests {
    typealias F = ElectionFixtures

    @Test func electionIsDeterministicAndIgnoresInputOrder() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            let cluster = RandomCluster(seed: seed)
            var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: seed ^ 0xABCD)
            let shuffled = ElectionSnapshot(
                configuration: cluster.configuration, nodes: cluster.nodes.shuffled(using: &random),
                members: cluster.members.shuffled(using: &random))
            for service in cluster.services {
                let endpoints = cluster.endpoints[service.key] ?? []
                let first = cluster.snapshot.elect(service, endpoints: endpoints)
                #expect(first == cluster.snapshot.elect(service, endpoints: endpoints))
                #expect(first == shuffled.elect(service, endpoints: endpoints.shuffled(using: &random)))
            }
            var reordered = cluster
            reordered.nodes.shuffle(using: &random)
            reordered.services.shuffle(using: &random)
            #expect(reordered.loaded().owners == cluster.loaded().owners)
        }
    }

    @Test func ownerIsAlwaysACandidate() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            let cluster = RandomCluster(seed: seed)
            for service in cluster.services {
                let result = cluster.snapshot.elect(service, endpoints: cluster.endpoints[service.key] ?? [])
                if let owner = result.owner {
                    #expect(result.candidates.first?.node == owner)
                    #expect(cluster.members.contains { $0.name == owner })
                    let node = cluster.nodes.first { $0.name == owner }
                    #expect(node?.networkUnavailable == false)
                    #expect(node?.isExcludedFromExternalLoadBalancers == false)
                    if service.externalTrafficPolicy == .local {
                        #expect(cluster.endpoints[service.key]?.contains { $0.nodeName == owner && $0.canServe } == true)
                    }
                } else {
                    #expect(result.candidates.isEmpty)
                    #expect(result.reason != nil)
                }
                #expect(result.candidates.map(\.rank) == result.candidates.map(\.rank).sorted())
            }
        }
    }

    @Test func removingANonOwnerKeepsTheOwner() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            let cluster = RandomCluster(seed: seed)
            var election = cluster.loaded()
            let owners = election.owners
            let owning = Set(owners.values)
            guard let idle = cluster.members.first(where: { !owning.contains($0.name) }) else { return }
            #expect(election.memberLeft(named: idle.name) == [])
            #expect(election.owners == owners)
        }
    }

    /// The incremental election equals a from-scratch election after every step of a random
    /// sequence of joins, leaves, Node changes and Service changes, and the changes it reports
    /// are exactly the owner differences.
    @Test func incrementalMatchesFullRecompute() async {
        await propertyCheck(count: 40, input: Gen.uint64()) { seed in
            var cluster = RandomCluster(seed: seed)
            var election = cluster.loaded()
            var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: seed &+ 17)
            #expect(election.owners == cluster.expectedOwners())
            for step in 0..<40 {
                let before = election.owners
                let changes: [OwnerChange]
                switch random.next() % 6 {
                case 0:  // a member leaves
                    guard let member = cluster.members.randomElement(using: &random) else { continue }
                    cluster.members.removeAll { $0.name == member.name }
                    changes = election.memberLeft(named: member.name)
                case 1:  // a node's member joins (possibly one never seen before)
                    let name = "node-\(Int(random.next() % 11) + 1)"
                    guard !cluster.members.contains(where: { $0.name == name }) else { continue }
                    cluster.members.append(SpeakerMember(name: name))
                    changes = election.memberJoined(SpeakerMember(name: name))
                case 2:  // a Node's labels or condition change
                    let name = "node-\(Int(random.next() % 11) + 1)"
                    let node = RandomCluster.randomNode(name, using: &random)
                    cluster.nodes.removeAll { $0.name == name }
                    cluster.nodes.append(node)
                    changes = election.upsertNode(node)
                case 3:  // a Service changes IP, policy or endpoints
                    let index = Int(random.next() % UInt64(cluster.services.count))
                    let (service, endpoints) = RandomCluster.randomService(
                        index, nodes: (1...11).map { "node-\($0)" }, using: &random)
                    cluster.services[index] = service
                    cluster.endpoints[service.key] = endpoints
                    changes = election.upsertService(service, endpoints: endpoints)
                case 4:  // a Node object is deleted
                    guard let node = cluster.nodes.randomElement(using: &random) else { continue }
                    cluster.nodes.removeAll { $0.name == node.name }
                    changes = election.removeNode(named: node.name)
                default:  // the member list is replaced wholesale
                    let names = (1...11).map { "node-\($0)" }.filter { _ in random.next() % 3 != 0 }
                    cluster.members = names.map { SpeakerMember(name: $0) }
                    changes = election.setMembers(cluster.members)
                }
                let after = election.owners
                #expect(after == cluster.expectedOwners(), "seed \(seed) step \(step)")
                let expectedChanges = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
                #expect(changes.map(\.service) == expectedChanges, "seed \(seed) step \(step)")
                for change in changes {
                    #expect(change.previousOwner == before[change.service])
                    #expect(change.owner == after[change.service])
                }
            }
        }
    }

    /// 1,000 IPs over 10 nodes: every node owns 60–140 (the SHA-256 order spreads evenly).
    @Test func ownersSpreadEvenly() {
        let nodes = F.nodes(10)
        let configuration = Configuration(
            pools: [F.pool("big", ["10.0.0.0/16"])], l2Advertisements: [L2AdvertisementConfig(name: "all")])
        var election = OwnerElection(configuration: configuration)
        for node in nodes { _ = election.upsertNode(node) }
        _ = election.setMembers(F.members(nodes))
        let endpoints = F.endpoints(on: ["node-1"])
        for index in 0..<1000 {
            _ = election.upsertService(F.service("svc-\(index)", ip: F.ipv4(index * 37 + 5)), endpoints: endpoints)
        }
        let counts = nodes.map { election.services(ownedBy: $0.name).count }
        #expect(counts.reduce(0, +) == 1000)
        for (node, count) in zip(nodes, counts) {
            #expect((60...140).contains(count), "\(node.name) owns \(count)")
        }
    }
}
