// ARP flood generator for Scripts/bench/arp: sends N ARP requests for one IP at a fixed rate
// through libpcap, captures the replies, and prints answered %, replies/s and reply latency
// (kernel receive timestamp of the reply minus the wall-clock time just before the request
// was injected). Each request carries its sequence number in the sender MAC
// (02:5e:ss:ss:ss:ss), and replies are addressed to that MAC, so every reply maps to exactly
// one request. Bounded: at most `--count` requests and `--grace-ms` of waiting afterwards.
//
// `ARPFlood respond --interface IF --ip IP [--busy-poll-us N]` instead runs the `Announcer`
// module alone, configured as `swiftlb announce` configures it, until SIGINT/SIGTERM (prints
// `msg=ready` on standard error, the counters on standard output at exit): the same data path
// in a small release binary, for profiling without building the whole `swiftlb` in release.
import Addressing
import Announcer
import CFloodTiming
import Foundation
import Logging
import Packets

struct Options {
    var interface = ""
    var target = IPv4Address(192, 0, 2, 10)
    var sender = IPv4Address(192, 0, 2, 1)
    var rate = 20_000
    var count = 100_000
    var graceMilliseconds = 500
    var label = "arp"
    var pacing = Pacing.sleep

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { fatalError("missing value for \(flag)") }
            switch flag {
            case "--interface": interface = value
            case "--target": target = IPv4Address(value)!
            case "--sender": sender = IPv4Address(value)!
            case "--rate": rate = Int(value)!
            case "--count": count = min(Int(value)!, 1_000_000)
            case "--grace-ms": graceMilliseconds = min(Int(value)!, 10_000)
            case "--label": label = value
            case "--pacing": pacing = Pacing(rawValue: value) ?? { fatalError("--pacing sleep|spin") }()
            default: fatalError("unknown option \(flag)")
            }
        }
        precondition(!interface.isEmpty && rate > 0 && count > 0, "usage: ARPFlood --interface IF [--rate R] [--count N]")
    }
}

/// How the generator waits between two requests. The clients a speaker answers are other
/// hosts; a generator that spins between sends takes one of the benchmark host's CPUs for the
/// whole flood, and on a 2-vCPU machine the announcer then shares the other one with every
/// other task (docs/announcer.md, "A generator that sleeps"). `sleep` waits in `ppoll` with a
/// 1 µs timer slack; `spin` is the old busy wait (`poll` with a zero timeout).
enum Pacing: String {
    case sleep, spin
}

func microseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
}

/// `respond` mode: answers for `--ip` on `--interface` until SIGINT/SIGTERM.
func respond(_ arguments: [String]) async throws {
    var interface = "", address: IPAddress?, busyPoll = Announcer.Configuration.defaultBusyPollWindow
    var iterator = arguments.makeIterator()
    while let flag = iterator.next() {
        guard let value = iterator.next() else { fatalError("missing value for \(flag)") }
        switch flag {
        case "--interface": interface = value
        case "--ip": address = IPAddress(value)
        case "--busy-poll-us": busyPoll = .microseconds(Int(value)!)
        default: fatalError("unknown option \(flag)")
        }
    }
    guard !interface.isEmpty, let address else { fatalError("usage: ARPFlood respond --interface IF --ip IP [--busy-poll-us N]") }
    var logger = Logger(label: "arpflood.respond")
    logger.logLevel = .notice
    let announcer = Announcer(configuration: .init(interfaces: [interface], packetLogLevel: .info, busyPollWindow: busyPoll),
                              logger: logger)
    try await announcer.start()
    await announcer.announce(address)
    // SIGINT/SIGTERM through dispatch signal sources (default actions ignored), then stop cleanly.
    let (stopped, stop) = AsyncStream<Int32>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { stop.yield(number) }
        source.resume()
        sources.append(source)
    }
    FileHandle.standardError.write(Data("msg=ready pid=\(getpid())\n".utf8))
    for await _ in stopped { break }
    sources.forEach { $0.cancel() }
    let counters = await announcer.snapshot()
    await announcer.stop()
    for line in counters.lines { print(line) }
}

