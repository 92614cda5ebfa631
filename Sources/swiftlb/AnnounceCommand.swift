import Addressing
import Announcer
import ArgumentParser
import Dispatch
import Foundation
import Logging
import Synchronization

/// `swiftlb announce`: answers ARP/NDP for the given IPs on the given interface(s) until SIGINT
/// or SIGTERM, as the speaker would for IPs it owns. For debugging a network, and for tests.
struct AnnounceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "announce",
        abstract: "Answer ARP and NDP for IPs on an interface until SIGINT/SIGTERM.",
        discussion: """
            Sends MetalLB's gratuitous burst at start (ARP request+reply or an unsolicited NA, \
            now and every 1.1 s for 5 s), then answers every ARP request and Neighbor Solicitation \
            for the IPs with the interface's MAC. Logs one logfmt line per answered request and per \
            conflict on standard error, and prints the counters on standard output at exit.
            """
    )

    @Option(name: .long, help: "Interface to announce on (repeatable; default: every usable interface).")
    var interface: [String] = []

    @Option(name: .long, help: "IP to answer for (repeatable).")
    var ip: [String]

    @Option(name: .long, help: "Seconds between refresh rounds after the burst (default: none, like MetalLB).")
    var refreshInterval: Double?

    @Flag(name: .long, help: "Also answer 802.1Q-tagged frames seen on the interface itself.")
    var answerVlanTagged = false

    @Option(name: .long, help: "Source of Neighbor Advertisements: target (like Linux) or link-local (like MetalLB).")
    var advertisementSource: String = "target"

    @Flag(name: .long, help: "Read 'announce IP' / 'withdraw IP' lines from standard input.")
    var controlStdin = false

    @Option(name: .long, help: ArgumentHelp(stringLiteral: BusyPollOption.help))
    var busyPollMicroseconds: Int = BusyPollOption.defaultMicroseconds

    @Option(name: .long, help: """
        Run the thread that answers ARP/NDP at this SCHED_RR real-time priority (1-99) while it waits \
        for frames (default: normal scheduling). Needs CAP_SYS_NICE or RLIMIT_RTPRIO; when refused, \
        logs a warning and runs normally.
        """)
    var realtimePriority: Int?

    @Option(name: .long, help: "Log level; per-packet lines are info.")
    var logLevel: String = "info"

    func validate() throws {
        for text in ip where IPAddress(text) == nil { throw ValidationError("'\(text)' is not an IP address") }
        if ip.isEmpty { throw ValidationError("at least one --ip is required") }
        if !["target", "link-local"].contains(advertisementSource) {
            throw ValidationError("--advertisement-source must be target or link-local")
        }
        if let refreshInterval, !(refreshInterval > 0) { throw ValidationError("--refresh-interval must be positive") }
        _ = try BusyPollOption.window(busyPollMicroseconds)
        if let realtimePriority, !RealtimePriority.range.contains(realtimePriority) {
            throw ValidationError("--realtime-priority must be between 1 and 99")
        }
    }

    func run() async throws {
        let level = try Logger.Level(parsing: logLevel)
        let logger = Logger(label: "swiftlb.announce") { LogfmtLogHandler(label: $0, level: level) }
        let addresses = ip.compactMap { IPAddress($0) }
        let announcer = Announcer(
            configuration: .init(
                interfaces: interface.isEmpty ? nil : Set(interface),
                timing: .init(refreshInterval: refreshInterval.map { .milliseconds(Int64($0 * 1000)) }),
                policy: ResponderPolicy(answerVLANTagged: answerVlanTagged,
                                        advertisementSource: advertisementSource == "target" ? .target : .linkLocal),
                packetLogLevel: .info,
                busyPollWindow: try BusyPollOption.window(busyPollMicroseconds),
                realtimePriority: try realtimePriority.map { try RealtimePriority($0) }),
            logger: logger)
        let signals = TerminationSignals()
        try await announcer.start()
        for address in addresses { await announcer.announce(address) }
        let active = await announcer.activeInterfaces().map(\.name)
        logger.notice("ready", metadata: [
            "ips": "\(addresses.map(\.description).joined(separator: ","))",
            "interfaces": "\(active.joined(separator: ","))", "pid": "\(getpid())",
        ])
        let control = controlStdin ? StandardInputControl(announcer: announcer, logger: logger) : nil
        let signal = await signals.wait()
        control?.stop()
        let counters = await announcer.snapshot()
        await announcer.stop()
        logger.notice("stopped", metadata: ["signal": "\(signal)"])
        for line in counters.lines { print(line) }
    }
}

