import KubeJSON

/// The patch formats the fake accepts on `PATCH`.
public enum PatchType: Sendable, Equatable {
    /// RFC 7386 JSON merge patch, `application/merge-patch+json`.
    case merge
    /// Kubernetes strategic merge patch, `application/strategic-merge-patch+json`
    /// (k8s.io/apimachinery/pkg/util/strategicpatch). kubectl sends it for built-in kinds.
    case strategic

    public init?(contentType: String) {
        let mediaType = contentType.split(separator: ";").first.map { String($0).trimmingSpaces.lowercased() } ?? ""
        switch mediaType {
        case "application/merge-patch+json": self = .merge
        case "application/strategic-merge-patch+json": self = .strategic
        default: return nil
        }
    }
}

/// RFC 7386 JSON merge patch: objects merge member by member, `null` deletes a member,
/// anything else (arrays included) replaces the target.
public func applyMergePatch(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
    guard case .object(let patchMembers) = patch else { return patch }
    var result = target.objectValue ?? [:]
    for (key, value) in patchMembers {
        if value == .null {
            result.removeValue(forKey: key)
        } else {
            result[key] = applyMergePatch(value, to: result[key] ?? .null)
        }
    }
    return .object(result)
}

/// How strategic merge patch combines a list, from the `patchStrategy`/`patchMergeKey` struct
/// tags of the Go types (k8s.io/api/core/v1/types.go). Lists not named here are replaced,
/// which is the default for lists without a strategy.
enum ListMergeStrategy: Equatable {
    case replace
    case mergeByKey(String)
    /// Set union of scalars (`metadata.finalizers`).
    case mergePrimitives
}

/// Strategic merge patch for the fields kubectl sends for the built-in kinds this fake serves.
///
/// Supported: map merge with `null` deletion; lists merged by key (containers, env, volumes,
/// volume mounts, container and service ports, conditions, node addresses, taints, owner
/// references), primitive-list union for finalizers, and the directives `$patch: replace|delete`
/// (on maps and list elements), `$setElementOrder/<list>`, `$retainKeys` and
/// `$deleteFromPrimitiveList/<list>`. Not supported: `$patch: merge` on lists with other
/// semantics and every kind-specific merge key not listed in `listStrategy`; those lists are
/// replaced wholesale, as a JSON merge patch would do.
public func applyStrategicMergePatch(_ patch: JSONValue, to target: JSONValue, kind: String) -> JSONValue {
    strategicMerge(patch, into: target, kind: kind, path: [])
}

