import KubeJSON

/// The discovery documents kubectl reads before anything else
/// (k8s.io/apimachinery/pkg/apis/meta/v1 APIVersions, APIGroupList, APIResourceList).
///
/// kubectl 1.28+ first asks for aggregated discovery
/// (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`); client-go falls
/// back to these legacy documents when the response's Content-Type is plain
/// `application/json`, so only the legacy form is served.
extension ResourceCatalog {
    /// The version the fake claims; within kubectl's supported skew for 1.32 clients.
    public static let serverVersion: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-kubefake", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    func groupDocument(_ group: String) -> JSONValue {
        let versions = versions(of: group).map { version -> JSONValue in
            ["groupVersion": .string("\(group)/\(version)"), "version": .string(version)]
        }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(group), "versions": .array(versions),
            "preferredVersion": versions.first ?? .null,
        ]
    }

    var groupList: JSONValue {
        let groups = groups.map { group -> JSONValue in
            var document = groupDocument(group)
            document["kind"] = nil
            document["apiVersion"] = nil
            return document
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    func resourceList(group: String, version: String) -> JSONValue? {
        let types = types(group: group, version: version)
        guard !types.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for type in types {
            var resource: JSONValue = [
                "name": .string(type.plural), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(ResourceType.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { resource["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { resource["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(resource)
            if type.hasStatusSubresource {
                resources.append([
                    "name": .string("\(type.plural)/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources),
        ]
    }
}
