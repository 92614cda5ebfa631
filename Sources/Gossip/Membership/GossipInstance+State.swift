/// Membership state transitions (memberlist state.go `aliveNode`, `suspectNode`, `deadNode`,
/// `refute`, `mergeState`).
extension GossipInstance {
    /// An alive statement about a member (from the network, a push/pull, or ourselves).
    mutating func aliveNode(
        _ alive: Alive,
        bootstrap: Bool,
        now: GossipInstant,
        using random: inout some RandomNumberGenerator
    ) {
        let isLocal = alive.node == name
        if isLeaving && isLocal { return }
        if alive.vsn.count >= 3 {
            let (pMin, pMax) = (alive.vsn[0], alive.vsn[1])
            if pMin == 0 || pMax == 0 || pMin > pMax { return }
        }
        let address = NodeAddress(ip: alive.addr, port: alive.port)
        var updatesAddress = false
        var member: Member
        if let known = members[alive.node] {
            member = known
            if known.address != address {
                let reclaimable =
                    known.state == .dead && settings.deadNodeReclaimTime.map { now - known.stateChange > $0 } == true
                guard known.state == .left || reclaimable else { return }  // name conflict
                updatesAddress = true
            }
        } else {
            guard !alive.node.isEmpty else { return }
            member = Member(
                name: alive.node,
                address: address,
                meta: alive.meta,
                incarnation: 0,
                state: .dead,
                vsn: Self.paddedVsn(alive.vsn),
                stateChange: now
            )
            members[alive.node] = member
            probeOrder.insert(alive.node, at: Int.random(in: 0...probeOrder.count, using: &random))
        }
        if alive.incarnation <= member.incarnation && !isLocal && !updatesAddress { return }
        if alive.incarnation < member.incarnation && isLocal { return }
        suspicions[alive.node] = nil
        let oldState = member.state
        let oldMeta = member.meta

        if !bootstrap && isLocal {
            if alive.incarnation == member.incarnation && alive.meta == member.meta
                && Self.paddedVsn(alive.vsn) == member.vsn
            {
                return
            }
            refute(accusedIncarnation: alive.incarnation)
        } else {
            broadcast(about: alive.node, alive.encoded())
            if !alive.vsn.isEmpty { member.vsn = Self.paddedVsn(alive.vsn) }
            member.incarnation = alive.incarnation
            member.meta = alive.meta
            member.address = address
            if member.state != .alive {
                member.state = .alive
                member.stateChange = now
            }
            members[alive.node] = member
        }
        let current = members[alive.node] ?? member
        if oldState == .dead || oldState == .left {
            emit(.emit(.join(current)))
        } else if oldMeta != current.meta {
            emit(.emit(.update(current)))
        } else if oldState == .suspect && current.state == .alive {
            emit(.emit(.refuted(current)))
        }
    }

    static func paddedVsn(_ vsn: [UInt8]) -> [UInt8] {
        vsn.count >= 6 ? Array(vsn.prefix(6)) : vsn + [UInt8](repeating: 0, count: 6 - vsn.count)
    }

    /// A suspicion about a member (from the network, a push/pull, or our own failed probe).
    mutating func suspectNode(_ suspect: Suspect, now: GossipInstant) {
        guard var member = members[suspect.node], suspect.incarnation >= member.incarnation else { return }
        if var suspicion = suspicions[suspect.node] {
            if suspicion.confirm(from: suspect.from) {
                suspicions[suspect.node] = suspicion
                broadcast(about: suspect.node, suspect.encoded())
            }
            return
        }
        guard member.state == .alive else { return }
        if suspect.node == name {
            refute(accusedIncarnation: suspect.incarnation)
            return
        }
        broadcast(about: suspect.node, suspect.encoded())
        member.incarnation = suspect.incarnation
        member.state = .suspect
        member.stateChange = now
        members[suspect.node] = member
        let nodeCount = members.count
        var k = settings.suspicionMult - 2
        if nodeCount - 2 < k { k = 0 }
        let minimum = Suspicion.minimumTimeout(
            suspicionMult: settings.suspicionMult,
            nodeCount: nodeCount,
            probeInterval: settings.probeInterval
        )
        let maximum = minimum * settings.suspicionMaxTimeoutMult
        suspicions[suspect.node] = Suspicion(from: suspect.from, k: k, min: minimum, max: maximum, start: now)
        emit(.emit(.suspect(member)))
    }

