/// A core/v1 Service: the controller assigns `status.loadBalancer.ingress` to those of
/// `type: LoadBalancer`, the speaker announces them.
public struct Service: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "Service"
    public static let plural = "services"
    public static let namespaced = true

    public var apiVersion: String? = Service.apiVersion
    public var kind: String? = Service.kind
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var type: String?
        public var ports: [Port]?
        public var selector: [String: String]?
        public var clusterIP: String?
        public var clusterIPs: [String]?
        public var loadBalancerIP: String?
        public var loadBalancerClass: String?
        public var externalTrafficPolicy: String?
        public var internalTrafficPolicy: String?
        public var ipFamilies: [String]?
        public var ipFamilyPolicy: String?
        public var allocateLoadBalancerNodePorts: Bool?
        public var sessionAffinity: String?

        public init(
            type: String? = nil,
            ports: [Port]? = nil,
            selector: [String: String]? = nil,
            loadBalancerIP: String? = nil,
            loadBalancerClass: String? = nil,
            externalTrafficPolicy: String? = nil,
            ipFamilies: [String]? = nil,
            ipFamilyPolicy: String? = nil
        ) {
            self.type = type
            self.ports = ports
            self.selector = selector
            self.loadBalancerIP = loadBalancerIP
            self.loadBalancerClass = loadBalancerClass
            self.externalTrafficPolicy = externalTrafficPolicy
            self.ipFamilies = ipFamilies
            self.ipFamilyPolicy = ipFamilyPolicy
        }
    }

    public struct Port: Codable, Sendable, Equatable {
        public var name: String?
        public var `protocol`: String?
        public var port: Int
        public var targetPort: IntOrString?
        public var nodePort: Int?
        public var appProtocol: String?

        public init(name: String? = nil, protocol: String? = "TCP", port: Int, targetPort: IntOrString? = nil) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.targetPort = targetPort
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var loadBalancer: LoadBalancerStatus?
        public var conditions: [Condition]?

        public init(loadBalancer: LoadBalancerStatus? = nil, conditions: [Condition]? = nil) {
            self.loadBalancer = loadBalancer
            self.conditions = conditions
        }
    }

    public struct LoadBalancerStatus: Codable, Sendable, Equatable {
        public var ingress: [Ingress]?

        public init(ingress: [Ingress]? = nil) { self.ingress = ingress }
    }

    /// One `status.loadBalancer.ingress` entry; MetalLB writes one `{ip}` per address.
    public struct Ingress: Codable, Sendable, Equatable {
        public var ip: String?
        public var hostname: String?
        /// `VIP` or `Proxy` (Kubernetes 1.30+).
        public var ipMode: String?
        public var ports: [PortStatus]?

        public init(ip: String? = nil, hostname: String? = nil, ipMode: String? = nil) {
            self.ip = ip
            self.hostname = hostname
            self.ipMode = ipMode
        }
    }

    public struct PortStatus: Codable, Sendable, Equatable {
        public var port: Int
        public var `protocol`: String
        public var error: String?
    }
}

/// `intstr.IntOrString`: a port number or a named port.
public enum IntOrString: Codable, Sendable, Equatable, Hashable {
    case int(Int)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}
