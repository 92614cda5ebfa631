/// The memberlist (SWIM + Lifeguard) protocol as a pure value: events and `now` in,
/// directives out. It never sends, sleeps or reads a clock.
///
/// ## Driving it
/// - Call `start(now:using:)` once, then `join(seeds:now:)` if there are seeds.
/// - Feed every decoded UDP message to `handle(_:from:now:using:)` (compound parts one by one).
/// - Sleep until `nextDeadline` (recomputed after every call) and call `tick(now:using:)`.
/// - Answer TCP pings with `answerStreamPing(_:)`, serve push/pulls with `localState(join:)`
///   and `mergeRemoteState(_:join:now:using:)`, and report the outcome of the directives
///   `sendTCPPing` and `pushPull` with `tcpPingCompleted` / `mergeRemoteState` /
///   `pushPullFailed`.
/// - Execute the returned `GossipDirective`s in order.
///
/// Semantics follow hashicorp/memberlist v0.2.2 (state.go, suspicion.go, awareness.go,
/// queue.go); deviations are listed in docs/gossip.md.
public struct GossipInstance: Sendable {
    public let settings: GossipSettings
    /// The local member's name.
    public let name: String

    /// Every known member by name, the local one included (dead and left ones until reaped).
    public internal(set) var members: [String: Member] = [:]
    /// The probe order (memberlist `nodes`), shuffled at each wrap-around.
    var probeOrder: [String] = []
    private var probeIndex = 0

    /// Lifeguard local health: 0 (healthy) up to awarenessMaxMultiplier − 1.
    public private(set) var healthScore = 0
    /// Whether `leave` was called.
    public private(set) var isLeaving = false

    var broadcasts = TransmitLimitedQueue()
    /// The application's broadcasts (memberlist `Delegate.GetBroadcasts`), framed as user
    /// messages and piggybacked after the protocol's own.
    var userBroadcasts = TransmitLimitedQueue()
    /// The payload of the ack to each UDP ping (memberlist `PingDelegate.AckPayload`). The
    /// shell sets it before handing in a ping; acks to TCP pings and relayed acks carry none,
    /// as in memberlist.
    public var ackPayload: [UInt8]?
    var suspicions: [String: Suspicion] = [:]
    private var sequenceNumber: UInt32 = 0
    private var activeProbe: Probe?
    private var probeTickPending = false
    private var relays: [UInt32: Relay] = [:]
    private var nextProbeTick: GossipInstant?
    private var nextGossipTick: GossipInstant?
    private var nextPushPullTick: GossipInstant?
    private var nextRejoin: GossipInstant?
    private var join = JoinProgress()
    private var leaveCompletionPending = false
    private var output: [GossipDirective] = []

    /// One probe in flight (memberlist `probeNode`).
    struct Probe: Sendable {
        var target: String
        var seqNo: UInt32
        var start: GossipInstant
        /// Direct-ack deadline; after it, indirect probes go out.
        var indirectAt: GossipInstant?
        /// Start + scaled probe interval: the probe fails if no ack by then.
        var deadline: GossipInstant
        var expectedNacks = 0
        var nacks = 0
        var tcpAcked = false
    }

    /// An indirect ping we are carrying out for someone else.
    struct Relay: Sendable {
        var requesterSeqNo: UInt32
        var requester: NodeAddress
        var wantsNack: Bool
        var expiresAt: GossipInstant
    }

    struct JoinProgress: Sendable {
        var seeds: [NodeAddress] = []
        var outstanding = 0
        var succeeded = false
        var attempts = 0
        var retryAt: GossipInstant?
    }

    /// Creates the local member, alive at incarnation 1.
    public init(name: String, address: NodeAddress, meta: [UInt8]? = nil, settings: GossipSettings) {
        self.settings = settings
        self.name = name
        let local = Member(
            name: name,
            address: address,
            meta: meta,
            incarnation: 0,
            state: .dead,
            vsn: settings.vsn,
            stateChange: .origin
        )
        members[name] = local
        probeOrder = [name]
    }

    /// The local member's record.
    public var localMember: Member { members[name]! }

    /// The members in a state other than dead and left.
    public var liveMembers: [Member] { members.values.filter { $0.state == .alive || $0.state == .suspect } }

