import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A Kubernetes API client for any `KubeResource`: list, get, watch, create, update,
/// merge-patch, delete, and the status subresource.
///
/// Built on AsyncHTTPClient with TLS from the configuration (CA, client certificate,
/// `insecure-skip-tls-verify`) and bearer authentication (a fixed token, or a token file
/// re-read on rotation). Failures the server reports arrive as `KubeAPIError`.
public final class KubeClient: Sendable {
    public let configuration: KubeClientConfiguration
    let http: HTTPClient
    let tokenFile: BearerTokenFile?
    let logger: Logger
    /// Deadline of one ordinary request (not of watches).
    public let requestTimeout: Duration
    /// The largest response body accepted (a 10,000-object list page is far below it).
    let maximumBodySize = 256 << 20

    /// Creates the client.
    /// - Throws: `KubeConfigError` when the certificate or key material is not valid PEM.
    public init(
        configuration: KubeClientConfiguration,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "swiftlb.kube")
    ) throws(KubeConfigError) {
        self.configuration = configuration
        self.requestTimeout = requestTimeout
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = configuration.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = configuration.clientCertificatePEM, let key = configuration.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubeConfigError(file: configuration.origin, problem: "invalid certificate or key PEM: \(error)")
        }
        if configuration.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        }
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            // No read timeout: a quiet watch is legitimate; watches end by `timeoutSeconds`.
            // (AsyncHTTPClient retries failed TLS handshakes until the connect timeout.)
            timeout: .init(connect: .init(connectTimeout), read: nil)
        )
        // Every informer's watch holds one connection for its whole life, and a daemon runs 5-7
        // of them; AsyncHTTPClient's default of 8 per host left writes and Lease renewals
        // waiting for a free connection. Room for the watches plus concurrent writes.
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        if case .tokenFile(let path) = configuration.credentials {
            tokenFile = BearerTokenFile(path: path)
        } else {
            tokenFile = nil
        }
    }

    /// Closes connections. Call once, when done.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    // MARK: - Raw requests

    /// An HTTP response whose status was 2xx.
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    func makeRequest(
        method: HTTPMethod,
        path: String,
        query: [(String, String)],
        body: [UInt8]?,
        contentType: String?,
        accept: String = "application/json"
    ) async throws -> HTTPClientRequest {
        var components = URLComponents()
        components.percentEncodedPath = path
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        }
        // `+` is legal in a query but the API server reads it as a space; encode it.
        let target = (components.string ?? path).replacingOccurrences(of: "+", with: "%2B")
        var request = HTTPClientRequest(url: configuration.server + target)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "swiftlb")
        if let token = try await bearerToken() {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    func bearerToken() async throws -> String? {
        switch configuration.credentials {
        case .none: return nil
        case .bearerToken(let token): return token
        case .tokenFile: return try await tokenFile?.current()
        }
    }

    /// Sends one request and collects the body; non-2xx answers throw `KubeAPIError`.
    /// A 401 with a token file re-reads the file once and retries (rotation).
    func send(
        _ method: HTTPMethod,
        path: String,
        query: [(String, String)] = [],
        body: [UInt8]? = nil,
        contentType: String? = nil
    ) async throws -> Response {
        var retriedAuthentication = false
        while true {
            let request = try await makeRequest(
                method: method,
                path: path,
                query: query,
                body: body,
                contentType: contentType
            )
            let response = try await http.execute(request, timeout: .init(requestTimeout))
            let bytes = Array(buffer: try await response.body.collect(upTo: maximumBodySize))
            let status = Int(response.status.code)
            if (200..<300).contains(status) {
                return Response(status: status, body: bytes)
            }
            if status == 401, let tokenFile, !retriedAuthentication {
                retriedAuthentication = true
                await tokenFile.invalidate()
                continue
            }
            let error = KubeAPIError(httpStatus: status, body: bytes)
            logger.debug(
                "Kubernetes API request failed",
                metadata: ["kube.method": "\(method.rawValue)", "kube.path": "\(path)", "kube.error": "\(error)"]
            )
            throw error
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
