import Logging
import Synchronization

/// What an informer watches and how it paces itself.
public struct InformerOptions<Object: KubeResource>: Sendable {
    /// nil: all namespaces (or a cluster-scoped kind).
    public var namespace: String?
    public var labelSelector: String?
    public var fieldSelector: String?
    /// List page size (`limit`); client-go's reflector uses 500.
    public var pageSize: Int
    /// Server-side watch timeout; each watch asks for a random value in
    /// `watchTimeout..<2×watchTimeout` (client-go: 5–10 minutes) so many clients do not
    /// reconnect together.
    public var watchTimeout: Duration
    public var backoff: ExponentialBackoff
    /// How `changes` buffers. Unbounded by default (nothing is lost, but a consumer that
    /// never reads lets it grow); an informer read only through `snapshot()` should use
    /// `.bufferingNewest(0)`.
    public var changesBuffering: AsyncStream<InformerEvent<Object>>.Continuation.BufferingPolicy

    public init(
        namespace: String? = nil,
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        pageSize: Int = 500,
        watchTimeout: Duration = .seconds(300),
        backoff: ExponentialBackoff = ExponentialBackoff(),
        changesBuffering: AsyncStream<InformerEvent<Object>>.Continuation.BufferingPolicy = .unbounded
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.watchTimeout = watchTimeout
        self.backoff = backoff
        self.changesBuffering = changesBuffering
    }
}