    // MARK: Lifecycle

    /// Announces the local member (alive, incarnation 1, queued for gossip) and arms the
    /// periodic timers, each after a random stagger of up to one interval as memberlist does.
    public mutating func start(now: GossipInstant, using random: inout some RandomNumberGenerator) -> [GossipDirective]
    {
        var alive = makeLocalAlive(incarnation: localMember.incarnation + 1)
        alive.meta = localMember.meta
        aliveNode(alive, bootstrap: true, now: now, using: &random)
        nextProbeTick = now + stagger(settings.probeInterval, using: &random)
        nextGossipTick = now + stagger(settings.gossipInterval, using: &random)
        if let interval = settings.pushPullInterval {
            nextPushPullTick = now + stagger(interval, using: &random)
        }
        if let interval = settings.rejoinInterval { nextRejoin = now + interval }
        return takeOutput()
    }

    /// Joins through `seeds`: a push/pull with Join set to each. If none succeeds, the round
    /// is repeated every `joinRetryInterval` (up to `joinMaxAttempts` rounds, 0 = forever).
    /// The seeds are also the targets of the periodic rejoin when `rejoinInterval` is set.
    public mutating func join(seeds: [NodeAddress], now: GossipInstant) -> [GossipDirective] {
        join = JoinProgress(seeds: seeds)
        startJoinRound(now: now)
        return takeOutput()
    }

    /// Whether a join push/pull has succeeded.
    public var hasJoined: Bool { join.succeeded }

    /// Leaves gracefully: broadcasts dead{self, From: self} at the current incarnation, which
    /// receivers record as left. `leaveComplete` follows once it was sent its retransmit limit.
    public mutating func leave(now: GossipInstant) -> [GossipDirective] {
        guard !isLeaving else { return takeOutput() }
        isLeaving = true
        let local = localMember
        deadNode(Dead(incarnation: local.incarnation, node: name, from: name), now: now)
        if !members.values.contains(where: { $0.name != name && $0.state == .alive }) || !broadcasts.hasLeave {
            output.append(.leaveComplete)
        } else {
            leaveCompletionPending = true
        }
        return takeOutput()
    }

    /// Queues an application broadcast (memberlist `Delegate.GetBroadcasts` backed by a
    /// `TransmitLimitedQueue`, the way memberlist applications implement it). It rides on
    /// probes, acks and gossip as a user message (type 8) in the room the protocol's own
    /// broadcasts leave, and is sent retransmitMult × ceil(log10(n + 1)) times, n being the
    /// members not dead or left (memberlist `NumMembers`). Receivers deliver it like any
    /// packet user message (`NotifyMsg`, `.deliverUserMessage`).
    /// - Parameter key: a queued broadcast with the same key is replaced (memberlist
    ///   `NamedBroadcast`); nil replaces nothing.
    public mutating func queueUserBroadcast(_ message: [UInt8], key: String? = nil) {
        userBroadcasts.queue(node: key, message: [MessageType.user.rawValue] + message)
    }

    /// Application broadcasts still to be sent.
    public var pendingUserBroadcasts: Int { userBroadcasts.count }

    /// Publishes new metadata: a new incarnation of the local alive (memberlist `UpdateNode`).
    public mutating func updateMeta(
        _ meta: [UInt8]?,
        now: GossipInstant,
        using random: inout some RandomNumberGenerator
    )
        -> [GossipDirective]
    {
        var alive = makeLocalAlive(incarnation: localMember.incarnation + 1)
        alive.meta = meta
        aliveNode(alive, bootstrap: true, now: now, using: &random)
        return takeOutput()
    }

    // MARK: Timers

    /// The earliest moment at which `tick` has work; call it then (or earlier). Updated at
    /// the end of every mutating call.
    public private(set) var nextDeadline: GossipInstant?

    private func computeNextDeadline() -> GossipInstant? {
        var candidates: [GossipInstant] = [nextProbeTick, nextGossipTick, nextPushPullTick, nextRejoin, join.retryAt]
            .compactMap { $0 }
        if let probe = activeProbe {
            if let indirectAt = probe.indirectAt { candidates.append(indirectAt) }
            candidates.append(probe.deadline)
        }
        candidates += relays.values.map(\.expiresAt)
        candidates += suspicions.values.map(\.deadline)
        return candidates.min()
    }

