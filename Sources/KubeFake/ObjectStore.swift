import Config
import Foundation
import KubeJSON

/// The API server's storage and registry rules as a value: objects of every served resource,
/// one global resourceVersion counter (etcd's revision), and a bounded history of changes
/// (the watch cache). Pure: time and randomness come in as parameters, changes go out as
/// `ChangeRecord`s that the shell fans out to watches.
public struct ObjectStore: Sendable {
    public let catalog: ResourceCatalog
    /// The revision of the last write; every write takes the next integer.
    public internal(set) var resourceVersion: Int64 = 1
    /// Changes kept for watches and consistent list pages, oldest first.
    public var history: ArraySlice<ChangeRecord> { historyStorage[historyStart...] }
    var historyStorage: [ChangeRecord] = []
    var historyStart = 0
    /// Every change after this resourceVersion is still in `history`; a watch or list from an
    /// older one gets 410 Gone.
    public internal(set) var oldestAvailableResourceVersion: Int64 = 1
    /// How many changes `history` keeps before dropping the oldest.
    public var historyLimit: Int

    var objects: [String: [String: StoredObject]] = [:]
    var sortedKeys: [String: [String]] = [:]
    var nextServiceIP: UInt32 = (10 << 24) | (96 << 16) | 10
    var nextNodePort: Int64 = 30000

    public init(catalog: ResourceCatalog = .standard, historyLimit: Int = 1000) {
        self.catalog = catalog
        self.historyLimit = max(1, historyLimit)
    }

    public enum Subresource: Sendable, Equatable {
        case main
        case status
    }

    public struct Outcome: Sendable {
        public var object: StoredObject
        public var changes: [ChangeRecord]
        /// False when a delete only marked the object (finalizers pending): HTTP 202.
        public var completed: Bool = true
    }

    static func key(namespace: String, name: String, namespaced: Bool) -> String {
        namespaced ? "\(namespace)/\(name)" : name
    }

    // MARK: Reads

    public func get(_ type: ResourceType, namespace: String, name: String) throws(APIError) -> StoredObject {
        guard let object = objects[type.storageKey]?[Self.key(namespace: namespace, name: name,
                                                              namespaced: type.namespaced)]
        else { throw APIError.notFound(type, name: name) }
        return EventConversion.present(object, type)
    }

    /// The stored form (core `v1` for Events), for the write paths.
    func stored(_ type: ResourceType, namespace: String, name: String) throws(APIError) -> StoredObject {
        guard let object = objects[type.storageKey]?[Self.key(namespace: namespace, name: name,
                                                              namespaced: type.namespaced)]
        else { throw APIError.notFound(type, name: name) }
        return object
    }

    /// Static on purpose: `self.present(self.commit(…))` would hold a copy of `self` across the
    /// mutation and force a copy-on-write of all storage on every write.
    static func present(_ outcome: Outcome, _ type: ResourceType) -> Outcome {
        var outcome = outcome
        outcome.object = EventConversion.present(outcome.object, type)
        return outcome
    }

    public func count(_ type: ResourceType) -> Int { objects[type.storageKey]?.count ?? 0 }

    public struct ListPage: Sendable {
        public var items: [StoredObject]
        public var resourceVersion: Int64
        public var continueToken: String?
        public var remainingItemCount: Int64?
    }