@main
enum ARPFlood {
    static func main() async throws {
        if CommandLine.arguments.dropFirst().first == "respond" {
            try await respond(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        let options = Options(Array(CommandLine.arguments.dropFirst()))
        let injector = try FrameInjector(interface: options.interface)
        let prefix: UInt64 = 0x025E_0000_0000

        func request(_ sequence: Int) -> [UInt8] {
            let mac = MACAddress(prefix | UInt64(sequence))
            return Frame(ethernet: EthernetHeader(destination: .broadcast, source: mac, etherType: EtherType.arp),
                         payload: .arp(ARPPacket(operation: .request, senderMAC: mac, senderIP: options.sender,
                                                 targetMAC: .zero, targetIP: options.target))).encoded()
        }

        var sentAt = [Duration](repeating: .zero, count: options.count)
        var latencies: [Double] = []
        latencies.reserveCapacity(options.count)
        var answered = [Bool](repeating: false, count: options.count)
        var duplicates = 0
        var firstReply: Duration?
        var lastReply: Duration?

        func collect() throws {
            for frame in try injector.receive() {
                guard let decoded = try? Frame(decoding: frame.bytes), case .arp(let arp) = decoded.payload,
                      arp.operation == .reply, arp.senderIP == options.target,
                      arp.targetMAC.value & 0xFFFF_0000_0000 == prefix else { continue }
                let sequence = Int(arp.targetMAC.value & 0xFFFF_FFFF)
                guard sequence < options.count else { continue }
                if answered[sequence] { duplicates += 1; continue }
                answered[sequence] = true
                latencies.append(microseconds(frame.timestamp - sentAt[sequence]))
                if firstReply == nil { firstReply = frame.timestamp }
                lastReply = frame.timestamp
            }
        }

        let frames = (0..<options.count).map(request)
        if options.pacing == .sleep, flood_set_timer_slack_ns(1_000) != 0 {
            FileHandle.standardError.write(Data("msg=\"timer slack not set\" errno=\(errno)\n".utf8))
        }
        let interval = Duration.seconds(1) / options.rate
        let start = ContinuousClock.now
        var sent = 0
        var descriptor = pollfd(fd: injector.fileDescriptor, events: Int16(POLLIN), revents: 0)
        while sent < options.count {
            // Send everything due by now (pacing against the start, so short stalls are caught up).
            let due = min(options.count, Int((ContinuousClock.now - start) / interval) + 1)
            while sent < due {
                sentAt[sent] = CapturedFrame.wallClockNow()  // the replies' timestamps' clock
                try injector.send(frames[sent])
                sent += 1
            }
            try collect()
            let next = start + interval * sent
            switch options.pacing {
            case .sleep:
                // Sleep until the next request is due, or until a reply is readable (collected
                // on the next turn). At most 1 ms, as the spin's poll.
                let wait = min(max(0, microseconds(next - ContinuousClock.now)), 1_000)
                if wait > 0 { _ = flood_wait_readable(injector.fileDescriptor, Int(wait * 1_000)) }
            case .spin:
                let wait = max(0, Int(microseconds(next - ContinuousClock.now) / 1000))
                _ = poll(&descriptor, 1, Int32(min(wait, 1)))
            }
        }
        let sendDuration = ContinuousClock.now - start
        let graceEnd = ContinuousClock.now + .milliseconds(options.graceMilliseconds)
        while ContinuousClock.now < graceEnd {
            _ = poll(&descriptor, 1, 10)
            try collect()
        }
        injector.close()

        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        let replies = latencies.count
        let replySpan = (firstReply.flatMap { first in lastReply.map { microseconds($0 - first) / 1e6 } }) ?? 0
        let label = options.label
        print("\(label).requests_sent \(sent)")
        print("\(label).request_rate_per_s \(String(format: "%.0f", Double(sent) / (microseconds(sendDuration) / 1e6)))")
        print("\(label).replies \(replies)")
        print("\(label).answered_pct \(String(format: "%.3f", 100 * Double(replies) / Double(sent)))")
        print("\(label).replies_per_s \(String(format: "%.0f", replySpan > 0 ? Double(replies) / replySpan : 0))")
        print("\(label).latency_p50_us \(String(format: "%.1f", percentile(0.50)))")
        print("\(label).latency_p90_us \(String(format: "%.1f", percentile(0.90)))")
        print("\(label).latency_p99_us \(String(format: "%.1f", percentile(0.99)))")
        print("\(label).latency_max_us \(String(format: "%.1f", latencies.last ?? .nan))")
        print("\(label).duplicate_replies \(duplicates)")
    }
}
