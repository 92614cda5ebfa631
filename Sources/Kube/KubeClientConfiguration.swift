/// Everything the client needs to reach one API server: where it is, how to trust it, and
/// who we are. Built from a kubeconfig (`Kubeconfig`) or from the service account a Pod
/// runs as (`InClusterConfiguration`).
public struct KubeClientConfiguration: Sendable, Equatable {
    /// How the client authenticates.
    public enum Credentials: Sendable, Equatable {
        case none
        /// A fixed bearer token (kubeconfig `token`).
        case bearerToken(String)
        /// A token read from a file and re-read when it rotates (kubeconfig `tokenFile`, the
        /// projected service-account token in a Pod, which the kubelet rotates hourly).
        case tokenFile(path: String)
    }

    /// `https://host:port` (or `http://` for a plain test server), without a trailing slash.
    public var server: String
    public var credentials: Credentials
    /// PEM of the CAs that sign the server certificate; nil uses the system trust store.
    public var certificateAuthorityPEM: [UInt8]?
    /// PEM client certificate and key for mutual TLS.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    /// Overrides the name checked in the server certificate (kubeconfig `tls-server-name`).
    public var tlsServerName: String?
    /// The namespace of the context or of the service account, if any.
    public var namespace: String?
    /// Where this configuration came from, for log lines and errors (a path or `in-cluster`).
    public var origin: String

    public init(
        server: String,
        credentials: Credentials = .none,
        certificateAuthorityPEM: [UInt8]? = nil,
        clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        namespace: String? = nil,
        origin: String = "explicit"
    ) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.credentials = credentials
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.namespace = namespace
        self.origin = origin
    }
}