    /// A list, optionally one page of it. Later pages (`continueToken`) are served from the
    /// snapshot at the first page's resourceVersion, rebuilt by undoing newer changes, so a
    /// paginated list is consistent; once those changes have left the history the token is
    /// too old and the answer is 410 Expired, as with etcd compaction.
    public mutating func list(
        _ type: ResourceType, namespace: String?, labelSelector: LabelSelector = .everything,
        fieldSelector: FieldSelector = .everything, limit: Int? = nil, continueToken: String? = nil,
        exactResourceVersion: Int64? = nil
    ) throws(APIError) -> ListPage {
        var snapshotRV = resourceVersion
        var startAfter: String?
        if let continueToken {
            let token = try ContinueToken(decoding: continueToken)
            guard token.resourceVersion >= oldestAvailableResourceVersion else {
                throw APIError.expired(
                    "The provided continue parameter is too old to display a consistent list result. "
                        + "You can start a new list without the continue parameter.")
            }
            snapshotRV = min(token.resourceVersion, resourceVersion)
            startAfter = token.startAfter
        } else if let exactResourceVersion {
            guard exactResourceVersion >= oldestAvailableResourceVersion else {
                throw APIError.expired(
                    "too old resource version: \(exactResourceVersion) (\(oldestAvailableResourceVersion + 1))")
            }
            guard exactResourceVersion <= resourceVersion else {
                throw APIError(code: 504, reason: "Timeout",
                               message: "Too large resource version: \(exactResourceVersion), current: \(resourceVersion)",
                               details: ["causes": [["reason": "ResourceVersionTooLarge",
                                                     "message": "Too large resource version"]], "retryAfterSeconds": 1])
            }
            snapshotRV = exactResourceVersion
        }
        let (snapshot, keys) = snapshot(type, at: snapshotRV)
        let prefix = type.namespaced ? namespace.map { "\($0)/" } : nil
        var startIndex = keys.startIndex
        if let prefix { startIndex = keys.partitioningIndex { $0 >= prefix } }
        if let startAfter {
            let afterIndex = keys.partitioningIndex { $0 > startAfter }
            startIndex = max(startIndex, afterIndex)
        }
        let unfiltered = labelSelector.isEmpty && fieldSelector.requirements.isEmpty
        var items: [StoredObject] = []
        var lastKey: String?
        var more = false
        var remaining: Int64 = 0
        var index = startIndex
        while index < keys.endIndex {
            let key = keys[index]
            index += 1
            if let prefix, !key.hasPrefix(prefix) { break }
            guard let object = snapshot[key] else { continue }
            guard unfiltered || (labelSelector.matches(object.labels) && fieldSelector.matches(object.value)) else {
                continue
            }
            if let limit, limit > 0, items.count >= limit {
                more = true
                remaining += 1
                if unfiltered { break }
                continue
            }
            items.append(object)
            lastKey = key
        }
        if more, unfiltered {
            // Count what is left cheaply: every later key under the prefix matches.
            var rest = index
            while rest < keys.endIndex, prefix.map({ keys[rest].hasPrefix($0) }) ?? true {
                remaining += 1
                rest += 1
            }
        }
        var page = ListPage(items: items.map { EventConversion.present($0, type) }, resourceVersion: snapshotRV)
        if more, let lastKey {
            page.continueToken = ContinueToken(resourceVersion: snapshotRV, startAfter: lastKey).encoded
            if unfiltered { page.remainingItemCount = remaining }
        }
        return page
    }

    /// The objects of one resource at `resourceVersion` (which must be in the kept history),
    /// and their keys in storage order.
    mutating func snapshot(_ type: ResourceType, at rv: Int64) -> ([String: StoredObject], [String]) {
        let current = objects[type.storageKey] ?? [:]
        let changesSince = history.reversed().prefix { $0.resourceVersion > rv }
            .filter { $0.resource.storageKey == type.storageKey }
        if changesSince.isEmpty {
            if let keys = sortedKeys[type.storageKey] { return (current, keys) }
            let keys = current.keys.sorted()
            sortedKeys[type.storageKey] = keys
            return (current, keys)
        }
        var past = current
        for change in changesSince {
            switch change.type {
            case .added: past.removeValue(forKey: change.key)
            case .modified, .deleted: past[change.key] = change.previous
            }
        }
        return (past, past.keys.sorted())
    }

