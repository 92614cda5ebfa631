/// Speaker settings that change who is a candidate. Every speaker of a cluster must use the
/// same settings, or two nodes may both think they own an IP.
public struct ElectionOptions: Hashable, Sendable {
    /// Where liveness comes from.
    public enum Membership: Hashable, Sendable {
        /// Only live gossip members are candidates (MetalLB with memberlist enabled).
        case gossip
        /// Every Node object is a candidate: MetalLB v0.15.0+ with memberlist disabled
        /// assumes a speaker on every node.
        case everyNode
    }

    public var membership: Membership
    /// MetalLB's `--ignore-exclude-lb`: keep nodes labelled exclude-from-external-load-balancers.
    public var ignoreExcludeFromLoadBalancers: Bool
    /// Drop members whose gossiped metadata says their announcing interface is down
    /// (DESIGN.md §2.6). MetalLB speakers send no metadata, so this stays off in clusters
    /// that mix them with SwiftLB.
    public var requireAnnouncingInterfaceUp: Bool
    /// MetalLB's `--lb-class`: nil handles only Services without a class.
    public var loadBalancerClass: String?

    public init(
        membership: Membership = .gossip,
        ignoreExcludeFromLoadBalancers: Bool = false,
        requireAnnouncingInterfaceUp: Bool = false,
        loadBalancerClass: String? = nil
    ) {
        self.membership = membership
        self.ignoreExcludeFromLoadBalancers = ignoreExcludeFromLoadBalancers
        self.requireAnnouncingInterfaceUp = requireAnnouncingInterfaceUp
        self.loadBalancerClass = loadBalancerClass
    }
}

/// A live gossip member as the election sees it. Its name is its Node name, as in MetalLB.
public struct SpeakerMember: Hashable, Sendable {
    public var name: String
    /// From SwiftLB member metadata; nil when the member sent none (a MetalLB speaker).
    public var announcingInterfaceUp: Bool?

    public init(name: String, announcingInterfaceUp: Bool? = nil) {
        self.name = name
        self.announcingInterfaceUp = announcingInterfaceUp
    }
}
