import Foundation
import Kube
import KubeFake
import Testing

@Suite("Kube client against KubeFake", .timeLimit(.minutes(1)))
struct ClientAgainstKubeFakeTests {
    @Test func crudOverTLSWithSelectorsStatusAndTypedErrors() async throws {
        try await FakeCluster.with(tls: true) { cluster in
            let client = cluster.client
            #expect(client.configuration.server.hasPrefix("https://"))
            for (name, app) in [("web", "a"), ("db", "b"), ("cache", "a")] {
                let service = Service(
                    metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": app]),
                    spec: .init(type: "LoadBalancer", ports: [.init(port: 80)], selector: ["app": app])
                )
                let created = try await client.create(service)
                #expect(created.metadata.uid != nil)
                #expect(created.metadata.resourceVersion != nil)
            }
            let selected = try await client.list(
                Service.self,
                namespace: "default",
                options: ListOptions(labelSelector: "app=a")
            )
            #expect(selected.items.compactMap(\.metadata.name).sorted() == ["cache", "web"])
            let byName = try await client.list(
                Service.self,
                namespace: "default",
                options: ListOptions(fieldSelector: "metadata.name=db")
            )
            #expect(byName.items.map(\.metadata.name) == ["db"])
            let paged = try await client.listAll(Service.self, namespace: "default", options: ListOptions(limit: 1))
            #expect(paged.items.count == 3)

            // Status subresource: a merge patch of status keeps the spec.
            let patched: Service = try await client.mergePatch(
                Service.self,
                name: "web",
                namespace: "default",
                patch: ["status": ["loadBalancer": ["ingress": [["ip": "192.0.2.10"]]]]] as Kube.JSONValue,
                subresource: "status"
            )
            #expect(patched.status?.loadBalancer?.ingress?.first?.ip == "192.0.2.10")
            #expect(patched.spec?.selector == ["app": "a"])
            // Merge patch with null removes a label, keeps the rest.
            let relabelled = try await client.mergePatch(
                Service.self,
                name: "web",
                namespace: "default",
                patch: ["metadata": ["labels": ["app": nil, "tier": "front"]]] as Kube.JSONValue
            )
            #expect(relabelled.metadata.labels == ["tier": "front"])

            try await client.delete(Service.self, name: "db", namespace: "default")
            do {
                _ = try await client.get(Service.self, name: "db", namespace: "default")
                Issue.record("deleted Service still readable")
            } catch let error as KubeAPIError {
                #expect(error.isNotFound)
                #expect(error.reason == "NotFound")
            }
            do {
                _ = try await client.create(
                    Service(metadata: ObjectMeta(name: "web", namespace: "default"), spec: .init(ports: [.init(port: 1)]))
                )
                Issue.record("duplicate create accepted")
            } catch let error as KubeAPIError {
                #expect(error.isAlreadyExists)
            }
            // A stale resourceVersion is a 409 Conflict.
            var stale = try await client.get(Service.self, name: "cache", namespace: "default")
            _ = try await client.mergePatch(
                Service.self,
                name: "cache",
                namespace: "default",
                patch: ["metadata": ["annotations": ["x": "1"]]] as Kube.JSONValue
            )
            stale.metadata.labels?["app"] = "z"
            do {
                _ = try await client.update(stale)
                Issue.record("stale update accepted")
            } catch let error as KubeAPIError {
                #expect(error.isConflict)
                #expect(error.code == 409)
            }
        }
    }

