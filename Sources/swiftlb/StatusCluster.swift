import ArgumentParser
import ClusterModel
import Election

/// The cluster `swiftlb status` describes from its command-line options.
struct StatusCluster {
    struct ServiceSpec {
        var service: LoadBalancerService
        var endpoints: [ServiceEndpoint]
    }

    var nodes: [ClusterNode]
    var members: [SpeakerMember]
    var services: [ServiceSpec]

    static func parse(
        nodeSpecs: [String], nodeLists: [String], down: [String], networkUnavailable: [String],
        serviceSpecs: [String], localSpecs: [String]
    ) throws -> StatusCluster {
        var nodes: [ClusterNode] = []
        for list in nodeLists {
            for name in list.split(separator: ",") { nodes.append(ClusterNode(name: String(name))) }
        }
        for spec in nodeSpecs {
            let (name, rest) = splitOnce(spec, "=")
            guard !name.isEmpty else { throw ValidationError("--node \(spec): empty node name") }
            var labels: [String: String] = [:]
            for pair in (rest ?? "").split(separator: ",") {
                let (key, value) = splitOnce(String(pair), "=")
                guard !key.isEmpty else { throw ValidationError("--node \(spec): empty label key") }
                labels[key] = value ?? ""
            }
            nodes.append(ClusterNode(name: name, labels: labels))
        }
        let names = Set(nodes.map(\.name))
        for name in down + networkUnavailable where !names.contains(name) {
            throw ValidationError("\(name) is not one of the given nodes")
        }
        for index in nodes.indices where networkUnavailable.contains(nodes[index].name) {
            nodes[index].networkUnavailable = true
        }
        let members = nodes.filter { !down.contains($0.name) }.map { SpeakerMember(name: $0.name) }

        var locals: [ServiceKey: [String]] = [:]
        for spec in localSpecs {
            let (key, rest) = splitOnce(spec, "=")
            locals[try serviceKey(key, spec: spec)] = (rest ?? "").split(separator: ",").map(String.init)
        }
        var services: [ServiceSpec] = []
        for spec in serviceSpecs {
            let (keyText, ips) = splitOnce(spec, "=")
            let key = try serviceKey(keyText, spec: spec)
            var service = LoadBalancerService(
                key: key, ingressIPs: (ips ?? "").split(separator: ",").map(String.init))
            var endpoints = [ServiceEndpoint(address: "10.244.0.1", nodeName: nil)]
            if let placed = locals[key] {
                service.externalTrafficPolicy = .local
                endpoints = placed.enumerated().map { ServiceEndpoint(address: "10.244.0.\($0.offset + 1)", nodeName: $0.element) }
            }
            services.append(ServiceSpec(service: service, endpoints: endpoints))
        }
        return StatusCluster(nodes: nodes, members: members, services: services)
    }

    private static func serviceKey(_ text: String, spec: String) throws -> ServiceKey {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("\(spec): expected NAMESPACE/NAME")
        }
        return ServiceKey(namespace: String(parts[0]), name: String(parts[1]))
    }

    private static func splitOnce(_ text: String, _ separator: Character) -> (String, String?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (String(text[..<index]), String(text[text.index(after: index)...]))
    }
}
