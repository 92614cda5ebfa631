import ArgumentParser
import Foundation
import Gossip
import GossipTransport
import KubeJSON
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `swiftlb members`: a standalone memberlist-compatible member that prints one JSON line
/// per membership change. Operators use it to debug gossip (it can join a MetalLB cluster
/// with the same secret); the interop tests and `Scripts/bench/gossip` drive it.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Run a standalone gossip member and print membership changes as JSON lines.",
        discussion: """
            Prints {"event":"join|update|suspect|dead|leave","node":…,"addr":…,"meta":…,"time":…} per change,
            plus "ready", "user" (received user message) and "state" (push/pull user state) lines, and with
            --report-pings a "ping" line per direct probe answered in time (rttMicroseconds, the ack payload as data).
            Reads commands on stdin: `user NODE TEXT` (UDP), `reliable NODE TEXT` (TCP), `broadcast TEXT`
            (piggybacked on gossip to everyone), `members`, `counters`, `leave`.
            SIGTERM or SIGINT leaves gracefully (broadcast, wait up to 1 s) and exits.
            """
    )

    @Option(help: "This member's name (unique in the cluster).")
    var name: String

    @Option(help: "IPv4 address and port to bind (UDP and TCP), e.g. 127.0.0.1:7946.")
    var bind: String

    @Option(help: "A member to join through, ADDR:PORT (repeatable).")
    var join: [String] = []

    @Option(help: "A file holding the secret, or a directory holding `secretkey` (MetalLB's mount).")
    var secretKeyPath: String?

    @Option(help: "Timing profile: lan (memberlist DefaultLANConfig) or fast (sub-second detection).")
    var profile: Profile = .lan

    @Option(help: "Node metadata (at most 512 bytes).")
    var meta: String = ""

    @Option(help: "Payload of the acks this member sends to UDP pings (memberlist PingDelegate.AckPayload).")
    var ackPayload: String?

    @Option(name: .customLong("startup-trim-delay"), help: ArgumentHelp(stringLiteral: StartupTrim.help))
    var startupTrimDelay: Double = 10

    @Flag(help: "Print a \"ping\" line for every probe answered within the probe timeout (RTT and ack payload).")
    var reportPings = false

    enum Profile: String, ExpressibleByArgument, CaseIterable {
        case lan, fast
        var settings: GossipSettings { self == .lan ? .lan : .fast }
    }

    func validate() throws {
        guard NodeAddress(parsing: bind) != nil else { throw ValidationError("--bind must be IPv4ADDR:PORT") }
        for seed in join where NodeAddress(parsing: seed) == nil {
            throw ValidationError("--join \(seed) must be IPv4ADDR:PORT")
        }
        guard meta.utf8.count <= 512 else { throw ValidationError("--meta is limited to 512 bytes (memberlist MetaMaxSize)") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "swiftlb.members")
        let output = JSONLineWriter()
        var wire = GossipWireConfiguration()
        if let secretKeyPath {
            let secret = try SecretKeyFile.read(secretKeyPath)
            if let key = MetalLBSecretKey.derive(fromSecret: secret) {
                wire.keyring = try GossipKeyring(keys: [key])
            }
        }
        let bindAddress = NodeAddress(parsing: bind)!
        let host = bindAddress.ip.map(String.init).joined(separator: ".")
        let application = GossipApplication(
            receiveUserMessage: { output.write(["event": "user", "data": String(decoding: $0, as: UTF8.self)]) },
            localUserState: { [name] _ in Array("state-of-\(name)".utf8) },
            mergeRemoteUserState: { state, join in
                output.write(["event": "state", "data": String(decoding: state, as: UTF8.self), "join": join])
            },
            ackPayload: { [ackPayload] in ackPayload.map { Array($0.utf8) } },
            pingCompleted: { [reportPings] member, rtt, payload in
                guard reportPings else { return }
                var line: [String: any Sendable] = [
                    "event": "ping", "node": member.name,
                    "rttMicroseconds": Int(rtt.components.seconds * 1_000_000 + rtt.components.attoseconds / 1_000_000_000_000),
                ]
                if let payload { line["data"] = String(decoding: payload, as: UTF8.self) }
                output.write(line)
            }
        )
        let node = try await GossipNode.bind(
            name: name, host: host, port: Int(bindAddress.port), meta: meta.isEmpty ? nil : Array(meta.utf8),
            settings: profile.settings, wire: wire, application: application, logger: logger)

        let eventPrinter = Task {
            for await event in node.events {
                // Lines mirror memberlist's EventDelegate (plus suspect), as the Go peer prints
                // them; a refuted suspicion is a SwiftLB-only event for the speaker.
                if case .refuted = event { continue }
                output.write(Self.line(for: event))
            }
        }
        let (commands, signalSources) = CommandInput.start()
        await node.start(joining: join.compactMap(NodeAddress.init(parsing:)))
        output.write(["event": "ready", "node": name, "addr": bind])
        let trim = StartupTrim.schedule(after: startupTrimDelay, logger: logger)

        var queries = 0
        for await command in commands {
            if command == "leave" { break }
            await handle(command, node: node, output: output, queries: &queries)
        }
        withExtendedLifetime(signalSources) {}
        trim?.cancel()
        await node.leave(timeout: .seconds(1))
        await node.shutdown()
        await eventPrinter.value
        let counters = node.counters
        output.write([
            "event": "exit", "node": name, "packetsIn": counters.packetsIn, "packetsOut": counters.packetsOut,
            "bytesIn": counters.bytesIn, "bytesOut": counters.bytesOut,
            "droppedMalformed": counters.droppedMalformed, "droppedUndecryptable": counters.droppedUndecryptable,
        ])
    }

    static func line(for event: MemberEvent) -> [String: any Sendable] {
        let member = event.member
        return [
            "event": event.kind, "node": member.name, "addr": member.address.description,
            "meta": String(decoding: member.meta ?? [], as: UTF8.self),
        ]
    }

    private func handle(_ command: String, node: GossipNode, output: JSONLineWriter, queries: inout Int) async {
        let fields = command.split(separator: " ", maxSplits: 2).map(String.init)
        guard let verb = fields.first else { return }
        switch verb {
        case "members":
            for member in await node.members.sorted(by: { $0.name < $1.name }) {
                output.write([
                    "event": "member", "node": member.name, "addr": member.address.description, "state": member.state.description,
                    "meta": String(decoding: member.meta ?? [], as: UTF8.self),
                ])
            }
        case "counters":
            let counters = node.counters
            queries += 1
            output.write([
                "event": "counters", "sequence": queries, "packetsIn": counters.packetsIn, "bytesOut": counters.bytesOut,
                "droppedMalformed": counters.droppedMalformed, "droppedUndecryptable": counters.droppedUndecryptable,
            ])
        case "broadcast":
            let text = command.dropFirst("broadcast".count).drop { $0 == " " }
            await node.queueUserBroadcast(Array(text.utf8))
        case "user", "reliable":
            guard fields.count == 3, let target = await node.members.first(where: { $0.name == fields[1] }) else {
                output.write(["event": "error", "data": "usage: \(verb) KNOWN-NODE TEXT"])
                return
            }
            do {
                if verb == "user" {
                    try await node.sendUserMessage(Array(fields[2].utf8), to: target.address)
                } else {
                    try await node.sendReliableUserMessage(Array(fields[2].utf8), to: target.address)
                }
            } catch {
                output.write(["event": "error", "data": "\(error)"])
            }
        default:
            output.write(["event": "error", "data": "unknown command \(verb)"])
        }
    }
}