    /// Runs every timer that is due at `now`.
    public mutating func tick(now: GossipInstant, using random: inout some RandomNumberGenerator) -> [GossipDirective] {
        for (seqNo, relay) in relays where relay.expiresAt <= now {
            relays[seqNo] = nil
            if relay.wantsNack { sendMessage(Nack(seqNo: relay.requesterSeqNo).encoded(), to: relay.requester) }
        }
        if var probe = activeProbe, let indirectAt = probe.indirectAt, indirectAt <= now {
            probe.indirectAt = nil
            activeProbe = probe
            sendIndirectProbes(now: now, using: &random)
        }
        if let probe = activeProbe, probe.deadline <= now {
            finishFailedProbe(now: now, using: &random)
        }
        if let tickAt = nextProbeTick, tickAt <= now {
            nextProbeTick = Self.advance(tickAt, by: settings.probeInterval, now: now)
            if activeProbe == nil { startProbe(now: now, using: &random) } else { probeTickPending = true }
        }
        let expired = suspicions.filter { $0.value.deadline <= now }.sorted { $0.key < $1.key }
        for (node, suspicion) in expired {
            suspicions[node] = nil
            guard let member = members[node], member.state == .suspect, member.stateChange == suspicion.start else {
                continue
            }
            deadNode(Dead(incarnation: member.incarnation, node: node, from: name), now: now)
        }
        if let tickAt = nextGossipTick, tickAt <= now {
            nextGossipTick = Self.advance(tickAt, by: settings.gossipInterval, now: now)
            gossip(now: now, using: &random)
        }
        if let tickAt = nextPushPullTick, tickAt <= now, let interval = settings.pushPullInterval {
            nextPushPullTick = Self.advance(
                tickAt,
                by: Self.pushPullScale(interval, nodeCount: members.count),
                now: now
            )
            if let peer = randomMembers(1, using: &random, where: { $0.name != name && $0.state == .alive }).first {
                output.append(.pushPull(with: peer.address, join: false))
            }
        }
        if let retryAt = join.retryAt, retryAt <= now {
            join.retryAt = nil
            startJoinRound(now: now)
        }
        if let rejoinAt = nextRejoin, rejoinAt <= now, let interval = settings.rejoinInterval {
            nextRejoin = Self.advance(rejoinAt, by: interval, now: now)
            let aliveAddresses = Set(members.values.filter { $0.state == .alive }.map(\.address))
            for seed in join.seeds where !aliveAddresses.contains(seed) {
                output.append(.pushPull(with: seed, join: true))
            }
        }
        return takeOutput()
    }

    static func advance(_ tick: GossipInstant, by interval: Duration, now: GossipInstant) -> GossipInstant {
        let next = tick + interval
        return next > now ? next : now + interval
    }

    /// memberlist `pushPullScale`: above 32 members the interval grows with log2 N.
    static func pushPullScale(_ interval: Duration, nodeCount: Int) -> Duration {
        guard nodeCount > 32 else { return interval }
        let multiplier = Int((Logarithm.natural(Double(nodeCount)) / Logarithm.natural(2) - 5).rounded(.up)) + 1
        return interval * multiplier
    }

    private func stagger(_ interval: Duration, using random: inout some RandomNumberGenerator) -> Duration {
        let nanoseconds = max(
            1,
            interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        )
        return .nanoseconds(Int64.random(in: 0..<nanoseconds, using: &random))
    }

    // MARK: Helpers shared by the extensions

    mutating func takeOutput() -> [GossipDirective] {
        nextDeadline = computeNextDeadline()
        defer { output = [] }
        return output
    }

    mutating func emit(_ directive: GossipDirective) { output.append(directive) }

    mutating func nextSequenceNumber() -> UInt32 {
        sequenceNumber &+= 1
        return sequenceNumber
    }

    func makeLocalAlive(incarnation: UInt32) -> Alive {
        let local = localMember
        return Alive(
            incarnation: incarnation,
            node: name,
            addr: local.address.ip,
            port: local.address.port,
            meta: local.meta,
            vsn: settings.vsn
        )
    }

