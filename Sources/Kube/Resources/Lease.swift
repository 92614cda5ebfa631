/// A `coordination.k8s.io/v1` Lease: the lock of leader election (client-go `resourcelock`).
public struct Lease: KubeResource, Equatable {
    public static let apiVersion = "coordination.k8s.io/v1"
    public static let kind = "Lease"
    public static let plural = "leases"
    public static let namespaced = true

    public var apiVersion: String? = Lease.apiVersion
    public var kind: String? = Lease.kind
    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        /// MicroTime strings, written by the holder from its own clock. Other candidates
        /// never compare them with their clocks; they only notice that they change.
        public var acquireTime: String?
        public var renewTime: String?
        public var leaseTransitions: Int?

        public init(
            holderIdentity: String? = nil,
            leaseDurationSeconds: Int? = nil,
            acquireTime: String? = nil,
            renewTime: String? = nil,
            leaseTransitions: Int? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }
}
