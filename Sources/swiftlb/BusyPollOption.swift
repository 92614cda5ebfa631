import Announcer
import ArgumentParser

/// `--busy-poll-microseconds`, shared by `swiftlb announce` and `swiftlb speaker`: the
/// announcer's adaptive busy poll (docs/announcer.md, "Adaptive, bounded busy poll").
enum BusyPollOption {
    static let help = """
        After a frame, keep polling without sleeping for up to this many microseconds while requests \
        arrive faster than one per window and spinning finds them sooner than a wake-up would \
        (0 = always sleep: less CPU under floods, slower replies).
        """
    static let range = 0...10_000
    static let defaultMicroseconds = Int(Announcer.Configuration.defaultBusyPollWindow / .microseconds(1))

    /// The window, or a usage error naming the flag.
    static func window(_ microseconds: Int) throws(ValidationError) -> Duration {
        guard range.contains(microseconds) else {
            throw ValidationError(
                "--busy-poll-microseconds must be between \(range.lowerBound) and \(range.upperBound) (got \(microseconds))")
        }
        return .microseconds(microseconds)
    }
}
