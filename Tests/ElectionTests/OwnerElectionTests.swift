import Addressing
import ClusterModel
import Config
import Election
import Testing

/// The incremental election's event handling on a fixed cluster.
@Suite struct OwnerElectionTests {
    typealias F = ElectionFixtures

    /// Six nodes, twenty Services on 192.168.10.x.
    func loaded(nodes: Int = 6, services: Int = 20) -> OwnerElection {
        var election = OwnerElection(configuration: F.configuration)
        let nodes = F.nodes(nodes)
        for node in nodes { _ = election.upsertNode(node) }
        _ = election.setMembers(F.members(nodes))
        for index in 0..<services {
            _ = election.upsertService(
                F.service("svc-\(index)", ip: "192.168.10.\(index + 1)"), endpoints: F.endpoints(on: ["node-1"]))
        }
        return election
    }

    @Test func newServiceReportsItsOwner() {
        var election = loaded()
        let changes = election.upsertService(F.service("new", ip: "192.168.10.99"), endpoints: F.endpoints(on: ["node-2"]))
        let expected = ElectionOrder.sorted(F.nodes(6).map(\.name), for: IPAddress("192.168.10.99")!).first
        #expect(changes == [OwnerChange(service: ServiceKey(namespace: "default", name: "new"), previousOwner: nil, owner: expected)])
    }

    @Test func leavingOwnerHandsOverOnlyItsServices() throws {
        var election = loaded()
        let before = election.owners
        let owner = try #require(before.values.first)
        let owned = Set(election.services(ownedBy: owner))
        let changes = election.memberLeft(named: owner)
        #expect(Set(changes.map(\.service)) == owned)
        #expect(changes.allSatisfy { $0.previousOwner == owner && $0.owner != nil && $0.owner != owner })
        for (service, node) in before where node != owner {
            #expect(election.owner(of: service) == node)
        }
    }

    @Test func returningNodeTakesItsIPsBack() throws {
        var election = loaded()
        let before = election.owners
        let owner = try #require(before.values.first)
        _ = election.memberLeft(named: owner)
        let changes = election.memberJoined(SpeakerMember(name: owner))
        #expect(changes.allSatisfy { $0.owner == owner })
        #expect(election.owners == before)
    }

    @Test func joiningNodeTakesOnlyIPsWhereItHashesFirst() {
        var election = loaded()
        _ = election.upsertNode(ClusterNode(name: "node-new"))
        let changes = election.memberJoined(SpeakerMember(name: "node-new"))
        for change in changes {
            #expect(change.owner == "node-new")
        }
        let all = F.nodes(6).map(\.name) + ["node-new"]
        for index in 0..<20 {
            let ip = IPAddress("192.168.10.\(index + 1)")!
            #expect(election.owner(of: ServiceKey(namespace: "default", name: "svc-\(index)")) == ElectionOrder.sorted(all, for: ip).first)
        }
    }

    @Test func nodeBecomingUnavailableAndBack() throws {
        var election = loaded()
        let owner = try #require(election.owners.values.first)
        let owned = election.services(ownedBy: owner)
        let lost = election.upsertNode(ClusterNode(name: owner, networkUnavailable: true))
        #expect(lost.map(\.service) == owned)
        #expect(election.services(ownedBy: owner).isEmpty)
        let regained = election.upsertNode(ClusterNode(name: owner))
        #expect(regained.map(\.service) == owned)
    }

    @Test func labelChangeThatKeepsCandidacyChangesNothing() {
        var election = loaded()
        #expect(election.upsertNode(ClusterNode(name: "node-3", labels: ["rack": "r7"])) == [])
    }

    @Test func serviceRemovalReportsTheWithdrawal() throws {
        var election = loaded()
        let key = ServiceKey(namespace: "default", name: "svc-3")
        let owner = try #require(election.owner(of: key))
        #expect(election.removeService(key) == [OwnerChange(service: key, previousOwner: owner, owner: nil)])
        #expect(election.owner(of: key) == nil)
        #expect(!election.services(ownedBy: owner).contains(key))
        #expect(election.serviceCount == 19)
    }

    @Test func serviceLosingEndpointsIsWithdrawn() {
        var election = loaded()
        let service = F.service("svc-0", ip: "192.168.10.1")
        let changes = election.upsertService(service, endpoints: [])
        #expect(changes.count == 1 && changes[0].owner == nil)
        #expect(election.withdrawReason(of: service.key) == .noEndpoints)
    }

    @Test func configurationChangeReelectsEverything() {
        var election = loaded()
        let restricted = Configuration(
            pools: F.configuration.pools,
            l2Advertisements: [
                L2AdvertisementConfig(name: "two", nodeSelectors: [LabelSelector(matchLabels: ["role": "edge"])])
            ])
        _ = election.upsertNode(ClusterNode(name: "node-2", labels: ["role": "edge"]))
        _ = election.setConfiguration(restricted)
        #expect(Set(election.owners.values) == ["node-2"])
        #expect(election.owners.count == 20)
    }

    @Test func explanationMatchesTheIncrementalOwner() throws {
        let election = loaded()
        let key = ServiceKey(namespace: "default", name: "svc-5")
        let explanation = try #require(election.explain(key))
        #expect(explanation.owner == election.owner(of: key))
        #expect(explanation.candidates.count == 6)
    }
}
