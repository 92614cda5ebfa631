import Addressing

/// One MetalLB layer-2 configuration, whichever format it was written in.
///
/// MetalLB up to v0.12 read a ConfigMap (`address-pools`), later versions read the
/// `IPAddressPool` and `L2Advertisement` CRDs; both parse into this one model
/// (see `ConfigurationParser`). A legacy `layer2` pool becomes a pool plus an implied
/// advertisement of it from every node, which is what MetalLB did for such pools.
public struct Configuration: Hashable, Sendable {
    /// Pools in the order they were read (files in command-line order, documents in file order).
    public var pools: [AddressPoolConfig]
    public var l2Advertisements: [L2AdvertisementConfig]

    public init(pools: [AddressPoolConfig] = [], l2Advertisements: [L2AdvertisementConfig] = []) {
        self.pools = pools
        self.l2Advertisements = l2Advertisements
    }

    /// The pool called `name`, if any.
    public func pool(named name: String) -> AddressPoolConfig? {
        pools.first { $0.name == name }
    }

    /// The pool whose addresses contain `ip` (pools never overlap in a valid configuration).
    public func pool(containing ip: IPAddress) -> AddressPoolConfig? {
        pools.first { $0.addresses.contains(ip) }
    }

    /// The advertisements that announce addresses of `pool`, in configuration order.
    ///
    /// As MetalLB's speaker does (internal/config: `L2Advertisement` → pools), an
    /// advertisement applies when it names the pool in `ipAddressPools`, when one of its
    /// `ipAddressPoolSelectors` matches the pool's labels, or when it names and selects no
    /// pool at all (then it covers every pool). A pool that no advertisement covers still
    /// hands out addresses but is never announced.
    public func advertisements(for pool: AddressPoolConfig) -> [L2AdvertisementConfig] {
        l2Advertisements.filter { $0.applies(to: pool) }
    }

    /// The advertisements of the pool called `name`; empty for an unknown pool.
    public func advertisements(forPoolNamed name: String) -> [L2AdvertisementConfig] {
        guard let pool = pool(named: name) else { return [] }
        return advertisements(for: pool)
    }
}
