import Yams

/// Splits a file into documents and hands each to the parser for its kind.
///
/// A file may hold YAML documents separated by `---`, one JSON value, several JSON values
/// one after another (as `kubectl get -o json` output concatenated), a JSON array, or a
/// Kubernetes `List` (`kind: List` or `…List`) whose `items` are the objects. Objects that
/// are not MetalLB layer-2 configuration (a Namespace, a Deployment) are skipped with a note;
/// MetalLB's BGP kinds are errors, since SwiftLB would silently not honour them.
enum DocumentReader {
    static let bgpKinds: Set<String> = ["BGPPeer", "BGPAdvertisement", "BFDProfile", "Community"]

    /// Reads every document of one file into `session`.
    static func read(file: String, text: String, into session: inout ParseSession) {
        let countBefore = (session.pools.count, session.advertisements.count)
        var recognised = 0
        var index = 0
        for chunk in JSONStreamSplitter.values(in: text) ?? [Substring(text)] {
            do {
                let parser = try Parser(yaml: String(chunk))
                while true {
                    let document = ConfigDocument(file: file, index: index)
                    do {
                        guard let root = try parser.nextRoot() else { break }
                        index += 1
                        if root.isNull { continue }
                        recognised += dispatch(root, document: document, prefix: "", into: &session)
                    } catch {
                        session.fail(document, "", YAMLErrorText.describe(error))
                        index += 1
                        break
                    }
                }
            } catch {
                session.fail(ConfigDocument(file: file, index: index), "", YAMLErrorText.describe(error))
                index += 1
            }
        }
        if recognised == 0, session.errors.allSatisfy({ $0.document.file != file }),
           countBefore == (session.pools.count, session.advertisements.count) {
            session.fail(ConfigDocument(file: file, index: 0), "", "no MetalLB configuration found (expected IPAddressPool or L2Advertisement objects, or a legacy ConfigMap)")
        }
    }

    /// Handles one object; returns how many MetalLB configuration objects it held.
    static func dispatch(_ root: Node, document: ConfigDocument, prefix: String, into session: inout ParseSession) -> Int {
        var document = document
        switch root {
        case .sequence(let items):
            // A JSON array of objects.
            var count = 0
            for (index, item) in items.enumerated() {
                count += dispatch(item, document: document, prefix: prefix.element(index), into: &session)
            }
            return count
        case .mapping(let object):
            let kind = NodeReader.value(object, "kind")?.scalar?.string
            let metadata = NodeReader.value(object, "metadata")?.mapping
            let name = metadata.flatMap { NodeReader.value($0, "name")?.scalar?.string }
            if prefix.isEmpty {
                document.kind = kind
                document.name = name
            }
            let reader = NodeReader(document: document)
            guard let kind else {
                if object.keys.contains(where: { LegacyConfigParser.topLevelKeys.contains($0.scalar?.string ?? "") }) {
                    LegacyConfigParser.parse(root, document: document, prefix: prefix, into: &session)
                    return 1
                }
                session.fail(document, prefix.field("kind"), "not a MetalLB configuration: no kind, and no address-pools")
                return 0
            }
            switch kind {
            case "IPAddressPool", "L2Advertisement":
                let apiPath = prefix.field("apiVersion")
                let apiVersion = reader.string(NodeReader.value(object, "apiVersion"), apiPath, &session)
                if apiVersion != CustomResourceParser.apiVersion {
                    session.fail(document, apiPath, "expected apiVersion \(CustomResourceParser.apiVersion), found \(apiVersion.map { "\"\($0)\"" } ?? "none")")
                }
                if kind == "IPAddressPool" {
                    CustomResourceParser.parsePool(object, prefix: prefix, reader: reader, into: &session)
                } else {
                    CustomResourceParser.parseAdvertisement(object, prefix: prefix, reader: reader, into: &session)
                }
                return 1
            case "ConfigMap":
                return readConfigMap(object, document: document, prefix: prefix, reader: reader, into: &session)
            case _ where bgpKinds.contains(kind):
                session.fail(document, prefix.field("kind"), "BGP is not supported by SwiftLB (layer 2 only): \(kind)")
                return 1
            case _ where kind.hasSuffix("List"):
                let itemsPath = prefix.field("items")
                var count = 0
                for (index, item) in (reader.sequence(NodeReader.value(object, "items"), itemsPath, &session) ?? []).enumerated() {
                    count += dispatch(item, document: document, prefix: itemsPath.element(index), into: &session)
                }
                return count
            default:
                session.note(document, prefix, "skipped \(kind)\(name.map { " \"\($0)\"" } ?? ""): not MetalLB layer-2 configuration")
                return 0
            }
        default:
            session.fail(document, prefix, "expected an object (a mapping), found \(root.shape)")
            return 0
        }
    }

    /// A legacy ConfigMap manifest: the configuration is the YAML text under `data.config`.
    private static func readConfigMap(
        _ object: Node.Mapping, document: ConfigDocument, prefix: String, reader: NodeReader, into session: inout ParseSession
    ) -> Int {
        let dataPath = prefix.field("data")
        let configPath = dataPath.field("config")
        guard let data = reader.mapping(NodeReader.value(object, "data"), dataPath, &session),
              let text = reader.string(NodeReader.value(data, "config"), configPath, &session) else {
            if session.errors.last?.document != document {
                session.note(document, prefix, "skipped ConfigMap without data.config: MetalLB reads its legacy configuration from the key \"config\"")
            }
            return 0
        }
        do {
            guard let root = try Yams.compose(yaml: text), !root.isNull else {
                session.fail(document, configPath, "empty configuration")
                return 1
            }
            LegacyConfigParser.parse(root, document: document, prefix: configPath, into: &session)
        } catch {
            session.fail(document, configPath, YAMLErrorText.describe(error))
        }
        return 1
    }
}

/// One-line descriptions of Yams errors (its own descriptions span several lines).
enum YAMLErrorText {
    static func describe(_ error: any Error) -> String {
        guard let yamlError = error as? YamlError else { return "cannot read: \(error)" }
        switch yamlError {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return "invalid YAML at line \(mark.line), column \(mark.column): \(problem)"
        case let .reader(problem, offset, _, _):
            return "invalid YAML at byte \(offset.map(String.init) ?? "?"): \(problem)"
        case let .duplicatedKeysInMapping(duplicates, context):
            return "invalid YAML at line \(context.mark.line), column \(context.mark.column): duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            return "invalid YAML: " + String(describing: yamlError).split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }
}