    var retransmitLimit: Int {
        TransmitLimitedQueue.retransmitLimit(multiplier: settings.retransmitMult, nodeCount: members.count)
    }

    /// Queues a broadcast about `node` (replacing any older one about it).
    mutating func broadcast(about node: String, _ message: [UInt8], isLeave: Bool = false) {
        if broadcasts.queue(node: node, message: message, isLeave: isLeave), leaveCompletionPending {
            leaveCompletionPending = false
            output.append(.leaveComplete)
        }
    }

    /// Takes broadcasts for `limit` bytes (2 bytes of compound overhead each): the protocol's
    /// first, then application broadcasts if more than 2 + 1 bytes are left (memberlist
    /// `getBroadcasts`, whose user messages cost one more byte for the type).
    mutating func takeBroadcasts(limit: Int) -> [[UInt8]] {
        let (messages, leaveFinished) = broadcasts.take(overhead: 2, limit: limit, retransmitLimit: retransmitLimit)
        if leaveFinished, leaveCompletionPending {
            leaveCompletionPending = false
            output.append(.leaveComplete)
        }
        guard userBroadcasts.count > 0 else { return messages }
        let available = limit - messages.reduce(0) { $0 + 2 + $1.count }
        guard available > 2 + 1 else { return messages }
        let liveCount = members.values.count { !$0.isDeadOrLeft }
        let user = userBroadcasts.take(
            overhead: 2,
            limit: available,
            retransmitLimit: TransmitLimitedQueue.retransmitLimit(multiplier: settings.retransmitMult, nodeCount: liveCount)
        )
        return messages + user.messages
    }

    /// memberlist `sendMsg`: the message plus piggybacked broadcasts in the room left by
    /// `udpBufferSize`, without CRC.
    mutating func sendMessage(_ message: [UInt8], to address: NodeAddress) {
        let available = settings.udpBufferSize - message.count - 2 - settings.packetOverhead
        let extra = available > 0 ? takeBroadcasts(limit: available) : []
        output.append(.sendPacket(to: address, messages: [message] + extra, checksum: false))
    }

    /// Up to `count` distinct random members matching `filter` (memberlist `kRandomNodes`).
    func randomMembers(_ count: Int, using random: inout some RandomNumberGenerator, where filter: (Member) -> Bool)
        -> [Member]
    {
        var candidates = probeOrder.compactMap { members[$0] }.filter(filter)
        candidates.shuffle(using: &random)
        return Array(candidates.prefix(count))
    }

    // MARK: Join

    private mutating func startJoinRound(now: GossipInstant) {
        guard !join.seeds.isEmpty, !join.succeeded else { return }
        join.attempts += 1
        join.outstanding = join.seeds.count
        for seed in join.seeds { output.append(.pushPull(with: seed, join: true)) }
    }

    /// Reports a push/pull that could not be completed (connect, timeout, err reply, bad data).
    public mutating func pushPullFailed(with address: NodeAddress, join isJoin: Bool, now: GossipInstant)
        -> [GossipDirective]
    {
        if isJoin, join.outstanding > 0, !join.succeeded, join.seeds.contains(address) {
            join.outstanding -= 1
            if join.outstanding == 0, settings.joinMaxAttempts == 0 || join.attempts < settings.joinMaxAttempts {
                join.retryAt = now + settings.joinRetryInterval
            }
        }
        return takeOutput()
    }

    mutating func noteJoinSucceeded(from address: NodeAddress) {
        guard join.seeds.contains(address) else { return }
        join.succeeded = true
        join.retryAt = nil
        join.outstanding = max(0, join.outstanding - 1)
    }

    // MARK: Probing

