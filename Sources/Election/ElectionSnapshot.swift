import Addressing
import ClusterModel
import Config

/// Everything the election reads, at one moment, for one-shot answers: `swiftlb status`,
/// explanations, and the reference the incremental `OwnerElection` is tested against.
///
/// It evaluates one Service the way each MetalLB speaker does, but for every node at once:
/// Service-wide checks, then per-node candidacy, then the SHA-256 order.
public struct ElectionSnapshot: Hashable, Sendable {
    public var configuration: Configuration
    public var options: ElectionOptions
    /// Node objects by name.
    public var nodes: [String: ClusterNode]
    /// Live gossip members by name.
    public var members: [String: SpeakerMember]

    public init(
        configuration: Configuration,
        options: ElectionOptions = ElectionOptions(),
        nodes: [ClusterNode],
        members: [SpeakerMember]
    ) {
        self.configuration = configuration
        self.options = options
        self.nodes = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.members = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Elects the owner of `service`'s IP and explains every node's verdict.
    public func elect(_ service: LoadBalancerService, endpoints: [ServiceEndpoint]) -> ServiceElection {
        let known = Set(nodes.keys).union(members.keys).sorted()
        let ingress = service.parsedIngressIPs ?? []
        let terms = ElectionRules.terms(
            service: service, endpoints: endpoints, configuration: configuration, options: options)
        let contest: ElectionRules.Contest
        switch terms {
        case .contest(let terms):
            contest = terms
        case .withdrawn(let reason):
            return ServiceElection(
                service: service.key, ip: ingress.first, ingressIPs: ingress,
                pool: ingress.first.flatMap { configuration.pool(containing: $0)?.name },
                owner: nil, reason: reason, candidates: [],
                verdicts: known.map { NodeVerdict(node: $0, reason: reason) })
        }
        var candidates: [RankedCandidate] = []
        var excluded: [NodeVerdict] = []
        for name in known {
            if let reason = exclusion(of: name, in: contest) {
                excluded.append(NodeVerdict(node: name, reason: reason))
            } else {
                candidates.append(RankedCandidate(node: name, rank: ElectionOrder.rank(node: name, ip: contest.ip)))
            }
        }
        candidates.sort { $0.rank < $1.rank }
        let owner = candidates.first?.node
        let verdicts = candidates.map { NodeVerdict(node: $0.node, reason: $0.node == owner ? nil : .notOwner) } + excluded
        return ServiceElection(
            service: service.key, ip: contest.ip, ingressIPs: ingress, pool: contest.pool, owner: owner,
            reason: owner == nil ? .noCandidates : nil, candidates: candidates, verdicts: verdicts)
    }

    private func exclusion(of name: String, in contest: ElectionRules.Contest) -> WithdrawReason? {
        let node = nodes[name]
        if let reason = ElectionRules.baseExclusion(node: node, member: members[name], options: options) {
            return reason
        }
        guard ElectionRules.advertised(labels: node?.labels ?? [:], by: contest.advertisements, in: configuration)
        else { return .noMatchingAdvertisement }
        if let local = contest.localNodes, !local.contains(name) { return .noLocalEndpoint }
        return nil
    }
}
