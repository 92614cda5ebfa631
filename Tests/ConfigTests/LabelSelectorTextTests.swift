import Config
import Testing

/// Selector text (`labelSelector=` queries, `kubectl -l`) read into `LabelSelector`.
@Suite struct LabelSelectorTextTests {
    @Test func equalitiesBecomeMatchLabelsAndTheRestExpressions() throws {
        let selector = try LabelSelector(parsing: "app=web, tier==front,zone!=x,gpu in (a, b),!spot,ssd,rank>2")
        #expect(selector.matchLabels == ["app": "web", "tier": "front"])
        #expect(selector.matchExpressions == [
            LabelSelectorRequirement(key: "zone", operator: .notIn, values: ["x"]),
            LabelSelectorRequirement(key: "gpu", operator: .in, values: ["a", "b"]),
            LabelSelectorRequirement(key: "spot", operator: .doesNotExist),
            LabelSelectorRequirement(key: "ssd", operator: .exists),
            LabelSelectorRequirement(key: "rank", operator: .greaterThan, values: ["2"]),
        ])
        #expect(try LabelSelector(parsing: "") == .everything)
    }

    @Test func twoValuesForOneKeyMatchNothing() throws {
        let selector = try LabelSelector(parsing: "app=x,app=y")
        #expect(!selector.matches(["app": "x"]))
        #expect(!selector.matches(["app": "y"]))
        #expect(try LabelSelector(parsing: "app=x,app=x").matches(["app": "x"]))
    }

    @Test(arguments: [
        ("rank>2", ["rank": "3"], true), ("rank>2", ["rank": "2"], false), ("rank<2", ["rank": "-1"], true),
        ("rank>2", ["rank": "three"], false), ("rank<2", [:], false),
    ])
    func integerComparisons(text: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelSelector(parsing: text).matches(labels) == expected)
    }

    @Test(arguments: ["a=1,b=2,zone notin (x,y),!gpu", "kubernetes.io/os=linux,rank<5", "app in (web),tier"])
    func descriptionParsesBack(text: String) throws {
        let selector = try LabelSelector(parsing: text)
        #expect(selector.description == text)
        #expect(try LabelSelector(parsing: selector.description) == selector)
    }

    @Test(arguments: [
        ("app in (web", "app in (web"), ("a,,b", "a,,b"), ("bad key=1", "bad key=1"), ("x=1,y=(z)", "y=(z)"),
        ("rank>two", "rank>two"), ("Example.COM/x=y", "Example.COM/x=y"),
    ])
    func malformedTextNamesTheClause(text: String, clause: String) {
        let error = #expect(throws: LabelSelectorSyntaxError.self) { try LabelSelector(parsing: text) }
        #expect(error?.text == clause)
    }

    @Test func selectorObjectsMayNotUseTextOnlyOperators() {
        let result = ConfigurationParser.parse(text: """
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata: {name: ad}
            spec:
              nodeSelectors:
              - {matchExpressions: [{key: rank, operator: Gt, values: ["2"]}]}
            """)
        #expect(result.errors.map(\.fieldPath) == ["spec.nodeSelectors[0].matchExpressions[0].operator"])
    }
}
