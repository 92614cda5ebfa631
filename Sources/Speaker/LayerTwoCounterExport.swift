import Addressing
import Announcer
import Observability

/// The bridge from the announcer's counters to the speaker's Prometheus series.
///
/// MetalLB increments its `metallb_layer2_*` counters in the packet path
/// (internal/layer2/stats.go); SwiftLB's announcer keeps plain running totals on its poll
/// thread instead, and they are copied into the registry right before each scrape, so the
/// packet path never touches Prometheus.
public enum LayerTwoCounterExport {
    /// The announcer's counters as label-keyed totals (IPs in Go's text form, as MetalLB
    /// labels them; interfaces by name; poll-loop events by the names `swiftlb announce`
    /// prints them under, without the prefix).
    public static func totals(_ counters: AnnouncerCounters) -> LayerTwoTotals {
        func byIP(_ series: [IPAddress: UInt64]) -> [String: UInt64] {
            Dictionary(series.map { ("\($0.key)", $0.value) }, uniquingKeysWith: +)
        }
        let loop = counters.busyPoll
        return LayerTwoTotals(
            requestsReceived: byIP(counters.requestsReceived), responsesSent: byIP(counters.responsesSent),
            gratuitousSent: byIP(counters.gratuitousSent), conflicts: byIP(counters.conflicts),
            malformedFrames: counters.malformedFramesByInterface,
            pollLoop: [
                "wakeup": loop.wakeups, "spin": loop.spins, "spin_turn": loop.turns, "hit": loop.hits,
                "stall": loop.stalls, "slow_hit": loop.slowHits, "contended": loop.contended, "dry_spin": loop.drySpins, "backoff": loop.backoffs,
            ],
            realtimePriority: counters.realtimePriority)
    }

    /// Reads `announcer`'s counters and publishes them on `metrics`.
    public static func publish(from announcer: any AddressAnnouncing, to metrics: SpeakerMetrics) async {
        metrics.publish(totals(await announcer.counters()))
    }
}
