/// Kubernetes label key and value syntax (apimachinery `IsQualifiedName`,
/// `IsValidLabelValue`), which the API server enforces on selectors and labels. Checking it
/// here catches a selector that would never be admitted (or never match) before it is applied.
enum LabelSyntax {
    /// Why `key` is not a label key (`[prefix/]name`), or nil when it is one.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "label key \"\(key)\" has more than one \"/\"" }
        let name = parts.last ?? ""
        if parts.count == 2 {
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.count <= 253, isDNSSubdomain(prefix) else {
                return "label key prefix \"\(prefix)\" must be a lowercase DNS subdomain of at most 253 characters"
            }
        }
        guard !name.isEmpty, name.count <= 63, isName(name) else {
            return "label key \"\(key)\": the name must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric"
        }
        return nil
    }

    /// Why `value` is not a label value (empty, or a name of at most 63 characters).
    static func valueProblem(_ value: String) -> String? {
        guard value.isEmpty || (value.count <= 63 && isName(Substring(value))) else {
            return "label value \"\(value)\" must be empty or 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric"
        }
        return nil
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, let last = text.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return text.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isDNSSubdomain(_ text: Substring) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            let lowerAlphanumeric = { (c: Character) in c.isASCII && (c.isLowercase || c.isNumber) }
            return lowerAlphanumeric(first) && lowerAlphanumeric(last) && label.allSatisfy { lowerAlphanumeric($0) || $0 == "-" }
        }
    }
}
