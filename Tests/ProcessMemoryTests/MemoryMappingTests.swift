import Testing

@testable import ProcessMemory

/// Parsing `/proc/PID/smaps` and choosing what may be dropped. The fixture is cut from a real
/// `swiftlb members` process (lld build) plus the lines of kinds it did not have.
struct MemoryMappingTests {
    static let smaps = """
        55c13ec67000-55c13f539000 r--p 00000000 fe:00 16226146                   /usr/local/bin/swiftlb
        Size:               9032 kB
        Rss:                1508 kB
        Anonymous:             0 kB
        Private_Dirty:         0 kB
        VmFlags: rd mr mw me
        55c13f539000-55c141506000 r-xp 008d1000 fe:00 16226146                   /usr/local/bin/swiftlb
        Rss:               13484 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        55c141506000-55c141650000 r--p 0289d000 fe:00 16226146                   /usr/local/bin/swiftlb
        Rss:                1320 kB
        Private_Dirty:      1320 kB
        Anonymous:          1320 kB
        VmFlags: rd mr mw me ac
        55c141650000-55c143bee000 rw-p 029e6000 fe:00 16226146                   /usr/local/bin/swiftlb
        Rss:                3360 kB
        Anonymous:           472 kB
        55c143bee000-55c143c0f000 rw-p 00000000 00:00 0                          [heap]
        Rss:                 132 kB
        Anonymous:           132 kB
        7f2a10000000-7f2a10021000 rw-p 00000000 00:00 0
        Rss:                  12 kB
        7f2a1a2d0000-7f2a1a2f6000 r--p 00000000 fe:00 3160                       /usr/lib/x86_64-linux-gnu/libc.so.6
        Rss:                 152 kB
        Anonymous:             0 kB
        Private_Dirty:         0 kB
        7f2a1a4ca000-7f2a1a4cc000 r--s 00000000 00:0e 2245                       /dev/shm/shared segment
        Rss:                   8 kB
        Anonymous:             0 kB
        7f2a1a4d0000-7f2a1a4d2000 r-xp 00000000 fe:00 4711                       /tmp/replaced binary (deleted)
        Rss:                   8 kB
        Anonymous:             0 kB
        7ffd3f5e0000-7ffd3f5e2000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB
        """

    @Test func parsesEveryMappingWithItsCounters() {
        let mappings = MemoryMapping.parse(smaps: Self.smaps)
        #expect(mappings.count == 10)
        #expect(mappings[1] == MemoryMapping(
            start: 0x55c1_3f53_9000, end: 0x55c1_4150_6000, permissions: "r-xp", path: "/usr/local/bin/swiftlb",
            residentKB: 13484, anonymousKB: 0, privateDirtyKB: 0))
        #expect(mappings[2].anonymousKB == 1320)
        #expect(mappings[4].path == "[heap]")
        #expect(mappings[5].path == "")
        #expect(mappings[7].path == "/dev/shm/shared segment")
        #expect(mappings[8].path == "/tmp/replaced binary (deleted)")
    }

    @Test func onlyCleanReadOnlyPrivateFileMappingsMayBeDropped() {
        let chosen = MemoryMapping.parse(smaps: Self.smaps).filter(\.isCleanReadOnlyFile).map(\.start)
        // The binary's constants and code, and libc's constants; not RELRO (relocated), not
        // data, heap, anonymous, shared, deleted or kernel-provided mappings.
        #expect(chosen == [0x55c1_3ec6_7000, 0x55c1_3f53_9000, 0x7f2a_1a2d_0000])
    }

    @Test func malformedLinesLoseOnlyTheirOwnEntry() {
        let text = """
            zzzz-1000 r-xp 00000000 fe:00 1 /bin/broken
            Rss: 4 kB
            1000-2000 r-xp 00000000 fe:00 1 /bin/fine
            Rss: not-a-number kB
            Anonymous: 0 kB
            3000-2000 r-xp 00000000 fe:00 1 /bin/backwards
            \u{0}\u{1}garbage
            """
        let mappings = MemoryMapping.parse(smaps: text)
        #expect(mappings.map(\.path) == ["/bin/fine"])
        #expect(mappings[0].residentKB == 0)
    }

    @Test func statusGivesResidentAndFileBackedKilobytes() {
        let status = "Name:\tswiftlb\nVmHWM:\t   33000 kB\nVmRSS:\t   27572 kB\nRssAnon:\t    3276 kB\nRssFile:\t   24296 kB\n"
        #expect(ProcStatus.parse(status) == ProcStatus(residentKB: 27572, fileKB: 24296))
        #expect(ProcStatus.parse("VmRSS: 1 kB\n") == nil)
    }
}
