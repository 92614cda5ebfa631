import ArgumentParser
import ClusterModel
import Config
import Election
import Foundation
import Speaker

/// `swiftlb status`: who owns which IP and why.
///
/// Offline mode: the cluster is described on the command line (nodes, their labels, which
/// speakers are down, Services and their IPs) and elected exactly as every speaker would.
/// Live mode (`--speaker URL`): a running speaker's own view, read from its `/status`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service IP, its owner, the candidates in order, and why.",
        discussion: """
            Example:
              swiftlb status --config pools.yaml --nodes node-1,node-2 \\
                --node node-3=zone=a,node-role.kubernetes.io/worker= \\
                --down node-2 --service web/frontend=192.0.2.10 --local web/frontend=node-1,node-3
            Live, from a running speaker's metrics port:
              swiftlb status --speaker http://192.0.2.21:7472
            Every node's speaker is taken as a live gossip member unless listed with --down.
            Each Service has one serving endpoint (on no particular node) unless --local
            places its endpoints, which also sets externalTrafficPolicy: Local.
            """
    )

    @Option(help: ArgumentHelp("Ask a running speaker (its metrics address, e.g. http://HOST:7472) instead.", valueName: "url"))
    var speaker: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("MetalLB configuration file (repeatable).", valueName: "file"))
    var configFiles: [String] = []

    @Option(help: ArgumentHelp("A node and its labels: NAME[=key=value,key=value...] (repeatable).", valueName: "node"))
    var node: [String] = []

    @Option(help: ArgumentHelp("Unlabelled nodes, comma separated.", valueName: "names"))
    var nodes: [String] = []

    @Option(help: ArgumentHelp("A node whose speaker is not a live member (repeatable).", valueName: "name"))
    var down: [String] = []

    @Option(
        name: .customLong("network-unavailable"),
        help: ArgumentHelp("A node with condition NetworkUnavailable=True (repeatable).", valueName: "name"))
    var networkUnavailable: [String] = []

    @Option(help: ArgumentHelp("A Service and its ingress IPs: NAMESPACE/NAME=IP[,IP] (repeatable).", valueName: "service"))
    var service: [String] = []

    @Option(
        help: ArgumentHelp(
            "Make a Service externalTrafficPolicy: Local with endpoints on these nodes: NAMESPACE/NAME=NODE[,NODE].",
            valueName: "service"))
    var local: [String] = []

    func validate() throws {
        if speaker != nil {
            if !configFiles.isEmpty || !service.isEmpty || !node.isEmpty || !nodes.isEmpty {
                throw ValidationError("--speaker asks a running speaker; it takes no --config, --node(s) or --service")
            }
            return
        }
        if configFiles.isEmpty { throw ValidationError("give at least one --config file") }
        if service.isEmpty { throw ValidationError("give at least one --service NAMESPACE/NAME=IP") }
        if node.isEmpty && nodes.isEmpty { throw ValidationError("give nodes with --node or --nodes") }
    }

    func run() async throws {
        if let speaker {
            do {
                print(try await SpeakerStatusFetch.report(from: speaker).table(), terminator: "")
            } catch {
                throw failure("\(error)")
            }
            return
        }
        var sources: [ConfigSource] = []
        for file in configFiles {
            switch ConfigFileReading.read(file) {
            case .success(let text): sources.append(ConfigSource(name: file, text: text))
            case .failure(let problem): throw failure("\(file): \(problem.reason)")
            }
        }
        let parsed = ConfigurationParser.parse(sources)
        guard parsed.isValid else {
            for error in parsed.errors { printError(error.description) }
            throw failure("invalid configuration: \(parsed.errors.count) error\(parsed.errors.count == 1 ? "" : "s")")
        }
        let cluster = try StatusCluster.parse(
            nodeSpecs: node, nodeLists: nodes, down: down, networkUnavailable: networkUnavailable,
            serviceSpecs: service, localSpecs: local)
        let snapshot = ElectionSnapshot(configuration: parsed.configuration, nodes: cluster.nodes, members: cluster.members)
        let elections = cluster.services.map { snapshot.elect($0.service, endpoints: $0.endpoints) }
        print(StatusTable.render(elections), terminator: "")
    }

    private func failure(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(1)
    }

    private func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
