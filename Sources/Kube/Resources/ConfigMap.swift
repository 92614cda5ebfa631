/// A core/v1 ConfigMap: MetalLB's legacy configuration lives in key `config` of ConfigMap
/// `config` (fact sheet §5).
public struct ConfigMap: KubeResource, Equatable {
    public static let apiVersion = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"
    public static let namespaced = true

    public var apiVersion: String? = ConfigMap.apiVersion
    public var kind: String? = ConfigMap.kind
    public var metadata: ObjectMeta
    public var data: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}
