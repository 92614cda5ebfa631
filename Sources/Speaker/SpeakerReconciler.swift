import Addressing
import ClusterModel
import Config
import Election
import Kube

/// The speaker's pure core: Kubernetes objects and gossip membership in, owner changes and
/// the announcer diff for this node out. No I/O, no clock.
///
/// It keeps the last known state of every input, so when the API server is unreachable the
/// election keeps following gossip from it (DESIGN.md §2.5).
public struct SpeakerReconciler: Sendable {
    /// What one input changed.
    public struct Step: Hashable, Sendable {
        public var ownerChanges: [OwnerChange]
        public var diff: AnnouncementDiff
        /// Services this node started announcing (MetalLB's `nodeAssigned` event, posted on
        /// the transition only, not on every resync as MetalLB #978 complains).
        public var gained: [ServiceKey]
        /// Services this node stopped announcing.
        public var lost: [ServiceKey]
    }

    public let nodeName: String
    public private(set) var election: OwnerElection
    /// What this node announces now (after the last step was applied).
    public private(set) var announced: [IPAddress: AnnouncementTarget] = [:]
    private var services: [ServiceKey: LoadBalancerService] = [:]
    /// Slices by Service, each by its own `namespace/name`.
    private var slices: [ServiceKey: [String: EndpointSlice]] = [:]
    /// Which Service each slice was filed under (a relabelled slice moves).
    private var sliceOwners: [String: ServiceKey] = [:]
    private var nodes: [String: ClusterNode] = [:]

    public init(nodeName: String, options: ElectionOptions = ElectionOptions(), configuration: Configuration = Configuration()) {
        self.nodeName = nodeName
        election = OwnerElection(configuration: configuration, options: options)
    }

    public var configuration: Configuration { election.configuration }

    public func service(_ key: ServiceKey) -> LoadBalancerService? { services[key] }

    /// Every LoadBalancer Service known, sorted.
    public var serviceKeys: [ServiceKey] { services.keys.sorted() }

    // MARK: - Inputs

    public mutating func serviceChanged(_ object: Service) -> Step {
        let service = KubeTranslation.service(object)
        services[service.key] = service
        return finish(election.upsertService(service, endpoints: endpoints(of: service.key)))
    }

    public mutating func serviceDeleted(_ key: ServiceKey) -> Step {
        services[key] = nil
        return finish(election.removeService(key))
    }

    public mutating func sliceChanged(_ slice: EndpointSlice) -> Step {
        let sliceKey = slice.metadata.key
        var touched: Set<ServiceKey> = []
        if let previous = sliceOwners[sliceKey] {
            slices[previous]?[sliceKey] = nil
            touched.insert(previous)
        }
        if let owner = KubeTranslation.serviceKey(of: slice) {
            slices[owner, default: [:]][sliceKey] = slice
            sliceOwners[sliceKey] = owner
            touched.insert(owner)
        } else {
            sliceOwners[sliceKey] = nil
        }
        return refresh(touched)
    }

    public mutating func sliceDeleted(_ slice: EndpointSlice) -> Step {
        let sliceKey = slice.metadata.key
        guard let owner = sliceOwners.removeValue(forKey: sliceKey) else { return finish([]) }
        slices[owner]?[sliceKey] = nil
        if slices[owner]?.isEmpty == true { slices[owner] = nil }
        return refresh([owner])
    }

    public mutating func nodeChanged(_ object: Node) -> Step {
        let node = KubeTranslation.node(object)
        nodes[node.name] = node
        return finish(election.upsertNode(node))
    }

    public mutating func nodeDeleted(named name: String) -> Step {
        nodes[name] = nil
        return finish(election.removeNode(named: name))
    }

    /// A gossip member is alive (joined, updated, or suspect: MetalLB still counts suspects).
    public mutating func memberAlive(_ name: String) -> Step {
        finish(election.memberJoined(SpeakerMember(name: name)))
    }

