import Addressing
import Announcer
import Kube
import Observability
import Testing
@testable import Speaker

/// The announcer's counters reach `/metrics` under MetalLB's names and labels, each scrape
/// showing the announcer's totals as of that moment, never counted twice.
@Suite(.timeLimit(.minutes(1))) struct LayerTwoCounterExportTests {
    private let v4 = IPAddress("192.0.2.10")!
    private let v6 = IPAddress("2001:db8::7")!

    private func counters(requests: UInt64, responses: UInt64, gratuitous: UInt64, conflicts: UInt64, malformed: UInt64) -> AnnouncerCounters {
        var counters = AnnouncerCounters()
        counters.requestsReceived = [v4: requests, v6: 1]
        counters.responsesSent = [v4: responses]
        counters.gratuitousSent = [v4: gratuitous, v6: 5]
        counters.conflicts = [v4: conflicts]
        counters.malformedFrames = malformed
        counters.malformedFramesByInterface = ["eth0": malformed]
        counters.busyPoll.wakeups = requests
        counters.busyPoll.hits = responses
        counters.realtimePriority = Int(conflicts)
        return counters
    }

    @Test func speakerScrapeExportsAnnouncerCountsUnderMetalLBNames() async throws {
        let announcer = RecordingAnnouncer()
        let metrics = SpeakerMetrics(node: "node-a")
        // Never contacted: the speaker is not run.
        let client = try KubeClient(configuration: KubeClientConfiguration(server: "http://127.0.0.1:9"))
        let speaker = Speaker(
            settings: SpeakerSettings(nodeName: "node-a", namespace: Fixture.namespace),
            client: client, announcer: announcer, metrics: metrics)

        await announcer.setCounters(counters(requests: 3, responses: 3, gratuitous: 10, conflicts: 1, malformed: 2))
        await speaker.publishCounters()
        var text = metrics.exposition()
        #expect(text.contains(#"metallb_layer2_requests_received{ip="192.0.2.10"} 3"#))
        #expect(text.contains(#"metallb_layer2_requests_received{ip="2001:db8::7"} 1"#))
        #expect(text.contains(#"metallb_layer2_responses_sent{ip="192.0.2.10"} 3"#))
        #expect(text.contains(#"metallb_layer2_gratuitous_sent{ip="192.0.2.10"} 10"#))
        #expect(text.contains(#"metallb_layer2_gratuitous_sent{ip="2001:db8::7"} 5"#))
        #expect(text.contains(#"swiftlb_conflicts_total{ip="192.0.2.10"} 1"#))
        #expect(text.contains(#"swiftlb_malformed_frames_total{interface="eth0"} 2"#))
        #expect(text.contains(#"swiftlb_layer2_poll_loop_total{event="wakeup"} 3"#))
        #expect(text.contains(#"swiftlb_layer2_poll_loop_total{event="hit"} 3"#))
        #expect(!text.contains(#"event="backoff""#), "an event that never happened has no series yet")
        #expect(text.contains("swiftlb_layer2_realtime_priority 1"))

        // A second scrape with unchanged counts adds nothing; grown counts show their totals.
        await speaker.publishCounters()
        #expect(metrics.exposition() == text)
        await announcer.setCounters(counters(requests: 7, responses: 6, gratuitous: 12, conflicts: 4, malformed: 2))
        await speaker.publishCounters()
        text = metrics.exposition()
        #expect(text.contains(#"metallb_layer2_requests_received{ip="192.0.2.10"} 7"#))
        #expect(text.contains(#"metallb_layer2_responses_sent{ip="192.0.2.10"} 6"#))
        #expect(text.contains(#"metallb_layer2_gratuitous_sent{ip="192.0.2.10"} 12"#))
        #expect(text.contains(#"swiftlb_conflicts_total{ip="192.0.2.10"} 4"#))
        #expect(text.contains(#"swiftlb_malformed_frames_total{interface="eth0"} 2"#))
        #expect(text.contains(#"swiftlb_layer2_poll_loop_total{event="wakeup"} 7"#))
        #expect(text.contains("swiftlb_layer2_realtime_priority 4"), "a level, set, not added up")
        try await client.shutdown()
    }

    @Test func aRestartedAnnouncerCountsOnFromItsNewTotals() {
        let metrics = SpeakerMetrics(node: "node-a")
        metrics.publish(LayerTwoCounterExport.totals(counters(requests: 5, responses: 5, gratuitous: 4, conflicts: 0, malformed: 0)))
        metrics.publish(LayerTwoCounterExport.totals(counters(requests: 2, responses: 2, gratuitous: 4, conflicts: 0, malformed: 0)))
        let text = metrics.exposition()
        #expect(text.contains(#"metallb_layer2_requests_received{ip="192.0.2.10"} 7"#), "a reset counts as new, as Prometheus rate() does")
        #expect(text.contains(#"metallb_layer2_gratuitous_sent{ip="192.0.2.10"} 4"#))
    }
}
