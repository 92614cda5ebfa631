import Gossip
import SwiftLBTestKit
import Testing

/// The protocol core on a deterministic simulated network. Every failure message names the
/// seed, which replays the run exactly.
@Suite struct ClusterSimulationTests {
    static func names(_ count: Int) -> [String] { (0..<count).map { "node-\($0)" } }

    /// Starts `count` members, each joining through the previous one (a join chain).
    static func chain(_ count: Int, settings: GossipSettings, seed: UInt64, lossRate: Double = 0) -> SimulatedCluster {
        var cluster = SimulatedCluster(seed: seed, lossRate: lossRate)
        for index in 0..<count {
            let seeds = index == 0 ? [] : [SimulatedCluster.address(index - 1)]
            cluster.start("node-\(index)", at: SimulatedCluster.address(index), settings: settings, seeds: seeds)
            cluster.run(for: .milliseconds(50))
        }
        return cluster
    }

    @Test func fiftyMembersConvergeFromAJoinChain() {
        let seed: UInt64 = 50
        var cluster = Self.chain(50, settings: .lan, seed: seed)
        let everyone = Set(Self.names(50))
        let converged = cluster.run(for: .seconds(60)) { $0.allSeeAlive(everyone) }
        #expect(converged, "seed \(seed): not converged after \(cluster.now)")
        #expect(cluster.deadEvents().isEmpty, "seed \(seed)")
    }
}

extension ClusterSimulationTests {
    /// Crashes a member of a converged cluster and returns, per observer, the time from the
    /// crash to its "dead" event (nil entries when an observer never declared it).
    static func detectionTimes(members: Int, settings: GossipSettings, seed: UInt64, horizon: Duration) -> [Duration?] {
        var cluster = chain(members, settings: settings, seed: seed)
        let everyone = Set(names(members))
        cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }
        // Let start-up broadcasts settle and put the crash at a random phase.
        cluster.run(for: .milliseconds(Int64(cluster.network.randomValue() % 2000) + 1000))
        let victim = "node-\(Int(cluster.network.randomValue() % UInt64(members)))"
        let crashedAt = cluster.now
        cluster.crash(victim)
        let observers = Set(cluster.runningNames)
        cluster.run(for: horizon) {
            $0.firstEvents(kind: "dead", about: victim, since: crashedAt).count == observers.count
        }
        let detected = cluster.firstEvents(kind: "dead", about: victim, since: crashedAt)
        return observers.sorted().map { detected[$0].map { $0 - crashedAt } }
    }

    static func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    /// memberlist-wire.md section 8: with defaults, detection is ≤ 8 s for 3 members and
    /// ≤ ~28 s for 10 (no confirmations at all: 17 + 1 + 24 s is the hard bound).
    @Test(arguments: [(3, 8), (10, 28)])
    func lanDetectsACrashWithinItsBound(members: Int, boundSeconds: Int) {
        for seed in UInt64(1)...3 {
            let times = Self.detectionTimes(members: members, settings: .lan, seed: seed, horizon: .seconds(60))
            #expect(times.allSatisfy { $0 != nil }, "seed \(seed): not every observer declared the crash")
            let worst = times.compactMap { $0 }.max() ?? .seconds(999)
            #expect(worst <= .seconds(boundSeconds), "seed \(seed): detection took \(worst)")
        }
    }

    /// The `fast` profile's target: every observer declares a crash with p50 ≤ 500 ms and
    /// p99 ≤ 1 s, over many crashes at random phases.
    @Test(arguments: [3, 10])
    func fastDetectsACrashInUnderASecond(members: Int) {
        var all: [Duration] = []
        for seed in UInt64(1)...20 {
            let times = Self.detectionTimes(
                members: members,
                settings: .fast,
                seed: seed &* 7919,
                horizon: .seconds(10)
            )
            #expect(times.allSatisfy { $0 != nil }, "seed \(seed &* 7919): not every observer declared the crash")
            all += times.compactMap { $0 }
        }
        let p50 = Self.percentile(all, 0.5)
        let p99 = Self.percentile(all, 0.99)
        print(
            "fast profile, \(members) members: detection p50 \(p50), p99 \(p99), max \(all.max() ?? .zero) over \(all.count) observations"
        )
        #expect(p50 <= .milliseconds(500))
        #expect(p99 <= .seconds(1))
    }
}
