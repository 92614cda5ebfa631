import Foundation
import Kube
import KubeFake

/// A KubeFake server on loopback (port 0) and a Kube client configured from the kubeconfig
/// it writes, torn down after `body`, also when it throws.
struct FakeCluster: Sendable {
    let server: KubeFakeServer
    let client: KubeClient

    static func with<T: Sendable>(
        tls: Bool = false,
        token: String? = "test-token",
        historyLimit: Int = 1000,
        _ body: (FakeCluster) async throws -> T
    ) async throws -> T {
        let server = try await KubeFakeServer.start(token: token, tls: tls, historyLimit: historyLimit)
        let client: KubeClient
        do {
            let configuration = try Kubeconfig.parse(yaml: server.kubeconfigYAML(), file: "kubefake")
            client = try KubeClient(configuration: configuration, requestTimeout: .seconds(10))
        } catch {
            await server.shutdown()
            throw error
        }
        let cluster = FakeCluster(server: server, client: client)
        do {
            let result = try await body(cluster)
            try? await client.shutdown()
            await server.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            await server.shutdown()
            throw error
        }
    }
}

/// Runs `informer` while `body` runs, then stops it.
func withInformer<Object: KubeResource, T: Sendable>(
    _ informer: Informer<Object>,
    _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await informer.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}

extension ConfigMap {
    static func named(_ name: String, _ data: [String: String] = [:]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: data)
    }
}

/// `+name`, `~name=value`, `-name` for the value of key `v`, to compare event sequences.
func describe(_ event: InformerEvent<ConfigMap>) -> String {
    switch event {
    case .added(let map): "+\(map.metadata.name ?? "")"
    case .modified(let map): "~\(map.metadata.name ?? "")=\(map.data?["v"] ?? "")"
    case .deleted(let map): "-\(map.metadata.name ?? "")"
    }
}

/// Reads events until one satisfies `stop` (inclusive).
func collect(
    _ iterator: inout AsyncStream<InformerEvent<ConfigMap>>.Iterator,
    until stop: String
) async -> [String] {
    var seen: [String] = []
    while let event = await iterator.next() {
        seen.append(describe(event))
        if seen.last == stop { break }
    }
    return seen
}

/// Reads exactly `count` events.
func collect(
    _ iterator: inout AsyncStream<InformerEvent<ConfigMap>>.Iterator,
    count: Int
) async -> [String] {
    var seen: [String] = []
    while seen.count < count, let event = await iterator.next() {
        seen.append(describe(event))
    }
    return seen
}
