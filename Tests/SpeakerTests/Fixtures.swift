import Addressing
import ClusterModel
import Config
import Election
import Kube
@testable import Speaker

/// Kubernetes objects for the speaker tests, built as the API server would store them.
enum Fixture {
    static let namespace = "metallb-system"
    static let ip = "192.0.2.10"

    static func pool(_ name: String = "lan", addresses: [String] = ["192.0.2.0/28"]) -> IPAddressPool {
        IPAddressPool(metadata: ObjectMeta(name: name, namespace: namespace), spec: .init(addresses: addresses))
    }

    static func advertisement(_ name: String = "all", pools: [String]? = nil, interfaces: [String]? = nil,
                              nodeLabels: [String: String]? = nil) -> L2Advertisement {
        L2Advertisement(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: .init(ipAddressPools: pools, nodeSelectors: nodeLabels.map { [Kube.LabelSelector(matchLabels: $0)] },
                        interfaces: interfaces))
    }

    static func configuration(pools: [IPAddressPool] = [pool()], advertisements: [L2Advertisement] = [advertisement()]) -> Configuration {
        let result = ConfigurationParser.parse(KubeTranslation.configSources(pools: pools, advertisements: advertisements, legacy: nil))
        precondition(result.isValid, "fixture configuration invalid: \(result.errors)")
        return result.configuration
    }

    static func service(_ name: String = "web", namespace: String = "default", ip: String? = Fixture.ip,
                        policy: String = "Cluster", labels: [String: String]? = nil) -> Service {
        Service(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            spec: .init(type: "LoadBalancer", ports: [.init(port: 80)], selector: ["app": name], externalTrafficPolicy: policy),
            status: .init(loadBalancer: .init(ingress: ip.map { [.init(ip: $0)] } ?? [])))
    }

    static func slice(_ name: String = "web-abc", service: String = "web", namespace: String = "default",
                      endpoints: [(address: String, node: String, ready: Bool)]) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: [EndpointSlice.serviceNameLabel: service]),
            addressType: "IPv4",
            endpoints: endpoints.map {
                .init(addresses: [$0.address], conditions: .init(ready: $0.ready), nodeName: $0.node)
            })
    }

    static func node(_ name: String, labels: [String: String] = [:], networkUnavailable: Bool = false) -> Node {
        Node(
            metadata: ObjectMeta(name: name, labels: labels),
            status: .init(conditions: networkUnavailable ? [.init(type: "NetworkUnavailable", status: "True")] : []))
    }

    /// Two node names, ordered by election rank for `ip` (first wins).
    static func rankedPair(for ip: String = Fixture.ip) -> (first: String, second: String) {
        let sorted = ElectionOrder.sorted(["node-a", "node-b"], for: IPAddress(ip)!)
        return (sorted[0], sorted[1])
    }
}
