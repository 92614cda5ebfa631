/// An `L2Advertisement` (CRD): which pools are announced by ARP/NDP, from which nodes and
/// on which interfaces.
///
/// Semantics follow MetalLB v0.13+: an advertisement that names no pool and selects none
/// covers every pool; an empty `nodeSelectors` means every node; an empty `interfaces`
/// means every interface. Several advertisements on one pool are unioned.
public struct L2AdvertisementConfig: Hashable, Sendable {
    /// `metadata.name`; for a legacy ConfigMap pool, `layer2-<pool>` (implied, see `implied`).
    public var name: String
    /// `spec.ipAddressPools`: pools named explicitly.
    public var ipAddressPools: [String]
    /// `spec.ipAddressPoolSelectors`: pools selected by their labels.
    public var ipAddressPoolSelectors: [LabelSelector]
    /// `spec.nodeSelectors`: nodes allowed to announce (any selector matching suffices).
    public var nodeSelectors: [LabelSelector]
    /// `spec.interfaces`: interfaces to announce on; MetalLB does not use them in the
    /// election (a winner lacking them announces nothing).
    public var interfaces: [String]
    /// `spec.serviceSelectors`: Services whose IPs this advertisement announces.
    public var serviceSelectors: [LabelSelector]
    /// True when the advertisement was not written but implied by a legacy `layer2` pool.
    public var implied: Bool

    public init(
        name: String,
        ipAddressPools: [String] = [],
        ipAddressPoolSelectors: [LabelSelector] = [],
        nodeSelectors: [LabelSelector] = [],
        interfaces: [String] = [],
        serviceSelectors: [LabelSelector] = [],
        implied: Bool = false
    ) {
        self.name = name
        self.ipAddressPools = ipAddressPools
        self.ipAddressPoolSelectors = ipAddressPoolSelectors
        self.nodeSelectors = nodeSelectors
        self.interfaces = interfaces
        self.serviceSelectors = serviceSelectors
        self.implied = implied
    }

    /// True when the advertisement names and selects no pool, so covers all of them.
    public var coversAllPools: Bool { ipAddressPools.isEmpty && ipAddressPoolSelectors.isEmpty }

    /// Whether the advertisement announces addresses of `pool`.
    public func applies(to pool: AddressPoolConfig) -> Bool {
        coversAllPools || ipAddressPools.contains(pool.name)
            || ipAddressPoolSelectors.contains { $0.matches(pool.labels) }
    }

    /// Whether a node with `labels` may announce for this advertisement.
    public func selectsNode(labels: [String: String]) -> Bool {
        nodeSelectors.isEmpty || nodeSelectors.contains { $0.matches(labels) }
    }

    /// Whether the advertisement announces a Service with `labels`.
    public func selectsService(labels: [String: String]) -> Bool {
        serviceSelectors.isEmpty || serviceSelectors.contains { $0.matches(labels) }
    }
}
