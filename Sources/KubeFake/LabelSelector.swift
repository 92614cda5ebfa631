import Foundation

/// A parsed `labelSelector` query parameter, with the grammar of
/// k8s.io/apimachinery/pkg/labels/selector.go: comma-separated requirements, each
/// `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>n`, `key<n`.
public struct LabelSelector: Sendable, Equatable {
    public enum Operator: Sendable, Equatable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan
    }

    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]

        func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals, .in: return value.map(values.contains) ?? false
            case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .greaterThan, .lessThan:
                guard let value, let actual = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else {
                    return false
                }
                return op == .greaterThan ? actual > bound : actual < bound
            }
        }
    }

    public var requirements: [Requirement]

    public static let everything = LabelSelector(requirements: [])

    public init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses selector text; an error message starts like the real server's
    /// ("unable to parse requirement: …") and is returned to the client in a 400 `Status`.
    public init(parsing text: String) throws(APIError) {
        var requirements: [Requirement] = []
        for clause in try Self.splitClauses(text) {
            requirements.append(try Self.parseRequirement(clause))
        }
        self.requirements = requirements
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    // MARK: Parsing

    /// Splits on commas outside parentheses.
    static func splitClauses(_ text: String) throws(APIError) -> [String] {
        var clauses: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(":
                depth += 1
                guard depth == 1 else { throw Self.error(text, "unexpected '(' inside a value list") }
                current.append(character)
            case ")":
                depth -= 1
                guard depth == 0 else { throw Self.error(text, "unbalanced ')'") }
                current.append(character)
            case "," where depth == 0:
                clauses.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        guard depth == 0 else { throw Self.error(text, "unclosed '('") }
        clauses.append(current)
        let trimmed = clauses.map { $0.trimmingSpaces }
        if trimmed == [""] { return [] }
        if trimmed.contains("") { throw Self.error(text, "found ',', expected: identifier") }
        return trimmed
    }

    static func parseRequirement(_ clause: String) throws(APIError) -> Requirement {
        if clause.hasPrefix("!") {
            let key = String(clause.dropFirst()).trimmingSpaces
            try validateKey(key, clause)
            return Requirement(key: key, op: .doesNotExist, values: [])
        }
        // Set-based: `key in (…)` / `key notin (…)`.
        let words = clause.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        if words.count >= 2, words[1] == "in" || words[1] == "notin" || words[1].hasPrefix("in(")
            || words[1].hasPrefix("notin(")
        {
            return try parseSet(clause)
        }
        for (token, op) in [("==", Operator.equals), ("!=", .notEquals), ("=", .equals), (">", .greaterThan),
                            ("<", .lessThan)] {
            if let range = clause.range(of: token) {
                let key = String(clause[..<range.lowerBound]).trimmingSpaces
                let value = String(clause[range.upperBound...]).trimmingSpaces
                try validateKey(key, clause)
                if op == .greaterThan || op == .lessThan {
                    guard Int64(value) != nil else {
                        throw error(clause, "for 'Gt', 'Lt' operators, the value must be an integer")
                    }
                } else {
                    try validateValue(value, clause)
                }
                return Requirement(key: key, op: op, values: [value])
            }
        }
        try validateKey(clause, clause)
        return Requirement(key: clause, op: .exists, values: [])
    }

    static func parseSet(_ clause: String) throws(APIError) -> Requirement {
        guard let open = clause.firstIndex(of: "("), clause.hasSuffix(")") else {
            throw error(clause, "found '\(clause)', expected: '('")
        }
        let head = clause[..<open].split(separator: " ").map(String.init)
        guard head.count == 2 else { throw error(clause, "expected: key in|notin (values)") }
        let key = head[0]
        try validateKey(key, clause)
        let op: Operator = head[1] == "in" ? .in : .notIn
        let inner = clause[clause.index(after: open)..<clause.index(before: clause.endIndex)]
        let values = inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        if op == .in, values == [""] { throw error(clause, "for 'in', 'notin' operators, values set can't be empty") }
        for value in values { try validateValue(value, clause) }
        return Requirement(key: key, op: op, values: values)
    }

    /// Keys are qualified names: optional DNS-subdomain prefix and `/`, then 1–63 characters of
    /// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric (validation.IsQualifiedName).
    static func validateKey(_ key: String, _ clause: String) throws(APIError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, isLabelToken(Substring(name), allowEmpty: false) else {
            throw error(clause, "invalid label key \"\(key)\": name part must consist of alphanumeric characters, "
                        + "'-', '_' or '.', and must start and end with an alphanumeric character")
        }
        if parts.count == 2 {
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.count <= 253,
                  prefix.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") })
            else { throw error(clause, "invalid label key \"\(key)\": prefix part must be a DNS subdomain") }
        }
    }

    static func validateValue(_ value: String, _ clause: String) throws(APIError) {
        guard isLabelToken(Substring(value), allowEmpty: true) else {
            throw error(clause, "invalid label value: \"\(value)\": a valid label must be an empty string or consist "
                        + "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    static func isLabelToken(_ token: Substring, allowEmpty: Bool) -> Bool {
        if token.isEmpty { return allowEmpty }
        guard token.count <= 63, let first = token.first, let last = token.last,
              first.isASCII, last.isASCII, first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { return false }
        return token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    static func error(_ clause: String, _ why: String) -> APIError {
        .badRequest("unable to parse requirement: \(why) (in \"\(clause)\")")
    }
}

/// A parsed `fieldSelector`: `field=value`, `field==value`, `field!=value`, comma-separated
/// (k8s.io/apimachinery/pkg/fields/selector.go). Which fields may be used depends on the
/// resource, as in each registry's GetAttrs / field label conversion; others are rejected.
public struct FieldSelector: Sendable, Equatable {
    public struct Requirement: Sendable, Equatable {
        public var field: String
        public var equals: Bool
        public var value: String
    }

    public var requirements: [Requirement]

    public static let everything = FieldSelector(requirements: [])

    public init(requirements: [Requirement]) { self.requirements = requirements }

    public init(parsing text: String, for type: ResourceType) throws(APIError) {
        var requirements: [Requirement] = []
        for clause in text.split(separator: ",", omittingEmptySubsequences: true) {
            let clause = String(clause).trimmingSpaces
            let requirement: Requirement
            if let range = clause.range(of: "!=") {
                requirement = Requirement(field: String(clause[..<range.lowerBound]), equals: false,
                                          value: String(clause[range.upperBound...]))
            } else if let range = clause.range(of: "==") {
                requirement = Requirement(field: String(clause[..<range.lowerBound]), equals: true,
                                          value: String(clause[range.upperBound...]))
            } else if let range = clause.range(of: "=") {
                requirement = Requirement(field: String(clause[..<range.lowerBound]), equals: true,
                                          value: String(clause[range.upperBound...]))
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(clause)'")
            }
            guard Self.supportedFields(for: type).contains(requirement.field) else {
                throw APIError.badRequest("field label not supported: \(requirement.field)")
            }
            var stored = requirement
            stored.field = EventConversion.storageField(requirement.field, type)
            requirements.append(stored)
        }
        self.requirements = requirements
    }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let path = requirement.field.split(separator: ".").map(String.init)
            let actual: String
            switch object[path: path] {
            case .string(let s): actual = s
            case .bool(let b): actual = b ? "true" : "false"
            case .int(let i): actual = String(i)
            default: actual = ""
            }
            return (actual == requirement.value) == requirement.equals
        }
    }

    /// The field labels each resource supports (pkg/registry/*/strategy.go ToSelectableFields).
    public static func supportedFields(for type: ResourceType) -> Set<String> {
        var fields: Set<String> = ["metadata.name"]
        if type.namespaced { fields.insert("metadata.namespace") }
        switch (type.group, type.plural) {
        case ("", "pods"):
            fields.formUnion(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                              "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"])
        case ("", "nodes"): fields.insert("spec.unschedulable")
        case ("", "secrets"): fields.insert("type")
        case ("", "namespaces"): fields.insert("status.phase")
        case ("", "services"): fields.formUnion(["spec.clusterIP", "spec.type"])
        case ("", "events"):
            fields.formUnion(["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                              "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                              "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"])
        case ("events.k8s.io", "events"):
            fields.formUnion(["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
                              "reason", "reportingController", "type"])
        default: break
        }
        return fields
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}