    private mutating func startProbe(now: GossipInstant, using random: inout some RandomNumberGenerator) {
        // memberlist `probe`: walk the shuffled list, skipping self, dead and left members;
        // at the end, reap and reshuffle.
        var checked = 0
        var target: Member?
        while target == nil {
            guard checked < probeOrder.count else { return }
            if probeIndex >= probeOrder.count {
                resetProbeOrder(now: now, using: &random)
                probeIndex = 0
                checked += 1
                continue
            }
            let candidate = members[probeOrder[probeIndex]]
            probeIndex += 1
            if let candidate, candidate.name != name, !candidate.isDeadOrLeft {
                target = candidate
            } else {
                checked += 1
            }
        }
        guard let target else { return }
        let seqNo = nextSequenceNumber()
        let interval = settings.probeInterval * (healthScore + 1)
        activeProbe = Probe(
            target: target.name,
            seqNo: seqNo,
            start: now,
            indirectAt: now + settings.probeTimeout,
            deadline: now + interval
        )
        let ping = makePing(seqNo: seqNo, to: target.name).encoded()
        if target.state == .alive {
            sendMessage(ping, to: target.address)
        } else {
            // Lifeguard buddy system: tell a suspect member it is suspected, so it can refute.
            let suspect = Suspect(incarnation: target.incarnation, node: target.name, from: name).encoded()
            output.append(
                .sendPacket(to: target.address, messages: [ping, suspect], checksum: target.protocolMax >= 5)
            )
        }
    }

    func makePing(seqNo: UInt32, to node: String) -> Ping {
        let local = localMember
        return Ping(
            seqNo: seqNo,
            node: node,
            sourceAddr: local.address.ip,
            sourcePort: local.address.port,
            sourceNode: name
        )
    }

    private mutating func resetProbeOrder(now: GossipInstant, using random: inout some RandomNumberGenerator) {
        // Reap dead and left members that have been so for gossipToTheDeadTime (memberlist
        // v0.3.1+ also reaps left ones; v0.2.2 kept them forever).
        let reaped = Set(
            members.values.filter {
                $0.name != name && $0.isDeadOrLeft && now - $0.stateChange > settings.gossipToTheDeadTime
            }
            .map(\.name)
        )
        for node in reaped {
            members[node] = nil
            suspicions[node] = nil
        }
        probeOrder.removeAll { reaped.contains($0) }
        probeOrder.shuffle(using: &random)
    }

    private mutating func sendIndirectProbes(now: GossipInstant, using random: inout some RandomNumberGenerator) {
        guard var probe = activeProbe, let target = members[probe.target] else { return }
        let helpers = randomMembers(settings.indirectChecks, using: &random) {
            $0.name != name && $0.name != target.name && $0.state == .alive
        }
        let local = localMember
        for helper in helpers {
            let wantsNack = helper.protocolMax >= 4
            if wantsNack { probe.expectedNacks += 1 }
            let request = IndirectPing(
                seqNo: probe.seqNo,
                target: target.address.ip,
                port: target.address.port,
                node: target.name,
                nack: wantsNack,
                sourceAddr: local.address.ip,
                sourcePort: local.address.port,
                sourceNode: name
            )
            sendMessage(request.encoded(), to: helper.address)
        }
        if target.protocolMax >= 3, !settings.disableTCPPings {
            output.append(
                .sendTCPPing(
                    to: target.address,
                    ping: makePing(seqNo: probe.seqNo, to: target.name),
                    deadline: probe.deadline
                )
            )
        }
        activeProbe = probe
    }

    mutating func finishSuccessfulProbe(now: GossipInstant, using random: inout some RandomNumberGenerator) {
        activeProbe = nil
        adjustHealth(-1)
        if probeTickPending {
            probeTickPending = false
            startProbe(now: now, using: &random)
        }
    }

    private mutating func finishFailedProbe(now: GossipInstant, using random: inout some RandomNumberGenerator) {
        guard let probe = activeProbe else { return }
        if probe.tcpAcked {
            // Reachable over TCP only: the network may be misconfigured, but the member lives.
            finishSuccessfulProbe(now: now, using: &random)
            return
        }
        activeProbe = nil
        if probe.expectedNacks > 0 {
            adjustHealth(max(0, probe.expectedNacks - probe.nacks))
        } else {
            adjustHealth(1)
        }
        if let target = members[probe.target] {
            suspectNode(Suspect(incarnation: target.incarnation, node: target.name, from: name), now: now)
        }
        if probeTickPending {
            probeTickPending = false
            startProbe(now: now, using: &random)
        }
    }

    mutating func adjustHealth(_ delta: Int) {
        healthScore = min(max(0, healthScore + delta), settings.awarenessMaxMultiplier - 1)
    }

