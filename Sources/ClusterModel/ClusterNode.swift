/// A Kubernetes Node as the election sees it: its name (which is also its memberlist member
/// name in MetalLB), its labels (for L2Advertisement `nodeSelectors`) and the one condition
/// MetalLB reads.
public struct ClusterNode: Hashable, Sendable {
    /// The well-known label that removes a node from external load balancers
    /// (`node.kubernetes.io/exclude-from-external-load-balancers`); MetalLB v0.14.0+ honours
    /// its mere presence, whatever the value (internal/k8s/nodes/nodes.go).
    public static let excludeFromExternalLoadBalancersLabel = "node.kubernetes.io/exclude-from-external-load-balancers"

    public var name: String
    public var labels: [String: String]
    /// Condition `NetworkUnavailable=True` (MetalLB v0.14.0+ drops such nodes, issue #1710).
    public var networkUnavailable: Bool

    public init(name: String, labels: [String: String] = [:], networkUnavailable: Bool = false) {
        self.name = name
        self.labels = labels
        self.networkUnavailable = networkUnavailable
    }

    public var isExcludedFromExternalLoadBalancers: Bool {
        labels[Self.excludeFromExternalLoadBalancersLabel] != nil
    }
}
