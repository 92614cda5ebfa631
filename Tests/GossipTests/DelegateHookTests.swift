import Gossip
import SwiftLBTestKit
import Testing

/// memberlist's application hooks in the core: user broadcasts (`Delegate.GetBroadcasts`)
/// and ack payloads with round-trip times (`PingDelegate`).
@Suite struct DelegateHookTests {
    typealias Base = GossipInstanceTests
    typealias Harness = GossipInstanceTests.Harness

    static func userMessages(_ directives: [GossipDirective]) -> [(NodeAddress, [UInt8])] {
        Base.packets(directives).flatMap { to, messages, _ in
            messages.compactMap { if case .user(let bytes) = $0 { (to, bytes) } else { nil } }
        }
    }

    /// Runs the core's timers from `now` for `duration`, every probed member acking at once,
    /// and returns every directive.
    static func run(_ harness: inout Harness, from now: inout GossipInstant, for duration: Duration) throws
        -> [GossipDirective]
    {
        let end = now + duration
        var out: [GossipDirective] = []
        while let next = harness.core.nextDeadline, next <= end {
            now = next
            let ticked = harness.tick(now)
            out += ticked
            for (to, messages, _) in Base.packets(ticked) {
                if case .ping(let ping) = messages.first { out += harness.receive(.ack(Ack(seqNo: ping.seqNo)), from: to, at: now) }
            }
        }
        now = end
        return out
    }

    @Test func userBroadcastIsPiggybackedUpToTheRetransmitLimitOfLiveMembers() throws {
        var harness = Harness()
        harness.add("b", 2)
        harness.add("c", 3)
        harness.add("d", 4)
        _ = harness.receive(.dead(Dead(incarnation: 1, node: "d", from: "b")))
        var now = GossipInstant.origin
        // Past gossipToTheDeadTime (30 s), so nothing is gossiped to d any more.
        _ = try Self.run(&harness, from: &now, for: .seconds(31))
        harness.core.queueUserBroadcast(Array("hello".utf8))
        #expect(harness.core.pendingUserBroadcasts == 1)
        let out = try Self.run(&harness, from: &now, for: .seconds(10))
        let sent = Self.userMessages(out).filter { $0.1 == Array("hello".utf8) }
        // 3 live members (a, b, c; d is dead): 4 × ceil(log10(3 + 1)) = 4 transmissions.
        #expect(sent.count == 4)
        #expect(Set(sent.map(\.0)) == [Base.address(2), Base.address(3)])
        #expect(harness.core.pendingUserBroadcasts == 0)
    }

    @Test func userBroadcastsComeAfterTheProtocolsOwnAndAKeyReplaces() throws {
        var harness = Harness()
        harness.add("b", 2)
        var now = GossipInstant.origin
        _ = try Self.run(&harness, from: &now, for: .seconds(10))
        harness.core.queueUserBroadcast(Array("v1".utf8), key: "config")
        harness.core.queueUserBroadcast(Array("v2".utf8), key: "config")
        harness.core.queueUserBroadcast(Array("other".utf8))
        #expect(harness.core.pendingUserBroadcasts == 2)
        // The alive about c is a protocol broadcast queued after the user ones.
        harness.add("c", 3)
        let packets = Base.packets(try Self.run(&harness, from: &now, for: .milliseconds(400)))
        let first = try #require(packets.first { $0.1.contains { if case .user = $0 { true } else { false } } })
        let kinds = first.1.compactMap { message -> String? in
            switch message {
            case .ping, .ack: nil  // the primary message of a piggybacking packet
            case .alive: "alive"
            case .user(let bytes): String(decoding: bytes, as: UTF8.self)
            default: "other"
            }
        }
        #expect(kinds.first == "alive", "protocol broadcasts first: \(kinds)")
        #expect(Set(kinds.dropFirst()) == ["v2", "other"], "\(kinds)")
    }

    @Test func userBroadcastTooLargeForThePiggybackBudgetWaits() throws {
        var harness = Harness()
        harness.add("b", 2)
        var now = GossipInstant.origin
        _ = try Self.run(&harness, from: &now, for: .seconds(10))
        // 1400 − 2 (compound) − 2 (part) − 1 (type byte) = 1395 is the most that fits.
        harness.core.queueUserBroadcast([UInt8](repeating: 7, count: 1396))
        #expect(Self.userMessages(try Self.run(&harness, from: &now, for: .seconds(2))).isEmpty)
        harness.core.queueUserBroadcast([UInt8](repeating: 8, count: 1395))
        let sent = Self.userMessages(try Self.run(&harness, from: &now, for: .seconds(2)))
        #expect(sent.count == 4 && sent.allSatisfy { $0.1.count == 1395 && $0.1.first == 8 })
    }

