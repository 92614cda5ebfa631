import Testing

@testable import Observability

/// `swiftlb_gossip_dropped_total{reason}` follows the gossip socket's running totals: the
/// chaos test's intruder with the wrong key shows up here on the speakers it knocks on.
struct GossipDropExportTests {
    @Test func runningTotalsBecomeCounterIncrementsOnce() {
        let metrics = SpeakerMetrics(node: "node-a")
        metrics.publishGossipDrops(["undecryptable": 3, "malformed": 0])
        var text = metrics.exposition()
        #expect(text.contains(#"swiftlb_gossip_dropped_total{reason="undecryptable"} 3"#))
        #expect(text.contains(#"swiftlb_gossip_dropped_total{reason="malformed"} 0"#), "the series exists before the first drop")

        metrics.publishGossipDrops(["undecryptable": 3, "malformed": 0])
        text = metrics.exposition()
        #expect(text.contains(#"swiftlb_gossip_dropped_total{reason="undecryptable"} 3"#), "the same totals again add nothing")

        metrics.publishGossipDrops(["undecryptable": 7, "malformed": 2])
        text = metrics.exposition()
        #expect(text.contains(#"swiftlb_gossip_dropped_total{reason="undecryptable"} 7"#))
        #expect(text.contains(#"swiftlb_gossip_dropped_total{reason="malformed"} 2"#))
    }
}
