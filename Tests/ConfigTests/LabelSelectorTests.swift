import Config
import Testing

/// Kubernetes `metav1.LabelSelector` semantics.
@Suite struct LabelSelectorTests {
    private let labels = ["app": "web", "tier": "front", "empty": ""]

    @Test func emptySelectorMatchesEverything() {
        #expect(LabelSelector().matches([:]))
        #expect(LabelSelector.everything.matches(labels))
    }

    @Test func matchLabelsNeedEveryPair() {
        #expect(LabelSelector(matchLabels: ["app": "web"]).matches(labels))
        #expect(LabelSelector(matchLabels: ["app": "web", "tier": "front"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["app": "web", "tier": "back"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["missing": ""]).matches(labels))
        #expect(LabelSelector(matchLabels: ["empty": ""]).matches(labels))
    }

    @Test(arguments: [
        (LabelSelectorRequirement.Operator.in, ["web", "api"], "app", true),
        (.in, ["api"], "app", false),
        (.in, ["web"], "missing", false),
        (.notIn, ["api"], "app", true),
        (.notIn, ["web"], "app", false),
        (.notIn, ["web"], "missing", true),
        (.exists, [], "app", true),
        (.exists, [], "empty", true),
        (.exists, [], "missing", false),
        (.doesNotExist, [], "missing", true),
        (.doesNotExist, [], "app", false),
    ])
    func expressions(op: LabelSelectorRequirement.Operator, values: [String], key: String, expected: Bool) {
        let selector = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)])
        #expect(selector.matches(labels) == expected)
    }

    @Test func labelsAndExpressionsAreAnded() {
        let selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .in, values: ["back"])])
        #expect(!selector.matches(labels))
        #expect(selector.matches(["app": "web", "tier": "back"]))
    }

    @Test func describesLikeKubectl() {
        let selector = LabelSelector(
            matchLabels: ["b": "2", "a": "1"],
            matchExpressions: [
                LabelSelectorRequirement(key: "zone", operator: .notIn, values: ["x", "y"]),
                LabelSelectorRequirement(key: "gpu", operator: .doesNotExist),
            ])
        #expect(selector.description == "a=1,b=2,zone notin (x,y),!gpu")
        #expect(LabelSelector().description == "<all>")
    }
}
