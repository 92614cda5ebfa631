import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The timestamp formats of the Kubernetes API.
public enum KubeTime {
    /// `metav1.MicroTime` (`2006-01-02T15:04:05.000000Z`): Events' `eventTime` and
    /// `series.lastObservedTime`, Leases' `acquireTime`/`renewTime`. The API server's parser
    /// needs exactly six fractional digits.
    public static func microTime(_ date: Date) -> String {
        rfc3339(date, fractionDigits: 6)
    }

    /// `metav1.Time` (`2006-01-02T15:04:05Z`, RFC 3339 in seconds).
    public static func time(_ date: Date) -> String {
        rfc3339(date, fractionDigits: 0)
    }

    /// RFC 3339 in UTC with `fractionDigits` (0–9) digits of the second, truncated.
    ///
    /// Formatted with `gmtime_r`, not Foundation's `ISO8601FormatStyle`: on Linux that style
    /// builds a Gregorian calendar in the current time zone, which loads ICU's time-zone
    /// data, and a daemon that timestamps every log line with it keeps 1–2 MB of ICU tables
    /// and code resident for nothing (docs/controller.md, Memory).
    public static func rfc3339(_ date: Date, fractionDigits: Int) -> String {
        let digits = max(0, min(9, fractionDigits))
        // Whole microseconds first (about what a Double holds of today's time): truncating
        // the Double directly would turn a stored 0.04999995 into ".04" where the clock
        // said ".05". Clamped: no Date can make this trap.
        let scaled = (date.timeIntervalSince1970 * 1e6).rounded()
        let micros = scaled.isNaN ? 0 : Int64(max(-9e18, min(9e18, scaled)))
        let whole = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let nanos = (micros - whole * 1_000_000) * 1_000
        guard digits > 0 else { return format(Int(whole)) + "Z" }
        var divisor: Int64 = 1
        for _ in digits..<9 { divisor *= 10 }
        let text = String(nanos / divisor)
        return format(Int(whole)) + "." + String(repeating: "0", count: digits - text.count) + text + "Z"
    }

    private static func format(_ epochSeconds: Int) -> String {
        var time = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return "\(year)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