    /// The changes after `rv`, for a watch to replay before it goes live.
    public func changes(after rv: Int64) throws(APIError) -> [ChangeRecord] {
        guard rv >= oldestAvailableResourceVersion else {
            throw APIError.expired("too old resource version: \(rv) (\(oldestAvailableResourceVersion))")
        }
        return Array(history.reversed().prefix { $0.resourceVersion > rv }.reversed())
    }

    /// Drops the whole history, as an etcd compaction at the current revision would: every
    /// older resourceVersion now gets 410.
    public mutating func compact() {
        historyStorage.removeAll()
        historyStart = 0
        oldestAvailableResourceVersion = resourceVersion
    }

    /// A separate function so no temporary reference to the bucket outlives the check (a
    /// live reference would make the next write copy the whole bucket).
    func contains(_ storageKey: String, _ key: String) -> Bool {
        objects[storageKey]?[key] != nil
    }

    public func namespaceExists(_ name: String) -> Bool {
        objects["namespaces"]?[name] != nil
    }

    // MARK: Writes

    public mutating func create(
        _ type: ResourceType, namespace: String, body: JSONValue, now: Date,
        using rng: inout some RandomNumberGenerator
    ) throws(APIError) -> Outcome {
        var object = EventConversion.toStorage(try Self.checkedBody(body, for: type), type)
        let name = try resolveName(type, object: &object, using: &rng)
        if type.namespaced {
            let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            object[path: ["metadata", "namespace"]] = .string(namespace)
            guard namespaceExists(namespace) else {
                throw APIError.notFound(catalog.lookup(group: "", version: "v1", plural: "namespaces")!, name: namespace)
            }
        } else {
            object[path: ["metadata", "namespace"]] = nil
        }
        let key = Self.key(namespace: namespace, name: name, namespaced: type.namespaced)
        if contains(type.storageKey, key) { throw APIError.alreadyExists(type, name: name) }
        for field in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink"] {
            object[path: ["metadata", field]] = nil
        }
        object[path: ["metadata", "uid"]] = .string(Self.uuid(using: &rng))
        object[path: ["metadata", "creationTimestamp"]] = .string(Self.timestamp(now))
        if Self.hasGeneration(type) { object[path: ["metadata", "generation"]] = .int(1) }
        if type.hasStatusSubresource, !["nodes", "namespaces"].contains(type.plural) {
            object["status"] = nil
        }
        try applyDefaults(type, to: &object, previous: nil)
        return Self.present(commit(type, key: key, previous: nil, next: object, changeType: .added), type)
    }

    public mutating func update(
        _ type: ResourceType, namespace: String, name: String, body: JSONValue, subresource: Subresource, now: Date
    ) throws(APIError) -> Outcome {
        let existing = try stored(type, namespace: namespace, name: name)
        let object = EventConversion.toStorage(try Self.checkedBody(body, for: type), type)
        let bodyName = object[path: ["metadata", "name"]]?.stringValue ?? ""
        guard bodyName == name else {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if type.namespaced, let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue,
           !bodyNamespace.isEmpty, bodyNamespace != namespace
        {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        let bodyRV = object[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if bodyRV.isEmpty {
            if type.isCustomResource {
                throw APIError.invalid(type, name: name, field: "metadata.resourceVersion",
                                       detail: "Invalid value: 0x0: must be specified for an update")
            }
        } else if bodyRV != existing.resourceVersion {
            throw APIError.conflict(type, name: name, why: APIError.staleObject)
        }
        return Self.present(try replace(type, existing: existing, with: object, subresource: subresource, now: now), type)
    }

    public mutating func patch(
        _ type: ResourceType, namespace: String, name: String, patch: JSONValue, patchType: PatchType,
        subresource: Subresource, now: Date
    ) throws(APIError) -> Outcome {
        let existing = try stored(type, namespace: namespace, name: name)
        let current = EventConversion.present(existing.value, type)
        guard patch.isObject else {
            throw APIError.badRequest("the patch must be a JSON object, got \(patch.jsonText.prefix(64))")
        }
        let patched: JSONValue
        switch patchType {
        case .merge:
            patched = applyMergePatch(patch, to: current)
        case .strategic:
            if type.isCustomResource {
                throw APIError(code: 415, reason: "UnsupportedMediaType",
                               message: "the body of the request was in an unknown format - accepted media types "
                                   + "include: application/json-patch+json, application/merge-patch+json, "
                                   + "application/apply-patch+yaml")
            }
            patched = applyStrategicMergePatch(patch, to: current, kind: type.kind)
        }
        let patchedRV = patched[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if !patchedRV.isEmpty, patchedRV != existing.resourceVersion {
            throw APIError.conflict(type, name: name, why: APIError.staleObject)
        }
        for field in ["name", "namespace"] where patched[path: ["metadata", field]] != existing.value[path: ["metadata", field]] {
            throw APIError.invalid(type, name: name, field: "metadata.\(field)", detail: "Invalid value: field is immutable")
        }
        let body = EventConversion.toStorage(try Self.checkedBody(patched, for: type), type)
        return Self.present(try replace(type, existing: existing, with: body, subresource: subresource, now: now), type)
    }

    public struct DeletePreconditions: Sendable, Equatable {
        public var uid: String?
        public var resourceVersion: String?
        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    public mutating func delete(
        _ type: ResourceType, namespace: String, name: String, preconditions: DeletePreconditions = .init(),
        now: Date
    ) throws(APIError) -> Outcome {
        Self.present(try deleteStored(type, namespace: namespace, name: name, preconditions: preconditions, now: now), type)
    }

    mutating func deleteStored(
        _ type: ResourceType, namespace: String, name: String, preconditions: DeletePreconditions, now: Date
    ) throws(APIError) -> Outcome {
        let existing = try stored(type, namespace: namespace, name: name)
        if let uid = preconditions.uid, uid != existing.value[path: ["metadata", "uid"]]?.stringValue {
            throw APIError.conflict(type, name: name, why: "Precondition failed: UID in precondition: \(uid), "
                                    + "UID in object meta: \(existing.value[path: ["metadata", "uid"]]?.stringValue ?? "")")
        }
        if let rv = preconditions.resourceVersion, rv != existing.resourceVersion {
            throw APIError.conflict(type, name: name, why: "Precondition failed: ResourceVersion in precondition: \(rv), "
                                    + "ResourceVersion in object meta: \(existing.resourceVersion)")
        }
        let key = Self.key(namespace: namespace, name: name, namespaced: type.namespaced)
        let finalizers = existing.value[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        if !finalizers.isEmpty {
            // Graceful: mark and keep until the finalizers are removed by updates.
            if existing.value[path: ["metadata", "deletionTimestamp"]] != nil {
                return Outcome(object: existing, changes: [], completed: false)
            }
            var marked = existing.value
            marked[path: ["metadata", "deletionTimestamp"]] = .string(Self.timestamp(now))
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            var outcome = commit(type, key: key, previous: existing, next: marked, changeType: .modified)
            outcome.completed = false
            return outcome
        }
        var outcome = Outcome(object: existing, changes: [])
        if type.group.isEmpty, type.plural == "namespaces" {
            // The namespace controller empties a deleted namespace; here that happens at once.
            for contained in catalog.types where contained.namespaced {
                let prefix = "\(name)/"
                for (childKey, _) in objects[contained.storageKey] ?? [:] where childKey.hasPrefix(prefix) {
                    outcome.changes += remove(contained, key: childKey).changes
                }
            }
        }
        let removal = remove(type, key: key)
        outcome.object = removal.object
        outcome.changes += removal.changes
        return outcome
    }

    // MARK: Internals

    mutating func remove(_ type: ResourceType, key: String) -> Outcome {
        var bucket = objects.removeValue(forKey: type.storageKey) ?? [:]
        let removed = bucket.removeValue(forKey: key)
        objects[type.storageKey] = bucket
        guard let existing = removed else {
            return Outcome(object: StoredObject(.null), changes: [])
        }
        sortedKeys[type.storageKey] = nil
        resourceVersion += 1
        var last = existing.value
        last[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let record = ChangeRecord(resourceVersion: resourceVersion, resource: type, key: key, type: .deleted,
                                  object: StoredObject(last), previous: existing)
        append(record)
        return Outcome(object: record.object, changes: [record])
    }

    /// Writes `next` over `existing` applying the registry rules: status isolation,
    /// server-owned metadata kept, no-op writes skipped (no new resourceVersion, as etcd3's
    /// GuaranteedUpdate short-circuits identical bytes), generation bumped on spec changes,
    /// and a deleted object with no finalizers left removed.
    mutating func replace(
        _ type: ResourceType, existing: StoredObject, with body: JSONValue, subresource: Subresource, now: Date
    ) throws(APIError) -> Outcome {
        var next: JSONValue
        switch subresource {
        case .status:
            next = existing.value
            next["status"] = body["status"]
        case .main:
            next = body
            if type.hasStatusSubresource { next["status"] = existing.value["status"] }
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                          "name", "namespace"] {
                next[path: ["metadata", field]] = existing.value[path: ["metadata", field]]
            }
            next[path: ["metadata", "resourceVersion"]] = .string(existing.resourceVersion)
            try applyDefaults(type, to: &next, previous: existing.value)
        }
        if next == existing.value { return Outcome(object: existing, changes: []) }
        let key = Self.key(namespace: existing.namespace, name: existing.name, namespaced: type.namespaced)
        if Self.hasGeneration(type), Self.specChanged(existing.value, next, type: type) {
            let generation = existing.value[path: ["metadata", "generation"]]?.intValue ?? 0
            next[path: ["metadata", "generation"]] = .int(generation + 1)
        }
        if next[path: ["metadata", "deletionTimestamp"]] != nil,
           (next[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty
        {
            var outcome = commit(type, key: key, previous: existing, next: next, changeType: .modified)
            let removal = remove(type, key: key)
            outcome.changes += removal.changes
            outcome.object = removal.object
            return outcome
        }
        return commit(type, key: key, previous: existing, next: next, changeType: .modified)
    }

    mutating func commit(
        _ type: ResourceType, key: String, previous: StoredObject?, next: JSONValue, changeType: WatchEventType
    ) -> Outcome {
        resourceVersion += 1
        var stamped = next
        stamped[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let stored = StoredObject(stamped)
        // Take the bucket out while changing it, so it is uniquely referenced and not copied.
        var bucket = objects.removeValue(forKey: type.storageKey) ?? [:]
        if bucket.updateValue(stored, forKey: key) == nil { sortedKeys[type.storageKey] = nil }
        objects[type.storageKey] = bucket
        let record = ChangeRecord(resourceVersion: resourceVersion, resource: type, key: key, type: changeType,
                                  object: stored, previous: previous)
        append(record)
        return Outcome(object: stored, changes: [record])
    }

    mutating func append(_ record: ChangeRecord) {
        historyStorage.append(record)
        while historyStorage.count - historyStart > historyLimit {
            oldestAvailableResourceVersion = historyStorage[historyStart].resourceVersion
            historyStart += 1
        }
        // Drop the consumed prefix now and then, so appends stay amortised O(1).
        if historyStart > 1024, historyStart * 2 > historyStorage.count {
            historyStorage.removeFirst(historyStart)
            historyStart = 0
        }
    }

    /// The body as the registry sees it: a JSON object whose `kind`/`apiVersion`, when given,
    /// match the endpoint (missing ones are defaulted from the endpoint, as the decoder does).
    static func checkedBody(_ body: JSONValue, for type: ResourceType) throws(APIError) -> JSONValue {
        guard case .object = body else {
            throw APIError.badRequest("the body of the request must be a JSON object describing a \(type.kind)")
        }
        var object = body
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        if (!kind.isEmpty && kind != type.kind) || (!apiVersion.isEmpty && apiVersion != type.apiVersion) {
            throw APIError.badRequest(
                "\(kind.isEmpty ? "object" : kind) in version \"\(apiVersion)\" cannot be handled as a \(type.kind): "
                    + "the kind or apiVersion does not match the endpoint (\(type.apiVersion), \(type.kind))")
        }
        object["kind"] = .string(type.kind)
        object["apiVersion"] = .string(type.apiVersion)
        if let metadata = object["metadata"], !metadata.isObject, metadata != .null {
            throw APIError.badRequest("metadata must be an object")
        }
        if object["metadata"] == nil || object["metadata"] == .null { object["metadata"] = .object([:]) }
        return object
    }

    mutating func resolveName(
        _ type: ResourceType, object: inout JSONValue, using rng: inout some RandomNumberGenerator
    ) throws(APIError) -> String {
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            // names.SimpleNameGenerator: prefix (cut to fit) plus five random characters.
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            let suffix = String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            name = String(prefix.prefix(58)) + suffix
            object[path: ["metadata", "name"]] = .string(name)
        }
        if name.isEmpty {
            throw APIError.invalid(type, name: "", field: "metadata.name",
                                   detail: "Required value: name or generateName is required",
                                   causeReason: "FieldValueRequired")
        }
        if let problem = Self.nameProblem(name, type: type) {
            throw APIError.invalid(type, name: name, field: "metadata.name", detail: "Invalid value: \"\(name)\": \(problem)")
        }
        return name
    }

    /// Object names are DNS-1123 subdomains; Namespaces and Services need DNS labels
    /// (k8s.io/apimachinery/pkg/util/validation).
    static func nameProblem(_ name: String, type: ResourceType) -> String? {
        let labelOnly = type.group.isEmpty && (type.plural == "namespaces" || type.plural == "services")
        let limit = labelOnly ? 63 : 253
        guard name.count <= limit else { return "must be no more than \(limit) characters" }
        let allowed: (Character) -> Bool = {
            $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || (!labelOnly && $0 == "."))
        }
        guard name.allSatisfy(allowed), let first = name.first, let last = name.last,
              first.isLowercase || first.isNumber, last.isLowercase || last.isNumber
        else {
            return "a lowercase RFC 1123 \(labelOnly ? "label" : "subdomain") must consist of lower case alphanumeric "
                + "characters, '-'\(labelOnly ? "" : " or '.'"), and must start and end with an alphanumeric character"
        }
        return nil
    }

    static func hasGeneration(_ type: ResourceType) -> Bool {
        type.isCustomResource
            || ["services", "pods", "nodes", "endpointslices", "customresourcedefinitions"].contains(type.plural)
    }

    /// True when anything outside `metadata` (and `status`, where it is a subresource) changed.
    static func specChanged(_ old: JSONValue, _ new: JSONValue, type: ResourceType) -> Bool {
        var ignored: Set<String> = ["metadata", "kind", "apiVersion"]
        if type.hasStatusSubresource { ignored.insert("status") }
        let oldSpec = (old.objectValue ?? [:]).filter { !ignored.contains($0.key) }
        let newSpec = (new.objectValue ?? [:]).filter { !ignored.contains($0.key) }
        return oldSpec != newSpec
    }

    static func uuid(using rng: inout some RandomNumberGenerator) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }

    /// RFC 3339 at second precision, UTC, as `metav1.Time` serialises.
    public static func timestamp(_ date: Date) -> String {
        KubeTime.time(date)
    }
}

extension Collection {
    /// The first index whose element satisfies `predicate`, for a collection already
    /// partitioned by it (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Index {
        var low = startIndex
        var length = count
        while length > 0 {
            let half = length / 2
            let middle = index(low, offsetBy: half)
            if predicate(self[middle]) {
                length = half
            } else {
                low = index(after: middle)
                length -= half + 1
            }
        }
        return low
    }
}
