import Addressing
import ClusterModel
import Kube

/// Maps a Kubernetes `Service` to the allocation core's `LoadBalancerService`. Pure.
///
/// Unknown enum texts fall back to the Kubernetes defaults (`ClusterIP`, `Cluster`,
/// `SingleStack`), so a strange object is cleared or skipped, never trapped on.
enum ServiceTranslation {
    static func service(_ object: Service) -> LoadBalancerService {
        let spec = object.spec
        let families = (spec?.ipFamilies ?? []).compactMap(IPFamily.init(rawValue:))
        return LoadBalancerService(
            key: key(of: object),
            type: spec?.type.flatMap(ServiceType.init(rawValue:)) ?? .clusterIP,
            labels: object.metadata.labels ?? [:],
            annotations: object.metadata.annotations ?? [:],
            loadBalancerIP: spec?.loadBalancerIP.flatMap { $0.isEmpty ? nil : $0 },
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

    static func key(of object: Service) -> ServiceKey {
        ServiceKey(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
    }
}
