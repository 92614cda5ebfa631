import Addressing
import ClusterModel
import Config

/// The controller's IP allocation, MetalLB-compatible (controller/service.go
/// `convergeBalancer`, internal/allocator): a pure value fed Services one at a time.
///
/// Rules, as MetalLB applies them:
/// - only `type: LoadBalancer` Services whose `loadBalancerClass` is ours (none, unless a
///   class is configured);
/// - IPs a Service already holds are re-registered and kept while still allowed, so a restart
///   changes nothing (`restore` registers every Service that holds IPs before allocating any);
/// - requested IPs (`metallb.io/loadBalancerIPs`, `spec.loadBalancerIP`) are taken exactly or fail;
/// - `metallb.io/address-pool` picks the pool (even one with `autoAssign: false`);
/// - otherwise pools pinned by `serviceAllocation` in priority order, then every auto-assign
///   pool without `serviceAllocation` (MetalLB walks a Go map here, i.e. random order; we use
///   configuration order, which is one of the orders MetalLB may pick);
/// - within a pool, ranges in configured order and the lowest usable address, one per family;
/// - sharing (`allow-shared-ip`): same non-empty key, same backend key, disjoint ports.
///
/// Free addresses are found from a per-range cursor (every address below it is in use or
/// skipped), so allocating many Services in a row costs O(1) each, not a rescan of the pool.
public struct Allocator: Sendable {
    public private(set) var configuration: Configuration
    /// MetalLB's `--lb-class`.
    public let loadBalancerClass: String?

    private var namespaceLabels: [String: [String: String]] = [:]
    private var allocations: [ServiceKey: Holding] = [:]
    private var users: [IPAddress: IPUsers] = [:]
    /// Sharing key → IPs whose users carry that key, for finding a shareable IP fast.
    private var sharedIPs: [String: Set<IPAddress>] = [:]
    /// Pool → per range, the lowest offset that may be free.
    private var cursors: [String: [UInt128]] = [:]
    private var inUse: [String: [IPFamily: Int]] = [:]
    private var pendingServices: [ServiceKey: LoadBalancerService] = [:]

    private struct Holding: Sendable {
        var ips: [IPAddress]
        var pool: String
        var ports: [ServicePort]
        var sharingKey: String
        var backendKey: String
    }

    private struct IPUsers: Sendable {
        var pool: String
        var sharingKey: String
        var backendKey: String
        var services: Set<ServiceKey>
        var ports: [ServicePort: ServiceKey]
    }

    public init(configuration: Configuration = Configuration(), loadBalancerClass: String? = nil) {
        self.configuration = configuration
        self.loadBalancerClass = loadBalancerClass
        resetCursors()
    }

    // MARK: - Queries

    /// The IPs and pool `service` holds, if any.
    public func assignment(of service: ServiceKey) -> Assignment? {
        allocations[service].map { Assignment(ips: $0.ips, pool: $0.pool) }
    }

    /// Every Service holding IPs.
    public var assignments: [ServiceKey: Assignment] {
        allocations.mapValues { Assignment(ips: $0.ips, pool: $0.pool) }
    }

    /// The Services using `ip` (several when shared).
    public func services(using ip: IPAddress) -> [ServiceKey] {
        users[ip].map { $0.services.sorted() } ?? []
    }

    /// Services whose allocation failed, waiting for addresses to free up.
    public var pending: [ServiceKey] { pendingServices.keys.sorted() }

    /// Addresses of pool `name`: usable and in use, per family.
    public func usage(ofPool name: String) -> PoolUsage? {
        guard let pool = configuration.pool(named: name) else { return nil }
        return PoolUsage(
            ipv4Total: pool.addresses.count(family: .ipv4, avoidingBuggyIPs: pool.avoidBuggyIPs),
            ipv6Total: pool.addresses.count(family: .ipv6, avoidingBuggyIPs: pool.avoidBuggyIPs),
            ipv4InUse: inUse[name]?[.ipv4] ?? 0,
            ipv6InUse: inUse[name]?[.ipv6] ?? 0)
    }

    // MARK: - Inputs

    /// A Namespace's labels, for `serviceAllocation.namespaceSelectors`.
    public mutating func setNamespace(_ namespace: NamespaceInfo) {
        namespaceLabels[namespace.name] = namespace.labels
    }