/// A reflector plus its cache (client-go `SharedInformer`, one consumer): lists and watches
/// one kind, keeps every object by `namespace/name`, and delivers each change once on
/// `changes`.
///
/// `run()` does the I/O; the decisions are `ReflectorStateMachine`'s. Cancel the task running
/// `run()` to stop; `changes` then finishes.
public actor Informer<Object: KubeResource> {
    /// Every change, in order. Unbounded: the consumer must keep reading.
    public nonisolated let changes: AsyncStream<InformerEvent<Object>>
    private let continuation: AsyncStream<InformerEvent<Object>>.Continuation
    private var machine: ReflectorStateMachine<Object>
    private var random: SendableRandom
    /// Tasks in `waitUntilSynced()`; a lock (not actor state) so that a cancelled waiter can
    /// be resumed synchronously from its cancellation handler.
    private let syncWaiters = SyncWaiters()
    private var nextWaiterID = 0
    private var stopped = false
    private let client: KubeClient
    public nonisolated let options: InformerOptions<Object>
    private let logger: Logger

    /// List requests sent (pages count one each); a relist after 410 adds to it.
    public private(set) var listRequests = 0
    /// Watch requests sent.
    public private(set) var watchRequests = 0
    /// Full relists after the first list (410 Gone or failures mid-list).
    public private(set) var relists = 0

    public init(
        client: KubeClient,
        options: InformerOptions<Object> = InformerOptions(),
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        logger: Logger? = nil
    ) {
        self.client = client
        self.options = options
        self.random = SendableRandom(random)
        self.machine = ReflectorStateMachine(backoff: options.backoff)
        self.logger = logger ?? client.logger
        (changes, continuation) = AsyncStream.makeStream(bufferingPolicy: options.changesBuffering)
    }

    /// The cache: every object, keyed `namespace/name`.
    public func snapshot() -> [String: Object] { machine.cache }

    /// One object of the cache.
    public func object(forKey key: String) -> Object? { machine.cache[key] }

    public var hasSynced: Bool { machine.hasSynced }

    /// The resourceVersion a resumed watch would start from.
    public var lastResourceVersion: String? { machine.lastResourceVersion }

    /// Returns once the first list has been delivered (or the informer stopped, or the
    /// waiting task was cancelled).
    public func waitUntilSynced() async {
        if machine.hasSynced || stopped { return }
        let id = nextWaiterID
        nextWaiterID += 1
        let waiters = syncWaiters
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = waiters.waiting.withLock { waiting -> Bool in
                    if Task.isCancelled { return true }
                    waiting[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            waiters.waiting.withLock { $0.removeValue(forKey: id) }?.resume()
        }
    }

    /// Lists, watches and keeps the cache current until the task is cancelled.
    public func run() async {
        defer { stop() }
        var request = machine.start()
        while !Task.isCancelled {
            switch request {
            case .list(let token):
                request = await list(continueToken: token)
            case .watch(let version):
                request = await watch(from: version)
            case .wait(let delay, let then):
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return
                }
                request = then
            }
        }
    }

    private func stop() {
        stopped = true
        continuation.finish()
        resumeSyncWaiters()
    }

    private func resumeSyncWaiters() {
        let waiting = syncWaiters.waiting.withLock { waiting in
            defer { waiting = [:] }
            return Array(waiting.values)
        }
        for waiter in waiting { waiter.resume() }
    }

    /// The object as the cache keeps it: without `kubectl apply`'s copy of the whole object
    /// (the `kubectl.kubernetes.io/last-applied-configuration` annotation), which no
    /// consumer of an informer reads and which doubles the text of every object created
    /// with `kubectl apply`; client-go users strip `managedFields` the same way (`SetTransform`), and
    /// `ObjectMeta` never decodes those. Objects are written back only by patches, so the
    /// annotation is never lost on the server.
    static func forCache(_ object: Object) -> Object {
        guard object.metadata.annotations?[lastAppliedConfiguration] != nil else { return object }
        var object = object
        object.metadata.annotations?[lastAppliedConfiguration] = nil
        if object.metadata.annotations?.isEmpty == true { object.metadata.annotations = nil }
        return object
    }

    static func forCache(_ event: WatchEvent<Object>) -> WatchEvent<Object> {
        switch event {
        case .added(let object): .added(forCache(object))
        case .modified(let object): .modified(forCache(object))
        case .deleted(let object): .deleted(forCache(object))
        case .bookmark, .error: event
        }
    }

    static var lastAppliedConfiguration: String { "kubectl.kubernetes.io/last-applied-configuration" }

    private func deliver(_ output: ReflectorStateMachine<Object>.Output) {
        for event in output.events { continuation.yield(event) }
    }

    private func list(continueToken: String?) async -> ReflectorStateMachine<Object>.Request {
        listRequests += 1
        if continueToken == nil, machine.hasSynced { relists += 1 }
        let wasSynced = machine.hasSynced
        let output: ReflectorStateMachine<Object>.Output
        do {
            let page = try await client.list(
                Object.self,
                namespace: options.namespace,
                options: ListOptions(
                    labelSelector: options.labelSelector,
                    fieldSelector: options.fieldSelector,
                    limit: options.pageSize,
                    continueToken: continueToken
                )
            )
            var cached = page
            cached.items = page.items.map(Self.forCache)
            output = machine.listPageReceived(cached)
        } catch {
            output = fail(error, during: "list")
        }
        deliver(output)
        if !wasSynced, machine.hasSynced {
            logger.debug(
                "informer synced",
                metadata: ["kube.kind": "\(Object.kind)", "kube.objects": "\(machine.cache.count)"]
            )
            resumeSyncWaiters()
        }
        return output.next ?? machine.watchEnded()
    }

    private func watch(from version: String) async -> ReflectorStateMachine<Object>.Request {
        watchRequests += 1
        let base = Int(options.watchTimeout.seconds.rounded())
        let timeout = max(1, base + Int.random(in: 0..<max(1, base), using: &random))
        do {
            let events = try await client.watch(
                Object.self,
                namespace: options.namespace,
                options: ListOptions(
                    labelSelector: options.labelSelector,
                    fieldSelector: options.fieldSelector,
                    resourceVersion: version
                ),
                timeoutSeconds: timeout
            )
            for try await event in events {
                let output = machine.watchEventReceived(Self.forCache(event), random: &random)
                deliver(output)
                if let next = output.next {
                    if machine.isListing {
                        logger.info(
                            "watch history expired, relisting",
                            metadata: ["kube.kind": "\(Object.kind)", "kube.resourceVersion": "\(version)"]
                        )
                    }
                    return next
                }
            }
            return machine.watchEnded()
        } catch {
            if Task.isCancelled { return machine.watchEnded() }
            let output = fail(error, during: "watch")
            deliver(output)
            return output.next ?? machine.watchEnded()
        }
    }

    private func fail(_ error: any Error, during step: String) -> ReflectorStateMachine<Object>.Output {
        let failure: ReflectorStateMachine<Object>.Failure
        if let error = error as? KubeAPIError, error.isGone {
            failure = .gone
            logger.info(
                "resourceVersion expired, relisting",
                metadata: ["kube.kind": "\(Object.kind)", "kube.step": "\(step)"]
            )
        } else {
            failure = .other("\(error)")
            logger.debug(
                "informer request failed, backing off",
                metadata: ["kube.kind": "\(Object.kind)", "kube.step": "\(step)", "kube.error": "\(error)"]
            )
        }
        return machine.requestFailed(failure, random: &random)
    }
}

/// The continuations of tasks waiting for the first sync, behind a lock.
final class SyncWaiters: Sendable {
    let waiting = Mutex<[Int: CheckedContinuation<Void, Never>]>([:])
}
