import Foundation

/// A running speaker's view of every Service IP, served as JSON on `/status` and printed by
/// `swiftlb status --speaker URL`: the owner, the candidates in election order, and whether
/// this node answers for the IP and, if not, why.
public struct SpeakerStatusReport: Codable, Sendable, Equatable {
    /// The node this speaker runs on.
    public var node: String
    /// Whether the informers have listed once (before that nothing is announced).
    public var synced: Bool
    /// Alive and suspect gossip members, sorted; nil when memberlist is disabled.
    public var members: [String]?
    /// One entry per (IP, Service), sorted by IP then Service; a Service without an IP
    /// has one entry with `ip` nil.
    public var addresses: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        public var ip: String?
        /// `namespace/name`.
        public var service: String
        public var pool: String?
        public var owner: String?
        /// Candidates in election order, owner first.
        public var candidates: [String]
        /// Whether this node answers ARP/NDP for the IP now.
        public var announcedHere: Bool
        /// Why not: MetalLB's reason name (`notOwner`, `noLocalEndpoint`, …); nil when announced.
        public var reason: String?
        /// Why not, in short words ("not elected", "no local endpoint", "interface down",
        /// "not in L2Advertisement node selector", …).
        public var why: String?
        /// Why not, in a sentence.
        public var detail: String?
        /// The interfaces answered on when announced here; nil = every usable one.
        public var interfaces: [String]?

        public init(
            ip: String?, service: String, pool: String?, owner: String?, candidates: [String], announcedHere: Bool,
            reason: String? = nil, why: String? = nil, detail: String? = nil, interfaces: [String]? = nil
        ) {
            self.ip = ip
            self.service = service
            self.pool = pool
            self.owner = owner
            self.candidates = candidates
            self.announcedHere = announcedHere
            self.reason = reason
            self.why = why
            self.detail = detail
            self.interfaces = interfaces
        }
    }

    public init(node: String, synced: Bool, members: [String]?, addresses: [Entry]) {
        self.node = node
        self.synced = synced
        self.members = members
        self.addresses = addresses
    }

    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }

    public static func decode(_ bytes: [UInt8]) throws -> SpeakerStatusReport {
        try JSONDecoder().decode(SpeakerStatusReport.self, from: Data(bytes))
    }

    /// The table `swiftlb status --speaker` prints: one row per entry.
    public func table() -> String {
        let header = ["IP", "SERVICE", "POOL", "OWNER", "CANDIDATES (in order)", "ON \(node)"]
        let rows = addresses.map { entry in
            [
                entry.ip ?? "-", entry.service, entry.pool ?? "-", entry.owner ?? "none",
                entry.candidates.isEmpty ? "-" : entry.candidates.joined(separator: " "),
                entry.announcedHere
                    ? "announces" + (entry.interfaces.map { " on \($0.joined(separator: ","))" } ?? "")
                    : "no: \(entry.why ?? entry.reason ?? "unknown")" + (entry.detail.map { " (\($0))" } ?? ""),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        var output = "node \(node), \(synced ? "synced" : "not synced yet")"
        if let members { output += ", gossip members: \(members.isEmpty ? "none" : members.joined(separator: " "))" }
        output += "\n" + line(header) + "\n"
        for row in rows { output += line(row) + "\n" }
        return output
    }

    /// Short words for a reason this node does not announce.
    public static func why(_ reason: String) -> String {
        switch reason {
        case "notOwner": "not elected"
        case "noLocalEndpoint": "no local endpoint"
        case "announcingInterfaceDown": "interface down"
        case "noMatchingAdvertisement": "not in L2Advertisement node selector"
        case "notMember": "not a gossip member"
        case "unknownNode": "no Node object"
        case "networkUnavailable": "node network unavailable"
        case "excludedFromLoadBalancers": "node excluded from load balancers"
        case "noEndpoints": "no serving endpoint"
        case "noIPAllocated": "no IP allocated"
        case "noApplicableAdvertisement": "no L2Advertisement"
        default: reason
        }
    }
}
