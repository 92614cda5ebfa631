/// A core/v1 Pod: speakers find their peers by listing Pods with the speaker labels and
/// reading `status.podIP` (memberlist bind address) and `spec.nodeName`.
public struct Pod: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "Pod"
    public static let plural = "pods"
    public static let namespaced = true

    public var apiVersion: String? = Pod.apiVersion
    public var kind: String? = Pod.kind
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Only the fields we read; containers and the rest of the spec are ignored on decode.
    public struct Spec: Codable, Sendable, Equatable {
        public var nodeName: String?
        public var hostNetwork: Bool?

        public init(nodeName: String? = nil) { self.nodeName = nodeName }
    }

    public struct Status: Codable, Sendable, Equatable {
        /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
        public var phase: String?
        public var podIP: String?
        public var podIPs: [PodIP]?
        public var hostIP: String?
        public var conditions: [Condition]?

        public init(phase: String? = nil, podIP: String? = nil, hostIP: String? = nil) {
            self.phase = phase
            self.podIP = podIP
            self.hostIP = hostIP
        }
    }

    public struct PodIP: Codable, Sendable, Equatable {
        public var ip: String
    }

    /// A pod condition; Pods use `lastProbeTime` besides the generic fields.
    public struct Condition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
    }
}
