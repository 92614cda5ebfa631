import Addressing
import Allocation
import ClusterModel
import Config
import Foundation
import Kube
import Logging
import Observability

/// The controller shell: informers in, Service status writes and Events out, with the
/// decisions taken by `ControllerReconciler`.
///
/// Everything that changes state runs on this actor, one input at a time (inputs from all
/// informers and the leader elector are merged into one ordered stream). Only the leader
/// writes. On gaining leadership (or at start without leader election) it lists Services and
/// Namespaces afresh from the API server and hands them to a new reconciler, which restores
/// every held IP before allocating any: the new leader never hands out an IP the old one
/// assigned, even one whose write its own watch has not delivered yet.
///
/// Watch events older than what the controller itself wrote (resourceVersion below the one
/// its last write returned) are ignored, so a stale echo never looks like a Service that
/// lost its IPs.
public actor ServiceController {
    enum Input: Sendable {
        case service(InformerEvent<Service>)
        case namespace(InformerEvent<KubeNamespace>)
        case configuration
        case leadership(Bool)
        /// Bring every IPAddressPool's status in line with the allocator (coalesced).
        case poolStatus
    }

    /// The `reportingController` of the controller's Events, as MetalLB names it.
    public static let reportingController = "metallb-controller"

    public nonisolated let options: ControllerOptions
    private let client: KubeClient
    private let metrics: ControllerMetrics
    private let clientMetrics: ClientMetrics
    private let health: HealthState?
    private let logger: Logger
    private let recorder: EventRecorder
    private let elector: LeaderElector?

    private var continuation: AsyncStream<Input>.Continuation?
    private var stopped = false
    private var configMaps: Informer<ConfigMap>?
    private var pools: Informer<IPAddressPool>?
    private var advertisements: Informer<L2Advertisement>?

    /// Present while leading.
    private var reconciler: ControllerReconciler?
    /// The last valid configuration (also tracked while not leading, for metrics and logs).
    private var lastGood: ConfigurationParseResult?
    private var lastRejected: [ConfigError] = []
    private var objects: [ServiceKey: Service] = [:]
    private var versions: [ServiceKey: Int64] = [:]
    private var namespaces: [String: NamespaceInfo] = [:]
    private var reportedPools: Set<String> = []
    /// A `.poolStatus` input is queued and not handled yet.
    private var poolStatusPending = false
    /// Per pool, the status this replica last wrote and the resourceVersion that write
    /// returned: until the informer has caught up with it, it is the pool's status.
    private var poolStatusWritten: [String: (version: Int64?, status: IPAddressPool.Status)] = [:]

    /// True while this replica is the one allocating.
    public private(set) var isLeading = false
    /// Service status writes done (for tests and logs).
    public private(set) var writes = 0
    /// IPAddressPool status writes done (for tests and logs).
    public private(set) var poolStatusWrites = 0
    /// What became of the memberlist Secret; nil until the check succeeded (or when
    /// `memberlistSecretName` is empty).
    public private(set) var memberlistSecret: MemberlistSecretProvisioner.Outcome?

    public init(
        client: KubeClient, options: ControllerOptions, metrics: ControllerMetrics, health: HealthState? = nil,
        logger: Logger = Logger(label: "swiftlb.controller")
    ) {
        self.client = client
        self.options = options
        self.metrics = metrics
        self.clientMetrics = metrics.client
        self.health = health
        self.logger = logger
        let identity = options.leaderElection?.identity ?? ProcessInfo.processInfo.hostName
        recorder = EventRecorder(
            client: client, reportingController: Self.reportingController, reportingInstance: identity, logger: logger)
        elector = options.leaderElection.map { election in
            LeaderElector(
                client: client,
                configuration: LeaderElector.Configuration(
                    leaseName: election.leaseName, namespace: options.namespace, identity: election.identity,
                    leaseDuration: election.leaseDuration, renewDeadline: election.renewDeadline,
                    retryPeriod: election.retryPeriod),
                logger: logger)
        }
    }

    // MARK: - Running

    /// Watches and reconciles until `shutdown()` or cancellation.
    public func run() async {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        self.continuation = continuation
        if stopped { return }
        health?.markNotReady("controller", reason: "informers not synced")
        let services = Informer<Service>(client: client, logger: logger)
        let namespaceInformer = Informer<KubeNamespace>(client: client, logger: logger)
        let configMaps = Informer<ConfigMap>(client: client, options: InformerOptions(namespace: options.namespace), logger: logger)
        let poolsServed = await served(IPAddressPool.self)
        let pools: Informer<IPAddressPool>? =
            poolsServed ? Informer<IPAddressPool>(client: client, options: InformerOptions(namespace: options.namespace), logger: logger) : nil
        let advertisementsServed = await served(L2Advertisement.self)
        let advertisements: Informer<L2Advertisement>? =
            advertisementsServed ? Informer<L2Advertisement>(client: client, options: InformerOptions(namespace: options.namespace), logger: logger) : nil
        self.configMaps = configMaps
        self.pools = pools
        self.advertisements = advertisements
        let configMapName = options.configMapName
        let provisioner: MemberlistSecretProvisioner? =
            options.memberlistSecretName.isEmpty
            ? nil
            : MemberlistSecretProvisioner(
                client: client, namespace: options.namespace, secretName: options.memberlistSecretName,
                deploymentName: options.deploymentName, logger: logger)

        await withTaskGroup(of: Void.self) { group in
            if let provisioner {
                group.addTask { await self.ensureMemberlistSecret(provisioner) }
            }
            group.addTask { await services.run() }
            group.addTask { for await event in services.changes { continuation.yield(.service(event)) } }
            group.addTask { await namespaceInformer.run() }
            group.addTask { for await event in namespaceInformer.changes { continuation.yield(.namespace(event)) } }
            group.addTask { await configMaps.run() }
            group.addTask {
                for await event in configMaps.changes where event.object.metadata.name == configMapName {
                    continuation.yield(.configuration)
                }
            }
            if let pools {
                group.addTask { await pools.run() }
                group.addTask { for await _ in pools.changes { continuation.yield(.configuration) } }
            }
            if let advertisements {
                group.addTask { await advertisements.run() }
                group.addTask { for await _ in advertisements.changes { continuation.yield(.configuration) } }
            }
            await services.waitUntilSynced()
            await namespaceInformer.waitUntilSynced()
            await configMaps.waitUntilSynced()
            await pools?.waitUntilSynced()
            await advertisements?.waitUntilSynced()
            logger.info("informers synced", metadata: ["controller.namespace": "\(options.namespace)"])
            health?.markReady("controller")
            continuation.yield(.configuration)
            if let elector {
                group.addTask { await elector.run() }
                group.addTask { for await leading in elector.leadership { continuation.yield(.leadership(leading)) } }
            } else {
                continuation.yield(.leadership(true))
            }
            // Ends when `shutdown()` finishes the stream, after the lease is released.
            for await input in inputs where !stopped {
                await handle(input)
            }
            group.cancelAll()
        }
        isLeading = false
    }

    /// Stops: releases the Lease (so another replica takes over at once), then ends `run()`.
    public func shutdown() async {
        stopped = true
        isLeading = false
        reconciler = nil
        await elector?.resign()
        continuation?.finish()
    }

    /// Whether the API server serves the kind (the MetalLB CRDs may not be installed).
    private func served<Object: KubeResource>(_ type: Object.Type) async -> Bool {
        do {
            _ = try await client.list(type, namespace: options.namespace, options: ListOptions(limit: 1))
            return true
        } catch let error as KubeAPIError where error.isNotFound {
            logger.info("kind not served, not watching it", metadata: ["kube.kind": "\(Object.kind)"])
            return false
        } catch {
            return true  // Transient: the informer retries with backoff.
        }
    }

    // MARK: - Inputs

    private func handle(_ input: Input) async {
        switch input {
        case .service(let event):
            await serviceEvent(event)
        case .namespace(let event):
            let info = NamespaceInfo(name: event.object.metadata.name ?? "", labels: event.object.metadata.labels ?? [:])
            if case .deleted = event { namespaces[info.name] = nil } else { namespaces[info.name] = info }
            reconciler?.namespaceChanged(info)
        case .configuration:
            await configurationChanged()
        case .leadership(let leading):
            if leading { await startLeading() } else { stopLeading() }
        case .poolStatus:
            await writePoolStatuses()
        }
    }

    /// MetalLB's controller creates the Secret before it does anything else and exits when
    /// it cannot; here allocation does not wait for it, and a failed attempt is retried with
    /// backoff until it succeeds or the controller stops.
    private nonisolated func ensureMemberlistSecret(_ provisioner: MemberlistSecretProvisioner) async {
        var backoff = ExponentialBackoff()
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            do {
                let outcome = try await provisioner.ensure(using: &random)
                await memberlistSecretEnsured(outcome)
                return
            } catch {
                provisioner.logger.warning(
                    "cannot ensure the memberlist secret, retrying",
                    metadata: ["secret": "\(provisioner.namespace)/\(provisioner.secretName)", "error": "\(error)"])
                do { try await Task.sleep(for: backoff.next(using: &random)) } catch { return }
            }
        }
    }

    private func memberlistSecretEnsured(_ outcome: MemberlistSecretProvisioner.Outcome) {
        memberlistSecret = outcome
    }

    private func serviceEvent(_ event: InformerEvent<Service>) async {
        let object = event.object
        let key = ServiceTranslation.key(of: object)
        if case .deleted = event {
            objects[key] = nil
            versions[key] = nil
            guard var reconciler else { return }
            let updates = reconciler.serviceDeleted(key)
            self.reconciler = reconciler
            await apply(updates)
            return
        }
        if let version = Self.version(object), let known = versions[key], version < known { return }
        objects[key] = object
        versions[key] = Self.version(object)
        guard var reconciler else { return }
        let updates = reconciler.serviceChanged(ServiceTranslation.service(object))
        self.reconciler = reconciler
        await apply(updates)
    }

    private func startLeading() async {
        guard !stopped else { return }
        logger.info("leading: reading every Service before allocating")
        var fresh = ControllerReconciler(loadBalancerClass: options.loadBalancerClass)
        do {
            let namespaceList = try await client.listAll(KubeNamespace.self)
            for namespace in namespaceList.items {
                let info = NamespaceInfo(name: namespace.metadata.name ?? "", labels: namespace.metadata.labels ?? [:])
                namespaces[info.name] = info
            }
            let serviceList = try await client.listAll(Service.self)
            objects = [:]
            versions = [:]
            for service in serviceList.items {
                let key = ServiceTranslation.key(of: service)
                objects[key] = service
                versions[key] = Self.version(service)
            }
        } catch {
            logger.error("cannot list Services on gaining leadership", metadata: ["error": "\(error)"])
            clientMetrics.update(succeeded: false)
            // Try again through the input stream after a pause, unless stopped meanwhile.
            let continuation = self.continuation
            Task {
                try? await Task.sleep(for: .seconds(1))
                continuation?.yield(.leadership(true))
            }
            return
        }
        for info in namespaces.values { fresh.namespaceChanged(info) }
        if let lastGood { _ = fresh.configurationChanged(lastGood) }
        let updates = fresh.start(services: objects.values.map(ServiceTranslation.service))
        reconciler = fresh
        isLeading = true
        await apply(updates)
    }

    private func stopLeading() {
        if isLeading { logger.info("stopped leading: no more allocation") }
        isLeading = false
        reconciler = nil
    }

    private func configurationChanged() async {
        // A pool object may have appeared, or its status been changed by someone else.
        schedulePoolStatus()
        var inputs = ConfigurationInputs()
        if let configMaps {
            let name = options.configMapName
            inputs.configMap = await configMaps.snapshot().values.first { $0.metadata.name == name }
        }
        if let pools { inputs.pools = Array(await pools.snapshot().values) }
        if let advertisements { inputs.advertisements = Array(await advertisements.snapshot().values) }
        let (result, objects, isEmpty) = inputs.parse()
        if isEmpty && lastGood == nil {
            logger.info("no configuration yet: waiting for IPAddressPools or the ConfigMap before allocating")
            return
        }
        guard result.isValid else {
            clientMetrics.configRejected()
            for error in result.errors {
                logger.error(
                    "configuration rejected, keeping the last good one",
                    metadata: ["config.error": "\(error)", "config.field": "\(error.fieldPath)"])
            }
            if result.errors != lastRejected, isLeading {
                await reportRejected(result.errors, objects: objects)
            }
            lastRejected = result.errors
            return
        }
        lastRejected = []
        clientMetrics.configAccepted()
        if let lastGood, lastGood.configuration == result.configuration { return }
        lastGood = result
        logger.info(
            "configuration loaded",
            metadata: ["config.pools": "\(result.configuration.pools.map(\.name))"])
        guard var reconciler else { return }
        let outcome = reconciler.configurationChanged(result)
        self.reconciler = reconciler
        if case .accepted(let updates) = outcome { await apply(updates) }
        updatePoolMetrics()
    }

    /// One Warning event per object at fault, its message the errors' text (field and reason).
    private func reportRejected(_ errors: [ConfigError], objects: [String: ObjectReference]) async {
        var byObject: [ObjectReference: [ConfigError]] = [:]
        var order: [ObjectReference] = []
        for error in errors {
            guard let object = objects[error.document.file] ?? objects.values.first else { continue }
            if byObject[object] == nil { order.append(object) }
            byObject[object, default: []].append(error)
        }
        for object in order {
            let note = byObject[object, default: []].map(\.description).joined(separator: "; ")
            do {
                _ = try await recorder.record(
                    regarding: object, type: .warning, reason: "InvalidConfiguration", action: "LoadConfiguration",
                    note: "configuration rejected, last good one stays in force: \(note)")
            } catch {
                logger.warning("cannot record event", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: - Output

    private func apply(_ updates: [ServiceUpdate]) async {
        for update in updates {
            guard isLeading, !stopped, let object = objects[update.service] else { continue }
            let reference = ObjectReference(to: object)
            var succeeded = true
            if update.status != .unchanged {
                do {
                    let written = try await write(update.status, to: update.service)
                    writes += 1
                    reconciler?.written(update)
                    objects[update.service] = written
                    versions[update.service] = Self.version(written)
                } catch {
                    succeeded = false
                    logger.warning(
                        "cannot write Service status",
                        metadata: ["service": "\(update.service)", "error": "\(error)"])
                }
            }
            clientMetrics.update(succeeded: succeeded)
            for event in update.events {
                do {
                    _ = try await recorder.record(
                        regarding: reference, type: event.kind == .warning ? .warning : .normal, reason: event.reason,
                        action: "Allocate", note: event.message)
                } catch {
                    logger.warning("cannot record event", metadata: ["service": "\(update.service)", "error": "\(error)"])
                }
                logger.info(
                    "\(event.reason)",
                    metadata: ["service": "\(update.service)", "event.type": "\(event.kind.rawValue)", "event.message": "\(event.message)"])
            }
        }
        updatePoolMetrics()
        schedulePoolStatus()
    }

    /// MetalLB's status update: the pool annotation, then `status.loadBalancer.ingress` on the
    /// status subresource (which ignores metadata). Merge patches keep every other field.
    private func write(_ status: ServiceUpdate.StatusWrite, to key: ServiceKey) async throws -> Service {
        let pool: JSONValue
        let ingress: JSONValue
        switch status {
        case .unchanged:
            preconditionFailure("nothing to write")
        case .assign(let assignment):
            pool = .string(assignment.pool)
            ingress = .array(assignment.ips.map { ip -> JSONValue in ["ip": .string(ip.description)] })
        case .clear:
            pool = .null
            ingress = .null
        }
        let annotation: JSONValue = ["metadata": ["annotations": [MetalLBAnnotation.ipAllocatedFromPool: pool]]]
        let current = objects[key]?.metadata.annotations?[MetalLBAnnotation.ipAllocatedFromPool]
        if current != assignmentPool(status) {
            _ = try await client.mergePatch(Service.self, name: key.name, namespace: key.namespace, patch: annotation)
        }
        return try await client.mergePatch(
            Service.self, name: key.name, namespace: key.namespace,
            patch: ["status": ["loadBalancer": ["ingress": ingress]]] as JSONValue, subresource: "status")
    }

    private func assignmentPool(_ status: ServiceUpdate.StatusWrite) -> String? {
        if case .assign(let assignment) = status { return assignment.pool }
        return nil
    }

    private func updatePoolMetrics() {
        guard let reconciler else { return }
        var seen: Set<String> = []
        for (pool, usage) in reconciler.poolUsage {
            seen.insert(pool)
            metrics.pool(pool, usage: ControllerMetrics.PoolUsage(
                ipv4Total: Self.clamped(usage.ipv4Total), ipv4InUse: Int64(usage.ipv4InUse),
                ipv6Total: Self.clamped(usage.ipv6Total), ipv6InUse: Int64(usage.ipv6InUse)))
        }
        for gone in reportedPools.subtracting(seen) { metrics.poolRemoved(gone) }
        reportedPools = seen
    }

    /// Queues one `.poolStatus` input unless one is already waiting: a burst of Service
    /// changes costs one status write per pool, not one per Service.
    private func schedulePoolStatus() {
        guard isLeading, !stopped, pools != nil, !poolStatusPending else { return }
        poolStatusPending = true
        continuation?.yield(.poolStatus)
    }

    /// Writes `status` of every IPAddressPool whose counters differ from the allocator's
    /// (MetalLB's `PoolStatusReconciler`), through the status subresource.
    private func writePoolStatuses() async {
        poolStatusPending = false
        guard isLeading, !stopped, let pools else { return }
        var usage: [String: PoolUsage] = [:]
        for (pool, poolUsage) in reconciler?.poolUsage ?? [] { usage[pool] = poolUsage }
        let objects = await pools.snapshot().values.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        var failed = false
        for pool in objects {
            guard let name = pool.metadata.name, isLeading, !stopped else { continue }
            let desired = IPAddressPool.Status(usage: usage[name])
            var current = pool.status
            if let written = poolStatusWritten[name], let writtenVersion = written.version,
                let seen = Self.version(pool), seen < writtenVersion
            {
                current = written.status
            }
            guard current != desired else { continue }
            do {
                let result = try await client.mergePatch(
                    IPAddressPool.self, name: name, namespace: options.namespace, patch: ["status": desired],
                    subresource: "status")
                poolStatusWrites += 1
                poolStatusWritten[name] = (Self.version(result), desired)
            } catch {
                failed = true
                logger.warning("cannot write IPAddressPool status", metadata: ["pool": "\(name)", "error": "\(error)"])
            }
        }
        let present = Set(objects.compactMap(\.metadata.name))
        poolStatusWritten = poolStatusWritten.filter { present.contains($0.key) }
        if failed {
            // Try again after a pause, through the input stream.
            let continuation = self.continuation
            Task {
                try? await Task.sleep(for: .seconds(1))
                continuation?.yield(.poolStatus)
            }
        }
    }

    private static func clamped(_ count: Addressing.AddressCount) -> Int64 { count.clampedToInt64 }

    private static func version(_ object: some KubeResource) -> Int64? {
        object.metadata.resourceVersion.flatMap { Int64($0) }
    }
}
