import Foundation
import Testing

/// `swiftlb members` processes and Go memberlist v0.2.2 processes in one cluster on
/// loopback, observed through their JSON lines.
@Suite("swiftlb members with Go memberlist peers", .serialized)
struct MemberInteropTests {
    @Test(
        "3 Swift + 3 Go converge; user messages, push/pull, crash detection and leave work both ways",
        .timeLimit(.minutes(2)))
    func mixedCluster() async throws {
        let cluster = try MixedCluster(profile: "lan")
        // Joins alternate: Swift joins a Go seed, Go joins a Swift seed, and so on.
        let g1 = try cluster.go("g1")
        try await g1.expect("ready") { $0.event == "ready" }
        let s1 = try cluster.swift("s1", joining: [g1])
        try await g1.expect("join", of: "s1")  // a Swift node joined a Go seed
        try await s1.expect("join", of: "g1")
        let g2 = try cluster.go("g2", joining: [s1])
        try await s1.expect("join", of: "g2")  // a Go node joined a Swift seed
        try await g2.expect("join", of: "s1")
        let s2 = try cluster.swift("s2", joining: [g2])
        let g3 = try cluster.go("g3", joining: [s2])
        let s3 = try cluster.swift("s3", joining: [g1, s1])
        let all = [g1, g2, g3, s1, s2, s3]
        try await cluster.expectConverged(all, on: all)

        // Push/pull user state crossed in both directions during the joins.
        try await s1.expect("Go's push/pull state at Swift") { $0.event == "state" && $0.data == "state-of-g1" }
        try await g1.expect("Swift's push/pull state at Go") { $0.event == "state" && $0.data == "state-of-s1" }
        try await g2.expect("Swift seed's reply at Go") { $0.event == "state" && $0.data == "state-of-s1" }

        // User messages, best effort (UDP) and reliable (TCP), both ways.
        g1.command("user s2 go-to-swift-udp")
        g1.command("reliable s2 go-to-swift-tcp")
        s2.command("user g3 swift-to-go-udp")
        s2.command("reliable g3 swift-to-go-tcp")
        for (receiver, text) in [(s2, "go-to-swift-udp"), (s2, "go-to-swift-tcp"), (g3, "swift-to-go-udp"), (g3, "swift-to-go-tcp")] {
            try await receiver.expect("user message \(text)", within: .seconds(10)) { $0.event == "user" && $0.data == text }
        }

        // Crash one Go and one Swift member: the others declare them dead within the lan bound
        // (6 members: suspicion 4 s…24 s shrinking with confirmations; memberlist-wire.md §8).
        let crashed = ContinuousClock.now
        g3.crash()
        s3.crash()
        let survivors = [g1, g2, s1, s2]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for observer in survivors {
                for victim in ["g3", "s3"] {
                    group.addTask { try await observer.expect("dead", of: victim, within: .seconds(35)) }
                }
            }
            try await group.waitForAll()
        }
        let detection = ContinuousClock.now - crashed
        #expect(detection < .seconds(35))

