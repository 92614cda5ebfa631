/// An `events.k8s.io/v1` Event. Repeats of the same event are folded into `series`
/// (count, lastObservedTime) instead of new objects; see `EventRecorder`.
public struct Event: KubeResource, Equatable {
    public static let apiVersion = "events.k8s.io/v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let namespaced = true

    public var apiVersion: String? = Event.apiVersion
    public var kind: String? = Event.kind
    public var metadata: ObjectMeta
    /// MicroTime (`2006-01-02T15:04:05.000000Z`), required by the API.
    public var eventTime: String?
    public var series: Series?
    public var reportingController: String?
    public var reportingInstance: String?
    public var action: String?
    public var reason: String?
    public var regarding: ObjectReference?
    public var related: ObjectReference?
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: String?

    public init(
        metadata: ObjectMeta,
        eventTime: String?,
        reportingController: String?,
        reportingInstance: String?,
        action: String?,
        reason: String?,
        regarding: ObjectReference?,
        note: String?,
        type: String?
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.note = note
        self.type = type
    }

    public struct Series: Codable, Sendable, Equatable {
        public var count: Int
        public var lastObservedTime: String

        public init(count: Int, lastObservedTime: String) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }
}
