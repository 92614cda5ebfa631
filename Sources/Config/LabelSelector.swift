/// A Kubernetes label selector (`metav1.LabelSelector`): `matchLabels` and
/// `matchExpressions`, all of which must hold.
///
/// Semantics are those of `metav1.LabelSelectorAsSelector`: the empty selector matches
/// everything; `In` needs the label present with one of the values; `NotIn` matches when
/// the label is absent or has none of the values; `Exists` / `DoesNotExist` test presence.
/// The same type holds selector text (`labelSelector=` queries, `init(parsing:)`), whose
/// `Gt` / `Lt` requirements compare integers.
public struct LabelSelector: Hashable, Sendable {
    public var matchLabels: [String: String]
    public var matchExpressions: [LabelSelectorRequirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [LabelSelectorRequirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// The selector that matches every label set.
    public static let everything = LabelSelector()

    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        matchLabels.allSatisfy { labels[$0.key] == $0.value }
            && matchExpressions.allSatisfy { $0.matches(labels) }
    }
}

extension LabelSelector: CustomStringConvertible {
    /// The `kubectl` selector syntax: `a=b,c in (d,e),!f`; `<all>` for the empty selector.
    public var description: String {
        if isEmpty { return "<all>" }
        let labels = matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return (labels + matchExpressions.map(\.description)).joined(separator: ",")
    }
}

/// One `matchExpressions` entry.
public struct LabelSelectorRequirement: Hashable, Sendable {
    public enum Operator: String, Hashable, Sendable, CaseIterable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
        /// `key>n`: only in selector text (apimachinery `selection.GreaterThan`); a
        /// `metav1.LabelSelector` object may not use it.
        case greaterThan = "Gt"
        /// `key<n`: only in selector text (apimachinery `selection.LessThan`).
        case lessThan = "Lt"

        /// The operators a `metav1.LabelSelector` object may use (`LabelSelectorOperator`).
        static let objectOperators: [Operator] = [.in, .notIn, .exists, .doesNotExist]
    }

    public var key: String
    public var `operator`: Operator
    public var values: [String]

    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    public func matches(_ labels: [String: String]) -> Bool {
        switch `operator` {
        case .in:
            guard let value = labels[key] else { return false }
            return values.contains(value)
        case .notIn:
            guard let value = labels[key] else { return true }
            return !values.contains(value)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        case .greaterThan, .lessThan:
            // As apimachinery's Requirement.Matches: both sides must be base-10 int64s.
            guard let label = labels[key].flatMap({ Int64($0) }), values.count == 1, let bound = Int64(values[0])
            else { return false }
            return `operator` == .greaterThan ? label > bound : label < bound
        }
    }
}

extension LabelSelectorRequirement: CustomStringConvertible {
    public var description: String {
        switch `operator` {
        case .in: "\(key) in (\(values.joined(separator: ",")))"
        case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
        case .exists: key
        case .doesNotExist: "!\(key)"
        case .greaterThan: "\(key)>\(values.joined(separator: ","))"
        case .lessThan: "\(key)<\(values.joined(separator: ","))"
        }
    }
}
