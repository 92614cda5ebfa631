import KubeJSON

/// `events.k8s.io/v1` Events and core `v1` Events are one resource in two shapes: the real
/// server stores one and converts on the way in and out (pkg/apis/events/v1/conversion.go),
/// so an Event a controller records through `events.k8s.io` shows in `kubectl get events`.
/// KubeFake stores the core form and renames these fields for the `events.k8s.io` view.
enum EventConversion {
    /// (`events.k8s.io/v1` field, core `v1` field)
    static let renamedFields = [
        ("regarding", "involvedObject"), ("note", "message"), ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"), ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"), ("reportingController", "reportingComponent"),
    ]

    static func applies(to type: ResourceType) -> Bool { type.group == "events.k8s.io" }

    static func toStorage(_ value: JSONValue, _ type: ResourceType) -> JSONValue {
        guard applies(to: type), case .object(var members) = value else { return value }
        for (api, storage) in renamedFields {
            if let field = members.removeValue(forKey: api) { members[storage] = field }
        }
        members["apiVersion"] = "v1"
        return .object(members)
    }

    static func present(_ value: JSONValue, _ type: ResourceType) -> JSONValue {
        guard applies(to: type), case .object(var members) = value else { return value }
        for (api, storage) in renamedFields {
            if let field = members.removeValue(forKey: storage) { members[api] = field }
        }
        members["apiVersion"] = .string(type.apiVersion)
        return .object(members)
    }

    static func present(_ object: StoredObject, _ type: ResourceType) -> StoredObject {
        applies(to: type) ? StoredObject(present(object.value, type)) : object
    }

    /// A field selector's field as it is named in storage (`regarding.name` → `involvedObject.name`).
    static func storageField(_ field: String, _ type: ResourceType) -> String {
        guard applies(to: type) else { return field }
        let head = field.split(separator: ".", maxSplits: 1).first.map(String.init) ?? field
        guard let storage = renamedFields.first(where: { $0.0 == head })?.1 else { return field }
        return storage + field.dropFirst(head.count)
    }
}
