import Addressing
import ClusterModel
import Kube
import KubeFake
import Testing
@testable import Speaker

/// `ServiceL2Status` objects against KubeFake: created on gain with MetalLB's name, labels,
/// owner and status; adopted, not duplicated, after a restart; deleted on loss.
extension SpeakerInProcessTests {
    @Test(.timeLimit(.minutes(1))) func serviceL2StatusFollowsTheAnnouncement() async throws {
        let (_, second) = Fixture.rankedPair()
        try await cluster(endpointNode: second) { client, clients in
            _ = try await client.update(L2Advertisement.self, name: "all", namespace: Fixture.namespace) { ad in
                ad.spec?.interfaces = ["eth1", "eth0"]
            }
            let pod = try await client.create(Pod(
                metadata: ObjectMeta(name: "speaker-\(second)", namespace: Fixture.namespace), spec: .init(nodeName: second)))
            // Left by a node that announced `web` before: the new owner removes it.
            _ = try await client.create(ServiceL2Status(metadata: ObjectMeta(
                name: "l2-stale", namespace: Fixture.namespace,
                labels: [ServiceL2Status.nodeLabel: "node-z", ServiceL2Status.serviceNameLabel: "web",
                         ServiceL2Status.serviceNamespaceLabel: "default"])))
            var speakerSettings = settings(node: second)
            speakerSettings.podName = pod.metadata.name
            let web = self.web

            let speaker = Speaker(settings: speakerSettings, client: clients.watches, eventClient: clients.events, announcer: RecordingAnnouncer())
            let run = Task { try await speaker.run() }
            await speaker.statusWriter.waitUntilWritten { $0[web] != nil }
            var objects = try await client.list(ServiceL2Status.self, namespace: Fixture.namespace).items
            #expect(objects.count == 1, "one object per Service; the stale one of node-z is gone")
            let object = try #require(objects.first)
            let name = try #require(object.metadata.name)
            #expect(name.hasPrefix("l2-") && name != "l2-stale")
            #expect(object.metadata.labels == [
                ServiceL2Status.nodeLabel: second, ServiceL2Status.serviceNameLabel: "web",
                ServiceL2Status.serviceNamespaceLabel: "default",
            ])
            #expect(object.status == ServiceL2Status.Status(
                node: second, serviceName: "web", serviceNamespace: "default", interfaces: [.init(name: "eth0"), .init(name: "eth1")]))
            #expect(object.metadata.ownerReferences?.map(\.uid) == [pod.metadata.uid ?? "?"])
            #expect(object.metadata.ownerReferences?.first?.kind == "Pod")
            run.cancel()
            _ = try? await run.value

            // A restarted speaker adopts its object.
            let again = Speaker(settings: speakerSettings, client: clients.watches, eventClient: clients.events, announcer: RecordingAnnouncer())
            let rerun = Task { try await again.run() }
            defer { rerun.cancel() }
            await again.statusWriter.waitUntilWritten { $0[web] != nil }
            objects = try await client.list(ServiceL2Status.self, namespace: Fixture.namespace).items
            #expect(objects.map(\.metadata.name) == [name], "no duplicate after a restart")

            // Loss (no serving endpoint any more): the object goes.
            _ = try await client.update(EndpointSlice.self, name: "web-abc", namespace: "default") { slice in
                slice.endpoints = [.init(addresses: ["10.1.0.5"], conditions: .init(ready: false), nodeName: second)]
            }
            await again.statusWriter.waitUntilWritten { $0.isEmpty }
            objects = try await client.list(ServiceL2Status.self, namespace: Fixture.namespace).items
            #expect(objects.isEmpty)
            rerun.cancel()
            _ = try? await rerun.value
        }
    }
}
