import Gossip
import SwiftLBTestKit
import Testing

/// A graceful leave racing a suspicion and its refutation, in fixed orders on the simulated
/// network (memberlist state.go: dead with From == Node means left; an older incarnation is
/// ignored; a refutation raises the incarnation above the accusation).
@Suite struct LeaveRaceSimulationTests {
    typealias Cluster = ClusterSimulationTests

    static func converged(seed: UInt64) -> SimulatedCluster {
        var cluster = Cluster.chain(4, settings: .lan, seed: seed)
        let everyone = Set(Cluster.names(4))
        #expect(cluster.run(for: .seconds(30)) { $0.allSeeAlive(everyone) }, "seed \(seed): no convergence")
        cluster.run(for: .seconds(2))  // so that the join events lie strictly before the test's start
        return cluster
    }

    /// `observer` takes `message` in, as if it had just arrived.
    static func inject(_ message: GossipMessage, into observer: String, from sender: Int, cluster: inout SimulatedCluster) {
        cluster.act(on: observer) { instance, now in
            var random = SeededRandomNumberGenerator(seed: 1)
            return instance.handle(message, from: SimulatedCluster.address(sender), now: now, using: &random)
        }
    }

    /// Leaves `name` and shuts it down once its leave broadcast is out.
    static func leave(_ name: String, cluster: inout SimulatedCluster, seed: UInt64) {
        cluster.act(on: name) { instance, now in instance.leave(now: now) }
        #expect(cluster.run(for: .seconds(10)) { $0.leaveCompleted.contains(name) }, "seed \(seed): leave never completed")
        cluster.crash(name)
    }

    /// Whether every running member reported `name` as left since `since`.
    static func everyoneSawLeave(_ name: String, _ cluster: SimulatedCluster, since: Duration) -> Bool {
        let seen = cluster.firstEvents(kind: "leave", about: name, since: since)
        return cluster.runningNames.allSatisfy { seen[$0] != nil }
    }

