import Yams

/// Typed reads from a Yams node tree that record an error instead of throwing, so one bad
/// field never hides the next. A missing key reads as nil without an error; callers decide
/// what is required.
struct NodeReader {
    let document: ConfigDocument

    /// The value under `key` of a mapping, treating an explicit `null` as absent.
    static func value(_ mapping: Node.Mapping, _ key: String) -> Node? {
        guard let node = mapping.reversed().first(where: { $0.key.scalar?.string == key })?.value else {
            return nil
        }
        return node.isNull ? nil : node
    }

    func mapping(_ node: Node?, _ path: String, _ session: inout ParseSession) -> Node.Mapping? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            session.fail(document, path, "expected a mapping, found \(node.shape)")
            return nil
        }
        return mapping
    }

    func sequence(_ node: Node?, _ path: String, _ session: inout ParseSession) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            session.fail(document, path, "expected a list, found \(node.shape)")
            return nil
        }
        return Array(sequence)
    }

    /// Any scalar reads as its text (YAML `name: 123` is the string "123", as yaml.v2 and
    /// sigs.k8s.io/yaml decode it into a string field).
    func string(_ node: Node?, _ path: String, _ session: inout ParseSession) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            session.fail(document, path, "expected a string, found \(node.shape)")
            return nil
        }
        return scalar.string
    }

    func bool(_ node: Node?, _ path: String, _ session: inout ParseSession) -> Bool? {
        guard let node else { return nil }
        guard node.tag == Tag(.bool), let value = node.bool else {
            session.fail(document, path, "expected true or false, found \(node.shape)")
            return nil
        }
        return value
    }

    func int(_ node: Node?, _ path: String, _ session: inout ParseSession) -> Int? {
        guard let node else { return nil }
        guard node.tag == Tag(.int), let value = node.int else {
            session.fail(document, path, "expected an integer, found \(node.shape)")
            return nil
        }
        return value
    }

    /// A list of strings; each bad entry is its own error and is left out.
    func strings(_ node: Node?, _ path: String, _ session: inout ParseSession) -> [(value: String, path: String)]? {
        guard let items = sequence(node, path, &session) else { return nil }
        var result: [(value: String, path: String)] = []
        for (index, item) in items.enumerated() {
            let itemPath = path.element(index)
            if item.isNull {
                session.fail(document, itemPath, "expected a string, found null")
            } else if let value = string(item, itemPath, &session) {
                result.append((value, itemPath))
            }
        }
        return result
    }

    /// A `string: string` map such as `metadata.labels` or `matchLabels`.
    func stringMap(_ node: Node?, _ path: String, _ session: inout ParseSession) -> [String: String]? {
        guard let mapping = mapping(node, path, &session) else { return nil }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = string(keyNode, path, &session) else { continue }
            let valuePath = path.field(key)
            if valueNode.isNull {
                result[key] = ""
            } else if let value = string(valueNode, valuePath, &session) {
                result[key] = value
            }
        }
        return result
    }

    /// Notes keys that SwiftLB does not read, so a typo (`autoassign`) is visible.
    func noteUnknownKeys(_ mapping: Node.Mapping, known: Set<String>, _ path: String, _ session: inout ParseSession) {
        for key in mapping.keys {
            guard let name = key.scalar?.string, !known.contains(name) else { continue }
            session.note(document, path.field(name), "unknown field, ignored")
        }
    }
}

extension Node {
    var isNull: Bool {
        guard case .scalar = self else { return false }
        return tag == Tag(.null)
    }

    /// What a node is, for error messages: `a list`, `a mapping`, `"abc"`.
    var shape: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            isNull ? "null" : "\"\(scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string)\""
        }
    }
}
