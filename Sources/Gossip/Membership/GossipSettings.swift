/// Timings and limits of the protocol. Every field can be overridden after picking a profile.
public struct GossipSettings: Hashable, Sendable {
    /// Time between probes of successive members (scaled by the health score).
    public var probeInterval: Duration
    /// How long to wait for a direct ack before asking helpers.
    public var probeTimeout: Duration
    /// Helpers asked to probe indirectly.
    public var indirectChecks: Int
    /// Suspicion timeout multiplier: min = mult × max(1, log10 N) × probeInterval.
    public var suspicionMult: Int
    /// max = this × min; Lifeguard confirmations shrink the timeout from max towards min.
    public var suspicionMaxTimeoutMult: Int
    /// Broadcasts are sent retransmitMult × ceil(log10(N+1)) times.
    public var retransmitMult: Int
    /// Time between gossip rounds.
    public var gossipInterval: Duration
    /// Members gossiped to per round.
    public var gossipNodes: Int
    /// Dead members still receive gossip (so they can refute) and stay listed this long.
    public var gossipToTheDeadTime: Duration
    /// Time between anti-entropy push/pulls (scaled up above 32 members); nil disables.
    public var pushPullInterval: Duration?
    /// Deadline for TCP exchanges (push/pull, reliable user messages), for the shell.
    public var tcpTimeout: Duration
    /// The health score ranges over 0..<awarenessMaxMultiplier.
    public var awarenessMaxMultiplier: Int
    /// Budget of a UDP datagram for piggybacked broadcasts (not a hard cap on messages).
    public var udpBufferSize: Int
    /// Bytes the transport adds around each packet (encryption 29/45, label 2 + length):
    /// subtracted from the piggyback budget, as memberlist does.
    public var packetOverhead: Int
    /// [PMin, PMax, PCur] advertised in Vsn. memberlist v0.2.2 sends 1, 5, 2.
    public var protocolVersions: [UInt8]
    /// [DMin, DMax, DCur] of the application delegate (MetalLB: 0, 0, 0).
    public var delegateVersions: [UInt8]
    /// Do not fall back to TCP pings (memberlist `DisableTcpPings`).
    public var disableTCPPings: Bool
    /// A dead member's name may be taken by another address after this long; nil = never
    /// (memberlist `DeadNodeReclaimTime`, default 0 = never). Left members may always be.
    public var deadNodeReclaimTime: Duration?
    /// Time between join attempts while no seed has answered.
    public var joinRetryInterval: Duration
    /// Join rounds before giving up (0 = retry forever).
    public var joinMaxAttempts: Int
    /// If set, push/pull with every seed that is not a known alive member this often, so a
    /// partition longer than gossipToTheDeadTime still heals (MetalLB rejoins its speakers
    /// periodically for the same reason). memberlist itself has no such timer.
    public var rejoinInterval: Duration?

    /// The Vsn bytes sent in alive messages and node states.
    public var vsn: [UInt8] { protocolVersions + delegateVersions }

    public init(
        probeInterval: Duration,
        probeTimeout: Duration,
        indirectChecks: Int,
        suspicionMult: Int,
        suspicionMaxTimeoutMult: Int,
        retransmitMult: Int,
        gossipInterval: Duration,
        gossipNodes: Int,
        gossipToTheDeadTime: Duration,
        pushPullInterval: Duration?,
        tcpTimeout: Duration,
        awarenessMaxMultiplier: Int,
        udpBufferSize: Int = 1400,
        packetOverhead: Int = 0,
        protocolVersions: [UInt8] = [1, 5, 2],
        delegateVersions: [UInt8] = [0, 0, 0],
        disableTCPPings: Bool = false,
        deadNodeReclaimTime: Duration? = nil,
        joinRetryInterval: Duration = .seconds(1),
        joinMaxAttempts: Int = 0,
        rejoinInterval: Duration? = nil
    ) {
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.indirectChecks = indirectChecks
        self.suspicionMult = suspicionMult
        self.suspicionMaxTimeoutMult = suspicionMaxTimeoutMult
        self.retransmitMult = retransmitMult
        self.gossipInterval = gossipInterval
        self.gossipNodes = gossipNodes
        self.gossipToTheDeadTime = gossipToTheDeadTime
        self.pushPullInterval = pushPullInterval
        self.tcpTimeout = tcpTimeout
        self.awarenessMaxMultiplier = awarenessMaxMultiplier
        self.udpBufferSize = udpBufferSize
        self.packetOverhead = packetOverhead
        self.protocolVersions = protocolVersions
        self.delegateVersions = delegateVersions
        self.disableTCPPings = disableTCPPings
        self.deadNodeReclaimTime = deadNodeReclaimTime
        self.joinRetryInterval = joinRetryInterval
        self.joinMaxAttempts = joinMaxAttempts
        self.rejoinInterval = rejoinInterval
    }

    /// memberlist `DefaultLANConfig`, exactly.
    public static let lan = GossipSettings(
        probeInterval: .seconds(1),
        probeTimeout: .milliseconds(500),
        indirectChecks: 3,
        suspicionMult: 4,
        suspicionMaxTimeoutMult: 6,
        retransmitMult: 4,
        gossipInterval: .milliseconds(200),
        gossipNodes: 3,
        gossipToTheDeadTime: .seconds(30),
        pushPullInterval: .seconds(30),
        tcpTimeout: .seconds(10),
        awarenessMaxMultiplier: 8
    )

    /// Sub-second failure detection on a healthy LAN (docs/gossip.md derives the numbers):
    /// a probe every 80 ms, direct-ack timeout 40 ms, suspicion min 3 × 80 ms with Lifeguard
    /// confirmations (k = 1) and max 3 × min, gossip every 20 ms so suspicions reach the
    /// accused, and refutations reach everyone, well inside the suspicion timeout.
    public static let fast = GossipSettings(
        probeInterval: .milliseconds(80),
        probeTimeout: .milliseconds(40),
        indirectChecks: 3,
        suspicionMult: 3,
        suspicionMaxTimeoutMult: 3,
        retransmitMult: 4,
        gossipInterval: .milliseconds(20),
        gossipNodes: 3,
        gossipToTheDeadTime: .seconds(10),
        pushPullInterval: .seconds(10),
        tcpTimeout: .seconds(2),
        awarenessMaxMultiplier: 8,
        joinRetryInterval: .milliseconds(250)
    )
}
