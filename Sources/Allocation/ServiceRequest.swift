import Addressing
import ClusterModel

/// What a Service asks of the allocator, read from its spec and annotations the way
/// MetalLB's controller reads them (controller/service.go `getDesiredLbIPs`, `SharingKey`;
/// internal/allocator/k8salloc `Ports`, `BackendKey`).
struct ServiceRequest: Sendable {
    var key: ServiceKey
    var family: ServiceFamily
    var policy: IPFamilyPolicy
    var ports: [ServicePort]
    var sharingKey: String
    var backendKey: String
    /// `metallb.io/address-pool`, if set and non-empty.
    var pool: String?

    init(_ service: LoadBalancerService) {
        key = service.key
        family = ServiceFamily(of: service)
        policy = service.ipFamilyPolicy ?? .singleStack
        ports = service.ports
        sharingKey = service.sharingKey
        backendKey = Self.backendKey(service)
        let pool = service.annotation(MetalLBAnnotation.addressPool) ?? ""
        self.pool = pool.isEmpty ? nil : pool
    }

    /// Empty for `Cluster`; for `Local`, the selector as sorted `k=v` pairs joined by commas
    /// (Kubernetes' `labels.Set.String()`), so `Local` Services share an IP only with
    /// Services that select the same pods, whose endpoints sit on the same nodes.
    static func backendKey(_ service: LoadBalancerService) -> String {
        guard service.externalTrafficPolicy == .local else { return "" }
        return service.selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The requested IPs: annotation `metallb.io/loadBalancerIPs` (comma list) or
    /// `spec.loadBalancerIP`; both set is an error, as is an unreadable entry or a list
    /// that is not one IP or two of different families.
    static func requestedIPs(_ service: LoadBalancerService) throws(AllocationFailure) -> [IPAddress] {
        let annotation = service.annotation(MetalLBAnnotation.loadBalancerIPs) ?? ""
        let spec = service.loadBalancerIP ?? ""
        if annotation.isEmpty && spec.isEmpty { return [] }
        if !annotation.isEmpty && !spec.isEmpty {
            throw AllocationFailure(.invalidRequest(
                "service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP"))
        }
        if !annotation.isEmpty {
            var ips: [IPAddress] = []
            for entry in annotation.split(separator: ",", omittingEmptySubsequences: false) {
                guard let ip = IPAddress(entry) else {
                    throw AllocationFailure(.invalidRequest("invalid metallb.io/loadBalancerIPs: \"\(annotation)\""))
                }
                ips.append(ip)
            }
            if ips.count > 2 {
                throw AllocationFailure(.invalidRequest("more than two addresses \(goQuoted(ips))"))
            }
            if ServiceFamily(of: ips) == nil {
                throw AllocationFailure(.invalidRequest("\(goQuoted(ips)) has the same family"))
            }
            return ips
        }
        guard let ip = IPAddress(spec) else {
            throw AllocationFailure(.invalidRequest("invalid spec.loadBalancerIP \"\(spec)\""))
        }
        return [ip]
    }
}