private func strategicMerge(_ patch: JSONValue, into target: JSONValue, kind: String, path: [String]) -> JSONValue {
    guard case .object(var patchMembers) = patch else { return patch }
    if let directive = patchMembers["$patch"]?.stringValue {
        patchMembers.removeValue(forKey: "$patch")
        switch directive {
        case "replace": return stripDirectives(.object(patchMembers))
        case "delete": return .null
        default: break
        }
    }
    var result = target.objectValue ?? [:]
    let retainKeys = patchMembers.removeValue(forKey: "$retainKeys")?.arrayValue?.compactMap(\.stringValue)
    var elementOrders: [String: [JSONValue]] = [:]
    var primitiveDeletions: [String: [JSONValue]] = [:]
    for key in patchMembers.keys {
        if key.hasPrefix("$setElementOrder/") {
            elementOrders[String(key.dropFirst("$setElementOrder/".count))] = patchMembers[key]?.arrayValue ?? []
            patchMembers.removeValue(forKey: key)
        } else if key.hasPrefix("$deleteFromPrimitiveList/") {
            primitiveDeletions[String(key.dropFirst("$deleteFromPrimitiveList/".count))] =
                patchMembers[key]?.arrayValue ?? []
            patchMembers.removeValue(forKey: key)
        } else if key.hasPrefix("$") {
            patchMembers.removeValue(forKey: key)
        }
    }
    for (key, value) in patchMembers {
        let childPath = path + [key]
        switch value {
        case .null:
            result.removeValue(forKey: key)
        case .array(let patchElements):
            let current = result[key]?.arrayValue ?? []
            switch listStrategy(kind: kind, path: childPath) {
            case .replace:
                result[key] = stripDirectives(value)
            case .mergePrimitives:
                var merged = current
                for element in patchElements where !merged.contains(element) { merged.append(element) }
                result[key] = .array(merged)
            case .mergeByKey(let mergeKey):
                result[key] = .array(mergeList(current, patchElements, mergeKey: mergeKey, kind: kind, path: childPath))
            }
        case .object:
            let merged = strategicMerge(value, into: result[key] ?? .null, kind: kind, path: childPath)
            if merged == .null { result.removeValue(forKey: key) } else { result[key] = merged }
        default:
            result[key] = value
        }
    }
    for (key, deletions) in primitiveDeletions {
        if let current = result[key]?.arrayValue {
            result[key] = .array(current.filter { !deletions.contains($0) })
        }
    }
    for (key, order) in elementOrders {
        guard let current = result[key]?.arrayValue,
              case .mergeByKey(let mergeKey) = listStrategy(kind: kind, path: path + [key])
        else { continue }
        let orderKeys = order.compactMap { $0[mergeKey] }
        let ordered = orderKeys.compactMap { wanted in current.first { $0[mergeKey] == wanted } }
        let rest = current.filter { element in !orderKeys.contains { $0 == element[mergeKey] } }
        result[key] = .array(ordered + rest)
    }
    if let retainKeys {
        result = result.filter { retainKeys.contains($0.key) }
    }
    return .object(result)
}

private func mergeList(_ current: [JSONValue], _ patch: [JSONValue], mergeKey: String, kind: String,
                       path: [String]) -> [JSONValue] {
    var merged = current
    for element in patch {
        guard case .object(var members) = element, let keyValue = members[mergeKey] else {
            // An element without its merge key cannot be matched; keep it as given.
            merged.append(stripDirectives(element))
            continue
        }
        let index = merged.firstIndex { $0[mergeKey] == keyValue }
        if members["$patch"]?.stringValue == "delete" {
            if let index { merged.remove(at: index) }
            continue
        }
        if members["$patch"]?.stringValue == "replace" {
            members.removeValue(forKey: "$patch")
            if let index { merged[index] = stripDirectives(.object(members)) } else {
                merged.append(stripDirectives(.object(members)))
            }
            continue
        }
        if let index {
            merged[index] = strategicMerge(element, into: merged[index], kind: kind, path: path)
        } else {
            merged.append(strategicMerge(element, into: .object([:]), kind: kind, path: path))
        }
    }
    return merged
}

private func stripDirectives(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members):
        return .object(members.filter { !$0.key.hasPrefix("$") }.mapValues(stripDirectives))
    case .array(let elements):
        return .array(elements.map(stripDirectives))
    default:
        return value
    }
}

/// The list strategies of the Go types, keyed by kind and field path.
func listStrategy(kind: String, path: [String]) -> ListMergeStrategy {
    guard let field = path.last else { return .replace }
    switch (path.first, field) {
    case ("metadata", "finalizers"): return .mergePrimitives
    case ("metadata", "ownerReferences"): return .mergeByKey("uid")
    default: break
    }
    switch kind {
    case "Service":
        if path == ["spec", "ports"] { return .mergeByKey("port") }
        if path == ["status", "conditions"] { return .mergeByKey("type") }
    case "Node":
        if path == ["status", "addresses"] || path == ["status", "conditions"] { return .mergeByKey("type") }
        if path == ["spec", "taints"] { return .mergeByKey("key") }
    case "Pod":
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets":
            return .mergeByKey("name")
        case "volumeMounts": return .mergeByKey("mountPath")
        case "ports" where path.contains("containers") || path.contains("initContainers"):
            return .mergeByKey("containerPort")
        case "conditions" where path.first == "status": return .mergeByKey("type")
        default: break
        }
    default: break
    }
    return .replace
}
