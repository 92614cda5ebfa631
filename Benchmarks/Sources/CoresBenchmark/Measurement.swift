#if canImport(Glibc)
import Glibc
#endif

/// One timed run: wall-clock seconds and this thread's CPU seconds.
///
/// The build machine is shared (load averages of 4x its cores are common), so wall time
/// includes time spent descheduled. The targets are "on one core", which is what the
/// thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) measures; both are printed and the verdict
/// uses CPU time.
struct Timing {
    var wall: Double
    var cpu: Double
}

/// Timing and reporting helpers: one printed line per figure, `cores <name> key=value ...`.
enum Measurement {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Runs `body` once and returns its wall and CPU time.
    static func time(_ body: () -> Void) -> Timing {
        let clock = ContinuousClock()
        let cpuStart = threadCPUSeconds()
        let wall = seconds(clock.measure(body))
        return Timing(wall: wall, cpu: threadCPUSeconds() - cpuStart)
    }

    /// The value at quantile `q` (0...1) of `samples`, nearest-rank.
    static func quantile(_ samples: [Double], _ q: Double) -> Double {
        let sorted = samples.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }

    static func format(_ value: Double, digits: Int = 4) -> String {
        var multiplier = 1.0
        for _ in 0..<digits { multiplier *= 10 }
        let scaled = (value * multiplier).rounded() / multiplier
        return "\(scaled)"
    }

    /// `cores <figure> <fields> cpu_seconds=… wall_seconds=… target<=… ok|OVER`.
    /// Without a target the figure is informational.
    static func report(_ figure: String, _ fields: String, _ timing: Timing, target: Double?) {
        let judged = target.map { "target<=\(format($0)) " + (timing.cpu <= $0 ? "ok" : "OVER") } ?? "info"
        print("cores \(figure) \(fields) cpu_seconds=\(format(timing.cpu)) wall_seconds=\(format(timing.wall)) \(judged)")
    }

    /// Median and p99 in milliseconds of CPU and wall time; the verdict uses the CPU p99.
    static func reportDistribution(_ figure: String, _ fields: String, samples: [Timing], targetMilliseconds: Double) {
        let cpu = samples.map { $0.cpu * 1000 }
        let wall = samples.map { $0.wall * 1000 }
        let verdict = quantile(cpu, 0.99) <= targetMilliseconds ? "ok" : "OVER"
        print("cores \(figure) \(fields) runs=\(samples.count) "
            + "cpu_median_ms=\(format(quantile(cpu, 0.5))) cpu_p99_ms=\(format(quantile(cpu, 0.99))) "
            + "wall_median_ms=\(format(quantile(wall, 0.5))) wall_p99_ms=\(format(quantile(wall, 0.99))) "
            + "target<=\(format(targetMilliseconds))ms \(verdict)")
    }

    /// A plain value figure.
    static func reportValue(_ figure: String, _ fields: String, value: Double, unit: String, target: Double) {
        let verdict = value <= target ? "ok" : "OVER"
        print("cores \(figure) \(fields) \(unit)=\(format(value, digits: 1)) target<=\(format(target, digits: 1)) \(verdict)")
    }

    /// Peak resident set size of this process in MB (`VmHWM` in /proc/self/status).
    static func peakRSSMegabytes() -> Double? {
        guard let status = try? String(contentsOfFileAtPath: "/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.filter(\.isNumber)
            if let kilobytes = Double(String(digits)) { return kilobytes / 1024 }
        }
        return nil
    }
}

extension String {
    /// Reads a small text file without Foundation.
    init(contentsOfFileAtPath path: String) throws {
        guard let file = fopen(path, "r") else { throw FileReadError(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

struct FileReadError: Error {
    var path: String
}
