import Foundation
import Testing

/// memberlist's application hooks beyond user messages, across implementations: broadcasts
/// piggybacked on gossip (`Delegate.GetBroadcasts` → `NotifyMsg`) and ack payloads with
/// round-trip times (`PingDelegate.AckPayload` / `NotifyPingComplete`).
@Suite("Delegate hooks with Go memberlist peers", .serialized)
struct DelegateInteropTests {
    @Test("user broadcasts reach every member, Swift to Go and Go to Swift", .timeLimit(.minutes(1)))
    func userBroadcastsBothWays() async throws {
        let cluster = try MixedCluster(profile: "fast")
        let g1 = try cluster.go("g1")
        try await g1.expect("ready") { $0.event == "ready" }
        let s1 = try cluster.swift("s1", joining: [g1])
        let s2 = try cluster.swift("s2", joining: [g1])
        let all = [g1, s1, s2]
        try await cluster.expectConverged(all, on: all)

        // One broadcast from each implementation. Nobody sends it to anyone directly: it only
        // rides on probes, acks and gossip, and receivers do not relay it, so each sender's
        // retransmit limit (4 × ceil(log10(3 + 1)) = 4 with 3 members) must reach both others.
        // With 3 members every 20 ms gossip round goes to both, so a miss would be a bug.
        s1.command("broadcast from-swift-s1")
        g1.command("broadcast from-go-g1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (sender, text) in [(s1, "from-swift-s1"), (g1, "from-go-g1")] {
                for receiver in all where receiver !== sender {
                    group.addTask {
                        try await receiver.expect("broadcast \(text)", within: .seconds(10)) {
                            $0.event == "user" && $0.data == text
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        // The sender never delivers its own broadcast to itself.
        #expect(!s1.log.events.contains { $0.event == "user" && $0.data == "from-swift-s1" })
        #expect(!g1.log.events.contains { $0.event == "user" && $0.data == "from-go-g1" })
    }

    @Test("ack payloads and round-trip times, Swift to Go and Go to Swift", .timeLimit(.minutes(1)))
    func ackPayloadsBothWays() async throws {
        let cluster = try MixedCluster(profile: "fast")
        let g1 = try cluster.go("g1", extraArguments: ["-ack-payload", "ack-of-g1", "-report-pings"])
        try await g1.expect("ready") { $0.event == "ready" }
        let s1 = try cluster.swift("s1", joining: [g1], extraArguments: ["--ack-payload", "ack-of-s1", "--report-pings"])
        // A member without a payload: its acks carry nil, reported without data.
        let s2 = try cluster.swift("s2", joining: [g1], extraArguments: ["--report-pings"])
        let all = [g1, s1, s2]
        try await cluster.expectConverged(all, on: all)

        // Go probed Swift and got Swift's payload; Swift probed Go and got Go's.
        let atGo = try await g1.expect("g1 completes a ping of s1") { $0.event == "ping" && $0.node == "s1" }
        #expect(atGo.data == "ack-of-s1")
        let atSwift = try await s1.expect("s1 completes a ping of g1") { $0.event == "ping" && $0.node == "g1" }
        #expect(atSwift.data == "ack-of-g1")
        let swiftToSwift = try await s2.expect("s2 completes a ping of s1") { $0.event == "ping" && $0.node == "s1" }
        #expect(swiftToSwift.data == "ack-of-s1")
        let noPayload = try await g1.expect("g1 completes a ping of s2") { $0.event == "ping" && $0.node == "s2" }
        #expect(noPayload.data == nil)
        // Reported only for direct acks within the probe timeout (40 ms in `fast`).
        for ping in [atGo, atSwift, swiftToSwift, noPayload] {
            let rtt = try #require(ping.rttMicroseconds)
            #expect(rtt > 0 && rtt < 40_000, "\(ping)")
        }
    }
}
