/// One EndpointSlice endpoint of a Service: where a backend runs and whether it can serve.
public struct ServiceEndpoint: Hashable, Sendable {
    public var address: String
    /// `nodeName`; endpoints without one never make a node eligible under `Local`.
    public var nodeName: String?
    /// `conditions.ready`; nil means unknown, which Kubernetes says to treat as ready.
    public var ready: Bool?
    /// `conditions.serving`: ready or terminating-but-still-serving.
    public var serving: Bool?

    public init(address: String, nodeName: String?, ready: Bool? = true, serving: Bool? = nil) {
        self.address = address
        self.nodeName = nodeName
        self.ready = ready
        self.serving = serving
    }

    /// MetalLB's `EndpointCanServe` (internal/k8s/epslices): ready unset or true, else serving.
    public var canServe: Bool {
        if ready ?? true { return true }
        return serving ?? false
    }
}
