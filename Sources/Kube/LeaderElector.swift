import Foundation
import Logging

/// Lease-based leader election like client-go's `leaderelection.LeaderElector`.
///
/// `run()` tries to acquire the Lease every `retryPeriod` (jittered ×1.0–2.2); once leading
/// it renews every `retryPeriod`, and if it cannot renew for `renewDeadline` it stops leading
/// (and becomes a candidate again). `resign()` stops leading and releases the Lease by
/// clearing `holderIdentity`, so another candidate takes over at once instead of after
/// `leaseDuration`. Cancelling `run()` without `resign()` leaves the lease to expire, as
/// a crash would.
///
/// Leadership changes are reported on `leadership` (true/false, in order) and through the
/// optional callbacks.
public actor LeaderElector {
    public struct Configuration: Sendable {
        public var leaseName: String
        public var namespace: String
        /// Unique per candidate, usually the Pod name.
        public var identity: String
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration

        public init(
            leaseName: String,
            namespace: String,
            identity: String,
            leaseDuration: Duration = .seconds(15),
            renewDeadline: Duration = .seconds(10),
            retryPeriod: Duration = .seconds(2)
        ) {
            self.leaseName = leaseName
            self.namespace = namespace
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    struct DeadlineExceeded: Error {}

    public nonisolated let configuration: Configuration
    public nonisolated let leadership: AsyncStream<Bool>
    private let continuation: AsyncStream<Bool>.Continuation
    private let client: KubeClient
    private var core: LeaderElectionCore
    private var random: SendableRandom
    private let onStartedLeading: (@Sendable () async -> Void)?
    private let onStoppedLeading: (@Sendable () async -> Void)?
    private let logger: Logger
    private var resigned = false
    public private(set) var isLeader = false

    public init(
        client: KubeClient,
        configuration: Configuration,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        onStartedLeading: (@Sendable () async -> Void)? = nil,
        onStoppedLeading: (@Sendable () async -> Void)? = nil,
        logger: Logger? = nil
    ) {
        precondition(configuration.leaseDuration > configuration.renewDeadline, "leaseDuration must exceed renewDeadline")
        precondition(configuration.renewDeadline > configuration.retryPeriod, "renewDeadline must exceed retryPeriod")
        self.client = client
        self.configuration = configuration
        self.core = LeaderElectionCore(identity: configuration.identity, leaseDuration: configuration.leaseDuration)
        self.random = SendableRandom(random)
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
        self.logger = logger ?? client.logger
        (leadership, continuation) = AsyncStream.makeStream()
    }

    /// Campaigns and leads until cancelled or `resign()`ed.
    public func run() async {
        defer { continuation.finish() }
        while !Task.isCancelled, !resigned {
            if await tryAcquireOrRenew(within: configuration.renewDeadline) {
                await setLeading(true)
                await renewWhileLeading()
                await setLeading(false)
            } else {
                let factor = nextJitterFactor()
                do { try await Task.sleep(for: configuration.retryPeriod * factor) } catch { break }
            }
        }
        if isLeader { await setLeading(false) }
    }

    /// Stops leading and releases the lease so another candidate takes over at once.
    public func resign() async {
        resigned = true
        let wasLeader = isLeader
        await setLeading(false)
        guard wasLeader || core.isLeader else { return }
        let identity = configuration.identity
        let wall = KubeTime.microTime(Date())
        let release = core.releaseRecord(wallClock: wall)
        do {
            _ = try await client.update(
                Lease.self,
                name: configuration.leaseName,
                namespace: configuration.namespace,
                maxAttempts: 5
            ) { lease in
                // A renewal in flight may have landed first: release whatever we hold.
                guard lease.spec?.holderIdentity == identity else { throw NotHolder() }
                lease.spec = release
                    ?? Lease.Spec(
                        holderIdentity: "",
                        leaseDurationSeconds: 1,
                        acquireTime: wall,
                        renewTime: wall,
                        leaseTransitions: lease.spec?.leaseTransitions
                    )
            }
            logger.info("released leader lease", metadata: leaseMetadata)
        } catch is NotHolder {
            return
        } catch {
            logger.info("could not release leader lease", metadata: leaseMetadata.merging(["kube.error": "\(error)"]) { $1 })
        }
    }

    private struct NotHolder: Error {}

    private func nextJitterFactor() -> Double {
        Self.jitterFactor(using: &random)
    }

    /// client-go's `JitterUntil(…, 1.2)`: a factor in 1.0..<2.2.
    static func jitterFactor(using random: inout some RandomNumberGenerator) -> Double {
        1 + Double.random(in: 0..<1.2, using: &random)
    }

    private var leaseMetadata: Logger.Metadata {
        [
            "kube.lease": "\(configuration.namespace)/\(configuration.leaseName)",
            "kube.identity": "\(configuration.identity)",
        ]
    }

    private func setLeading(_ leading: Bool) async {
        guard leading != isLeader else { return }
        isLeader = leading
        continuation.yield(leading)
        logger.info(leading ? "started leading" : "stopped leading", metadata: leaseMetadata)
        if leading { await onStartedLeading?() } else { await onStoppedLeading?() }
    }

    /// Renews every `retryPeriod`; returns when a renewal could not succeed within
    /// `renewDeadline`, when another candidate holds the lease, or on cancel/resign.
    private func renewWhileLeading() async {
        while !Task.isCancelled, !resigned {
            do { try await Task.sleep(for: configuration.retryPeriod) } catch { return }
            if resigned { return }
            let deadline = ContinuousClock.now + configuration.renewDeadline
            var renewed = false
            while !Task.isCancelled, !resigned {
                let remaining = deadline - ContinuousClock.now
                if remaining <= .zero { break }
                if await tryAcquireOrRenew(within: remaining) {
                    renewed = true
                    break
                }
                if !core.isLeader { break }  // someone else holds it now
                let pause = min(configuration.retryPeriod, deadline - ContinuousClock.now)
                if pause > .zero {
                    do { try await Task.sleep(for: pause) } catch { return }
                }
            }
            if !renewed {
                if !Task.isCancelled, !resigned {
                    logger.info("failed to renew leader lease, stepping down", metadata: leaseMetadata)
                }
                return
            }
        }
    }

    /// One attempt (client-go `tryAcquireOrRenew`): read the lease, decide, write.
    private func tryAcquireOrRenew(within limit: Duration) async -> Bool {
        let name = configuration.leaseName
        let namespace = configuration.namespace
        let client = self.client
        do {
            let current: Lease?
            do {
                current = try await withDeadline(limit) {
                    try await client.get(Lease.self, name: name, namespace: namespace)
                }
            } catch let error as KubeAPIError where error.isNotFound {
                current = nil
            }
            if resigned { return false }
            let decision = core.decide(
                current: current?.spec,
                now: ContinuousClock.now,
                wallClock: KubeTime.microTime(Date())
            )
            switch decision {
            case .heldByOther:
                return false
            case .create(let record):
                let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: record)
                _ = try await withDeadline(limit) { try await client.create(lease) }
                core.written(record, now: ContinuousClock.now)
                return true
            case .update(let record):
                guard var lease = current else { return false }
                lease.spec = record
                let toWrite = lease
                _ = try await withDeadline(limit) { try await client.update(toWrite) }
                core.written(record, now: ContinuousClock.now)
                return true
            }
        } catch {
            logger.debug(
                "lease acquire/renew attempt failed",
                metadata: leaseMetadata.merging(["kube.error": "\(error)"]) { $1 }
            )
            return false
        }
    }

    private func withDeadline<T: Sendable>(
        _ limit: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw DeadlineExceeded()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw DeadlineExceeded() }
            return first
        }
    }
}
