import Foundation
import KubeJSON
import Logging
import NIOCore

/// A running KubeFake API server: an HTTP(S) listener in front of `KubeFakeAPI`.
///
/// ```swift
/// let server = try await KubeFakeServer.start(token: "secret")
/// try server.writeKubeconfig(to: path)        // for kubectl or the Kube client
/// try await server.api.create("services", namespace: "default", service)
/// await server.api.dropAllWatches()           // fault injection
/// await server.shutdown()
/// ```
public final class KubeFakeServer: Sendable {
    /// Requests, storage, watches and faults; use it directly to seed and inspect objects.
    public let api: KubeFakeAPI
    /// `http://127.0.0.1:PORT` or `https://…` as clients should use it.
    public let url: String
    public let host: String
    public let port: Int
    /// The bearer token written into kubeconfigs (the accepted set can change at runtime).
    public let token: String?
    /// PEM of the self-signed serving certificate when started with TLS; it is its own CA.
    public let certificateAuthorityPEM: String?
    private let http: HTTPServer

    private init(api: KubeFakeAPI, url: String, host: String, port: Int, token: String?,
                 certificateAuthorityPEM: String?, http: HTTPServer) {
        self.api = api
        self.url = url
        self.host = host
        self.port = port
        self.token = token
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.http = http
    }

    /// Binds and starts serving.
    /// - Parameters:
    ///   - port: 0 picks a free port (see `port`).
    ///   - token: when set, every API request needs `Authorization: Bearer <token>`.
    ///   - tls: serve HTTPS with a freshly made self-signed certificate.
    ///   - historyLimit: watch history size; older resourceVersions get 410 Gone.
    ///   - bookmarkInterval: period of BOOKMARK events on watches that allow them.
    ///   - stateFile: load objects from this file if it exists and save every write to it.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, token: String? = nil, tls: Bool = false,
        historyLimit: Int = 1000, bookmarkInterval: Duration = .seconds(5),
        namespaces: [String] = ["default", "kube-system", "kube-public", "kube-node-lease"],
        logger: Logger = Logger(label: "kubefake"), stateFile: String? = nil
    ) async throws -> KubeFakeServer {
        let api = KubeFakeAPI(historyLimit: historyLimit, tokens: token.map { [$0] }, bookmarkInterval: bookmarkInterval,
                              namespaces: namespaces, logger: logger)
        if let stateFile { try await api.useStateFile(StateFile(path: stateFile)) }
        let certificate = tls ? try SelfSignedCertificate(host: host) : nil
        let http = try await HTTPServer.start(host: host, port: port, tls: certificate?.sslContext, api: api,
                                              logger: logger)
        let boundPort = http.localAddress.port ?? port
        // A wildcard listen address is reached through loopback.
        let clientHost = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
        let authority = clientHost.contains(":") ? "[\(clientHost)]:\(boundPort)" : "\(clientHost):\(boundPort)"
        await api.start(serverAddress: authority)
        let url = "\(tls ? "https" : "http")://\(authority)"
        logger.info("KubeFake serving", metadata: ["kubefake.url": "\(url)", "kubefake.tls": "\(tls)"])
        return KubeFakeServer(api: api, url: url, host: clientHost, port: boundPort, token: token,
                              certificateAuthorityPEM: certificate?.certificatePEM, http: http)
    }

    /// Ends every watch, closes the listener and all connections.
    public func shutdown() async {
        await api.stop()
        await http.shutdown()
    }

    // MARK: Fault injection and auth (forwarded to `api`)

    /// Replaces the accepted bearer tokens at runtime (`nil`: no authentication).
    public func setAcceptedTokens(_ tokens: [String]?) async { await api.setAcceptedTokens(tokens) }
    /// Cuts every open watch connection.
    public func dropAllWatches() async { await api.dropAllWatches() }
    /// Answers the next `count` requests with `status` (a Status error).
    public func failNextRequests(_ count: Int, status: Int = 500) async { await api.failNextRequests(count, status: status) }
    /// Fails this fraction of requests at random.
    public func setFailureFraction(_ fraction: Double, status: Int = 500) async {
        await api.setFailureFraction(fraction, status: status)
    }
    /// Delays every response.
    public func setResponseDelay(_ delay: Duration) async { await api.setResponseDelay(delay) }
    /// Drops the watch history: older resourceVersions now get 410 Gone.
    public func compactHistory() async { await api.compactHistory() }
    /// Holds every request and watch delivery until `resume()`.
    public func pause() async { await api.pause() }
    public func resume() async { await api.resume() }
    /// A BOOKMARK now on every watch that allows them.
    public func sendBookmarks() async { await api.sendBookmarks() }

    /// A kubeconfig for this server: one cluster, user and context named `kubefake`, namespace
    /// `default`; the token (if any) and the CA data (if TLS) included.
    public func kubeconfigYAML(token overrideToken: String? = nil, namespace: String = "default") -> String {
        let token = overrideToken ?? self.token
        var lines = [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: kubefake",
            "  cluster:",
            "    server: \(Self.quoted(url))",
        ]
        if let certificateAuthorityPEM {
            lines.append("    certificate-authority-data: \(Data(certificateAuthorityPEM.utf8).base64EncodedString())")
        }
        lines += [
            "contexts:",
            "- name: kubefake",
            "  context:",
            "    cluster: kubefake",
            "    user: kubefake",
            "    namespace: \(Self.quoted(namespace))",
            "current-context: kubefake",
            "preferences: {}",
            "users:",
            "- name: kubefake",
            token.map { "  user:\n    token: \(Self.quoted($0))" } ?? "  user: {}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `kubeconfigYAML()` to a file readable only by its owner (it may hold a token).
    public func writeKubeconfig(to path: String, token overrideToken: String? = nil) throws {
        let url = URL(fileURLWithPath: path)
        try Data(kubeconfigYAML(token: overrideToken).utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// A YAML double-quoted scalar (JSON string syntax is valid YAML).
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONValue.writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