    @Test func serverCertificateIsVerifiedUnlessSkipped() async throws {
        try await FakeCluster.with(tls: true, token: nil) { cluster in
            let untrusted = try KubeClient(
                configuration: KubeClientConfiguration(server: cluster.server.url),
                connectTimeout: .milliseconds(500)
            )
            let skipping = try KubeClient(
                configuration: KubeClientConfiguration(server: cluster.server.url, insecureSkipTLSVerify: true)
            )
            defer {
                Task {
                    try? await untrusted.shutdown()
                    try? await skipping.shutdown()
                }
            }
            // The self-signed certificate is not in the system trust store.
            await #expect(throws: (any Error).self) {
                _ = try await untrusted.list(ConfigMap.self, namespace: "default")
            }
            _ = try await skipping.list(ConfigMap.self, namespace: "default")
            // The CA from the kubeconfig makes it trusted (FakeCluster's own client).
            _ = try await cluster.client.list(ConfigMap.self, namespace: "default")
        }
    }

    @Test func conflictingWritesAreRetriedWithAFreshRead() async throws {
        try await FakeCluster.with { cluster in
            let client = cluster.client
            _ = try await client.create(ConfigMap.named("counter", ["n": "0"]))
            // The first attempt is overtaken by another writer: the PUT conflicts, the retry
            // reads the new state and succeeds on the second attempt.
            let attempts = Counter()
            let written = try await client.update(ConfigMap.self, name: "counter", namespace: "default") { map in
                if await attempts.increment() == 1 {
                    _ = try await client.mergePatch(
                        ConfigMap.self,
                        name: "counter",
                        namespace: "default",
                        patch: ["data": ["other": "x"]] as Kube.JSONValue
                    )
                }
                map.data?["n"] = "1"
            }
            #expect(await attempts.value == 2)
            #expect(written.data == ["n": "1", "other": "x"])

            // Concurrent increments: every one lands exactly once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        _ = try await client.update(ConfigMap.self, name: "counter", namespace: "default", maxAttempts: 50) {
                            map in
                            let current = Int(map.data?["n"] ?? "0") ?? 0
                            map.data?["n"] = String(current + 1)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await client.get(ConfigMap.self, name: "counter", namespace: "default")
            #expect(final.data?["n"] == "9")

            // Bounded: with one attempt a conflict surfaces.
            let bounded = Counter()
            do {
                _ = try await client.update(ConfigMap.self, name: "counter", namespace: "default", maxAttempts: 1) {
                    map in
                    if await bounded.increment() == 1 {
                        _ = try await client.mergePatch(
                            ConfigMap.self,
                            name: "counter",
                            namespace: "default",
                            patch: ["data": ["other": "y"]] as Kube.JSONValue
                        )
                    }
                    map.data?["n"] = "100"
                }
                Issue.record("conflict not reported")
            } catch let error as KubeAPIError {
                #expect(error.isConflict)
            }
        }
    }

    @Test func rotatedTokenFileIsPickedUp() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "old-token\n".write(toFile: path, atomically: true, encoding: .utf8)
        let server = try await KubeFakeServer.start(token: "old-token")
        let client = try KubeClient(configuration: KubeClientConfiguration(server: server.url, credentials: .tokenFile(path: path)))
        let wrong = try KubeClient(configuration: KubeClientConfiguration(server: server.url, credentials: .bearerToken("nope")))
        defer {
            Task {
                try? await client.shutdown()
                try? await wrong.shutdown()
                await server.shutdown()
            }
        }
        _ = try await client.list(ConfigMap.self, namespace: "default")
        do {
            _ = try await wrong.list(ConfigMap.self, namespace: "default")
            Issue.record("wrong token accepted")
        } catch let error as KubeAPIError {
            #expect(error.isUnauthorized)
        }
        // Rotate: the server accepts only the new token, the file is rewritten.
        await server.api.setAcceptedTokens(["new-token"])
        try "new-token\n".write(toFile: path, atomically: true, encoding: .utf8)
        let created = try await client.create(ConfigMap.named("after-rotation"))
        #expect(created.metadata.name == "after-rotation")
        // Even when the modification time did not change (same second, same size), a 401
        // makes the client re-read the file once.
        await server.api.setAcceptedTokens(["nxt-token"])
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        try "nxt-token\n".write(toFile: path, atomically: true, encoding: .utf8)
        if let before { try FileManager.default.setAttributes([.modificationDate: before], ofItemAtPath: path) }
        _ = try await client.get(ConfigMap.self, name: "after-rotation", namespace: "default")
    }

    @Test func cutWatchesResumeWithoutLostOrDuplicatedEvents() async throws {
        try await FakeCluster.with { cluster in
            let client = cluster.client
            for index in 0..<12 { _ = try await client.create(ConfigMap.named("pre\(index)", ["v": "0"])) }
            let informer = Informer<ConfigMap>(
                client: client,
                options: InformerOptions(
                    namespace: "default",
                    pageSize: 5,
                    backoff: ExponentialBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
                )
            )
            try await withInformer(informer) {
                var events = informer.changes.makeAsyncIterator()
                await informer.waitUntilSynced()
                let initial = await collect(&events, count: 12)
                #expect(initial.sorted() == (0..<12).map { "+pre\($0)" }.sorted())
                #expect(await informer.listRequests == 3)  // pages of 5, 5, 2

                var expected: [String] = []
                for index in 0..<40 {
                    _ = try await client.create(ConfigMap.named("w\(index)"))
                    expected.append("+w\(index)")
                    if index.isMultiple(of: 2) {
                        _ = try await client.mergePatch(
                            ConfigMap.self,
                            name: "pre\(index % 12)",
                            namespace: "default",
                            patch: ["data": ["v": .string("\(index + 1)")]] as Kube.JSONValue
                        )
                        expected.append("~pre\(index % 12)=\(index + 1)")
                    }
                    if index % 7 == 3 {
                        await cluster.server.api.dropAllWatches()
                    }
                    if index == 20 {
                        try await client.delete(ConfigMap.self, name: "pre11", namespace: "default")
                        expected.append("-pre11")
                    }
                }
                _ = try await client.create(ConfigMap.named("zz-end"))
                expected.append("+zz-end")
                let seen = await collect(&events, until: "+zz-end")
                #expect(seen == expected)
                #expect(await informer.relists == 0)
                #expect(await informer.watchRequests >= 2)
                let snapshot = await informer.snapshot()
                #expect(snapshot.count == 52)  // 12 - 1 deleted + 40 + sentinel
                #expect(snapshot["default/pre2"]?.data?["v"] == "39")
            }
        }
    }

    @Test func compactedHistoryForcesARelistThatDeliversTheDifference() async throws {
        try await FakeCluster.with { cluster in
            let client = cluster.client
            let api = cluster.server.api
            for name in ["a", "b", "c", "d"] { _ = try await client.create(ConfigMap.named(name, ["v": "1"])) }
            let informer = Informer<ConfigMap>(
                client: client,
                options: InformerOptions(
                    namespace: "default",
                    backoff: ExponentialBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))
                )
            )
            try await withInformer(informer) {
                var events = informer.changes.makeAsyncIterator()
                await informer.waitUntilSynced()
                #expect(await collect(&events, count: 4).sorted() == ["+a", "+b", "+c", "+d"])
                // Cut the watch and keep the informer out (503s) while the cluster changes
                // and the history is compacted behind it.
                await api.failNextRequests(1_000_000, status: 503)
                await api.dropAllWatches()
                try await api.patch("configmaps", namespace: "default", name: "b", ["data": ["v": "2"]])
                try await api.delete("configmaps", namespace: "default", name: "c")
                try await api.create("configmaps", namespace: "default", ["metadata": ["name": "e"], "data": ["v": "1"]])
                await api.compactHistory()
                await api.failNextRequests(0)
                // The resumed watch gets 410 Gone; the relist yields exactly the difference.
                let difference = await collect(&events, count: 3)
                #expect(difference.sorted() == ["+e", "-c", "~b=2"])
                _ = try await client.create(ConfigMap.named("sentinel"))
                #expect(await collect(&events, count: 1) == ["+sentinel"])
                #expect(await informer.relists == 1)
                #expect(await informer.snapshot().keys.sorted() == ["default/a", "default/b", "default/d", "default/e", "default/sentinel"])
            }
        }
    }

    @Test func watchTimeoutAndBookmarksKeepTheInformerCurrent() async throws {
        try await FakeCluster.with { cluster in
            let client = cluster.client
            let informer = Informer<ConfigMap>(
                client: client,
                options: InformerOptions(namespace: "default", labelSelector: "keep=yes", watchTimeout: .seconds(1))
            )
            try await withInformer(informer) {
                var events = informer.changes.makeAsyncIterator()
                await informer.waitUntilSynced()
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "skip", namespace: "default", labels: ["keep": "no"])))
                await cluster.server.api.sendBookmarks()
                let before = await informer.watchRequests
                // Outlive at least one server-side watch timeout (1–2 s).
                for index in 0..<3 {
                    _ = try await client.create(
                        ConfigMap(metadata: ObjectMeta(name: "k\(index)", namespace: "default", labels: ["keep": "yes"]))
                    )
                    #expect(await collect(&events, count: 1) == ["+k\(index)"])
                    if index < 2 { try await Task.sleep(for: .milliseconds(1100)) }
                }
                #expect(await informer.watchRequests > before)
                #expect(await informer.relists == 0)
                #expect(await informer.snapshot().keys.sorted() == ["default/k0", "default/k1", "default/k2"])
            }
        }
    }

    /// The cache drops `kubectl apply`'s copy of each object, listed or watched, and keeps
    /// every other annotation; the server keeps it.
    @Test func cacheDropsTheLastAppliedConfiguration() async throws {
        try await FakeCluster.with { cluster in
            let client = cluster.client
            let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
            func applied(_ name: String, _ extra: [String: String] = [:]) -> ConfigMap {
                ConfigMap(metadata: ObjectMeta(
                    name: name, namespace: "default", annotations: extra.merging([lastApplied: "{\"kind\":\"ConfigMap\"}"]) { a, _ in a }))
            }
            _ = try await client.create(applied("listed", ["metallb.universe.tf/address-pool": "a"]))
            let informer = Informer<ConfigMap>(client: client, options: InformerOptions(namespace: "default"))
            try await withInformer(informer) {
                var events = informer.changes.makeAsyncIterator()
                await informer.waitUntilSynced()
                #expect(await collect(&events, count: 1) == ["+listed"])
                _ = try await client.create(applied("watched"))
                #expect(await collect(&events, count: 1) == ["+watched"])
                let cache = await informer.snapshot()
                #expect(cache["default/listed"]?.metadata.annotations == ["metallb.universe.tf/address-pool": "a"])
                #expect(cache["default/watched"]?.metadata.annotations == nil)
                let stored = try await client.get(ConfigMap.self, name: "watched", namespace: "default")
                #expect(stored.metadata.annotations?[lastApplied] != nil)
            }
        }
    }
}

actor Counter {
    private(set) var value = 0

    func increment() -> Int {
        value += 1
        return value
    }
}