    /// A death (or, with From == Node, a graceful leave).
    ///
    /// One deviation from memberlist v0.2.2, which ignores any dead message about a member it
    /// already holds dead or left: a leave (From == Node) at an incarnation at least ours
    /// turns a *dead* member into a *left* one (a second event, `leave` after `dead`). A leave
    /// can arrive after the observer's suspicion ran out, and in the worst race a member
    /// refutes its own death (incarnation i + 1) and leaves at once: its leave replaces the
    /// queued refutation, so an observer that declared it dead at i may only ever hear
    /// dead{i + 1, From: itself}. memberlist keeps it dead and a stray copy of the refutation (alive
    /// i + 1) later revives the departed member until it is detected dead a second time;
    /// here the observer records the leave, and that stray alive is too old to revive it.
    mutating func deadNode(_ dead: Dead, now: GossipInstant) {
        guard var member = members[dead.node], dead.incarnation >= member.incarnation else { return }
        suspicions[dead.node] = nil
        if member.isDeadOrLeft {
            guard member.state == .dead, dead.node == dead.from, dead.node != name else { return }
            broadcast(about: dead.node, dead.encoded())
            member.incarnation = dead.incarnation
            member.state = .left
            member.stateChange = now
            members[dead.node] = member
            emit(.emit(.leave(member)))
            return
        }
        if dead.node == name {
            guard isLeaving else {
                refute(accusedIncarnation: dead.incarnation)
                return
            }
            broadcast(about: dead.node, dead.encoded(), isLeave: true)
        } else {
            broadcast(about: dead.node, dead.encoded())
        }
        member.incarnation = dead.incarnation
        member.state = dead.node == dead.from ? .left : .dead
        member.stateChange = now
        members[dead.node] = member
        emit(.emit(member.state == .left ? .leave(member) : .dead(member)))
    }

    /// Answers an accusation about ourselves with a higher incarnation (memberlist `refute`).
    mutating func refute(accusedIncarnation: UInt32) {
        guard var local = members[name] else { return }
        var incarnation = local.incarnation &+ 1
        if accusedIncarnation >= incarnation { incarnation = accusedIncarnation &+ 1 }
        local.incarnation = incarnation
        members[name] = local
        adjustHealth(1)
        broadcast(about: name, makeLocalAlive(incarnation: incarnation).encoded())
    }

    // MARK: Push/pull

    /// The local table for a push/pull (memberlist `sendLocalState`): every known member,
    /// the local one included. The shell adds the application's user state.
    public func localState(join: Bool) -> PushPull {
        let nodes = probeOrder.compactMap { members[$0] }.map { member in
            PushNodeState(
                name: member.name,
                addr: member.address.ip,
                port: member.address.port,
                meta: member.meta,
                incarnation: member.incarnation,
                state: member.state.rawValue,
                vsn: member.vsn
            )
        }
        return PushPull(join: join, nodes: nodes)
    }

    /// Why a remote state was not merged.
    public enum MergeError: Error, Hashable, Sendable {
        /// memberlist `verifyProtocol` failed: some member's current protocol or delegate
        /// version is outside the range every alive member understands.
        case incompatibleVersions
    }

    /// Merges a remote push/pull state (either side of the exchange; memberlist `mergeState`):
    /// alive entries are alive messages, left entries leaves, and dead or suspect entries only
    /// suspicions from us, so a remote cannot declare a member dead outright.
    /// - Parameters:
    ///   - remote: the peer's state.
    ///   - from: the peer's address; a join to a seed counts as successful.
    public mutating func mergeRemoteState(
        _ remote: PushPull,
        from peer: NodeAddress,
        now: GossipInstant,
        using random: inout some RandomNumberGenerator
    ) throws(MergeError) -> [GossipDirective] {
        guard versionsCompatible(with: remote.nodes) else {
            _ = pushPullFailed(with: peer, join: remote.join, now: now)  // schedules a join retry; no directives
            throw .incompatibleVersions
        }
        if remote.join { noteJoinSucceeded(from: peer) }
        for node in remote.nodes {
            guard let state = MemberState(rawValue: node.state) else { continue }
            switch state {
            case .alive:
                aliveNode(
                    Alive(
                        incarnation: node.incarnation,
                        node: node.name,
                        addr: node.addr,
                        port: node.port,
                        meta: node.meta,
                        vsn: node.vsn
                    ),
                    bootstrap: false,
                    now: now,
                    using: &random
                )
            case .left:
                deadNode(Dead(incarnation: node.incarnation, node: node.name, from: node.name), now: now)
            case .dead, .suspect:
                suspectNode(Suspect(incarnation: node.incarnation, node: node.name, from: name), now: now)
            }
        }
        return takeOutput()
    }

    /// memberlist `verifyProtocol`: over all alive members, local and remote, the largest
    /// minimum and smallest maximum must contain every current version.
    func versionsCompatible(with remote: [PushNodeState]) -> Bool {
        var vectors = members.values.filter { $0.state == .alive }.map(\.vsn)
        vectors += remote.filter { $0.state == MemberState.alive.rawValue }.map { Self.paddedVsn($0.vsn) }
        guard !vectors.isEmpty else { return true }
        for base in [0, 3] {
            let low = vectors.map { $0[base] }.max() ?? 0
            let high = vectors.map { $0[base + 1] }.min() ?? 0
            for vector in vectors where vector[base + 2] < low || vector[base + 2] > high { return false }
        }
        return true
    }
}
