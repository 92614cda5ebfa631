import Kube

/// A core/v1 Namespace, read only for its labels (`serviceAllocation.namespaceSelectors`).
public struct KubeNamespace: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "Namespace"
    public static let plural = "namespaces"
    public static let namespaced = false

    public var apiVersion: String? = KubeNamespace.apiVersion
    public var kind: String? = KubeNamespace.kind
    public var metadata: ObjectMeta

    public init(metadata: ObjectMeta) { self.metadata = metadata }
}
