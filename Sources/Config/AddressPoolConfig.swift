import Addressing

/// An `IPAddressPool` (CRD) or a legacy `address-pools` entry: where Service IPs come from.
///
/// Defaults follow MetalLB's `IPAddressPoolSpec`: `autoAssign` true, `avoidBuggyIPs` false,
/// no `serviceAllocation` (any Service may use the pool).
public struct AddressPoolConfig: Hashable, Sendable {
    /// `metadata.name` (CRD) or `name` (ConfigMap); unique within a configuration.
    public var name: String
    /// `metadata.labels`, matched by `L2Advertisement.spec.ipAddressPoolSelectors`.
    public var labels: [String: String]
    /// `spec.addresses`: the CIDR and `start-end` entries as ranges, in configured order.
    /// A pool may mix IPv4 and IPv6 (a dual-stack pool).
    public var addresses: AddressPool
    /// `spec.autoAssign` / `auto-assign`: false means only Services that ask for this pool
    /// (annotation `metallb.io/address-pool`) or for one of its IPs get addresses from it.
    public var autoAssign: Bool
    /// `spec.avoidBuggyIPs` / `avoid-buggy-ips`: never hand out IPv4 addresses ending in
    /// `.0` or `.255` (MetalLB's `ipConfusesBuggyFirmwares`).
    public var avoidBuggyIPs: Bool
    /// `spec.serviceAllocation`: which Services may use the pool, and its priority.
    public var serviceAllocation: ServiceAllocation?

    public init(
        name: String,
        labels: [String: String] = [:],
        addresses: AddressPool,
        autoAssign: Bool = true,
        avoidBuggyIPs: Bool = false,
        serviceAllocation: ServiceAllocation? = nil
    ) {
        self.name = name
        self.labels = labels
        self.addresses = addresses
        self.autoAssign = autoAssign
        self.avoidBuggyIPs = avoidBuggyIPs
        self.serviceAllocation = serviceAllocation
    }

    /// The configured ranges in order.
    public var ranges: [AddressRange] { addresses.ranges }

    /// The families the pool can hand out.
    public var families: Set<IPFamily> { addresses.families }

    /// Addresses the pool can hand out, after the avoid-buggy-IPs rule.
    public var usableCount: AddressCount { addresses.count(avoidingBuggyIPs: avoidBuggyIPs) }

    /// Whether the pool may hand out `ip` (inside a range and not skipped as buggy).
    public func canAssign(_ ip: IPAddress) -> Bool {
        addresses.contains(ip) && !(avoidBuggyIPs && ip.confusesBuggyFirmware)
    }
}