    /// Reports the outcome of a `sendTCPPing` directive.
    public mutating func tcpPingCompleted(seqNo: UInt32, acked: Bool, now: GossipInstant) -> [GossipDirective] {
        if acked, var probe = activeProbe, probe.seqNo == seqNo {
            probe.tcpAcked = true
            activeProbe = probe
        }
        return takeOutput()
    }

    // MARK: Gossip

    private mutating func gossip(now: GossipInstant, using random: inout some RandomNumberGenerator) {
        let targets = randomMembers(settings.gossipNodes, using: &random) { member in
            guard member.name != name else { return false }
            switch member.state {
            case .alive, .suspect: return true
            case .dead: return now - member.stateChange <= settings.gossipToTheDeadTime
            case .left: return false
            }
        }
        let available = settings.udpBufferSize - 2 - settings.packetOverhead
        for target in targets {
            let messages = takeBroadcasts(limit: available)
            if messages.isEmpty { return }
            output.append(.sendPacket(to: target.address, messages: messages, checksum: target.protocolMax >= 5))
        }
    }

    // MARK: Incoming packets

    /// Handles one message received over UDP from `source` (the datagram's source address).
    public mutating func handle(
        _ message: GossipMessage,
        from source: NodeAddress,
        now: GossipInstant,
        using random: inout some RandomNumberGenerator
    ) -> [GossipDirective] {
        switch message {
        case .ping(let ping):
            if var ack = answerStreamPing(ping) {
                ack.payload = ackPayload
                sendMessage(ack.encoded(), to: replyAddress(ping.sourceAddr, ping.sourcePort, fallback: source))
            }
        case .indirectPing(let request):
            handleIndirectPing(request, from: source, now: now)
        case .ack(let ack):
            handleAck(ack, now: now, using: &random)
        case .nack(let nack):
            if var probe = activeProbe, probe.seqNo == nack.seqNo {
                probe.nacks += 1
                activeProbe = probe
            }
        case .suspect(let suspect):
            suspectNode(suspect, now: now)
        case .alive(let alive):
            aliveNode(alive, bootstrap: false, now: now, using: &random)
        case .dead(let dead):
            deadNode(dead, now: now)
        case .user(let data):
            output.append(.deliverUserMessage(data, from: source))
        case .err:
            break
        }
        return takeOutput()
    }

    /// The ack for a ping (UDP or the TCP fallback), or nil when it names another member. It
    /// carries no payload: memberlist answers TCP pings without one (UDP pings get `ackPayload`).
    public func answerStreamPing(_ ping: Ping) -> Ack? {
        guard ping.node.isEmpty || ping.node == name else { return nil }
        return Ack(seqNo: ping.seqNo)
    }

    private func replyAddress(_ ip: [UInt8], _ port: UInt16, fallback: NodeAddress) -> NodeAddress {
        (!ip.isEmpty && port > 0) ? NodeAddress(ip: ip, port: port) : fallback
    }

    private mutating func handleIndirectPing(_ request: IndirectPing, from source: NodeAddress, now: GossipInstant) {
        let seqNo = nextSequenceNumber()
        relays[seqNo] = Relay(
            requesterSeqNo: request.seqNo,
            requester: replyAddress(request.sourceAddr, request.sourcePort, fallback: source),
            wantsNack: request.nack,
            expiresAt: now + settings.probeTimeout
        )
        let ping = makePing(seqNo: seqNo, to: request.node)
        sendMessage(ping.encoded(), to: NodeAddress(ip: request.target, port: request.port))
    }

    private mutating func handleAck(_ ack: Ack, now: GossipInstant, using random: inout some RandomNumberGenerator) {
        if let relay = relays.removeValue(forKey: ack.seqNo) {
            sendMessage(Ack(seqNo: relay.requesterSeqNo).encoded(), to: relay.requester)
            return
        }
        if let probe = activeProbe, probe.seqNo == ack.seqNo {
            // memberlist reports only a direct ack within ProbeTimeout to the ping delegate:
            // later ones may be relayed or from the TCP fallback, useless as an RTT.
            if now - probe.start < settings.probeTimeout, let target = members[probe.target] {
                output.append(.pingCompleted(target, rtt: now - probe.start, payload: ack.payload))
            }
            finishSuccessfulProbe(now: now, using: &random)
        }
    }
}
