import Kube

/// The controller's own apps/v1 Deployment, read only for its name and UID: the memberlist
/// Secret the controller creates names it as owner, so deleting SwiftLB deletes the key it
/// generated (MetalLB does the same; `METALLB_DEPLOYMENT`, default `controller`).
public struct ControllerDeployment: KubeResource, Equatable {
    public static let apiVersion = "apps/v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"
    public static let namespaced = true

    public var apiVersion: String? = ControllerDeployment.apiVersion
    public var kind: String? = ControllerDeployment.kind
    public var metadata: ObjectMeta

    public init(metadata: ObjectMeta) { self.metadata = metadata }
}
