import Gossip
import Logging
import NIOCore

/// The application's side of gossip (memberlist's `Delegate`): user messages and the
/// user state carried by push/pull. Every closure may be called from any task.
public struct GossipApplication: Sendable {
    /// A user message arrived (packet or stream).
    public var receiveUserMessage: @Sendable ([UInt8]) -> Void
    /// The user state to send in a push/pull (`LocalState(join)`).
    public var localUserState: @Sendable (_ join: Bool) -> [UInt8]
    /// A peer's user state from a push/pull (`MergeRemoteState(buf, join)`).
    public var mergeRemoteUserState: @Sendable (_ state: [UInt8], _ join: Bool) -> Void
    /// The payload of the ack to each UDP ping (memberlist `PingDelegate.AckPayload`).
    public var ackPayload: @Sendable () -> [UInt8]?
    /// A direct probe was answered within the probe timeout: the member, the round-trip time
    /// and the ack's payload (memberlist `PingDelegate.NotifyPingComplete`).
    public var pingCompleted: @Sendable (_ member: Member, _ rtt: Duration, _ payload: [UInt8]?) -> Void

    public init(
        receiveUserMessage: @escaping @Sendable ([UInt8]) -> Void = { _ in },
        localUserState: @escaping @Sendable (Bool) -> [UInt8] = { _ in [] },
        mergeRemoteUserState: @escaping @Sendable ([UInt8], Bool) -> Void = { _, _ in },
        ackPayload: @escaping @Sendable () -> [UInt8]? = { nil },
        pingCompleted: @escaping @Sendable (Member, Duration, [UInt8]?) -> Void = { _, _, _ in }
    ) {
        self.receiveUserMessage = receiveUserMessage
        self.localUserState = localUserState
        self.mergeRemoteUserState = mergeRemoteUserState
        self.ackPayload = ackPayload
        self.pingCompleted = pingCompleted
    }
}