/// Reads MetalLB's memberlist secret: PATH itself, or PATH/secretkey when PATH is a directory.
enum SecretKeyFile {
    static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("--secret-key-path \(path) does not exist")
        }
        let file = isDirectory.boolValue ? (path as NSString).appendingPathComponent("secretkey") : path
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// Writes one JSON object per line to stdout, with a UTC timestamp, atomically per line.
///
/// Serialised by `JSONValue` (sorted keys), not `JSONSerialization`: on Linux the latter sorts
/// keys through a Foundation `Locale`, which loads ICU's locale data into a process that
/// otherwise never needs it (docs/controller.md, Memory).
final class JSONLineWriter: Sendable {
    private let lock = NSLock()

    func write(_ fields: [String: any Sendable]) {
        var object = fields.mapValues(Self.jsonValue)
        object["time"] = .string(KubeTime.microTime(Date()))
        var line = JSONValue.object(object).serialized()
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data(line))
    }

    static func jsonValue(_ value: any Sendable) -> JSONValue {
        switch value {
        case let text as String: .string(text)
        case let flag as Bool: .bool(flag)
        case let number as Int: .int(Int64(number))
        case let number as Int64: .int(number)
        case let number as UInt64: .int(Int64(clamping: number))
        case let number as Double: .double(number)
        default: .string("\(value)")
        }
    }
}

/// Commands from stdin lines and from SIGTERM/SIGINT (both become "leave").
enum CommandInput {
    /// The returned signal sources must be kept alive for as long as signals should count.
    static func start() -> (commands: AsyncStream<String>, signalSources: [any DispatchSourceSignal]) {
        let (stream, sink) = AsyncStream.makeStream(of: String.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { sink.yield("leave") }
            source.resume()
            sources.append(source)
        }
        Thread.detachNewThread {
            while let line = readLine() {
                sink.yield(line.trimmingCharacters(in: .whitespaces))
            }
        }
        return (stream, sources)
    }
}
