import Addressing
import ClusterModel
import Foundation
import Gossip
import GossipTransport
import Kube
import KubeFake
import Logging
import Packets
import Testing
@testable import Speaker

/// The speaker against KubeFake (real HTTP API, informers, watches) and real loopback gossip;
/// only the announcer is replaced, at its protocol seam.
@Suite(.timeLimit(.minutes(1))) struct SpeakerInProcessTests {
    let ip = IPAddress(Fixture.ip)!
    let web = ServiceKey(namespace: "default", name: "web")

    /// KubeFake with the fixture pool and advertisement, both nodes and the `web` Service
    /// (Cluster policy, ingress IP set, one ready endpoint on `endpointNode`).
    /// Clients for the speaker under test: its watches must not share the test's connection pool.
    struct SpeakerClients: Sendable {
        let watches: KubeClient
        let events: KubeClient
    }

    func cluster(endpointNode: String, _ body: (KubeClient, SpeakerClients) async throws -> Void) async throws {
        let server = try await KubeFakeServer.start(namespaces: ["default", Fixture.namespace])
        let configuration = try Kubeconfig.parse(yaml: server.kubeconfigYAML(), file: "kubefake")
        let client = try KubeClient(configuration: configuration, requestTimeout: .seconds(10))
        let speaker = SpeakerClients(watches: try KubeClient(configuration: configuration), events: try KubeClient(configuration: configuration))
        func tearDown() async {
            for each in [client, speaker.watches, speaker.events] { try? await each.shutdown() }
            await server.shutdown()
        }
        do {
            _ = try await client.create(Fixture.pool())
            _ = try await client.create(Fixture.advertisement())
            for name in ["node-a", "node-b"] { _ = try await client.create(Fixture.node(name)) }
            let service = try await client.create(Fixture.service())
            var withStatus = service
            withStatus.status = Fixture.service().status
            _ = try await client.updateStatus(withStatus)
            _ = try await client.create(Fixture.slice(endpoints: [("10.1.0.5", endpointNode, true)]))
            try await body(client, speaker)
        } catch {
            await tearDown()
            throw error
        }
        await tearDown()
    }

    func settings(node: String, handoverTimeout: Duration = .seconds(20), conflictGrace: Duration = .seconds(1)) -> SpeakerSettings {
        SpeakerSettings(
            nodeName: node, namespace: Fixture.namespace, gossipBindHost: "127.0.0.1", gossipBindPort: 0,
            memberlistLabels: "app=speaker", gossip: .fast, handoverTimeout: handoverTimeout,
            leaveTimeout: .milliseconds(200), seedListTimeout: .seconds(2), conflictGrace: conflictGrace)
    }

    /// A speaker with a recording announcer, running, once it announces the fixture's IP.
    func announcingSpeaker(
        _ settings: SpeakerSettings, _ clients: SpeakerClients
    ) async -> (Speaker, RecordingAnnouncer, Task<Void, any Error>) {
        let announcer = RecordingAnnouncer()
        let speaker = Speaker(settings: settings, client: clients.watches, eventClient: clients.events, announcer: announcer)
        let run = Task { try await speaker.run() }
        let ip = self.ip
        await announcer.waitUntil { $0[ip] != nil }
        return (speaker, announcer, run)
    }

    /// Polls `condition` every 10 ms until it holds or `limit` passes (the speaker's conflict
    /// decisions are internal state, with no event to await).
    func eventually(within limit: Duration = .seconds(10), _ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    func conflictEvents(_ client: KubeClient) async throws -> [Event] {
        try await client.list(Event.self, namespace: "default").items.filter { $0.reason == "addressConflict" }
    }

    @Test func anotherStationStillAnsweringAfterTheGraceIsAConflict() async throws {
        let (_, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: second, conflictGrace: .milliseconds(200)), clients)
            defer { run.cancel() }
            let ip = self.ip
            announcer.observeForeignAnnouncement(of: ip)
            announcer.observeForeignAnnouncement(of: ip)
            let reported = try await eventually { await speaker.conflictsReported == 1 }
            #expect(reported)
            let recorded = try await eventually { (try? await conflictEvents(client).count) == 1 }
            #expect(recorded, "one Warning event")
            #expect(await speaker.conflictsDismissed == 0)
            let events = try await conflictEvents(client)
            #expect(events.first?.type == "Warning")
            run.cancel()
            _ = try? await run.value
        }
    }

    @Test func anotherStationTakingOverAMovingIPIsNotAConflict() async throws {
        let (first, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            // A grace longer than the move takes here; the move itself is not timed.
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: second, conflictGrace: .seconds(3)), clients)
            defer { run.cancel() }
            let ip = self.ip
            // The new owner's gratuitous ARP arrives before this speaker has seen the move.
            announcer.observeForeignAnnouncement(of: ip)
            _ = try await client.update(Kube.Service.self, name: "web", namespace: "default") { service in
                service.spec?.externalTrafficPolicy = "Local"
            }
            _ = try await client.update(EndpointSlice.self, name: "web-abc", namespace: "default") { slice in
                slice.endpoints = [.init(addresses: ["10.1.0.9"], conditions: .init(ready: true), nodeName: first)]
            }
            await announcer.waitUntil { $0[ip] == nil }
            let dismissed = try await eventually { await speaker.conflictsDismissed == 1 }
            #expect(dismissed)
            #expect(await speaker.conflictsReported == 0)
            let events = try await conflictEvents(client)
            #expect(events.isEmpty)
            run.cancel()
            _ = try? await run.value
        }
    }

    @Test(.timeLimit(.minutes(1))) func ownerAnnouncesAndWithdrawsWhenAMemberThatHashesFirstJoins() async throws {
        let (first, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let eventInformer = Informer<Event>(client: client, options: InformerOptions(namespace: "default"))
            let watching = Task { await eventInformer.run() }
            defer { watching.cancel() }
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: second), clients)
            defer { run.cancel() }
            let ip = self.ip
            #expect(await speaker.owners[web] == second)

            var assigned: Event?
            for await change in eventInformer.changes where change.object.reason == "nodeAssigned" {
                assigned = change.object
                break
            }
            #expect(assigned?.note == "announcing from node \"\(second)\" with protocol \"layer2\"")
            #expect(assigned?.type == "Normal")
            #expect(assigned?.regarding?.name == "web")
            let speakerAddress = try #require(await speaker.gossipAddress())
            let other = try await GossipNode.bind(
                name: first, host: "127.0.0.1", port: 0, meta: nil, settings: .fast, wire: GossipWireConfiguration())
            await other.start(joining: [speakerAddress])
            await announcer.waitUntil { $0[ip] == nil }
            #expect(await speaker.owners[web] == first)

            await other.leave(timeout: .seconds(1))
            await other.shutdown()
            await announcer.waitUntil { $0[ip] != nil }
            #expect(await speaker.owners[web] == second, "the IP comes back when the first member leaves")
            run.cancel()
            _ = try? await run.value
        }
    }

    /// metallb#736: after a partition heals (members join again) the owner's IPs are announced
    /// again, though their owner did not change, so the LAN forgets the other half's MAC.
    @Test func aJoiningMemberReArmsTheBurstOfIPsThatStayHere() async throws {
        let (first, second) = Fixture.rankedPair()
        try await cluster(endpointNode: first) { _, clients in
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: first), clients)
            defer { run.cancel() }
            let ip = self.ip
            #expect(await announcer.announceCalls.filter { $0 == ip }.count == 1)
            let speakerAddress = try #require(await speaker.gossipAddress())
            let other = try await GossipNode.bind(
                name: second, host: "127.0.0.1", port: 0, meta: nil, settings: .fast, wire: GossipWireConfiguration())
            await other.start(joining: [speakerAddress])
            let rearmed = try await eventually { await announcer.announceCalls.filter { $0 == ip }.count == 2 }
            #expect(rearmed, "the join re-armed the burst")
            #expect(await speaker.owners[web] == first, "the owner did not change")
            #expect(await announcer.owned[ip] != nil)
            await other.leave(timeout: .seconds(1))
            await other.shutdown()
            run.cancel()
            _ = try? await run.value
        }
    }

    @Test func localPolicyWithEndpointsOnlyElsewhereWithdraws() async throws {
        let (first, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: second), clients)
            defer { run.cancel() }
            let ip = self.ip

            _ = try await client.update(Kube.Service.self, name: "web", namespace: "default") { service in
                service.spec?.externalTrafficPolicy = "Local"
            }
            _ = try await client.update(EndpointSlice.self, name: "web-abc", namespace: "default") { slice in
                slice.endpoints = [.init(addresses: ["10.1.0.9"], conditions: .init(ready: true), nodeName: first)]
            }
            await announcer.waitUntil { $0[ip] == nil }
            #expect(await speaker.owners[web] == nil, "the only endpoint is on a node that runs no speaker")
            run.cancel()
            _ = try? await run.value
        }
    }

    @Test func gracefulShutdownWaitsForTheNextOwnersAnnouncement() async throws {
        let (_, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: second, handoverTimeout: .seconds(30)), clients)
            let ip = self.ip

            let clock = ContinuousClock()
            let start = clock.now
            speaker.beginShutdown()
            // Still answering while nobody else has announced.
            #expect(await announcer.owned[ip] != nil)
            announcer.observeForeignAnnouncement(of: ip)
            try await run.value
            #expect(await announcer.owned[ip] == nil, "withdrawn after the handover")
            #expect(clock.now - start < .seconds(10), "returned on the next owner's announcement, not the 30 s timeout")
        }
    }

    @Test func gracefulShutdownGivesUpAfterTheHandoverTimeout() async throws {
        let (_, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let (speaker, announcer, run) = await announcingSpeaker(settings(node: second, handoverTimeout: .milliseconds(300)), clients)
            let ip = self.ip
            speaker.beginShutdown()
            try await run.value
            #expect(await announcer.owned[ip] == nil)
        }
    }
}

