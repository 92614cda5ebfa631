import Addressing
import ClusterModel
import Gossip
import GossipTransport
import Kube
import KubeFake
import Testing
@testable import Speaker

/// Speaker Pods that appear after start are joined (MetalLB's speakerlist re-list).
extension SpeakerInProcessTests {
    @Test(.timeLimit(.minutes(1))) func speakerStartedAloneJoinsASpeakerPodThatAppearsLater() async throws {
        let (first, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            let announcer = RecordingAnnouncer()
            // The periodic re-list is out of the picture: only the Pod change can trigger the join.
            var speakerSettings = settings(node: second)
            speakerSettings.peerRejoinInterval = .seconds(3600)
            let speaker = Speaker(settings: speakerSettings, client: clients.watches, eventClient: clients.events, announcer: announcer)
            let run = Task { try await speaker.run() }
            defer { run.cancel() }
            let ip = self.ip, web = self.web
            await announcer.waitUntil { $0[ip] != nil }
            let speakerAddress = try #require(await speaker.gossipAddress())

            // The peer listens on another loopback address with the speaker's port, as every
            // speaker of a cluster uses one port; it knows nobody and joins nobody.
            let peer = try await GossipNode.bind(
                name: first, host: "127.0.0.2", port: Int(speakerAddress.port), meta: nil, settings: .fast,
                wire: GossipWireConfiguration())
            await peer.start(joining: [])
            let pod = try await client.create(Pod(
                metadata: ObjectMeta(name: "speaker-\(first)", namespace: Fixture.namespace, labels: ["app": "speaker"]),
                spec: .init(nodeName: first)))
            var withIP = pod
            withIP.status = .init(phase: "Running", podIP: "127.0.0.2")
            _ = try await client.updateStatus(withIP)

            await announcer.waitUntil { $0[ip] == nil }
            #expect(await speaker.owners[web] == first, "the joined member hashes first and takes the IP")
            #expect(await peer.members.contains { $0.name == second && $0.state == .alive })
            await peer.shutdown()
            run.cancel()
            _ = try? await run.value
        }
    }
}
