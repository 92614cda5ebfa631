/// What the local node knows about one member (memberlist `nodeState`).
public struct Member: Hashable, Sendable {
    public var name: String
    public var address: NodeAddress
    public var meta: [UInt8]?
    public var incarnation: UInt32
    public var state: MemberState
    /// [PMin, PMax, PCur, DMin, DMax, DCur], zero-padded to six.
    public var vsn: [UInt8]
    /// When `state` last changed.
    public var stateChange: GossipInstant

    public init(
        name: String,
        address: NodeAddress,
        meta: [UInt8]?,
        incarnation: UInt32,
        state: MemberState,
        vsn: [UInt8],
        stateChange: GossipInstant
    ) {
        self.name = name
        self.address = address
        self.meta = meta
        self.incarnation = incarnation
        self.state = state
        self.vsn = vsn
        self.stateChange = stateChange
    }

    /// The highest protocol version the member understands (Vsn[1]): ≥3 answers TCP pings,
    /// ≥4 sends nacks, ≥5 accepts CRC headers.
    public var protocolMax: UInt8 { vsn.count > 1 ? vsn[1] : 0 }

    var isDeadOrLeft: Bool { state == .dead || state == .left }
}

/// A membership change, for the application (memberlist's EventDelegate, plus `suspect`).
public enum MemberEvent: Hashable, Sendable {
    /// A member became alive (new, or back from dead/left).
    case join(Member)
    /// An alive member changed its metadata.
    case update(Member)
    /// A member is suspected of having failed (not an event in memberlist; useful for logs).
    case suspect(Member)
    /// A suspected member is alive again: it refuted the suspicion with a higher incarnation
    /// (not an event in memberlist, which raises nothing then). The speaker's early takeover
    /// drops its presumption that the member is dead on it.
    case refuted(Member)
    /// A member was declared dead (failed).
    case dead(Member)
    /// A member left gracefully.
    case leave(Member)

    public var member: Member {
        switch self {
        case .join(let member), .update(let member), .suspect(let member), .refuted(let member), .dead(let member),
             .leave(let member): member
        }
    }

    /// "join", "update", "suspect", "refuted", "dead" or "leave".
    public var kind: String {
        switch self {
        case .join: "join"
        case .update: "update"
        case .suspect: "suspect"
        case .refuted: "refuted"
        case .dead: "dead"
        case .leave: "leave"
        }
    }
}
