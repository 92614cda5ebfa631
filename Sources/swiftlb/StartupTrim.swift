import Logging
import ProcessMemory

/// Drops the pages a daemon's start-up touched, once, `delay` seconds after it started
/// (`ResidentSetTrim`): what stays resident is the steady-state working set. 0 turns it off.
enum StartupTrim {
    static let help = "Seconds after start to drop the memory pages only start-up used (0: never)."

    static func schedule(after delay: Double, logger: Logger) -> Task<Void, Never>? {
        guard delay > 0 else { return nil }
        return Task {
            do { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) } catch { return }
            guard let report = ResidentSetTrim.run() else { return }
            logger.info("start-up pages dropped", metadata: [
                "rss_before_kb": "\(report.residentBeforeKB)", "rss_after_kb": "\(report.residentAfterKB)",
                "file_before_kb": "\(report.fileBeforeKB)", "file_after_kb": "\(report.fileAfterKB)",
                "mappings": "\(report.mappings)",
            ])
        }
    }
}
