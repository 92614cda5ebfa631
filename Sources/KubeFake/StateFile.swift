import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// KubeFake's objects on disk, so a restarted fake behaves like a restarted real API server,
/// whose state lives on in etcd: the same objects, and resourceVersions that continue from
/// the last write instead of starting over (a client holding resourceVersion 812 must never
/// see an unrelated object at 812 again).
///
/// The file is one JSON document: the resourceVersion counter, the ClusterIP and NodePort
/// allocators' next values, and every stored object grouped by resource. It is rewritten
/// after every write that changed something, before the response leaves (so an
/// acknowledged write survives a SIGKILL, as etcd acknowledges only committed writes), to a
/// temporary file in the same directory that is then renamed over the old one: a crash
/// leaves either the old or the new state, never a torn file.
///
/// The watch history is not kept. After a restart the history starts empty at the loaded
/// resourceVersion: a watch resuming from exactly that resourceVersion continues, an older
/// one gets 410 Gone and the client relists — what the real API server's watch cache does
/// when it starts from etcd's current revision.
public struct StateFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Format tag, so a file from a future layout is refused instead of misread.
    static let format = "swiftlb.kubefake.state/v1"

    /// The store as a JSON document.
    public static func encode(_ store: ObjectStore) -> JSONValue {
        var resources: [String: JSONValue] = [:]
        for (storageKey, bucket) in store.objects where !bucket.isEmpty {
            resources[storageKey] = .array(bucket.keys.sorted().map { bucket[$0]!.value })
        }
        return [
            "format": .string(format),
            "resourceVersion": .int(store.resourceVersion),
            "nextServiceIP": .int(Int64(store.nextServiceIP)),
            "nextNodePort": .int(store.nextNodePort),
            "objects": .object(resources),
        ]
    }

    /// Replaces `store`'s objects and counters with the document's; the history is emptied
    /// and starts at the loaded resourceVersion.
    public static func decode(_ document: JSONValue, into store: inout ObjectStore) throws(StateFileError) {
        guard document["format"]?.stringValue == format else {
            throw StateFileError.malformed("missing or unknown \"format\" (want \(format))")
        }
        guard let resourceVersion = document["resourceVersion"]?.intValue, resourceVersion >= 1 else {
            throw StateFileError.malformed("\"resourceVersion\" must be a positive integer")
        }
        guard let serviceIP = document["nextServiceIP"]?.intValue, let ipValue = UInt32(exactly: serviceIP),
              let nodePort = document["nextNodePort"]?.intValue
        else {
            throw StateFileError.malformed("\"nextServiceIP\" and \"nextNodePort\" must be integers")
        }
        guard let resources = document["objects"]?.objectValue else {
            throw StateFileError.malformed("\"objects\" must be an object of resource name to object list")
        }
        var objects: [String: [String: StoredObject]] = [:]
        for (storageKey, list) in resources {
            guard let type = store.catalog.types.first(where: { $0.storageKey == storageKey }) else {
                throw StateFileError.malformed("unknown resource \"\(storageKey)\"")
            }
            guard let items = list.arrayValue else {
                throw StateFileError.malformed("\"objects.\(storageKey)\" must be a list")
            }
            var bucket: [String: StoredObject] = [:]
            for item in items {
                let object = StoredObject(item)
                guard item.isObject, !object.name.isEmpty, let version = Int64(object.resourceVersion),
                      version <= resourceVersion
                else {
                    throw StateFileError.malformed(
                        "an object in \"\(storageKey)\" lacks metadata.name or a resourceVersion <= \(resourceVersion)")
                }
                bucket[ObjectStore.key(namespace: object.namespace, name: object.name, namespaced: type.namespaced)] = object
            }
            objects[storageKey] = bucket
        }
        store.objects = objects
        store.sortedKeys = [:]
        store.resourceVersion = resourceVersion
        store.historyStorage = []
        store.historyStart = 0
        store.oldestAvailableResourceVersion = resourceVersion
        store.nextServiceIP = ipValue
        store.nextNodePort = nodePort
    }

    /// Whether there is a state to load (a first start has none).
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    public func load(into store: inout ObjectStore) throws(StateFileError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw StateFileError.unreadable(path: path, reason: "\(error)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw StateFileError.malformed("\(path): \(error.description)")
        }
        try Self.decode(document, into: &store)
    }

    /// Writes the state to `<path>.tmp`, flushes it to disk and renames it over `path`.
    public func save(_ store: ObjectStore) throws(StateFileError) {
        let bytes = Self.encode(store).serialized()
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StateFileError.unwritable(path: temporary, errno: errno) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                let error = errno
                close(descriptor)
                throw StateFileError.unwritable(path: temporary, errno: error)
            }
            written += result
        }
        let synced = fsync(descriptor)
        let syncError = errno
        close(descriptor)
        guard synced == 0 else { throw StateFileError.unwritable(path: temporary, errno: syncError) }
        guard rename(temporary, path) == 0 else { throw StateFileError.unwritable(path: path, errno: errno) }
    }
}

public enum StateFileError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(String)
    case unwritable(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read state file \(path): \(reason)"
        case .malformed(let detail): return "malformed state file: \(detail)"
        case .unwritable(let path, let code): return "cannot write state file \(path): \(String(cString: strerror(code)))"
        }
    }
}

extension KubeFakeAPI {
    /// Loads the state file if it exists, then saves to it after every write from now on.
    public func useStateFile(_ file: StateFile) throws(StateFileError) {
        if file.exists {
            try file.load(into: &store)
            logger.info("state loaded", metadata: [
                "kubefake.stateFile": "\(file.path)", "kubefake.resourceVersion": "\(store.resourceVersion)",
            ])
        } else {
            try file.save(store)
        }
        stateFile = file
    }

    /// Called with every batch of changes before it is fanned out to watches.
    func persist(_ changes: [ChangeRecord]) {
        guard !changes.isEmpty, let stateFile else { return }
        do {
            try stateFile.save(store)
        } catch {
            logger.error("state not saved", metadata: ["kubefake.stateFile": "\(stateFile.path)", "error": "\(error)"])
        }
    }
}
