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