    @Test func receivedUserMessageIsDelivered() {
        var harness = Harness()
        let out = harness.receive(.user(Array("hi".utf8)), from: Base.address(2))
        #expect(out.contains(.deliverUserMessage(Array("hi".utf8), from: Base.address(2))))
    }

    @Test func udpAcksCarryThePayloadButTCPAndRelayedAcksDoNot() throws {
        var harness = Harness()
        harness.core.ackPayload = Array("coords".utf8)
        let source = NodeAddress(ip: [10, 0, 0, 9], port: 8000)
        let udp = Base.packets(
            harness.receive(.ping(Ping(seqNo: 4, node: "a", sourceAddr: source.ip, sourcePort: 8000, sourceNode: "x")))
        )
        #expect(udp.first?.1.first == .ack(Ack(seqNo: 4, payload: Array("coords".utf8))))
        #expect(harness.core.answerStreamPing(Ping(seqNo: 5, node: "a")) == Ack(seqNo: 5))
        // As a helper: the target's payload is not forwarded (memberlist relays ackResp{SeqNo, nil}).
        let request = IndirectPing(
            seqNo: 41, target: Base.address(5).ip, port: 7946, node: "e", nack: false,
            sourceAddr: source.ip, sourcePort: 8000, sourceNode: "x")
        let sent = Base.packets(harness.receive(.indirectPing(request), at: Base.at(10)))
        guard case .ping(let ping) = sent.first?.1.first else {
            Issue.record("no ping sent")
            return
        }
        let relayed = Base.packets(
            harness.receive(.ack(Ack(seqNo: ping.seqNo, payload: Array("target".utf8))), at: Base.at(20)))
        #expect(relayed.first?.1.first == .ack(Ack(seqNo: 41)))
    }

    /// Starts probes until one goes out; returns its target, SeqNo and start.
    static func nextProbe(_ harness: inout Harness, from now: inout GossipInstant) throws -> (String, UInt32, GossipInstant) {
        for _ in 0..<100 {
            now = try #require(harness.core.nextDeadline)
            for (_, messages, _) in Base.packets(harness.tick(now)) {
                if case .ping(let ping) = messages.first { return (ping.node, ping.seqNo, now) }
            }
        }
        throw ProbeNotFound()
    }
    struct ProbeNotFound: Error {}

    @Test func directAckWithinTheProbeTimeoutReportsRTTAndPayload() throws {
        var harness = Harness()
        harness.add("b", 2)
        var now = GossipInstant.origin
        let (target, seqNo, start) = try Self.nextProbe(&harness, from: &now)
        #expect(target == "b")
        let out = harness.receive(.ack(Ack(seqNo: seqNo, payload: [1, 2])), at: start + .milliseconds(12))
        let completed = out.compactMap { directive -> (String, Duration, [UInt8]?)? in
            if case .pingCompleted(let member, let rtt, let payload) = directive { (member.name, rtt, payload) } else { nil }
        }
        #expect(completed.count == 1)
        #expect(completed.first?.0 == "b")
        #expect(completed.first?.1 == .milliseconds(12))
        #expect(completed.first?.2 == [1, 2])
    }

    @Test func lateAckEndsTheProbeWithoutAReport() throws {
        var harness = Harness()
        harness.add("b", 2)
        harness.add("c", 3)
        var now = GossipInstant.origin
        let (_, seqNo, start) = try Self.nextProbe(&harness, from: &now)
        // After ProbeTimeout (500 ms in lan) the indirect probes are out; an ack still counts
        // until the probe deadline, but memberlist no longer reports it to the ping delegate.
        _ = harness.tick(start + .milliseconds(500))
        let out = harness.receive(.ack(Ack(seqNo: seqNo, payload: [1])), at: start + .milliseconds(600))
        #expect(!out.contains { if case .pingCompleted = $0 { true } else { false } })
        _ = harness.tick(start + .seconds(1))
        #expect(harness.core.members.values.allSatisfy { $0.state == .alive }, "the late ack saved the probe")
    }
}
