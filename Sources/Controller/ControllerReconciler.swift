import Addressing
import Allocation
import ClusterModel
import Config

/// The controller's decisions, without I/O: configuration, Services and Namespaces in,
/// status writes and events out (MetalLB controller/service.go `convergeBalancer` plus the
/// reprocessing its service controller does on configuration changes and deletions).
///
/// Nothing is allocated before a valid configuration is known, so a controller starting with
/// a broken configuration never clears IPs Services already hold. `start` hands every known
/// Service to `Allocator.restore`, which re-registers held IPs before allocating any new one:
/// a restart or a new leader keeps every assignment.
public struct ControllerReconciler: Sendable {
    public private(set) var allocator: Allocator
    /// The configuration in force: the last valid one. nil until one was accepted.
    public private(set) var configuration: Configuration?
    /// Every Service as last seen (ingress as last written or observed).
    public private(set) var services: [ServiceKey: LoadBalancerService] = [:]
    private var namespaces: [String: NamespaceInfo] = [:]
    private var started = false

    public init(loadBalancerClass: String? = nil) {
        allocator = Allocator(loadBalancerClass: loadBalancerClass)
    }

    /// The outcome of a new configuration.
    public enum ConfigurationOutcome: Sendable {
        /// In force now; these Services changed because of it.
        case accepted([ServiceUpdate])
        /// Rejected; the previous configuration (if any) stays in force.
        case rejected([ConfigError])
        /// Identical to the one in force.
        case unchanged
    }

    // MARK: - Inputs

    /// A Namespace's labels (for `serviceAllocation.namespaceSelectors`).
    public mutating func namespaceChanged(_ namespace: NamespaceInfo) {
        namespaces[namespace.name] = namespace
        allocator.setNamespace(namespace)
    }

    /// The full start-up pass (also on gaining leadership): every Service known at once,
    /// holders first. Before a configuration is accepted this only records the Services.
    public mutating func start(services: [LoadBalancerService]) -> [ServiceUpdate] {
        for service in services { self.services[service.key] = service }
        return fullPass()
    }

    /// A parsed configuration. Invalid ones are rejected and change nothing.
    public mutating func configurationChanged(_ result: ConfigurationParseResult) -> ConfigurationOutcome {
        guard result.isValid else { return .rejected(result.errors) }
        if result.configuration == configuration { return .unchanged }
        let first = configuration == nil
        configuration = result.configuration
        if first || !started {
            return .accepted(fullPass())
        }
        let released = allocator.setConfiguration(result.configuration)
        var updates: [ServiceKey: ServiceUpdate] = [:]
        for key in released {
            guard let service = services[key] else { continue }
            updates[key] = reconcile(service)
        }
        // Every other Service again, in key order: pools may now admit, forbid or re-home them.
        for key in services.keys.sorted() where updates[key] == nil {
            updates[key] = reconcile(services[key]!)
        }
        return .accepted(updates.values.filter { !$0.isEmpty }.sorted { $0.service < $1.service })
    }

    /// A Service was added or changed.
    public mutating func serviceChanged(_ service: LoadBalancerService) -> [ServiceUpdate] {
        let before = allocator.assignment(of: service.key)
        services[service.key] = service
        guard started else { return [] }
        var updates = [reconcile(service)]
        if let before, allocator.assignment(of: service.key) != before {
            updates += retryPending()
        }
        return updates.filter { !$0.isEmpty }
    }

    /// A Service was deleted: its IPs free up and pending Services are retried.
    public mutating func serviceDeleted(_ key: ServiceKey) -> [ServiceUpdate] {
        services[key] = nil
        guard started else { return [] }
        guard allocator.remove(key) else { return [] }
        return retryPending().filter { !$0.isEmpty }
    }

    /// Records what was written, so the next reconcile compares with it even before the
    /// watch echoes the write back.
    public mutating func written(_ update: ServiceUpdate) {
        guard var service = services[update.service] else { return }
        switch update.status {
        case .unchanged: return
        case .assign(let assignment):
            service.ingressIPs = assignment.ips.map(\.description)
            service.annotations[MetalLBAnnotation.ipAllocatedFromPool] = assignment.pool
        case .clear:
            service.ingressIPs = []
            service.annotations[MetalLBAnnotation.ipAllocatedFromPool] = nil
        }
        services[update.service] = service
    }

    // MARK: - Queries

    /// Usage of every pool of the configuration in force.
    public var poolUsage: [(pool: String, usage: PoolUsage)] {
        (configuration?.pools ?? []).compactMap { pool in
            allocator.usage(ofPool: pool.name).map { (pool.name, $0) }
        }
    }

    // MARK: - Decisions

    private mutating func fullPass() -> [ServiceUpdate] {
        guard let configuration else { return [] }
        var fresh = Allocator(configuration: configuration, loadBalancerClass: allocator.loadBalancerClass)
        for namespace in namespaces.values { fresh.setNamespace(namespace) }
        allocator = fresh
        started = true
        let results = allocator.restore(Array(services.values))
        return results.keys.sorted().compactMap { key in
            guard let service = services[key], let result = results[key] else { return nil }
            let update = Self.update(for: service, result)
            return update.isEmpty ? nil : update
        }
    }

    private mutating func reconcile(_ service: LoadBalancerService) -> ServiceUpdate {
        Self.update(for: service, allocator.reconcile(service))
    }

    private mutating func retryPending() -> [ServiceUpdate] {
        let results = allocator.retryPending()
        return results.keys.sorted().compactMap { key in
            guard let service = services[key], let result = results[key] else { return nil }
            return Self.update(for: service, result)
        }
    }

    /// The write that makes `service` show `result`, or none when it already does.
    static func update(for service: LoadBalancerService, _ result: AllocationResult) -> ServiceUpdate {
        let shownPool = service.annotations[MetalLBAnnotation.ipAllocatedFromPool]
        let status: ServiceUpdate.StatusWrite
        switch result.decision {
        case .skipped:
            status = .unchanged
        case .assigned(let assignment):
            let shown = service.parsedIngressIPs ?? []
            status = shown == assignment.ips && shownPool == assignment.pool ? .unchanged : .assign(assignment)
        case .cleared, .failed:
            status = service.ingressIPs.isEmpty && shownPool == nil ? .unchanged : .clear
        }
        return ServiceUpdate(service: service.key, status: status, events: result.events)
    }
}
