/// Where a configuration error was found: the file and the document inside it.
public struct ConfigDocument: Hashable, Sendable {
    /// The file name as given (or a label such as `<stdin>`).
    public var file: String
    /// 0-based position of the document in the file (YAML `---` documents, JSON values,
    /// `List` items are numbered in reading order).
    public var index: Int
    /// `kind` of the object (`IPAddressPool`, `ConfigMap`, …), if known.
    public var kind: String?
    /// `metadata.name` (or the legacy pool name), if known.
    public var name: String?

    public init(file: String, index: Int, kind: String? = nil, name: String? = nil) {
        self.file = file
        self.index = index
        self.kind = kind
        self.name = name
    }
}

extension ConfigDocument: CustomStringConvertible {
    /// `document 2 (IPAddressPool "public")`, numbered from 1 as an operator counts.
    public var description: String {
        var text = "document \(index + 1)"
        switch (kind, name) {
        case let (kind?, name?): text += " (\(kind) \"\(name)\")"
        case let (kind?, nil): text += " (\(kind))"
        case let (nil, name?): text += " (\"\(name)\")"
        case (nil, nil): break
        }
        return text
    }
}

/// One problem in a configuration: the document, the field path (`spec.addresses[2]`) and
/// why it is wrong. The parser collects every error before reporting, so an operator fixes
/// a file in one round.
public struct ConfigError: Error, Hashable, Sendable {
    public var document: ConfigDocument
    /// Dotted path with indices, e.g. `spec.nodeSelectors[0].matchExpressions[1].values`;
    /// empty when the whole document is at fault.
    public var fieldPath: String
    public var reason: String

    public init(document: ConfigDocument, fieldPath: String, reason: String) {
        self.document = document
        self.fieldPath = fieldPath
        self.reason = reason
    }
}

extension ConfigError: CustomStringConvertible {
    /// `file: document: field: reason`, the one-line form `swiftlb config validate` prints.
    /// Reasons and names quote the operator's own text, which may hold line breaks or other
    /// control characters; they are escaped here so that one error is always one line.
    public var description: String {
        let field = fieldPath.isEmpty ? "-" : fieldPath
        return "\(document.file): \(document): \(field): \(reason)".escapingControlCharacters()
    }
}

extension String {
    /// `\n`, `\r`, `\t` and other C0/C1 control characters as escapes, the rest unchanged.
    func escapingControlCharacters() -> String {
        guard unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return self }
        var escaped = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
