/// A moment on the shell's monotonic clock, as time elapsed since an origin the shell picks
/// (typically when it started). The core never reads a clock: every call takes `now`.
public struct GossipInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var sinceOrigin: Duration

    public init(sinceOrigin: Duration) { self.sinceOrigin = sinceOrigin }

    public static let origin = GossipInstant(sinceOrigin: .zero)

    public static func < (lhs: GossipInstant, rhs: GossipInstant) -> Bool { lhs.sinceOrigin < rhs.sinceOrigin }
    public static func + (lhs: GossipInstant, rhs: Duration) -> GossipInstant {
        GossipInstant(sinceOrigin: lhs.sinceOrigin + rhs)
    }
    public static func - (lhs: GossipInstant, rhs: GossipInstant) -> Duration { lhs.sinceOrigin - rhs.sinceOrigin }

    public var description: String { "\(sinceOrigin)" }
}
