import Foundation
import Kube
import KubeFake
import Synchronization
import Testing

/// Leadership changes of several electors, awaitable without sleeping.
actor LeadershipLog {
    struct Entry: Sendable {
        var identity: String
        var leading: Bool
        var at: ContinuousClock.Instant
    }

    private(set) var entries: [Entry] = []
    private var waiters: [(condition: @Sendable ([Entry]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func record(_ identity: String, _ leading: Bool) {
        entries.append(Entry(identity: identity, leading: leading, at: .now))
        let ready = waiters.filter { $0.condition(entries) }
        waiters.removeAll { $0.condition(entries) }
        for waiter in ready { waiter.continuation.resume() }
    }

    func waitUntil(_ condition: @escaping @Sendable ([Entry]) -> Bool) async {
        if condition(entries) { return }
        await withCheckedContinuation { waiters.append((condition, $0)) }
    }

    /// Who leads now, by the last entry of each identity.
    var leaders: Set<String> {
        var state: [String: Bool] = [:]
        for entry in entries { state[entry.identity] = entry.leading }
        return Set(state.filter(\.value).keys)
    }
}

@Suite("Leader election and events against KubeFake", .timeLimit(.minutes(1)))
struct LeaderElectionAndEventsTests {
    static func elector(
        _ client: KubeClient, _ identity: String, log: LeadershipLog, leaseDuration: Duration = .seconds(2)
    ) -> LeaderElector {
        LeaderElector(
            client: client,
            configuration: .init(
                leaseName: "swiftlb-controller",
                namespace: "default",
                identity: identity,
                leaseDuration: leaseDuration,
                renewDeadline: leaseDuration * 3 / 4,
                retryPeriod: .milliseconds(200)
            ),
            onStartedLeading: { await log.record(identity, true) },
            onStoppedLeading: { await log.record(identity, false) }
        )
    }

    @Test func oneLeaderAndTakeoverAfterTheLeaderStopsRenewing() async throws {
        try await FakeCluster.with { cluster in
            let log = LeadershipLog()
            let a = Self.elector(cluster.client, "a", log: log)
            let b = Self.elector(cluster.client, "b", log: log)
            let runA = Task { await a.run() }
            let runB = Task { await b.run() }
            defer {
                runA.cancel()
                runB.cancel()
            }
            await log.waitUntil { $0.contains { $0.leading } }
            let first = try #require(await log.entries.first { $0.leading }?.identity)
            // Renewals keep the same single holder (watched through an informer on the Lease).
            let leases = Informer<Lease>(client: cluster.client, options: InformerOptions(namespace: "default"))
            try await withInformer(leases) {
                var changes = leases.changes.makeAsyncIterator()
                var renewals = 0
                while renewals < 3, let change = await changes.next() {
                    #expect(change.object.spec?.holderIdentity == first)
                    if case .modified = change { renewals += 1 }
                }
                #expect(renewals == 3)
            }
            #expect(await log.leaders == [first])
            #expect(await a.isLeader != (await b.isLeader))

            // The leader dies without releasing (cancelled, like a crash): the other takes
            // over once the lease has not changed for its duration.
            let (leader, leaderTask, other) = first == "a" ? (a, runA, "b") : (b, runB, "a")
            leaderTask.cancel()
            await leaderTask.value
            let stoppedAt = ContinuousClock.now
            #expect(await leader.isLeader == false)
            await log.waitUntil { $0.contains { $0.identity == other && $0.leading } }
            let takeover = try #require(await log.entries.first { $0.identity == other && $0.leading }?.at)
            let elapsed = takeover - stoppedAt
            #expect(elapsed > .milliseconds(1000), "took over after \(elapsed): before the lease expired")
            // Lease (2 s) plus retry periods; generous, because it bounds liveness, not speed.
            #expect(elapsed < .seconds(6), "took over after \(elapsed)")
            let lease = try await cluster.client.get(Lease.self, name: "swiftlb-controller", namespace: "default")
            #expect(lease.spec?.holderIdentity == other)
            #expect(lease.spec?.leaseTransitions == 1)
        }
    }

    @Test func gracefulReleaseHandsOverAtOnce() async throws {
        try await FakeCluster.with { cluster in
            let log = LeadershipLog()
            // A long lease: without the release, b could only take over after 20 s.
            let a = Self.elector(cluster.client, "a", log: log, leaseDuration: .seconds(20))
            let runA = Task { await a.run() }
            defer { runA.cancel() }
            await log.waitUntil { $0.contains { $0.identity == "a" && $0.leading } }
            let b = Self.elector(cluster.client, "b", log: log, leaseDuration: .seconds(20))
            let runB = Task { await b.run() }
            defer { runB.cancel() }
            #expect(await log.leaders == ["a"])
            let resignedAt = ContinuousClock.now
            await a.resign()
            await runA.value
            let released = try await cluster.client.get(Lease.self, name: "swiftlb-controller", namespace: "default")
            #expect(released.spec?.holderIdentity == "b" || released.spec?.holderIdentity == "")
            await log.waitUntil { $0.contains { $0.identity == "b" && $0.leading } }
            let takeover = try #require(await log.entries.first { $0.identity == "b" && $0.leading }?.at)
            // b polls every 0.2 s; a hand-over that waited for expiry would take the full 20 s.
            #expect(takeover - resignedAt < .seconds(10), "handover took \(takeover - resignedAt)")
            #expect(await log.leaders == ["b"])
        }
    }

    @Test func leaderStepsDownWhenItCannotRenew() async throws {
        try await FakeCluster.with { cluster in
            let log = LeadershipLog()
            // Lease 8 s, renew deadline 6 s: the safety property is stepping down before the
            // lease could expire for the others, with room for a loaded machine.
            let a = Self.elector(cluster.client, "a", log: log, leaseDuration: .seconds(8))
            let runA = Task { await a.run() }
            defer { runA.cancel() }
            await log.waitUntil { $0.contains { $0.identity == "a" && $0.leading } }
            await cluster.server.api.failNextRequests(1_000_000, status: 500)
            let failingSince = ContinuousClock.now
            await log.waitUntil { $0.contains { $0.identity == "a" && !$0.leading } }
            let stepDown = try #require(await log.entries.first { !$0.leading }?.at)
            #expect(stepDown - failingSince < .seconds(8), "stepped down after \(stepDown - failingSince)")
            await cluster.server.api.failNextRequests(0)
            // And campaigns again: it is the only candidate, so it leads again.
            await log.waitUntil { $0.filter { $0.identity == "a" && $0.leading }.count == 2 }
        }
    }

    /// A recorder with a 60 s series window on a clock the test moves.
    static func recorder(
        _ cluster: FakeCluster, _ controller: String, _ instance: String, now: @escaping @Sendable () -> Date
    ) -> EventRecorder {
        EventRecorder(
            client: cluster.client, reportingController: controller, reportingInstance: instance,
            seriesWindow: .seconds(60), now: now
        )
    }

    @Test func repeatedEventsBecomeASeries() async throws {
        try await FakeCluster.with { cluster in
            let clock = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
            let recorder = Self.recorder(cluster, "metallb-speaker", "node-1") { clock.withLock { $0 } }
            let service = try await cluster.client.create(
                Service(metadata: ObjectMeta(name: "web", namespace: "default"), spec: .init(type: "LoadBalancer", ports: [.init(port: 80)]))
            )
            let regarding = ObjectReference(to: service)
            let note = #"announcing from node "node-1" with protocol "layer2""#
            let first = try await recorder.record(regarding: regarding, type: .normal, reason: "nodeAssigned", action: "Announce", note: note)
            #expect(first.series == nil)
            #expect(first.eventTime == "2023-11-14T22:13:20.000000Z")
            for step in 1...3 {
                clock.withLock { $0 = $0.addingTimeInterval(10) }
                let repeated = try await recorder.record(
                    regarding: regarding,
                    type: .normal,
                    reason: "nodeAssigned",
                    action: "Announce",
                    note: note
                )
                #expect(repeated.metadata.name == first.metadata.name)
                #expect(repeated.series?.count == step + 1)
            }
            var events = try await cluster.client.list(Event.self, namespace: "default").items
            #expect(events.count == 1)
            #expect(events.first?.series == Event.Series(count: 4, lastObservedTime: "2023-11-14T22:13:50.000000Z"))
            #expect(events.first?.regarding?.uid == service.metadata.uid)
            #expect(events.first?.reportingController == "metallb-speaker")

            // A different note is a different event; a repeat after the window starts anew.
            try await recorder.record(regarding: regarding, type: .warning, reason: "announceFailed", action: "Announce", note: "no interface")
            clock.withLock { $0 = $0.addingTimeInterval(120) }
            try await recorder.record(regarding: regarding, type: .normal, reason: "nodeAssigned", action: "Announce", note: note)
            events = try await cluster.client.list(Event.self, namespace: "default").items
            #expect(events.count == 3)
            #expect(events.filter { $0.reason == "nodeAssigned" }.map { $0.series?.count ?? 1 }.sorted() == [1, 4])
        }
    }

    /// Under churn (a new object every few seconds, as Services created and deleted) the
    /// recorder forgets occurrences older than the series window instead of keeping up to
    /// `maximumRemembered`, and a repeat within the window still joins its series.
    @Test func occurrencesOutsideTheWindowAreForgotten() async throws {
        try await FakeCluster.with { cluster in
            let clock = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
            let recorder = Self.recorder(cluster, "metallb-controller", "controller") { clock.withLock { $0 } }
            func reference(_ index: Int) -> ObjectReference {
                ObjectReference(apiVersion: "v1", kind: "Service", namespace: "default", name: "svc-\(index)", uid: "uid-\(index)")
            }
            for index in 0..<300 {
                try await recorder.record(regarding: reference(index), type: .normal, reason: "IPAllocated", action: "Allocate", note: "10.0.0.1")
                clock.withLock { $0 = $0.addingTimeInterval(2) }
            }
            // 300 series over 600 s with a 60 s window: about 30 are live; the sweep keeps at
            // most twice the live ones (plus the 64 before the first sweep).
            #expect(await recorder.rememberedCount <= 2 * 31 + 64)
            let repeated = try await recorder.record(
                regarding: reference(299), type: .normal, reason: "IPAllocated", action: "Allocate", note: "10.0.0.1")
            #expect(repeated.series?.count == 2)
        }
    }
}
