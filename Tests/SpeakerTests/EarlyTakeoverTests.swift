import Addressing
import Announcer
import ClusterModel
import Election
import Packets
import Testing
@testable import Speaker

/// The pure parts of early takeover: "what would I gain if N left" and the per-suspect state.
@Suite struct EarlyTakeoverTests {
    static let nodes = ["node-a", "node-b", "node-c"]
    /// Eight Services, one IP each, so every node owns some and comes second for some.
    static let ips = (1...8).map { "192.0.2.\($0)" }
    static let ownerMAC = MACAddress(0x0200_0000_00AA)

    /// A reconciler on `node` with three nodes, all gossip members, and one served Service per IP.
    static func reconciler(on node: String) -> SpeakerReconciler {
        var reconciler = SpeakerReconciler(nodeName: node)
        _ = reconciler.setConfiguration(Fixture.configuration())
        for name in nodes {
            _ = reconciler.nodeChanged(Fixture.node(name))
            _ = reconciler.memberAlive(name)
        }
        for (index, ip) in ips.enumerated() {
            _ = reconciler.serviceChanged(Fixture.service("web\(index)", ip: ip))
            _ = reconciler.sliceChanged(Fixture.slice("web\(index)-abc", service: "web\(index)",
                                                      endpoints: [("10.1.0.5", "node-a", true)]))
        }
        return reconciler
    }

    static func ranked(_ ip: String) -> [String] { ElectionOrder.sorted(nodes, for: IPAddress(ip)!) }

    // MARK: - What this node would gain

