/// The decisions of a client-go reflector, as a pure state machine: results of list and
/// watch requests go in; cache changes to deliver and the next request come out.
///
/// - List in pages (`limit` + `continue`), then watch from the list's resourceVersion.
/// - Watch events and bookmarks advance the last seen resourceVersion; a watch that ends
///   (server timeout, dropped connection) resumes from it, so nothing is lost or repeated.
/// - 410 Gone (the history no longer reaches that version, as an HTTP status or as an
///   ERROR event) forces a relist; the relisted state is compared with the cache and only
///   the difference is delivered (ADDED/MODIFIED/DELETED), never unchanged objects.
/// - Failures wait with exponential backoff and jitter before the same step is retried.
///
/// See client-go tools/cache/reflector.go (`ListAndWatch`, `watchHandler`) for the model.
public struct ReflectorStateMachine<Object: KubeResource>: Sendable {
    /// The I/O the shell performs next.
    public enum Request: Sendable, Equatable {
        /// List a page; `continueToken` nil starts a fresh, consistent list.
        case list(continueToken: String?)
        /// Watch from this resourceVersion.
        case watch(resourceVersion: String)
        /// Wait, then perform `then`.
        indirect case wait(Duration, then: Request)
    }

    /// What a failed request means for the reflector.
    public enum Failure: Sendable, Equatable {
        /// 410: resourceVersion or continue token too old.
        case gone
        /// Anything else: network, 5xx, decoding.
        case other(String)
    }

    /// Cache changes to deliver, in order, and the next request (nil: keep reading the
    /// current watch).
    public struct Output: Sendable {
        public var events: [InformerEvent<Object>] = []
        public var next: Request?
    }

    public private(set) var cache: [String: Object] = [:]
    /// The resourceVersion a resumed watch starts from.
    public private(set) var lastResourceVersion: String?
    /// True once the first full list has been delivered.
    public private(set) var hasSynced = false
    public private(set) var backoff: ExponentialBackoff
    /// Pages of the list in progress.
    private var pendingItems: [Object] = []
    /// True while a list is in progress.
    public private(set) var isListing = false

    public init(backoff: ExponentialBackoff = ExponentialBackoff()) {
        self.backoff = backoff
    }

    /// The first request.
    public mutating func start() -> Request {
        startList()
    }

    private mutating func startList() -> Request {
        isListing = true
        pendingItems = []
        return .list(continueToken: nil)
    }

    /// A list page arrived. The last page replaces the cache and yields the difference.
    public mutating func listPageReceived(_ page: ObjectList<Object>) -> Output {
        pendingItems += page.items
        if let token = page.metadata.continue, !token.isEmpty {
            return Output(next: .list(continueToken: token))
        }
        isListing = false
        backoff.reset()
        var fresh: [String: Object] = [:]
        fresh.reserveCapacity(pendingItems.count)
        var events: [InformerEvent<Object>] = []
        for object in pendingItems {
            let key = object.key
            fresh[key] = object
            if let old = cache[key] {
                if old.metadata.resourceVersion != object.metadata.resourceVersion {
                    events.append(.modified(object))
                }
            } else {
                events.append(.added(object))
            }
        }
        for (key, old) in cache where fresh[key] == nil {
            events.append(.deleted(old))
        }
        pendingItems = []
        cache = fresh
        hasSynced = true
        let version = page.metadata.resourceVersion ?? lastResourceVersion ?? "0"
        lastResourceVersion = version
        return Output(events: events, next: .watch(resourceVersion: version))
    }

    /// A watch event arrived.
    public mutating func watchEventReceived(
        _ event: WatchEvent<Object>,
        random: inout some RandomNumberGenerator
    ) -> Output {
        switch event {
        case .added(let object), .modified(let object):
            backoff.reset()
            advance(to: object.metadata.resourceVersion)
            let key = object.key
            let old = cache[key]
            if let old, old.metadata.resourceVersion == object.metadata.resourceVersion {
                return Output()  // already known: a replay, not a change
            }
            cache[key] = object
            return Output(events: [old == nil ? .added(object) : .modified(object)])
        case .deleted(let object):
            backoff.reset()
            advance(to: object.metadata.resourceVersion)
            guard cache.removeValue(forKey: object.key) != nil else { return Output() }
            return Output(events: [.deleted(object)])
        case .bookmark(let version):
            advance(to: version)
            return Output()
        case .error(let status):
            let error = KubeAPIError(status: status)
            if error.isGone {
                return Output(next: startList())
            }
            return failed(.other(error.description), random: &random)
        }
    }

    /// The watch ended without an error (server-side timeout or a clean close): resume.
    public mutating func watchEnded() -> Request {
        .watch(resourceVersion: lastResourceVersion ?? "0")
    }

    /// A list or watch request failed (or a watch broke off with an error).
    public mutating func requestFailed(
        _ failure: Failure,
        random: inout some RandomNumberGenerator
    ) -> Output {
        failed(failure, random: &random)
    }

    private mutating func failed(_ failure: Failure, random: inout some RandomNumberGenerator) -> Output {
        switch failure {
        case .gone:
            // The continue token or resourceVersion expired: list again from scratch.
            return Output(next: startList())
        case .other:
            let delay = backoff.next(using: &random)
            let retry: Request
            if isListing || lastResourceVersion == nil {
                // A list cannot resume mid-way safely after a failure: start it over.
                retry = startList()
            } else {
                retry = .watch(resourceVersion: lastResourceVersion!)
            }
            return Output(next: .wait(delay, then: retry))
        }
    }

    private mutating func advance(to version: String?) {
        if let version, !version.isEmpty { lastResourceVersion = version }
    }
}
