/// Why selector text does not parse. `description` reads like the API server's own message
/// after its "unable to parse requirement: " prefix, so KubeFake can answer with the same 400.
public struct LabelSelectorSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The clause at fault, or the whole text when it cannot be split into clauses.
    public var text: String
    public var reason: String

    public var description: String { "\(reason) (in \"\(text)\")" }
}

extension LabelSelector {
    /// Parses selector text, as in `labelSelector=` query parameters and `kubectl -l`
    /// (k8s.io/apimachinery/pkg/labels/selector.go `Parse`): comma-separated requirements, all
    /// of which must hold, each `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`,
    /// `key notin (a,b)`, `key>n` or `key<n`. Keys and values must have label syntax.
    ///
    /// Equalities become `matchLabels`, the rest `matchExpressions`, as
    /// `metav1.ParseToLabelSelector` does; `key!=v` is `NotIn [v]`, which has the same meaning
    /// (absent, or any other value). A second, different equality on one key becomes `In [v]`
    /// rather than overwriting the first, so `a=x,a=y` still matches nothing.
    ///
    /// - Parameter text: the selector; the empty text is the selector that matches everything.
    /// - Throws: `LabelSelectorSyntaxError` naming the clause and what is wrong with it.
    public init(parsing text: String) throws(LabelSelectorSyntaxError) {
        self.init()
        for clause in try Self.clauses(of: text) {
            switch try Self.requirement(parsing: clause) {
            case .equality(let key, let value):
                if let existing = matchLabels[key], existing != value {
                    matchExpressions.append(LabelSelectorRequirement(key: key, operator: .in, values: [value]))
                } else {
                    matchLabels[key] = value
                }
            case .expression(let requirement):
                matchExpressions.append(requirement)
            }
        }
    }

    private enum ParsedClause {
        case equality(key: String, value: String)
        case expression(LabelSelectorRequirement)
    }

    /// Splits on commas outside parentheses and trims spaces.
    private static func clauses(of text: String) throws(LabelSelectorSyntaxError) -> [String] {
        var clauses: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(":
                depth += 1
                guard depth == 1 else { throw LabelSelectorSyntaxError(text: text, reason: "unexpected '(' inside a value list") }
                current.append(character)
            case ")":
                depth -= 1
                guard depth == 0 else { throw LabelSelectorSyntaxError(text: text, reason: "unbalanced ')'") }
                current.append(character)
            case "," where depth == 0:
                clauses.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        guard depth == 0 else { throw LabelSelectorSyntaxError(text: text, reason: "unclosed '('") }
        clauses.append(current)
        let trimmed = clauses.map { trimmingSpaces($0[...]) }
        if trimmed == [""] { return [] }
        if trimmed.contains("") { throw LabelSelectorSyntaxError(text: text, reason: "found ',', expected: identifier") }
        return trimmed
    }

    private static func requirement(parsing clause: String) throws(LabelSelectorSyntaxError) -> ParsedClause {
        if clause.hasPrefix("!") {
            let key = trimmingSpaces(clause.dropFirst())
            try checkKey(key, clause)
            return .expression(LabelSelectorRequirement(key: key, operator: .doesNotExist))
        }
        let words = clause.split(separator: " ", maxSplits: 2)
        if words.count >= 2,
            words[1] == "in" || words[1] == "notin" || words[1].hasPrefix("in(") || words[1].hasPrefix("notin(")
        {
            return .expression(try setRequirement(parsing: clause))
        }
        // `==` before `=`, and `!=` before `=`, so the longer token wins.
        let tokens: [(String, LabelSelectorRequirement.Operator?)] = [
            ("==", nil), ("!=", .notIn), ("=", nil), (">", .greaterThan), ("<", .lessThan),
        ]
        for (token, op) in tokens {
            guard let range = clause.firstRange(of: token) else { continue }
            let key = trimmingSpaces(clause[..<range.lowerBound])
            let value = trimmingSpaces(clause[range.upperBound...])
            try checkKey(key, clause)
            guard let op else {
                try checkValue(value, clause)
                return .equality(key: key, value: value)
            }
            if op == .greaterThan || op == .lessThan {
                guard Int64(value) != nil else {
                    throw LabelSelectorSyntaxError(text: clause, reason: "for 'Gt', 'Lt' operators, the value must be an integer")
                }
            } else {
                try checkValue(value, clause)
            }
            return .expression(LabelSelectorRequirement(key: key, operator: op, values: [value]))
        }
        try checkKey(clause, clause)
        return .expression(LabelSelectorRequirement(key: clause, operator: .exists))
    }

    /// `key in (a,b)` or `key notin (a,b)`. `in ()` is rejected; `notin ()` excludes the empty value.
    private static func setRequirement(parsing clause: String) throws(LabelSelectorSyntaxError) -> LabelSelectorRequirement {
        guard let open = clause.firstIndex(of: "("), clause.hasSuffix(")") else {
            throw LabelSelectorSyntaxError(text: clause, reason: "found '\(clause)', expected: '('")
        }
        let head = clause[..<open].split(separator: " ")
        guard head.count == 2 else {
            throw LabelSelectorSyntaxError(text: clause, reason: "expected: key in|notin (values)")
        }
        let key = String(head[0])
        try checkKey(key, clause)
        let op: LabelSelectorRequirement.Operator = head[1] == "in" ? .in : .notIn
        let inner = clause[clause.index(after: open)..<clause.index(before: clause.endIndex)]
        let values = inner.split(separator: ",", omittingEmptySubsequences: false).map { trimmingSpaces($0) }
        if op == .in, values == [""] {
            throw LabelSelectorSyntaxError(text: clause, reason: "for 'in', 'notin' operators, values set can't be empty")
        }
        for value in values { try checkValue(value, clause) }
        return LabelSelectorRequirement(key: key, operator: op, values: values)
    }

    private static func checkKey(_ key: String, _ clause: String) throws(LabelSelectorSyntaxError) {
        if let problem = LabelSyntax.keyProblem(key) { throw LabelSelectorSyntaxError(text: clause, reason: problem) }
    }

    private static func checkValue(_ value: String, _ clause: String) throws(LabelSelectorSyntaxError) {
        if let problem = LabelSyntax.valueProblem(value) { throw LabelSelectorSyntaxError(text: clause, reason: problem) }
    }

    private static func trimmingSpaces(_ text: Substring) -> String {
        var view = text
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}
