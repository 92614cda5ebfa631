import Foundation
import Testing

/// `swiftlb announce --realtime-priority` in a network namespace: granted (root), its loop thread
/// alone is SCHED_RR; refused (CAP_SYS_NICE dropped with setpriv), one warning with the errno and
/// the announcer still answers.
@Suite(.serialized, .enabled(if: Lab.isRoot, "needs root to create network namespaces"),
       .timeLimit(.minutes(1)))
struct RealtimeNamespaceTests {
    static let ip = "192.0.2.10"

    @Test func grantedPriorityRaisesOnlyTheAnnouncerThread() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: NamespaceTests.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip], extra: ["--realtime-priority", "20"])
            let ready = try await announcer.waitForLine("ready") { $0.contains("msg=ready") }
            let line = try await announcer.waitForLine("real-time line") { $0.contains("scheduled real-time") }
            #expect(line.contains("policy=SCHED_RR") && line.contains("priority=20"))
            let pid = try #require(Int32(field("pid", in: ready)))
            let thread = try #require(Int32(field("thread_id", in: line)))
            #expect(try kernelScheduling(pid: pid, thread: thread) == [SCHED_RR, 20])
            #expect(try kernelScheduling(pid: pid, thread: pid) == [SCHED_OTHER, 0])
            let answered = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(answered.stdout) == [NamespaceTests.ourMAC])
            let (status, counters) = await announcer.stop()
            #expect(status == 0)
            #expect(counter("swiftlb_layer2_realtime_priority", in: counters) == 20)
        }
    }

    @Test func refusedPriorityWarnsWithTheErrnoAndKeepsAnswering() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: NamespaceTests.ourMAC)
            let announcer = try lab.start(
                ["ip", "netns", "exec", speaker, "setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice",
                 Lab.swiftlb, "announce", "--interface", "eth0", "--ip", Self.ip, "--realtime-priority", "20"],
                name: "announcer without CAP_SYS_NICE")
            let warning = try await announcer.waitForLine("refusal") { $0.contains("real-time scheduling refused") }
            #expect(warning.contains("level=warning") && warning.contains("errno=1") && warning.contains("EPERM"))
            _ = try await announcer.waitForLine("ready") { $0.contains("msg=ready") }
            let answered = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(answered.stdout) == [NamespaceTests.ourMAC])
            let (status, counters) = await announcer.stop()
            #expect(status == 0)
            #expect(counter("swiftlb_layer2_realtime_priority", in: counters) == 0)
            #expect(announcer.lines.filter { $0.contains("real-time") }.count == 1)
        }
    }

    /// A logfmt field's value (unquoted or quoted).
    func field(_ key: String, in line: String) -> String {
        guard let range = line.range(of: " \(key)=") else { return "" }
        let rest = line[range.upperBound...]
        if rest.first == "\"" { return String(rest.dropFirst().prefix { $0 != "\"" }) }
        return String(rest.prefix { $0 != " " })
    }

    /// [policy, rt_priority] of a thread (`/proc/PID/task/TID/stat` fields 41 and 40, proc(5)).
    func kernelScheduling(pid: Int32, thread: Int32) throws -> [Int32] {
        let text = try String(contentsOfFile: "/proc/\(pid)/task/\(thread)/stat", encoding: .utf8)
        let fields = try #require(text.split(separator: ")").last).split(separator: " ")
        return [try #require(Int32(fields[41 - 3])), try #require(Int32(fields[40 - 3]))]
    }
}
