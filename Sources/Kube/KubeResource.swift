/// A Kubernetes resource type the generic client can list, get, watch and write.
///
/// The API path of a resource is derived from these static properties, the way
/// client-go's `RESTMapper` derives it from a `GroupVersionResource`. Every object carries
/// `metadata`, which the reflector uses to key its cache (`namespace/name`) and to track the
/// resourceVersion it resumes watches from.
public protocol KubeResource: Codable, Sendable {
    /// `v1` for the core group, `group/version` otherwise (e.g. `discovery.k8s.io/v1`).
    static var apiVersion: String { get }
    /// The `kind` written in objects (e.g. `Service`).
    static var kind: String { get }
    /// The lower-case plural used in URLs (e.g. `services`).
    static var plural: String { get }
    /// Whether objects live in a namespace (false for Node).
    static var namespaced: Bool { get }

    var metadata: ObjectMeta { get set }
}

extension KubeResource {
    /// The cache key client-go uses (`MetaNamespaceKeyFunc`): `namespace/name`, or `name`
    /// for cluster-scoped objects.
    public var key: String { metadata.key }

    /// The API path prefix of the resource's group version: `/api/v1` for the core group,
    /// `/apis/<group>/<version>` for the others.
    public static var groupVersionPath: String {
        apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
    }

    /// The collection path, in one namespace or across all of them (`namespace == nil`).
    public static func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace {
            return "\(groupVersionPath)/namespaces/\(namespace)/\(plural)"
        }
        return "\(groupVersionPath)/\(plural)"
    }

    /// The path of one object.
    public static func objectPath(name: String, namespace: String?) -> String {
        "\(collectionPath(namespace: namespaced ? namespace : nil))/\(name)"
    }
}

/// A `…List` answer: the items plus the list's resourceVersion and continue token.
public struct ObjectList<Item: KubeResource>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = ListMeta(), items: [Item]) {
        self.metadata = metadata
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server writes `"items": null` for an empty list in some versions.
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// `metadata` of a list: the snapshot's resourceVersion and the continue token of the next page.
public struct ListMeta: Codable, Sendable, Equatable {
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int?

    public init(resourceVersion: String? = nil, continue: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}
