import Foundation
import Testing

@testable import Kube

@Suite("Leader election core")
struct LeaderElectionCoreTests {
    let start = ContinuousClock.now

    @Test func createsAMissingLease() {
        var core = LeaderElectionCore(identity: "a", leaseDuration: .seconds(15))
        let decision = core.decide(current: nil, now: start, wallClock: "T0")
        #expect(
            decision
                == .create(
                    Lease.Spec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T0", leaseTransitions: 0)
                )
        )
    }

    @Test func waitsForExpiryMeasuredFromOwnObservation() {
        var core = LeaderElectionCore(identity: "b", leaseDuration: .seconds(15))
        let held = Lease.Spec(holderIdentity: "a", leaseDurationSeconds: 15, renewTime: "2000-01-01T00:00:00.000000Z", leaseTransitions: 3)
        // The renewTime is ancient by any wall clock, yet we only just saw the record: valid.
        #expect(core.decide(current: held, now: start, wallClock: "T1") == .heldByOther(holder: "a"))
        #expect(core.decide(current: held, now: start + .seconds(14), wallClock: "T2") == .heldByOther(holder: "a"))
        // A renewal (the record changed) restarts our observation.
        var renewed = held
        renewed.renewTime = "2000-01-01T00:00:10.000000Z"
        #expect(core.decide(current: renewed, now: start + .seconds(14), wallClock: "T3") == .heldByOther(holder: "a"))
        #expect(core.decide(current: renewed, now: start + .seconds(28), wallClock: "T4") == .heldByOther(holder: "a"))
        // 15 s without change: expired, we take it over and count a transition.
        let decision = core.decide(current: renewed, now: start + .seconds(29), wallClock: "T5")
        #expect(
            decision
                == .update(
                    Lease.Spec(holderIdentity: "b", leaseDurationSeconds: 15, acquireTime: "T5", renewTime: "T5", leaseTransitions: 4)
                )
        )
        #expect(!core.isLeader)
        if case .update(let record) = decision { core.written(record, now: start + .seconds(29)) }
        #expect(core.isLeader)
    }

    @Test func renewKeepsAcquireTimeAndTransitions() {
        var core = LeaderElectionCore(identity: "a", leaseDuration: .seconds(15))
        let ours = Lease.Spec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T0", leaseTransitions: 2)
        core.written(ours, now: start)
        let decision = core.decide(current: ours, now: start + .seconds(2), wallClock: "T2")
        #expect(
            decision
                == .update(
                    Lease.Spec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T2", leaseTransitions: 2)
                )
        )
    }

    @Test func releasedLeaseIsTakenAtOnce() {
        var core = LeaderElectionCore(identity: "b", leaseDuration: .seconds(15))
        let released = Lease.Spec(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: "T", renewTime: "T", leaseTransitions: 5)
        guard case .update(let record) = core.decide(current: released, now: start, wallClock: "T9") else {
            Issue.record("released lease not taken")
            return
        }
        #expect(record.holderIdentity == "b")
        #expect(record.leaseTransitions == 6)
    }

    @Test func releaseRecordOnlyWhenLeading() {
        var core = LeaderElectionCore(identity: "a", leaseDuration: .seconds(15))
        #expect(core.releaseRecord(wallClock: "T") == nil)
        core.written(Lease.Spec(holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 7), now: start)
        #expect(
            core.releaseRecord(wallClock: "T")
                == Lease.Spec(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: "T", renewTime: "T", leaseTransitions: 7)
        )
    }

    @Test func microTimeFormat() {
        #expect(KubeTime.microTime(.init(timeIntervalSince1970: 1_700_000_000.123456)) == "2023-11-14T22:13:20.123456Z")
        #expect(KubeTime.microTime(.init(timeIntervalSince1970: 5.000001)).hasPrefix("1970-01-01T00:00:05.0000"))
        #expect(KubeTime.time(.init(timeIntervalSince1970: 86_400)) == "1970-01-02T00:00:00Z")
    }

    /// Log lines and `swiftlb members` use the same formatter with other precisions; it
    /// truncates (a timestamp never runs ahead of the clock) and pads with zeros.
    @Test func rfc3339Precisions() {
        let date = Date(timeIntervalSince1970: 1_764_000_000.987_654)
        #expect(KubeTime.rfc3339(date, fractionDigits: 3) == "2025-11-24T16:00:00.987Z")
        #expect(KubeTime.rfc3339(date, fractionDigits: 0) == "2025-11-24T16:00:00Z")
        #expect(KubeTime.rfc3339(Date(timeIntervalSince1970: 951_782_400.05), fractionDigits: 2) == "2000-02-29T00:00:00.05Z")
        #expect(KubeTime.rfc3339(Date(timeIntervalSince1970: 59.999_9), fractionDigits: 3) == "1970-01-01T00:00:59.999Z")
    }
}
