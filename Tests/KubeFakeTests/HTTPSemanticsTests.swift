import Foundation
import KubeFake
import NIOHTTP1
import Testing

/// The API server's wire behaviour, driven over real HTTP on loopback.
@Suite(.serialized) struct HTTPSemanticsTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    func withServer(
        historyLimit: Int = 1000, bookmarkInterval: Duration = .seconds(30), token: String? = nil,
        _ body: (KubeFakeServer, APIClient) async throws -> Void
    ) async throws {
        let server = try await KubeFakeServer.start(token: token, historyLimit: historyLimit,
                                                    bookmarkInterval: bookmarkInterval)
        do {
            try await body(server, APIClient(server))
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    static func configMap(_ name: String, labels: [String: JSONValue] = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": .object(labels)],
         "data": ["k": "v"]]
    }

    @Test(.timeLimit(.minutes(1)))
    func watchReplaysFromResourceVersionAndFollowsSelectors() async throws {
        try await withServer { _, client in
            let first = try await client.post(Self.configMaps, Self.configMap("a", labels: ["app": "x"]))
            #expect(first.status == 201)
            let rv = first.body[path: ["metadata", "resourceVersion"]]!.stringValue!
            _ = try await client.post(Self.configMaps, Self.configMap("b", labels: ["app": "y"]))
            let watch = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(rv)&labelSelector=app%3Dx")
            let all = try await client.watch("\(Self.configMaps)?watch=true&resourceVersion=\(rv)")
            #expect(watch.status == 200)
            // b starts matching (ADDED), a is modified, then stops matching (DELETED), b is deleted.
            _ = try await client.patch("\(Self.configMaps)/b", ["metadata": ["labels": ["app": "x"]]])
            _ = try await client.patch("\(Self.configMaps)/a", ["data": ["k": "w"]])
            _ = try await client.patch("\(Self.configMaps)/a", ["metadata": ["labels": ["app": "z"]]])
            _ = try await client.request(.DELETE, "\(Self.configMaps)/b")
            let events = await watch.events(4)
            #expect(events.map { "\($0.eventType ?? "") \($0.eventName ?? "")" }
                    == ["ADDED b", "MODIFIED a", "DELETED a", "DELETED b"])
            let everything = await all.events(5)
            #expect(everything.map { "\($0.eventType ?? "") \($0.eventName ?? "")" }
                    == ["ADDED b", "MODIFIED b", "MODIFIED a", "MODIFIED a", "DELETED b"])
            let versions = everything.compactMap { $0[path: ["object", "metadata", "resourceVersion"]]?.stringValue }
                .compactMap { Int($0) }
            #expect(versions == versions.sorted() && Set(versions).count == versions.count)
            watch.cancel()
            all.cancel()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func watchFromCompactedResourceVersionGets410ErrorEvent() async throws {
        try await withServer(historyLimit: 3) { server, client in
            let first = try await client.post(Self.configMaps, Self.configMap("a"))
            let rv = first.body[path: ["metadata", "resourceVersion"]]!.stringValue!
            for index in 0..<4 { _ = try await client.post(Self.configMaps, Self.configMap("n\(index)")) }
            let watch = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(rv)")
            #expect(watch.status == 200)
            let events = await watch.events(1)
            #expect(events.first?.eventType == "ERROR")
            #expect(events.first?[path: ["object", "code"]] == 410)
            #expect(events.first?[path: ["object", "reason"]] == "Expired")
            #expect(events.first?[path: ["object", "kind"]] == "Status")
            #expect(await watch.ended())
            // Within the history the same kind of watch works; after an explicit compaction it is gone.
            let current = await server.api.resourceVersion
            let recent = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(current - 1)")
            #expect(await recent.events(1).first?.eventType == "ADDED")
            recent.cancel()
            await server.api.compactHistory()
            let compacted = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(current - 1)")
            #expect(await compacted.events(1).first?[path: ["object", "code"]] == 410)
            // A list continuation from before the compaction is 410 as an HTTP status.
            _ = try await client.post(Self.configMaps, Self.configMap("z"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func bookmarksArrivePeriodicallyAndOnRequest() async throws {
        try await withServer(bookmarkInterval: .milliseconds(200)) { server, client in
            _ = try await client.post(Self.configMaps, Self.configMap("a"))
            let rv = await server.api.resourceVersion
            let watch = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(rv)&allowWatchBookmarks=true")
            let plain = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(rv)")
            let events = await watch.events(2)
            #expect(events.count == 2)
            #expect(events.allSatisfy { $0.eventType == "BOOKMARK" })
            #expect(events.first?[path: ["object", "metadata", "resourceVersion"]] == .string(String(rv)))
            #expect(events.first?[path: ["object", "kind"]] == "ConfigMap")
            _ = try await client.post(Self.configMaps, Self.configMap("b"))
            await server.api.sendBookmarks()
            let later = await watch.events(4)
            let lastBookmark = later.last { $0.eventType == "BOOKMARK" }
            #expect(lastBookmark?[path: ["object", "metadata", "resourceVersion"]] == .string(String(rv + 1)))
            // Watches that did not ask for bookmarks only see the object change.
            #expect(await plain.events(1).map { $0.eventType } == ["ADDED"])
            #expect(plain.collector.lines.count == 1)
            watch.cancel()
            plain.cancel()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func initialEventsThenBookmarkAndTimeout() async throws {
        try await withServer { _, client in
            _ = try await client.post(Self.configMaps, Self.configMap("a"))
            _ = try await client.post(Self.configMaps, Self.configMap("b"))
            let watch = try await client.watch(
                "\(Self.configMaps)?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                    + "&allowWatchBookmarks=true&timeoutSeconds=1")
            let events = await watch.events(3)
            #expect(events.map { $0.eventType } == ["ADDED", "ADDED", "BOOKMARK"])
            #expect(events.last?[path: ["object", "metadata", "annotations", "k8s.io/initial-events-end"]] == "true")
            #expect(await watch.ended(within: .seconds(5)))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func optimisticConcurrencyAndStatusSubresource() async throws {
        try await withServer { _, client in
            let created = try await client.post(Self.configMaps, Self.configMap("a"))
            var stale = created.body
            stale["data"] = ["k": "1"]
            #expect(try await client.put("\(Self.configMaps)/a", stale).status == 200)
            let conflict = try await client.put("\(Self.configMaps)/a", stale)
            #expect(conflict.status == 409)
            #expect(conflict.body["reason"] == "Conflict" && conflict.body["kind"] == "Status")
            let duplicate = try await client.post(Self.configMaps, Self.configMap("a"))
            #expect(duplicate.status == 409 && duplicate.body["reason"] == "AlreadyExists")
            let dryRun = try await client.post("\(Self.configMaps)?dryRun=All", Self.configMap("ghost"))
            #expect(dryRun.status == 201 && dryRun.body[path: ["metadata", "name"]] == "ghost")
            #expect(try await client.get("\(Self.configMaps)/ghost").status == 404)
            let patchRV = try await client.patch("\(Self.configMaps)/a", ["metadata": ["resourceVersion": "1"], "data": [:]])
            #expect(patchRV.status == 409)

            let services = "/api/v1/namespaces/default/services"
            let service: JSONValue = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
                                      "spec": ["type": "LoadBalancer", "ports": [["port": 80]]]]
            #expect(try await client.post(services, service).status == 201)
            let status = try await client.patch("\(services)/web/status",
                                                ["status": ["loadBalancer": ["ingress": [["ip": "192.0.2.1"]]]],
                                                 "spec": ["type": "ClusterIP"]])
            #expect(status.status == 200)
            #expect(status.body[path: ["spec", "type"]] == "LoadBalancer")
            #expect(status.body[path: ["status", "loadBalancer", "ingress"]] == [["ip": "192.0.2.1"]])
            let main = try await client.patch("\(services)/web", ["status": ["loadBalancer": [:]],
                                                                  "metadata": ["labels": ["a": "b"]]])
            #expect(main.body[path: ["status", "loadBalancer", "ingress"]] == [["ip": "192.0.2.1"]])
            #expect(main.body[path: ["metadata", "labels", "a"]] == "b")
            let noStatus = try await client.get("\(Self.configMaps)/a/status")
            #expect(noStatus.status == 404)
            let deleted = try await client.request(.DELETE, "\(services)/web",
                                                   body: #"{"preconditions":{"resourceVersion":"1"}}"#)
            #expect(deleted.status == 409)
            #expect(try await client.request(.DELETE, "\(services)/web").status == 200)
            let missing = try await client.get("\(services)/web")
            #expect(missing.status == 404 && missing.body["reason"] == "NotFound")
            #expect(missing.body[path: ["details", "name"]] == "web")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func paginationOverHTTPCoversAllObjectsExactlyOnce() async throws {
        try await withServer { server, client in
            for index in 0..<25 { try await server.api.create("configmaps", namespace: "default", Self.configMap("c\(index)")) }
            try await server.api.create("configmaps", namespace: "kube-system", Self.configMap("elsewhere"))
            var names: [String] = []
            var token = ""
            var listRV: JSONValue?
            var pages = 0
            repeat {
                let reply = try await client.get("\(Self.configMaps)?limit=7&continue=\(token)")
                #expect(reply.status == 200)
                #expect(reply.body["kind"] == "ConfigMapList")
                names += reply.body["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
                if listRV == nil { listRV = reply.body[path: ["metadata", "resourceVersion"]] }
                #expect(reply.body[path: ["metadata", "resourceVersion"]] == listRV)
                token = reply.body[path: ["metadata", "continue"]]?.stringValue ?? ""
                pages += 1
                if pages == 1 { #expect(reply.body[path: ["metadata", "remainingItemCount"]] == 18) }
            } while !token.isEmpty && pages < 10
            #expect(pages == 4)
            #expect(names.count == 25 && Set(names).count == 25)
            // A large body on a `Connection: close` request arrives whole before the server hangs up.
            for index in 0..<2000 {
                try await server.api.create("configmaps", namespace: "kube-public",
                                            ["metadata": ["name": .string("bulk-\(index)")], "data": ["k": .string(String(repeating: "x", count: 512))]])
            }
            let bulk = try await client.request(.GET, "/api/v1/namespaces/kube-public/configmaps",
                                                headers: ["Connection": "close"])
            #expect(bulk.status == 200 && bulk.text.utf8.count > 1_000_000)
            #expect(bulk.body["items"]?.arrayValue?.count == 2000)
            let everywhere = try await client.get("/api/v1/namespaces/default/configmaps")
            #expect(everywhere.body["items"]?.arrayValue?.count == 25)
            #expect(try await client.get("/api/v1/configmaps?limit=1").body[path: ["metadata", "remainingItemCount"]] == 2025)
            // A continue token older than the history is 410 Expired.
            let first = try await client.get("\(Self.configMaps)?limit=5")
            let oldToken = first.body[path: ["metadata", "continue"]]!.stringValue!
            _ = try await client.post(Self.configMaps, Self.configMap("late"))
            await server.api.compactHistory()
            let expired = try await client.get("\(Self.configMaps)?limit=5&continue=\(oldToken)")
            #expect(expired.status == 410 && expired.body["reason"] == "Expired")
        }
    }

    /// One Event storage, two API shapes, as the real server's conversion gives.
    @Test(.timeLimit(.minutes(1)))
    func eventsAreOneResourceInBothGroups() async throws {
        try await withServer { _, client in
            let modern = "/apis/events.k8s.io/v1/namespaces/default/events"
            let core = "/api/v1/namespaces/default/events"
            let watch = try await client.watch("\(core)?watch=1&fieldSelector=involvedObject.name%3Dweb")
            let event: JSONValue = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "web.1"],
                "regarding": ["kind": "Service", "name": "web", "namespace": "default"], "note": "IP allocated",
                "reason": "IPAllocated", "type": "Normal", "reportingController": "metallb-controller",
                "reportingInstance": "controller-1", "action": "Allocate", "eventTime": "2026-11-23T10:00:00.000000Z",
            ]
            let created = try await client.post(modern, event)
            #expect(created.status == 201)
            #expect(created.body["note"] == "IP allocated" && created.body["message"] == nil)
            let asCore = try await client.get("\(core)/web.1")
            #expect(asCore.body["apiVersion"] == "v1")
            #expect(asCore.body["message"] == "IP allocated")
            #expect(asCore.body[path: ["involvedObject", "name"]] == "web")
            #expect(asCore.body["reportingComponent"] == "metallb-controller")
            let patched = try await client.patch("\(modern)/web.1", ["series": ["count": 2, "lastObservedTime": "2026-11-23T10:01:00.000000Z"],
                                                                   "note": "IP allocated again"])
            #expect(patched.body["note"] == "IP allocated again")
            let selected = try await client.get("\(modern)?fieldSelector=regarding.name%3Dweb")
            #expect(selected.body["items"]?.arrayValue?.first?["regarding"]?["kind"] == "Service")
            #expect(try await client.get("\(modern)?fieldSelector=regarding.name%3Dother").body["items"]?.arrayValue?.isEmpty == true)
            let seen = await watch.events(2)
            #expect(seen.map { $0.eventType } == ["ADDED", "MODIFIED"])
            #expect(seen.last?[path: ["object", "message"]] == "IP allocated again")
            watch.cancel()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func bearerTokensAndRotation() async throws {
        try await withServer(token: "first") { server, client in
            var anonymous = client
            anonymous.token = nil
            let refused = try await anonymous.get("/api/v1/namespaces")
            #expect(refused.status == 401 && refused.body["reason"] == "Unauthorized")
            #expect(try await client.get("/api/v1/namespaces").status == 200)
            await server.setAcceptedTokens(["second"])
            #expect(try await client.get("/api/v1/namespaces").status == 401)
            var rotated = client
            rotated.token = "second"
            #expect(try await rotated.get("/api/v1/namespaces").status == 200)
            #expect(try await anonymous.get("/healthz").status == 200)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func faultInjectionThroughTheAdminEndpoint() async throws {
        try await withServer { server, client in
            _ = try await client.post(Self.configMaps, Self.configMap("a"))
            let set = try await client.request(.POST, "/_fake/faults", body: #"{"failNext":2,"failStatus":503}"#)
            #expect(set.status == 200)
            let first = try await client.get(Self.configMaps)
            let second = try await client.get(Self.configMaps)
            #expect(first.status == 503 && first.body["reason"] == "ServiceUnavailable")
            #expect(second.status == 503)
            #expect(try await client.get(Self.configMaps).status == 200)

            _ = try await client.request(.POST, "/_fake/faults", body: #"{"delayMilliseconds":300}"#)
            let clock = ContinuousClock()
            let delayed = try await clock.measure { _ = try await client.get(Self.configMaps) }
            #expect(delayed >= .milliseconds(300))
            _ = try await client.request(.POST, "/_fake/faults", body: #"{"reset":true}"#)

            let watch = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=\(await server.api.resourceVersion)")
            #expect(await server.api.openWatchCount == 1)
            _ = try await client.request(.POST, "/_fake/faults", body: #"{"dropWatches":true}"#)
            #expect(await watch.ended())
            #expect(await server.api.openWatchCount == 0)

            // Paused: a request waits until resumed.
            _ = try await client.request(.POST, "/_fake/faults", body: #"{"pause":true}"#)
            let waiting = Task { try await client.get(Self.configMaps).status }
            let state = try await client.get("/_fake/faults")
            #expect(state.body["paused"] == true)
            // Bounded check that the request really is held by the pause.
            var held = 0
            for _ in 0..<500 where held == 0 {
                held = server.api.heldByPauseCount
                await Task.yield()
                if held == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(held == 1)
            _ = try await client.request(.POST, "/_fake/faults", body: #"{"pause":false}"#)
            #expect(try await waiting.value == 200)

            let compacted = try await client.request(.POST, "/_fake/faults", body: #"{"compact":true}"#)
            #expect(compacted.status == 200)
            let old = try await client.watch("\(Self.configMaps)?watch=1&resourceVersion=1")
            #expect(await old.events(1).first?[path: ["object", "code"]] == 410)

            await server.api.setFailureFraction(1)
            #expect(try await client.get(Self.configMaps).status == 500)
            await server.api.setFailureFraction(0)
            #expect(try await client.get(Self.configMaps).status == 200)
        }
    }
}
