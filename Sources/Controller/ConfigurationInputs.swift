import Config
import Foundation
import Kube

/// The objects MetalLB's configuration is read from, in the controller's namespace: the
/// legacy ConfigMap (key `config`) and/or the `IPAddressPool` and `L2Advertisement` custom
/// resources. Whichever is present; all of them are parsed together as one configuration,
/// as MetalLB's controller sees every object of its namespace at once.
struct ConfigurationInputs: Sendable {
    var configMap: ConfigMap?
    var pools: [IPAddressPool] = []
    var advertisements: [L2Advertisement] = []

    /// One parser source per object, named so that a `ConfigError` points back at it, with
    /// the object to post a Warning event on.
    func sources() -> [(source: ConfigSource, object: ObjectReference)] {
        var result: [(ConfigSource, ObjectReference)] = []
        if let configMap, let text = configMap.data?["config"] {
            let name = "ConfigMap \(configMap.metadata.namespace ?? "")/\(configMap.metadata.name ?? "")"
            result.append((ConfigSource(name: name, text: text), ObjectReference(to: configMap)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func add<Object: KubeResource>(_ object: Object) {
            var copy = object
            // Only what the parser reads: server-side bookkeeping is noise in error texts.
            copy.metadata = ObjectMeta(
                name: object.metadata.name, namespace: object.metadata.namespace, labels: object.metadata.labels)
            guard let data = try? encoder.encode(copy) else { return }
            let name = "\(Object.kind) \(object.metadata.namespace ?? "")/\(object.metadata.name ?? "")"
            result.append((ConfigSource(name: name, text: String(decoding: data, as: UTF8.self)), ObjectReference(to: object)))
        }
        for pool in pools.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) { add(pool) }
        for ad in advertisements.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) { add(ad) }
        return result
    }

    /// Parses every source; returns the result and, per source name, the object it came from.
    func parse() -> (result: ConfigurationParseResult, objects: [String: ObjectReference], isEmpty: Bool) {
        let all = sources()
        let result = ConfigurationParser.parse(all.map(\.source))
        var objects: [String: ObjectReference] = [:]
        for (source, object) in all { objects[source.name] = object }
        return (result, objects, all.isEmpty)
    }
}
