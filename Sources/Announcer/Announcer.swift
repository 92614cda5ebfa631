public import Addressing
public import Logging
import Packets

/// The data plane of the speaker: answers ARP and NDP for the IPs this node owns, on every
/// usable interface, from user space (the IPs are not configured on any interface).
///
/// Shell around the pure parts: `InterfaceSelection` decides which interfaces to use,
/// `ResponderPolicy` what to do with each frame, `GratuitousSchedule` when to announce.
/// The actor's executor is a `PollLoop`: one dedicated thread blocked in `poll(2)` on the
/// libpcap and netlink descriptors, which handles a readable descriptor in place
/// (`assumeIsolated`), with no thread hop and no thread per interface or packet.
public actor Announcer {
    public struct Configuration: Sendable {
        /// Only these interface names are used (nil = every usable interface).
        public var interfaces: Set<String>?
        public var timing: GratuitousSchedule<ContinuousClock.Instant>.Timing
        public var policy: ResponderPolicy
        /// Level of the one-line-per-packet logs (answered requests, gratuitous rounds).
        /// `swiftlb announce` uses info; the speaker keeps the default, trace.
        public var packetLogLevel: Logger.Level
        /// The longest the loop thread keeps polling without sleeping after a frame, while frames
        /// arrive closer together than this (`BusyPollWindow`); zero = always sleep in poll(2).
        /// Trades one busy CPU under a sustained flood for a lower reply latency on a host with
        /// idle CPUs; no CPU at all when idle or when requests are sparse.
        public var busyPollWindow: Duration

        /// 100 µs: it engages only under a flood faster than 10,000 frames/s, and it goes back to
        /// sleeping where spinning does not pay (`BusyPollWindow`: stalls, dry spins, slow hits,
        /// contention). Measured with `Scripts/bench/arp`: on an idle host p50 8.1–11.2 µs
        /// against the sleeping loop's 46–54 µs (kernel 6.5–6.8 µs); next to a CPU-bound
        /// neighbour 23–25 µs against 15–20 µs (docs/announcer.md, "Spin or sleep, by the
        /// frames' wait"). Zero turns it off.
        public static var defaultBusyPollWindow: Duration { .microseconds(100) }
        /// SCHED_RR priority of the loop thread while it sleeps in poll(2) (RealtimeScheduling.swift);
        /// nil (the default) = normal scheduling. Needs CAP_SYS_NICE or RLIMIT_RTPRIO; when
        /// refused the announcer logs a warning and runs normally.
        public var realtimePriority: RealtimePriority?

        public init(interfaces: Set<String>? = nil, timing: GratuitousSchedule<ContinuousClock.Instant>.Timing = .metalLB,
                    policy: ResponderPolicy = ResponderPolicy(), packetLogLevel: Logger.Level = .trace,
                    busyPollWindow: Duration = Configuration.defaultBusyPollWindow,
                    realtimePriority: RealtimePriority? = nil) {
            self.interfaces = interfaces
            self.timing = timing
            self.policy = policy
            self.packetLogLevel = packetLogLevel
            self.busyPollWindow = busyPollWindow
            self.realtimePriority = realtimePriority
        }
    }

    /// An interface we capture on, with its handles.
    private struct Port {
        var interface: NetworkInterface
        let capture: PcapCapture
        let membership: SolicitedNodeMembership?
    }

    private let executor: PollLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private let configuration: Configuration
    private let logger: Logger
    private let clock = ContinuousClock()
    private var owned = OwnedAddresses()
    private var schedule: GratuitousSchedule<ContinuousClock.Instant>
    private var counters = AnnouncerCounters()
    private var allInterfaces: [NetworkInterface] = []
    /// MACs of every interface of this host: frames from them are ours, never conflicts.
    private var ourMACs: Set<MACAddress> = []
    private var ports: [String: Port] = [:]
    private var watcher: InterfaceWatcher?
    private let conflictContinuation: AsyncStream<AddressConflict>.Continuation
    /// Address probes in flight (`probe`, AddressProbe.swift).
    var probeSessions = ProbeSessions()

    /// Every conflict as it is seen (newest 256 kept if nobody reads).
    public nonisolated let conflicts: AsyncStream<AddressConflict>

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        executor = PollLoop(busyPollWindow: configuration.busyPollWindow, realtimePriority: configuration.realtimePriority)
        schedule = GratuitousSchedule(timing: configuration.timing)
        (conflicts, conflictContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
    }

    deinit { executor.shutdown() }

    /// Reads the interfaces from netlink, opens a capture on each usable one, and starts
    /// following netlink notifications.
    /// - Throws: `NetlinkError` if the netlink cache manager cannot be set up.
    public func start() throws {
        logRealtimeScheduling()
        let watcher = try InterfaceWatcher()
        self.watcher = watcher
        executor.watch(watcher.fileDescriptor) { [weak self] in
            self?.assumeIsolated { $0.netlinkReadable() }
            return .nothing
        }
        reconcile(watcher.interfaces())
    }

    /// Closes every handle. Pending gratuitous rounds are dropped.
    public func stop() {
        executor.setTimer(nil) {}
        for name in ports.keys.sorted() { closePort(name, reason: "stopping") }
        if let watcher {
            executor.unwatch(watcher.fileDescriptor)
            watcher.close()
        }
        watcher = nil
        conflictContinuation.finish()
    }

    /// Starts answering for `address` on `interfaces` (nil = all usable) and arms a gratuitous
    /// burst; calling it again for an owned IP re-arms the burst, as MetalLB does on every resync.
    public func announce(_ address: IPAddress, interfaces: Set<String>? = nil) {
        owned.insert(address, interfaces: interfaces)
        if case .v6(let v6) = address {
            for port in ports.values where owned.allows(address, on: port.interface.name) { join(v6, port) }
        }
        schedule.arm(address, now: clock.now)
        sendDueRounds()
    }

    /// Stops answering for `address` at once; no further gratuitous rounds.
    public func withdraw(_ address: IPAddress) {
        owned.remove(address)
        schedule.cancel(address)
        if case .v6(let v6) = address { for port in ports.values { port.membership?.leave(v6) } }
        rescheduleTimer()
    }

    public func snapshot() -> AnnouncerCounters {
        var counters = counters
        counters.busyPoll = executor.busyPollStatistics
        counters.realtimePriority = executor.realtimeScheduling.outcome.effectivePriority
        return counters
    }

    /// The loop thread's scheduling: whether the requested real-time priority took effect.
    public func realtimeScheduling() -> RealtimeSchedulingStatus { executor.realtimeScheduling }

    /// One line at start when a priority was requested: applied (notice), or refused (warning,
    /// with the errno, and what would allow it). Never fatal: the announcer answers either way.
    private func logRealtimeScheduling() {
        let status = executor.realtimeScheduling
        switch status.outcome {
        case .notRequested:
            break
        case .applied(let priority):
            logger.notice("announcer thread scheduled real-time", metadata: [
                "policy": "SCHED_RR", "priority": "\(priority)", "thread_id": "\(status.threadID)",
                "while_busy_polling": "\(configuration.busyPollWindow > .zero ? "SCHED_OTHER" : "never spins")",
            ])
        case .refused(let priority, let error), .lost(let priority, let error):
            logger.warning("real-time scheduling refused; the announcer thread runs at normal priority", metadata: [
                "policy": "SCHED_RR", "priority": "\(priority)", "errno": "\(error)",
                "error": "\(ThreadScheduling.describe(errno: error))",
                "rlimit_rtprio": "\(ThreadScheduling.realtimePriorityLimit().map(String.init) ?? "?")",
                "hint": "grant CAP_SYS_NICE, or RLIMIT_RTPRIO >= priority",
            ])
        }
    }

    /// The interfaces currently captured on.
    public func activeInterfaces() -> [NetworkInterface] { ports.values.map(\.interface).sorted { $0.index < $1.index } }

    // MARK: - Interfaces

    private func netlinkReadable() {
        guard let watcher else { return }
        if let error = watcher.processNotifications() {
            logger.warning("netlink notification failed", metadata: ["error": "\(error)"])
        }
        reconcile(watcher.interfaces())
    }

    private func reconcile(_ interfaces: [NetworkInterface]) {
        allInterfaces = interfaces
        ourMACs = Set(interfaces.compactMap(\.mac))
        let usable = Dictionary(InterfaceSelection.usable(interfaces, allowedNames: configuration.interfaces)
            .map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, port) in ports {
            guard let current = usable[name] else {
                let reason = interfaces.first { $0.name == name }
                    .flatMap { InterfaceSelection.exclusion(of: $0, allowedNames: configuration.interfaces) }
                closePort(name, reason: reason?.rawValue ?? "gone")
                continue
            }
            if current.index != port.interface.index || current.mac != port.interface.mac {
                closePort(name, reason: "changed")
            } else if current != port.interface {
                ports[name]?.interface = current  // e.g. the link-local address arrived
            }
        }
        var opened = false
        for (name, interface) in usable.sorted(by: { $0.key < $1.key }) where ports[name] == nil {
            opened = openPort(interface) || opened
        }
        if opened {
            // A new or returning interface learns our IPs at once instead of at the next request.
            let now = clock.now
            for address in owned.addresses { schedule.arm(address, now: now) }
            sendDueRounds()
        }
    }

    private func openPort(_ interface: NetworkInterface) -> Bool {
        let capture: PcapCapture
        do {
            capture = try PcapCapture(interface: interface.name)
        } catch {
            logger.warning("cannot capture", metadata: ["interface": "\(interface.name)", "error": "\(error)"])
            return false
        }
        let membership: SolicitedNodeMembership?
        do {
            membership = try SolicitedNodeMembership(interfaceIndex: interface.index)
        } catch {
            logger.warning("no IPv6 multicast membership", metadata: ["interface": "\(interface.name)", "error": "\(error)"])
            membership = nil
        }
        let name = interface.name
        let port = Port(interface: interface, capture: capture, membership: membership)
        ports[name] = port
        for case .v6(let v6) in owned.addresses where owned.allows(.v6(v6), on: name) { join(v6, port) }
        executor.watch(capture.fileDescriptor) { [weak self] in self?.assumeIsolated { $0.captureReadable(name) } ?? .nothing }
        logger.info("announcing on interface", metadata: [
            "interface": "\(name)", "mac": "\(interface.mac.map(String.init(describing:)) ?? "-")",
            "link_local": "\(interface.linkLocal.map(String.init(describing:)) ?? "-")",
        ])
        return true
    }

    private func closePort(_ name: String, reason: String) {
        guard let port = ports.removeValue(forKey: name) else { return }
        executor.unwatch(port.capture.fileDescriptor)  // we run on the loop thread: safe to close now
        port.capture.close()
        port.membership?.close()
        logger.info("stopped announcing on interface", metadata: ["interface": "\(name)", "reason": "\(reason)"])
    }

    private func join(_ address: IPv6Address, _ port: Port) {
        do {
            try port.membership?.join(address)
        } catch {
            logger.warning("cannot join solicited-node group", metadata: [
                "interface": "\(port.interface.name)", "ip": "\(address)", "error": "\(error)",
            ])
        }
    }

    // MARK: - Frames

    /// - Returns: how many frames were read, and when the oldest reached the kernel (for the
    ///   loop's busy-poll window).
    private func captureReadable(_ name: String) -> PollLoop.Drained {
        guard let port = ports[name] else { return .nothing }
        switch port.capture.drain() {
        case .failure(let error):
            logger.warning("capture failed", metadata: ["interface": "\(name)", "error": "\(error)"])
            closePort(name, reason: "capture failed")
            return .nothing
        case .success(let frames):
            for frame in frames { handle(frame.bytes, on: port) }
            return PollLoop.Drained(frames: frames.count, oldestArrival: frames.lazy.map(\.timestamp).min())
        }
    }

    private func handle(_ bytes: [UInt8], on port: Port) {
        let frame: Frame
        do {
            frame = try Frame(decoding: bytes)
        } catch {
            counters.malformedFrames += 1
            counters.malformedFramesByInterface[port.interface.name, default: 0] += 1
            logger.debug("malformed frame dropped", metadata: [
                "interface": "\(port.interface.name)", "error": "\(error)", "length": "\(bytes.count)",
            ])
            return
        }
        if !probeSessions.isEmpty { probeSessions.observe(frame, ourMACs: ourMACs) }
        switch configuration.policy.decide(frame, on: port.interface, owned: owned, ourMACs: ourMACs) {
        case .reply(let address, let reply):
            counters.requestsReceived[address, default: 0] += 1
            if let error = port.capture.inject(reply.encoded()) {
                counters.injectFailures += 1
                logger.warning("reply failed", metadata: ["interface": "\(port.interface.name)", "error": "\(error)"])
                return
            }
            counters.responsesSent[address, default: 0] += 1
            logger.log(level: configuration.packetLogLevel, "answered", metadata: Self.metadata(frame, address, port))
        case .conflict(let conflict):
            counters.conflicts[conflict.address, default: 0] += 1
            conflictContinuation.yield(conflict)
            logger.warning("address conflict", metadata: [
                "ip": "\(conflict.address)", "interface": "\(conflict.interface)",
                "foreign_mac": "\(conflict.foreignMAC)", "our_mac": "\(conflict.ourMAC)",
                "count": "\(counters.conflicts[conflict.address, default: 0])",
            ])
        case .drop:
            break
        }
    }

    private static func metadata(_ request: Frame, _ address: IPAddress, _ port: Port) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "ip": "\(address)", "interface": "\(port.interface.name)",
            "reply_mac": "\(port.interface.mac.map(String.init(describing:)) ?? "-")",
        ]
        switch request.payload {
        case .arp(let arp):
            metadata["protocol"] = "arp"
            metadata["requester_mac"] = "\(arp.senderMAC)"
            metadata["requester_ip"] = "\(arp.senderIP)"
        case .neighborDiscovery(let packet):
            metadata["protocol"] = "ndp"
            if case .solicitation(let ns) = packet.message, let mac = ns.sourceLinkLayerAddress {
                metadata["requester_mac"] = "\(mac)"
            }
            metadata["requester_ip"] = "\(packet.source)"
        }
        return metadata
    }

    /// Sends the frame `build` makes for each usable interface `allowed` permits (nil = all).
    /// - Returns: how many frames went out.
    func inject(on allowed: Set<String>?, _ build: (NetworkInterface) -> Frame?) -> Int {
        var sent = 0
        for port in ports.values.sorted(by: { $0.interface.index < $1.interface.index })
        where allowed?.contains(port.interface.name) ?? true {
            guard let frame = build(port.interface) else { continue }
            if let error = port.capture.inject(frame.encoded()) {
                counters.injectFailures += 1
                logger.warning("probe send failed", metadata: ["interface": "\(port.interface.name)", "error": "\(error)"])
            } else {
                sent += 1
            }
        }
        return sent
    }

    // MARK: - Gratuitous rounds

    private func sendDueRounds() {
        for address in schedule.due(now: clock.now) {
            for port in ports.values.sorted(by: { $0.interface.index < $1.interface.index })
            where owned.allows(address, on: port.interface.name) {
                var sent = 0
                for frame in GratuitousFrames.round(for: address, on: port.interface, policy: configuration.policy) {
                    if let error = port.capture.inject(frame.encoded()) {
                        counters.injectFailures += 1
                        logger.warning("gratuitous send failed", metadata: [
                            "interface": "\(port.interface.name)", "error": "\(error)",
                        ])
                    } else {
                        sent += 1
                    }
                }
                counters.gratuitousSent[address, default: 0] += UInt64(sent)
                logger.log(level: configuration.packetLogLevel, "gratuitous", metadata: [
                    "ip": "\(address)", "interface": "\(port.interface.name)", "frames": "\(sent)",
                ])
            }
        }
        rescheduleTimer()
    }

    private func rescheduleTimer() {
        executor.setTimer(schedule.nextDeadline) { [weak self] in self?.assumeIsolated { $0.sendDueRounds() } }
    }
}
