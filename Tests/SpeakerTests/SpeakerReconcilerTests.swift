import Addressing
import ClusterModel
import Config
import Election
import Kube
import Testing
@testable import Speaker

@Suite struct SpeakerReconcilerTests {
    /// A reconciler on `node` with both nodes known, both gossip members, and the fixture config.
    private func reconciler(on node: String, members: [String], configuration: Configuration = Fixture.configuration()) -> SpeakerReconciler {
        var reconciler = SpeakerReconciler(nodeName: node)
        _ = reconciler.setConfiguration(configuration)
        for name in ["node-a", "node-b"] { _ = reconciler.nodeChanged(Fixture.node(name)) }
        for name in members { _ = reconciler.memberAlive(name) }
        return reconciler
    }

    private let ip = IPAddress(Fixture.ip)!

    @Test func ownerAnnouncesItsServiceIPOnceItHasAServingEndpoint() {
        let (first, _) = Fixture.rankedPair()
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"])
        let noEndpoints = reconciler.serviceChanged(Fixture.service())
        #expect(noEndpoints.diff.announce.isEmpty, "no endpoint: never announced (MetalLB)")
        let step = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        #expect(step.diff.announce == [AnnouncementTarget(ip: ip, interfaces: nil, services: [ServiceKey(namespace: "default", name: "web")])])
        #expect(step.gained == [ServiceKey(namespace: "default", name: "web")])
        #expect(step.diff.pairsAdded == [AnnouncedPair(service: ServiceKey(namespace: "default", name: "web"), ip: ip)])
        #expect(step.ownerChanges.map(\.owner) == [first])
    }

    @Test func nonOwnerDoesNotAnnounce() {
        let (_, second) = Fixture.rankedPair()
        var reconciler = reconciler(on: second, members: ["node-a", "node-b"])
        _ = reconciler.serviceChanged(Fixture.service())
        let step = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        #expect(step.diff.announce.isEmpty)
        #expect(step.gained.isEmpty)
        #expect(reconciler.election.owner(of: ServiceKey(namespace: "default", name: "web")) != second)
    }

    @Test func aMemberThatHashesFirstJoiningTakesTheIPAway() {
        let (first, second) = Fixture.rankedPair()
        var reconciler = reconciler(on: second, members: [second])
        _ = reconciler.serviceChanged(Fixture.service())
        let gained = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        #expect(gained.diff.announce.map(\.ip) == [ip])
        let step = reconciler.memberAlive(first)
        #expect(step.diff.withdraw == [ip])
        #expect(step.lost == [ServiceKey(namespace: "default", name: "web")])
        let back = reconciler.memberGone(first)
        #expect(back.diff.announce.map(\.ip) == [ip], "a dead owner's IP comes back")
        #expect(back.gained == [ServiceKey(namespace: "default", name: "web")])
    }

    @Test func localPolicyFollowsTheEndpointNode() {
        let (first, second) = Fixture.rankedPair()
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"])
        _ = reconciler.serviceChanged(Fixture.service(policy: "Local"))
        let here = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", first, true)]))
        #expect(here.diff.announce.map(\.ip) == [ip])
        let moved = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.6", second, true)]))
        #expect(moved.diff.withdraw == [ip])
        #expect(reconciler.election.owner(of: ServiceKey(namespace: "default", name: "web")) == second)
    }

    @Test func notReadyButServingEndpointsCountAndNotServingOnesDoNot() {
        let (first, _) = Fixture.rankedPair()
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"])
        _ = reconciler.serviceChanged(Fixture.service())
        let notReady = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", false)]))
        #expect(notReady.diff.announce.isEmpty)
        var serving = Fixture.slice(endpoints: [("10.1.0.5", "node-a", false)])
        serving.endpoints?[0].conditions?.serving = true
        #expect(reconciler.sliceChanged(serving).diff.announce.map(\.ip) == [ip])
        #expect(reconciler.sliceDeleted(serving).diff.withdraw == [ip])
    }

