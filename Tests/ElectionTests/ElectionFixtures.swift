import Addressing
import ClusterModel
import Config
import Election

/// Small builders shared by the election tests.
enum ElectionFixtures {
    static func pool(_ name: String, _ entries: [String], autoAssign: Bool = true) -> AddressPoolConfig {
        // Test inputs are literals; a parse failure is a bug in the test itself.
        AddressPoolConfig(name: name, addresses: try! AddressPool(parsing: entries), autoAssign: autoAssign)
    }

    /// One dual-stack pool announced from every node.
    static let configuration = Configuration(
        pools: [pool("default", ["192.168.10.0/24", "fd00:10::/112"])],
        l2Advertisements: [L2AdvertisementConfig(name: "all")])

    static func service(
        _ name: String,
        ip: String?,
        namespace: String = "default",
        policy: ExternalTrafficPolicy = .cluster,
        labels: [String: String] = [:],
        annotations: [String: String] = [:],
        type: ServiceType = .loadBalancer,
        extraIPs: [String] = []
    ) -> LoadBalancerService {
        LoadBalancerService(
            key: ServiceKey(namespace: namespace, name: name), type: type, labels: labels, annotations: annotations,
            externalTrafficPolicy: policy, ingressIPs: (ip.map { [$0] } ?? []) + extraIPs)
    }

    static func endpoints(on nodes: [String]) -> [ServiceEndpoint] {
        nodes.enumerated().map { ServiceEndpoint(address: "10.244.0.\($0.offset + 1)", nodeName: $0.element) }
    }

    static func nodes(_ count: Int, prefix: String = "node-") -> [ClusterNode] {
        (1...count).map { ClusterNode(name: "\(prefix)\($0)") }
    }

    static func members(_ nodes: [ClusterNode]) -> [SpeakerMember] {
        nodes.map { SpeakerMember(name: $0.name) }
    }

    /// IPv4 addresses `192.168.<i/256>.<i%256>` of a /16, for spreading tests.
    static func ipv4(_ index: Int) -> String { "10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)" }
}
