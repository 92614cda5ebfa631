import Addressing
import Announcer
import ClusterModel
import Config
import Election
import Gossip
import GossipTransport
import Kube
import Logging
import Observability
import ServiceLifecycle

/// The speaker daemon: informers and gossip in, the announcer driven.
///
/// One actor consumes one merged input stream (`SpeakerInput`), applies each input to the
/// pure `SpeakerReconciler`, then brings the announcer to the reconciler's desired state.
/// Informers retry on their own when the API server is unreachable; meanwhile the cached
/// state plus live gossip keep the election (and so failover) working.
///
/// On graceful shutdown (SIGTERM via swift-service-lifecycle) it leaves the gossip cluster,
/// keeps answering until the next owner's gratuitous announcement of each of its IPs is seen
/// (as a conflict on the announcer) or `handoverTimeout` passes, then withdraws and returns.
public actor Speaker: ServiceLifecycle.Service {
    public let settings: SpeakerSettings
    private let client: KubeClient
    private let announcer: any AddressAnnouncing
    private let metrics: SpeakerMetrics?
    private let health: HealthState?
    private let logger: Logger
    private let events: SpeakerEvents
    /// Keeps the ServiceL2Status objects of the Services this node announces.
    public nonisolated let statusWriter: ServiceL2StatusWriter
    private var submittedStatuses: ServiceL2StatusWriter.Desired?
    private let clock = ContinuousClock()

    private var reconciler: SpeakerReconciler
    /// What the announcer currently answers for.
    private var applied: [IPAddress: AnnouncementTarget] = [:]
    private var synced = false
    private var shuttingDown = false
    private var pendingHandover: Set<IPAddress> = []
    private var handoverWaiter: CheckedContinuation<Void, Never>?
    private var handoverAbandoned = false
    private var serviceUIDs: [ServiceKey: String] = [:]
    private var pools: [String: IPAddressPool] = [:]
    private var advertisements: [String: L2Advertisement] = [:]
    private var legacyConfig: ConfigMap?
    private var lastConfigSources: [ConfigSource]?
    /// When a member was first seen suspect/dead: the start of a takeover measurement.
    private var memberTrouble: [String: ContinuousClock.Instant] = [:]
    private var lastConflictEvent: [IPAddress: ContinuousClock.Instant] = [:]
    /// A member joined (new, or back after a partition or a restart) since the last pass:
    /// every IP this node keeps announcing gets a new gratuitous burst, as MetalLB's forced
    /// resync re-arms them (metallb#736). During a partition the other half's owner told the
    /// LAN its MAC; when the halves merge and that node withdraws, switches and clients must
    /// learn ours again, although our ownership never changed.
    private var rearmAfterJoin = false
    /// IPs with a conflict waiting out `conflictGrace`.
    private var conflictsInGrace: Set<IPAddress> = []
    /// Conflicts decided after their grace: reported (Warning event) or dismissed (the IP
    /// had moved to the other station meanwhile). For tests and the status report.
    private(set) var conflictsReported = 0
    private(set) var conflictsDismissed = 0
    /// Suspected members whose IPs this node would inherit, and whether they are presumed dead.
    private var earlyTakeover = EarlyTakeoverTracker()
    private var gossip: GossipNode?
    private var gossipAddressWaiters: [CheckedContinuation<NodeAddress?, Never>] = []
    private var gossipStarted = false
    /// False from start until the first join has merged the member list (or there is nobody
    /// to join): before that the speaker knows only itself and would elect itself owner of
    /// every IP, announcing them with gratuitous ARPs for the few milliseconds the join takes.
    private var gossipSettled = false
    /// Whether the bounded wait for a join to settle has been armed.
    private var settleTimerArmed = false
    private let inputSink = SpeakerInbox()
    /// Reconcile passes run so far: one per batch of inputs (tests, docs).
    public private(set) var reconcilePasses = 0

    public init(
        settings: SpeakerSettings, client: KubeClient, eventClient: KubeClient? = nil, announcer: any AddressAnnouncing,
        metrics: SpeakerMetrics? = nil, health: HealthState? = nil, logger: Logger = Logger(label: "swiftlb.speaker")
    ) {
        self.settings = settings
        self.gossipSettled = !settings.usesGossip
        self.client = client
        self.announcer = announcer
        self.metrics = metrics
        self.health = health
        self.logger = logger
        // Events go through `client` unless a separate one is given: KubeClient's pool leaves
        // room for every informer's watch connection plus concurrent writes.
        events = SpeakerEvents(client: eventClient ?? client, nodeName: settings.nodeName, logger: logger)
        reconciler = SpeakerReconciler(nodeName: settings.nodeName, options: settings.electionOptions)
        statusWriter = ServiceL2StatusWriter(
            client: client, namespace: settings.namespace, nodeName: settings.nodeName, podName: settings.podName, logger: logger)
    }

    // MARK: - Queries (status, tests)

    /// The IPs the announcer answers for now.
    public var announcedAddresses: [IPAddress: AnnouncementTarget] { applied }

    /// The owner of every Service this speaker knows.
    public var owners: [ServiceKey: String] { reconciler.election.owners }

    public func explain(_ service: ServiceKey) -> ServiceElection? { reconciler.election.explain(service) }

    /// This speaker's view of every Service IP (`/status`).
    public func statusReport() async -> SpeakerStatusReport {
        var members: [String]?
        if let gossip {
            members = await gossip.members.filter { $0.state == .alive || $0.state == .suspect }.map(\.name).sorted()
        }
        var entries: [SpeakerStatusReport.Entry] = []
        let node = settings.nodeName
        for key in reconciler.serviceKeys {
            guard let election = reconciler.election.explain(key) else { continue }
            let verdict = election.verdicts.first { $0.node == node }
            let reason: WithdrawReason? = verdict == nil ? (election.reason ?? .unknownNode) : verdict?.reason
            let ips: [IPAddress?] = election.ingressIPs.isEmpty ? [nil] : election.ingressIPs.map(Optional.some)
            for ip in ips {
                let here = ip.flatMap { applied[$0]?.services.contains(key) } ?? false
                var entry = SpeakerStatusReport.Entry(
                    ip: ip.map { ElectionOrder.ipText($0) }, service: key.description, pool: election.pool, owner: election.owner,
                    candidates: election.candidates.map(\.node), announcedHere: here)
                if here {
                    entry.interfaces = ip.flatMap { applied[$0]?.interfaces }?.sorted()
                } else if let reason {
                    entry.reason = reason.rawValue
                    entry.why = SpeakerStatusReport.why(reason.rawValue)
                    entry.detail = VerdictExplanation.detail(reason, node: node, in: election)
                } else {
                    entry.reason = "pending"
                    entry.why = synced ? (shuttingDown ? "handed over" : "not applied yet") : "informers not synced"
                }
                entries.append(entry)
            }
        }
        entries.sort { ($0.ip ?? "", $0.service) < ($1.ip ?? "", $1.service) }
        return SpeakerStatusReport(node: node, synced: synced, members: members, addresses: entries)
    }

    /// The gossip address once bound (nil when memberlist is disabled or binding failed).
    public func gossipAddress() async -> NodeAddress? {
        if let gossip { return await gossip.localMember.address }
        if gossipStarted || !settings.usesGossip { return nil }
        return await withCheckedContinuation { gossipAddressWaiters.append($0) }
    }

    /// Copies the announcer's running counters into the metrics (`/metrics` calls this before
    /// every scrape). Nonisolated: a scrape never waits behind a reconcile.
    public nonisolated func publishCounters() async {
        guard let metrics else { return }
        await LayerTwoCounterExport.publish(from: announcer, to: metrics)
        await publishMemberCounts()
    }

    /// Member counts per state, recomputed at each scrape and member event: a refuted
    /// suspicion raises no event (as in memberlist), so event-driven counts alone go stale.
    private func publishMemberCounts() async {
        guard let gossip, let metrics else { return }
        let traffic = gossip.counters
        metrics.publishGossipDrops(["undecryptable": traffic.droppedUndecryptable, "malformed": traffic.droppedMalformed])
        var counts: [String: Int] = ["alive": 0, "suspect": 0, "dead": 0, "left": 0]
        for member in await gossip.members { counts[member.state.description, default: 0] += 1 }
        for (state, count) in counts { metrics.gossipMembers(state: state, count: count) }
    }

    /// Starts the graceful handover (what SIGTERM does).
    public nonisolated func beginShutdown() { inputSink.yield(.shutdown) }

    // MARK: - Run

    public func run() async throws {
        let namespace = settings.namespace
        let services = Informer<Kube.Service>(client: client, logger: logger)
        let slices = Informer<EndpointSlice>(client: client, logger: logger)
        let nodes = Informer<Node>(client: client, logger: logger)
        let poolInformer = Informer<IPAddressPool>(client: client, options: InformerOptions(namespace: namespace), logger: logger)
        let adInformer = Informer<L2Advertisement>(client: client, options: InformerOptions(namespace: namespace), logger: logger)
        let configMaps = Informer<ConfigMap>(
            client: client,
            options: InformerOptions(namespace: namespace, fieldSelector: "metadata.name=\(KubeTranslation.legacyConfigMapName)"),
            logger: logger)
        let pods = settings.memberlistLabels.map {
            Informer<Pod>(client: client, options: InformerOptions(namespace: namespace, labelSelector: $0), logger: logger)
        }
        health?.markNotReady("informers", reason: "not synced")
        _ = reconciler.memberAlive(settings.nodeName)

        let sink = inputSink
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                Self.forward(services, into: &group, sink: sink) { .service($0) }
                Self.forward(slices, into: &group, sink: sink) { .slice($0) }
                Self.forward(nodes, into: &group, sink: sink) { .node($0) }
                Self.forward(poolInformer, into: &group, sink: sink) { .pool($0) }
                Self.forward(adInformer, into: &group, sink: sink) { .advertisement($0) }
                Self.forward(configMaps, into: &group, sink: sink) { .configMap($0) }
                if let pods {
                    group.addTask { await pods.run() }
                    // Pod changes and a bounded periodic tick both trigger a re-join; bursts
                    // (the initial list, a rolling update) coalesce into one pass.
                    let trigger = LatestValueMailbox<Bool>()
                    let interval = settings.peerRejoinInterval
                    group.addTask {
                        for await _ in pods.changes { trigger.put(true) }
                        trigger.finish()
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            trigger.put(true)
                        }
                    }
                    group.addTask { while await trigger.take() != nil { await self.joinNewSpeakerPods(pods) } }
                }
                group.addTask {
                    await services.waitUntilSynced()
                    await slices.waitUntilSynced()
                    await nodes.waitUntilSynced()
                    // A cluster without the MetalLB CRDs (legacy ConfigMap only) answers 404 to
                    // their lists for ever: give the configuration informers a bounded wait.
                    await Self.waitUntilSynced(poolInformer, adInformer, configMaps, within: .seconds(10))
                    sink.yield(.synced(SpeakerInitialState(
                        services: Array(await services.snapshot().values), slices: Array(await slices.snapshot().values),
                        nodes: Array(await nodes.snapshot().values), pools: Array(await poolInformer.snapshot().values),
                        advertisements: Array(await adInformer.snapshot().values),
                        configMaps: Array(await configMaps.snapshot().values))))
                }
                let announcer = self.announcer
                group.addTask { for await conflict in announcer.conflicts { sink.yield(.conflict(conflict)) } }
                group.addTask { await self.startGossip(pods: pods) }
                let statusWriter = self.statusWriter
                group.addTask { await statusWriter.run() }

                while let batch = await sink.nextBatch() {
                    if await self.process(batch) { break }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            sink.yield(.shutdown)
        }
        await gossip?.shutdown()
        inputSink.finish()
        logger.info("speaker stopped", metadata: ["node": "\(settings.nodeName)"])
    }

    /// Runs `informer` and forwards its changes into the input stream.
    private static func forward<Object: KubeResource>(
        _ informer: Informer<Object>, into group: inout TaskGroup<Void>, sink: SpeakerInbox,
        _ wrap: @escaping @Sendable (InformerEvent<Object>) -> SpeakerInput
    ) {
        group.addTask { await informer.run() }
        group.addTask { for await event in informer.changes { sink.yield(wrap(event)) } }
    }

    private static func waitUntilSynced(
        _ pools: Informer<IPAddressPool>, _ ads: Informer<L2Advertisement>, _ maps: Informer<ConfigMap>, within limit: Duration
    ) async {
        await firstOf(limit) {
            await pools.waitUntilSynced()
            await ads.waitUntilSynced()
            await maps.waitUntilSynced()
        }
    }

    /// Returns when `work` finished or `limit` passed, whichever is first. `work` may be an
    /// uncancellable wait (an informer's sync), so it runs unstructured and is left to end on
    /// its own (informers resume their sync waiters when they stop).
    static func firstOf(_ limit: Duration, _ work: @escaping @Sendable () async -> Void) async {
        let (done, sink) = AsyncStream.makeStream(of: Void.self)
        let worker = Task { await work(); sink.yield() }
        let timer = Task { try? await Task.sleep(for: limit); sink.yield() }
        for await _ in done { break }
        timer.cancel()
        _ = worker
    }

    // MARK: - Gossip

    private func startGossip(pods: Informer<Pod>?) async {
        defer {
            gossipStarted = true
            let waiters = gossipAddressWaiters
            gossipAddressWaiters = []
            Task { [gossip] in
                let address = await gossip?.localMember.address
                for waiter in waiters { waiter.resume(returning: address) }
            }
        }
        guard settings.usesGossip, let host = settings.gossipBindHost else {
            health?.markReady("gossip")
            inputSink.yield(.gossipSettled("memberlist disabled"))
            return
        }
        health?.markNotReady("gossip", reason: "not joined")
        var wire = GossipWireConfiguration()
        if let secret = settings.memberlistSecret, !secret.isEmpty, let key = MetalLBSecretKey.derive(fromSecret: secret) {
            do {
                wire.keyring = try GossipKeyring(keys: [key])
            } catch {
                logger.error("memberlist key rejected; gossip unencrypted", metadata: ["error": "\(error)"])
            }
        }
        let node: GossipNode
        do {
            node = try await GossipNode.bind(
                name: settings.nodeName, host: host, port: settings.gossipBindPort, meta: nil,
                settings: settings.gossip, wire: wire, logger: logger)
        } catch {
            logger.error("gossip bind failed", metadata: ["bind": "\(host):\(settings.gossipBindPort)", "error": "\(error)"])
            inputSink.yield(.gossipSettled("gossip bind failed"))
            return
        }
        gossip = node
        let sink = inputSink
        Task { for await event in node.events { sink.yield(.member(event)) } }
        let seeds = await seedAddresses(pods: pods, own: await node.localMember.address)
        await node.start(joining: [])
        if !seeds.isEmpty {
            joinThenSettle(node, seeds: seeds)
        } else if await pods?.hasSynced ?? true {
            inputSink.yield(.gossipSettled("no other speaker Pods"))
        }
        // Else the Pod list is not in yet (API server away): the re-list joins once it is.
        health?.markReady("gossip")
        let bound = await node.localMember.address
        logger.info("gossip started", metadata: ["bind": "\(bound)", "seeds": "\(seeds)"])
    }

    /// Joins the speaker Pods that are not alive or suspect gossip members (MetalLB's
    /// speakerlist re-list: a speaker that started alone, or missed a peer, finds it).
    private func joinNewSpeakerPods(_ pods: Informer<Pod>) async {
        guard gossipStarted, let gossip else { return }
        let own = await gossip.localMember.address
        let members = Set(await gossip.members.filter { $0.state == .alive || $0.state == .suspect }.map(\.address))
        let speakers = Self.podAddresses(await pods.snapshot().values, port: Int(own.port), ownNode: settings.nodeName, own: own)
        if speakers.isEmpty, await pods.hasSynced { inputSink.yield(.gossipSettled("no other speaker Pods")) }
        let seeds = speakers.filter { !members.contains($0) }
        guard !seeds.isEmpty else {
            // They joined us first (we started while the Pod list was away): the member
            // list already holds every speaker.
            if !speakers.isEmpty { inputSink.yield(.gossipSettled("every speaker Pod is a member")) }
            return
        }
        logger.info("joining speaker Pods that are not members", metadata: ["seeds": "\(seeds)"])
        joinThenSettle(gossip, seeds: seeds)
    }

    /// Joins through `seeds` and opens the announcer gate once one of them has merged its
    /// member list into ours (`GossipNode.joinAndWait`, memberlist's blocking `Join`); the
    /// settle timer bounds the wait when no seed answers.
    private func joinThenSettle(_ node: GossipNode, seeds: [NodeAddress]) {
        armSettleTimer()
        let sink = inputSink
        Task {
            let merged = await node.joinAndWait(seeds: seeds)
            if merged > 0 { sink.yield(.gossipSettled("joined through \(merged) of \(seeds.count) speaker Pods")) }
        }
    }

    /// Opens the announcer gate. Every alive or suspect member is taken from the gossip
    /// layer first: the member events of one push/pull may arrive over several passes, and
    /// an election with only part of the cluster would announce IPs another node owns.
    private func settleGossip(reason: String) async {
        guard !gossipSettled else { return }
        if let gossip {
            for member in await gossip.members
            where member.name != settings.nodeName && (member.state == .alive || member.state == .suspect) {
                memberTrouble[member.name] = nil
                record(reconciler.memberAlive(member.name))
            }
        }
        gossipSettled = true
        logger.info("gossip settled", metadata: ["reason": "\(reason)"])
    }

    /// Bounds the wait for a join to settle: a seed that never answers (a stale Pod IP) must
    /// not keep the speaker from announcing.
    private func armSettleTimer() {
        guard !gossipSettled, !settleTimerArmed else { return }
        settleTimerArmed = true
        let limit = settings.joinSettleTimeout
        deliver(.gossipSettled("join not answered within \(limit)"), after: limit)
    }

    /// Puts `input` into the speaker's own stream once `delay` has passed (timers of the
    /// join gate, the early-takeover re-probe and the conflict grace).
    private func deliver(_ input: SpeakerInput, after delay: Duration) {
        let sink = inputSink
        Task {
            try? await Task.sleep(for: delay)
            sink.yield(input)
        }
    }

    /// Speaker Pod IPs (with our bind port, as MetalLB joins bare IPs), waited for at most
    /// `seedListTimeout`; an empty list is fine: the others join us.
    private func seedAddresses(pods: Informer<Pod>?, own: NodeAddress) async -> [NodeAddress] {
        guard let pods else { return [] }
        let timeout = settings.seedListTimeout
        await Self.firstOf(timeout) { await pods.waitUntilSynced() }
        return Self.podAddresses(await pods.snapshot().values, port: Int(own.port), ownNode: settings.nodeName, own: own)
    }

    /// The gossip addresses of speaker Pods on other nodes, sorted.
    static func podAddresses(
        _ pods: some Sequence<Pod>, port: Int, ownNode: String, own: NodeAddress
    ) -> [NodeAddress] {
        pods.compactMap { pod -> NodeAddress? in
            guard let ip = pod.status?.podIP, pod.spec?.nodeName != ownNode,
                  let address = NodeAddress(parsing: "\(ip):\(port)"), address != own else { return nil }
            return address
        }.sorted { $0.description < $1.description }
    }

    // MARK: - Inputs

    /// One reconcile pass: applies every input of `batch` to the reconciler in order, then
    /// brings the announcer, metrics, events and ServiceL2Status objects to the result once.
    /// True when the speaker should stop.
    func process(_ batch: [SpeakerInput]) async -> Bool {
        reconcilePasses += 1
        for input in batch {
            if case .shutdown = input, !shuttingDown {
                // The handover starts from what is announced after everything before it.
                await applyToAnnouncer()
            }
            if await handle(input) { return true }
        }
        await applyToAnnouncer()
        return false
    }

    /// Applies one input to the reconciler; true when the speaker should stop.
    private func handle(_ input: SpeakerInput) async -> Bool {
        switch input {
        case .service(let event):
            let key = ServiceKey(namespace: event.object.metadata.namespace ?? "", name: event.object.metadata.name ?? "")
            if case .deleted = event {
                serviceUIDs[key] = nil
                record(reconciler.serviceDeleted(key))
            } else {
                serviceUIDs[key] = event.object.metadata.uid
                record(reconciler.serviceChanged(event.object))
            }
        case .slice(let event):
            if case .deleted = event { record(reconciler.sliceDeleted(event.object)) } else { record(reconciler.sliceChanged(event.object)) }
        case .node(let event):
            if case .deleted = event {
                record(reconciler.nodeDeleted(named: event.object.metadata.name ?? ""))
            } else {
                record(reconciler.nodeChanged(event.object))
            }
        case .pool(let event):
            pools[event.object.metadata.key] = event.isDeletion ? nil : event.object
            reloadConfiguration()
        case .advertisement(let event):
            advertisements[event.object.metadata.key] = event.isDeletion ? nil : event.object
            reloadConfiguration()
        case .configMap(let event):
            legacyConfig = event.isDeletion ? nil : event.object
            reloadConfiguration()
        case .member(let event):
            await memberEvent(event)
        case .conflict(let conflict):
            conflictSeen(conflict)
        case .conflictRecheck(let conflict):
            conflictGraceEnded(conflict)
        case .probed(let member, let epoch, let outcome):
            probeFinished(member: member, epoch: epoch, outcome: outcome)
        case .reprobeDue(let member, let epoch):
            guard earlyTakeoverActive else { return false }
            perform(earlyTakeover.reprobeDue(member, epoch: epoch, gains: reconciler.addressesGained(ifGone: member)))
        case .synced(let initial):
            // Idempotent upserts: the same objects' forwarded events may follow.
            for service in initial.services {
                serviceUIDs[ServiceKey(namespace: service.metadata.namespace ?? "", name: service.metadata.name ?? "")] = service.metadata.uid
                record(reconciler.serviceChanged(service))
            }
            for slice in initial.slices { record(reconciler.sliceChanged(slice)) }
            for node in initial.nodes { record(reconciler.nodeChanged(node)) }
            for pool in initial.pools { pools[pool.metadata.key] = pool }
            for ad in initial.advertisements { advertisements[ad.metadata.key] = ad }
            if let map = initial.configMaps.first { legacyConfig = map }
            synced = true
            health?.markReady("informers")
            reloadConfiguration()
            logger.info("informers synced", metadata: ["services": "\(reconciler.election.serviceCount)"])
        case .gossipSettled(let reason):
            await settleGossip(reason: reason)
        case .shutdown:
            guard !shuttingDown else { return false }
            earlyTakeover.reset()
            await startHandover()
        case .handoverDone:
            _ = reconciler.withdrawAll()
            await applyToAnnouncer()
            // Our ServiceL2Status objects go with the announcements (bounded: the API server
            // may be away; the Pod's owner reference still lets the collector remove them).
            let writer = statusWriter
            await Self.firstOf(settings.leaveTimeout + .seconds(1)) { await writer.waitUntilWritten { $0.isEmpty } }
            return true
        }
        return false
    }

    private func memberEvent(_ event: MemberEvent) async {
        let name = event.member.name
        guard name != settings.nodeName else { return }
        switch event {
        case .join, .update, .refuted:
            memberTrouble[name] = nil
            if case .join = event { rearmAfterJoin = true }
            if case .restore = earlyTakeover.alive(name) {
                logger.notice("early takeover: suspicion refuted; member is a candidate again", metadata: [
                    "member": "\(name)", "event": "\(event.kind)", "incarnation": "\(event.member.incarnation)",
                ])
            }
            record(reconciler.memberAlive(name))
        case .suspect:
            // MetalLB counts suspects as members; only note when trouble started.
            if memberTrouble[name] == nil { memberTrouble[name] = clock.now }
            if earlyTakeoverActive {
                perform(earlyTakeover.suspected(name, gains: reconciler.addressesGained(ifGone: name)))
            }
        case .dead, .leave:
            if memberTrouble[name] == nil { memberTrouble[name] = clock.now }
            var metadata: Logger.Metadata = ["member": "\(name)", "event": "\(event.kind)"]
            if let taken = earlyTakeover.gone(name) {
                metadata["earlyTakeover"] = "\(taken.sorted().map(\.description).joined(separator: ","))"
            }
            logger.info("node event - forcing sync", metadata: metadata)
            record(reconciler.memberGone(name))
        }
        await publishMemberCounts()
    }

    // MARK: - Early takeover

    /// Early takeover acts only on a complete view (synced informers, settled gossip) and not
    /// while leaving.
    private var earlyTakeoverActive: Bool {
        settings.earlyTakeover != nil && synced && gossipSettled && !shuttingDown && settings.usesGossip
    }

    /// Starts the probe, timer or takeover an early-takeover step asks for.
    private func perform(_ action: EarlyTakeoverTracker.Action) {
        guard let takeover = settings.earlyTakeover else { return }
        let sink = inputSink
        switch action {
        case .none:
            break
        case .probe(let member, let epoch, let targets):
            let announcer = self.announcer
            let groups = Dictionary(grouping: targets.values, by: \.interfaces)
            logger.debug("early takeover: probing a suspected owner's IPs", metadata: [
                "member": "\(member)", "ips": "\(targets.keys.sorted().map(\.description).joined(separator: ","))",
            ])
            Task {
                var outcome = ProbeOutcome()
                for (interfaces, group) in groups {
                    let part = await announcer.probe(Set(group.map(\.ip)), interfaces: interfaces, timing: takeover.probe)
                    outcome.answered.merge(part.answered) { first, _ in first }
                    outcome.framesSent += part.framesSent
                }
                sink.yield(.probed(member: member, epoch: epoch, outcome: outcome))
            }
        case .reprobeLater(let member, let epoch):
            deliver(.reprobeDue(member: member, epoch: epoch), after: takeover.reprobeInterval)
        case .presumeDead(let member, let addresses):
            let window = takeover.probe.interval * takeover.probe.rounds
            logger.notice("early takeover: suspected owner is dark on the wire; taking over", metadata: [
                "member": "\(member)", "ips": "\(addresses.sorted().map(\.description).joined(separator: ","))",
                "probe": "no answer to \(takeover.probe.rounds) probes per IP within \(window)",
            ])
            record(reconciler.memberGone(member))
        case .restore(let member):
            record(reconciler.memberAlive(member))
        }
    }

    private func probeFinished(member: String, epoch: Int, outcome: ProbeOutcome) {
        guard earlyTakeoverActive else { return }
        let action = earlyTakeover.probed(
            member, epoch: epoch, outcome: outcome, gains: reconciler.addressesGained(ifGone: member))
        if case .reprobeLater = action, !outcome.isDark {
            let answered = outcome.answered.keys.sorted().map { "\($0)@\(outcome.answered[$0]!)" }
            logger.info(
                outcome.framesSent == 0
                    ? "early takeover: could not probe a suspected owner's IPs; not taking over"
                    : "early takeover: suspected owner still answers on the wire; not taking over",
                metadata: [
                    "member": "\(member)", "answered": "\(answered.joined(separator: ","))",
                    "frames": "\(outcome.framesSent)", "probes": "\(earlyTakeover.suspects[member]?.probes ?? 0)",
                ])
        }
        perform(action)
    }

    /// Publishes owner metrics and takeover times for one reconcile step.
    private func record(_ step: SpeakerReconciler.Step) {
        for change in step.ownerChanges {
            guard let ip = reconciler.service(change.service)?.ingressIPs.first else { continue }
            if let owner = change.owner {
                metrics?.owner(ip: ip, node: owner, previous: change.previousOwner)
            } else if let previous = change.previousOwner {
                metrics?.ownerRemoved(ip: ip, node: previous)
            }
            if change.owner == settings.nodeName, let previous = change.previousOwner, previous != settings.nodeName,
               let since = memberTrouble[previous] {
                metrics?.takeover(clock.now - since)
            }
        }
    }

    // MARK: - Configuration

    private func reloadConfiguration() {
        guard synced else { return }
        let sources = KubeTranslation.configSources(
            pools: Array(pools.values), advertisements: Array(advertisements.values), legacy: legacyConfig)
        guard sources != lastConfigSources else { return }
        lastConfigSources = sources
        let result = ConfigurationParser.parse(sources)
        guard result.isValid else {
            for error in result.errors {
                logger.error("configuration rejected; keeping the last good one", metadata: [
                    "document": "\(error.document)", "field": "\(error.fieldPath)", "reason": "\(error.reason)",
                ])
            }
            metrics?.client.configRejected()
            health?.markNotReady("config", reason: "invalid configuration: \(result.errors.first.map { "\($0)" } ?? "")")
            return
        }
        metrics?.client.configAccepted()
        health?.markReady("config")
        guard result.configuration != reconciler.configuration else { return }
        logger.info("configuration loaded", metadata: [
            "pools": "\(result.configuration.pools.count)", "l2advertisements": "\(result.configuration.l2Advertisements.count)",
        ])
        record(reconciler.setConfiguration(result.configuration))
    }

    // MARK: - Data plane

    /// Brings the announcer to the reconciler's desired state (only once synced: before that
    /// the caches are partial and would withdraw or announce wrongly).
    private func applyToAnnouncer() async {
        guard (synced && gossipSettled) || shuttingDown else { return }
        let desired = reconciler.announced
        let diff = AnnouncementDiff.between(current: applied, desired: desired)
        defer { submitStatuses() }
        if rearmAfterJoin, !shuttingDown {
            rearmAfterJoin = false
            let fresh = Set(diff.announce.map(\.ip))
            let kept = applied.filter { desired[$0.key] != nil && !fresh.contains($0.key) }
            for (ip, announcement) in kept.sorted(by: { $0.key < $1.key }) {
                await announcer.announce(ip, interfaces: announcement.interfaces)
            }
            if !kept.isEmpty { logger.info("member joined: gratuitous burst re-armed", metadata: ["ips": "\(kept.count)"]) }
        }
        guard !diff.isEmpty else { return }
        let before = Set(applied.values.flatMap(\.services))
        applied = desired
        for ip in diff.withdraw {
            await announcer.withdraw(ip)
            logger.info("withdrawn", metadata: ["ip": "\(ip)"])
        }
        for target in diff.announce {
            await announcer.announce(target.ip, interfaces: target.interfaces)
            logger.info("announcing", metadata: [
                "ip": "\(target.ip)", "services": "\(target.services.sorted().map(\.description))",
                "interfaces": "\(target.interfaces.map { $0.sorted().joined(separator: ",") } ?? "all")",
            ])
        }
        for pair in diff.pairsRemoved { metrics?.withdrawn(service: pair.service.description, ip: "\(pair.ip)") }
        for pair in diff.pairsAdded { metrics?.announced(service: pair.service.description, ip: "\(pair.ip)") }
        guard !shuttingDown else { return }
        for service in Set(desired.values.flatMap(\.services)).subtracting(before).sorted() {
            events.record(
                on: service, uid: serviceUIDs[service], type: "Normal", reason: "nodeAssigned",
                note: SpeakerEvents.nodeAssignedNote(node: settings.nodeName))
        }
    }

    /// Hands the ServiceL2Status state matching `applied` to the writer when it changed.
    private func submitStatuses() {
        var desired: ServiceL2StatusWriter.Desired = [:]
        for key in Set(applied.values.flatMap(\.services)) {
            var interfaces: Set<String>?
            if let service = reconciler.service(key), let first = service.parsedIngressIPs?.first {
                interfaces = reconciler.allowedInterfaces(for: service, ip: first)
            }
            desired[key] = ServiceL2Status.Status(
                node: settings.nodeName, serviceName: key.name, serviceNamespace: key.namespace,
                interfaces: interfaces.map { $0.sorted().map(ServiceL2Status.InterfaceInfo.init(name:)) })
        }
        guard desired != submittedStatuses else { return }
        submittedStatuses = desired
        statusWriter.submit(desired)
    }

    private func conflictSeen(_ conflict: AddressConflict) {
        if shuttingDown {
            if pendingHandover.remove(conflict.address) != nil {
                logger.info("next owner announced; handed over", metadata: ["ip": "\(conflict.address)", "mac": "\(conflict.foreignMAC)"])
            }
            if pendingHandover.isEmpty, let waiter = handoverWaiter {
                handoverWaiter = nil
                waiter.resume()
            }
            return
        }
        // `swiftlb_conflicts_total` comes from the announcer's own count (`publishCounters`),
        // which also sees conflicts this stream dropped. The event waits out the grace.
        guard conflictsInGrace.insert(conflict.address).inserted else { return }
        deliver(.conflictRecheck(conflict), after: settings.conflictGrace)
    }

    private func conflictGraceEnded(_ conflict: AddressConflict) {
        conflictsInGrace.remove(conflict.address)
        guard !shuttingDown else { return }
        guard applied[conflict.address] != nil else {
            conflictsDismissed += 1
            logger.info("another station took over an IP this node has since withdrawn; a handover, not a conflict", metadata: [
                "ip": "\(conflict.address)", "interface": "\(conflict.interface)", "foreignMAC": "\(conflict.foreignMAC)",
            ])
            return
        }
        conflictsReported += 1
        logger.warning("another station answers for an IP this node announces", metadata: [
            "ip": "\(conflict.address)", "interface": "\(conflict.interface)", "foreignMAC": "\(conflict.foreignMAC)",
        ])
        let now = clock.now
        if let last = lastConflictEvent[conflict.address], now - last < .seconds(30) { return }
        lastConflictEvent[conflict.address] = now
        for service in applied[conflict.address]?.services.sorted() ?? [] {
            events.record(
                on: service, uid: serviceUIDs[service], type: "Warning", reason: "addressConflict",
                note: "\(conflict.foreignMAC) on \(conflict.interface) also answers for \(conflict.address), which node \"\(settings.nodeName)\" announces")
        }
    }

    // MARK: - Graceful shutdown

    /// Leaves gossip and waits (bounded) for the next owners to announce; then `.handoverDone`.
    private func startHandover() async {
        shuttingDown = true
        pendingHandover = Set(applied.keys)
        logger.info("leaving: handing over", metadata: ["ips": "\(pendingHandover.count)"])
        health?.markNotReady("shutdown", reason: "leaving")
        guard let gossip, !pendingHandover.isEmpty else {
            await gossip?.leave(timeout: settings.leaveTimeout)
            inputSink.yield(.handoverDone)
            return
        }
        let sink = inputSink, timeout = settings.handoverTimeout, leaveTimeout = settings.leaveTimeout
        let started = clock.now
        Task {
            await gossip.leave(timeout: leaveTimeout)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.waitForHandover() }
                group.addTask { try? await Task.sleep(for: timeout) }
                await group.next()
                group.cancelAll()
                self.cancelHandoverWait()
            }
            self.logHandover(left: self.pendingHandoverCount, after: ContinuousClock().now - started)
            sink.yield(.handoverDone)
        }
    }

    private var pendingHandoverCount: Int { pendingHandover.count }

    private func logHandover(left: Int, after: Duration) {
        logger.info("handover finished", metadata: ["notHandedOver": "\(left)", "took": "\(after)"])
    }

    private func waitForHandover() async {
        if pendingHandover.isEmpty || handoverAbandoned { return }
        await withCheckedContinuation { handoverWaiter = $0 }
    }

    private func cancelHandoverWait() {
        handoverAbandoned = true
        handoverWaiter?.resume()
        handoverWaiter = nil
    }
}

extension InformerEvent {
    var isDeletion: Bool {
        if case .deleted = self { return true }
        return false
    }
}
