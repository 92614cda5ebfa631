public import Addressing

/// When to send gratuitous ARP / unsolicited NA rounds, as a pure state machine: arm and cancel
/// IPs, then ask which IPs are due at `now` and when to wake up next.
///
/// Default timing is MetalLB's (internal/layer2/announcer.go, fact sheet §2): arming an IP that
/// is not in a burst sends a round at once; further rounds follow every 1.1 s (longer than
/// Linux's 1 s ARP `locktime`, metallb#172) until 5 s after the last arming, so about five
/// rounds at t ≈ 0, 1.1, 2.2, 3.3, 4.4 s. Arming again during a burst only extends it. MetalLB
/// has no periodic refresh (metallb#2910); `refreshInterval` adds one round every interval after
/// the burst, for switches whose FDB ages out before the clients' ARP caches.
public struct GratuitousSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public struct Timing: Hashable, Sendable {
        public var roundInterval: Duration
        public var burstDuration: Duration
        public var refreshInterval: Duration?

        public init(roundInterval: Duration = .milliseconds(1100), burstDuration: Duration = .seconds(5),
                    refreshInterval: Duration? = nil) {
            self.roundInterval = roundInterval
            self.burstDuration = burstDuration
            self.refreshInterval = refreshInterval
        }

        public static var metalLB: Timing { Timing() }
    }

    struct Entry: Sendable {
        var nextRound: Instant
        var burstEnds: Instant
        var inBurst: Bool
    }

    public let timing: Timing
    private var entries: [IPAddress: Entry] = [:]

    public init(timing: Timing = .metalLB) { self.timing = timing }

    /// Starts a burst for `address` (a round is due at `now`), or extends the running one.
    public mutating func arm(_ address: IPAddress, now: Instant) {
        let ends = now.advanced(by: timing.burstDuration)
        if var entry = entries[address], entry.inBurst {
            entry.burstEnds = ends
            entries[address] = entry
        } else {
            entries[address] = Entry(nextRound: now, burstEnds: ends, inBurst: true)
        }
    }

    /// Stops every future round for `address` (MetalLB sends nothing when an IP is lost).
    public mutating func cancel(_ address: IPAddress) { entries[address] = nil }

    public var scheduled: Set<IPAddress> { Set(entries.keys) }

    /// The IPs whose round is due at `now` (sorted), advancing each to its next round.
    public mutating func due(now: Instant) -> [IPAddress] {
        var result: [IPAddress] = []
        for (address, var entry) in entries where entry.nextRound <= now {
            result.append(address)
            var next = entry.nextRound.advanced(by: timing.roundInterval)
            if next < now { next = now.advanced(by: timing.roundInterval) }  // we were late; do not catch up
            if entry.inBurst && next <= entry.burstEnds {
                entry.nextRound = next
            } else if let refresh = timing.refreshInterval {
                entry.inBurst = false
                entry.nextRound = now.advanced(by: refresh)
            } else {
                entries[address] = nil
                continue
            }
            entries[address] = entry
        }
        return result.sorted()
    }

    /// When `due(now:)` next returns something, or nil if nothing is scheduled.
    public var nextDeadline: Instant? { entries.values.map(\.nextRound).min() }
}
