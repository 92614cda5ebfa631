import Controller
import Foundation
import Kube
import KubeFake
import Observability
import Prometheus
import Testing

/// KubeFake on loopback (port 0), a client, and controllers started against it; everything
/// is stopped when `body` ends, also when it throws.
struct ControllerHarness: Sendable {
    static let namespace = "metallb-system"
    let server: KubeFakeServer
    let client: KubeClient

    static func with<T: Sendable>(_ body: (ControllerHarness) async throws -> T) async throws -> T {
        let server = try await KubeFakeServer.start(
            namespaces: ["default", "kube-system", "kube-public", "kube-node-lease", namespace])
        let client: KubeClient
        do {
            client = try KubeClient(
                configuration: KubeClientConfiguration(server: server.url, credentials: .none), requestTimeout: .seconds(10))
        } catch {
            await server.shutdown()
            throw error
        }
        let harness = ControllerHarness(server: server, client: client)
        do {
            let result = try await body(harness)
            try? await client.shutdown()
            await server.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            await server.shutdown()
            throw error
        }
    }

    /// A controller running in its own task, with its metrics registry.
    struct Running: Sendable {
        let controller: ServiceController
        let registry: PrometheusCollectorRegistry
        let task: Task<Void, Never>
        let client: KubeClient

        func stop() async {
            await controller.shutdown()
            await task.value
            try? await client.shutdown()
        }

        func metrics() -> String { registry.emitToString() }
    }

    /// Each controller has its own client, as each replica is its own process (its watches
    /// hold connections of its own pool).
    func startController(
        loadBalancerClass: String? = nil, leaderIdentity: String? = nil, memberlistSecretName: String = "memberlist"
    ) throws -> Running {
        let client = try KubeClient(
            configuration: KubeClientConfiguration(server: server.url, credentials: .none), requestTimeout: .seconds(10))
        let registry = PrometheusCollectorRegistry()
        let election = leaderIdentity.map {
            ControllerOptions.LeaderElection(
                leaseName: "swiftlb-controller", identity: $0, leaseDuration: .seconds(4), renewDeadline: .seconds(3),
                retryPeriod: .milliseconds(200))
        }
        let controller = ServiceController(
            client: client,
            options: ControllerOptions(
                namespace: Self.namespace, loadBalancerClass: loadBalancerClass, leaderElection: election,
                memberlistSecretName: memberlistSecretName),
            metrics: ControllerMetrics(registry: registry))
        let task = Task { await controller.run() }
        return Running(controller: controller, registry: registry, task: task, client: client)
    }

    // MARK: - Objects

    @discardableResult
    func createPool(_ name: String, _ addresses: [String]) async throws -> IPAddressPool {
        try await client.create(IPAddressPool(
            metadata: ObjectMeta(name: name, namespace: Self.namespace), spec: .init(addresses: addresses)))
    }

    @discardableResult
    func createService(
        _ name: String, loadBalancerIP: String? = nil, loadBalancerClass: String? = nil, port: Int = 80
    ) async throws -> Service {
        try await client.create(Service(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: .init(
                type: "LoadBalancer", ports: [Service.Port(port: port)], selector: ["app": name],
                loadBalancerIP: loadBalancerIP, loadBalancerClass: loadBalancerClass)))
    }

    func service(_ name: String) async throws -> Service {
        try await client.get(Service.self, name: name, namespace: "default")
    }

    func ingress(_ name: String) async throws -> [String] {
        try await service(name).status?.loadBalancer?.ingress?.compactMap(\.ip) ?? []
    }

    func events(about name: String, namespace: String = "default") async throws -> [Event] {
        try await client.list(Event.self, namespace: namespace).items.filter { $0.regarding?.name == name }
    }

    /// Waits (polling the fake's store every 50 ms, at most `timeout`) until `ingress(name)`
    /// is non-empty; returns it.
    func awaitIngress(_ name: String, timeout: Duration = .seconds(20)) async throws -> [String] {
        var found: [String] = []
        try await eventually(timeout: timeout, "\(name) gets an ingress IP") {
            found = try await ingress(name)
            return !found.isEmpty
        }
        return found
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting until \(what)" }
}

/// Polls `condition` every 50 ms until it holds; throws `TimedOut` after `timeout`.
func eventually(
    timeout: Duration = .seconds(20), _ what: String, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut(what: what)
}