    /// A gossip member is dead or left: it stops being a candidate.
    public mutating func memberGone(_ name: String) -> Step {
        finish(election.memberLeft(named: name))
    }

    /// What this node would start announcing if `member` left: the IPs of the Services that
    /// `member` owns now and this node would own without it, each with the interfaces it would
    /// go out on. A what-if on a copy; nothing here changes. Taking a candidate away only
    /// re-elects the Services it owns (every other Service keeps its first-ranked candidate),
    /// so these are exactly the IPs its death would hand to this node (early takeover).
    public func addressesGained(ifGone member: String) -> [IPAddress: AnnouncementTarget] {
        let theirs = Set(election.services(ownedBy: member))
        guard member != nodeName, !theirs.isEmpty else { return [:] }
        var without = self
        _ = without.memberGone(member)
        return without.announced.filter { announced[$0.key] == nil && !$0.value.services.isDisjoint(with: theirs) }
    }

    public mutating func setConfiguration(_ configuration: Configuration) -> Step {
        finish(election.setConfiguration(configuration))
    }

    /// Stops announcing everything (graceful shutdown, after the handover).
    public mutating func withdrawAll() -> AnnouncementDiff {
        let diff = AnnouncementDiff.between(current: announced, desired: [:])
        announced = [:]
        return diff
    }

    // MARK: - Derived state

    private func endpoints(of key: ServiceKey) -> [ServiceEndpoint] {
        KubeTranslation.endpoints((slices[key] ?? [:]).keys.sorted().compactMap { slices[key]?[$0] })
    }

    private mutating func refresh(_ keys: Set<ServiceKey>) -> Step {
        var changes: [OwnerChange] = []
        for key in keys.sorted() {
            guard let service = services[key] else { continue }
            changes += election.upsertService(service, endpoints: endpoints(of: key))
        }
        return finish(changes)
    }

    private mutating func finish(_ changes: [OwnerChange]) -> Step {
        let desired = desiredAnnouncements()
        let diff = AnnouncementDiff.between(current: announced, desired: desired)
        let before = Set(announced.values.flatMap(\.services))
        let after = Set(desired.values.flatMap(\.services))
        announced = desired
        return Step(
            ownerChanges: changes, diff: diff,
            gained: after.subtracting(before).sorted(), lost: before.subtracting(after).sorted())
    }

    /// Every IP of every Service this node owns, with the interfaces its applicable
    /// advertisements allow here.
    public func desiredAnnouncements() -> [IPAddress: AnnouncementTarget] {
        var result: [IPAddress: AnnouncementTarget] = [:]
        for key in election.services(ownedBy: nodeName) {
            guard let service = services[key], let ips = service.parsedIngressIPs, let first = ips.first else { continue }
            let interfaces = allowedInterfaces(for: service, ip: first)
            for ip in ips {
                if var target = result[ip] {
                    target.services.insert(key)
                    target.interfaces = Self.union(target.interfaces, interfaces)
                    result[ip] = target
                } else {
                    result[ip] = AnnouncementTarget(ip: ip, interfaces: interfaces, services: [key])
                }
            }
        }
        return result
    }

    /// The union of `interfaces` over the pool's advertisements that select the Service and
    /// this node; an advertisement without `interfaces` allows every interface (nil).
    func allowedInterfaces(for service: LoadBalancerService, ip: IPAddress) -> Set<String>? {
        guard let pool = configuration.pool(containing: ip) else { return nil }
        let labels = nodes[nodeName]?.labels ?? [:]
        let applicable = configuration.advertisements(for: pool).filter {
            $0.selectsService(labels: service.labels) && $0.selectsNode(labels: labels)
        }
        var result: Set<String>? = []
        for ad in applicable {
            result = Self.union(result, ad.interfaces.isEmpty ? nil : Set(ad.interfaces))
        }
        return applicable.isEmpty ? nil : result
    }

    private static func union(_ a: Set<String>?, _ b: Set<String>?) -> Set<String>? {
        guard let a, let b else { return nil }
        return a.union(b)
    }
}
