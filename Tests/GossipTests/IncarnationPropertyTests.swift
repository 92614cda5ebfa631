import Gossip
import SwiftLBTestKit
import Testing

/// Properties over random message sequences: incarnations never decrease, the local member
/// never stops being alive unless it leaves, and decoding what the core sends always works.
@Suite struct IncarnationPropertyTests {
    @Test func incarnationsNeverDecreaseAndTheLocalMemberStaysAlive() throws {
        for seed in UInt64(1)...200 {
            var random = SwiftLBTestKit.SeededRandomNumberGenerator(seed: seed)
            var core = GossipInstance(name: "m0", address: NodeAddress(ip: [10, 0, 0, 1], port: 7946), settings: .lan)
            var now = GossipInstant.origin
            var sent = core.start(now: now, using: &random)
            var last: [String: UInt32] = [:]
            for _ in 0..<150 {
                now = now + .milliseconds(Int64.random(in: 0...400, using: &random))
                let name = "m\(Int.random(in: 0...5, using: &random))"
                let incarnation = UInt32.random(in: 0...6, using: &random)
                let from = "m\(Int.random(in: 0...5, using: &random))"
                let address = NodeAddress(ip: [10, 0, 0, UInt8(name.dropFirst())! + 1], port: 7946)
                let message: GossipMessage =
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0:
                        .alive(
                            Alive(
                                incarnation: incarnation,
                                node: name,
                                addr: address.ip,
                                port: 7946,
                                meta: nil,
                                vsn: [1, 5, 2, 0, 0, 0]
                            )
                        )
                    case 1: .suspect(Suspect(incarnation: incarnation, node: name, from: from))
                    case 2: .dead(Dead(incarnation: incarnation, node: name, from: from))
                    default: .ack(Ack(seqNo: UInt32.random(in: 0...20, using: &random)))
                    }
                sent += core.handle(message, from: address, now: now, using: &random)
                if let deadline = core.nextDeadline, deadline <= now { sent += core.tick(now: now, using: &random) }
                last = last.filter { core.members[$0.key] != nil }  // reaped members start over
                for (member, record) in core.members {
                    if let previous = last[member] {
                        #expect(
                            record.incarnation >= previous,
                            "seed \(seed): \(member) went from \(previous) to \(record.incarnation)"
                        )
                    }
                    last[member] = record.incarnation
                }
                #expect(core.localMember.state == .alive, "seed \(seed): local member became \(core.localMember.state)")
            }
            for case .sendPacket(_, let messages, _) in sent {
                for part in messages { #expect(throws: Never.self) { try GossipMessage(decoding: part) } }
            }
        }
    }
}
