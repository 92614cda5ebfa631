/// A configuration file's name and text.
public struct ConfigSource: Hashable, Sendable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// What parsing produced: the configuration, and every error and note found.
public struct ConfigurationParseResult: Sendable {
    /// Everything that could be read. Only meaningful for use when `errors` is empty.
    public var configuration: Configuration
    /// All errors, in file and document order, then the cross-document ones.
    public var errors: [ConfigError]
    public var notes: [ConfigNote]

    public var isValid: Bool { errors.isEmpty }
}

/// Parses MetalLB configuration in either format into one `Configuration`.
///
/// Files parsed together form one configuration, as CRDs applied together do (and as
/// MetalLB's controller sees every IPAddressPool and L2Advertisement of its namespace at
/// once). Parsing never traps: any text yields a configuration or at least one error.
public enum ConfigurationParser {
    public static func parse(_ sources: [ConfigSource]) -> ConfigurationParseResult {
        var session = ParseSession()
        for source in sources {
            DocumentReader.read(file: source.name, text: source.text, into: &session)
        }
        ConfigurationValidator.validate(&session)
        let configuration = Configuration(
            pools: session.pools.map(\.pool), l2Advertisements: session.advertisements.map(\.advertisement))
        return ConfigurationParseResult(
            configuration: configuration, errors: inReadingOrder(session.errors, sources, \.document),
            notes: inReadingOrder(session.notes, sources, \.document))
    }

    /// Orders findings by file (command-line order) and document, keeping the order of
    /// findings within a document, so an operator reads them top to bottom.
    private static func inReadingOrder<Finding>(
        _ findings: [Finding], _ sources: [ConfigSource], _ document: (Finding) -> ConfigDocument
    ) -> [Finding] {
        var fileOrder: [String: Int] = [:]
        for (index, source) in sources.enumerated() where fileOrder[source.name] == nil { fileOrder[source.name] = index }
        return findings.enumerated().sorted { left, right in
            let a = document(left.element), b = document(right.element)
            return (fileOrder[a.file] ?? 0, a.index, left.offset) < (fileOrder[b.file] ?? 0, b.index, right.offset)
        }.map(\.element)
    }

    public static func parse(text: String, fileName: String = "<config>") -> ConfigurationParseResult {
        parse([ConfigSource(name: fileName, text: text)])
    }
}

extension Configuration {
    /// Parses one file's text; throws every error at once.
    public init(parsing text: String, fileName: String = "<config>") throws(ConfigErrors) {
        let result = ConfigurationParser.parse(text: text, fileName: fileName)
        guard result.isValid else { throw ConfigErrors(result.errors) }
        self = result.configuration
    }
}