    @Test(arguments: nodes) func gainsAreExactlyTheIPsTheSuspectOwnsAndThisNodeRanksNextFor(_ here: String) {
        let reconciler = Self.reconciler(on: here)
        for suspect in Self.nodes where suspect != here {
            let expected = Set(Self.ips.filter { Self.ranked($0)[0] == suspect && Self.ranked($0)[1] == here }.map { IPAddress($0)! })
            let gains = reconciler.addressesGained(ifGone: suspect)
            #expect(Set(gains.keys) == expected, "\(here) if \(suspect) left")
            for target in gains.values { #expect(target.interfaces == nil && target.services.count == 1) }
        }
        #expect(reconciler.addressesGained(ifGone: here).isEmpty, "never a gain from our own absence")
        #expect(reconciler.addressesGained(ifGone: "node-z").isEmpty, "an unknown member owns nothing")
    }

    @Test func theQueryChangesNothingAndAPresumptionMovesOnlyTheSuspectsIPs() {
        let here = "node-a"
        for suspect in ["node-b", "node-c"] {
            var reconciler = Self.reconciler(on: here)
            let ownersBefore = reconciler.election.owners
            let announcedBefore = reconciler.announced
            let gains = reconciler.addressesGained(ifGone: suspect)
            #expect(reconciler.election.owners == ownersBefore)
            #expect(reconciler.announced == announcedBefore)

            let step = reconciler.memberGone(suspect)
            #expect(Set(step.diff.announce.map(\.ip)) == Set(gains.keys), "the presumption gains exactly the query's IPs")
            #expect(step.diff.withdraw.isEmpty)
            for (service, owner) in ownersBefore where owner != suspect {
                #expect(reconciler.election.owners[service] == owner, "\(service) was not \(suspect)'s: its owner stays")
            }
            for (service, owner) in reconciler.election.owners { #expect(owner != suspect, "\(service)") }
        }
    }

    // MARK: - The per-suspect state

    private static func gains(_ reconciler: SpeakerReconciler, _ suspect: String) -> [IPAddress: AnnouncementTarget] {
        reconciler.addressesGained(ifGone: suspect)
    }

    /// A node that would gain something from `suspect`, and the suspect.
    static func heirAndSuspect() -> (heir: String, suspect: String) {
        for heir in nodes {
            for suspect in nodes where suspect != heir && !reconciler(on: heir).addressesGained(ifGone: suspect).isEmpty {
                return (heir, suspect)
            }
        }
        fatalError("eight IPs always give some node a gain")
    }

    @Test func suspectProbedDarkIsPresumedDeadAndTheIPsComeHere() {
        let (heir, suspect) = Self.heirAndSuspect()
        var reconciler = Self.reconciler(on: heir)
        var tracker = EarlyTakeoverTracker()
        let gains = Self.gains(reconciler, suspect)
        guard case .probe(suspect, let epoch, let targets) = tracker.suspected(suspect, gains: gains) else {
            Issue.record("a suspect with gains is probed")
            return
        }
        #expect(targets == gains)
        #expect(tracker.suspected(suspect, gains: gains) == .none, "one suspicion, one probe at a time")
        let action = tracker.probed(suspect, epoch: epoch, outcome: ProbeOutcome(framesSent: 3 * gains.count), gains: gains)
        #expect(action == .presumeDead(member: suspect, addresses: Set(gains.keys)))
        #expect(tracker.isPresumedDead(suspect))
        let step = reconciler.memberGone(suspect)
        #expect(Set(step.diff.announce.map(\.ip)) == Set(gains.keys))

        // Gossip then declares it dead: nothing left to do, no second gratuitous burst.
        #expect(tracker.gone(suspect) == Set(gains.keys))
        let dead = reconciler.memberGone(suspect)
        #expect(dead.diff.isEmpty && dead.ownerChanges.isEmpty)
        #expect(tracker.suspects.isEmpty)
    }

    @Test func anAnsweredProbeTakesNothingAndProbesAgainWhileSuspect() {
        let (heir, suspect) = Self.heirAndSuspect()
        let reconciler = Self.reconciler(on: heir)
        var tracker = EarlyTakeoverTracker()
        let gains = Self.gains(reconciler, suspect)
        guard case .probe(_, let epoch, _) = tracker.suspected(suspect, gains: gains) else {
            Issue.record("probe expected")
            return
        }
        let answered = ProbeOutcome(answered: [gains.keys.sorted()[0]: Self.ownerMAC], framesSent: 3)
        #expect(tracker.probed(suspect, epoch: epoch, outcome: answered, gains: gains) == .reprobeLater(member: suspect, epoch: epoch))
        #expect(!tracker.isPresumedDead(suspect))
        #expect(tracker.probed(suspect, epoch: epoch, outcome: ProbeOutcome(framesSent: 3), gains: gains) == .none,
                "a result with no probe out is ignored")
        #expect(tracker.reprobeDue(suspect, epoch: epoch, gains: gains) == .probe(member: suspect, epoch: epoch, targets: gains))
        #expect(tracker.reprobeDue(suspect, epoch: epoch, gains: gains) == .none, "already probing")
        // Nothing sent (no usable interface): silence proves nothing.
        #expect(tracker.probed(suspect, epoch: epoch, outcome: ProbeOutcome(), gains: gains) == .reprobeLater(member: suspect, epoch: epoch))
        #expect(tracker.suspects[suspect]?.probes == 2)
        // Refuted while only suspected: nothing to restore.
        #expect(tracker.alive(suspect) == .none)
        #expect(tracker.reprobeDue(suspect, epoch: epoch, gains: gains) == .none, "the suspicion is over")
    }

    @Test func aRefutationRestoresThePresumedMemberAndTheIPsGoBack() {
        let (heir, suspect) = Self.heirAndSuspect()
        var reconciler = Self.reconciler(on: heir)
        var tracker = EarlyTakeoverTracker()
        let gains = Self.gains(reconciler, suspect)
        guard case .probe(_, let epoch, _) = tracker.suspected(suspect, gains: gains) else {
            Issue.record("probe expected")
            return
        }
        _ = tracker.probed(suspect, epoch: epoch, outcome: ProbeOutcome(framesSent: 3), gains: gains)
        _ = reconciler.memberGone(suspect)
        #expect(tracker.alive(suspect) == .restore(member: suspect))
        let back = reconciler.memberAlive(suspect)
        #expect(Set(back.diff.withdraw) == Set(gains.keys), "the election gives the IPs back; we withdraw")
        #expect(!tracker.isPresumedDead(suspect))
        #expect(tracker.gone(suspect) == nil, "a later death is the normal path")

        // A new suspicion is a new epoch: the old epoch's late results are ignored.
        guard case .probe(_, let next, _) = tracker.suspected(suspect, gains: gains) else {
            Issue.record("probe expected")
            return
        }
        #expect(next != epoch)
        #expect(tracker.probed(suspect, epoch: epoch, outcome: ProbeOutcome(framesSent: 3), gains: gains) == .none)
        #expect(!tracker.isPresumedDead(suspect))
    }

    @Test func aSuspectThisNodeWouldNotInheritIsNeverProbed() {
        let here = "node-a"
        let reconciler = Self.reconciler(on: here)
        var tracker = EarlyTakeoverTracker()
        // The other node of the pair when node-a gains nothing from a suspect, if any.
        for suspect in Self.nodes where suspect != here && reconciler.addressesGained(ifGone: suspect).isEmpty {
            guard case .reprobeLater(suspect, let epoch) = tracker.suspected(suspect, gains: [:]) else {
                Issue.record("no gains: only a re-check later")
                return
            }
            #expect(tracker.reprobeDue(suspect, epoch: epoch, gains: [:]) == .reprobeLater(member: suspect, epoch: epoch))
        }
        var empty = EarlyTakeoverTracker()
        guard case .reprobeLater(let member, let epoch) = empty.suspected("node-x", gains: [:]) else {
            Issue.record("no gains: no probe")
            return
        }
        #expect(member == "node-x")
        #expect(empty.probed("node-x", epoch: epoch, outcome: ProbeOutcome(framesSent: 3), gains: [:]) == .none)
        #expect(!empty.isPresumedDead("node-x"))
    }

    @Test func aDarkProbeOfOtherIPsThanTheGainsNowAsksAgainInsteadOfTakingOver() {
        let (heir, suspect) = Self.heirAndSuspect()
        let reconciler = Self.reconciler(on: heir)
        var tracker = EarlyTakeoverTracker()
        let gains = Self.gains(reconciler, suspect)
        let first = gains.keys.sorted()[0]
        let partial = [first: gains[first]!]
        guard case .probe(_, let epoch, _) = tracker.suspected(suspect, gains: partial) else {
            Issue.record("probe expected")
            return
        }
        var more = partial
        more[IPAddress("192.0.2.200")!] = AnnouncementTarget(ip: IPAddress("192.0.2.200")!, interfaces: nil, services: [])
        #expect(tracker.probed(suspect, epoch: epoch, outcome: ProbeOutcome(framesSent: 3), gains: more)
                == .probe(member: suspect, epoch: epoch, targets: more), "an IP nobody probed is never taken")
        #expect(!tracker.isPresumedDead(suspect))
    }
}
