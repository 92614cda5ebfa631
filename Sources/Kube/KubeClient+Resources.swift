import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Selectors and paging of a list or watch.
public struct ListOptions: Sendable, Equatable {
    /// `app=speaker,tier!=x` (label selector syntax).
    public var labelSelector: String?
    /// `metadata.name=foo`, `spec.nodeName=n1` (field selector syntax).
    public var fieldSelector: String?
    /// Page size; nil lists everything at once.
    public var limit: Int?
    public var continueToken: String?
    /// `""` (default) asks for the most recent state; `"0"` allows a cached answer.
    public var resourceVersion: String?

    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        limit: Int? = nil,
        continueToken: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        return items
    }
}

extension KubeClient {
    /// Lists one page of objects (all of them when `options.limit` is nil).
    /// - Parameter namespace: nil lists across all namespaces (or a cluster-scoped kind).
    public func list<Object: KubeResource>(
        _ type: Object.Type,
        namespace: String? = nil,
        options: ListOptions = ListOptions()
    ) async throws -> ObjectList<Object> {
        let response = try await send(.GET, path: Object.collectionPath(namespace: namespace), query: options.query)
        return try decode(ObjectList<Object>.self, from: response.body)
    }

    /// Lists every object, following `continue` tokens page by page.
    public func listAll<Object: KubeResource>(
        _ type: Object.Type,
        namespace: String? = nil,
        options: ListOptions = ListOptions(limit: 500)
    ) async throws -> ObjectList<Object> {
        var options = options
        var result = try await list(type, namespace: namespace, options: options)
        while let token = result.metadata.continue, !token.isEmpty {
            options.continueToken = token
            let page = try await list(type, namespace: namespace, options: options)
            result.items += page.items
            result.metadata = page.metadata
        }
        return result
    }

    public func get<Object: KubeResource>(_ type: Object.Type, name: String, namespace: String? = nil) async throws
        -> Object
    {
        let response = try await send(.GET, path: Object.objectPath(name: name, namespace: namespace))
        return try decode(Object.self, from: response.body)
    }

    /// Creates `object` in its `metadata.namespace` (or `namespace` when given).
    public func create<Object: KubeResource>(_ object: Object, namespace: String? = nil) async throws -> Object {
        let path = Object.collectionPath(namespace: namespace ?? object.metadata.namespace)
        let response = try await send(.POST, path: path, body: try encode(object))
        return try decode(Object.self, from: response.body)
    }

    /// Replaces `object` (PUT). Its `metadata.resourceVersion` makes the write conditional:
    /// a stale one fails with 409 Conflict.
    public func update<Object: KubeResource>(_ object: Object) async throws -> Object {
        try await put(object, subresource: nil)
    }

    /// Replaces the status subresource of `object` (PUT `…/status`); the spec is ignored.
    public func updateStatus<Object: KubeResource>(_ object: Object) async throws -> Object {
        try await put(object, subresource: "status")
    }

    func put<Object: KubeResource>(_ object: Object, subresource: String?) async throws -> Object {
        guard let name = object.metadata.name else {
            throw KubeAPIError(code: 400, reason: "BadRequest", message: "update needs metadata.name")
        }
        var path = Object.objectPath(name: name, namespace: object.metadata.namespace)
        if let subresource { path += "/\(subresource)" }
        let response = try await send(.PUT, path: path, body: try encode(object))
        return try decode(Object.self, from: response.body)
    }

    /// Applies a JSON merge patch (RFC 7386, `application/merge-patch+json`): fields present
    /// in `patch` replace the object's, `null` deletes, everything else is kept, including
    /// fields this client does not model.
    /// - Parameter subresource: `"status"` to patch the status subresource.
    public func mergePatch<Object: KubeResource>(
        _ type: Object.Type,
        name: String,
        namespace: String? = nil,
        patch: some Encodable,
        subresource: String? = nil
    ) async throws -> Object {
        var path = Object.objectPath(name: name, namespace: namespace)
        if let subresource { path += "/\(subresource)" }
        let response = try await send(
            .PATCH,
            path: path,
            body: try encode(patch),
            contentType: "application/merge-patch+json"
        )
        return try decode(Object.self, from: response.body)
    }

