import Announcer
import ArgumentParser
import Foundation
import Gossip
import Kube
import Logging
import Observability
import Prometheus
import ServiceLifecycle
import Speaker
import UnixSignals

/// `swiftlb speaker`: MetalLB's layer-2 speaker. Watches the cluster, gossips with the other
/// speakers, answers ARP/NDP for the IPs this node owns (real libpcap + netlink announcer),
/// serves `/metrics`, `/healthz`, `/readyz` and `/status`. Every flag falls back to the environment variable
/// MetalLB's speaker reads, so a MetalLB DaemonSet's env works unchanged.
struct SpeakerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speaker",
        abstract: "Run the layer-2 speaker: elect an owner per IP and answer ARP/NDP for owned IPs (MetalLB-compatible)."
    )

    @Option(name: .customLong("node-name"), help: "This node's name and gossip member name (env METALLB_NODE_NAME).")
    var nodeName: String?

    @Option(name: .customLong("pod-name"), help: "This speaker's Pod, owner of its ServiceL2Status objects (env METALLB_POD_NAME).")
    var podName: String?

    @Option(help: "The host IP (env METALLB_HOST; logged only, as MetalLB v0.16).")
    var host: String?

    @Option(name: .customLong("ml-bind-addr"), help: "IPv4 address for memberlist (env METALLB_ML_BIND_ADDR); without it every Node is a candidate.")
    var mlBindAddr: String?

    @Option(name: .customLong("ml-bind-port"), help: "Memberlist port, UDP and TCP (env METALLB_ML_BIND_PORT; default 7946).")
    var mlBindPort: Int?

    @Option(name: .customLong("ml-labels"), help: "Label selector of the speaker Pods, the gossip seeds (env METALLB_ML_LABELS).")
    var mlLabels: String?

    @Option(help: "The MetalLB namespace (env METALLB_NAMESPACE; else the service account's; else metallb-system).")
    var namespace: String?

    @Option(name: .customLong("ml-secret-key-path"), help: "File or directory holding `secretkey` (env METALLB_ML_SECRET_KEY_PATH).")
    var mlSecretKeyPath: String?

    @Option(help: "Kubeconfig file (env KUBECONFIG; else in-cluster configuration).")
    var kubeconfig: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("metrics-host"), help: "Address to serve /metrics, /healthz, /readyz and /status on.")
    var metricsHost = "0.0.0.0"

    @Option(name: .customLong("metrics-port"), help: "Port to serve /metrics, /healthz, /readyz and /status on.")
    var metricsPort = 7472

    @Option(help: "Failure-detection profile: lan (memberlist DefaultLANConfig) or fast (sub-second).")
    var profile: Profile = .lan

    @Option(name: .customLong("lb-class"), help: "Handle only Services with this spec.loadBalancerClass (default: only Services without one).")
    var loadBalancerClass: String?

    @Flag(name: .customLong("ignore-exclude-lb"), help: "Keep nodes labelled node.kubernetes.io/exclude-from-external-load-balancers as candidates.")
    var ignoreExcludeLB = false

    @Option(name: .customLong("interfaces"), help: "Comma-separated interfaces the announcer may use (default: every usable one).")
    var interfaces: String?

    @Option(name: .customLong("handover-timeout"), help: "Seconds a leaving speaker keeps answering while waiting for the next owner's announcement.")
    var handoverTimeout: Double = 3

    @Option(name: .customLong("startup-trim-delay"), help: ArgumentHelp(stringLiteral: StartupTrim.help))
    var startupTrimDelay: Double = 10

    @Flag(name: .customLong("no-early-takeover"), help: """
        Take over a suspected owner's IPs only when gossip declares it dead, as MetalLB (env \
        SWIFTLB_EARLY_TAKEOVER=false). By default the node that would inherit them probes them \
        with ARP/NDP and takes them over at once when nobody answers.
        """)
    var noEarlyTakeover = false

    @Option(name: .customLong("early-takeover-probes"), help: "Early takeover: probes per IP before a suspected owner counts as dark.")
    var earlyTakeoverProbes = 3

    @Option(name: .customLong("early-takeover-probe-interval-ms"), help: "Early takeover: milliseconds between probes; the window is probes x interval.")
    var earlyTakeoverProbeIntervalMs = 100

    @Option(name: .customLong("realtime-priority"), help: """
        SCHED_RR priority (1-99) of the thread that answers ARP/NDP, while it waits for frames (env \
        SWIFTLB_REALTIME_PRIORITY; default: normal scheduling). Needs CAP_SYS_NICE or RLIMIT_RTPRIO; \
        when refused the speaker logs a warning and runs normally.
        """)
    var realtimePriority: Int?

    @Option(name: .long, help: ArgumentHelp(stringLiteral: BusyPollOption.help))
    var busyPollMicroseconds: Int = BusyPollOption.defaultMicroseconds

    enum Profile: String, ExpressibleByArgument, CaseIterable {
        case lan, fast
        /// The profile's gossip timings plus a periodic rejoin of the seed speakers that are not
        /// alive members. memberlist alone never merges the halves of a healed partition (each
        /// side has declared the other dead and stops gossiping to it after
        /// gossipToTheDeadTime), so both halves keep answering for the same IPs; MetalLB's
        /// speakerlist rejoins every minute for that reason (metallb#589, #662). Here within a
        /// few seconds, so a split brain ends within the bound DESIGN.md §2.3 promises.
        var settings: GossipSettings {
            var settings: GossipSettings = self == .lan ? .lan : .fast
            settings.rejoinInterval = self == .lan ? .seconds(5) : .seconds(2)
            return settings
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[variable], !env.isEmpty { return env }
            return nil
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let nodeName = value(nodeName, "METALLB_NODE_NAME") else {
            throw ValidationError("--node-name or METALLB_NODE_NAME is required")
        }
        let port: Int
        if let mlBindPort {
            port = mlBindPort
        } else if let text = environment["METALLB_ML_BIND_PORT"], !text.isEmpty {
            guard let parsed = Int(text) else { throw ValidationError("METALLB_ML_BIND_PORT must be a port number, got \(text)") }
            port = parsed
        } else {
            port = 7946
        }
        guard (0...65535).contains(port) else { throw ValidationError("--ml-bind-port must be 0…65535") }
        guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be 0…65535") }
        guard (1...20).contains(earlyTakeoverProbes) else { throw ValidationError("--early-takeover-probes must be 1…20") }
        guard (1...2000).contains(earlyTakeoverProbeIntervalMs) else {
            throw ValidationError("--early-takeover-probe-interval-ms must be 1…2000")
        }
        let earlyTakeover = try Self.earlyTakeoverEnabled(flagOff: noEarlyTakeover, environment: environment)
        let busyPollWindow = try BusyPollOption.window(busyPollMicroseconds)
        let realtime: RealtimePriority?
        do {
            realtime = try RealtimePriority.resolve(flag: realtimePriority, environment: environment)
        } catch {
            throw ValidationError("--realtime-priority / \(RealtimePriority.environmentVariable): \(error)")
        }
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: level) }
        let logger = Logger(label: "swiftlb.speaker")

        var secret: [UInt8]?
        if let path = value(mlSecretKeyPath, "METALLB_ML_SECRET_KEY_PATH") {
            secret = try SecretKeyFile.read(path)
        }
        let settings = SpeakerSettings(
            nodeName: nodeName, namespace: Self.namespace(flag: namespace, environment: environment),
            podName: value(podName, "METALLB_POD_NAME"),
            gossipBindHost: value(mlBindAddr, "METALLB_ML_BIND_ADDR"), gossipBindPort: port,
            memberlistLabels: value(mlLabels, "METALLB_ML_LABELS"), memberlistSecret: secret,
            gossip: profile.settings, loadBalancerClass: loadBalancerClass, ignoreExcludeFromLoadBalancers: ignoreExcludeLB,
            handoverTimeout: .milliseconds(Int(handoverTimeout * 1000)),
            earlyTakeover: earlyTakeover
                ? EarlyTakeoverSettings(probe: ProbeTiming(rounds: earlyTakeoverProbes, interval: .milliseconds(earlyTakeoverProbeIntervalMs)))
                : nil)
        let kubeConfiguration = try InClusterConfiguration.automatic(kubeconfig: kubeconfig, environment: environment)
        let client = try KubeClient(configuration: kubeConfiguration, logger: logger)
        let interfaceNames = interfaces.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        let announcer = Announcer(
            configuration: Announcer.Configuration(
                interfaces: interfaceNames, busyPollWindow: busyPollWindow, realtimePriority: realtime),
            logger: logger)
        try await announcer.start()

        let registry = PrometheusCollectorRegistry()
        let health = HealthState(pending: ["informers", "gossip", "config"])
        let speaker = Speaker(
            settings: settings, client: client, announcer: announcer,
            metrics: SpeakerMetrics(registry: registry, node: nodeName), health: health, logger: logger)
        let hooks = MetricsEndpoint.Hooks(
            beforeScrape: { await speaker.publishCounters() }, status: { await speaker.statusReport().json() })
        let endpoint = MetricsEndpoint.application(
            host: metricsHost, port: metricsPort, registry: registry, health: health, hooks: hooks, logger: logger)
        logger.info("starting speaker", metadata: [
            "node": "\(nodeName)", "host": "\(value(host, "METALLB_HOST") ?? "")", "namespace": "\(settings.namespace)",
            "memberlist": "\(settings.usesGossip ? "\(settings.gossipBindHost ?? ""):\(port)" : "disabled")",
            "server": "\(kubeConfiguration.server)", "profile": "\(profile.rawValue)", "earlyTakeover": "\(earlyTakeover)",
        ])
        // Graceful shutdown goes last-to-first: the speaker hands over while /metrics still
        // serves; when it returns, the group shuts the endpoint down.
        let trim = StartupTrim.schedule(after: startupTrimDelay, logger: logger)
        defer { trim?.cancel() }
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: endpoint),
                .init(service: speaker, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            await announcer.stop()
            try? await client.shutdown()
            throw error
        }
        await announcer.stop()
        try? await client.shutdown()
    }

    /// On unless `--no-early-takeover` or `SWIFTLB_EARLY_TAKEOVER` is false/0/no/off.
    static func earlyTakeoverEnabled(flagOff: Bool, environment: [String: String]) throws -> Bool {
        if flagOff { return false }
        guard let text = environment["SWIFTLB_EARLY_TAKEOVER"]?.lowercased(), !text.isEmpty else { return true }
        switch text {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ValidationError("SWIFTLB_EARLY_TAKEOVER must be true or false, got \(text)")
        }
    }

    static func namespace(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment["METALLB_NAMESPACE"], !value.isEmpty { return value }
        if let data = FileManager.default.contents(atPath: InClusterConfiguration.Paths().namespace) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { return text }
        }
        return "metallb-system"
    }
}