    /// A new configuration. Holdings whose IPs no pool contains any more are released and
    /// returned (the controller reconciles those Services again); the others move to the
    /// pool that now contains them.
    public mutating func setConfiguration(_ configuration: Configuration) -> [ServiceKey] {
        self.configuration = configuration
        var released: [ServiceKey] = []
        for (key, holding) in allocations {
            if let pool = poolFor(holding.ips) {
                if pool.name != holding.pool {
                    unassign(key)
                    register(key, Holding(
                        ips: holding.ips, pool: pool.name, ports: holding.ports, sharingKey: holding.sharingKey,
                        backendKey: holding.backendKey))
                }
            } else {
                unassign(key)
                released.append(key)
            }
        }
        resetCursors()
        return released.sorted()
    }

    /// Start-up: first re-registers the IPs every Service already holds (those still allowed),
    /// then reconciles every Service, holders first, so that nothing new is handed out, and
    /// no missing family of a `PreferDualStack` Service is added, before every held IP is known
    /// (MetalLB's first full pass handles already-assigned Services first for the same reason).
    public mutating func restore(_ services: [LoadBalancerService]) -> [ServiceKey: AllocationResult] {
        let holding = services.filter { !$0.ingressIPs.isEmpty }.sorted { $0.key < $1.key }
        let fresh = services.filter { $0.ingressIPs.isEmpty }.sorted { $0.key < $1.key }
        for service in holding where service.loadBalancerClass == loadBalancerClass && service.type == .loadBalancer {
            guard let ips = service.parsedIngressIPs, !ips.isEmpty else { continue }
            let request = ServiceRequest(service)
            guard !familyChanged(ips, request) else { continue }
            try? assign(service.key, ips, service: service, request: request)
        }
        var results: [ServiceKey: AllocationResult] = [:]
        for service in holding + fresh { results[service.key] = reconcile(service) }
        return results
    }

    /// The Service was deleted: its IPs are released. True if it held any.
    @discardableResult
    public mutating func remove(_ key: ServiceKey) -> Bool {
        pendingServices[key] = nil
        return unassign(key)
    }

    /// Reconciles pending Services again (call after a release), in key order.
    public mutating func retryPending() -> [ServiceKey: AllocationResult] {
        var results: [ServiceKey: AllocationResult] = [:]
        for key in pending {
            guard let service = pendingServices[key] else { continue }
            results[key] = reconcile(service)
        }
        return results
    }

    /// Decides the IPs of one Service, given what its status says it holds.
    public mutating func reconcile(_ service: LoadBalancerService) -> AllocationResult {
        let key = service.key
        pendingServices[key] = nil
        guard service.loadBalancerClass == loadBalancerClass else {
            unassign(key)
            return AllocationResult(.skipped)
        }
        guard service.type == .loadBalancer else {
            unassign(key)
            return AllocationResult(.cleared)
        }
        guard !configuration.pools.isEmpty else {
            unassign(key)
            return fail(service, AllocationFailure(.noConfiguration))
        }
        let request = ServiceRequest(service)
        if request.policy == .requireDualStack && request.family != .dualStack {
            unassign(key)
            return fail(service, AllocationFailure(.notEnoughClusterIPs))
        }
        var events: [AllocationEvent] = []
        var current = service.parsedIngressIPs ?? []
        if !current.isEmpty, familyChanged(current, request) {
            unassign(key)
            current = []
        }
        if !current.isEmpty {
            do throws(AllocationFailure) {
                try assign(key, current, service: service, request: request)
            } catch {
                events.append(AllocationEvent(
                    .normal, "ClearAssignment",
                    "current IP for \"\(key)\" not allowed by config, will attempt for new IP assignment: \(error)"))
                unassign(key)
                current = []
            }
            if !current.isEmpty, let pool = request.pool, allocations[key]?.pool != pool {
                unassign(key)
                current = []
            }
            let requested: [IPAddress]
            do throws(AllocationFailure) {
                requested = try ServiceRequest.requestedIPs(service)
            } catch {
                return fail(service, error, events: events)
            }
            if !requested.isEmpty && Set(requested) != Set(current) {
                unassign(key)
                current = []
            }
        }
        // The missing family of a PreferDualStack Service is added only when the Service does
        // not pin its IPs: MetalLB adds it regardless, and then, on the next reconcile, finds
        // the held IPs differ from the requested ones and drops them all.
        if current.count == 1, request.policy == .preferDualStack, request.family == .dualStack,
           (try? ServiceRequest.requestedIPs(service))?.isEmpty == true,
           let holding = allocations[key] {
            switch additionalFamily(for: key, existing: current[0], pool: holding.pool, service: service, request: request) {
            case .success(let ip):
                current = allocations[key]?.ips ?? current
                events.append(AllocationEvent(.normal, "IPAllocated", "Assigned additional IP \"\(ip)\""))
            case .failure(let error):
                events.append(AllocationEvent(
                    .normal, "AdditionalAssignFailed", "cannot assign additional IP in PreferDualStack: \(error)"))
            }
        }
        if current.isEmpty {
            do throws(AllocationFailure) {
                current = try allocate(service, request: request)
            } catch {
                return fail(service, error, events: events)
            }
            events.append(AllocationEvent(.normal, "IPAllocated", "Assigned IP \(goQuoted(current))"))
        }
        guard let holding = allocations[key] else {
            return fail(service, AllocationFailure(.noAvailableIPs), events: events)
        }
        return AllocationResult(.assigned(Assignment(ips: holding.ips, pool: holding.pool)), events: events)
    }