    @Test func servicesSharingAnIPAreOneAnnouncement() {
        let (first, _) = Fixture.rankedPair()
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"])
        for name in ["dns-tcp", "dns-udp"] {
            var service = Fixture.service(name)
            service.metadata.annotations = ["metallb.io/allow-shared-ip": "dns"]
            service.spec?.selector = ["app": "dns"]
            _ = reconciler.serviceChanged(service)
            _ = reconciler.sliceChanged(Fixture.slice("\(name)-x", service: name, endpoints: [("10.1.0.5", "node-a", true)]))
        }
        let keys: Set = [ServiceKey(namespace: "default", name: "dns-tcp"), ServiceKey(namespace: "default", name: "dns-udp")]
        #expect(reconciler.announced[ip]?.services == keys)
        let step = reconciler.serviceDeleted(ServiceKey(namespace: "default", name: "dns-tcp"))
        #expect(step.diff.withdraw.isEmpty, "the other Service still holds the IP")
        #expect(step.diff.pairsRemoved == [AnnouncedPair(service: ServiceKey(namespace: "default", name: "dns-tcp"), ip: ip)])
        #expect(step.lost == [ServiceKey(namespace: "default", name: "dns-tcp")])
    }

    @Test func interfacesComeFromTheAdvertisementsThatSelectThisNode() {
        let (first, _) = Fixture.rankedPair()
        let configuration = Fixture.configuration(advertisements: [
            Fixture.advertisement("eth", interfaces: ["eth0"]),
            Fixture.advertisement("bond", interfaces: ["bond0"]),
            Fixture.advertisement("elsewhere", interfaces: ["wlan0"], nodeLabels: ["zone": "b"]),
        ])
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"], configuration: configuration)
        _ = reconciler.serviceChanged(Fixture.service())
        let step = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        #expect(step.diff.announce.first?.interfaces == ["eth0", "bond0"])
        let everywhere = reconciler.setConfiguration(Fixture.configuration(advertisements: [
            Fixture.advertisement("eth", interfaces: ["eth0"]), Fixture.advertisement("any"),
        ]))
        #expect(everywhere.diff.announce.count == 1)
        #expect(everywhere.diff.announce.first?.interfaces == nil, "an advertisement without interfaces allows all; announce again")
        #expect(everywhere.gained.isEmpty)
    }

    @Test func removingThePoolWithdraws() {
        let (first, _) = Fixture.rankedPair()
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"])
        _ = reconciler.serviceChanged(Fixture.service())
        _ = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        let step = reconciler.setConfiguration(Configuration())
        #expect(step.diff.withdraw == [ip])
        #expect(reconciler.announced.isEmpty)
    }

    @Test func networkUnavailableNodeIsNoCandidate() {
        let (first, second) = Fixture.rankedPair()
        var reconciler = reconciler(on: second, members: ["node-a", "node-b"])
        _ = reconciler.serviceChanged(Fixture.service())
        _ = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        #expect(reconciler.announced.isEmpty)
        let step = reconciler.nodeChanged(Fixture.node(first, networkUnavailable: true))
        #expect(step.diff.announce.map(\.ip) == [ip])
    }

    @Test func withdrawAllEmptiesTheAnnouncements() {
        let (first, _) = Fixture.rankedPair()
        var reconciler = reconciler(on: first, members: ["node-a", "node-b"])
        _ = reconciler.serviceChanged(Fixture.service())
        _ = reconciler.sliceChanged(Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)]))
        #expect(reconciler.withdrawAll().withdraw == [ip])
        #expect(reconciler.announced.isEmpty)
    }

    @Test func legacyConfigMapIsUsedOnlyWithoutCRDs() {
        let legacy = ConfigMap(metadata: ObjectMeta(name: "config", namespace: Fixture.namespace), data: ["config": """
            address-pools:
            - name: old
              protocol: layer2
              addresses: [192.0.2.0/28]
            """])
        let onlyLegacy = KubeTranslation.configSources(pools: [], advertisements: [], legacy: legacy)
        #expect(ConfigurationParser.parse(onlyLegacy).configuration.pools.map(\.name) == ["old"])
        let both = KubeTranslation.configSources(pools: [Fixture.pool()], advertisements: [Fixture.advertisement()], legacy: legacy)
        #expect(ConfigurationParser.parse(both).configuration.pools.map(\.name) == ["lan"])
    }
}