    static func expectLeftEverywhere(_ name: String, cluster: inout SimulatedCluster, since: Duration, seed: UInt64) {
        let observers = cluster.runningNames
        let seen = cluster.run(for: .seconds(10)) { everyoneSawLeave(name, $0, since: since) }
        #expect(seen, "seed \(seed): leave seen by \(cluster.firstEvents(kind: "leave", about: name, since: since).keys.sorted())")
        // Long past any suspicion timeout: nobody revived it or declared it dead meanwhile.
        cluster.run(for: .seconds(30))
        for observer in observers {
            #expect(cluster.view(of: observer)[name] == .left || cluster.view(of: observer)[name] == nil, "seed \(seed): \(observer)")
            #expect(
                cluster.firstEvents(kind: "join", about: name, since: since)[observer] == nil,
                "seed \(seed): \(observer) revived \(name): \(cluster.observations.filter { $0.observer == observer && $0.event.member.name == name }.map { "\($0.time) \($0.event.kind) \($0.event.member.incarnation)" })")
        }
    }

    /// node-0 suspects node-3; node-3 hears it, refutes (incarnation + 1) and leaves at once, so
    /// its leave replaces the queued refutation: node-0 gets the leave while node-3 is suspect
    /// at the older incarnation. memberlist records left; so must we, with no dead event.
    @Test func leaveArrivingWhileSuspectIsLeave() throws {
        let seed: UInt64 = 301
        var cluster = Self.converged(seed: seed)
        let incarnation = try #require(cluster.instance("node-3")?.localMember.incarnation)
        let start = cluster.now
        Self.inject(.suspect(Suspect(incarnation: incarnation, node: "node-3", from: "node-1")), into: "node-0", from: 1, cluster: &cluster)
        #expect(cluster.view(of: "node-0")["node-3"] == .suspect)
        Self.inject(.suspect(Suspect(incarnation: incarnation, node: "node-3", from: "node-1")), into: "node-3", from: 1, cluster: &cluster)
        #expect(cluster.instance("node-3")?.localMember.incarnation == incarnation + 1, "refuted")
        Self.leave("node-3", cluster: &cluster, seed: seed)
        Self.expectLeftEverywhere("node-3", cluster: &cluster, since: start, seed: seed)
        #expect(cluster.deadEvents(since: start).isEmpty, "seed \(seed): a leave must not be reported as dead")
        #expect(cluster.instance("node-0")?.members["node-3"].map(\.incarnation) ?? incarnation + 1 == incarnation + 1)
    }

    /// The flake's order: node-0 and node-1 already declared node-3 dead at incarnation i (their
    /// suspicion ran out); node-3 refutes with i + 1 and leaves at once, so they only hear
    /// dead{i + 1, From: node-3}. memberlist v0.2.2 ignores it (already dead) and a stray copy
    /// of the refutation would revive node-3; SwiftLB records the leave (docs/gossip.md).
    @Test func leaveAfterBeingDeclaredDeadIsLeaveAndAStrayRefutationDoesNotRevive() throws {
        let seed: UInt64 = 302
        var cluster = Self.converged(seed: seed)
        let incarnation = try #require(cluster.instance("node-3")?.localMember.incarnation)
        let start = cluster.now
        let death = Dead(incarnation: incarnation, node: "node-3", from: "node-2")
        for observer in ["node-0", "node-1", "node-2"] {
            Self.inject(.dead(death), into: observer, from: 2, cluster: &cluster)
            #expect(cluster.view(of: observer)["node-3"] == .dead)
        }
        Self.inject(.dead(death), into: "node-3", from: 2, cluster: &cluster)
        let refutation = try #require(cluster.instance("node-3")?.localMember)
        #expect(refutation.incarnation == incarnation + 1)
        Self.leave("node-3", cluster: &cluster, seed: seed)
        #expect(
            cluster.run(for: .seconds(10)) { Self.everyoneSawLeave("node-3", $0, since: start) },
            "seed \(seed): leave seen by \(cluster.firstEvents(kind: "leave", about: "node-3", since: start).keys.sorted())")
        // A copy of the refutation still travelling arrives last: too old to revive node-3.
        let stray = Alive(
            incarnation: incarnation + 1, node: "node-3", addr: refutation.address.ip, port: refutation.address.port,
            meta: refutation.meta, vsn: refutation.vsn)
        Self.inject(.alive(stray), into: "node-0", from: 1, cluster: &cluster)
        Self.expectLeftEverywhere("node-3", cluster: &cluster, since: start, seed: seed)
    }

    /// The refutation reaches everyone first, then the leave: alive at i + 1, then left.
    @Test func leaveAfterARefutationSpreadIsLeave() throws {
        let seed: UInt64 = 303
        var cluster = Self.converged(seed: seed)
        let incarnation = try #require(cluster.instance("node-3")?.localMember.incarnation)
        let start = cluster.now
        Self.inject(.suspect(Suspect(incarnation: incarnation, node: "node-3", from: "node-1")), into: "node-0", from: 1, cluster: &cluster)
        let refuted = cluster.run(for: .seconds(5)) { cluster in
            ["node-0", "node-1", "node-2"].allSatisfy {
                cluster.instance($0)?.members["node-3"].map { $0.incarnation > incarnation && $0.state == .alive } ?? false
            }
        }
        #expect(refuted, "seed \(seed): refutation did not spread")
        // An older leave (from before the refutation) would be ignored: incarnation i < i + 1.
        Self.inject(.dead(Dead(incarnation: incarnation, node: "node-3", from: "node-3")), into: "node-1", from: 3, cluster: &cluster)
        #expect(cluster.view(of: "node-1")["node-3"] == .alive)
        Self.leave("node-3", cluster: &cluster, seed: seed)
        Self.expectLeftEverywhere("node-3", cluster: &cluster, since: start, seed: seed)
        #expect(cluster.deadEvents(since: start).isEmpty, "seed \(seed)")
    }
}
