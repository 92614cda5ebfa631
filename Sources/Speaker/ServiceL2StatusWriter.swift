import ClusterModel
import Kube
import Logging
import Synchronization

/// Keeps one `ServiceL2Status` (metallb.io/v1beta1) per Service this node announces, in the
/// speaker's namespace, as MetalLB ≥ 0.14 does (internal/k8s/controllers/layer2_status_controller.go):
/// `generateName: l2-`, labels `metallb.io/node`, `metallb.io/service-name`,
/// `metallb.io/service-namespace`, owner reference = this speaker's Pod (so the garbage
/// collector removes the objects with the Pod), `status` {node, serviceName,
/// serviceNamespace, interfaces (only when the advertisements restrict them)}.
///
/// When a Service is gained it also deletes other nodes' objects for it (MetalLB's leader
/// does); when it is lost it deletes its own. After a restart it adopts the objects it finds
/// with its node label instead of creating duplicates.
///
/// Writes run on their own task: the speaker only hands over the latest desired state and
/// never waits for the API server (DESIGN.md §2.5). States handed over while a pass runs
/// are coalesced: the next pass starts from the newest one.
public actor ServiceL2StatusWriter {
    public typealias Desired = [ServiceKey: ServiceL2Status.Status]

    private let client: KubeClient
    private let namespace: String
    private let nodeName: String
    private let podName: String?
    private let logger: Logger
    private let mailbox = LatestValueMailbox<Desired>()

    /// This node's objects by Service, as last listed or written; nil = list again first.
    private var known: [ServiceKey: [ServiceL2Status]]?
    private var owner: OwnerReference?
    private var backoff = ExponentialBackoff(initial: .milliseconds(200), maximum: .seconds(10))
    private var random = SystemRandomNumberGenerator()
    /// The desired state the API server holds now (after the last successful pass).
    private var written: Desired?
    private var writeWaiters: [(predicate: @Sendable (Desired) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    public init(client: KubeClient, namespace: String, nodeName: String, podName: String?, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.nodeName = nodeName
        self.podName = podName
        self.logger = logger
    }

    /// Hands over the statuses this node should hold now (latest wins; never blocks).
    public nonisolated func submit(_ desired: Desired) { mailbox.put(desired) }

    /// Writes until cancelled, retrying failed passes with backoff.
    public func run() async {
        while let desired = await mailbox.take() {
            var pending = desired
            while !Task.isCancelled {
                do {
                    try await pass(pending)
                    backoff.reset()
                    written = pending
                    wakeWaiters()
                    break
                } catch {
                    known = nil
                    if Task.isCancelled { return }
                    let delay = backoff.next(using: &random)
                    logger.warning("ServiceL2Status write failed; retrying", metadata: [
                        "error": "\(error)", "retryIn": "\(delay)",
                    ])
                    // A backoff between retries, not a synchronisation: a newer state ends it early.
                    if let newer = await mailbox.take(within: delay) { pending = newer }
                }
            }
        }
    }

    /// Returns once a written state satisfies `predicate` (tests, shutdown).
    public func waitUntilWritten(_ predicate: @escaping @Sendable (Desired) -> Bool) async {
        if let written, predicate(written) { return }
        await withCheckedContinuation { writeWaiters.append((predicate, $0)) }
    }

    private func wakeWaiters() {
        guard let written else { return }
        var remaining: [(predicate: @Sendable (Desired) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in writeWaiters {
            if waiter.predicate(written) { waiter.continuation.resume() } else { remaining.append(waiter) }
        }
        writeWaiters = remaining
    }

    // MARK: - One pass

    private func pass(_ desired: Desired) async throws {
        var known = try await currentObjects()
        if owner == nil, let podName {
            do {
                let pod = try await client.get(Pod.self, name: podName, namespace: namespace)
                if let uid = pod.metadata.uid {
                    owner = OwnerReference(apiVersion: Pod.apiVersion, kind: Pod.kind, name: podName, uid: uid, controller: true)
                }
            } catch let error as KubeAPIError where error.isNotFound {
                logger.warning("speaker Pod not found; ServiceL2Status objects get no owner", metadata: ["pod": "\(podName)"])
            }
        }
        // Lost: delete this node's objects.
        for (service, objects) in known where desired[service] == nil {
            for object in objects { try await delete(object) }
            known[service] = nil
            self.known = known
        }
        for (service, status) in desired.sorted(by: { $0.key < $1.key }) {
            var objects = known[service] ?? []
            if objects.isEmpty {
                try await deleteOtherNodesObjects(for: service)
            }
            // One object per Service: keep the oldest name, delete redundant ones.
            objects.sort { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            for redundant in objects.dropFirst() { try await delete(redundant) }
            var object = objects.first ?? ServiceL2Status(metadata: ObjectMeta(namespace: namespace, generateName: "l2-"))
            let labels = [
                ServiceL2Status.nodeLabel: nodeName,
                ServiceL2Status.serviceNameLabel: service.name,
                ServiceL2Status.serviceNamespaceLabel: service.namespace,
            ]
            let owners = owner.map { [$0] }
            if object.metadata.name == nil {
                object.metadata.labels = labels
                object.metadata.ownerReferences = owners
                object = try await client.create(object, namespace: namespace)
                logger.info("ServiceL2Status created", metadata: ["service": "\(service)", "name": "\(object.metadata.name ?? "")"])
            } else if object.metadata.labels != labels || (owners != nil && object.metadata.ownerReferences != owners) {
                object.metadata.labels = labels
                if let owners { object.metadata.ownerReferences = owners }
                object = try await client.update(object)
            }
            if object.status != status {
                object.status = status
                object = try await client.updateStatus(object)
            }
            known[service] = [object]
            self.known = known
        }
    }

    /// This node's objects, listed by its node label once and then tracked from our own writes.
    private func currentObjects() async throws -> [ServiceKey: [ServiceL2Status]] {
        if let known { return known }
        let list = try await client.listAll(
            ServiceL2Status.self, namespace: namespace,
            options: ListOptions(labelSelector: "\(ServiceL2Status.nodeLabel)=\(nodeName)", limit: 500))
        var result: [ServiceKey: [ServiceL2Status]] = [:]
        for object in list.items {
            guard let key = Self.serviceKey(of: object) else {
                try await delete(object)  // ours but unusable: MetalLB would never reconcile it either
                continue
            }
            result[key, default: []].append(object)
        }
        known = result
        return result
    }

    private func deleteOtherNodesObjects(for service: ServiceKey) async throws {
        let selector = "\(ServiceL2Status.serviceNameLabel)=\(service.name),\(ServiceL2Status.serviceNamespaceLabel)=\(service.namespace)"
        let list = try await client.listAll(ServiceL2Status.self, namespace: namespace, options: ListOptions(labelSelector: selector, limit: 500))
        for object in list.items where object.metadata.labels?[ServiceL2Status.nodeLabel] != nodeName {
            try await delete(object)
        }
    }

    private func delete(_ object: ServiceL2Status) async throws {
        guard let name = object.metadata.name else { return }
        do {
            try await client.delete(ServiceL2Status.self, name: name, namespace: namespace)
            logger.info("ServiceL2Status deleted", metadata: [
                "name": "\(name)", "node": "\(object.metadata.labels?[ServiceL2Status.nodeLabel] ?? "")",
            ])
        } catch let error as KubeAPIError where error.isNotFound {}
    }

    static func serviceKey(of object: ServiceL2Status) -> ServiceKey? {
        guard let labels = object.metadata.labels, let name = labels[ServiceL2Status.serviceNameLabel],
              let namespace = labels[ServiceL2Status.serviceNamespaceLabel] else { return nil }
        return ServiceKey(namespace: namespace, name: name)
    }
}

/// A single-slot mailbox: `put` replaces whatever was not taken yet, `take` waits for a value.
final class LatestValueMailbox<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func put(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.value = value
            return nil
        }
        waiter?.resume(returning: value)
    }

    /// Ends every current and future `take` with nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The newest value; waits for one. Nil once finished or when the task is cancelled.
    func take() async -> Value? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Value?? in
                    if let value = state.value {
                        state.value = nil
                        return .some(value)
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The newest value if one arrives within `limit`, else nil.
    func take(within limit: Duration) async -> Value? {
        await withTaskGroup(of: Value?.self) { group in
            group.addTask { await self.take() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // A value the cancelled `take` received after the timer won must not be lost.
            var late: Value?
            while let next = await group.next() { if let next { late = next } }
            return first ?? late
        }
    }
}
