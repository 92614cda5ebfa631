#if canImport(Glibc)
import Glibc
#endif

/// Drops the pages that start-up touched and steady state does not need.
///
/// A daemon's start-up (argument parsing, configuration, TLS set-up, decoding the first full
/// list of every object) runs code that it never runs again, and the kernel keeps each page
/// of it mapped: worse, a fault on file-backed code maps the whole 64 KB window around the
/// page (`fault_around_bytes`) when the page cache has it, so scattered start-up code costs
/// several times its size. On a 2-vCPU test VM that is about 11 MB of `swiftlb`'s 27 MB RSS.
///
/// After start-up this unmaps every clean read-only private file mapping
/// (`MADV_DONTNEED`), the same thing the kernel does to such pages under memory pressure,
/// only sooner: the pages stay in the page cache and whatever code still runs is mapped
/// again on its next use, so what remains resident is the steady-state working set. Pages
/// the process wrote (relocated RELRO, `.data`, heap) are never touched. `malloc_trim`
/// then returns the heap that start-up freed.
///
/// Part of it comes back: code that still runs is mapped again together with the cached
/// pages of the 64 KB window around it (fault-around), so RSS settles above the value right
/// after the trim, by how scattered that code is: 27.8 → 9.7 → 20.4 MB for a gossip member
/// before Linker/hot-code.order put the steady-state functions together.
/// Evicting the binary's page cache as well would keep it lower, but then a takeover's
/// first run reads its code from disk page by page, on the path failover time is made of.
public enum ResidentSetTrim {
    public struct Report: Sendable, Equatable {
        /// VmRSS and its file-backed part (RssFile) before and after, in KB.
        public var residentBeforeKB: Int
        public var residentAfterKB: Int
        public var fileBeforeKB: Int
        public var fileAfterKB: Int
        /// How many mappings were unmapped from the page tables.
        public var mappings: Int
    }

    /// Trims this process. Returns nil where `/proc/self` cannot be read (not Linux).
    public static func run() -> Report? {
        #if os(Linux)
        guard let before = ProcStatus.read(), let smaps = readFile("/proc/self/smaps") else { return nil }
        var trimmed = 0
        for mapping in MemoryMapping.parse(smaps: smaps) where mapping.isCleanReadOnlyFile && mapping.residentKB > 0 {
            if madvise(mapping.pointer, mapping.length, MADV_DONTNEED) == 0 { trimmed += 1 }
        }
        releaseFreeHeap()
        let after = ProcStatus.read() ?? before
        return Report(
            residentBeforeKB: before.residentKB, residentAfterKB: after.residentKB,
            fileBeforeKB: before.fileKB, fileAfterKB: after.fileKB, mappings: trimmed)
        #else
        return nil
        #endif
    }

    /// glibc's `malloc_trim(0)`: hands the free pages of every arena back to the kernel.
    /// Glibc's module map does not include `<malloc.h>`, so it is looked up at run time
    /// (and skipped on a C library without it, such as musl).
    private static func releaseFreeHeap() {
        #if os(Linux)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    /// Reads a whole `/proc` file (their size is not known in advance: `stat` says 0).
    static func readFile(_ path: String) -> String? {
        #if os(Linux)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return count == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes += chunk[0..<count]
        }
        #else
        return nil
        #endif
    }
}

/// VmRSS and RssFile of this process, from `/proc/self/status`.
struct ProcStatus: Equatable {
    var residentKB: Int
    var fileKB: Int

    static func read() -> ProcStatus? {
        ResidentSetTrim.readFile("/proc/self/status").flatMap(parse)
    }

    static func parse(_ text: String) -> ProcStatus? {
        var values: [Substring: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            guard key == "VmRSS" || key == "RssFile" else { continue }
            values[key] = Int(line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        guard let resident = values["VmRSS"], let file = values["RssFile"] else { return nil }
        return ProcStatus(residentKB: resident, fileKB: file)
    }
}
