public import Addressing

/// A snapshot of the announcer's counters. The per-IP ones map one to one onto MetalLB's
/// Prometheus metrics (internal/layer2/stats.go); the rest are SwiftLB additions.
public struct AnnouncerCounters: Hashable, Sendable {
    /// `metallb_layer2_requests_received{ip}`: ARP requests / NS for an owned IP on an allowed interface.
    public var requestsReceived: [IPAddress: UInt64] = [:]
    /// `metallb_layer2_responses_sent{ip}`: replies written.
    public var responsesSent: [IPAddress: UInt64] = [:]
    /// `metallb_layer2_gratuitous_sent{ip}`: 2 per ARP round per interface, 1 per NDP round.
    public var gratuitousSent: [IPAddress: UInt64] = [:]
    /// `swiftlb_layer2_conflicts{ip}`: frames from another MAC claiming one of our IPs.
    public var conflicts: [IPAddress: UInt64] = [:]
    /// `swiftlb_layer2_malformed_frames`: captured frames that failed to decode, dropped.
    public var malformedFrames: UInt64 = 0
    /// The same drops by capturing interface: `swiftlb_malformed_frames_total{interface}`.
    public var malformedFramesByInterface: [String: UInt64] = [:]
    /// `swiftlb_layer2_inject_failures`: `pcap_inject` errors.
    public var injectFailures: UInt64 = 0
    /// The loop's busy poll: spins, spin turns, hits, stalls, dry spins, back-offs and the wake-ups by
    /// frames (`swiftlb_layer2_busy_poll_*`, `swiftlb_layer2_loop_wakeups`), to see whether
    /// the spin engaged during a flood.
    public var busyPoll = BusyPollStatistics()
    /// `swiftlb_layer2_realtime_priority`: the SCHED_RR priority the loop thread sleeps at
    /// (`--realtime-priority`), 0 when it runs at normal priority (not requested, or refused).
    public var realtimePriority = 0

    public init() {}

    /// One `name{ip="…"} value` line per series, sorted, for logs and tests.
    public var lines: [String] {
        var lines: [String] = []
        for (name, series) in [("metallb_layer2_requests_received", requestsReceived),
                               ("metallb_layer2_responses_sent", responsesSent),
                               ("metallb_layer2_gratuitous_sent", gratuitousSent),
                               ("swiftlb_layer2_conflicts", conflicts)] {
            for (ip, value) in series.sorted(by: { $0.key < $1.key }) { lines.append("\(name){ip=\"\(ip)\"} \(value)") }
        }
        lines.append("swiftlb_layer2_malformed_frames \(malformedFrames)")
        lines.append("swiftlb_layer2_inject_failures \(injectFailures)")
        lines.append("swiftlb_layer2_loop_wakeups \(busyPoll.wakeups)")
        lines.append("swiftlb_layer2_busy_poll_spins \(busyPoll.spins)")
        lines.append("swiftlb_layer2_busy_poll_turns \(busyPoll.turns)")
        lines.append("swiftlb_layer2_busy_poll_hits \(busyPoll.hits)")
        lines.append("swiftlb_layer2_busy_poll_stalls \(busyPoll.stalls)")
        lines.append("swiftlb_layer2_busy_poll_slow_hits \(busyPoll.slowHits)")
        lines.append("swiftlb_layer2_busy_poll_contended \(busyPoll.contended)")
        lines.append("swiftlb_layer2_busy_poll_dry_spins \(busyPoll.drySpins)")
        lines.append("swiftlb_layer2_busy_poll_backoffs \(busyPoll.backoffs)")
        lines.append("swiftlb_layer2_realtime_priority \(realtimePriority)")
        return lines
    }
}
