import Prometheus

/// `metallb_k8s_client_*`: reconcile counts and configuration health, shared by speaker and
/// controller. The Helm chart alerts on `config_stale_bool == 1` and `config_loaded_bool == 0`.
public struct ClientMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        // Present from the start with 0, as MetalLB's gauges are.
        configLoaded.set(to: 0)
        configStale.set(to: 0)
    }

    private var configLoaded: Gauge {
        registry.gauge(MetricCatalog.configLoaded)
    }

    private var configStale: Gauge {
        registry.gauge(MetricCatalog.configStale)
    }

    public func update(succeeded: Bool) {
        registry.counter(MetricCatalog.clientUpdates).increment()
        if !succeeded {
            registry.counter(MetricCatalog.clientUpdateErrors).increment()
        }
    }

    /// A new configuration was accepted: loaded, not stale.
    public func configAccepted() {
        configLoaded.set(to: 1)
        configStale.set(to: 0)
    }

    /// A new configuration was rejected; the last good one (if any) stays in force.
    public func configRejected() {
        configStale.set(to: 1)
    }
}
