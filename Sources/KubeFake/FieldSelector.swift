import Foundation
import KubeJSON

/// A parsed `fieldSelector`: `field=value`, `field==value`, `field!=value`, comma-separated
/// (k8s.io/apimachinery/pkg/fields/selector.go). Which fields may be used depends on the
/// resource, as in each registry's GetAttrs / field label conversion; others are rejected.
public struct FieldSelector: Sendable, Equatable {
    public struct Requirement: Sendable, Equatable {
        public var field: String
        public var equals: Bool
        public var value: String
    }

    public var requirements: [Requirement]

    public static let everything = FieldSelector(requirements: [])

    public init(requirements: [Requirement]) { self.requirements = requirements }

    public init(parsing text: String, for type: ResourceType) throws(APIError) {
        var requirements: [Requirement] = []
        for clause in text.split(separator: ",", omittingEmptySubsequences: true) {
            let clause = String(clause).trimmingSpaces
            let requirement: Requirement
            if let range = clause.range(of: "!=") {
                requirement = Requirement(field: String(clause[..<range.lowerBound]), equals: false,
                                          value: String(clause[range.upperBound...]))
            } else if let range = clause.range(of: "==") {
                requirement = Requirement(field: String(clause[..<range.lowerBound]), equals: true,
                                          value: String(clause[range.upperBound...]))
            } else if let range = clause.range(of: "=") {
                requirement = Requirement(field: String(clause[..<range.lowerBound]), equals: true,
                                          value: String(clause[range.upperBound...]))
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(clause)'")
            }
            guard Self.supportedFields(for: type).contains(requirement.field) else {
                throw APIError.badRequest("field label not supported: \(requirement.field)")
            }
            var stored = requirement
            stored.field = EventConversion.storageField(requirement.field, type)
            requirements.append(stored)
        }
        self.requirements = requirements
    }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let path = requirement.field.split(separator: ".").map(String.init)
            let actual: String
            switch object[path: path] {
            case .string(let s): actual = s
            case .bool(let b): actual = b ? "true" : "false"
            case .int(let i): actual = String(i)
            default: actual = ""
            }
            return (actual == requirement.value) == requirement.equals
        }
    }

    /// The field labels each resource supports (pkg/registry/*/strategy.go ToSelectableFields).
    public static func supportedFields(for type: ResourceType) -> Set<String> {
        var fields: Set<String> = ["metadata.name"]
        if type.namespaced { fields.insert("metadata.namespace") }
        switch (type.group, type.plural) {
        case ("", "pods"):
            fields.formUnion(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                              "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"])
        case ("", "nodes"): fields.insert("spec.unschedulable")
        case ("", "secrets"): fields.insert("type")
        case ("", "namespaces"): fields.insert("status.phase")
        case ("", "services"): fields.formUnion(["spec.clusterIP", "spec.type"])
        case ("", "events"):
            fields.formUnion(["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                              "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                              "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"])
        case ("events.k8s.io", "events"):
            fields.formUnion(["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
                              "reason", "reportingController", "type"])
        default: break
        }
        return fields
    }
}

extension String {
    /// Without leading and trailing spaces (the selector and media-type grammars allow only spaces).
    var trimmingSpaces: String { trimmingCharacters(in: CharacterSet(charactersIn: " ")) }
}
