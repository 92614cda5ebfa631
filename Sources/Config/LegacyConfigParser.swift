import Addressing
import Yams

/// Reads MetalLB's legacy ConfigMap format (v0.12 and earlier): the YAML stored under the
/// ConfigMap key `config` (internal/config `configFile`).
///
/// Only layer-2 pools are accepted. `protocol: arp` and `protocol: ndp` are the names
/// layer 2 had before MetalLB 0.5/0.6 and read as `layer2`. Each layer-2 pool implies an
/// advertisement of that pool from every node, since the legacy format had no
/// advertisements and MetalLB announced layer-2 pools everywhere.
enum LegacyConfigParser {
    static let topLevelKeys: Set<String> = ["address-pools", "peers", "bgp-communities", "bfd-profiles"]
    static let poolKeys: Set<String> = ["name", "protocol", "addresses", "auto-assign", "avoid-buggy-ips", "bgp-advertisements"]

    /// Parses the legacy document `root`; `prefix` is the path to it (`data.config` when it
    /// came from a ConfigMap manifest, empty for a bare config file).
    static func parse(_ root: Node, document: ConfigDocument, prefix: String, into session: inout ParseSession) {
        let reader = NodeReader(document: document)
        guard let mapping = reader.mapping(root, prefix, &session) else { return }
        for key in ["peers", "bgp-communities", "bfd-profiles"] {
            guard let value = NodeReader.value(mapping, key), !value.isEmptyCollection else { continue }
            session.fail(document, prefix.field(key), "BGP is not supported by SwiftLB (layer 2 only): remove \(key)")
        }
        reader.noteUnknownKeys(mapping, known: topLevelKeys, prefix, &session)
        let poolsPath = prefix.field("address-pools")
        let pools = reader.sequence(NodeReader.value(mapping, "address-pools"), poolsPath, &session) ?? []
        if pools.isEmpty, NodeReader.value(mapping, "address-pools") == nil {
            session.note(document, poolsPath, "no address-pools: this configuration hands out no addresses")
        }
        for (index, item) in pools.enumerated() {
            parsePool(item, path: poolsPath.element(index), reader: reader, into: &session)
        }
    }

    private static func parsePool(_ node: Node, path: String, reader: NodeReader, into session: inout ParseSession) {
        guard let mapping = reader.mapping(node, path, &session) else { return }
        let document = reader.document
        let namePath = path.field("name")
        let name = reader.string(NodeReader.value(mapping, "name"), namePath, &session)
        if name?.isEmpty ?? true {
            session.fail(document, namePath, "name is required")
        }
        let protocolPath = path.field("protocol")
        var isLayer2 = false
        switch reader.string(NodeReader.value(mapping, "protocol"), protocolPath, &session) {
        case "layer2"?, "arp"?, "ndp"?:
            isLayer2 = true
        case "bgp"?:
            session.fail(document, protocolPath, "BGP is not supported by SwiftLB (layer 2 only)")
        case let other?:
            session.fail(document, protocolPath, "unknown protocol \"\(other)\" (expected layer2)")
        case nil:
            if NodeReader.value(mapping, "protocol") == nil {
                session.fail(document, protocolPath, "protocol is required (layer2)")
            }
        }
        if let advertisements = NodeReader.value(mapping, "bgp-advertisements"), !advertisements.isEmptyCollection {
            session.fail(document, path.field("bgp-advertisements"), "bgp-advertisements are BGP configuration, not supported by SwiftLB")
        }
        let (addresses, rangePaths) = reader.poolAddresses(NodeReader.value(mapping, "addresses"), path.field("addresses"), &session)
        let autoAssign = reader.bool(NodeReader.value(mapping, "auto-assign"), path.field("auto-assign"), &session) ?? true
        let avoidBuggyIPs = reader.bool(NodeReader.value(mapping, "avoid-buggy-ips"), path.field("avoid-buggy-ips"), &session) ?? false
        reader.noteUnknownKeys(mapping, known: poolKeys, path, &session)
        guard let name, !name.isEmpty else { return }
        let pool = AddressPoolConfig(name: name, addresses: addresses, autoAssign: autoAssign, avoidBuggyIPs: avoidBuggyIPs)
        session.pools.append(LocatedPool(pool: pool, document: document, namePath: namePath, rangePaths: rangePaths))
        if isLayer2 {
            let advertisement = L2AdvertisementConfig(name: name, ipAddressPools: [name], implied: true)
            session.advertisements.append(
                LocatedAdvertisement(advertisement: advertisement, document: document, namePath: namePath, poolPaths: [namePath])
            )
        }
    }
}

extension Node {
    /// An empty list or mapping (`peers: []`), which asks for nothing.
    var isEmptyCollection: Bool {
        switch self {
        case .sequence(let sequence): sequence.isEmpty
        case .mapping(let mapping): mapping.isEmpty
        default: isNull
        }
    }
}
