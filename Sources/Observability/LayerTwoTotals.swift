/// The announcer's cumulative data-plane counts, keyed by label value, as the speaker reads
/// them from one announcer snapshot. Observability does not depend on the announcer: the
/// speaker converts its `AnnouncerCounters` into this.
///
/// The announcer only ever counts up, so these are running totals; `SpeakerMetrics`
/// turns two successive totals into Prometheus counter increments.
public struct LayerTwoTotals: Sendable, Equatable {
    /// `metallb_layer2_requests_received{ip}`.
    public var requestsReceived: [String: UInt64]
    /// `metallb_layer2_responses_sent{ip}`.
    public var responsesSent: [String: UInt64]
    /// `metallb_layer2_gratuitous_sent{ip}`.
    public var gratuitousSent: [String: UInt64]
    /// `swiftlb_conflicts_total{ip}`.
    public var conflicts: [String: UInt64]
    /// `swiftlb_malformed_frames_total{interface}`.
    public var malformedFrames: [String: UInt64]
    /// `swiftlb_layer2_poll_loop_total{event}`: how the poll loop got to its frames (woken
    /// from `poll`, or by the opt-in busy poll and what it decided), to see on a live node
    /// whether `--busy-poll-microseconds` engages.
    public var pollLoop: [String: UInt64]
    /// `swiftlb_layer2_realtime_priority`: a level, not a running total (0: normal priority).
    public var realtimePriority: Int

    public init(
        requestsReceived: [String: UInt64] = [:], responsesSent: [String: UInt64] = [:],
        gratuitousSent: [String: UInt64] = [:], conflicts: [String: UInt64] = [:], malformedFrames: [String: UInt64] = [:],
        pollLoop: [String: UInt64] = [:], realtimePriority: Int = 0
    ) {
        self.requestsReceived = requestsReceived
        self.responsesSent = responsesSent
        self.gratuitousSent = gratuitousSent
        self.conflicts = conflicts
        self.malformedFrames = malformedFrames
        self.pollLoop = pollLoop
        self.realtimePriority = realtimePriority
    }

    /// How much each series grew since `previous`. A series that went down (the announcer was
    /// replaced and started again from zero) contributes its whole new value, the way
    /// Prometheus' `rate()` treats a counter reset. The priority, a level, is carried as is.
    func increments(since previous: LayerTwoTotals) -> LayerTwoTotals {
        let grow = counterGrowth
        return LayerTwoTotals(
            requestsReceived: grow(requestsReceived, previous.requestsReceived),
            responsesSent: grow(responsesSent, previous.responsesSent),
            gratuitousSent: grow(gratuitousSent, previous.gratuitousSent),
            conflicts: grow(conflicts, previous.conflicts),
            malformedFrames: grow(malformedFrames, previous.malformedFrames),
            pollLoop: grow(pollLoop, previous.pollLoop), realtimePriority: realtimePriority)
    }
}

/// How much each labelled running total grew since `before`; a total that went down (its
/// source started again from zero) contributes its whole new value, as Prometheus' `rate()`
/// treats a counter reset.
func counterGrowth(_ now: [String: UInt64], since before: [String: UInt64]) -> [String: UInt64] {
    var result: [String: UInt64] = [:]
    for (label, value) in now {
        let old = before[label] ?? 0
        let delta = value >= old ? value - old : value
        if delta > 0 { result[label] = delta }
    }
    return result
}