/// A running memberlist-compatible member: the pure `GossipInstance` core driven by a
/// `GossipSocket` and a monotonic clock.
///
/// The actor owns the core; every input (datagram, stream, timer, finished TCP exchange)
/// is one call into the core on the actor, and the directives it returns are executed in
/// order. Timers sleep until the core's `nextDeadline` and are re-armed whenever a call
/// moves that deadline earlier.
public actor GossipNode {
    /// Membership changes, in order. Finishes at shutdown.
    public nonisolated let events: AsyncStream<MemberEvent>
    /// The address the member listens on (UDP and TCP).
    public nonisolated let localAddress: SocketAddress

    private var core: GossipInstance
    private let socket: GossipSocket
    private let application: GossipApplication
    private let logger: Logger
    private let eventSink: AsyncStream<MemberEvent>.Continuation
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var random = SystemRandomNumberGenerator()
    private var timer: Task<Void, Never>?
    private var timerDeadline: GossipInstant?
    private var receiver: Task<Void, Never>?
    private var exchanges: [UUID: Task<Void, Never>] = [:]
    private var leaveWaiters: [CheckedContinuation<Void, Never>] = []
    /// `joinAndWait` calls waiting for their seeds' first push/pull to answer or fail.
    private var joinRounds: [UUID: JoinRound] = [:]
    private var leaveCompleted = false
    private var isShutdown = false

    /// Binds `host:port` (IPv4) and creates the member; call `start(joining:)` next.
    public static func bind(
        name: String, host: String, port: Int, meta: [UInt8]?, settings: GossipSettings,
        wire: GossipWireConfiguration, application: GossipApplication = GossipApplication(),
        logger: Logger = Logger(label: "swiftlb.gossip")
    ) async throws -> GossipNode {
        var settings = settings
        settings.packetOverhead = wire.packetOverhead
        let socket = try await GossipSocket.bind(host: host, port: port, wire: wire, streamTimeout: settings.tcpTimeout)
        guard let advertise = NodeAddress(socket.localAddress) else {
            await socket.close()
            throw GossipSocketError.bindFailed
        }
        let core = GossipInstance(name: name, address: advertise, meta: meta, settings: settings)
        return GossipNode(core: core, socket: socket, application: application, logger: logger)
    }

    private init(core: GossipInstance, socket: GossipSocket, application: GossipApplication, logger: Logger) {
        self.core = core
        self.socket = socket
        self.application = application
        self.logger = logger
        self.localAddress = socket.localAddress
        self.origin = clock.now
        (events, eventSink) = AsyncStream.makeStream(of: MemberEvent.self, bufferingPolicy: .unbounded)
    }

    private var now: GossipInstant { GossipInstant(sinceOrigin: clock.now - origin) }

    /// Announces the member, starts the protocol timers and joins through `seeds`.
    public func start(joining seeds: [NodeAddress]) {
        let socket = self.socket
        receiver = Task { [weak self] in
            for await traffic in socket.inbound {
                guard let self else { return }
                await self.receive(traffic)
            }
        }
        execute(core.start(now: now, using: &random))
        if !seeds.isEmpty { execute(core.join(seeds: seeds, now: now)) }
    }

    /// Joins through `seeds` after start (memberlist `Join`): a push/pull with Join set to
    /// each, retried as the first join is. MetalLB's speaker does this every minute and on
    /// speaker Pod changes with the Pod IPs that are not members yet. The seeds replace the
    /// previous join's as the targets of the periodic rejoin.
    public func join(seeds: [NodeAddress]) {
        guard !isShutdown, !seeds.isEmpty else { return }
        execute(core.join(seeds: seeds, now: now))
    }

    /// Joins through `seeds` as `join(seeds:)` does and returns once each seed's first
    /// push/pull has answered or failed, as memberlist's `Join` returns: the number of seeds
    /// whose member list was merged. When it returns a positive count, `members` holds the
    /// cluster as those seeds knew it, whatever member events are still queued; this is what
    /// a starting speaker waits for before it announces anything. Retries after a failure
    /// go on in the background, as with `join(seeds:)`.
    @discardableResult
    public func joinAndWait(seeds: [NodeAddress]) async -> Int {
        guard !isShutdown, !seeds.isEmpty else { return 0 }
        let directives = core.join(seeds: seeds, now: now)
        let asked = directives.compactMap { directive -> NodeAddress? in
            if case .pushPull(let with, true) = directive { return with }
            return nil
        }
        guard !asked.isEmpty else {
            execute(directives)
            return 0
        }
        return await withCheckedContinuation { continuation in
            joinRounds[UUID()] = JoinRound(pending: Set(asked), continuation: continuation)
            execute(directives)
        }
    }

    /// Every known member, the local one included (dead and left ones until reaped).
    public var members: [Member] { Array(core.members.values) }

    /// The local member's record.
    public var localMember: Member { core.localMember }

    /// Traffic counters of the socket.
    public nonisolated var counters: GossipTrafficCounters { socket.counters }

    /// Publishes new metadata (a new incarnation of the local alive).
    public func updateMeta(_ meta: [UInt8]?) {
        execute(core.updateMeta(meta, now: now, using: &random))
    }

    /// Queues a user message for every member, piggybacked on gossip and sent the retransmit
    /// limit (memberlist `Delegate.GetBroadcasts`); a queued one with the same `key` is
    /// replaced. Receivers get it through `receiveUserMessage`.
    public func queueUserBroadcast(_ bytes: [UInt8], key: String? = nil) {
        core.queueUserBroadcast(bytes, key: key)
    }

    /// Sends a best-effort (UDP) user message to `address`.
    public func sendUserMessage(_ bytes: [UInt8], to address: NodeAddress) throws {
        socket.sendPacket([[MessageType.user.rawValue] + bytes], to: try address.socketAddress(), checksum: true)
    }

    /// Sends a reliable (TCP) user message to `address`.
    public func sendReliableUserMessage(_ bytes: [UInt8], to address: NodeAddress) async throws {
        let message = UserMessageHeader(userMsgLen: bytes.count).encoded() + bytes
        _ = try await socket.exchange(message, with: address.socketAddress(), timeout: core.settings.tcpTimeout, expectReply: false)
    }

    /// Leaves gracefully: broadcasts the local member's departure and waits until it was
    /// sent its retransmit limit, or `timeout` (MetalLB uses 1 s).
    public func leave(timeout: Duration) async {
        execute(core.leave(now: now))
        guard !leaveCompleted else { return }
        let deadline = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.finishLeave()
        }
        await withCheckedContinuation { leaveWaiters.append($0) }
        deadline.cancel()
    }

    /// Stops the timers, closes the sockets and finishes `events`.
    public func shutdown() async {
        guard !isShutdown else { return }
        isShutdown = true
        timer?.cancel()
        receiver?.cancel()
        for task in exchanges.values { task.cancel() }
        exchanges = [:]
        for round in joinRounds.values { round.continuation.resume(returning: round.merged) }
        joinRounds = [:]
        finishLeave()
        await socket.close()
        eventSink.finish()
    }

    // MARK: Inputs

    private func receive(_ traffic: InboundTraffic) {
        guard !isShutdown else { return }
        switch traffic {
        case .packet(let messages, let from):
            guard let source = NodeAddress(from) else { return }
            for message in messages {
                if case .ping = message { core.ackPayload = application.ackPayload() }
                execute(core.handle(message, from: source, now: now, using: &random))
            }
        case .stream(let stream):
            serve(stream)
        }
    }

    /// Answers one inbound stream (memberlist `handleConn`).
    private func serve(_ stream: InboundStream) {
        let request = stream.request
        switch request.first.flatMap(MessageType.init(rawValue:)) {
        case .ping:
            if let ping = try? Ping(body: Array(request.dropFirst())), let ack = core.answerStreamPing(ping) {
                stream.reply(ack.encoded())
            } else {
                stream.close()
            }
        case .pushPull:
            guard let (remote, _) = try? PushPull.decode(body: Array(request.dropFirst())) else {
                stream.reply(ErrorResponse(error: "malformed push/pull").encoded())
                return
            }
            var local = core.localState(join: remote.join)
            local.userState = application.localUserState(remote.join)
            stream.reply(local.encoded())
            merge(remote, from: stream.remote.flatMap(NodeAddress.init) ?? core.localMember.address)
        case .user:
            if let header = try? UserMessageHeader(body: Array(request.dropFirst())), header.userMsgLen <= request.count {
                application.receiveUserMessage(Array(request.suffix(header.userMsgLen)))
            }
            stream.close()
        default:
            stream.reply(ErrorResponse(error: "unexpected stream message").encoded())
        }
    }

    private func merge(_ remote: PushPull, from peer: NodeAddress) {
        do {
            execute(try core.mergeRemoteState(remote, from: peer, now: now, using: &random))
            if !remote.userState.isEmpty { application.mergeRemoteUserState(remote.userState, remote.join) }
        } catch {
            logger.warning("push/pull state rejected", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    private func timerFired(for deadline: GossipInstant) {
        guard timerDeadline == deadline, !isShutdown else { return }
        timerDeadline = nil
        timer = nil
        execute(core.tick(now: now, using: &random))
    }

    private func pushPullFinished(id: UUID, with peer: NodeAddress, join: Bool, reply: Result<[UInt8]?, any Error>) {
        exchanges[id] = nil
        guard !isShutdown else { return }
        let merged: Bool
        if case .success(let bytes?) = reply, bytes.first == MessageType.pushPull.rawValue,
            let (remote, _) = try? PushPull.decode(body: Array(bytes.dropFirst()))
        {
            merge(remote, from: peer)
            merged = true
        } else {
            logger.debug("push/pull failed", metadata: ["peer": "\(peer)", "join": "\(join)"])
            execute(core.pushPullFailed(with: peer, join: join, now: now))
            merged = false
        }
        if join { joinExchangeFinished(with: peer, merged: merged) }
    }

    /// Counts a join push/pull in every waiting round that asked `peer`; resumes the rounds
    /// with nothing left pending.
    private func joinExchangeFinished(with peer: NodeAddress, merged: Bool) {
        for (id, var round) in joinRounds where round.pending.contains(peer) {
            round.pending.remove(peer)
            if merged { round.merged += 1 }
            if round.pending.isEmpty {
                joinRounds[id] = nil
                round.continuation.resume(returning: round.merged)
            } else {
                joinRounds[id] = round
            }
        }
    }

    private func tcpPingFinished(id: UUID, seqNo: UInt32, acked: Bool) {
        exchanges[id] = nil
        guard !isShutdown else { return }
        execute(core.tcpPingCompleted(seqNo: seqNo, acked: acked, now: now))
    }

    private func finishLeave() {
        leaveCompleted = true
        let waiters = leaveWaiters
        leaveWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Directives

    private func execute(_ directives: [GossipDirective]) {
        for directive in directives {
            switch directive {
            case .sendPacket(let to, let messages, let checksum):
                guard let address = try? to.socketAddress() else { continue }
                socket.sendPacket(messages, to: address, checksum: checksum)
            case .sendTCPPing(let to, let ping, let deadline):
                startTCPPing(to: to, ping: ping, deadline: deadline)
            case .pushPull(let with, let join):
                startPushPull(with: with, join: join)
            case .deliverUserMessage(let bytes, _):
                application.receiveUserMessage(bytes)
            case .pingCompleted(let member, let rtt, let payload):
                application.pingCompleted(member, rtt, payload)
            case .emit(let event):
                eventSink.yield(event)
            case .leaveComplete:
                finishLeave()
            }
        }
        armTimer()
    }

    private func armTimer() {
        guard !isShutdown, let deadline = core.nextDeadline else { return }
        if let scheduled = timerDeadline, scheduled <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let wakeAt = origin + deadline.sinceOrigin
        timer = Task { [weak self] in
            do {
                try await Task.sleep(until: wakeAt, tolerance: .milliseconds(1), clock: .continuous)
            } catch { return }
            await self?.timerFired(for: deadline)
        }
    }

    private func startPushPull(with peer: NodeAddress, join: Bool) {
        var local = core.localState(join: join)
        local.userState = application.localUserState(join)
        let request = local.encoded()
        let socket = self.socket
        let timeout = core.settings.tcpTimeout
        let id = UUID()
        exchanges[id] = Task { [weak self] in
            let reply: Result<[UInt8]?, any Error>
            do {
                reply = .success(try await socket.exchange(request, with: peer.socketAddress(), timeout: timeout))
            } catch {
                reply = .failure(error)
            }
            await self?.pushPullFinished(id: id, with: peer, join: join, reply: reply)
        }
    }

    private func startTCPPing(to peer: NodeAddress, ping: Ping, deadline: GossipInstant) {
        let remaining = deadline - now
        guard remaining > .zero else {
            execute(core.tcpPingCompleted(seqNo: ping.seqNo, acked: false, now: now))
            return
        }
        let socket = self.socket
        let id = UUID()
        exchanges[id] = Task { [weak self] in
            var acked = false
            if let reply = try? await socket.exchange(ping.encoded(), with: peer.socketAddress(), timeout: remaining),
                reply.first == MessageType.ack.rawValue, let ack = try? Ack(body: Array(reply.dropFirst()))
            {
                acked = ack.seqNo == ping.seqNo
            }
            await self?.tcpPingFinished(id: id, seqNo: ping.seqNo, acked: acked)
        }
    }
}

import struct Foundation.UUID

/// One `joinAndWait` call: the seeds whose first push/pull has not finished yet.
private struct JoinRound {
    var pending: Set<NodeAddress>
    var merged = 0
    let continuation: CheckedContinuation<Int, Never>
}
