import KubeJSON

/// Faults a test can switch on to see how clients cope with a misbehaving API server.
public struct FaultSettings: Sendable, Equatable {
    /// Answer this many of the next requests with `failureStatus` (a `Status` error).
    public var failNextRequests: Int = 0
    /// Fail this fraction (0…1) of requests at random, after `failNextRequests` is used up.
    public var failureFraction: Double = 0
    /// 500 InternalError by default; 503 and 429 are also useful.
    public var failureStatus: Int = 500
    /// Wait this long before answering every request (watch events are not delayed).
    public var responseDelay: Duration = .zero
    /// Hold every request (and watch event delivery) until resumed.
    public var paused: Bool = false

    public init() {}

    var json: JSONValue {
        let (seconds, attoseconds) = responseDelay.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return [
            "failNext": .int(Int64(failNextRequests)), "failFraction": .double(failureFraction),
            "failStatus": .int(Int64(failureStatus)), "delayMilliseconds": .int(milliseconds), "paused": .bool(paused),
        ]
    }

    static func reason(forStatus status: Int) -> String {
        switch status {
        case 429: "TooManyRequests"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "InternalError"
        }
    }
}