        // Graceful leave both ways: a Go member leaving is "leave" at Swift, and vice versa.
        g2.terminate()
        s2.terminate()
        for observer in [s1] { try await observer.expect("leave", of: "g2", within: .seconds(10)) }
        for observer in [g1] { try await observer.expect("leave", of: "s2", within: .seconds(10)) }
        try await s1.expect("leave", of: "s2", within: .seconds(10))
        try await g1.expect("leave", of: "g2", within: .seconds(10))
        // Nobody ever mistook a live member for a dead one.
        for observer in [g1, s1] {
            let falseDeaths = observer.log.events.filter { $0.event == "dead" && !["g3", "s3"].contains($0.node ?? "") }
            #expect(falseDeaths.isEmpty, "\(observer.name): \(falseDeaths)")
        }
        let exit = try await s2.expect("exit") { $0.event == "exit" }
        _ = exit
    }

    @Test("fast profile: a mixed cluster detects crashed Swift and Go members in about a second", .timeLimit(.minutes(1)))
    func fastProfileCrash() async throws {
        let cluster = try MixedCluster(profile: "fast")
        let g1 = try cluster.go("g1")
        try await g1.expect("ready") { $0.event == "ready" }
        let s1 = try cluster.swift("s1", joining: [g1])
        let g2 = try cluster.go("g2", joining: [s1])
        let s2 = try cluster.swift("s2", joining: [g1])
        let all = [g1, g2, s1, s2]
        try await cluster.expectConverged(all, on: all)
        let crashed = ContinuousClock.now
        g2.crash()
        s2.crash()
        // fast: probe 80 ms, suspicion 240 ms to 720 ms (k = 1 with 4 members); generous bound for a loaded machine.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for observer in [g1, s1] {
                for victim in ["g2", "s2"] {
                    group.addTask { try await observer.expect("dead", of: victim, within: .seconds(5)) }
                }
            }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - crashed < .seconds(5))
        for observer in [g1, s1] {
            #expect(!observer.log.events.contains { $0.event == "dead" && ["g1", "s1"].contains($0.node ?? "") })
        }
    }

    @Test("encrypted mixed cluster works; a wrong key or no key never joins and is counted", .timeLimit(.minutes(2)))
    func encryptedCluster() async throws {
        let secret = Array("0123456789abcdefghijkl".utf8)
        let cluster = try MixedCluster(profile: "lan", secret: secret)
        let s1 = try cluster.swift("s1")
        try await s1.expect("ready") { $0.event == "ready" }
        let g1 = try cluster.go("g1", joining: [s1])
        let s2 = try cluster.swift("s2", joining: [g1])
        let g2 = try cluster.go("g2", joining: [s2])
        let keyed = [s1, s2, g1, g2]
        try await cluster.expectConverged(keyed, on: keyed)
        s1.command("reliable g2 encrypted-tcp")
        g1.command("user s2 encrypted-udp")
        try await g2.expect("encrypted TCP user message") { $0.event == "user" && $0.data == "encrypted-tcp" }
        try await s2.expect("encrypted UDP user message") { $0.event == "user" && $0.data == "encrypted-udp" }

        // Outsiders: a Swift node with another secret joining a Go member, a Go node without a
        // key joining a Swift member.
        let otherSecret = try SocketInteropTests.secretDirectory(Array("not-the-cluster-secret".utf8))
        let wrongKey = try cluster.swift("wrongkey", joining: [g1], secretPath: .some(otherSecret))
        let noKey = try cluster.go("nokey", joining: [s1], secretPath: .some(nil))
        try await wrongKey.expect("ready") { $0.event == "ready" }
        try await noKey.expect("ready") { $0.event == "ready" }

        // Their attempts are dropped and counted: the keyed Swift seed counts the no-key Go
        // node's plaintext stream, the wrong-key node counts the seed's unreadable reply.
        try await expectCounter(on: s1, \.droppedUndecryptable)
        try await expectCounter(on: wrongKey, \.droppedUndecryptable)
        // A keyed member still gossips normally meanwhile: probes keep flowing and no
        // outsider ever shows up on either side.
        for member in keyed {
            #expect(!member.log.events.contains { $0.event == "join" && ["wrongkey", "nokey"].contains($0.node ?? "") })
        }
        #expect(!wrongKey.log.events.contains { $0.event == "join" && $0.node != "wrongkey" })
        #expect(!noKey.log.events.contains { $0.event == "join" && $0.node != "nokey" })
    }

    /// Asks a Swift member for its counters until `counter` is positive (bounded: 20 queries, 10 s).
    private func expectCounter(on member: PeerProcess, _ counter: KeyPath<PeerEvent, Int?>) async throws {
        for attempt in 0..<20 {
            member.command("counters")
            let reply = try await member.log.first("\(member.name) counters #\(attempt)", timeout: .seconds(5)) {
                $0.event == "counters" && $0.sequence == attempt + 1
            }
            if (reply[keyPath: counter] ?? 0) > 0 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("\(member.name): \(counter) stayed 0")
    }
}
