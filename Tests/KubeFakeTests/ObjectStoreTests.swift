import Foundation
import KubeFake
import Testing

/// The registry rules as a value: no server, no clock, seeded randomness.
@Suite struct ObjectStoreTests {
    let services = ResourceCatalog.standard.type(named: "services")!
    let configMaps = ResourceCatalog.standard.type(named: "configmaps")!
    let pools = ResourceCatalog.standard.type(named: "ipaddresspools.metallb.io")!
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func makeStore(historyLimit: Int = 1000) throws -> ObjectStore {
        var store = ObjectStore(historyLimit: historyLimit)
        var rng = SystemRandomNumberGenerator()
        _ = try store.create(ResourceCatalog.standard.type(named: "namespaces")!, namespace: "",
                             body: ["metadata": ["name": "default"]], now: now, using: &rng)
        return store
    }

    func configMap(_ name: String, labels: [String: JSONValue] = [:], data: JSONValue = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": .object(labels)],
         "data": data]
    }

    @Test func createAssignsServerFieldsAndIncreasingResourceVersions() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        let a = try store.create(configMaps, namespace: "default", body: configMap("a"), now: now, using: &rng).object
        let b = try store.create(configMaps, namespace: "default", body: configMap("b"), now: now, using: &rng).object
        #expect(Int(a.resourceVersion)! < Int(b.resourceVersion)!)
        #expect(a.value[path: ["metadata", "uid"]]?.stringValue?.count == 36)
        #expect(a.value[path: ["metadata", "creationTimestamp"]] == "2027-01-15T08:00:00Z")
        #expect(a.namespace == "default")
        let generated = try store.create(configMaps, namespace: "default",
                                         body: ["metadata": ["generateName": "gen-"]], now: now, using: &rng).object
        #expect(generated.name.hasPrefix("gen-") && generated.name.count == 9)
    }

    @Test func duplicateCreateIsAlreadyExistsAndMissingNameIsInvalid() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"), now: now, using: &rng)
        #expect(throws: APIError.alreadyExists(configMaps, name: "a")) {
            try store.create(configMaps, namespace: "default", body: configMap("a"), now: now, using: &rng)
        }
        do {
            _ = try store.create(configMaps, namespace: "default", body: ["metadata": [:]], now: now, using: &rng)
            Issue.record("a nameless create succeeded")
        } catch {
            #expect(error.code == 422 && error.reason == "Invalid")
        }
        do {
            _ = try store.create(configMaps, namespace: "nowhere", body: configMap("x"), now: now, using: &rng)
            Issue.record("a create in a missing namespace succeeded")
        } catch {
            #expect(error.code == 404 && error.message.contains("namespaces \"nowhere\""))
        }
    }

    @Test func staleUpdateConflictsAndIdenticalUpdateIsNoOp() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        let created = try store.create(configMaps, namespace: "default", body: configMap("a", data: ["k": "1"]),
                                       now: now, using: &rng).object
        var changed = created.value
        changed["data"] = ["k": "2"]
        let updated = try store.update(configMaps, namespace: "default", name: "a", body: changed, subresource: .main,
                                       now: now)
        #expect(updated.changes.count == 1)
        // The same body again carries the old resourceVersion: 409.
        #expect(throws: APIError.conflict(configMaps, name: "a", why: APIError.staleObject)) {
            try store.update(configMaps, namespace: "default", name: "a", body: changed, subresource: .main, now: now)
        }
        // Writing back exactly what is stored changes nothing and emits no event.
        let noop = try store.update(configMaps, namespace: "default", name: "a", body: updated.object.value,
                                    subresource: .main, now: now)
        #expect(noop.changes.isEmpty)
        #expect(noop.object.resourceVersion == updated.object.resourceVersion)
    }

    @Test func customResourceUpdateNeedsResourceVersion() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        let pool: JSONValue = ["apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
                               "metadata": ["name": "p"], "spec": ["addresses": ["10.0.0.0/24"]]]
        _ = try store.create(pools, namespace: "default", body: pool, now: now, using: &rng)
        do {
            _ = try store.update(pools, namespace: "default", name: "p", body: pool, subresource: .main, now: now)
            Issue.record("an unconditional custom resource update succeeded")
        } catch {
            #expect(error.code == 422)
        }
        // Strategic merge patch is refused for custom resources, as the real server does.
        do {
            _ = try store.patch(pools, namespace: "default", name: "p", patch: ["spec": [:]], patchType: .strategic,
                                subresource: .main, now: now)
            Issue.record("strategic merge patch on a custom resource succeeded")
        } catch {
            #expect(error.code == 415)
        }
    }

    @Test func statusSubresourceIsolation() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        let service: JSONValue = ["metadata": ["name": "web"],
                                  "spec": ["type": "LoadBalancer", "ports": [["port": 80]]],
                                  "status": ["loadBalancer": ["ingress": [["ip": "1.1.1.1"]]]]]
        let created = try store.create(services, namespace: "default", body: service, now: now, using: &rng).object
        // Status on create is dropped; defaults are filled in.
        #expect(created.value[path: ["status", "loadBalancer", "ingress"]] == nil)
        #expect(created.value[path: ["spec", "clusterIP"]]?.stringValue?.hasPrefix("10.96.") == true)
        #expect(created.value[path: ["metadata", "generation"]] == 1)
        // A status write ignores spec changes.
        var statusWrite = created.value
        statusWrite[path: ["spec", "type"]] = "ClusterIP"
        statusWrite["status"] = ["loadBalancer": ["ingress": [["ip": "192.168.1.10"]]]]
        let afterStatus = try store.update(services, namespace: "default", name: "web", body: statusWrite,
                                           subresource: .status, now: now).object
        #expect(afterStatus.value[path: ["spec", "type"]] == "LoadBalancer")
        #expect(afterStatus.value[path: ["status", "loadBalancer", "ingress"]] == [["ip": "192.168.1.10"]])
        #expect(afterStatus.value[path: ["metadata", "generation"]] == 1)
        // A main write ignores status changes and bumps generation for the spec change.
        var mainWrite = afterStatus.value
        mainWrite[path: ["spec", "ports"]] = [["port": 443]]
        mainWrite["status"] = ["loadBalancer": [:]]
        let afterMain = try store.update(services, namespace: "default", name: "web", body: mainWrite,
                                         subresource: .main, now: now).object
        #expect(afterMain.value[path: ["status", "loadBalancer", "ingress"]] == [["ip": "192.168.1.10"]])
        #expect(afterMain.value[path: ["spec", "ports"]]?.arrayValue?.first?["port"] == 443)
        #expect(afterMain.value[path: ["metadata", "generation"]] == 2)
        #expect(afterMain.value[path: ["spec", "clusterIP"]] == created.value[path: ["spec", "clusterIP"]])
    }

    @Test func paginationCoversEveryObjectOnceFromAConsistentSnapshot() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        for index in 0..<57 {
            _ = try store.create(configMaps, namespace: "default", body: configMap("cm-\(index)"), now: now, using: &rng)
        }
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try store.list(configMaps, namespace: "default", limit: 10, continueToken: token)
            seen += page.items.map(\.name)
            token = page.continueToken
            pages += 1
            // Writes between pages must not show up in later pages of this list.
            if pages == 2 {
                _ = try store.create(configMaps, namespace: "default", body: configMap("cm-zz-late"), now: now,
                                     using: &rng)
                _ = try store.delete(configMaps, namespace: "default", name: "cm-9", now: now)
            }
        } while token != nil
        #expect(pages == 6)
        #expect(seen.count == 57)
        #expect(Set(seen).count == 57)
        #expect(!seen.contains("cm-zz-late"))
        #expect(seen.contains("cm-9"))
    }

    @Test func oldHistoryIsGone() throws {
        var store = try makeStore(historyLimit: 5)
        var rng = SystemRandomNumberGenerator()
        let start = store.resourceVersion
        for index in 0..<3 {
            _ = try store.create(configMaps, namespace: "default", body: configMap("a\(index)"), now: now, using: &rng)
        }
        #expect(try store.changes(after: start).count == 3)
        for index in 0..<5 {
            _ = try store.create(configMaps, namespace: "default", body: configMap("b\(index)"), now: now, using: &rng)
        }
        do {
            _ = try store.changes(after: start)
            Issue.record("a watch from a dropped resourceVersion was accepted")
        } catch {
            #expect(error.code == 410 && error.reason == "Expired")
        }
        #expect(try store.changes(after: store.resourceVersion - 5).count == 5)
        store.compact()
        #expect(throws: APIError.self) { try store.changes(after: store.resourceVersion - 1) }
        #expect(try store.changes(after: store.resourceVersion).isEmpty)
    }

    @Test func deleteHonoursPreconditionsAndFinalizers() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        var body = configMap("f")
        body[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        let created = try store.create(configMaps, namespace: "default", body: body, now: now, using: &rng).object
        do {
            _ = try store.delete(configMaps, namespace: "default", name: "f",
                                 preconditions: .init(resourceVersion: "1"), now: now)
            Issue.record("a delete with a stale precondition succeeded")
        } catch {
            #expect(error.code == 409 && error.reason == "Conflict")
        }
        let marked = try store.delete(configMaps, namespace: "default", name: "f", now: now)
        #expect(!marked.completed)
        #expect(marked.object.value[path: ["metadata", "deletionTimestamp"]] != nil)
        var released = marked.object.value
        released[path: ["metadata", "finalizers"]] = nil
        let gone = try store.update(configMaps, namespace: "default", name: "f", body: released, subresource: .main,
                                    now: now)
        #expect(gone.changes.map(\.type) == [.modified, .deleted])
        #expect(throws: APIError.notFound(configMaps, name: "f")) {
            try store.get(configMaps, namespace: "default", name: "f")
        }
        _ = created
    }

    @Test func exactResourceVersionListsThePast() throws {
        var store = try makeStore()
        var rng = SystemRandomNumberGenerator()
        _ = try store.create(configMaps, namespace: "default", body: configMap("a", data: ["k": "1"]), now: now, using: &rng)
        let then = store.resourceVersion
        var changed = try store.get(configMaps, namespace: "default", name: "a").value
        changed["data"] = ["k": "2"]
        _ = try store.update(configMaps, namespace: "default", name: "a", body: changed, subresource: .main, now: now)
        _ = try store.create(configMaps, namespace: "default", body: configMap("b"), now: now, using: &rng)
        let past = try store.list(configMaps, namespace: "default", exactResourceVersion: then)
        #expect(past.items.map(\.name) == ["a"])
        #expect(past.items.first?.value["data"] == ["k": "1"])
        #expect(past.resourceVersion == then)
        #expect(try store.list(configMaps, namespace: "default").items.map(\.name) == ["a", "b"])
        do {
            _ = try store.list(configMaps, namespace: "default", exactResourceVersion: store.resourceVersion + 5)
            Issue.record("a list in the future succeeded")
        } catch {
            #expect(error.code == 504)
        }
    }
}