    /// Deletes an object. A missing object is reported as `KubeAPIError` 404.
    public func delete<Object: KubeResource>(_ type: Object.Type, name: String, namespace: String? = nil)
        async throws
    {
        _ = try await send(.DELETE, path: Object.objectPath(name: name, namespace: namespace))
    }

    /// Reads an object, applies `mutate`, and writes it back with its resourceVersion; on
    /// 409 Conflict (someone wrote in between) reads again and retries, up to `maxAttempts`
    /// times, like client-go's `retry.RetryOnConflict`.
    /// - Parameter status: write the status subresource instead of the object.
    /// - Returns: the object as written.
    public func update<Object: KubeResource>(
        _ type: Object.Type,
        name: String,
        namespace: String? = nil,
        status: Bool = false,
        maxAttempts: Int = 5,
        mutate: (inout Object) async throws -> Void
    ) async throws -> Object {
        var attempt = 1
        while true {
            var object = try await get(type, name: name, namespace: namespace)
            try await mutate(&object)
            do {
                return try await put(object, subresource: status ? "status" : nil)
            } catch let error as KubeAPIError where error.isConflict && attempt < maxAttempts {
                logger.debug(
                    "conflict writing object, retrying",
                    metadata: ["kube.object": "\(Object.kind) \(object.key)", "kube.attempt": "\(attempt)"]
                )
                attempt += 1
            }
        }
    }

    /// Opens a watch from `resourceVersion`, with bookmarks. The server closes it after
    /// `timeoutSeconds`; the sequence then ends normally.
    public func watch<Object: KubeResource>(
        _ type: Object.Type,
        namespace: String? = nil,
        options: ListOptions = ListOptions(),
        timeoutSeconds: Int = 300
    ) async throws -> WatchEventSequence<Object> {
        var query = ListOptions(
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
            resourceVersion: options.resourceVersion
        ).query
        query += [("watch", "true"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(timeoutSeconds))]
        var retriedAuthentication = false
        while true {
            let request = try await makeRequest(
                method: .GET,
                path: Object.collectionPath(namespace: namespace),
                query: query,
                body: nil,
                contentType: nil
            )
            // The deadline bounds the whole stream; the server ends it at `timeoutSeconds`.
            let response = try await http.execute(request, timeout: .seconds(Int64(timeoutSeconds) + 60))
            let status = Int(response.status.code)
            if status == 200 {
                return WatchEventSequence(body: response.body)
            }
            let bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
            if status == 401, let tokenFile, !retriedAuthentication {
                retriedAuthentication = true
                await tokenFile.invalidate()
                continue
            }
            throw KubeAPIError(httpStatus: status, body: bytes)
        }
    }
}

/// The events of one watch response, decoded as the body streams in.
public struct WatchEventSequence<Object: KubeResource>: AsyncSequence {
    public typealias Element = WatchEvent<Object>
    let body: HTTPClientResponse.Body

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        var body: HTTPClientResponse.Body.AsyncIterator
        var decoder = WatchEventDecoder<Object>()
        var ready: [WatchEvent<Object>] = []
        var readyIndex = 0
        var finished = false

        public mutating func next() async throws -> WatchEvent<Object>? {
            while readyIndex == ready.count {
                if finished { return nil }
                ready.removeAll(keepingCapacity: true)
                readyIndex = 0
                if let chunk = try await body.next() {
                    ready = try decoder.feed(chunk.readableBytesView)
                } else {
                    finished = true
                    ready = try decoder.finish()
                }
            }
            defer { readyIndex += 1 }
            return ready[readyIndex]
        }
    }
}
