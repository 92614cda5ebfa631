import Prometheus

/// The controller's `metallb_allocator_*` gauges, per pool.
public struct ControllerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    public var client: ClientMetrics { ClientMetrics(registry: registry) }

    /// Usage of one pool. Totals are clamped to `Int64.max` for huge IPv6 pools, as MetalLB does.
    public struct PoolUsage: Sendable, Equatable {
        public var ipv4Total: Int64
        public var ipv4InUse: Int64
        public var ipv6Total: Int64
        public var ipv6InUse: Int64

        public init(ipv4Total: Int64, ipv4InUse: Int64, ipv6Total: Int64, ipv6InUse: Int64) {
            self.ipv4Total = ipv4Total
            self.ipv4InUse = ipv4InUse
            self.ipv6Total = ipv6Total
            self.ipv6InUse = ipv6InUse
        }
    }

    public func pool(_ name: String, usage: PoolUsage) {
        let labels = [("pool", name)]
        let (total, overflow) = usage.ipv4Total.addingReportingOverflow(usage.ipv6Total)
        registry.gauge(MetricCatalog.allocatorAddressesTotal, labels).set(overflow ? Int64.max : total)
        registry.gauge(MetricCatalog.allocatorAddressesInUse, labels).set(usage.ipv4InUse + usage.ipv6InUse)
        registry.gauge(MetricCatalog.allocatorIPv4AddressesTotal, labels).set(usage.ipv4Total)
        registry.gauge(MetricCatalog.allocatorIPv4AddressesInUse, labels).set(usage.ipv4InUse)
        registry.gauge(MetricCatalog.allocatorIPv6AddressesTotal, labels).set(usage.ipv6Total)
        registry.gauge(MetricCatalog.allocatorIPv6AddressesInUse, labels).set(usage.ipv6InUse)
    }

    /// A pool that left the configuration: its series go with it.
    public func poolRemoved(_ name: String) {
        let labels = [("pool", name)]
        for metric in Self.poolGauges {
            registry.unregisterGauge(registry.gauge(metric, labels))
        }
    }

    private static let poolGauges = [
        MetricCatalog.allocatorAddressesTotal, MetricCatalog.allocatorAddressesInUse,
        MetricCatalog.allocatorIPv4AddressesTotal, MetricCatalog.allocatorIPv4AddressesInUse,
        MetricCatalog.allocatorIPv6AddressesTotal, MetricCatalog.allocatorIPv6AddressesInUse,
    ]
}
