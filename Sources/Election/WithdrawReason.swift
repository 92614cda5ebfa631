/// Why a node does not announce a Service's IP, or why nobody does.
///
/// The raw values follow MetalLB's reason strings where MetalLB has one (`notOwner`,
/// `noIPAllocated`, `noMatchingAdvertisement`, …; speaker/main.go and
/// speaker/layer2_controller.go) so logs read the same; MetalLB folds several of the
/// node-level cases into `notOwner`, which we keep apart because `swiftlb status` explains them.
public enum WithdrawReason: String, Hashable, Sendable, CaseIterable {
    // Service-wide: nobody announces.
    /// `spec.loadBalancerClass` is set and is not ours (or ours is set and it differs).
    case loadBalancerClassMismatch
    /// Not `type: LoadBalancer`.
    case notLoadBalancer
    /// `status.loadBalancer.ingress` holds no IP yet.
    case noIPAllocated
    /// An ingress entry is not an IP address.
    case invalidIP
    /// The ingress IPs do not all lie in one configured pool.
    case ipNotAllowed
    /// No endpoint of the Service can serve, on any node (MetalLB checks this whatever
    /// the traffic policy).
    case noEndpoints
    /// No L2Advertisement covers the pool and selects the Service: the IP is allocated but
    /// never announced.
    case noApplicableAdvertisement
    /// The Service shares its IP (`allow-shared-ip`) and an applicable advertisement has
    /// `serviceSelectors`, which MetalLB (main, after v0.16.1) refuses to announce.
    case sharedIPWithServiceSelector
    /// Every node was filtered out.
    case noCandidates

    // Per node: this node is not a candidate, or lost.
    /// The node's speaker is not a live gossip member (dead, left, never joined).
    case notMember
    /// A gossip member without a Node object: no advertisement can select it.
    case unknownNode
    /// The Node has condition `NetworkUnavailable=True`.
    case networkUnavailable
    /// The Node carries `node.kubernetes.io/exclude-from-external-load-balancers`.
    case excludedFromLoadBalancers
    /// The node's announcing interface is down (SwiftLB member metadata; off by default).
    case announcingInterfaceDown
    /// No applicable advertisement's `nodeSelectors` selects the node.
    case noMatchingAdvertisement
    /// `externalTrafficPolicy: Local` and no serving endpoint runs on the node.
    case noLocalEndpoint
    /// A candidate, but another candidate hashes first.
    case notOwner

    /// True for the reasons that silence every node.
    public var isServiceWide: Bool {
        switch self {
        case .loadBalancerClassMismatch, .notLoadBalancer, .noIPAllocated, .invalidIP, .ipNotAllowed, .noEndpoints,
             .noApplicableAdvertisement, .sharedIPWithServiceSelector, .noCandidates:
            true
        case .notMember, .unknownNode, .networkUnavailable, .excludedFromLoadBalancers, .announcingInterfaceDown,
             .noMatchingAdvertisement, .noLocalEndpoint, .notOwner:
            false
        }
    }
}
