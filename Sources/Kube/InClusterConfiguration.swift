import Foundation

/// The configuration of a client running in a Pod: the service account's token, CA and
/// namespace files, and the API server address from `KUBERNETES_SERVICE_HOST/PORT`
/// (client-go `rest.InClusterConfig`).
public struct InClusterConfiguration: Sendable {
    /// Where the service-account files live; injectable for tests.
    public struct Paths: Sendable {
        public var token: String
        public var certificateAuthority: String
        public var namespace: String

        public init(directory: String = "/var/run/secrets/kubernetes.io/serviceaccount") {
            token = "\(directory)/token"
            certificateAuthority = "\(directory)/ca.crt"
            namespace = "\(directory)/namespace"
        }
    }

    /// Whether the process looks like it runs in a Pod (the service host variable is set).
    public static func isAvailable(environment: [String: String]) -> Bool {
        !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty
    }

    /// Builds the configuration.
    /// - Throws: `KubeConfigError` with file `in-cluster` when the environment or a file is missing.
    public static func load(
        paths: Paths = Paths(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        func fail(_ problem: String) -> KubeConfigError { KubeConfigError(file: "in-cluster", problem: problem) }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw fail("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        guard FileManager.default.isReadableFile(atPath: paths.token) else {
            throw fail("token file \(paths.token) cannot be read")
        }
        guard let ca = FileManager.default.contents(atPath: paths.certificateAuthority) else {
            throw fail("CA file \(paths.certificateAuthority) cannot be read")
        }
        let namespace = FileManager.default.contents(atPath: paths.namespace).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeClientConfiguration(
            server: "https://\(hostPart):\(port)",
            credentials: .tokenFile(path: paths.token),
            certificateAuthorityPEM: Array(ca),
            namespace: namespace,
            origin: "in-cluster"
        )
    }

    /// The configuration client-go's `ctrl.GetConfig` would pick: an explicit kubeconfig
    /// path, else `KUBECONFIG`, else in-cluster, else `~/.kube/config`.
    public static func automatic(
        kubeconfig: String? = nil,
        context: String? = nil,
        paths: Paths = Paths(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        if let kubeconfig {
            return try Kubeconfig.load(path: kubeconfig, context: context)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty, let path = Kubeconfig.defaultPath(environment: environment) {
            return try Kubeconfig.load(path: path, context: context)
        }
        if isAvailable(environment: environment) {
            return try load(paths: paths, environment: environment)
        }
        if let path = Kubeconfig.defaultPath(environment: environment) {
            return try Kubeconfig.load(path: path, context: context)
        }
        throw KubeConfigError(
            file: "(none)",
            problem: "no kubeconfig given, KUBECONFIG unset, not running in a cluster, and ~/.kube/config missing"
        )
    }
}
