import Addressing
import ClusterModel
import Election
import Speaker

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
        VerdictExplanation.explain(verdict, in: election)
    }
}
