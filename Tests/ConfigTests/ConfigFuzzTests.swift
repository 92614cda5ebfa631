import Config
import PropertyBased
import Testing

/// Malformed input never traps: parsing returns a configuration or at least one error, and
/// every error names the file and has a reason.
@Suite struct ConfigFuzzTests {
    static let seeds: [String] = [
        (try? Fixture.text("crds-all-fields.yaml")) ?? "",
        (try? Fixture.text("legacy-config.yaml")) ?? "",
        (try? Fixture.text("crds-list.json")) ?? "",
        (try? Fixture.text("invalid-everything.yaml")) ?? "",
    ]

    /// Fragments that are meaningful to YAML or to the parser.
    static let fragments: [String] = [
        "\n", "---\n", ":", "- ", "[", "]", "{", "}", "\"", "'", "&a ", "*a", "!!binary ", "? ", "|", ">", "#",
        "\t", "null", "~", "true", "0x7fffffffffffffffff", "-1", "99999999999999999999", "::", "/", "-",
        "10.0.0.0/8", "fd00::/64", "kind: List\nitems:\n", "kind: ConfigMap\ndata:\n  config: ", "\u{0}", "é",
        "apiVersion: metallb.io/v1beta1\n", "matchExpressions: [{key: a, operator: In}]",
    ]

    static let mutatedDocuments = Generator<String, Shrink.None<String>>(run: { rng in
        var characters = Array(seeds.randomElement(using: &rng) ?? "")
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            let position = characters.isEmpty ? 0 : Int.random(in: 0...characters.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: characters.insert(contentsOf: fragments.randomElement(using: &rng)!, at: position)
            case 1:
                let end = min(characters.count, position + Int.random(in: 1...20, using: &rng))
                characters.removeSubrange(position..<end)
            default:
                let end = min(characters.count, position + Int.random(in: 1...40, using: &rng))
                let copy = Array(characters[position..<end])
                let target = characters.isEmpty ? 0 : Int.random(in: 0...characters.count, using: &rng)
                characters.insert(contentsOf: copy, at: target)
            }
        }
        return String(characters)
    })

    static let randomText = Generator<String, Shrink.None<String>>(run: { rng in
        String((0..<Int.random(in: 0...200, using: &rng)).map { _ in
            Bool.random(using: &rng)
                ? Character(UnicodeScalar(UInt8.random(in: 0...127, using: &rng)))
                : (fragments.randomElement(using: &rng)!.first ?? " ")
        })
    })

    private static func check(_ text: String) {
        let result = ConfigurationParser.parse(text: text, fileName: "fuzz.yaml")
        #expect(result.isValid || !result.errors.isEmpty)
        #expect(result.isValid == result.errors.isEmpty)
        for error in result.errors {
            #expect(error.document.file == "fuzz.yaml")
            #expect(!error.reason.isEmpty)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func mutatedConfigurationsNeverTrap() async {
        await propertyCheck(count: 1500, input: Self.mutatedDocuments) { Self.check($0) }
    }

    @Test func randomTextNeverTraps() async {
        await propertyCheck(count: 1000, input: Self.randomText) { Self.check($0) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        for depth in [500, 999, 5000] {
            Self.check(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
            Self.check(String(repeating: "- ", count: depth) + "x")
            Self.check("address-pools: " + String(repeating: "{a: ", count: depth))
        }
    }

    @Test func aliasBombIsBounded() {
        var yaml = "a0: &a0 [10.0.0.0/8, 10.0.0.0/8]\n"
        for level in 1..<20 { yaml += "a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]\n" }
        yaml += "address-pools:\n- name: x\n  protocol: layer2\n  addresses: *a19\n"
        let result = ConfigurationParser.parse(text: yaml, fileName: "fuzz.yaml")
        #expect(!result.errors.isEmpty)
    }
}
