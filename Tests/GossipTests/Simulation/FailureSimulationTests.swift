import Foundation
import Gossip
import SwiftLBTestKit
import Testing

/// Loss, partitions, refutation, leave and rejoin on the simulated network.
@Suite struct FailureSimulationTests {
    typealias Cluster = ClusterSimulationTests

    @Test func lanDeclaresNoLiveMemberDeadAtTenPercentLoss() {
        let seed: UInt64 = 1010
        var cluster = Cluster.chain(10, settings: .lan, seed: seed)
        let everyone = Set(Cluster.names(10))
        #expect(cluster.run(for: .seconds(60)) { $0.allSeeAlive(everyone) }, "seed \(seed): no convergence")
        let start = cluster.now
        cluster.network.lossRate = 0.10
        cluster.run(for: .seconds(600))
        let dead = cluster.deadEvents(since: start)
        let suspicions = cluster.observations.filter { $0.time >= start && $0.event.kind == "suspect" }.count
        print(
            "lan, 10 % loss, 10 min: \(suspicions) suspicions, \(dead.count) dead, \(cluster.network.dropped) of \(cluster.network.sent) datagrams dropped"
        )
        #expect(
            dead.isEmpty,
            "seed \(seed): \(dead.map { "\($0.observer) saw \($0.event.member.name) dead at \($0.time)" })"
        )
        #expect(suspicions > 0, "seed \(seed): loss should cause some suspicions, or the test proves nothing")
        #expect(cluster.allSeeAlive(everyone), "seed \(seed)")
    }

    @Test func fastDeclaresNoLiveMemberDeadAtFivePercentLossWithABusyMember() {
        let seed: UInt64 = 505
        var cluster = Cluster.chain(10, settings: .fast, seed: seed)
        let everyone = Set(Cluster.names(10))
        #expect(cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }, "seed \(seed): no convergence")
        let start = cluster.now
        cluster.network.lossRate = 0.05
        // A busy member answers late: 30 ms extra on every datagram it receives.
        cluster.network.extraDelay[SimulatedCluster.address(3)] = .milliseconds(30)
        // Two simulated minutes by default (the benchmark runs ten on a real network);
        // SWIFTLB_LONG_SIMULATION=1 runs ten here too.
        let long = ProcessInfo.processInfo.environment["SWIFTLB_LONG_SIMULATION"] == "1"
        cluster.run(for: .seconds(long ? 600 : 120))
        let dead = cluster.deadEvents(since: start)
        let suspicions = cluster.observations.filter { $0.time >= start && $0.event.kind == "suspect" }.count
        print("fast, 5 % loss + busy member, \(cluster.now - start): \(suspicions) suspicions, \(dead.count) dead")
        #expect(
            dead.isEmpty,
            "seed \(seed): \(dead.prefix(5).map { "\($0.observer) saw \($0.event.member.name) dead at \($0.time)" })"
        )
        #expect(cluster.allSeeAlive(everyone), "seed \(seed)")
    }

    @Test func suspectedLiveMemberRefutes() throws {
        let seed: UInt64 = 77
        var cluster = Cluster.chain(5, settings: .lan, seed: seed)
        let everyone = Set(Cluster.names(5))
        #expect(cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }, "seed \(seed)")
        let before = try #require(cluster.instance("node-2")?.localMember.incarnation)
        let start = cluster.now
        // node-0 hears that node-2 is suspected by someone else.
        cluster.act(on: "node-0") { instance, now in
            var random = SeededRandomNumberGenerator(seed: seed)
            return instance.handle(
                .suspect(Suspect(incarnation: before, node: "node-2", from: "node-4")),
                from: SimulatedCluster.address(4),
                now: now,
                using: &random
            )
        }
        #expect(cluster.view(of: "node-0")["node-2"] == .suspect)
        let refuted = cluster.run(for: .seconds(20)) { cluster in
            cluster.runningNames.allSatisfy { cluster.instance($0)?.members["node-2"]?.incarnation ?? 0 > before }
                && cluster.allSeeAlive(everyone)
        }
        #expect(refuted, "seed \(seed): refutation did not reach everyone")
        #expect(cluster.deadEvents(since: start).isEmpty, "seed \(seed)")
        #expect(try #require(cluster.instance("node-2")).healthScore >= 0)
    }

    @Test func gracefulLeaveIsSeenAsLeave() {
        let seed: UInt64 = 88
        var cluster = Cluster.chain(6, settings: .lan, seed: seed)
        let everyone = Set(Cluster.names(6))
        #expect(cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }, "seed \(seed)")
        let start = cluster.now
        cluster.act(on: "node-5") { instance, now in instance.leave(now: now) }
        let done = cluster.run(for: .seconds(10)) { $0.leaveCompleted.contains("node-5") }
        #expect(done, "seed \(seed): leave broadcast never completed")
        cluster.crash("node-5")  // shut down after leaving
        let others = Set(Cluster.names(5))
        let seen = cluster.run(for: .seconds(10)) {
            $0.firstEvents(kind: "leave", about: "node-5", since: start).keys.count >= 6
        }
        #expect(
            seen,
            "seed \(seed): \(cluster.firstEvents(kind: "leave", about: "node-5", since: start).keys.sorted())"
        )
        cluster.run(for: .seconds(20))
        #expect(cluster.allSeeAlive(others))
        #expect(
            cluster.runningNames.allSatisfy {
                cluster.view(of: $0)["node-5"] == .left || cluster.view(of: $0)["node-5"] == nil
            }
        )
        #expect(cluster.deadEvents(since: start).isEmpty, "seed \(seed): a leave must not be reported as dead")
    }

    @Test func deadMembersNameRejoinsWithHigherIncarnation() throws {
        let seed: UInt64 = 99
        var cluster = Cluster.chain(5, settings: .lan, seed: seed)
        let everyone = Set(Cluster.names(5))
        #expect(cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }, "seed \(seed)")
        cluster.crash("node-4")
        let crashedAt = cluster.now
        #expect(
            cluster.run(for: .seconds(30)) {
                $0.firstEvents(kind: "dead", about: "node-4", since: crashedAt).count == 4
            },
            "seed \(seed)"
        )
        let deadIncarnation = try #require(cluster.instance("node-0")?.members["node-4"]?.incarnation)
        // Restart with the same name and address: it starts at incarnation 1 again, learns it
        // was declared dead from its seed's state, and refutes with a higher incarnation.
        let restartedAt = cluster.now
        cluster.start("node-4", at: SimulatedCluster.address(4), settings: .lan, seeds: [SimulatedCluster.address(0)])
        let back = cluster.run(for: .seconds(20)) { $0.allSeeAlive(everyone) }
        #expect(back, "seed \(seed): restarted member not accepted")
        let incarnation = try #require(cluster.instance("node-1")?.members["node-4"]?.incarnation)
        #expect(incarnation > deadIncarnation)
        #expect(cluster.firstEvents(kind: "join", about: "node-4", since: restartedAt).count >= 4)
    }

    @Test func partitionHealsBackToOneView() {
        let seed: UInt64 = 4242
        var settings = GossipSettings.lan
        settings.rejoinInterval = .seconds(10)
        var cluster = SimulatedCluster(seed: seed)
        // Seeds on both sides of the coming partition.
        for index in 0..<8 {
            let seeds =
                index == 0
                ? []
                : [SimulatedCluster.address(0), SimulatedCluster.address(7)].filter {
                    $0 != SimulatedCluster.address(index)
                }
            cluster.start(
                "node-\(index)",
                at: SimulatedCluster.address(index),
                settings: settings,
                seeds: index == 0 ? [] : seeds
            )
            cluster.run(for: .milliseconds(50))
        }
        let everyone = Set(Cluster.names(8))
        #expect(cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }, "seed \(seed)")
        let left = (0..<4).map(SimulatedCluster.address)
        let right = (4..<8).map(SimulatedCluster.address)
        cluster.network.partition(into: [left, right])
        let splitAt = cluster.now
        // Long enough for each side to declare the other dead and reap it.
        cluster.run(for: .seconds(90))
        #expect(cluster.view(of: "node-0")["node-5"] != .alive, "seed \(seed): partition had no effect")
        #expect(cluster.deadEvents(since: splitAt).count > 0)
        cluster.network.heal()
        let healed = cluster.run(for: .seconds(60)) { $0.allSeeAlive(everyone) }
        #expect(
            healed,
            "seed \(seed): views after healing: \(cluster.runningNames.map { ($0, cluster.view(of: $0).filter { $0.value == .alive }.count) })"
        )
    }
}
