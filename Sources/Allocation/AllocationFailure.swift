import Addressing
import ClusterModel

/// Why a Service got no IP (or kept none), with MetalLB's wording.
///
/// The messages follow MetalLB's controller (controller/service.go, internal/allocator) so
/// events read as operators know them: "no available IPs", `"…" is not allowed in config`,
/// "port TCP/80 is already in use on …".
public struct AllocationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// No pools are configured.
        case noConfiguration
        /// `RequireDualStack` but the Service has fewer than two families.
        case notEnoughClusterIPs
        /// The requested IPs cannot be read (bad text, both spec and annotation, too many,
        /// two of one family); the detail says which.
        case invalidRequest(String)
        /// The requested IPs are not of the Service's family or families.
        case familyMismatch(requested: [IPAddress])
        /// The IPs lie in no pool (or only in its avoided buggy addresses).
        case notAllowedInConfig([IPAddress])
        /// The pool's `serviceAllocation` does not admit the Service.
        case poolNotCompatible(pool: String)
        /// `metallb.io/address-pool` names no configured pool.
        case unknownPool(String)
        /// The requested IPs are not in the requested pool.
        case poolConflict(requested: [IPAddress], pool: String)
        /// The IP is used by Services whose sharing or backend key differs.
        case sharingConflict(ip: IPAddress, service: ServiceKey, users: [ServiceKey])
        /// The IP is shareable, but a port is taken.
        case portInUse(port: ServicePort, ip: IPAddress)
        /// The requested pool has no free address of the needed family.
        case poolExhausted(pool: String, family: ServiceFamily)
        /// No pool the Service may use has a free address.
        case noAvailableIPs
    }

    public var reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    /// The error text MetalLB would give.
    public var description: String {
        switch reason {
        case .noConfiguration: "no address pools configured"
        case .notEnoughClusterIPs: "Service requires dual stack but not enough clusterips"
        case .invalidRequest(let detail): detail
        case .familyMismatch(let ips):
            "requested loadBalancer IP(s) \(goQuoted(ips)) does not match the ipFamily of the service"
        case .notAllowedInConfig(let ips): "\(goQuoted(ips)) is not allowed in config"
        case .poolNotCompatible(let pool): "pool \(pool) not compatible for ip assignment"
        case .unknownPool(let pool): "unknown pool \"\(pool)\""
        case .poolConflict(let ips, let pool):
            "requested loadBalancer IP(s) \(goQuoted(ips)) is not compatible with requested address pool \(pool)"
        case .sharingConflict(_, let service, let users):
            "can't change sharing key for \"\(service)\", address also in use by "
                + users.map(\.description).joined(separator: ",")
        case .portInUse(let port, let ip): "port \(port) is already in use on \"\(ip)\""
        case .poolExhausted(let pool, let family): "no available IPs in pool \(pool) for \(family) IPFamily"
        case .noAvailableIPs: "no available IPs"
        }
    }

    /// The Kubernetes event reason MetalLB posts: a bad request is `LoadBalancerFailed`,
    /// everything else `AllocationFailed`.
    public var eventReason: String {
        switch reason {
        case .invalidRequest: "LoadBalancerFailed"
        case .notEnoughClusterIPs: "not enough clusterips"
        default: "AllocationFailed"
        }
    }

    /// The Warning event text for `service`, as MetalLB words it.
    public func eventMessage(for service: ServiceKey) -> String {
        switch reason {
        case .invalidRequest: "invalid requested loadbalancer IPs: \(description)"
        case .notEnoughClusterIPs: description
        default: "Failed to allocate IP for \"\(service)\": \(description)"
        }
    }
}

/// Go's `%q` of a `[]net.IP`: `["192.168.1.1" "fd00::1"]`.
func goQuoted(_ ips: [IPAddress]) -> String {
    "[" + ips.map { "\"\($0)\"" }.joined(separator: " ") + "]"
}