    // MARK: - Allocation

    private mutating func fail(
        _ service: LoadBalancerService, _ failure: AllocationFailure, events: [AllocationEvent] = []
    ) -> AllocationResult {
        pendingServices[service.key] = service
        let event = AllocationEvent(.warning, failure.eventReason, failure.eventMessage(for: service.key))
        return AllocationResult(.failed(failure), events: events + [event])
    }

    /// MetalLB's `serviceFamilyChanged`: held IPs of another family are dropped, except
    /// that a `PreferDualStack` dual-stack Service may hold one family only.
    private func familyChanged(_ ips: [IPAddress], _ request: ServiceRequest) -> Bool {
        guard let family = ServiceFamily(of: ips) else { return true }
        if family == request.family { return false }
        return !(request.family == .dualStack && request.policy == .preferDualStack)
    }

    /// `allocateIPs`: requested IPs, else the requested pool, else any usable pool.
    private mutating func allocate(
        _ service: LoadBalancerService, request: ServiceRequest
    ) throws(AllocationFailure) -> [IPAddress] {
        let requested = try ServiceRequest.requestedIPs(service)
        if !requested.isEmpty {
            guard ServiceFamily(of: requested) == request.family else {
                throw AllocationFailure(.familyMismatch(requested: requested))
            }
            try assign(service.key, requested, service: service, request: request)
            if let pool = request.pool, allocations[service.key]?.pool != pool {
                unassign(service.key)
                throw AllocationFailure(.poolConflict(requested: requested, pool: pool))
            }
            return requested
        }
        if let poolName = request.pool {
            guard let pool = configuration.pool(named: poolName) else { throw AllocationFailure(.unknownPool(poolName)) }
            let free = freeAddresses(in: pool, request: request)
            guard let ips = select(free, request: request) else {
                throw AllocationFailure(.poolExhausted(pool: pool.name, family: request.family))
            }
            try assign(service.key, ips, service: service, request: request)
            return ips
        }
        let pinned = configuration.pools.enumerated().filter { _, pool in
            guard pool.autoAssign, pool.serviceAllocation != nil else { return false }
            return compatible(pool, service)
        }.sorted { lhs, rhs in
            let left = lhs.element.serviceAllocation?.priority ?? 0
            let right = rhs.element.serviceAllocation?.priority ?? 0
            if (left > 0) != (right > 0) { return left > 0 }  // 0 means "after all prioritised"
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
        if let ips = try? allocate(from: pinned, service: service, request: request) { return ips }
        let general = configuration.pools.filter { $0.autoAssign && $0.serviceAllocation == nil }
        if let ips = try? allocate(from: general, service: service, request: request) { return ips }
        throw AllocationFailure(.noAvailableIPs)
    }

    /// `findBestPoolForService` + `selectIPsForFamilyAndPolicy` + `Assign`.
    private mutating func allocate(
        from pools: [AddressPoolConfig], service: LoadBalancerService, request: ServiceRequest
    ) throws(AllocationFailure) -> [IPAddress] {
        let primary: IPFamily = service.ipFamilies.first == .ipv6 ? .ipv6 : .ipv4
        let secondary: IPFamily = primary == .ipv4 ? .ipv6 : .ipv4
        var primaryOnly: [IPFamily: IPAddress]?
        var secondaryOnly: [IPFamily: IPAddress]?
        var chosen: [IPFamily: IPAddress]?
        for pool in pools {
            let free = freeAddresses(in: pool, request: request)
            switch request.family {
            case .ipv4, .ipv6:
                if free[request.family == .ipv4 ? .ipv4 : .ipv6] != nil { chosen = free }
            case .dualStack:
                if free[primary] != nil && free[secondary] != nil {
                    chosen = free
                } else if request.policy == .preferDualStack {
                    if free[primary] != nil && primaryOnly == nil { primaryOnly = free }
                    if free[secondary] != nil && secondaryOnly == nil { secondaryOnly = free }
                }
            }
            if chosen != nil { break }
        }
        guard let free = chosen ?? primaryOnly ?? secondaryOnly, let ips = select(free, request: request) else {
            throw AllocationFailure(.noAvailableIPs)
        }
        try assign(service.key, ips, service: service, request: request)
        return ips
    }

    /// `selectIPsForFamilyAndPolicy`: the IPs to take from one pool's free addresses.
    private func select(_ free: [IPFamily: IPAddress], request: ServiceRequest) -> [IPAddress]? {
        switch request.family {
        case .ipv4: return free[.ipv4].map { [$0] }
        case .ipv6: return free[.ipv6].map { [$0] }
        case .dualStack:
            if let v4 = free[.ipv4], let v6 = free[.ipv6] { return [v4, v6] }
            guard request.policy == .preferDualStack else { return nil }
            if let v4 = free[.ipv4] { return [v4] }
            return free[.ipv6].map { [$0] }
        }
    }

    /// `AllocateFromPoolForAdditionalFamily`: adds the missing family from the same pool.
    private mutating func additionalFamily(
        for key: ServiceKey, existing: IPAddress, pool name: String, service: LoadBalancerService,
        request: ServiceRequest
    ) -> Result<IPAddress, AllocationFailure> {
        let family: IPFamily = existing.family == .ipv4 ? .ipv6 : .ipv4
        guard let pool = configuration.pool(named: name) else { return .failure(AllocationFailure(.unknownPool(name))) }
        guard let ip = freeAddresses(in: pool, request: request)[family] else {
            return .failure(AllocationFailure(.poolExhausted(pool: name, family: ServiceFamily(family))))
        }
        let ips = existing.family == .ipv4 ? [existing, ip] : [ip, existing]
        do throws(AllocationFailure) {
            try assign(key, ips, service: service, request: request)
        } catch {
            return .failure(error)
        }
        return .success(ip)
    }

    /// The lowest usable address per family in `pool`, in configured range order: the lowest
    /// free one or a lower shareable one, whichever comes first (`getFreeIPsFromPool`).
    private mutating func freeAddresses(in pool: AddressPoolConfig, request: ServiceRequest) -> [IPFamily: IPAddress] {
        var result: [IPFamily: IPAddress] = [:]
        var best: [IPFamily: (range: Int, offset: UInt128)] = [:]
        if !request.sharingKey.isEmpty {
            for ip in sharedIPs[request.sharingKey] ?? [] where users[ip]?.pool == pool.name {
                guard sharingCheck(request.key, ip, request) == nil,
                      let position = position(of: ip, in: pool) else { continue }
                if let current = best[ip.family], (current.range, current.offset) <= (position.range, position.offset) {
                    continue
                }
                best[ip.family] = position
                result[ip.family] = ip
            }
        }
        for family in [IPFamily.ipv4, .ipv6] where pool.families.contains(family) {
            guard let (ip, position) = lowestFree(in: pool, family: family) else { continue }
            if let shared = best[family], (shared.range, shared.offset) < (position.range, position.offset) { continue }
            result[family] = ip
        }
        return result
    }

    /// Advances the pool's cursors past used and skipped addresses and returns the lowest free.
    private mutating func lowestFree(
        in pool: AddressPoolConfig, family: IPFamily
    ) -> (IPAddress, (range: Int, offset: UInt128))? {
        var hints = cursors[pool.name] ?? Array(repeating: 0, count: pool.ranges.count)
        defer { cursors[pool.name] = hints }
        for (index, range) in pool.ranges.enumerated() where range.family == family {
            let span = range.last.numeric - range.first.numeric
            var offset = hints[index]
            while offset <= span {
                let ip = IPAddress(family: family, numeric: range.first.numeric + offset)!
                if users[ip] == nil && !(pool.avoidBuggyIPs && ip.confusesBuggyFirmware) {
                    hints[index] = offset
                    return (ip, (index, offset))
                }
                if offset == span { break }
                offset += 1
            }
            hints[index] = span &+ 1
        }
        return nil
    }

    private func position(of ip: IPAddress, in pool: AddressPoolConfig) -> (range: Int, offset: UInt128)? {
        for (index, range) in pool.ranges.enumerated() where range.contains(ip) {
            return (index, ip.numeric - range.first.numeric)
        }
        return nil
    }

    // MARK: - Registration

    /// The pool containing every IP, skipping its avoided buggy addresses (`poolFor`).
    private func poolFor(_ ips: [IPAddress]) -> AddressPoolConfig? {
        configuration.pools.first { pool in ips.allSatisfy { pool.canAssign($0) } }
    }

    private func compatible(_ pool: AddressPoolConfig, _ service: LoadBalancerService) -> Bool {
        guard let allocation = pool.serviceAllocation else { return true }
        return allocation.allows(
            namespace: service.key.namespace, namespaceLabels: namespaceLabels[service.key.namespace] ?? [:],
            serviceLabels: service.labels)
    }

    /// `checkSharing`: whether `key` may use `ip` with its ports and keys.
    private func sharingCheck(_ key: ServiceKey, _ ip: IPAddress, _ request: ServiceRequest) -> AllocationFailure? {
        guard let existing = users[ip] else { return nil }
        let keysMatch = !existing.sharingKey.isEmpty && !request.sharingKey.isEmpty
            && existing.sharingKey == request.sharingKey && existing.backendKey == request.backendKey
        if !keysMatch {
            let others = existing.services.filter { $0 != key }.sorted()
            if !others.isEmpty { return AllocationFailure(.sharingConflict(ip: ip, service: key, users: others)) }
        }
        for port in request.ports {
            if let user = existing.ports[port], user != key { return AllocationFailure(.portInUse(port: port, ip: ip)) }
        }
        return nil
    }

    /// `Assign`: validates and registers `ips` for `key`.
    private mutating func assign(
        _ key: ServiceKey, _ ips: [IPAddress], service: LoadBalancerService, request: ServiceRequest
    ) throws(AllocationFailure) {
        guard let pool = poolFor(ips) else { throw AllocationFailure(.notAllowedInConfig(ips)) }
        guard compatible(pool, service) else { throw AllocationFailure(.poolNotCompatible(pool: pool.name)) }
        if ips.count > 2 { throw AllocationFailure(.invalidRequest("more than two addresses \(goQuoted(ips))")) }
        if ips.count == 2 && ips[0].family == ips[1].family {
            throw AllocationFailure(.invalidRequest("\(goQuoted(ips)) has the same family"))
        }
        for ip in ips {
            if let failure = sharingCheck(key, ip, request) { throw failure }
        }
        unassign(key)
        register(key, Holding(
            ips: ips, pool: pool.name, ports: request.ports, sharingKey: request.sharingKey,
            backendKey: request.backendKey))
    }

    private mutating func register(_ key: ServiceKey, _ holding: Holding) {
        allocations[key] = holding
        for ip in holding.ips {
            if users[ip] == nil {
                users[ip] = IPUsers(
                    pool: holding.pool, sharingKey: holding.sharingKey, backendKey: holding.backendKey, services: [],
                    ports: [:])
                inUse[holding.pool, default: [:]][ip.family, default: 0] += 1
            } else if let previous = users[ip]?.sharingKey, previous != holding.sharingKey {
                sharedIPs[previous]?.remove(ip)
            }
            users[ip]?.sharingKey = holding.sharingKey
            users[ip]?.backendKey = holding.backendKey
            users[ip]?.services.insert(key)
            for port in holding.ports { users[ip]?.ports[port] = key }
            if !holding.sharingKey.isEmpty { sharedIPs[holding.sharingKey, default: []].insert(ip) }
        }
    }

    @discardableResult
    private mutating func unassign(_ key: ServiceKey) -> Bool {
        guard let holding = allocations.removeValue(forKey: key) else { return false }
        for ip in holding.ips {
            guard var entry = users[ip] else { continue }
            entry.services.remove(key)
            for port in holding.ports where entry.ports[port] == key { entry.ports[port] = nil }
            if entry.services.isEmpty {
                users[ip] = nil
                if !entry.sharingKey.isEmpty { sharedIPs[entry.sharingKey]?.remove(ip) }
                inUse[entry.pool, default: [:]][ip.family, default: 0] -= 1
                if let pool = configuration.pool(named: entry.pool), let position = position(of: ip, in: pool),
                   var hints = cursors[pool.name], position.range < hints.count {
                    hints[position.range] = min(hints[position.range], position.offset)
                    cursors[pool.name] = hints
                }
            } else {
                users[ip] = entry
            }
        }
        return true
    }

    private mutating func resetCursors() {
        cursors = Dictionary(
            configuration.pools.map { ($0.name, Array(repeating: UInt128(0), count: $0.ranges.count)) },
            uniquingKeysWith: { first, _ in first })
        var counts: [String: [IPFamily: Int]] = [:]
        for (ip, entry) in users { counts[entry.pool, default: [:]][ip.family, default: 0] += 1 }
        inUse = counts
    }
}
