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
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = min(999_999, Int(((seconds - whole) * 1_000_000).rounded(.down)))
        return format(Int(whole)) + "." + String(repeating: "0", count: 6 - String(micros).count) + "\(micros)Z"
    }

    /// `metav1.Time` (`2006-01-02T15:04:05Z`, RFC 3339 in seconds).
    public static func time(_ date: Date) -> String {
        format(Int(date.timeIntervalSince1970.rounded(.down))) + "Z"
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
