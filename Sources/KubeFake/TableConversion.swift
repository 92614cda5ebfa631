import Foundation
import KubeJSON

/// Server-side printing (`meta.k8s.io/v1` Table), which `kubectl get` asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. The columns follow the real
/// server's printers (pkg/printers/internalversion/printers.go) for the kinds people look at
/// in the lab; every other kind gets NAME and AGE, like the default table convertor.
enum TableConversion {
    struct Column {
        var name: String
        var type = "string"
        var format = ""
        var priority = 0
    }

    static func wantsTable(_ accept: String?) -> Bool {
        accept?.contains("as=Table") ?? false
    }

    static func columns(for type: ResourceType) -> [Column] {
        let name = Column(name: "Name", format: "name")
        let age = Column(name: "Age")
        guard type.group.isEmpty || type.group == "discovery.k8s.io" else { return [name, age] }
        switch type.plural {
        case "services":
            return [name, Column(name: "Type"), Column(name: "Cluster-IP"), Column(name: "External-IP"),
                    Column(name: "Port(s)"), age, Column(name: "Selector", priority: 1)]
        case "nodes":
            return [name, Column(name: "Status"), Column(name: "Roles"), age, Column(name: "Version")]
        case "configmaps": return [name, Column(name: "Data", type: "integer"), age]
        case "secrets": return [name, Column(name: "Type"), Column(name: "Data", type: "integer"), age]
        case "pods":
            return [name, Column(name: "Ready"), Column(name: "Status"), Column(name: "Restarts"), age,
                    Column(name: "Node", priority: 1)]
        case "namespaces": return [name, Column(name: "Status"), age]
        case "endpointslices":
            return [name, Column(name: "AddressType"), Column(name: "Ports"), Column(name: "Endpoints"), age]
        default: return [name, age]
        }
    }

    static func cells(for type: ResourceType, _ object: JSONValue, now: Date) -> [JSONValue] {
        let name = JSONValue.string(object[path: ["metadata", "name"]]?.stringValue ?? "")
        let age = JSONValue.string(humanAge(object[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now))
        let text = { (path: [String]) in object[path: path]?.stringValue ?? "" }
        guard type.group.isEmpty || type.group == "discovery.k8s.io" else { return [name, age] }
        switch type.plural {
        case "services":
            let serviceType = text(["spec", "type"])
            let ingress = (object[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? [])
                .compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
            let external = !ingress.isEmpty ? ingress.joined(separator: ",")
                : serviceType == "LoadBalancer" ? "<pending>" : "<none>"
            let ports = (object[path: ["spec", "ports"]]?.arrayValue ?? []).map { port -> String in
                let number = port["port"]?.intValue.map(String.init) ?? "?"
                let nodePort = port["nodePort"]?.intValue.map { ":\($0)" } ?? ""
                return "\(number)\(nodePort)/\(port["protocol"]?.stringValue ?? "TCP")"
            }
            let selector = (object[path: ["spec", "selector"]]?.objectValue ?? [:])
                .compactMap { key, value in value.stringValue.map { "\(key)=\($0)" } }.sorted()
            return [name, .string(serviceType), .string(text(["spec", "clusterIP"]).isEmpty ? "<none>" : text(["spec", "clusterIP"])),
                    .string(external), .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), age,
                    .string(selector.isEmpty ? "<none>" : selector.joined(separator: ","))]
        case "nodes":
            let ready = (object[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"] == "Ready" }
            let status = switch ready?["status"]?.stringValue {
            case "True": "Ready"
            case "False": "NotReady"
            default: "Unknown"
            }
            let roles = (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).keys
                .filter { $0.hasPrefix("node-role.kubernetes.io/") }
                .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
            return [name, .string(status), .string(roles.isEmpty ? "<none>" : roles.joined(separator: ",")), age,
                    .string(text(["status", "nodeInfo", "kubeletVersion"]))]
        case "configmaps":
            let count = (object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)
            return [name, .int(Int64(count)), age]
        case "secrets":
            return [name, .string(text(["type"])), .int(Int64(object["data"]?.objectValue?.count ?? 0)), age]
        case "pods":
            let containers = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
            let ready = (object[path: ["status", "containerStatuses"]]?.arrayValue ?? []).filter { $0["ready"] == true }.count
            return [name, .string("\(ready)/\(containers)"), .string(text(["status", "phase"])), "0", age,
                    .string(text(["spec", "nodeName"]).isEmpty ? "<none>" : text(["spec", "nodeName"]))]
        case "namespaces":
            return [name, .string(text(["status", "phase"])), age]
        case "endpointslices":
            let ports = (object["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue.map(String.init) }
            let addresses = (object["endpoints"]?.arrayValue ?? []).flatMap { $0["addresses"]?.arrayValue ?? [] }
                .compactMap(\.stringValue)
            let shown = addresses.prefix(3).joined(separator: ",") + (addresses.count > 3 ? " + \(addresses.count - 3) more..." : "")
            return [name, .string(text(["addressType"])), .string(ports.isEmpty ? "<unset>" : ports.joined(separator: ",")),
                    .string(addresses.isEmpty ? "<unset>" : shown), age]
        default:
            return [name, age]
        }
    }

    /// A Table of `objects`; each row carries the object's metadata as PartialObjectMetadata
    /// (kubectl reads the namespace and labels from it).
    static func table(_ type: ResourceType, objects: [StoredObject], listMetadata: JSONValue, now: Date,
                      includeColumns: Bool = true) -> JSONValue {
        let columns: JSONValue = includeColumns
            ? .array(columns(for: type).map { column in
                ["name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                 "description": "", "priority": .int(Int64(column.priority))]
            })
            : .null
        let rows = objects.map { object -> JSONValue in
            [
                "cells": .array(cells(for: type, object.value, now: now)),
                "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": object.value["metadata"] ?? [:]],
            ]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMetadata, "columnDefinitions": columns,
                "rows": .array(rows)]
    }

    /// `duration.HumanDuration` from k8s.io/apimachinery: "45s", "3m20s", "5h", "12d", "2y30d".
    static func humanAge(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let created = try? Date(timestamp, strategy: .iso8601) else { return "<unknown>" }
        let seconds = Int(now.timeIntervalSince(created).rounded(.down))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        let years = hours / 24 / 365
        if years < 8 { return "\(years)y\((hours / 24) % 365)d" }
        return "\(years)y"
    }
}
