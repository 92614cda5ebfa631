import Prometheus

/// The speaker's metric handles, built once and passed in (never registered globally, the
/// opposite of MetalLB's `init()` registration), so tests can use a registry of their own.
public struct SpeakerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The node this speaker runs on: MetalLB labels `metallb_speaker_announced` with it.
    public let node: String
    private let takeover: DurationHistogram

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

    public func requestsReceived(ip: String, count: Int = 1) {
        registry.counter(MetricCatalog.layer2RequestsReceived, [("ip", ip)]).increment(by: Int64(count))
    }

    public func responsesSent(ip: String, count: Int = 1) {
        registry.counter(MetricCatalog.layer2ResponsesSent, [("ip", ip)]).increment(by: Int64(count))
    }

    public func gratuitousSent(ip: String, count: Int = 1) {
        registry.counter(MetricCatalog.layer2GratuitousSent, [("ip", ip)]).increment(by: Int64(count))
    }

    /// Another MAC answered for an IP this node announces: split-brain evidence.
    public func conflict(ip: String) {
        registry.counter(MetricCatalog.conflicts, [("ip", ip)]).increment()
    }

    public func malformedFrames(interface: String, count: Int = 1) {
        registry.counter(MetricCatalog.malformedFrames, [("interface", interface)]).increment(by: Int64(count))
    }

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

    /// Gossip member counts by state (`alive`, `suspect`, `dead`, `left`).
    public func gossipMembers(state: String, count: Int) {
        registry.gauge(MetricCatalog.gossipMembers, [("state", state)]).set(Int64(count))
    }

    public var client: ClientMetrics { ClientMetrics(registry: registry) }
}
