import Addressing
import ClusterModel

/// The address families a Service wants, from `spec.ipFamilies` (MetalLB derives the same
/// from the ClusterIPs, `ipfamily.ForService`).
public enum ServiceFamily: String, Hashable, Sendable, CustomStringConvertible {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"
    case dualStack = "DualStack"

    public init(_ family: IPFamily) { self = family == .ipv4 ? .ipv4 : .ipv6 }

    /// The family of a Service: dual stack with two families, else its one family (IPv4 if unset).
    public init(of service: LoadBalancerService) {
        if Set(service.ipFamilies).count >= 2 {
            self = .dualStack
        } else {
            self = ServiceFamily(service.ipFamilies.first ?? .ipv4)
        }
    }

    /// The family of a set of IPs: one IP, or two of different families; nil otherwise.
    public init?(of ips: [IPAddress]) {
        switch ips.count {
        case 1: self = ServiceFamily(ips[0].family)
        case 2 where ips[0].family != ips[1].family: self = .dualStack
        default: return nil
        }
    }

    public var description: String { rawValue }
}
