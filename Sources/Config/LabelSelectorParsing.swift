import Yams

/// Reads `metav1.LabelSelector` objects and enforces the API server's rules for them
/// (`ValidateLabelSelector`): a known operator, values for `In`/`NotIn`, none for
/// `Exists`/`DoesNotExist`, keys and values in label syntax (`LabelSyntax`).
extension NodeReader {
    func selector(_ node: Node?, _ path: String, _ session: inout ParseSession) -> LabelSelector? {
        guard let mapping = mapping(node, path, &session) else { return nil }
        let errorsBefore = session.errors.count
        var selector = LabelSelector()
        let labelsPath = path.field("matchLabels")
        if let labels = stringMap(NodeReader.value(mapping, "matchLabels"), labelsPath, &session) {
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                if let problem = LabelSyntax.keyProblem(key) {
                    session.fail(document, labelsPath, problem)
                } else if let problem = LabelSyntax.valueProblem(value) {
                    session.fail(document, labelsPath.field(key), problem)
                }
            }
            selector.matchLabels = labels
        }
        let expressionsPath = path.field("matchExpressions")
        for (index, item) in (sequence(NodeReader.value(mapping, "matchExpressions"), expressionsPath, &session) ?? []).enumerated() {
            if let requirement = requirement(item, expressionsPath.element(index), &session) {
                selector.matchExpressions.append(requirement)
            }
        }
        noteUnknownKeys(mapping, known: ["matchLabels", "matchExpressions"], path, &session)
        return session.errors.count == errorsBefore ? selector : nil
    }

    /// A list of selectors; duplicates are rejected as MetalLB's webhook does.
    func selectors(_ node: Node?, _ path: String, _ session: inout ParseSession) -> [LabelSelector] {
        var result: [LabelSelector] = []
        for (index, item) in (sequence(node, path, &session) ?? []).enumerated() {
            let itemPath = path.element(index)
            guard let selector = selector(item, itemPath, &session) else { continue }
            if result.contains(selector) {
                session.fail(document, itemPath, "duplicate selector \(selector)")
            } else {
                result.append(selector)
            }
        }
        return result
    }

    private func requirement(_ node: Node, _ path: String, _ session: inout ParseSession) -> LabelSelectorRequirement? {
        guard let mapping = mapping(node, path, &session) else { return nil }
        let errorsBefore = session.errors.count
        let key = string(NodeReader.value(mapping, "key"), path.field("key"), &session) ?? ""
        if key.isEmpty {
            session.fail(document, path.field("key"), "key is required")
        } else if let problem = LabelSyntax.keyProblem(key) {
            session.fail(document, path.field("key"), problem)
        }
        let operatorPath = path.field("operator")
        var parsedOperator: LabelSelectorRequirement.Operator?
        if let text = string(NodeReader.value(mapping, "operator"), operatorPath, &session) {
            parsedOperator = LabelSelectorRequirement.Operator(rawValue: text)
                .flatMap { LabelSelectorRequirement.Operator.objectOperators.contains($0) ? $0 : nil }
            if parsedOperator == nil {
                session.fail(document, operatorPath, "unknown operator \"\(text)\" (expected In, NotIn, Exists or DoesNotExist)")
            }
        } else if NodeReader.value(mapping, "operator") == nil {
            session.fail(document, operatorPath, "operator is required")
        }
        let valuesPath = path.field("values")
        let entries = strings(NodeReader.value(mapping, "values"), valuesPath, &session) ?? []
        for entry in entries {
            if let problem = LabelSyntax.valueProblem(entry.value) { session.fail(document, entry.path, problem) }
        }
        let values = entries.map(\.value)
        if let parsedOperator {
            switch parsedOperator {
            case .in, .notIn:
                if values.isEmpty {
                    session.fail(document, valuesPath, "\(parsedOperator.rawValue) needs at least one value")
                }
            case .exists, .doesNotExist:
                if !values.isEmpty {
                    session.fail(document, valuesPath, "\(parsedOperator.rawValue) takes no values")
                }
            case .greaterThan, .lessThan:
                break  // not object operators: rejected above
            }
        }
        noteUnknownKeys(mapping, known: ["key", "operator", "values"], path, &session)
        guard let parsedOperator, session.errors.count == errorsBefore else { return nil }
        return LabelSelectorRequirement(key: key, operator: parsedOperator, values: values)
    }
}
