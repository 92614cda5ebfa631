import Addressing
import Config

/// The human summary `swiftlb config validate` prints for a valid configuration.
enum ConfigSummary {
    static func render(_ configuration: Configuration, fileCount: Int) -> String {
        let pools = configuration.pools
        let advertisements = configuration.l2Advertisements
        var out = "valid configuration (\(fileCount) file\(fileCount == 1 ? "" : "s")): "
        out += "\(pools.count) pool\(pools.count == 1 ? "" : "s"), "
        out += "\(advertisements.count) L2 advertisement\(advertisements.count == 1 ? "" : "s")\n"
        if !pools.isEmpty { out += "pools:\n" }
        for pool in pools {
            let families = pool.addresses.sortedFamilies.map(\.rawValue).joined(separator: "+")
            let sizes = pool.addresses.sortedFamilies.map { family in
                "\(family.rawValue) \(pool.addresses.count(family: family, avoidingBuggyIPs: pool.avoidBuggyIPs))"
            }.joined(separator: ", ")
            out += "  \(pool.name): \(families), \(sizes) address(es)"
            out += pool.autoAssign ? ", auto-assign" : ", on request only (autoAssign: false)"
            if pool.avoidBuggyIPs { out += ", avoiding .0/.255" }
            out += "\n    addresses: \(pool.addresses)\n"
            if let allocation = pool.serviceAllocation {
                var parts = ["priority \(allocation.priority)"]
                if !allocation.namespaces.isEmpty { parts.append("namespaces \(allocation.namespaces.joined(separator: ","))") }
                if !allocation.namespaceSelectors.isEmpty { parts.append("namespace selectors \(list(allocation.namespaceSelectors))") }
                if !allocation.serviceSelectors.isEmpty { parts.append("service selectors \(list(allocation.serviceSelectors))") }
                out += "    service allocation: \(parts.joined(separator: "; "))\n"
            }
            let announcedBy = configuration.advertisements(for: pool).map(\.name)
            out += "    announced by: \(announcedBy.isEmpty ? "none (never announced)" : announcedBy.joined(separator: ", "))\n"
        }
        if !advertisements.isEmpty { out += "L2 advertisements:\n" }
        for advertisement in advertisements {
            let covered = pools.filter { advertisement.applies(to: $0) }.map(\.name)
            out += "  \(advertisement.name)\(advertisement.implied ? " (implied by legacy layer2 pool)" : ""): "
            out += "pools \(covered.isEmpty ? "none" : covered.joined(separator: ", "))"
            if advertisement.coversAllPools && !advertisement.implied { out += " (all pools)" }
            out += "\n    nodes: \(advertisement.nodeSelectors.isEmpty ? "all" : list(advertisement.nodeSelectors))"
            out += "; interfaces: \(advertisement.interfaces.isEmpty ? "all" : advertisement.interfaces.joined(separator: ", "))"
            if !advertisement.serviceSelectors.isEmpty { out += "; services: \(list(advertisement.serviceSelectors))" }
            out += "\n"
        }
        return out
    }

    private static func list(_ selectors: [LabelSelector]) -> String {
        selectors.map { "{\($0)}" }.joined(separator: " or ")
    }
}
