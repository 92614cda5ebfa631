import Prometheus
import Synchronization

/// The speaker's metric handles, built once and passed in (never registered globally, the
/// opposite of MetalLB's `init()` registration), so tests can use a registry of their own.
public struct SpeakerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The node this speaker runs on: MetalLB labels `metallb_speaker_announced` with it.
    public let node: String
    private let takeover: DurationHistogram
    /// The announcer totals last turned into counter increments.
    private let published = PublishedTotals(LayerTwoTotals()) { $0.increments(since: $1) }
    /// The gossip drop totals last turned into counter increments, by reason.
    private let publishedDrops = PublishedTotals([String: UInt64]()) { counterGrowth($0, since: $1) }

    /// Buckets around the failover targets: sub-second with the `fast` profile, seconds with `lan`.
    public static let takeoverBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .milliseconds(750), .seconds(1),
        .milliseconds(1500), .seconds(2), .seconds(3), .seconds(5), .seconds(10), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry, node: String) {
        self.registry = registry
        self.node = node
        takeover = registry.makeDurationHistogram(
            descriptor: MetricCatalog.takeoverSeconds.prometheus, buckets: Self.takeoverBuckets)
    }

    /// A speaker's metrics on a registry of their own (tests, `swiftlb lab`).
    public init(node: String) {
        self.init(registry: PrometheusCollectorRegistry(), node: node)
    }

    /// The registry in the Prometheus text format, exactly as `/metrics` serves it.
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Brings the layer-2 counters (`metallb_layer2_*`, `swiftlb_conflicts_total`,
    /// `swiftlb_malformed_frames_total`, `swiftlb_layer2_poll_loop_total`) and the real-time
    /// priority gauge up to the announcer's running `totals`. Called before every scrape, so
    /// `/metrics` shows the announcer's counts as of that moment; calling it twice with the
    /// same totals changes nothing.
    public func publish(_ totals: LayerTwoTotals) {
        let increments = published.advance(to: totals)
        for (ip, count) in increments.requestsReceived { requestsReceived(ip: ip, count: count) }
        for (ip, count) in increments.responsesSent { responsesSent(ip: ip, count: count) }
        for (ip, count) in increments.gratuitousSent { gratuitousSent(ip: ip, count: count) }
        for (ip, count) in increments.conflicts { conflict(ip: ip, count: count) }
        for (interface, count) in increments.malformedFrames { malformedFrames(interface: interface, count: count) }
        for (event, count) in increments.pollLoop {
            registry.counter(MetricCatalog.pollLoop, [("event", event)]).increment(by: Self.clamped(count))
        }
        registry.gauge(MetricCatalog.realtimePriority).set(Int64(totals.realtimePriority))
    }

    /// Marks `ip` as announced by this node for `service` (`namespace/name`).
    public func announced(service: String, ip: String) {
        announcedGauge(service: service, ip: ip).set(to: 1)
    }

    /// MetalLB deletes the series on withdraw rather than setting 0 (#1972 was about stale 1s).
    public func withdrawn(service: String, ip: String) {
        registry.unregisterGauge(announcedGauge(service: service, ip: ip))
    }

    private func announcedGauge(service: String, ip: String) -> Gauge {
        registry.gauge(MetricCatalog.speakerAnnounced, [("service", service), ("protocol", "layer2"), ("node", node), ("ip", ip)])
    }

    public func requestsReceived(ip: String, count: UInt64 = 1) {
        registry.counter(MetricCatalog.layer2RequestsReceived, [("ip", ip)]).increment(by: Self.clamped(count))
    }

    public func responsesSent(ip: String, count: UInt64 = 1) {
        registry.counter(MetricCatalog.layer2ResponsesSent, [("ip", ip)]).increment(by: Self.clamped(count))
    }

    public func gratuitousSent(ip: String, count: UInt64 = 1) {
        registry.counter(MetricCatalog.layer2GratuitousSent, [("ip", ip)]).increment(by: Self.clamped(count))
    }

    /// Another MAC answered for an IP this node announces: split-brain evidence.
    public func conflict(ip: String, count: UInt64 = 1) {
        registry.counter(MetricCatalog.conflicts, [("ip", ip)]).increment(by: Self.clamped(count))
    }

    public func malformedFrames(interface: String, count: UInt64 = 1) {
        registry.counter(MetricCatalog.malformedFrames, [("interface", interface)]).increment(by: Self.clamped(count))
    }

    private static func clamped(_ count: UInt64) -> Int64 { Int64(clamping: count) }

    public func takeover(_ duration: Duration) { takeover.record(duration) }

    /// Publishes this speaker's view of who owns `ip`; `previous` is the owner it replaces.
    public func owner(ip: String, node owner: String, previous: String?) {
        if let previous, previous != owner {
            registry.unregisterGauge(ownerGauge(ip: ip, node: previous))
        }
        ownerGauge(ip: ip, node: owner).set(to: 1)
    }

    /// Removes the owner series of an IP nobody owns any more.
    public func ownerRemoved(ip: String, node owner: String) {
        registry.unregisterGauge(ownerGauge(ip: ip, node: owner))
    }

    private func ownerGauge(ip: String, node: String) -> Gauge {
        registry.gauge(MetricCatalog.owner, [("ip", ip), ("node", node)])
    }

    /// Brings `swiftlb_gossip_dropped_total{reason}` up to the gossip socket's running totals
    /// (`undecryptable`: a member with another key, or none, is knocking; `malformed`).
    /// Called before every scrape; the same totals twice change nothing.
    public func publishGossipDrops(_ totals: [String: Int]) {
        let increments = publishedDrops.advance(to: totals.mapValues { UInt64(clamping: $0) })
        for reason in totals.keys.sorted() {
            let counter = registry.counter(MetricCatalog.gossipDropped, [("reason", reason)])
            if let count = increments[reason] { counter.increment(by: Self.clamped(count)) }
        }
    }

    /// Gossip member counts by state (`alive`, `suspect`, `dead`, `left`).
    public func gossipMembers(state: String, count: Int) {
        registry.gauge(MetricCatalog.gossipMembers, [("state", state)]).set(Int64(count))
    }

    public var client: ClientMetrics { ClientMetrics(registry: registry) }
}

/// The running totals last turned into counter increments. A `Mutex`, not an actor: the
/// publish calls run on the HTTP handler's thread right before the registry is emitted and
/// must not hop.
private final class PublishedTotals<Totals: Sendable>: Sendable {
    private let last: Mutex<Totals>
    private let growth: @Sendable (Totals, Totals) -> Totals

    init(_ initial: Totals, growth: @escaping @Sendable (_ now: Totals, _ before: Totals) -> Totals) {
        last = Mutex(initial)
        self.growth = growth
    }

    /// Records `totals` and returns what grew since the previous call.
    func advance(to totals: Totals) -> Totals {
        last.withLock { previous in
            let increments = growth(totals, previous)
            previous = totals
            return increments
        }
    }
}
