import Gossip
import SwiftLBTestKit
import Testing

/// Rules of memberlist state.go, checked on one core driven by hand.
@Suite struct GossipInstanceTests {
    static let vsn: [UInt8] = [1, 5, 2, 0, 0, 0]
    static func address(_ last: UInt8) -> NodeAddress { NodeAddress(ip: [10, 0, 0, last], port: 7946) }
    static func at(_ milliseconds: Int64) -> GossipInstant { .origin + .milliseconds(milliseconds) }

    struct Harness {
        var core: GossipInstance
        var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: 1)
        var log: [GossipDirective] = []

        init(settings: GossipSettings = .lan) {
            core = GossipInstance(name: "a", address: address(1), settings: settings)
            log += core.start(now: .origin, using: &random)
        }

        mutating func receive(
            _ message: GossipMessage,
            from: NodeAddress = address(99),
            at time: GossipInstant = .origin
        ) -> [GossipDirective] {
            let out = core.handle(message, from: from, now: time, using: &random)
            log += out
            return out
        }

        mutating func tick(_ time: GossipInstant) -> [GossipDirective] {
            let out = core.tick(now: time, using: &random)
            log += out
            return out
        }

        mutating func add(_ name: String, _ last: UInt8, incarnation: UInt32 = 1, meta: [UInt8]? = nil) {
            _ = receive(
                .alive(
                    Alive(
                        incarnation: incarnation,
                        node: name,
                        addr: address(last).ip,
                        port: 7946,
                        meta: meta,
                        vsn: vsn
                    )
                )
            )
        }
    }

    static func packets(_ directives: [GossipDirective]) -> [(NodeAddress, [GossipMessage], Bool)] {
        directives.compactMap { directive in
            guard case .sendPacket(let to, let messages, let checksum) = directive else { return nil }
            return (to, messages.compactMap { try? GossipMessage(decoding: $0) }, checksum)
        }
    }

    static func events(_ directives: [GossipDirective]) -> [MemberEvent] {
        directives.compactMap { if case .emit(let event) = $0 { event } else { nil } }
    }

    @Test func startAnnouncesTheLocalMemberAtIncarnationOne() {
        let harness = Harness()
        #expect(harness.core.localMember.incarnation == 1)
        #expect(harness.core.localMember.state == .alive)
        #expect(Self.events(harness.log).map(\.kind) == ["join"])
        #expect(harness.core.nextDeadline != nil)
    }

    @Test func aliveAtIncarnationZeroIsIgnored() {
        var harness = Harness()
        let out = harness.receive(
            .alive(Alive(incarnation: 0, node: "b", addr: Self.address(2).ip, port: 7946, meta: nil, vsn: Self.vsn))
        )
        #expect(Self.events(out).isEmpty)
        #expect(harness.core.members["b"]?.state == .dead)
    }

    @Test func aliveWithBadVersionsIsIgnored() {
        var harness = Harness()
        _ = harness.receive(
            .alive(
                Alive(
                    incarnation: 1,
                    node: "b",
                    addr: Self.address(2).ip,
                    port: 7946,
                    meta: nil,
                    vsn: [3, 2, 2, 0, 0, 0]
                )
            )
        )
        #expect(harness.core.members["b"] == nil)
    }

    @Test func sameNameAtAnotherAddressIsAConflictUntilLeft() {
        var harness = Harness()
        harness.add("b", 2)
        let moved = Alive(incarnation: 5, node: "b", addr: Self.address(3).ip, port: 7946, meta: nil, vsn: Self.vsn)
        #expect(Self.events(harness.receive(.alive(moved))).isEmpty)
        #expect(harness.core.members["b"]?.address == Self.address(2))
        _ = harness.receive(.dead(Dead(incarnation: 1, node: "b", from: "b")))
        #expect(harness.core.members["b"]?.state == .left)
        let out = harness.receive(.alive(moved))
        #expect(Self.events(out).map(\.kind) == ["join"])
        #expect(harness.core.members["b"]?.address == Self.address(3))
    }

    @Test func newerIncarnationWithNewMetaIsAnUpdate() {
        var harness = Harness()
        harness.add("b", 2, meta: [1])
        harness.add("b", 2, incarnation: 1, meta: [2])
        #expect(harness.core.members["b"]?.meta == [1], "same incarnation is ignored")
        harness.add("b", 2, incarnation: 2, meta: [2])
        #expect(harness.core.members["b"]?.meta == [2])
        #expect(Self.events(harness.log).map(\.kind) == ["join", "join", "update"])
    }

    @Test func suspicionOfSelfIsRefuted() {
        var harness = Harness()
        harness.add("b", 2)
        let out = harness.receive(.suspect(Suspect(incarnation: 7, node: "a", from: "b")))
        #expect(Self.events(out).isEmpty)
        #expect(harness.core.localMember.incarnation == 8)
        #expect(harness.core.healthScore == 1)
        // The refutation goes out with the next gossip.
        let gossip = Self.packets(harness.tick(Self.at(1000)))
        let alives = gossip.flatMap(\.1).compactMap { if case .alive(let alive) = $0 { alive } else { nil } }
        #expect(alives.contains { $0.node == "a" && $0.incarnation == 8 })
    }

    /// SwiftLB's addition to memberlist's events: a suspect alive again at a higher
    /// incarnation is `refuted` (the speaker's early takeover drops its presumption on it).
    @Test func aSuspectAliveAgainAtAHigherIncarnationIsRefuted() {
        var harness = Harness()
        harness.add("b", 2, incarnation: 3)
        _ = harness.receive(.suspect(Suspect(incarnation: 3, node: "b", from: "c")))
        #expect(harness.core.members["b"]?.state == .suspect)
        harness.add("b", 2, incarnation: 3)
        #expect(harness.core.members["b"]?.state == .suspect, "the same incarnation refutes nothing")
        let out = harness.receive(.alive(Alive(incarnation: 4, node: "b", addr: Self.address(2).ip, port: 7946, meta: nil, vsn: Self.vsn)))
        #expect(harness.core.members["b"]?.state == .alive)
        #expect(Self.events(out).map(\.kind) == ["refuted"])
        #expect(Self.events(harness.log).map(\.kind) == ["join", "join", "suspect", "refuted"])
        // An alive member at a higher incarnation (no suspicion) raises nothing new.
        harness.add("b", 2, incarnation: 5)
        #expect(Self.events(harness.log).map(\.kind).count == 4)
    }

    @Test func deadFromSelfIsLeaveAndDeadFromOtherIsDead() {
        var harness = Harness()
        harness.add("b", 2)
        harness.add("c", 3)
        _ = harness.receive(.dead(Dead(incarnation: 1, node: "b", from: "b")))
        _ = harness.receive(.dead(Dead(incarnation: 1, node: "c", from: "b")))
        #expect(harness.core.members["b"]?.state == .left)
        #expect(harness.core.members["c"]?.state == .dead)
        #expect(Self.events(harness.log).map(\.kind).suffix(2) == ["leave", "dead"])
    }

    @Test func olderDeadIsIgnoredAndNewerAliveRevives() {
        var harness = Harness()
        harness.add("b", 2, incarnation: 3)
        _ = harness.receive(.dead(Dead(incarnation: 2, node: "b", from: "c")))
        #expect(harness.core.members["b"]?.state == .alive)
        _ = harness.receive(.dead(Dead(incarnation: 3, node: "b", from: "c")))
        #expect(harness.core.members["b"]?.state == .dead)
        harness.add("b", 2, incarnation: 3)
        #expect(harness.core.members["b"]?.state == .dead, "same incarnation cannot revive")
        harness.add("b", 2, incarnation: 4)
        #expect(harness.core.members["b"]?.state == .alive)
    }

    @Test func pingsForOthersAreIgnoredAndAcksGoToTheSource() {
        var harness = Harness()
        #expect(Self.packets(harness.receive(.ping(Ping(seqNo: 3, node: "z")))).isEmpty)
        let source = NodeAddress(ip: [10, 0, 0, 9], port: 8000)
        let out = Self.packets(
            harness.receive(.ping(Ping(seqNo: 4, node: "a", sourceAddr: source.ip, sourcePort: 8000, sourceNode: "x")))
        )
        #expect(out.count == 1)
        #expect(out.first?.0 == source)
        #expect(out.first?.1.first == .ack(Ack(seqNo: 4)))
        #expect(out.first?.2 == false)
    }

    /// Direct ping, then after ProbeTimeout indirect pings (nack requested) and a TCP ping,
    /// then at the probe deadline a suspicion; the health score rises by the missing nacks.
    @Test func failedProbeGoesIndirectThenSuspects() throws {
        var harness = Harness()
        for (name, last) in [("b", UInt8(2)), ("c", 3), ("d", 4)] { harness.add(name, last) }
        let firstTick = try #require(harness.core.nextDeadline)
        // Run until a ping goes out.
        var now = firstTick
        var ping: (NodeAddress, Ping)?
        while ping == nil {
            for (to, messages, _) in Self.packets(harness.tick(now)) {
                if case .ping(let body) = messages.first { ping = (to, body) }
            }
            now = try #require(harness.core.nextDeadline)
        }
        let (target, probe) = try #require(ping)
        let start = now
        _ = start
        // At ProbeTimeout: indirect pings to the two other members and a TCP ping.
        var indirect: [IndirectPing] = []
        var tcp = false
        while harness.core.members[probe.node]?.state == .alive {
            let out = harness.tick(now)
            for (_, messages, _) in Self.packets(out) {
                if case .indirectPing(let request) = messages.first { indirect.append(request) }
            }
            if out.contains(where: {
                if case .sendTCPPing(let to, let tcpPing, _) = $0 {
                    to == target && tcpPing.seqNo == probe.seqNo
                } else {
                    false
                }
            }) {
                tcp = true
            }
            now = try #require(harness.core.nextDeadline)
        }
        #expect(indirect.count == 2)
        #expect(indirect.allSatisfy { $0.seqNo == probe.seqNo && $0.node == probe.node && $0.nack })
        #expect(tcp)
        #expect(harness.core.members[probe.node]?.state == .suspect)
        #expect(harness.core.healthScore == 2)
    }

    @Test func ackEndsTheProbeAndImprovesHealth() throws {
        var harness = Harness()
        harness.add("b", 2)
        _ = harness.receive(.suspect(Suspect(incarnation: 1, node: "a", from: "b")))  // health 1
        #expect(harness.core.healthScore == 1)
        var now = try #require(harness.core.nextDeadline)
        var seqNo: UInt32?
        while seqNo == nil {
            for (_, messages, _) in Self.packets(harness.tick(now)) {
                if case .ping(let body) = messages.first { seqNo = body.seqNo }
            }
            now = try #require(harness.core.nextDeadline)
        }
        _ = harness.receive(.ack(Ack(seqNo: try #require(seqNo))), at: now)
        #expect(harness.core.healthScore == 0)
    }

    @Test func helperRelaysAcksAndNacks() throws {
        var harness = Harness()
        let requester = NodeAddress(ip: [10, 0, 0, 7], port: 7000)
        let request = IndirectPing(
            seqNo: 41,
            target: Self.address(5).ip,
            port: 7946,
            node: "e",
            nack: true,
            sourceAddr: requester.ip,
            sourcePort: 7000,
            sourceNode: "r"
        )
        let sent = Self.packets(harness.receive(.indirectPing(request), at: Self.at(10)))
        guard case .ping(let ping) = sent.first?.1.first else {
            Issue.record("no ping sent")
            return
        }
        #expect(sent.first?.0 == Self.address(5))
        #expect(ping.node == "e" && ping.sourceNode == "a")
        let relayed = Self.packets(harness.receive(.ack(Ack(seqNo: ping.seqNo)), at: Self.at(20)))
        #expect(relayed.first?.0 == requester)
        #expect(relayed.first?.1.first == .ack(Ack(seqNo: 41)))

        // A second request whose target never answers: nack after ProbeTimeout.
        _ = harness.receive(.indirectPing(request), at: Self.at(1000))
        let nacks = Self.packets(harness.tick(Self.at(1000) + GossipSettings.lan.probeTimeout))
            .filter { $0.1.first == .nack(Nack(seqNo: 41)) }
        #expect(nacks.count == 1 && nacks.first?.0 == requester)
    }

    @Test func mergeTurnsRemoteDeadIntoSuspicionAndKeepsLeft() throws {
        var harness = Harness()
        harness.add("b", 2)
        harness.add("c", 3)
        let remote = PushPull(
            join: false,
            nodes: [
                PushNodeState(
                    name: "b",
                    addr: Self.address(2).ip,
                    port: 7946,
                    meta: nil,
                    incarnation: 1,
                    state: 2,
                    vsn: Self.vsn
                ),
                PushNodeState(
                    name: "c",
                    addr: Self.address(3).ip,
                    port: 7946,
                    meta: nil,
                    incarnation: 1,
                    state: 3,
                    vsn: Self.vsn
                ),
                PushNodeState(
                    name: "d",
                    addr: Self.address(4).ip,
                    port: 7946,
                    meta: [9],
                    incarnation: 2,
                    state: 0,
                    vsn: Self.vsn
                ),
            ]
        )
        var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: 2)
        let out = try harness.core.mergeRemoteState(remote, from: Self.address(4), now: Self.at(5), using: &random)
        #expect(harness.core.members["b"]?.state == .suspect)
        #expect(harness.core.members["c"]?.state == .left)
        #expect(harness.core.members["d"]?.state == .alive && harness.core.members["d"]?.meta == [9])
        #expect(Self.events(out).map(\.kind) == ["suspect", "leave", "join"])
        let local = harness.core.localState(join: true)
        #expect(local.join && Set(local.nodes.map(\.name)) == ["a", "b", "c", "d"])
    }

    @Test func mergeWithIncompatibleVersionsIsRejected() {
        var harness = Harness()
        let remote = PushPull(
            join: true,
            nodes: [
                PushNodeState(
                    name: "x",
                    addr: Self.address(8).ip,
                    port: 7946,
                    meta: nil,
                    incarnation: 1,
                    state: 0,
                    vsn: [3, 5, 3, 0, 0, 0]
                )
            ]
        )
        var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: 3)
        #expect(throws: GossipInstance.MergeError.incompatibleVersions) {
            try harness.core.mergeRemoteState(remote, from: Self.address(8), now: Self.at(5), using: &random)
        }
        #expect(harness.core.members["x"] == nil)
    }

    @Test func joinRetriesUntilASeedAnswers() {
        var settings = GossipSettings.lan
        settings.joinRetryInterval = .seconds(2)
        var harness = Harness(settings: settings)
        let seed = Self.address(50)
        #expect(harness.core.join(seeds: [seed], now: Self.at(0)) == [.pushPull(with: seed, join: true)])
        _ = harness.core.pushPullFailed(with: seed, join: true, now: Self.at(100))
        let retry = harness.tick(Self.at(2100))
        #expect(retry.contains(.pushPull(with: seed, join: true)))
        #expect(!harness.core.hasJoined)
    }

    @Test func leaveCompletesAfterTheRetransmitLimit() throws {
        var harness = Harness()
        harness.add("b", 2)
        let out = harness.core.leave(now: Self.at(10))
        #expect(Self.events(out).map(\.kind) == ["leave"])
        #expect(harness.core.localMember.state == .left)
        var now = Self.at(10)
        var completed = false
        for _ in 0..<200 where !completed {
            now = try #require(harness.core.nextDeadline)
            completed = harness.tick(now).contains(.leaveComplete)
        }
        #expect(completed)
        // A later suspicion about ourselves is not refuted while leaving.
        _ = harness.receive(.dead(Dead(incarnation: 1, node: "a", from: "b")), at: now)
        #expect(harness.core.localMember.state == .left)
    }

    @Test func metadataUpdateRaisesTheIncarnationAndIsGossiped() throws {
        var harness = Harness()
        harness.add("b", 2)
        var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: 4)
        let out = harness.core.updateMeta(Array("eth0 up".utf8), now: Self.at(10), using: &random)
        #expect(Self.events(out).map(\.kind) == ["update"])
        #expect(harness.core.localMember.incarnation == 2)
        var now = Self.at(10)
        var gossiped: Alive?
        for _ in 0..<50 where gossiped == nil {
            now = try #require(harness.core.nextDeadline)
            for (_, messages, _) in Self.packets(harness.tick(now)) {
                for case .alive(let alive) in messages where alive.node == "a" { gossiped = alive }
            }
        }
        #expect(gossiped?.incarnation == 2)
        #expect(gossiped?.meta == Array("eth0 up".utf8))
        #expect(gossiped?.vsn == [1, 5, 2, 0, 0, 0])
    }

    @Test func suspectTargetsGetThePingAndSuspectCompoundWithChecksum() throws {
        var harness = Harness()
        harness.add("b", 2)
        _ = harness.receive(.suspect(Suspect(incarnation: 1, node: "b", from: "c")))
        #expect(harness.core.members["b"]?.state == .suspect)
        var now = try #require(harness.core.nextDeadline)
        var compound: (messages: [GossipMessage], checksum: Bool)?
        for _ in 0..<50 where compound == nil {
            for (to, messages, checksum) in Self.packets(harness.tick(now)) where to == Self.address(2) {
                if case .ping = messages.first { compound = (messages, checksum) }
            }
            now = try #require(harness.core.nextDeadline)
        }
        let sent = try #require(compound)
        #expect(sent.messages.count == 2)
        #expect(sent.messages.last == .suspect(Suspect(incarnation: 1, node: "b", from: "a")))
        #expect(sent.checksum, "b advertises PMax 5, so the compound carries a CRC")
    }
}
