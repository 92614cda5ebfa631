import Election

/// One node's verdict in an election, in words, with MetalLB's reason name first: shared by
/// the offline `swiftlb status` table and a running speaker's `/status`.
public enum VerdictExplanation {
    public static func explain(_ verdict: NodeVerdict, in election: ServiceElection) -> String {
        guard let reason = verdict.reason else {
            return "owner: announces (first in SHA-256 order of \"node#\(election.ip.map { ElectionOrder.ipText($0) } ?? "")\")"
        }
        return "\(reason.rawValue): \(detail(reason, node: verdict.node, in: election))"
    }

    public static func detail(_ reason: WithdrawReason, node: String, in election: ServiceElection) -> String {
        switch reason {
        case .notOwner:
            let place = (election.candidates.firstIndex { $0.node == node } ?? 0) + 1
            return "candidate #\(place); \(election.owner ?? "another node") hashes first"
        case .notMember: return "speaker is not a live gossip member"
        case .unknownNode: return "no Node object of that name"
        case .networkUnavailable: return "Node condition NetworkUnavailable=True"
        case .excludedFromLoadBalancers: return "Node labelled node.kubernetes.io/exclude-from-external-load-balancers"
        case .announcingInterfaceDown: return "announcing interface is down"
        case .noMatchingAdvertisement: return "no applicable L2Advertisement selects this node"
        case .noLocalEndpoint: return "externalTrafficPolicy Local and no serving endpoint on this node"
        case .loadBalancerClassMismatch: return "Service has another loadBalancerClass"
        case .notLoadBalancer: return "Service is not of type LoadBalancer"
        case .noIPAllocated: return "Service has no IP yet"
        case .invalidIP: return "Service status holds an invalid IP"
        case .ipNotAllowed: return "IP lies in no configured pool"
        case .noEndpoints: return "Service has no serving endpoint"
        case .noApplicableAdvertisement: return "no L2Advertisement covers the pool and selects the Service"
        case .sharedIPWithServiceSelector: return "shared IP and an advertisement with serviceSelectors"
        case .noCandidates: return "no node qualifies"
        }
    }
}