/// SIGINT/SIGTERM delivered through dispatch signal sources (the default actions are
/// ignored while they exist), so the command can shut down cleanly and print counters.
final class TerminationSignals: Sendable {
    /// Kept alive (never read) so the signal sources stay installed.
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let waiter = SignalWaiter()

    init() {
        var installed: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [waiter] in waiter.deliver(number) }
            source.resume()
            installed.append(source)
        }
        sources = Mutex(installed)
    }

    /// Returns the first signal received (at once if one already arrived).
    func wait() async -> Int32 { await waiter.wait() }
}

/// The first signal number, handed to one waiting task.
final class SignalWaiter: Sendable {
    private let state = Mutex<(signal: Int32?, continuation: CheckedContinuation<Int32, Never>?)>((nil, nil))

    func deliver(_ number: Int32) {
        let continuation = state.withLock { state -> CheckedContinuation<Int32, Never>? in
            if state.signal == nil { state.signal = number }
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: number)
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let already = state.withLock { state -> Int32? in
                if let signal = state.signal { return signal }
                state.continuation = continuation
                return nil
            }
            if let already { continuation.resume(returning: already) }
        }
    }
}

/// `--control-stdin`: each line `announce IP` or `withdraw IP` on standard input changes the
/// announced set at run time (what the speaker does when ownership moves), so an operator or
/// a test can watch the burst on gain and the silence on loss. `probe IP [IP…]` asks the
/// segment who answers for the IPs (the speaker's early-takeover probe) and logs a `probed`
/// line with the answered and the dark ones.
final class StandardInputControl: Sendable {
    private let source: Mutex<(any DispatchSourceRead)?>

    init(announcer: Announcer, logger: Logger) {
        let pending = Mutex("")
        // One consumer, so changes apply in the order the lines arrived.
        let (changes, requests) = AsyncStream.makeStream(of: (verb: String, addresses: [IPAddress]).self)
        Task {
            for await change in changes {
                switch change.verb {
                case "probe":
                    let outcome = await announcer.probe(Set(change.addresses))
                    let dark = change.addresses.filter { outcome.answered[$0] == nil }
                    logger.notice("probed", metadata: [
                        "answered": "\(outcome.answered.keys.sorted().map { "\($0)@\(outcome.answered[$0]!)" }.joined(separator: ","))",
                        "dark": "\(dark.map(\.description).joined(separator: ","))", "frames": "\(outcome.framesSent)",
                    ])
                case "announce":
                    await announcer.announce(change.addresses[0])
                    logger.notice("announced", metadata: ["ip": "\(change.addresses[0])"])
                default:
                    await announcer.withdraw(change.addresses[0])
                    logger.notice("withdrawn", metadata: ["ip": "\(change.addresses[0])"])
                }
            }
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .global())
        source.setEventHandler { [source] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count <= 0 {
                source.cancel()  // end of input: keep running until a signal
                return
            }
            let lines = pending.withLock { text -> [String] in
                text += String(decoding: buffer[..<count], as: UTF8.self)
                var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                text = parts.removeLast()
                return parts
            }
            for line in lines {
                let words = line.split(separator: " ")
                let addresses = words.dropFirst().compactMap { IPAddress($0) }
                guard let verb = words.first.map(String.init), addresses.count == words.count - 1,
                      (verb == "probe" && !addresses.isEmpty) || ((verb == "announce" || verb == "withdraw") && addresses.count == 1)
                else {
                    logger.warning("ignored control line", metadata: ["line": "\(line)"])
                    continue
                }
                requests.yield((verb: verb, addresses: addresses))
            }
        }
        source.resume()
        self.source = Mutex(source)
    }

    func stop() { source.withLock { $0?.cancel(); $0 = nil } }
}
