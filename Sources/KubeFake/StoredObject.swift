import KubeJSON

/// One object at one resourceVersion, with its JSON bytes serialised once so lists and watch
/// fan-out only copy bytes.
public struct StoredObject: Sendable, Equatable {
    public let value: JSONValue
    public let bytes: [UInt8]

    public init(_ value: JSONValue) {
        self.value = value
        self.bytes = value.serialized()
    }

    public var name: String { value[path: ["metadata", "name"]]?.stringValue ?? "" }
    public var namespace: String { value[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    public var resourceVersion: String { value[path: ["metadata", "resourceVersion"]]?.stringValue ?? "" }

    public var labels: [String: String] {
        (value[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}

/// What happened to an object, as a watch reports it.
public enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
}

/// One entry of the bounded event history (the watch cache's ring of events).
///
/// `previous` is the object before the change, which lets a watch with a selector turn a
/// MODIFIED into ADDED/DELETED when an object starts or stops matching (as the watch cache
/// does), and lets a list page be served from the snapshot at an older resourceVersion.
public struct ChangeRecord: Sendable {
    public let resourceVersion: Int64
    public let resource: ResourceType
    public let key: String
    public let type: WatchEventType
    /// The object after the change; for DELETED, the last state stamped with the deletion's
    /// resourceVersion.
    public let object: StoredObject
    public let previous: StoredObject?
}
