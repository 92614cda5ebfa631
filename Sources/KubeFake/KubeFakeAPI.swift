import Config
import Foundation
import KubeJSON
import Logging

/// The API server's request handling: authentication, fault injection, routing, the registry
/// (through `ObjectStore`) and watch fan-out. One actor owns all of it, so every write and the
/// watch events it produces are ordered by the single resourceVersion counter.
public actor KubeFakeAPI {
    public internal(set) var store: ObjectStore
    public nonisolated let catalog: ResourceCatalog
    var rng = SystemRandomNumberGenerator()
    var acceptedTokens: Set<String>?
    public private(set) var faults = FaultSettings()
    nonisolated let pauseGate = PauseGate()
    var watchers: [Int: Watcher] = [:]
    var nextWatcherID = 1
    var bookmarkTask: Task<Void, Never>?
    let bookmarkInterval: Duration
    var serverAddress = "127.0.0.1:6443"
    /// Where every write is saved (`StateFile`), if anywhere.
    var stateFile: StateFile?
    let logger: Logger

    struct Watcher {
        let type: ResourceType
        let namespace: String?
        let labels: LabelSelector
        let fields: FieldSelector
        let bookmarks: Bool
        /// The client asked for server-side printing: event objects are one-row Tables.
        var asTable = false
        let continuation: AsyncStream<WatchStream.Chunk>.Continuation
        var timeoutTask: Task<Void, Never>?
    }

    /// - Parameters:
    ///   - historyLimit: changes kept for watches; a watch from an older resourceVersion gets 410.
    ///   - tokens: bearer tokens accepted; `nil` accepts every request.
    ///   - bookmarkInterval: how often watches that allow bookmarks get one.
    ///   - namespaces: namespaces that exist from the start (a real cluster has these four).
    public init(
        catalog: ResourceCatalog = .standard, historyLimit: Int = 1000, tokens: [String]? = nil,
        bookmarkInterval: Duration = .seconds(5),
        namespaces: [String] = ["default", "kube-system", "kube-public", "kube-node-lease"],
        logger: Logger = Logger(label: "kubefake")
    ) {
        self.catalog = catalog
        var store = ObjectStore(catalog: catalog, historyLimit: historyLimit)
        var rng = SystemRandomNumberGenerator()
        let namespaceType = catalog.lookup(group: "", version: "v1", plural: "namespaces")!
        for name in namespaces {
            _ = try? store.create(namespaceType, namespace: "", body: ["metadata": ["name": .string(name)]],
                                  now: Date(), using: &rng)
        }
        self.store = store
        self.acceptedTokens = tokens.map(Set.init)
        self.bookmarkInterval = bookmarkInterval
        self.logger = logger
    }

    func start(serverAddress: String) {
        self.serverAddress = serverAddress
        let interval = bookmarkInterval
        bookmarkTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.sendBookmarks()
            }
        }
    }

    func stop() {
        bookmarkTask?.cancel()
        bookmarkTask = nil
        for id in Array(watchers.keys) { finishWatcher(id) }
        pauseGate.resume()
    }

    // MARK: - Requests

    /// Answers one request; never throws, every failure becomes a `Status` response.
    public func handle(_ request: APIRequest) async -> APIResponse {
        if request.path.hasPrefix("/_fake/") { return handleAdmin(request) }
        if ["/healthz", "/livez", "/readyz"].contains(request.path) {
            return .full(status: 200, contentType: "text/plain", body: Array("ok".utf8))
        }
        await pauseGate.wait()
        if faults.responseDelay > .zero { try? await Task.sleep(for: faults.responseDelay) }
        if let acceptedTokens {
            let header = request.headers["authorization"] ?? ""
            guard header.hasPrefix("Bearer "), acceptedTokens.contains(String(header.dropFirst(7))) else {
                return .error(.unauthorized)
            }
        }
        if faults.failNextRequests > 0 || (faults.failureFraction > 0
            && Double.random(in: 0..<1, using: &rng) < faults.failureFraction)
        {
            if faults.failNextRequests > 0 { faults.failNextRequests -= 1 }
            let code = faults.failureStatus
            return .error(APIError(code: code, reason: FaultSettings.reason(forStatus: code),
                                   message: "injected fault: \(request.method) \(request.path)"))
        }
        do {
            return try route(request)
        } catch {
            return .error(error)
        }
    }

    func route(_ request: APIRequest) throws(APIError) -> APIResponse {
        let segments = request.segments
        switch segments.first {
        case nil:
            try requireGet(request)
            return .json(200, ["paths": ["/api", "/api/v1", "/apis", "/healthz", "/version"]])
        case "version" where segments.count == 1:
            try requireGet(request)
            return .json(200, ResourceCatalog.serverVersion)
        case "api":
            if segments.count == 1 {
                try requireGet(request)
                return .json(200, catalog.coreVersions(serverAddress: serverAddress))
            }
            return try groupVersionRequest(group: "", version: segments[1], rest: Array(segments.dropFirst(2)), request)
        case "apis":
            switch segments.count {
            case 1:
                try requireGet(request)
                return .json(200, catalog.groupList)
            case 2:
                try requireGet(request)
                guard catalog.groups.contains(segments[1]) else { throw APIError.pathNotFound(request.path) }
                return .json(200, catalog.groupDocument(segments[1]))
            default:
                return try groupVersionRequest(group: segments[1], version: segments[2],
                                               rest: Array(segments.dropFirst(3)), request)
            }
        default:
            // Includes /openapi/v2 and /openapi/v3: without them kubectl skips client-side
            // validation (`--validate=false`) and strategic-merge metadata comes from its own types.
            throw APIError.pathNotFound(request.path)
        }
    }

    func requireGet(_ request: APIRequest) throws(APIError) {
        guard request.method == "GET" || request.method == "HEAD" else {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func groupVersionRequest(group: String, version: String, rest: [String], _ request: APIRequest) throws(APIError)
        -> APIResponse
    {
        if rest.isEmpty {
            try requireGet(request)
            guard let list = catalog.resourceList(group: group, version: version) else {
                throw APIError.pathNotFound(request.path)
            }
            return .json(200, list)
        }
        var rest = rest
        var namespace: String?
        if rest.count >= 3, rest[0] == "namespaces",
           let type = catalog.lookup(group: group, version: version, plural: rest[2]), type.namespaced
        {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let type = catalog.lookup(group: group, version: version, plural: rest[0]) else {
            throw APIError.pathNotFound(request.path)
        }
        switch rest.count {
        case 1:
            return try collectionRequest(type, namespace: namespace, request)
        case 2, 3:
            guard type.namespaced == (namespace != nil) else { throw APIError.pathNotFound(request.path) }
            let subresource: ObjectStore.Subresource
            if rest.count == 3 {
                guard rest[2] == "status", type.hasStatusSubresource else { throw APIError.pathNotFound(request.path) }
                subresource = .status
            } else {
                subresource = .main
            }
            return try objectRequest(type, namespace: namespace ?? "", name: rest[1], subresource: subresource, request)
        default:
            throw APIError.pathNotFound(request.path)
        }
    }

    func collectionRequest(_ type: ResourceType, namespace: String?, _ request: APIRequest) throws(APIError)
        -> APIResponse
    {
        switch request.method {
        case "GET", "HEAD":
            if request.isWatch { return try startWatch(type, namespace: namespace, request) }
            let page = try store.list(
                type, namespace: namespace,
                labelSelector: try LabelSelector(queryParameter: request.query["labelSelector"] ?? ""),
                fieldSelector: try FieldSelector(parsing: request.query["fieldSelector"] ?? "", for: type),
                limit: try intParameter(request, "limit"), continueToken: request.query["continue"].flatMap { $0.isEmpty ? nil : $0 },
                exactResourceVersion: request.query["resourceVersionMatch"] == "Exact"
                    ? try int64Parameter(request, "resourceVersion") : nil)
            if TableConversion.wantsTable(request.headers["accept"]) {
                var metadata: JSONValue = ["resourceVersion": .string(String(page.resourceVersion))]
                if let token = page.continueToken { metadata["continue"] = .string(token) }
                return .json(200, TableConversion.table(type, objects: page.items, listMetadata: metadata, now: Date()))
            }
            return .full(status: 200, contentType: "application/json", body: listBody(type, page))
        case "POST":
            guard type.namespaced == (namespace != nil) else {
                throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
            }
            let body = try jsonBody(request)
            let outcome = try write(request) { store, rng throws(APIError) in
                try store.create(type, namespace: namespace ?? "", body: body, now: Date(), using: &rng)
            }
            return .full(status: 201, contentType: "application/json", body: outcome.object.bytes)
        case "DELETE":
            let labels = try LabelSelector(queryParameter: request.query["labelSelector"] ?? "")
            let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "", for: type)
            let page = try store.list(type, namespace: namespace, labelSelector: labels, fieldSelector: fields)
            var deleted: [StoredObject] = []
            for item in page.items {
                let outcome = try write(request) { store, _ throws(APIError) in
                    try store.delete(type, namespace: item.namespace, name: item.name, now: Date())
                }
                deleted.append(outcome.object)
            }
            let result = ObjectStore.ListPage(items: deleted, resourceVersion: store.resourceVersion)
            return .full(status: 200, contentType: "application/json", body: listBody(type, result))
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    func objectRequest(
        _ type: ResourceType, namespace: String, name: String, subresource: ObjectStore.Subresource,
        _ request: APIRequest
    ) throws(APIError) -> APIResponse {
        let outcome: ObjectStore.Outcome
        switch (request.method, subresource) {
        case ("GET", _), ("HEAD", _):
            let object = try store.get(type, namespace: namespace, name: name)
            if subresource == .main, TableConversion.wantsTable(request.headers["accept"]) {
                return .json(200, TableConversion.table(
                    type, objects: [object], listMetadata: ["resourceVersion": .string(object.resourceVersion)], now: Date()))
            }
            return .full(status: 200, contentType: "application/json", body: object.bytes)
        case ("PUT", _):
            let body = try jsonBody(request)
            outcome = try write(request) { store, _ throws(APIError) in
                try store.update(type, namespace: namespace, name: name, body: body, subresource: subresource, now: Date())
            }
        case ("PATCH", _):
            let contentType = request.headers["content-type"] ?? ""
            guard let patchType = PatchType(contentType: contentType) else {
                throw APIError.unsupportedMediaType(contentType, patch: true)
            }
            let patch = try jsonBody(request)
            outcome = try write(request) { store, _ throws(APIError) in
                try store.patch(type, namespace: namespace, name: name, patch: patch, patchType: patchType,
                                subresource: subresource, now: Date())
            }
        case ("DELETE", .main):
            var preconditions = ObjectStore.DeletePreconditions()
            if !request.body.isEmpty {
                let options = try jsonBody(request)
                preconditions.uid = options[path: ["preconditions", "uid"]]?.stringValue
                preconditions.resourceVersion = options[path: ["preconditions", "resourceVersion"]]?.stringValue
            }
            outcome = try write(request) { store, _ throws(APIError) in
                try store.delete(type, namespace: namespace, name: name, preconditions: preconditions, now: Date())
            }
            return .full(status: outcome.completed ? 200 : 202, contentType: "application/json",
                         body: outcome.object.bytes)
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        return .full(status: 200, contentType: "application/json", body: outcome.object.bytes)
    }

    /// Runs a write against the store and fans its changes out, or with `?dryRun=All` runs it
    /// against a copy and keeps nothing.
    func write(
        _ request: APIRequest,
        _ body: (inout ObjectStore, inout SystemRandomNumberGenerator) throws(APIError) -> ObjectStore.Outcome
    ) throws(APIError) -> ObjectStore.Outcome {
        if request.query["dryRun"] == "All" {
            var scratch = store
            return try body(&scratch, &rng)
        }
        let outcome = try body(&store, &rng)
        fanOut(outcome.changes)
        return outcome
    }

    func jsonBody(_ request: APIRequest) throws(APIError) -> JSONValue {
        let contentType = (request.headers["content-type"] ?? "application/json").lowercased()
        if request.method != "PATCH", !contentType.hasPrefix("application/json"), !contentType.hasPrefix("*/*") {
            throw APIError.unsupportedMediaType(contentType)
        }
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error.description)")
        }
    }

    func intParameter(_ request: APIRequest, _ name: String) throws(APIError) -> Int? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw APIError.badRequest("invalid value for \(name): \"\(text)\" is not a non-negative integer")
        }
        return value
    }

    func int64Parameter(_ request: APIRequest, _ name: String) throws(APIError) -> Int64? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw APIError.badRequest("invalid \(name): \"\(text)\"")
        }
        return value
    }

    func listBody(_ type: ResourceType, _ page: ObjectStore.ListPage) -> [UInt8] {
        var metadata: JSONValue = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .int(remaining) }
        var out: [UInt8] = []
        out.reserveCapacity(page.items.reduce(128) { $0 + $1.bytes.count + 1 })
        out.append(contentsOf: "{\"apiVersion\":".utf8)
        JSONValue.writeString(type.apiVersion, into: &out)
        out.append(contentsOf: ",\"items\":[".utf8)
        for (index, item) in page.items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.bytes)
        }
        out.append(contentsOf: "],\"kind\":".utf8)
        JSONValue.writeString(type.kind + "List", into: &out)
        out.append(contentsOf: ",\"metadata\":".utf8)
        metadata.write(into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    // MARK: - Watches

    func startWatch(_ type: ResourceType, namespace: String?, _ request: APIRequest) throws(APIError) -> APIResponse {
        let labels = try LabelSelector(queryParameter: request.query["labelSelector"] ?? "")
        let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "", for: type)
        let flag = { (name: String) in ["1", "true"].contains(request.query[name]?.lowercased() ?? "") }
        let bookmarks = flag("allowWatchBookmarks")
        let sendInitialEvents = flag("sendInitialEvents")
        let timeout = try intParameter(request, "timeoutSeconds")
        let rvText = request.query["resourceVersion"] ?? ""
        let id = nextWatcherID
        nextWatcherID += 1
        let (chunks, continuation) = AsyncStream.makeStream(
            of: WatchStream.Chunk.self, bufferingPolicy: .bufferingOldest(Self.watchBufferLimit))
        var watcher = Watcher(type: type, namespace: namespace, labels: labels, fields: fields, bookmarks: bookmarks,
                              continuation: continuation)
        watcher.asTable = TableConversion.wantsTable(request.headers["accept"])
        if sendInitialEvents || rvText.isEmpty || rvText == "0" {
            // "Start at most recent" / "any": synthetic ADDED events for the current state.
            let page = try store.list(type, namespace: namespace, labelSelector: labels, fieldSelector: fields)
            for object in page.items { continuation.yield(.event(Self.render(.added, object, for: watcher))) }
            if sendInitialEvents, bookmarks {
                continuation.yield(.event(bookmarkBytes(type, initialEventsEnd: true)))
            }
        } else {
            guard let rv = Int64(rvText), rv >= 0 else {
                throw APIError.badRequest("invalid resource version: \"\(rvText)\"")
            }
            do {
                for change in try store.changes(after: rv) {
                    if let bytes = Self.translate(change, for: watcher) { continuation.yield(.event(bytes)) }
                }
            } catch {
                // The real server answers 200 and then one ERROR event carrying the 410 Status.
                var event: [UInt8] = Array("{\"type\":\"ERROR\",\"object\":".utf8)
                error.status.write(into: &event)
                event.append(contentsOf: "}\n".utf8)
                continuation.yield(.event(event))
                continuation.finish()
                return .watch(WatchStream(id: id, chunks: chunks))
            }
        }
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(id) }
        }
        if let timeout, timeout > 0 {
            watcher.timeoutTask = Task { [weak self] in
                try? await Task.sleep(for: .seconds(timeout))
                if !Task.isCancelled { await self?.finishWatcher(id) }
            }
        }
        watchers[id] = watcher
        logger.debug("watch started", metadata: ["kubefake.watch": "\(id)", "kubefake.resource": "\(type.storageKey)"])
        return .watch(WatchStream(id: id, chunks: chunks))
    }

    func removeWatcher(_ id: Int) {
        if let watcher = watchers.removeValue(forKey: id) { watcher.timeoutTask?.cancel() }
    }

    /// Ends a watch cleanly (the response ends, as on `timeoutSeconds`).
    func finishWatcher(_ id: Int) {
        guard let watcher = watchers.removeValue(forKey: id) else { return }
        watcher.timeoutTask?.cancel()
        watcher.continuation.finish()
    }

    /// Events a watch may have queued before it is closed as too slow; like the real
    /// server's terminating of blocked watchers, the client then resumes from the last
    /// resourceVersion it saw (replayed from history, or 410 if that is gone).
    static let watchBufferLimit = 100_000

    func fanOut(_ changes: [ChangeRecord]) {
        persist(changes)
        guard !changes.isEmpty, !watchers.isEmpty else { return }
        var overflowed: [Int] = []
        for change in changes {
            for (id, watcher) in watchers {
                if let bytes = Self.translate(change, for: watcher),
                   case .dropped = watcher.continuation.yield(.event(bytes))
                {
                    overflowed.append(id)
                }
            }
        }
        for id in Set(overflowed) {
            logger.info("closing a watch that is not keeping up", metadata: ["kubefake.watch": "\(id)"])
            finishWatcher(id)
        }
    }

    /// What one watch sees of a change: with a selector, an object that starts matching is
    /// ADDED and one that stops matching is DELETED (the watch cache's filtering).
    static func translate(_ change: ChangeRecord, for watcher: Watcher) -> [UInt8]? {
        guard change.resource.storageKey == watcher.type.storageKey else { return nil }
        if let namespace = watcher.namespace, change.object.namespace != namespace { return nil }
        let unfiltered = watcher.labels.isEmpty && watcher.fields.requirements.isEmpty
        let matches = { (object: StoredObject) in
            unfiltered || (watcher.labels.matches(object.labels) && watcher.fields.matches(object.value))
        }
        switch change.type {
        case .added:
            return matches(change.object) ? render(.added, change.object, for: watcher) : nil
        case .modified:
            let was = change.previous.map(matches) ?? false
            let isNow = matches(change.object)
            switch (was, isNow) {
            case (true, true): return render(.modified, change.object, for: watcher)
            case (false, true): return render(.added, change.object, for: watcher)
            case (true, false): return render(.deleted, change.object, for: watcher)
            case (false, false): return nil
            }
        case .deleted:
            return (change.previous.map(matches) ?? matches(change.object)) ? render(.deleted, change.object, for: watcher) : nil
        }
    }

    static func render(_ type: WatchEventType, _ object: StoredObject, for watcher: Watcher) -> [UInt8] {
        let object = EventConversion.present(object, watcher.type)
        guard watcher.asTable else { return eventBytes(type, object) }
        let table = TableConversion.table(watcher.type, objects: [object],
                                          listMetadata: ["resourceVersion": .string(object.resourceVersion)], now: Date())
        return eventBytes(type, StoredObject(table))
    }

    static func eventBytes(_ type: WatchEventType, _ object: StoredObject) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(object.bytes.count + 32)
        out.append(contentsOf: "{\"type\":\"".utf8)
        out.append(contentsOf: type.rawValue.utf8)
        out.append(contentsOf: "\",\"object\":".utf8)
        out.append(contentsOf: object.bytes)
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// A BOOKMARK: only kind, apiVersion and the resourceVersion the watch has reached.
    func bookmarkBytes(_ type: ResourceType, initialEventsEnd: Bool = false) -> [UInt8] {
        var metadata: JSONValue = ["resourceVersion": .string(String(store.resourceVersion)), "creationTimestamp": nil]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let event: JSONValue = [
            "type": "BOOKMARK",
            "object": ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion), "metadata": metadata],
        ]
        return event.serialized() + [0x0A]
    }

    // MARK: - Direct access and fault injection (tests and the admin endpoint)

    /// Sends a BOOKMARK now to every watch that allows them.
    public func sendBookmarks() {
        for (id, watcher) in watchers where watcher.bookmarks {
            if case .dropped = watcher.continuation.yield(.event(bookmarkBytes(watcher.type))) { finishWatcher(id) }
        }
    }

    /// Cuts every open watch connection, as a network failure or API server restart would.
    public func dropAllWatches() {
        for (_, watcher) in watchers {
            watcher.timeoutTask?.cancel()
            watcher.continuation.yield(.abort)
            watcher.continuation.finish()
        }
        watchers.removeAll()
    }

    public var openWatchCount: Int { watchers.count }

    /// Requests (and watch deliveries) currently held by `pause()`.
    public nonisolated var heldByPauseCount: Int { pauseGate.waitingCount }

    public func compactHistory() { store.compact() }

    public func setHistoryLimit(_ limit: Int) { store.historyLimit = max(1, limit) }

    /// Replaces the accepted bearer tokens; `nil` turns authentication off.
    public func setAcceptedTokens(_ tokens: [String]?) { acceptedTokens = tokens.map(Set.init) }

    public func setFaults(_ settings: FaultSettings) {
        faults = settings
        if settings.paused { pauseGate.pause() } else { pauseGate.resume() }
    }

    public func failNextRequests(_ count: Int, status: Int = 500) {
        faults.failNextRequests = count
        faults.failureStatus = status
    }

    public func setFailureFraction(_ fraction: Double, status: Int = 500) {
        faults.failureFraction = min(1, max(0, fraction))
        faults.failureStatus = status
    }

    public func setResponseDelay(_ delay: Duration) { faults.responseDelay = delay }

    public func pause() {
        faults.paused = true
        pauseGate.pause()
    }

    public func resume() {
        faults.paused = false
        pauseGate.resume()
    }

    public func resourceType(_ name: String) throws(APIError) -> ResourceType {
        guard let type = catalog.type(named: name) else {
            throw APIError.badRequest("unknown resource \(name)")
        }
        return type
    }

    @discardableResult
    public func create(_ resource: String, namespace: String = "", _ object: JSONValue) throws(APIError) -> JSONValue {
        let type = try resourceType(resource)
        let outcome = try store.create(type, namespace: namespace, body: object, now: Date(), using: &rng)
        fanOut(outcome.changes)
        return outcome.object.value
    }

    public func get(_ resource: String, namespace: String = "", name: String) throws(APIError) -> JSONValue {
        try store.get(try resourceType(resource), namespace: namespace, name: name).value
    }

    @discardableResult
    public func update(_ resource: String, namespace: String = "", _ object: JSONValue, status: Bool = false)
        throws(APIError) -> JSONValue
    {
        let type = try resourceType(resource)
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let outcome = try store.update(type, namespace: namespace, name: name, body: object,
                                       subresource: status ? .status : .main, now: Date())
        fanOut(outcome.changes)
        return outcome.object.value
    }

    @discardableResult
    public func patch(_ resource: String, namespace: String = "", name: String, _ patch: JSONValue,
                      type patchType: PatchType = .merge, status: Bool = false) throws(APIError) -> JSONValue
    {
        let type = try resourceType(resource)
        let outcome = try store.patch(type, namespace: namespace, name: name, patch: patch, patchType: patchType,
                                      subresource: status ? .status : .main, now: Date())
        fanOut(outcome.changes)
        return outcome.object.value
    }

    public func delete(_ resource: String, namespace: String = "", name: String) throws(APIError) {
        let type = try resourceType(resource)
        fanOut(try store.delete(type, namespace: namespace, name: name, now: Date()).changes)
    }

    public func list(_ resource: String, namespace: String? = nil, labelSelector: String = "") throws(APIError)
        -> [JSONValue]
    {
        let type = try resourceType(resource)
        return try store.list(type, namespace: namespace, labelSelector: try LabelSelector(queryParameter: labelSelector))
            .items.map(\.value)
    }

    public var resourceVersion: Int64 { store.resourceVersion }

    // MARK: - Admin endpoint

    /// `/_fake/…`: fault injection for out-of-process tests. Not authenticated and never
    /// subject to faults, so a test can always switch them off again.
    ///
    /// - `POST /_fake/faults` with any of `{"dropWatches": true, "failNext": N, "failStatus": 500,
    ///   "failFraction": 0.5, "delayMilliseconds": 200, "compact": true, "pause": true|false,
    ///   "bookmarkNow": true, "reset": true}`; answers with the resulting settings.
    /// - `GET /_fake/faults`: the current settings.
    /// - `POST /_fake/tokens` with `{"tokens": ["a", "b"]}` (or `null` to disable auth).
    /// - `GET /_fake/state`: resourceVersion, oldest available resourceVersion, open watches.
    func handleAdmin(_ request: APIRequest) -> APIResponse {
        do throws(APIError) {
            switch (request.method, request.path) {
            case ("GET", "/_fake/faults"):
                return .json(200, faults.json)
            case ("POST", "/_fake/faults"):
                let body = try jsonBody(request)
                guard body.isObject else { throw APIError.badRequest("expected a JSON object") }
                if body["reset"]?.boolValue == true { setFaults(FaultSettings()) }
                if let count = body["failNext"]?.intValue { faults.failNextRequests = Int(count) }
                if let status = body["failStatus"]?.intValue { faults.failureStatus = Int(status) }
                if let fraction = body["failFraction"], let value = fraction.intValue.map(Double.init) ?? {
                    if case .double(let d) = fraction { return d } else { return nil }
                }() {
                    faults.failureFraction = min(1, max(0, value))
                }
                if let delay = body["delayMilliseconds"]?.intValue { faults.responseDelay = .milliseconds(delay) }
                if let pause = body["pause"]?.boolValue { pause ? self.pause() : resume() }
                if body["compact"]?.boolValue == true { compactHistory() }
                if body["dropWatches"]?.boolValue == true { dropAllWatches() }
                if body["bookmarkNow"]?.boolValue == true { sendBookmarks() }
                return .json(200, faults.json)
            case ("POST", "/_fake/tokens"):
                let body = try jsonBody(request)
                if let tokens = body["tokens"]?.arrayValue {
                    setAcceptedTokens(tokens.compactMap(\.stringValue))
                } else {
                    setAcceptedTokens(nil)
                }
                return .json(200, ["tokens": .int(Int64(acceptedTokens?.count ?? 0))])
            case ("GET", "/_fake/state"):
                return .json(200, [
                    "resourceVersion": .int(store.resourceVersion),
                    "oldestAvailableResourceVersion": .int(store.oldestAvailableResourceVersion),
                    "history": .int(Int64(store.history.count)), "watches": .int(Int64(watchers.count)),
                    "heldByPause": .int(Int64(pauseGate.waitingCount)),
                ])
            default:
                throw APIError.pathNotFound(request.path)
            }
        } catch {
            return .error(error)
        }
    }
}

extension ResourceCatalog {
    /// A resource by plural (`services`), qualified plural (`ipaddresspools.metallb.io`) or kind.
    public func type(named name: String) -> ResourceType? {
        types.first { $0.storageKey == name } ?? types.first { $0.plural == name } ?? types.first { $0.kind == name }
    }
}
