import Addressing
import Yams

/// Reads the CRDs MetalLB v0.13+ uses for layer 2: `IPAddressPool` and `L2Advertisement`
/// (`metallb.io/v1beta1`, api/v1beta1 in the MetalLB tree). Defaults are the CRD defaults:
/// `autoAssign: true`, `avoidBuggyIPs: false`, empty selectors.
enum CustomResourceParser {
    static let apiVersion = "metallb.io/v1beta1"
    static let poolSpecKeys: Set<String> = ["addresses", "autoAssign", "avoidBuggyIPs", "serviceAllocation"]
    static let allocationKeys: Set<String> = ["priority", "namespaces", "namespaceSelectors", "serviceSelectors"]
    static let advertisementSpecKeys: Set<String> = [
        "ipAddressPools", "ipAddressPoolSelectors", "nodeSelectors", "interfaces", "serviceSelectors",
    ]

    /// `metadata.name` and `metadata.labels` of an object; the name is required.
    static func metadata(
        _ object: Node.Mapping, prefix: String, reader: NodeReader, into session: inout ParseSession
    ) -> (name: String?, labels: [String: String]) {
        let metadataPath = prefix.field("metadata")
        let namePath = metadataPath.field("name")
        guard let metadata = reader.mapping(NodeReader.value(object, "metadata"), metadataPath, &session) else {
            if NodeReader.value(object, "metadata") == nil {
                session.fail(reader.document, namePath, "metadata.name is required")
            }
            return (nil, [:])
        }
        let name = reader.string(NodeReader.value(metadata, "name"), namePath, &session)
        if name?.isEmpty ?? true {
            session.fail(reader.document, namePath, "metadata.name is required")
        }
        let labelsPath = metadataPath.field("labels")
        let labels = reader.stringMap(NodeReader.value(metadata, "labels"), labelsPath, &session) ?? [:]
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            if let problem = LabelSyntax.keyProblem(key) {
                session.fail(reader.document, labelsPath, problem)
            } else if let problem = LabelSyntax.valueProblem(value) {
                session.fail(reader.document, labelsPath.field(key), problem)
            }
        }
        return (name?.isEmpty == false ? name : nil, labels)
    }

    static func parsePool(_ object: Node.Mapping, prefix: String, reader: NodeReader, into session: inout ParseSession) {
        let (name, labels) = metadata(object, prefix: prefix, reader: reader, into: &session)
        let document = reader.document
        let specPath = prefix.field("spec")
        let spec = reader.mapping(NodeReader.value(object, "spec"), specPath, &session)
        if spec == nil, NodeReader.value(object, "spec") == nil {
            session.fail(document, specPath.field("addresses"), "addresses are required (at least one CIDR or START-END range)")
        }
        guard let spec else { return }
        let (addresses, rangePaths) = reader.poolAddresses(NodeReader.value(spec, "addresses"), specPath.field("addresses"), &session)
        let autoAssign = reader.bool(NodeReader.value(spec, "autoAssign"), specPath.field("autoAssign"), &session) ?? true
        let avoidBuggyIPs = reader.bool(NodeReader.value(spec, "avoidBuggyIPs"), specPath.field("avoidBuggyIPs"), &session) ?? false
        let allocationPath = specPath.field("serviceAllocation")
        var serviceAllocation: ServiceAllocation?
        if let allocation = reader.mapping(NodeReader.value(spec, "serviceAllocation"), allocationPath, &session) {
            serviceAllocation = parseServiceAllocation(allocation, path: allocationPath, reader: reader, into: &session)
        }
        reader.noteUnknownKeys(spec, known: poolSpecKeys, specPath, &session)
        guard let name else { return }
        let pool = AddressPoolConfig(
            name: name, labels: labels, addresses: addresses, autoAssign: autoAssign,
            avoidBuggyIPs: avoidBuggyIPs, serviceAllocation: serviceAllocation
        )
        session.pools.append(
            LocatedPool(pool: pool, document: document, namePath: prefix.field("metadata.name"), rangePaths: rangePaths)
        )
    }

    private static func parseServiceAllocation(
        _ allocation: Node.Mapping, path: String, reader: NodeReader, into session: inout ParseSession
    ) -> ServiceAllocation {
        var result = ServiceAllocation()
        let priorityPath = path.field("priority")
        if let priority = reader.int(NodeReader.value(allocation, "priority"), priorityPath, &session) {
            if priority < 0 {
                session.fail(reader.document, priorityPath, "priority must not be negative")
            }
            result.priority = priority
        }
        let namespacesPath = path.field("namespaces")
        for entry in reader.strings(NodeReader.value(allocation, "namespaces"), namespacesPath, &session) ?? [] {
            if entry.value.isEmpty {
                session.fail(reader.document, entry.path, "namespace name must not be empty")
            } else if result.namespaces.contains(entry.value) {
                session.fail(reader.document, entry.path, "duplicate namespace \"\(entry.value)\"")
            } else {
                result.namespaces.append(entry.value)
            }
        }
        result.namespaceSelectors = reader.selectors(NodeReader.value(allocation, "namespaceSelectors"), path.field("namespaceSelectors"), &session)
        result.serviceSelectors = reader.selectors(NodeReader.value(allocation, "serviceSelectors"), path.field("serviceSelectors"), &session)
        reader.noteUnknownKeys(allocation, known: allocationKeys, path, &session)
        return result
    }

    static func parseAdvertisement(_ object: Node.Mapping, prefix: String, reader: NodeReader, into session: inout ParseSession) {
        let (name, _) = metadata(object, prefix: prefix, reader: reader, into: &session)
        let document = reader.document
        let specPath = prefix.field("spec")
        // A missing spec is the empty spec: every pool, every node, every interface.
        let spec = reader.mapping(NodeReader.value(object, "spec"), specPath, &session) ?? [:]
        var advertisement = L2AdvertisementConfig(name: name ?? "")
        var poolPaths: [String] = []
        for entry in reader.strings(NodeReader.value(spec, "ipAddressPools"), specPath.field("ipAddressPools"), &session) ?? [] {
            if entry.value.isEmpty {
                session.fail(document, entry.path, "pool name must not be empty")
            } else if advertisement.ipAddressPools.contains(entry.value) {
                session.fail(document, entry.path, "duplicate pool \"\(entry.value)\"")
            } else {
                advertisement.ipAddressPools.append(entry.value)
                poolPaths.append(entry.path)
            }
        }
        advertisement.ipAddressPoolSelectors = reader.selectors(
            NodeReader.value(spec, "ipAddressPoolSelectors"), specPath.field("ipAddressPoolSelectors"), &session)
        advertisement.nodeSelectors = reader.selectors(NodeReader.value(spec, "nodeSelectors"), specPath.field("nodeSelectors"), &session)
        advertisement.serviceSelectors = reader.selectors(
            NodeReader.value(spec, "serviceSelectors"), specPath.field("serviceSelectors"), &session)
        for entry in reader.strings(NodeReader.value(spec, "interfaces"), specPath.field("interfaces"), &session) ?? [] {
            if entry.value.isEmpty {
                session.fail(document, entry.path, "interface name must not be empty")
            } else if !advertisement.interfaces.contains(entry.value) {
                advertisement.interfaces.append(entry.value)
            }
        }
        if NodeReader.value(spec, "preferredNodeSelectors") != nil {
            session.note(document, specPath.field("preferredNodeSelectors"),
                         "preferredNodeSelectors (MetalLB main branch only) is not supported yet and is ignored")
        }
        reader.noteUnknownKeys(spec, known: advertisementSpecKeys.union(["preferredNodeSelectors"]), specPath, &session)
        guard name != nil else { return }
        session.advertisements.append(
            LocatedAdvertisement(advertisement: advertisement, document: document, namePath: prefix.field("metadata.name"), poolPaths: poolPaths)
        )
    }
}
