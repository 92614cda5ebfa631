import ArgumentParser
import Controller
import Foundation
import Kube
import Logging
import NIOCore
import Observability
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `swiftlb controller`: MetalLB's controller. Hands out IPs from the pools to LoadBalancer
/// Services, writes `status.loadBalancer.ingress`, posts Events, serves `/metrics`,
/// `/healthz` and `/readyz`. Flags fall back to MetalLB's environment variables.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the controller: allocate IPs to LoadBalancer Services (MetalLB-compatible)."
    )

    @Option(help: "The MetalLB namespace (env METALLB_NAMESPACE; else the service account's namespace; else metallb-system).")
    var namespace: String?

    @Option(help: "Kubeconfig file (env KUBECONFIG; else in-cluster configuration).")
    var kubeconfig: String?

    @Option(name: .customLong("lb-class"), help: "Handle only Services with this spec.loadBalancerClass (default: only Services without one).")
    var loadBalancerClass: String?

    @Option(name: .customLong("config-map"), help: "Name of the legacy configuration ConfigMap.")
    var configMap = "config"

    @Option(name: .customLong("metrics-host"), help: "Address to serve /metrics, /healthz and /readyz on.")
    var metricsHost = "0.0.0.0"

    @Option(name: .customLong("metrics-port"), help: "Port to serve /metrics, /healthz and /readyz on.")
    var metricsPort = 7472

    @Flag(name: .customLong("leader-elect"), help: "Campaign for a Lease; only the leader allocates (run 2 replicas).")
    var leaderElect = false

    @Option(name: .customLong("lease-name"), help: "The Lease used for leader election.")
    var leaseName = "swiftlb-controller"

    @Option(name: .customLong("identity"), help: "This replica's identity in the Lease (env METALLB_POD_NAME, POD_NAME; else the host name).")
    var identity: String?

    @Option(name: .customLong("ml-secret-name"), help: "Secret holding the speakers' gossip key, created when missing (env METALLB_ML_SECRET_NAME; default memberlist; empty: never create).")
    var memberlistSecretName: String?

    @Option(name: .customLong("deployment"), help: "The controller's Deployment, owner of the Secret it creates (env METALLB_DEPLOYMENT; default controller).")
    var deploymentName: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("startup-trim-delay"), help: ArgumentHelp(stringLiteral: StartupTrim.help))
    var startupTrimDelay: Double = 10

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        Self.oneEventLoop(environment: environment)
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be 0…65535") }
        let logger = Logger(label: "swiftlb.controller") { LogfmtLogHandler(label: $0, level: level) }
        let namespace = Self.namespace(flag: namespace, environment: environment)
        let kubeConfiguration = try InClusterConfiguration.automatic(kubeconfig: kubeconfig, environment: environment)
        let client = try KubeClient(configuration: kubeConfiguration, logger: logger)
        let identity = identity ?? environment["METALLB_POD_NAME"] ?? environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let options = ControllerOptions(
            namespace: namespace, loadBalancerClass: loadBalancerClass, configMapName: configMap,
            leaderElection: leaderElect ? .init(leaseName: leaseName, identity: identity) : nil,
            memberlistSecretName: memberlistSecretName ?? environment["METALLB_ML_SECRET_NAME"] ?? "memberlist",
            deploymentName: deploymentName ?? environment["METALLB_DEPLOYMENT"] ?? "controller")
        let registry = PrometheusCollectorRegistry()
        let health = HealthState(pending: ["controller"])
        let controller = ServiceController(
            client: client, options: options, metrics: ControllerMetrics(registry: registry), health: health, logger: logger)
        let endpoint = MetricsEndpoint.application(
            host: metricsHost, port: metricsPort, registry: registry, health: health, logger: logger)
        logger.info(
            "starting controller",
            metadata: [
                "controller.namespace": "\(namespace)", "controller.server": "\(kubeConfiguration.server)",
                "controller.leaderElection": "\(leaderElect)", "controller.lbClass": "\(loadBalancerClass ?? "")",
            ])
        let trim = StartupTrim.schedule(after: startupTrimDelay, logger: logger)
        defer { trim?.cancel() }
        let group = ServiceGroup(
            services: [ControllerService(controller: controller), endpoint] as [any ServiceLifecycle.Service],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        do {
            try await group.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }

    /// The controller keeps a handful of connections (its watches, status writes, `/metrics`),
    /// which one NIO event loop serves with room to spare. NIO starts one loop thread per core
    /// by default, each with its stack and, once it allocates, possibly a glibc malloc arena:
    /// nothing measurable on a 2-core machine (docs/controller.md, Memory), but a bound on a
    /// 64-core node. Runs before anything touches NIO's singletons;
    /// `NIO_SINGLETON_GROUP_LOOP_COUNT` still wins.
    static func oneEventLoop(environment: [String: String]) {
        if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            NIOSingletons.groupLoopCountSuggestion = 1
        }
    }

    /// `--namespace`, else `METALLB_NAMESPACE`, else the service account's namespace file,
    /// else `metallb-system` (MetalLB's order).
    static func namespace(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment["METALLB_NAMESPACE"], !value.isEmpty { return value }
        let file = InClusterConfiguration.Paths().namespace
        if let data = FileManager.default.contents(atPath: file) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { return text }
        }
        return "metallb-system"
    }
}
