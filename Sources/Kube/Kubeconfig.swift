import Foundation
import Yams

/// A kubeconfig file (`clientcmdapi.Config`): clusters, users, contexts.
///
/// Only the fields SwiftLB uses are read; others (exec plugins, auth providers, proxies)
/// are ignored, and a user that needs them fails with a clear error when it has no other
/// credential. Relative paths are resolved against the file's directory, as `clientcmd` does.
public struct Kubeconfig: Decodable, Sendable {
    public struct NamedCluster: Decodable, Sendable {
        public var name: String
        public var cluster: Cluster
    }

    public struct Cluster: Decodable, Sendable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    public struct NamedUser: Decodable, Sendable {
        public var name: String
        public var user: User?
    }

    public struct User: Decodable, Sendable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }

    public struct NamedContext: Decodable, Sendable {
        public var name: String
        public var context: Context
    }

    public struct Context: Decodable, Sendable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public var clusters: [NamedCluster]?
    public var users: [NamedUser]?
    public var contexts: [NamedContext]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// The default kubeconfig path: the first existing file of `KUBECONFIG` (a colon list),
    /// else `~/.kube/config` if it exists.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            return paths.first { FileManager.default.fileExists(atPath: $0) } ?? paths.first
        }
        if let home = environment["HOME"] {
            let path = "\(home)/.kube/config"
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    /// Reads and resolves a kubeconfig file.
    /// - Parameters:
    ///   - path: the file.
    ///   - context: a context name, or nil for `current-context`.
    /// - Throws: `KubeConfigError` naming `path` and the problem.
    public static func load(path: String, context: String? = nil) throws(KubeConfigError) -> KubeClientConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw KubeConfigError(file: path, problem: exists ? "cannot be read" : "no such file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(yaml: text, file: path, directory: directory, context: context)
    }

    /// Parses kubeconfig YAML and resolves the chosen context into a client configuration.
    /// - Parameters:
    ///   - file: named in errors.
    ///   - directory: relative certificate and token paths are resolved against it.
    public static func parse(
        yaml: String,
        file: String,
        directory: String = ".",
        context requested: String? = nil
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        let config: Kubeconfig
        do {
            guard try Yams.load(yaml: yaml) is [String: Any] else {
                throw KubeConfigError(file: file, problem: "not a kubeconfig (expected a YAML mapping)")
            }
            config = try YAMLDecoder().decode(Kubeconfig.self, from: yaml)
        } catch let error as KubeConfigError {
            throw error
        } catch let error as DecodingError {
            throw KubeConfigError(file: file, problem: describe(error))
        } catch {
            throw KubeConfigError(file: file, problem: "invalid YAML: \(error)")
        }
        return try config.resolve(file: file, directory: directory, context: requested)
    }

    func resolve(file: String, directory: String, context requested: String?) throws(KubeConfigError) -> KubeClientConfiguration {
        func fail(_ problem: String) -> KubeConfigError { KubeConfigError(file: file, problem: problem) }

        guard let contextName = requested ?? currentContext.flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw fail("no current-context set and no context requested")
        }
        guard let context = contexts?.first(where: { $0.name == contextName })?.context else {
            throw fail("context \"\(contextName)\" not found")
        }
        guard let cluster = clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw fail("cluster \"\(context.cluster)\" of context \"\(contextName)\" not found")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw fail("cluster \"\(context.cluster)\" has no server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw fail("cluster \"\(context.cluster)\" server \"\(server)\" is not an http(s) URL")
        }
        var user = User(token: nil, tokenFile: nil, clientCertificate: nil, clientCertificateData: nil, clientKey: nil, clientKeyData: nil)
        if let userName = context.user, !userName.isEmpty {
            guard let named = users?.first(where: { $0.name == userName }) else {
                throw fail("user \"\(userName)\" of context \"\(contextName)\" not found")
            }
            user = named.user ?? user
        }

        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : "\(directory)/\(path)"
        }
        func material(data: String?, path: String?, field: String) throws(KubeConfigError) -> [UInt8]? {
            if let data, !data.isEmpty {
                let compact = data.filter { !$0.isWhitespace }
                guard let decoded = Data(base64Encoded: compact) else {
                    throw fail("\(field)-data is not valid base64")
                }
                return Array(decoded)
            }
            if let path, !path.isEmpty {
                let resolved = absolute(path)
                guard let contents = FileManager.default.contents(atPath: resolved) else {
                    throw fail("\(field) file \(resolved) cannot be read")
                }
                return Array(contents)
            }
            return nil
        }

        let ca = try material(
            data: cluster.certificateAuthorityData,
            path: cluster.certificateAuthority,
            field: "certificate-authority"
        )
        let certificate = try material(
            data: user.clientCertificateData,
            path: user.clientCertificate,
            field: "client-certificate"
        )
        let key = try material(data: user.clientKeyData, path: user.clientKey, field: "client-key")
        if (certificate == nil) != (key == nil) {
            throw fail("user \"\(context.user ?? "")\" has a client certificate without a key or a key without a certificate")
        }
        let credentials: KubeClientConfiguration.Credentials
        if let token = user.token, !token.isEmpty {
            credentials = .bearerToken(token)
        } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            credentials = .tokenFile(path: absolute(tokenFile))
        } else {
            credentials = .none
        }
        return KubeClientConfiguration(
            server: server,
            credentials: credentials,
            certificateAuthorityPEM: ca,
            clientCertificatePEM: certificate,
            clientKeyPEM: key,
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
            tlsServerName: cluster.tlsServerName,
            namespace: context.namespace,
            origin: file
        )
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { key in
                key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
            }.joined()
            return components.isEmpty ? "top level" : String(components.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing field \"\(key.stringValue)\"\(at == "top level" ? "" : " in \(at)")"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "invalid YAML at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "invalid kubeconfig"
        }
    }
}
