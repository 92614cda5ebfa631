import Foundation
import KubeFake
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Bad requests get Kubernetes `Status` errors with the right code, and the server keeps serving.
@Suite(.serialized) struct MalformedRequestTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var method: HTTPMethod
        var path: String
        var body: String?
        var contentType = "application/json"
        var code: Int
        var reason: String
        var testDescription: String { "\(method) \(path) → \(code)" }
    }

    static let cm = "/api/v1/namespaces/default/configmaps"

    static let cases: [Case] = [
        Case(method: .POST, path: cm, body: "{not json", code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: "", code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: "[1,2,3]", code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"x"}}"#,
             code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: #"{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"x"}}"#,
             code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: #"{"kind":"ConfigMap","metadata":{}}"#, code: 422, reason: "Invalid"),
        Case(method: .POST, path: cm, body: #"{"kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#, code: 422,
             reason: "Invalid"),
        Case(method: .POST, path: cm, body: #"{"kind":"ConfigMap","metadata":"nope"}"#, code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: #"{"kind":"ConfigMap","metadata":{"name":"a","namespace":"other"}}"#,
             code: 400, reason: "BadRequest"),
        Case(method: .POST, path: cm, body: "\u{8}\u{0}binary", contentType: "application/vnd.kubernetes.protobuf",
             code: 415, reason: "UnsupportedMediaType"),
        Case(method: .PATCH, path: "\(cm)/exists", body: "{}", contentType: "application/json-patch+json", code: 415,
             reason: "UnsupportedMediaType"),
        Case(method: .PATCH, path: "\(cm)/exists", body: "[]", contentType: "application/merge-patch+json", code: 400,
             reason: "BadRequest"),
        Case(method: .PATCH, path: "\(cm)/exists", body: #"{"metadata":{"name":"renamed"}}"#,
             contentType: "application/merge-patch+json", code: 422, reason: "Invalid"),
        Case(method: .PUT, path: "\(cm)/exists", body: #"{"kind":"ConfigMap","metadata":{"name":"other"}}"#,
             code: 400, reason: "BadRequest"),
        Case(method: .PUT, path: "\(cm)/missing", body: #"{"kind":"ConfigMap","metadata":{"name":"missing"}}"#,
             code: 404, reason: "NotFound"),
        Case(method: .GET, path: "\(cm)?labelSelector=a%20in%20(b", code: 400, reason: "BadRequest"),
        Case(method: .GET, path: "\(cm)?fieldSelector=spec.nodeName%3Dx", code: 400, reason: "BadRequest"),
        Case(method: .GET, path: "\(cm)?limit=-3", code: 400, reason: "BadRequest"),
        Case(method: .GET, path: "\(cm)?limit=2&continue=%%%garbage", code: 400, reason: "BadRequest"),
        Case(method: .GET, path: "\(cm)?watch=1&resourceVersion=abc", code: 400, reason: "BadRequest"),
        Case(method: .GET, path: "/api/v1/namespaces/default/widgets", code: 404, reason: "NotFound"),
        Case(method: .GET, path: "/apis/nope.example.com/v1/things", code: 404, reason: "NotFound"),
        Case(method: .GET, path: "/api/v1/configmaps/no-namespace-given", code: 404, reason: "NotFound"),
        Case(method: .GET, path: "\(cm)/exists/status", code: 404, reason: "NotFound"),
        Case(method: .GET, path: "/api/v1/namespaces/default/configmaps/a/b/c/d", code: 404, reason: "NotFound"),
        Case(method: .GET, path: "/openapi/v2", code: 404, reason: "NotFound"),
        Case(method: .POST, path: "/api/v1/configmaps", body: "{}", code: 405, reason: "MethodNotAllowed"),
        Case(method: .DELETE, path: "/version", code: 405, reason: "MethodNotAllowed"),
        Case(method: .POST, path: "/_fake/faults", body: "[]", code: 400, reason: "BadRequest"),
    ]

    @Test(.timeLimit(.minutes(1)))
    func everyMalformedRequestGetsAStatusAndTheServerKeepsServing() async throws {
        let server = try await KubeFakeServer.start()
        defer { Task { await server.shutdown() } }
        let client = APIClient(server)
        try await server.api.create("configmaps", namespace: "default", ["metadata": ["name": "exists"], "data": [:]])
        for item in Self.cases {
            let reply = try await client.request(item.method, item.path, body: item.body, contentType: item.contentType)
            #expect(reply.status == item.code, "\(item.testDescription): \(reply.text)")
            #expect(reply.body["kind"] == "Status", "\(item.testDescription)")
            #expect(reply.body["reason"] == .string(item.reason), "\(item.testDescription): \(reply.text)")
            #expect(reply.body["code"] == .int(Int64(item.code)))
            #expect(reply.contentType.hasPrefix("application/json"))
        }
        #expect(try await client.get("/version").status == 200)
        #expect(try await client.get("\(Self.cm)/exists").status == 200)
    }

    /// Bytes that are not HTTP at all, and a request cut off in the middle, must not take the
    /// server down.
    @Test(.timeLimit(.minutes(1)))
    func garbageOnTheSocketDoesNotStopTheServer() async throws {
        let server = try await KubeFakeServer.start()
        defer { Task { await server.shutdown() } }
        let payloads: [[UInt8]] = [
            Array("\u{0}\u{1}\u{2}NOT HTTP\r\n\r\n".utf8),
            Array("GET /api HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n".utf8),
            Array("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"kin".utf8),
            (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) },
        ]
        for payload in payloads {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: server.host, port: server.port).get()
            // The server may hang up first (it answers 400 and closes): that is fine.
            try? await channel.writeAndFlush(ByteBuffer(bytes: payload))
            try? await channel.close()
        }
        let client = APIClient(server)
        #expect(try await client.get("/api").status == 200)
        #expect(try await client.get("/api/v1/namespaces").body["items"]?.arrayValue?.count == 4)
    }
}
