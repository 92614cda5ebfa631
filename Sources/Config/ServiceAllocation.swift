/// `IPAddressPool.spec.serviceAllocation`: pins a pool to some Services.
///
/// MetalLB (internal/allocator) first tries, in ascending `priority`, the auto-assign pools
/// whose `serviceAllocation` selects the Service, then every auto-assign pool without
/// `serviceAllocation`. A priority of 0 (the default) sorts after every positive priority.
/// A Service matches when its namespace is in `namespaces` or matched by one of the
/// `namespaceSelectors` (if either is set), and one of the `serviceSelectors` matches its
/// labels (if any is set).
public struct ServiceAllocation: Hashable, Sendable {
    public var priority: Int
    public var namespaces: [String]
    public var namespaceSelectors: [LabelSelector]
    public var serviceSelectors: [LabelSelector]

    public init(
        priority: Int = 0,
        namespaces: [String] = [],
        namespaceSelectors: [LabelSelector] = [],
        serviceSelectors: [LabelSelector] = []
    ) {
        self.priority = priority
        self.namespaces = namespaces
        self.namespaceSelectors = namespaceSelectors
        self.serviceSelectors = serviceSelectors
    }

    /// Whether a Service in `namespace` (whose Namespace carries `namespaceLabels`) with
    /// `serviceLabels` may take addresses from the pool.
    public func allows(namespace: String, namespaceLabels: [String: String], serviceLabels: [String: String]) -> Bool {
        let namespaceRestricted = !namespaces.isEmpty || !namespaceSelectors.isEmpty
        if namespaceRestricted {
            let named = namespaces.contains(namespace)
            let selected = namespaceSelectors.contains { $0.matches(namespaceLabels) }
            guard named || selected else { return false }
        }
        if !serviceSelectors.isEmpty {
            guard serviceSelectors.contains(where: { $0.matches(serviceLabels) }) else { return false }
        }
        return true
    }
}
