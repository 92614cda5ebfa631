/// One mapping of the process's address space, as `/proc/PID/smaps` describes it.
///
/// Only what deciding "may these pages be dropped?" needs: the range, the permissions, the
/// file behind it and how many of its resident pages are private copies (written to).
public struct MemoryMapping: Equatable, Sendable {
    public var start: UInt
    public var end: UInt
    /// `r-xp`, `r--p`, `rw-p`, …
    public var permissions: String
    /// The file (an absolute path), a pseudo name such as `[heap]` or `[vdso]`, or empty.
    public var path: String
    public var residentKB: Int
    /// Pages that are the process's own copies: written after mapping (relocations, data).
    public var anonymousKB: Int
    public var privateDirtyKB: Int

    public init(start: UInt, end: UInt, permissions: String, path: String, residentKB: Int = 0, anonymousKB: Int = 0, privateDirtyKB: Int = 0) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.path = path
        self.residentKB = residentKB
        self.anonymousKB = anonymousKB
        self.privateDirtyKB = privateDirtyKB
    }

    /// A read-only private mapping of a file whose resident pages are all still the file's
    /// own (code, constants, symbol tables). Dropping them from the page tables loses
    /// nothing: the next access maps them again from the page cache. A mapping that was
    /// ever written (the loader's relocations in RELRO, `.data`) holds private copies
    /// (`Anonymous` > 0) and is never a candidate; neither is anything writable or shared,
    /// nor a kernel-provided pseudo mapping such as `[vdso]`.
    public var isCleanReadOnlyFile: Bool {
        permissions.count == 4
            && permissions.hasPrefix("r")
            && permissions.dropFirst().first == "-"
            && permissions.hasSuffix("p")
            && path.hasPrefix("/")
            && !path.hasSuffix(" (deleted)")
            && anonymousKB == 0
            && privateDirtyKB == 0
    }

    var pointer: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: start) }
    var length: Int { Int(end - start) }

    /// Parses the text of `/proc/PID/smaps`. Lines it does not know are skipped; a header
    /// line that cannot be read ends the mapping before it, so odd input loses one entry,
    /// never the process.
    public static func parse(smaps text: String) -> [MemoryMapping] {
        var mappings: [MemoryMapping] = []
        var current: MemoryMapping?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let header = header(line) {
                if let current { mappings.append(current) }
                current = header
                continue
            }
            guard current != nil, let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = Int(line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0
            switch key {
            case "Rss": current?.residentKB = value
            case "Anonymous": current?.anonymousKB = value
            case "Private_Dirty": current?.privateDirtyKB = value
            default: break
            }
        }
        if let current { mappings.append(current) }
        return mappings
    }

    /// `start-end perms offset dev inode [path]`; the path may contain spaces.
    private static func header(_ line: Substring) -> MemoryMapping? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5, fields[1].count == 4 else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), start < end else {
            return nil
        }
        let path = fields.count == 6 ? String(fields[5].drop { $0 == " " }) : ""
        return MemoryMapping(start: start, end: end, permissions: String(fields[1]), path: path)
    }
}
