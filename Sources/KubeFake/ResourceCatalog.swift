/// One kind of object the fake serves, as discovery describes it (`APIResource` in
/// k8s.io/apimachinery/pkg/apis/meta/v1/types.go) plus the storage rules its registry
/// strategy would apply.
public struct ResourceType: Sendable, Hashable {
    /// API group; empty for the legacy core group served under `/api/v1`.
    public var group: String
    public var version: String
    /// Plural lower-case name used in paths (`services`).
    public var plural: String
    public var singular: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String]
    /// Whether `/status` exists; when it does the main resource ignores status changes and
    /// `/status` ignores everything else (the registry strategies' PrepareForUpdate).
    public var hasStatusSubresource: Bool
    /// Served from a CustomResourceDefinition rather than compiled into the server: such
    /// resources reject updates without `metadata.resourceVersion`
    /// (apiextensions-apiserver customResourceStrategy.AllowUnconditionalUpdate is false) and
    /// strategic merge patch (415), and are stored exactly as sent.
    public var isCustomResource: Bool
    public var categories: [String]

    public init(
        group: String, version: String, plural: String, singular: String, kind: String, namespaced: Bool,
        shortNames: [String] = [], hasStatusSubresource: Bool = false, isCustomResource: Bool = false,
        categories: [String] = []
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.hasStatusSubresource = hasStatusSubresource
        self.isCustomResource = isCustomResource
        self.categories = categories
    }

    /// `v1` or `group/version`, as written in objects' `apiVersion`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// Storage identity: group and plural (one version per group here). `events.k8s.io`
    /// Events share the core Events' storage (see `EventConversion`).
    public var storageKey: String {
        if group == "events.k8s.io", plural == "events" { return "events" }
        return qualifiedName
    }

    /// The name kubectl and error messages use: `services`, `ipaddresspools.metallb.io`.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public static let verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
}

/// The resources KubeFake serves: those SwiftLB reads and writes (issue 5), plus the
/// CustomResourceDefinition endpoint so `kubectl apply` of MetalLB's CRD manifests succeeds.
public struct ResourceCatalog: Sendable {
    public var types: [ResourceType]

    public static let standard = ResourceCatalog(types: [
        ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
                     namespaced: false, shortNames: ["ns"], hasStatusSubresource: true),
        ResourceType(group: "", version: "v1", plural: "services", singular: "service", kind: "Service",
                     namespaced: true, shortNames: ["svc"], hasStatusSubresource: true, categories: ["all"]),
        ResourceType(group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints",
                     namespaced: true, shortNames: ["ep"]),
        ResourceType(group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod",
                     namespaced: true, shortNames: ["po"], hasStatusSubresource: true, categories: ["all"]),
        ResourceType(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
                     namespaced: true, shortNames: ["cm"]),
        ResourceType(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret",
                     namespaced: true),
        ResourceType(group: "", version: "v1", plural: "nodes", singular: "node", kind: "Node",
                     namespaced: false, shortNames: ["no"], hasStatusSubresource: true),
        ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice",
                     kind: "EndpointSlice", namespaced: true),
        ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
                     namespaced: true),
        ResourceType(group: "metallb.io", version: "v1beta1", plural: "ipaddresspools", singular: "ipaddresspool",
                     kind: "IPAddressPool", namespaced: true, hasStatusSubresource: true,
                     isCustomResource: true),
        ResourceType(group: "metallb.io", version: "v1beta1", plural: "l2advertisements", singular: "l2advertisement",
                     kind: "L2Advertisement", namespaced: true, isCustomResource: true),
        ResourceType(group: "metallb.io", version: "v1beta1", plural: "servicel2statuses", singular: "servicel2status",
                     kind: "ServiceL2Status", namespaced: true, hasStatusSubresource: true,
                     isCustomResource: true),
        ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
                     singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
                     shortNames: ["crd", "crds"], hasStatusSubresource: true),
    ])

    /// Groups in the order `/apis` lists them (the core group is served by `/api`).
    public var groups: [String] {
        var seen: [String] = []
        for type in types where !type.group.isEmpty && !seen.contains(type.group) { seen.append(type.group) }
        return seen
    }

    public func lookup(group: String, version: String, plural: String) -> ResourceType? {
        types.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    public func versions(of group: String) -> [String] {
        var seen: [String] = []
        for type in types where type.group == group && !seen.contains(type.version) { seen.append(type.version) }
        return seen
    }

    public func types(group: String, version: String) -> [ResourceType] {
        types.filter { $0.group == group && $0.version == version }
    }
}
