import Addressing
import ClusterModel
import Election

/// Renders elections as the `swiftlb status` table: one row per Service IP (IP, Service,
/// pool, owner, candidates in order), then one line per node saying why it does or does not
/// announce. Kept apart from the command so a live speaker's answers render the same way.
enum StatusTable {
    static func render(_ elections: [ServiceElection]) -> String {
        let header = ["IP", "SERVICE", "POOL", "OWNER", "CANDIDATES (in order)"]
        let rows = elections.map { election in
            [
                election.ingressIPs.isEmpty ? "-" : election.ingressIPs.map(\.description).joined(separator: ","),
                election.service.description,
                election.pool ?? "-",
                election.owner ?? "none (\(election.reason?.rawValue ?? "noCandidates"))",
                election.candidates.isEmpty ? "-" : election.candidates.map(\.node).joined(separator: " "),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        var output = line(header) + "\n"
        for (election, row) in zip(elections, rows) {
            output += line(row) + "\n"
            let nameWidth = election.verdicts.map(\.node.count).max() ?? 0
            for verdict in election.verdicts {
                let padded = verdict.node + String(repeating: " ", count: nameWidth - verdict.node.count)
                output += "    \(padded)  \(explanation(verdict, in: election))\n"
            }
        }
        return output
    }

    /// One node's verdict in words, with MetalLB's reason name first.
    static func explanation(_ verdict: NodeVerdict, in election: ServiceElection) -> String {
        guard let reason = verdict.reason else {
            return "owner: announces (first in SHA-256 order of \"node#\(election.ip.map { ElectionOrder.ipText($0) } ?? "")\")"
        }
        let detail: String
        switch reason {
        case .notOwner:
            let place = (election.candidates.firstIndex { $0.node == verdict.node } ?? 0) + 1
            detail = "candidate #\(place); \(election.owner ?? "another node") hashes first"
        case .notMember: detail = "speaker is not a live gossip member"
        case .unknownNode: detail = "no Node object of that name"
        case .networkUnavailable: detail = "Node condition NetworkUnavailable=True"
        case .excludedFromLoadBalancers: detail = "Node labelled node.kubernetes.io/exclude-from-external-load-balancers"
        case .announcingInterfaceDown: detail = "announcing interface is down"
        case .noMatchingAdvertisement: detail = "no applicable L2Advertisement selects this node"
        case .noLocalEndpoint: detail = "externalTrafficPolicy Local and no serving endpoint on this node"
        case .loadBalancerClassMismatch: detail = "Service has another loadBalancerClass"
        case .notLoadBalancer: detail = "Service is not of type LoadBalancer"
        case .noIPAllocated: detail = "Service has no IP yet"
        case .invalidIP: detail = "Service status holds an invalid IP"
        case .ipNotAllowed: detail = "IP lies in no configured pool"
        case .noEndpoints: detail = "Service has no serving endpoint"
        case .noApplicableAdvertisement: detail = "no L2Advertisement covers the pool and selects the Service"
        case .sharedIPWithServiceSelector: detail = "shared IP and an advertisement with serviceSelectors"
        case .noCandidates: detail = "no node qualifies"
        }
        return "\(reason.rawValue): \(detail)"
    }
}
