import Foundation
import KubeFake
import NIOHTTP1
import Testing

/// `StateFile`: a restarted KubeFake keeps its objects and continues its resourceVersions,
/// as a real API server does over etcd.
@Suite(.serialized) struct StateFileTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"
    static let services = "/api/v1/namespaces/default/services"

    func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubefake-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("state.json").path)
    }

    @Test(.timeLimit(.minutes(1)))
    func restartedServerHasTheSameObjectsAndContinuesResourceVersions() async throws {
        try await withDirectory { path in
            let first = try await KubeFakeServer.start(stateFile: path)
            let client = APIClient(first)
            let created = try await client.post(Self.configMaps, ["metadata": ["name": "a"], "data": ["k": "v"]])
            #expect(created.status == 201)
            let service = try await client.post(Self.services, [
                "metadata": ["name": "web"],
                "spec": ["type": "LoadBalancer", "ports": [["port": 80, "protocol": "TCP"]]],
            ])
            #expect(service.status == 201)
            let status = try await client.request(
                .PATCH, "\(Self.services)/web/status",
                body: #"{"status":{"loadBalancer":{"ingress":[{"ip":"10.99.0.100"}]}}}"#,
                contentType: "application/merge-patch+json")
            #expect(status.status == 200)
            let before = try await client.get(Self.services + "/web").body
            let configMapBefore = try await client.get(Self.configMaps + "/a").body
            let lastRV = await first.api.resourceVersion
            // Saving happens on every write, not at shutdown: nothing is flushed here.
            await first.shutdown()

            let second = try await KubeFakeServer.start(stateFile: path)
            let again = APIClient(second)
            #expect(await second.api.resourceVersion == lastRV)
            #expect(try await again.get(Self.services + "/web").body == before)
            #expect(try await again.get(Self.configMaps + "/a").body == configMapBefore)
            #expect(before[path: ["status", "loadBalancer", "ingress"]]?.arrayValue?.count == 1)
            #expect(try await again.get("/api/v1/namespaces/kube-system").status == 200)

            // A watch from the last resourceVersion resumes and sees the next write, whose
            // resourceVersion follows the old counter; an older one gets 410 and must relist.
            let resumed = try await again.watch("\(Self.configMaps)?watch=1&resourceVersion=\(lastRV)")
            let stale = try await again.watch("\(Self.configMaps)?watch=1&resourceVersion=\(lastRV - 1)")
            let next = try await again.post(Self.configMaps, ["metadata": ["name": "b"]])
            #expect(next.body[path: ["metadata", "resourceVersion"]]?.stringValue == String(lastRV + 1))
            let events = await resumed.events(1)
            #expect(events.first?.eventType == "ADDED" && events.first?.eventName == "b")
            #expect(await stale.events(1).first?[path: ["object", "code"]] == 410)
            resumed.cancel()
            stale.cancel()
            // A new ClusterIP does not reuse the first Service's.
            let other = try await again.post(Self.services, [
                "metadata": ["name": "other"], "spec": ["ports": [["port": 81, "protocol": "TCP"]]],
            ])
            #expect(other.body[path: ["spec", "clusterIP"]] != nil)
            #expect(other.body[path: ["spec", "clusterIP"]] != before[path: ["spec", "clusterIP"]])
            await second.shutdown()

            // The writes of the second run are on disk too.
            let third = try await KubeFakeServer.start(stateFile: path)
            #expect(await third.api.resourceVersion == lastRV + 2)
            #expect(try await APIClient(third).get(Self.configMaps + "/b").status == 200)
            await third.shutdown()
            #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        }
    }

    @Test func malformedStateIsATypedErrorAndLeavesTheStoreAlone() throws {
        var store = ObjectStore()
        for document: JSONValue in [
            [:],
            ["format": "swiftlb.kubefake.state/v1", "resourceVersion": 0, "nextServiceIP": 1, "nextNodePort": 1, "objects": [:]],
            ["format": "swiftlb.kubefake.state/v1", "resourceVersion": 5, "nextServiceIP": 1, "nextNodePort": 1,
             "objects": ["widgets": []]],
            ["format": "swiftlb.kubefake.state/v1", "resourceVersion": 5, "nextServiceIP": 1, "nextNodePort": 1,
             "objects": ["configmaps": [["metadata": ["name": "a", "namespace": "default", "resourceVersion": "9"]]]]],
        ] {
            #expect(throws: StateFileError.self) { try StateFile.decode(document, into: &store) }
        }
        #expect(store.resourceVersion == 1 && store.count(ResourceCatalog.standard.type(named: "configmaps")!) == 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kubefake-torn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data("{\"format\": \"swiftlb.kube".utf8))
        #expect(throws: StateFileError.self) { try StateFile(path: path).load(into: &store) }
    }
}
