import Addressing

/// The parts of a Kubernetes `Service` that IP allocation and owner election read.
///
/// Both MetalLB components look only at these fields (controller/service.go,
/// speaker/layer2_controller.go); keeping them in one small value lets the pure cores run
/// without any Kubernetes client types.
public struct LoadBalancerService: Hashable, Sendable {
    public var key: ServiceKey
    public var type: ServiceType
    public var labels: [String: String]
    public var annotations: [String: String]
    /// `spec.loadBalancerIP` as written (deprecated upstream, still honoured by MetalLB).
    public var loadBalancerIP: String?
    /// `spec.loadBalancerClass`; MetalLB skips Services whose class is not its own.
    public var loadBalancerClass: String?
    public var externalTrafficPolicy: ExternalTrafficPolicy
    /// `spec.ipFamilies` in order; the first family is the primary one.
    public var ipFamilies: [IPFamily]
    /// `spec.ipFamilyPolicy`; absent means `SingleStack`, as MetalLB reads it.
    public var ipFamilyPolicy: IPFamilyPolicy?
    public var ports: [ServicePort]
    /// `spec.selector`; its sorted `k=v` form is the sharing backend key for `Local` Services.
    public var selector: [String: String]
    /// `status.loadBalancer.ingress[].ip` as written (text, possibly malformed).
    public var ingressIPs: [String]

    public init(
        key: ServiceKey,
        type: ServiceType = .loadBalancer,
        labels: [String: String] = [:],
        annotations: [String: String] = [:],
        loadBalancerIP: String? = nil,
        loadBalancerClass: String? = nil,
        externalTrafficPolicy: ExternalTrafficPolicy = .cluster,
        ipFamilies: [IPFamily] = [.ipv4],
        ipFamilyPolicy: IPFamilyPolicy? = nil,
        ports: [ServicePort] = [],
        selector: [String: String] = [:],
        ingressIPs: [String] = []
    ) {
        self.key = key
        self.type = type
        self.labels = labels
        self.annotations = annotations
        self.loadBalancerIP = loadBalancerIP
        self.loadBalancerClass = loadBalancerClass
        self.externalTrafficPolicy = externalTrafficPolicy
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = ipFamilyPolicy
        self.ports = ports
        self.selector = selector
        self.ingressIPs = ingressIPs
    }

    /// The ingress IPs parsed; nil if any entry is not an IP (MetalLB's `invalidIP`).
    public var parsedIngressIPs: [IPAddress]? {
        var result: [IPAddress] = []
        result.reserveCapacity(ingressIPs.count)
        for text in ingressIPs where !text.isEmpty {
            guard let ip = IPAddress(text) else { return nil }
            result.append(ip)
        }
        return result
    }

    /// The value of the first annotation present among `names` (stable name first, then the
    /// deprecated `metallb.universe.tf/` one, as MetalLB's `valueForAnnotation` does).
    public func annotation(_ names: [String]) -> String? {
        for name in names {
            if let value = annotations[name] { return value }
        }
        return nil
    }
}

/// `spec.type` of a Service.
public enum ServiceType: String, Hashable, Sendable, CaseIterable {
    case clusterIP = "ClusterIP"
    case nodePort = "NodePort"
    case loadBalancer = "LoadBalancer"
    case externalName = "ExternalName"
}

/// `spec.externalTrafficPolicy`. `Local` restricts announcing nodes to those with an endpoint.
public enum ExternalTrafficPolicy: String, Hashable, Sendable, CaseIterable {
    case cluster = "Cluster"
    case local = "Local"
}

/// `spec.ipFamilyPolicy`.
public enum IPFamilyPolicy: String, Hashable, Sendable, CaseIterable {
    case singleStack = "SingleStack"
    case preferDualStack = "PreferDualStack"
    case requireDualStack = "RequireDualStack"
}

/// A port's transport protocol, as `spec.ports[].protocol` names it.
public enum TransportProtocol: String, Hashable, Sendable, CaseIterable, Comparable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One `spec.ports[]` entry: what IP sharing must keep disjoint.
public struct ServicePort: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var transportProtocol: TransportProtocol
    public var port: Int

    public init(_ transportProtocol: TransportProtocol, _ port: Int) {
        self.transportProtocol = transportProtocol
        self.port = port
    }

    /// `TCP/80`, the form MetalLB prints in its port-conflict message.
    public var description: String { "\(transportProtocol.rawValue)/\(port)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.transportProtocol, lhs.port) < (rhs.transportProtocol, rhs.port)
    }
}
