/// A core/v1 Node (cluster-scoped): labels for node selectors, `spec.unschedulable`, and
/// the conditions MetalLB checks (`NetworkUnavailable`, fact sheet §9 #1710).
public struct Node: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "Node"
    public static let plural = "nodes"
    public static let namespaced = false

    public var apiVersion: String? = Node.apiVersion
    public var kind: String? = Node.kind
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var unschedulable: Bool?
        public var podCIDR: String?
        public var podCIDRs: [String]?
        public var providerID: String?

        public init(unschedulable: Bool? = nil) { self.unschedulable = unschedulable }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var conditions: [NodeCondition]?
        public var addresses: [NodeAddress]?

        public init(conditions: [NodeCondition]? = nil, addresses: [NodeAddress]? = nil) {
            self.conditions = conditions
            self.addresses = addresses
        }
    }

    public struct NodeCondition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
        public var lastHeartbeatTime: String?
        public var lastTransitionTime: String?

        public init(type: String, status: String, reason: String? = nil) {
            self.type = type
            self.status = status
            self.reason = reason
        }
    }

    public struct NodeAddress: Codable, Sendable, Equatable {
        /// `InternalIP`, `ExternalIP`, `Hostname`, …
        public var type: String
        public var address: String

        public init(type: String, address: String) {
            self.type = type
            self.address = address
        }
    }

    /// The status of condition `type` (`"True"`, `"False"`, `"Unknown"`), if reported.
    public func condition(_ type: String) -> String? {
        status?.conditions?.first { $0.type == type }?.status
    }
}
