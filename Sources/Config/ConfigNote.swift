/// Something worth telling the operator that does not make the configuration invalid:
/// a skipped document (a Namespace in the same file), an ignored field, a pool that no
/// advertisement announces.
public struct ConfigNote: Hashable, Sendable {
    public var document: ConfigDocument
    public var fieldPath: String
    public var message: String

    public init(document: ConfigDocument, fieldPath: String, message: String) {
        self.document = document
        self.fieldPath = fieldPath
        self.message = message
    }
}

extension ConfigNote: CustomStringConvertible {
    public var description: String {
        let field = fieldPath.isEmpty ? "-" : fieldPath
        return "\(document.file): \(document): \(field): \(message)"
    }
}

/// Every error of a configuration, thrown at once by `Configuration(parsing:fileName:)`.
public struct ConfigErrors: Error, Hashable, Sendable {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }
}

extension ConfigErrors: CustomStringConvertible {
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
