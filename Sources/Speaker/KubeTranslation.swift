import Addressing
import ClusterModel
import Config
import Foundation
import Kube

/// Maps Kubernetes objects to the election's values. Pure: no I/O.
public enum KubeTranslation {
    /// A Service as the election reads it. Unknown enum texts fall back to the Kubernetes
    /// defaults (`ClusterIP`, `Cluster`), so a strange object is withdrawn, never trapped on.
    public static func service(_ object: Service) -> LoadBalancerService {
        let spec = object.spec
        let families = (spec?.ipFamilies ?? []).compactMap { text -> IPFamily? in
            switch text {
            case "IPv4": .ipv4
            case "IPv6": .ipv6
            default: nil
            }
        }
        return LoadBalancerService(
            key: ServiceKey(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? ""),
            type: spec?.type.flatMap(ServiceType.init(rawValue:)) ?? .clusterIP,
            labels: object.metadata.labels ?? [:],
            annotations: object.metadata.annotations ?? [:],
            loadBalancerIP: spec?.loadBalancerIP,
            loadBalancerClass: spec?.loadBalancerClass,
            externalTrafficPolicy: spec?.externalTrafficPolicy.flatMap(ExternalTrafficPolicy.init(rawValue:)) ?? .cluster,
            ipFamilies: families.isEmpty ? [.ipv4] : families,
            ipFamilyPolicy: spec?.ipFamilyPolicy.flatMap(IPFamilyPolicy.init(rawValue:)),
            ports: (spec?.ports ?? []).map {
                ServicePort(TransportProtocol(rawValue: $0.protocol ?? "TCP") ?? .tcp, $0.port)
            },
            selector: spec?.selector ?? [:],
            ingressIPs: (object.status?.loadBalancer?.ingress ?? []).compactMap(\.ip)
        )
    }

    /// The Service a slice belongs to (label `kubernetes.io/service-name`, as MetalLB indexes
    /// slices); nil for a slice without the label.
    public static func serviceKey(of slice: EndpointSlice) -> ServiceKey? {
        guard let name = slice.serviceName, let namespace = slice.metadata.namespace else { return nil }
        return ServiceKey(namespace: namespace, name: name)
    }

    /// Every endpoint of the slices, one per address, with its conditions as written
    /// (`ServiceEndpoint.canServe` applies MetalLB's ready-else-serving rule).
    public static func endpoints(_ slices: some Sequence<EndpointSlice>) -> [ServiceEndpoint] {
        var result: [ServiceEndpoint] = []
        for slice in slices {
            for endpoint in slice.endpoints ?? [] {
                for address in endpoint.addresses {
                    result.append(ServiceEndpoint(
                        address: address, nodeName: endpoint.nodeName,
                        ready: endpoint.conditions?.ready, serving: endpoint.conditions?.serving))
                }
            }
        }
        return result
    }

    /// A Node as the election reads it: labels and `NetworkUnavailable=True`.
    public static func node(_ object: Node) -> ClusterNode {
        ClusterNode(
            name: object.metadata.name ?? "",
            labels: object.metadata.labels ?? [:],
            networkUnavailable: object.condition("NetworkUnavailable") == "True")
    }

    /// The name of MetalLB's legacy configuration ConfigMap and its key.
    public static let legacyConfigMapName = "config"
    public static let legacyConfigMapKey = "config"

    /// The configuration sources: the CRDs when any IPAddressPool or L2Advertisement exists,
    /// else the legacy ConfigMap's `config` key (MetalLB reads whichever is present). Each
    /// CRD object is handed to the parser as one JSON document (JSON is YAML), so both formats
    /// go through the same validation and errors name the object and field.
    public static func configSources(
        pools: [IPAddressPool], advertisements: [L2Advertisement], legacy: ConfigMap?
    ) -> [ConfigSource] {
        if pools.isEmpty && advertisements.isEmpty {
            guard let text = legacy?.data?[legacyConfigMapKey] else { return [] }
            return [ConfigSource(name: "configmap/\(legacy?.metadata.name ?? legacyConfigMapName)", text: text)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var sources: [ConfigSource] = []
        for pool in pools.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            if let data = try? encoder.encode(pool) {
                sources.append(ConfigSource(name: "ipaddresspool/\(pool.metadata.name ?? "")", text: String(decoding: data, as: UTF8.self)))
            }
        }
        for ad in advertisements.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            if let data = try? encoder.encode(ad) {
                sources.append(ConfigSource(name: "l2advertisement/\(ad.metadata.name ?? "")", text: String(decoding: data, as: UTF8.self)))
            }
        }
        return sources
    }
}
