/// The Lifeguard suspicion timer of one member (memberlist suspicion.go).
///
/// The timer starts at `max` (or `min` when no confirmations are expected, k = 0). Each new
/// independent suspector n ≤ k moves the deadline to
/// max − ln(n+1)/ln(k+1) × (max − min), floored to milliseconds and never below min, measured
/// from the start (Lifeguard IV.B: the more members agree, the sooner the member is dead).
struct Suspicion: Hashable, Sendable {
    let k: Int
    let min: Duration
    let max: Duration
    let start: GossipInstant
    private(set) var confirmations: Set<String>
    private(set) var deadline: GossipInstant

    init(from suspector: String, k: Int, min: Duration, max: Duration, start: GossipInstant) {
        self.k = k
        self.min = min
        self.max = max
        self.start = start
        confirmations = [suspector]
        deadline = start + (k < 1 ? min : max)
    }

    /// The number of confirmations beyond the first suspector.
    var confirmationCount: Int { confirmations.count - 1 }

    /// Records an independent suspector.
    /// - Returns: true if `suspector` is new and counted (then the suspect message is re-gossiped).
    mutating func confirm(from suspector: String) -> Bool {
        guard confirmationCount < k, !confirmations.contains(suspector) else { return false }
        confirmations.insert(suspector)
        deadline = start + Self.timeout(confirmations: confirmationCount, k: k, min: min, max: max)
        return true
    }

    /// memberlist `remainingSuspicionTime` plus the elapsed time.
    static func timeout(confirmations n: Int, k: Int, min: Duration, max: Duration) -> Duration {
        let fraction = Logarithm.natural(Double(n) + 1) / Logarithm.natural(Double(k) + 1)
        let maxSeconds = max.seconds
        let raw = maxSeconds - fraction * (maxSeconds - min.seconds)
        let milliseconds = (1000 * raw).rounded(.down)
        let timeout = Duration.milliseconds(Int64(milliseconds))
        return Swift.max(timeout, min)
    }

    /// memberlist `suspicionTimeout`: mult × max(1, log10 n) × interval, with the scale
    /// truncated to thousandths as Go's `time.Duration(nodeScale*1000)` does.
    static func minimumTimeout(suspicionMult: Int, nodeCount: Int, probeInterval: Duration) -> Duration {
        let scale = Swift.max(1, Logarithm.base10(Double(Swift.max(1, nodeCount))))
        let thousandths = Int64((scale * 1000).rounded(.towardZero))
        return probeInterval * suspicionMult * thousandths / 1000
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