/// Early takeover in the speaker with real loopback gossip on the `lan` profile (a silent
/// member is suspect for 4 s before it is dead) and a recording announcer that plays the wire.
@Suite(.timeLimit(.minutes(1))) struct EarlyTakeoverInProcessTests {
    let ip = IPAddress(Fixture.ip)!
    let web = ServiceKey(namespace: "default", name: "web")

    func lanSettings(node: String) -> SpeakerSettings {
        SpeakerSettings(
            nodeName: node, namespace: Fixture.namespace, gossipBindHost: "127.0.0.1", gossipBindPort: 0,
            memberlistLabels: "app=speaker", gossip: .lan, leaveTimeout: .milliseconds(200), seedListTimeout: .seconds(2))
    }

    /// The speaker on the second-ranked node, the first-ranked node as a bare gossip member
    /// that owns the IP; `probeAnswers` is what the wire answers to the speaker's probes.
    /// `body` gets the announcer, the speaker and the first node's gossip (to silence it).
    func withOwnerAndHeir(probeAnswers: [IPAddress: MACAddress],
                          _ body: (RecordingAnnouncer, Speaker, GossipNode, String) async throws -> Void) async throws {
        let (first, second) = Fixture.rankedPair()
        try await SpeakerInProcessTests().cluster(endpointNode: second) { _, clients in
            let announcer = RecordingAnnouncer()
            await announcer.setProbeAnswers(probeAnswers)
            let speaker = Speaker(settings: lanSettings(node: second), client: clients.watches, eventClient: clients.events,
                                  announcer: announcer)
            let run = Task { try await speaker.run() }
            defer { run.cancel() }
            let ip = self.ip
            await announcer.waitUntil { $0[ip] != nil }
            let speakerAddress = try #require(await speaker.gossipAddress())
            let owner = try await GossipNode.bind(
                name: first, host: "127.0.0.1", port: 0, meta: nil, settings: .lan, wire: GossipWireConfiguration())
            await owner.start(joining: [speakerAddress])
            await announcer.waitUntil { $0[ip] == nil }
            #expect(await speaker.owners[web] == first)
            try await body(announcer, speaker, owner, first)
            await owner.shutdown()
            run.cancel()
            _ = try? await run.value
        }
    }

    @Test func aSilentOwnerNobodyAnswersForIsTakenOverWhileStillSuspect() async throws {
        try await withOwnerAndHeir(probeAnswers: [:]) { announcer, speaker, owner, first in
            await owner.shutdown()  // gone without a leave: a crash, as far as gossip can tell
            let ip = self.ip
            await announcer.waitUntil { $0[ip] != nil }
            let members = await speaker.statusReport().members ?? []
            #expect(members.contains(first), "taken over while gossip still counts \(first) (suspect), before its dead event")
            #expect(await announcer.probeCalls.first == [ip], "the IP was probed first")
            #expect(await speaker.owners[web] != first)
        }
    }

    @Test func anOwnerThatStillAnswersKeepsItsIPUntilGossipDeclaresItDead() async throws {
        try await withOwnerAndHeir(probeAnswers: [IPAddress(Fixture.ip)!: MACAddress(0x0200_0000_00AA)]) { announcer, speaker, owner, first in
            await owner.shutdown()
            await announcer.waitForProbes(2)  // probed, answered, probed again while suspect
            #expect(await announcer.owned[self.ip] == nil, "an answered probe takes nothing over")
            #expect(await speaker.owners[web] == first)
            #expect((await speaker.statusReport().members ?? []).contains(first))
            // Gossip's own verdict (4 s of suspicion) then moves the IP the normal way.
            let ip = self.ip
            await announcer.waitUntil { $0[ip] != nil }
            #expect(!((await speaker.statusReport().members ?? []).contains(first)), "only after the dead event")
        }
    }
}
