import Election
import Gossip

/// Everything that shapes one speaker, gathered from flags and MetalLB's environment
/// variables by `swiftlb speaker`.
public struct SpeakerSettings: Sendable {
    /// `METALLB_NODE_NAME`: the Node this speaker runs on, and its gossip member name.
    public var nodeName: String
    /// `METALLB_POD_NAME`: this speaker's Pod, the owner of its ServiceL2Status objects
    /// (nil: they get no owner reference).
    public var podName: String?
    /// `METALLB_NAMESPACE`: where the configuration, the speaker Pods and events live.
    public var namespace: String
    /// `METALLB_ML_BIND_ADDR`: IPv4 address for gossip; nil disables memberlist (then every
    /// Node is a candidate, as MetalLB v0.15.0+).
    public var gossipBindHost: String?
    /// `METALLB_ML_BIND_PORT` (7946).
    public var gossipBindPort: Int
    /// `METALLB_ML_LABELS`: label selector of the speaker Pods, whose IPs are the join seeds.
    public var memberlistLabels: String?
    /// The memberlist secret as read from `METALLB_ML_SECRET_KEY_PATH`; nil or empty = no encryption.
    public var memberlistSecret: [UInt8]?
    public var gossip: GossipSettings
    /// `--lb-class`, `--ignore-exclude-lb`.
    public var loadBalancerClass: String?
    public var ignoreExcludeFromLoadBalancers: Bool
    /// How long a leaving speaker keeps answering while it waits for the next owner's
    /// gratuitous announcement of each of its IPs (DESIGN.md §2.2).
    public var handoverTimeout: Duration
    /// MetalLB's `Leave(1 s)`.
    public var leaveTimeout: Duration
    /// How long the first gossip join waits for the speaker Pod list.
    public var seedListTimeout: Duration
    /// How often speaker Pod IPs that are not gossip members are joined again, besides on
    /// every speaker Pod change (MetalLB: every minute).
    public var peerRejoinInterval: Duration
    /// How long a starting speaker waits for its join through speaker Pod seeds to merge the
    /// cluster's member list before it announces anyway (memberlist's `Join` blocks on the
    /// push/pull in the same way; MetalLB starts announcing only after it returns).
    public var joinSettleTimeout: Duration
    /// Early takeover of a suspected owner that no longer answers on the wire
    /// (`EarlyTakeoverTracker`); nil = off (`--no-early-takeover`): IPs move on gossip's dead
    /// event only, as in MetalLB.
    public var earlyTakeover: EarlyTakeoverSettings?
    /// How long after another station answers for one of our IPs the speaker looks again
    /// before it calls it a conflict (Warning event, warning log). When ownership moves (an
    /// `externalTrafficPolicy: Local` endpoint moves, a member joins), the new owner's
    /// gratuitous ARP can reach the old one a few ms before the old one has processed the
    /// same change and withdrawn; if the IP is no longer ours by then, it was a handover.
    public var conflictGrace: Duration

    public init(
        nodeName: String, namespace: String, podName: String? = nil, gossipBindHost: String? = nil, gossipBindPort: Int = 7946,
        memberlistLabels: String? = nil, memberlistSecret: [UInt8]? = nil, gossip: GossipSettings = .lan,
        loadBalancerClass: String? = nil, ignoreExcludeFromLoadBalancers: Bool = false,
        handoverTimeout: Duration = .seconds(3), leaveTimeout: Duration = .seconds(1),
        seedListTimeout: Duration = .seconds(10), peerRejoinInterval: Duration = .seconds(60),
        joinSettleTimeout: Duration = .seconds(5), earlyTakeover: EarlyTakeoverSettings? = EarlyTakeoverSettings(),
        conflictGrace: Duration = .seconds(1)
    ) {
        self.nodeName = nodeName
        self.namespace = namespace
        self.podName = podName
        self.gossipBindHost = gossipBindHost
        self.gossipBindPort = gossipBindPort
        self.memberlistLabels = memberlistLabels
        self.memberlistSecret = memberlistSecret
        self.gossip = gossip
        self.loadBalancerClass = loadBalancerClass
        self.ignoreExcludeFromLoadBalancers = ignoreExcludeFromLoadBalancers
        self.handoverTimeout = handoverTimeout
        self.leaveTimeout = leaveTimeout
        self.seedListTimeout = seedListTimeout
        self.peerRejoinInterval = peerRejoinInterval
        self.joinSettleTimeout = joinSettleTimeout
        self.earlyTakeover = earlyTakeover
        self.conflictGrace = conflictGrace
    }

    /// Memberlist is on only with both a bind address and a Pod label selector, as MetalLB.
    public var usesGossip: Bool { gossipBindHost != nil && memberlistLabels != nil }

    public var electionOptions: ElectionOptions {
        ElectionOptions(
            membership: usesGossip ? .gossip : .everyNode,
            ignoreExcludeFromLoadBalancers: ignoreExcludeFromLoadBalancers,
            loadBalancerClass: loadBalancerClass)
    }
}
