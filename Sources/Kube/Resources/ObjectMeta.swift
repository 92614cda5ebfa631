/// The `metadata` every Kubernetes object carries (k8s.io/apimachinery ObjectMeta).
///
/// Every field is optional because the API server omits empty ones and clients send only
/// what they set; unknown fields (managedFields, finalizers, …) are ignored when decoding.
public struct ObjectMeta: Codable, Sendable, Equatable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(
        name: String? = nil,
        namespace: String? = nil,
        generateName: String? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil,
        resourceVersion: String? = nil,
        uid: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.generateName = generateName
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.resourceVersion = resourceVersion
        self.uid = uid
    }

    /// `namespace/name`, or `name` for cluster-scoped objects (client-go `MetaNamespaceKeyFunc`).
    public var key: String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name ?? "")" }
        return name ?? ""
    }
}

/// A reference to the object that owns this one; garbage collection deletes dependents.
public struct OwnerReference: Codable, Sendable, Equatable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}

/// A `metav1.Condition` (Service status conditions, CRD conditions).
public struct Condition: Codable, Sendable, Equatable, Hashable {
    public var type: String
    public var status: String
    public var observedGeneration: Int64?
    public var lastTransitionTime: String?
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}

/// A reference to another object, used by Events (`regarding`, `related`).
public struct ObjectReference: Codable, Sendable, Equatable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(
        apiVersion: String? = nil,
        kind: String? = nil,
        namespace: String? = nil,
        name: String? = nil,
        uid: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// A reference to `object`, as client-go's `reference.GetReference` builds it.
    public init<Object: KubeResource>(to object: Object) {
        self.init(
            apiVersion: Object.apiVersion,
            kind: Object.kind,
            namespace: object.metadata.namespace,
            name: object.metadata.name,
            uid: object.metadata.uid
        )
    }
}

/// A label selector (`matchLabels` + `matchExpressions`), as the MetalLB CRDs use it.
public struct LabelSelector: Codable, Sendable, Equatable, Hashable {
    public struct Requirement: Codable, Sendable, Equatable, Hashable {
        public var key: String
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}
