import Addressing
import ClusterModel

/// The outcome of one Service's election with its full reasoning: who owns the IP, the
/// candidates in MetalLB's order, and for every known node why it does or does not announce.
public struct ServiceElection: Hashable, Sendable {
    public var service: ServiceKey
    /// The hashed IP (the first ingress IP); nil when the Service has none.
    public var ip: IPAddress?
    /// All ingress IPs (both families of a dual-stack Service).
    public var ingressIPs: [IPAddress]
    public var pool: String?
    /// The announcing node; nil when nobody announces.
    public var owner: String?
    /// Why nobody announces, when `owner` is nil.
    public var reason: WithdrawReason?
    /// Candidates in order, owner first.
    public var candidates: [RankedCandidate]
    /// Every known node: candidates in order first, then the others by name.
    public var verdicts: [NodeVerdict]

    public init(
        service: ServiceKey, ip: IPAddress?, ingressIPs: [IPAddress], pool: String?, owner: String?,
        reason: WithdrawReason?, candidates: [RankedCandidate], verdicts: [NodeVerdict]
    ) {
        self.service = service
        self.ip = ip
        self.ingressIPs = ingressIPs
        self.pool = pool
        self.owner = owner
        self.reason = reason
        self.candidates = candidates
        self.verdicts = verdicts
    }
}

/// A candidate and its rank for the Service's IP.
public struct RankedCandidate: Hashable, Sendable {
    public var node: String
    public var rank: ElectionRank

    public init(node: String, rank: ElectionRank) {
        self.node = node
        self.rank = rank
    }
}

/// Whether a node announces a Service's IP, and if not, why.
public struct NodeVerdict: Hashable, Sendable {
    public var node: String
    /// nil when the node announces (it is the owner).
    public var reason: WithdrawReason?

    public init(node: String, reason: WithdrawReason?) {
        self.node = node
        self.reason = reason
    }

    public var announces: Bool { reason == nil }
}

/// An owner change for one Service, as the incremental election reports it.
public struct OwnerChange: Hashable, Sendable, CustomStringConvertible {
    public var service: ServiceKey
    public var previousOwner: String?
    public var owner: String?

    public init(service: ServiceKey, previousOwner: String?, owner: String?) {
        self.service = service
        self.previousOwner = previousOwner
        self.owner = owner
    }

    public var description: String {
        "\(service): \(previousOwner ?? "-") -> \(owner ?? "-")"
    }
}
