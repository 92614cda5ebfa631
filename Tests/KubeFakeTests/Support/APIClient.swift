import AsyncHTTPClient
import Foundation
import KubeFake
import NIOCore
import NIOHTTP1

/// Direct HTTP access to a KubeFake server for the tests that check the wire behaviour.
struct APIClient {
    let server: KubeFakeServer
    var token: String?

    init(_ server: KubeFakeServer, token: String? = nil) {
        self.server = server
        self.token = token ?? server.token
    }

    struct Reply {
        var status: Int
        var contentType: String
        var body: JSONValue
        var text: String
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil,
                 contentType: String = "application/json", headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: server.url + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let text = String(buffer: bytes)
        let json = (try? JSONValue.parse(text)) ?? .null
        return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
                     body: json, text: text)
    }

    func get(_ path: String) async throws -> Reply { try await request(.GET, path) }

    func post(_ path: String, _ body: JSONValue) async throws -> Reply {
        try await request(.POST, path, body: body.jsonText)
    }

    func put(_ path: String, _ body: JSONValue) async throws -> Reply {
        try await request(.PUT, path, body: body.jsonText)
    }

    func patch(_ path: String, _ body: JSONValue, type: String = "application/merge-patch+json") async throws -> Reply {
        try await request(.PATCH, path, body: body.jsonText, contentType: type)
    }

    /// Opens a watch; its events (parsed JSON lines) arrive in the returned collector until the
    /// server ends the response or `cancel()` is called.
    func watch(_ path: String) async throws -> WatchConnection {
        var request = HTTPClientRequest(url: server.url + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let collector = LineCollector()
        let reader = Task {
            do {
                for try await buffer in response.body { collector.append(text: String(buffer: buffer)) }
            } catch {}
            collector.finish()
        }
        return WatchConnection(status: Int(response.status.code), collector: collector, reader: reader)
    }
}

struct WatchConnection {
    let status: Int
    let collector: LineCollector
    let reader: Task<Void, Never>

    /// Parsed events once `count` have arrived (or the stream ended, or `timeout` passed).
    func events(_ count: Int, within timeout: Duration = .seconds(10)) async -> [JSONValue] {
        await collector.wait(for: count, within: timeout).map { (try? JSONValue.parse($0)) ?? .string($0) }
    }

    /// True once the server has ended the response (within `timeout`).
    func ended(within timeout: Duration = .seconds(10)) async -> Bool {
        _ = await collector.wait(for: Int.max, within: timeout)
        return collector.isFinished
    }

    func cancel() { reader.cancel() }
}

extension JSONValue {
    var eventType: String? { self["type"]?.stringValue }
    var eventName: String? { self[path: ["object", "metadata", "name"]]?.stringValue }
}
