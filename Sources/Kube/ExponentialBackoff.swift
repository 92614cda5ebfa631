/// Exponential backoff with jitter, as client-go's `wait.Backoff` used by reflectors
/// (initial 800 ms, factor 2, jitter 1.0, capped at 30 s).
///
/// Pure: the random generator is a parameter, so tests are deterministic.
public struct ExponentialBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// Each delay is stretched by a random fraction in `0..<jitter` of itself.
    public var jitter: Double
    /// Delays handed out since the last `reset()`.
    public private(set) var attempts = 0

    public init(
        initial: Duration = .milliseconds(800),
        maximum: Duration = .seconds(30),
        factor: Double = 2,
        jitter: Double = 1
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// The next delay: `initial × factor^attempts`, jittered, never above `maximum`.
    public mutating func next(using random: inout some RandomNumberGenerator) -> Duration {
        let base = min(
            initial.seconds * pow(factor, Double(min(attempts, 60))),
            maximum.seconds
        )
        attempts += 1
        let jittered = jitter > 0 ? base * (1 + Double.random(in: 0..<jitter, using: &random)) : base
        return .nanoseconds(Int64(min(jittered, maximum.seconds) * 1e9))
    }

    /// Back to `initial` after a success.
    public mutating func reset() {
        attempts = 0
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    for _ in 0..<Int(exponent) { result *= base }
    return result
}
