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

    @Option(name: .long, help: "Log level; per-packet lines are info.")
    var logLevel: String = "info"

    func validate() throws {
        for text in ip where IPAddress(text) == nil { throw ValidationError("'\(text)' is not an IP address") }
        if ip.isEmpty { throw ValidationError("at least one --ip is required") }
        if !["target", "link-local"].contains(advertisementSource) {
            throw ValidationError("--advertisement-source must be target or link-local")
        }
        if let refreshInterval, !(refreshInterval > 0) { throw ValidationError("--refresh-interval must be positive") }
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
                packetLogLevel: .info),
            logger: logger)
        let signals = TerminationSignals()
        try await announcer.start()
        for address in addresses { await announcer.announce(address) }
        let active = await announcer.activeInterfaces().map(\.name)
        logger.notice("ready", metadata: [
            "ips": "\(addresses.map(\.description).joined(separator: ","))",
            "interfaces": "\(active.joined(separator: ","))", "pid": "\(getpid())",
        ])
        let signal = await signals.wait()
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
