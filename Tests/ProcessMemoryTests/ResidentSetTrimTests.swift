import Testing

@testable import ProcessMemory

/// Trims this test process for real: its code is mapped from the test binary, most of it
/// touched by the suites that ran before, so there are clean file pages to drop; the
/// process must go on running the code it unmapped.
struct ResidentSetTrimTests {
    @Test func trimmingDropsFilePagesAndTheProcessKeepsRunning() throws {
        let report = try #require(ResidentSetTrim.run())
        #expect(report.mappings > 0)
        #expect(report.fileAfterKB < report.fileBeforeKB)
        #expect(report.residentAfterKB < report.residentBeforeKB)
        // Code that was unmapped runs again (mapped back on use) and gives the same answers.
        let again = try #require(ResidentSetTrim.run())
        #expect(again.mappings > 0)
        #expect(MemoryMapping.parse(smaps: MemoryMappingTests.smaps).filter(\.isCleanReadOnlyFile).count == 3)
    }
}
