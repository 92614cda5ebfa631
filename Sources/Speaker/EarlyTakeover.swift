public import Addressing
public import Announcer

/// How the speaker takes over early from a suspected owner that is dark on the wire.
public struct EarlyTakeoverSettings: Hashable, Sendable {
    /// Probes per IP and their spacing (the window is rounds × interval).
    public var probe: ProbeTiming
    /// How long after an answered probe the next one starts, while the owner stays suspect.
    public var reprobeInterval: Duration

    public init(probe: ProbeTiming = ProbeTiming(), reprobeInterval: Duration = .milliseconds(500)) {
        self.probe = probe
        self.reprobeInterval = reprobeInterval
    }
}

/// The early-takeover state of the suspected members, as a pure core (values in, actions out).
///
/// Why: memberlist's LAN profile declares a silent member dead only after its suspicion
/// timeout (at least 4 s, `SuspicionMult` × log10(n) × probe interval), and MetalLB moves its
/// IPs only then. A suspect that is still alive answers ARP/NDP for its IPs; a crashed or
/// unplugged one does not. So the node that would inherit a suspect's IPs asks the segment
/// (`ProbeFrames`): when nobody answers for any of them it presumes the member dead locally
/// and takes them over, seconds before gossip agrees. Any answer means the owner still holds
/// the IPs on the data plane, and taking over would make two MACs answer: then nothing
/// changes and the probe is repeated while the suspicion lasts. A refutation (the member
/// alive again with a higher incarnation) drops the presumption; a later dead/leave event
/// finds the IPs already taken.
///
/// Per suspected member: `probing` (a probe is out), `waiting` (its last probe was answered,
/// or this node had nothing to gain; a re-probe is due), `presumedDead`. Every suspicion gets
/// a new epoch, so a probe result or timer of an earlier suspicion of the same member is ignored.
public struct EarlyTakeoverTracker: Hashable, Sendable {
    public enum Phase: Hashable, Sendable {
        case probing(Set<IPAddress>)
        case waiting
        case presumedDead(Set<IPAddress>)
    }

    public struct Suspicion: Hashable, Sendable {
        public var epoch: Int
        public var phase: Phase
        /// Probes finished so far for this suspicion.
        public var probes: Int
    }

    public enum Action: Hashable, Sendable {
        case none
        /// Probe these IPs (the would-be gains, with their interfaces) and report with `probed`.
        case probe(member: String, epoch: Int, targets: [IPAddress: AnnouncementTarget])
        /// Call `reprobeDue` after the re-probe interval.
        case reprobeLater(member: String, epoch: Int)
        /// Nobody answered: take the member out of the candidates (its IPs come here).
        case presumeDead(member: String, addresses: Set<IPAddress>)
        /// The member proved alive: make it a candidate again (its IPs go back).
        case restore(member: String)
    }

    public private(set) var suspects: [String: Suspicion] = [:]
    private var nextEpoch = 0

    public init() {}

    public func isPresumedDead(_ member: String) -> Bool {
        if case .presumedDead = suspects[member]?.phase { return true }
        return false
    }

    /// Gossip marked `member` suspect; `gains` is what this node would announce without it
    /// (`SpeakerReconciler.addressesGained(ifGone:)`).
    public mutating func suspected(_ member: String, gains: [IPAddress: AnnouncementTarget]) -> Action {
        guard suspects[member] == nil else { return .none }
        nextEpoch += 1
        suspects[member] = Suspicion(epoch: nextEpoch, phase: .waiting, probes: 0)
        return start(member, gains: gains)
    }

    /// A probe of `epoch` finished. `gains` is recomputed now: the IPs are taken only when
    /// every one of them was in the dark probe (the election may have moved meanwhile).
    public mutating func probed(_ member: String, epoch: Int, outcome: ProbeOutcome,
                                gains: [IPAddress: AnnouncementTarget]) -> Action {
        guard var suspicion = suspects[member], suspicion.epoch == epoch, case .probing(let asked) = suspicion.phase
        else { return .none }
        suspicion.probes += 1
        let wanted = Set(gains.keys)
        if outcome.isDark, !wanted.isEmpty, wanted.isSubset(of: asked) {
            suspicion.phase = .presumedDead(wanted)
            suspects[member] = suspicion
            return .presumeDead(member: member, addresses: wanted)
        }
        suspicion.phase = .waiting
        suspects[member] = suspicion
        if outcome.isDark, !wanted.isEmpty { return start(member, gains: gains) }  // new IPs: ask again now
        return .reprobeLater(member: member, epoch: epoch)
    }

    /// The re-probe interval of `epoch` passed.
    public mutating func reprobeDue(_ member: String, epoch: Int, gains: [IPAddress: AnnouncementTarget]) -> Action {
        guard let suspicion = suspects[member], suspicion.epoch == epoch, suspicion.phase == .waiting else { return .none }
        return start(member, gains: gains)
    }

    /// The member is alive again (refuted, re-joined or updated): its suspicion ends, and a
    /// presumption is dropped.
    public mutating func alive(_ member: String) -> Action {
        guard let suspicion = suspects.removeValue(forKey: member) else { return .none }
        if case .presumedDead = suspicion.phase { return .restore(member: member) }
        return .none
    }

    /// Gossip declared the member dead or it left: the normal path removes it; the suspicion
    /// ends. Returns the IPs already taken over on a presumption (nothing more to do for them).
    @discardableResult
    public mutating func gone(_ member: String) -> Set<IPAddress>? {
        guard let suspicion = suspects.removeValue(forKey: member) else { return nil }
        if case .presumedDead(let addresses) = suspicion.phase { return addresses }
        return nil
    }

    /// Forgets everything (shutdown).
    public mutating func reset() { suspects = [:] }

    private mutating func start(_ member: String, gains: [IPAddress: AnnouncementTarget]) -> Action {
        guard var suspicion = suspects[member] else { return .none }
        guard !gains.isEmpty else { return .reprobeLater(member: member, epoch: suspicion.epoch) }
        suspicion.phase = .probing(Set(gains.keys))
        suspects[member] = suspicion
        return .probe(member: member, epoch: suspicion.epoch, targets: gains)
    }
}
