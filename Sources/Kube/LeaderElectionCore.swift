/// The decisions of client-go's Lease leader election (tools/leaderelection), as a pure
/// value: the lease as read goes in, with the local monotonic time; what to write comes out.
///
/// Expiry is judged from *our own observation*: the lease is considered held until
/// `leaseDuration` after we last saw its record change. The holder's `renewTime` is never
/// compared with our clock, so clock skew between nodes cannot make two leaders.
public struct LeaderElectionCore: Sendable {
    public enum Decision: Sendable, Equatable {
        /// No lease exists: create it holding it ourselves.
        case create(Lease.Spec)
        /// Write this record (acquire a free/expired lease, or renew ours) conditionally on
        /// the resourceVersion we read.
        case update(Lease.Spec)
        /// Another candidate holds a valid lease.
        case heldByOther(holder: String)
    }

    public let identity: String
    public let leaseDuration: Duration
    /// The record last read or written, and when (local monotonic clock) it last changed.
    public private(set) var observedRecord: Lease.Spec?
    public private(set) var observedTime: ContinuousClock.Instant?

    public init(identity: String, leaseDuration: Duration) {
        self.identity = identity
        self.leaseDuration = leaseDuration
    }

    /// Whether the last record seen names us (client-go `IsLeader`).
    public var isLeader: Bool { observedRecord?.holderIdentity == identity }

    /// Decides what to do with the lease as just read (`nil`: it does not exist).
    /// - Parameters:
    ///   - now: local monotonic time, for expiry.
    ///   - wallClock: a MicroTime string to write into acquire/renew times.
    public mutating func decide(current: Lease.Spec?, now: ContinuousClock.Instant, wallClock: String) -> Decision {
        let seconds = Int(leaseDuration.components.seconds)
        guard let current else {
            return .create(
                Lease.Spec(
                    holderIdentity: identity,
                    leaseDurationSeconds: seconds,
                    acquireTime: wallClock,
                    renewTime: wallClock,
                    leaseTransitions: 0
                )
            )
        }
        if observedRecord != current {
            observedRecord = current
            observedTime = now
        }
        let holder = current.holderIdentity ?? ""
        // The holder's own advertised duration counts, as in client-go.
        let advertised = current.leaseDurationSeconds.map { Duration.seconds($0) } ?? leaseDuration
        if !holder.isEmpty, holder != identity, let observedTime, observedTime + advertised > now {
            return .heldByOther(holder: holder)
        }
        var record = Lease.Spec(
            holderIdentity: identity,
            leaseDurationSeconds: seconds,
            acquireTime: wallClock,
            renewTime: wallClock,
            leaseTransitions: current.leaseTransitions ?? 0
        )
        if holder == identity {
            record.acquireTime = current.acquireTime ?? wallClock
        } else {
            record.leaseTransitions = (current.leaseTransitions ?? 0) + 1
        }
        return .update(record)
    }

    /// A decided record was written successfully.
    public mutating func written(_ record: Lease.Spec, now: ContinuousClock.Instant) {
        observedRecord = record
        observedTime = now
    }

    /// The record that releases the lease on a graceful stop: no holder and a 1 s duration,
    /// so other candidates take over at once (client-go `ReleaseOnCancel`). Nil when we do
    /// not hold it.
    public func releaseRecord(wallClock: String) -> Lease.Spec? {
        guard isLeader, let observedRecord else { return nil }
        return Lease.Spec(
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: wallClock,
            renewTime: wallClock,
            leaseTransitions: observedRecord.leaseTransitions
        )
    }
}
