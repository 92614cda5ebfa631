import Addressing
import ClusterModel
import Kube
import Logging
import Testing
@testable import Speaker

/// A burst of inputs is applied in one reconcile pass, with the same outcome as one pass
/// per input.
@Suite(.timeLimit(.minutes(1))) struct CoalescingTests {
    static let count = 40

    /// Configuration, the node, then `count` Services each with a ready endpoint.
    private func burst() -> [SpeakerInput] {
        var inputs: [SpeakerInput] = [
            .node(.added(Fixture.node("node-a"))),
            .pool(.added(Fixture.pool(addresses: ["192.0.2.0/24"]))),
            .advertisement(.added(Fixture.advertisement())),
            .synced(SpeakerInitialState()),
        ]
        for index in 1...Self.count {
            inputs.append(.service(.added(Fixture.service("web-\(index)", ip: "192.0.2.\(index)"))))
            inputs.append(.slice(.added(Fixture.slice("web-\(index)-x", service: "web-\(index)", endpoints: [("10.1.0.\(index)", "node-a", true)]))))
        }
        return inputs
    }

    private func speaker(_ client: KubeClient, _ announcer: RecordingAnnouncer) -> Speaker {
        // No gossip: every Node is a candidate, so node-a owns every IP. The unreachable API
        // server makes every event write fail; keep those warnings out of the test output.
        var logger = Logger(label: "coalescing")
        logger.logLevel = .critical
        return Speaker(
            settings: SpeakerSettings(nodeName: "node-a", namespace: Fixture.namespace), client: client, announcer: announcer,
            logger: logger)
    }

    @Test func aBurstIsOnePassWithTheSameFinalState() async throws {
        // Never reached: events and status writes fail and are dropped; only the passes matter.
        let client = try KubeClient(configuration: KubeClientConfiguration(server: "http://127.0.0.1:9"), requestTimeout: .seconds(1))
        let inputs = burst()

        let batched = RecordingAnnouncer()
        let coalescing = speaker(client, batched)
        #expect(await coalescing.process(inputs) == false)

        let oneByOne = RecordingAnnouncer()
        let sequential = speaker(client, oneByOne)
        for input in inputs { #expect(await sequential.process([input]) == false) }

        let expected = Set((1...Self.count).map { IPAddress("192.0.2.\($0)")! })
        #expect(Set(await batched.owned.keys) == expected)
        #expect(await batched.owned == oneByOne.owned, "same final state")
        #expect(await coalescing.announcedAddresses == sequential.announcedAddresses)
        #expect(await coalescing.reconcilePasses == 1)
        #expect(await sequential.reconcilePasses == inputs.count)
        #expect(await batched.announceCalls.count == Self.count, "each IP announced once, not re-armed per input")
        try? await client.shutdown()
    }

    /// The informers' caches ride along with `.synced`: the first pass sees the whole listed
    /// state even when the forwarded list events are still on their way.
    @Test func syncedAloneCarriesTheListedState() async throws {
        let client = try KubeClient(configuration: KubeClientConfiguration(server: "http://127.0.0.1:9"), requestTimeout: .seconds(1))
        let announcer = RecordingAnnouncer()
        let speaker = speaker(client, announcer)
        let initial = SpeakerInitialState(
            services: [Fixture.service()], slices: [Fixture.slice(endpoints: [("10.1.0.5", "node-a", true)])],
            nodes: [Fixture.node("node-a")], pools: [Fixture.pool()], advertisements: [Fixture.advertisement()])
        #expect(await speaker.process([.synced(initial)]) == false)
        #expect(await announcer.owned.keys.sorted() == [IPAddress(Fixture.ip)!])
        try? await client.shutdown()
    }

    @Test func theInboxHandsOverEverythingPendingInOrder() async {
        let inbox = SpeakerInbox()
        inbox.yield(.synced(SpeakerInitialState()))
        inbox.yield(.shutdown)
        inbox.yield(.handoverDone)
        let batch = await inbox.nextBatch()
        #expect(batch?.count == 3)
        if case .synced = batch?.first {} else { Issue.record("first input first") }
        if case .handoverDone = batch?.last {} else { Issue.record("last input last") }

        let waiting = Task { await inbox.nextBatch() }
        inbox.yield(.synced(SpeakerInitialState()))
        #expect(await waiting.value?.count == 1, "a waiting taker gets the next input")
        inbox.finish()
        #expect(await inbox.nextBatch() == nil)
    }

    @Test func aCancelledTakerReturnsNil() async {
        let inbox = SpeakerInbox()
        let waiting = Task { await inbox.nextBatch() }
        waiting.cancel()
        #expect(await waiting.value == nil)
    }
}
