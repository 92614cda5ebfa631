import Addressing
import Yams

extension NodeReader {
    /// Reads a pool's `addresses` list (both formats): every entry a CIDR or `START-END`,
    /// at least one entry. Each bad entry is its own error; good entries are kept with
    /// their field paths for the overlap check.
    func poolAddresses(_ node: Node?, _ path: String, _ session: inout ParseSession) -> (AddressPool, [String]) {
        guard let node else {
            session.fail(document, path, "addresses are required (at least one CIDR or START-END range)")
            return (AddressPool(), [])
        }
        guard let entries = strings(node, path, &session) else { return (AddressPool(), []) }
        if entries.isEmpty, sequence(node, path, &session)?.isEmpty == true {
            session.fail(document, path, "addresses must not be empty")
        }
        var ranges: [AddressRange] = []
        var paths: [String] = []
        for entry in entries {
            switch AddressRange.parse(poolEntry: entry.value) {
            case .success(let range):
                ranges.append(range)
                paths.append(entry.path)
            case .failure(let error):
                session.fail(document, entry.path, error.description)
            }
        }
        return (AddressPool(ranges), paths)
    }
}
