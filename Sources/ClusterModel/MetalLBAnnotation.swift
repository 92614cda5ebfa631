/// The Service annotations MetalLB reads, stable name first and the deprecated
/// `metallb.universe.tf/` name second (MetalLB still honours both; controller/service.go).
public enum MetalLBAnnotation {
    /// Requested IPs, a comma list of at most two of different families.
    public static let loadBalancerIPs = ["metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs"]
    /// The pool to allocate from.
    public static let addressPool = ["metallb.io/address-pool", "metallb.universe.tf/address-pool"]
    /// The sharing key: Services with equal keys may share one IP on disjoint ports.
    public static let allowSharedIP = ["metallb.io/allow-shared-ip", "metallb.universe.tf/allow-shared-ip"]
    /// Written by the controller next to the status: the pool the IPs came from.
    public static let ipAllocatedFromPool = "metallb.io/ip-allocated-from-pool"
}

extension LoadBalancerService {
    /// The `allow-shared-ip` sharing key; empty when absent, which means "never share".
    public var sharingKey: String { annotation(MetalLBAnnotation.allowSharedIP) ?? "" }
}
