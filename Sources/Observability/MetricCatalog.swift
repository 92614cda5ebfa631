import Prometheus

/// One exported metric: its name and help text. Each name has exactly one descriptor,
/// because the Prometheus registry traps when two registrations of a name disagree on help.
public struct MetricDescriptor: Sendable, Hashable {
    public let name: String
    public let help: String

    var prometheus: MetricNameDescriptor { MetricNameDescriptor(metricName: name, unitName: "", helpText: help) }
}

/// Every metric SwiftLB exports. MetalLB's names and label sets are kept exactly, so that
/// existing dashboards and the Helm chart's alerts (MetalLBStaleConfig,
/// MetalLBAddressPoolExhausted, …) work unchanged; SwiftLB's own additions start `swiftlb_`.
public enum MetricCatalog {
    // Speaker: MetalLB internal/layer2/stats.go and speaker/main.go.
    public static let speakerAnnounced = MetricDescriptor(
        name: "metallb_speaker_announced", help: "The number of announcements by this speaker for a service IP.")
    public static let layer2RequestsReceived = MetricDescriptor(
        name: "metallb_layer2_requests_received", help: "Number of layer2 requests received for owned IPs.")
    public static let layer2ResponsesSent = MetricDescriptor(
        name: "metallb_layer2_responses_sent", help: "Number of layer2 responses sent for owned IPs.")
    public static let layer2GratuitousSent = MetricDescriptor(
        name: "metallb_layer2_gratuitous_sent", help: "Number of gratuitous layer2 packets sent for owned IPs.")

    // Controller: MetalLB internal/allocator/stats.go.
    public static let allocatorAddressesTotal = MetricDescriptor(
        name: "metallb_allocator_addresses_total", help: "Number of usable IP addresses, per pool.")
    public static let allocatorAddressesInUse = MetricDescriptor(
        name: "metallb_allocator_addresses_in_use_total", help: "Number of IP addresses in use, per pool.")
    public static let allocatorIPv4AddressesTotal = MetricDescriptor(
        name: "metallb_allocator_ipv4_addresses_total", help: "Number of usable IPv4 addresses, per pool.")
    public static let allocatorIPv4AddressesInUse = MetricDescriptor(
        name: "metallb_allocator_ipv4_addresses_in_use_total", help: "Number of IPv4 addresses in use, per pool.")
    public static let allocatorIPv6AddressesTotal = MetricDescriptor(
        name: "metallb_allocator_ipv6_addresses_total", help: "Number of usable IPv6 addresses, per pool.")
    public static let allocatorIPv6AddressesInUse = MetricDescriptor(
        name: "metallb_allocator_ipv6_addresses_in_use_total", help: "Number of IPv6 addresses in use, per pool.")
    public static let allocatorServicesAllocated = MetricDescriptor(
        name: "metallb_allocator_services_allocated_total", help: "Number of services allocated, per pool.")

    // Both: MetalLB internal/k8s/controllers/stats.go.
    public static let clientUpdates = MetricDescriptor(
        name: "metallb_k8s_client_updates_total", help: "Number of k8s object updates that have been processed.")
    public static let clientUpdateErrors = MetricDescriptor(
        name: "metallb_k8s_client_update_errors_total", help: "Number of k8s object updates that failed for some reason.")
    public static let configLoaded = MetricDescriptor(
        name: "metallb_k8s_client_config_loaded_bool",
        help: "1 if the MetalLB configuration was successfully loaded at least once.")
    public static let configStale = MetricDescriptor(
        name: "metallb_k8s_client_config_stale_bool",
        help: "1 if running on a stale configuration, because the latest config failed to load.")

    // SwiftLB additions.
    public static let takeoverSeconds = MetricDescriptor(
        name: "swiftlb_takeover_seconds",
        help: "Time from the previous owner leaving the member list to this node's first gratuitous announcement.")
    public static let owner = MetricDescriptor(
        name: "swiftlb_owner", help: "1 for the node this speaker computes as the owner of a service IP.")
    public static let conflicts = MetricDescriptor(
        name: "swiftlb_conflicts_total", help: "ARP/NDP answers from another MAC for an IP this node announces.")
    public static let malformedFrames = MetricDescriptor(
        name: "swiftlb_malformed_frames_total", help: "Captured frames dropped because they did not decode.")
    public static let pollLoop = MetricDescriptor(
        name: "swiftlb_layer2_poll_loop_total",
        help: "The announcer poll loop's events: wakeup (woken from poll by frames), spin, spin_turn, hit, slow_hit, contended, stall, dry_spin, backoff (busy poll).")
    public static let realtimePriority = MetricDescriptor(
        name: "swiftlb_layer2_realtime_priority",
        help: "SCHED_RR priority of the announcer's poll thread; 0 when it runs at normal priority (not requested, or refused).")
    public static let gossipMembers = MetricDescriptor(
        name: "swiftlb_gossip_members", help: "Gossip members known to this speaker, by state.")
    public static let gossipDropped = MetricDescriptor(
        name: "swiftlb_gossip_dropped_total",
        help: "Gossip packets and streams dropped, by reason: undecryptable (wrong or missing key) or malformed.")

    /// Everything above, for documentation and for tests that check names stay MetalLB's.
    public static let all: [MetricDescriptor] = [
        speakerAnnounced, layer2RequestsReceived, layer2ResponsesSent, layer2GratuitousSent,
        allocatorAddressesTotal, allocatorAddressesInUse, allocatorIPv4AddressesTotal, allocatorIPv4AddressesInUse,
        allocatorIPv6AddressesTotal, allocatorIPv6AddressesInUse, allocatorServicesAllocated,
        clientUpdates, clientUpdateErrors, configLoaded, configStale,
        takeoverSeconds, owner, conflicts, malformedFrames, pollLoop, realtimePriority, gossipMembers, gossipDropped,
    ]
}

extension PrometheusCollectorRegistry {
    func counter(_ metric: MetricDescriptor, _ labels: [(String, String)] = []) -> Counter {
        makeCounter(descriptor: metric.prometheus, labels: labels)
    }

    func gauge(_ metric: MetricDescriptor, _ labels: [(String, String)] = []) -> Gauge {
        makeGauge(descriptor: metric.prometheus, labels: labels)
    }
}
