import Foundation
import Testing

/// Real frames between real network namespaces: the `swiftlb announce` binary in a speaker
/// namespace, iputils `arping`, `ndisc6` and the kernel's neighbour table in a client namespace.
@Suite(.serialized, .enabled(if: Lab.isRoot, "needs root to create network namespaces"),
       .timeLimit(.minutes(1)))
struct NamespaceTests {
    static let ourMAC = "02:00:00:00:00:0b"
    static let otherMAC = "02:00:00:00:00:0c"
    static let ip = "192.0.2.10"
    static let ipv6 = "2001:db8::10"

    @Test func arpingGetsExactlyOneReplyUntilTheAnnouncerStops() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip])
            let answered = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(answered.status == 0, "\(answered.stdout)")
            #expect(arpingReplyMACs(answered.stdout) == [Self.ourMAC])
            #expect(answered.stdout.contains("Received 1 response(s)"))
            _ = try await announcer.waitForLine("answered line") {
                $0.contains("msg=answered") && $0.contains("ip=\(Self.ip)") && $0.contains("requester_ip=192.0.2.1")
                    && $0.contains("protocol=arp")
            }

            let (status, counters) = await announcer.stop()
            #expect(status == 0)
            #expect(counter("metallb_layer2_requests_received", ip: Self.ip, in: counters) == 1)
            #expect(counter("metallb_layer2_responses_sent", ip: Self.ip, in: counters) == 1)
            #expect((counter("metallb_layer2_gratuitous_sent", ip: Self.ip, in: counters) ?? 0) >= 2)

            let silent = try await lab.client(["arping", "-c", "1", "-w", "1", "-I", "br0", Self.ip])
            #expect(silent.status != 0)
            #expect(arpingReplyMACs(silent.stdout).isEmpty)
        }
    }

    @Test func neighbourTableLearnsTheMACFromTheGratuitousBurstAlone() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            // Linux creates entries from unsolicited ARP only with arp_accept.
            _ = try await Command.must(["ip", "netns", "exec", lab.client, "sysctl", "-qw",
                                        "net.ipv4.conf.br0.arp_accept=1"])
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip])
            // Read the neighbour table (bounded) once the burst has started.
            _ = try await announcer.waitForLine("first gratuitous round") { $0.contains("msg=gratuitous") }
            var learned = ""
            for _ in 0..<40 where !learned.contains(Self.ourMAC) {
                learned = try await Command.must(["ip", "-n", lab.client, "neigh", "show", Self.ip, "dev", "br0"]).stdout
                if !learned.contains(Self.ourMAC) { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(learned.contains("lladdr \(Self.ourMAC)"), "neighbour table: \(learned)")
            let (_, counters) = await announcer.stop()
            // The client never asked: the entry came from the burst.
            #expect(counter("metallb_layer2_requests_received", ip: Self.ip, in: counters) == nil)
        }
    }

    @Test func ndisc6SolicitationIsAnsweredWithOurMAC() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ipv6])
            // The NIC filter accepts the solicited-node group's MAC (joined through IPV6_JOIN_GROUP).
            let groups = try await Command.must(["ip", "-n", speaker, "maddr", "show", "dev", "eth0"]).stdout
            #expect(groups.contains("33:33:ff:00:00:10"))
            #expect(groups.contains("ff02::1:ff00:10"))
            let answer = try await lab.client(["ndisc6", "-1", "-r", "3", Self.ipv6, "br0"])
            #expect(answer.status == 0, "\(answer.stdout)")
            #expect(answer.stdout.lowercased().contains("target link-layer address: \(Self.ourMAC)"))
            _ = try await announcer.waitForLine("answered NS") {
                $0.contains("msg=answered") && $0.contains("protocol=ndp")
            }
            // The kernel's own neighbour discovery (ping) learns it too.
            _ = try await lab.client(["ping", "-6", "-c", "1", "-W", "1", Self.ipv6])
            let neighbours = try await Command.must(["ip", "-n", lab.client, "-6", "neigh", "show", Self.ipv6]).stdout
            #expect(neighbours.contains("lladdr \(Self.ourMAC)"), "\(neighbours)")
            let (_, counters) = await announcer.stop()
            #expect((counter("metallb_layer2_responses_sent", ip: Self.ipv6, in: counters) ?? 0) >= 2)
        }
    }

    /// Ownership moving at run time: a withdrawn IP is not answered from the next request on,
    /// and announcing it again answers (and sends a new burst) at once.
    @Test func withdrawStopsAnsweringAtOnceAndAnnounceResumes() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip], extra: ["--control-stdin"])
            let before = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(before.stdout) == [Self.ourMAC])
            try announcer.send(line: "withdraw \(Self.ip)")
            _ = try await announcer.waitForLine("withdrawn") { $0.contains("msg=withdrawn") }
            let gone = try await lab.client(["arping", "-c", "1", "-w", "1", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(gone.stdout).isEmpty, "\(gone.stdout)")
            try announcer.send(line: "announce \(Self.ip)")
            _ = try await announcer.waitForLine("announced") { $0.contains("msg=announced") }
            let back = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(back.stdout) == [Self.ourMAC])
            let (_, counters) = await announcer.stop()
            #expect(counter("metallb_layer2_responses_sent", ip: Self.ip, in: counters) == 2)
        }
    }

    /// The solicited-node group is joined while an IPv6 address is owned and left when it goes.
    @Test func solicitedNodeGroupFollowsOwnership() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ipv6], extra: ["--control-stdin"])
            func groups() async throws -> String {
                try await Command.must(["ip", "-n", speaker, "maddr", "show", "dev", "eth0"]).stdout
            }
            #expect(try await groups().contains("ff02::1:ff00:10"))
            try announcer.send(line: "withdraw \(Self.ipv6)")
            _ = try await announcer.waitForLine("withdrawn") { $0.contains("msg=withdrawn") }
            #expect(try await !groups().contains("ff02::1:ff00:10"))
            try announcer.send(line: "announce \(Self.ipv6)")
            _ = try await announcer.waitForLine("announced") { $0.contains("msg=announced") }
            #expect(try await groups().contains("ff02::1:ff00:10"))
            _ = await announcer.stop()
        }
    }

    @Test func interfaceDownAndUpKeepsAnswering() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip])
            try await Command.must(["ip", "-n", speaker, "link", "set", "eth0", "down"])
            _ = try await announcer.waitForLine("interface down") {
                $0.contains("stopped announcing on interface") && $0.contains("reason=down")
            }
            let whileDown = try await lab.client(["arping", "-c", "1", "-w", "1", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(whileDown.stdout).isEmpty)
            try await Command.must(["ip", "-n", speaker, "link", "set", "eth0", "up"])
            _ = try await announcer.waitForLine("interface back", occurrence: 2) {
                $0.contains("msg=\"announcing on interface\"") && $0.contains("interface=eth0")
            }
            let answered = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(answered.stdout) == [Self.ourMAC], "\(answered.stdout)")
            let (status, _) = await announcer.stop()
            #expect(status == 0)
        }
    }

    @Test func secondAnnouncerWithAnotherMACIsReportedAsAConflict() async throws {
        try await Lab.with { lab in
            let first = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let second = try await lab.addSpeaker("t", mac: Self.otherMAC)
            let ours = try await lab.startAnnouncer(in: first, ips: [Self.ip, Self.ipv6])
            let theirs = try await lab.startAnnouncer(in: second, ips: [Self.ip, Self.ipv6])
            let line = try await ours.waitForLine("IPv4 conflict") {
                $0.contains("msg=\"address conflict\"") && $0.contains("ip=\(Self.ip) ")
            }
            #expect(line.contains("foreign_mac=\(Self.otherMAC)"))
            #expect(line.contains("our_mac=\(Self.ourMAC)"))
            _ = try await ours.waitForLine("IPv6 conflict") {
                $0.contains("msg=\"address conflict\"") && $0.contains("ip=\(Self.ipv6) ")
            }
            let (_, counters) = await ours.stop()
            #expect((counter("swiftlb_layer2_conflicts", ip: Self.ip, in: counters) ?? 0) >= 1)
            #expect((counter("swiftlb_layer2_conflicts", ip: Self.ipv6, in: counters) ?? 0) >= 1)
            _ = await theirs.stop()
        }
    }

    /// Frames that pass the capture filter but are not valid ARP/NDP.
    static let malformedFrames = [
        // ARP cut after 10 bytes of payload.
        "ffffffffffff0200000000010806000108000604000102000000",
        // ARP for IEEE 802 hardware (htype 6).
        "ffffffffffff020000000001080600060800060400010200000000010a0000010000000000000a00000a",
        // Unicast NS (neighbour unreachability detection) with a wrong ICMPv6 checksum; unicast
        // because the bridge's MLD snooping drops multicast ICMPv6 whose checksum fails.
        "02000000000b0200000000a086dd6000000000203aff" + "fe800000000000000000000000000001"
            + "20010db8000000000000000000000010" + "87001234000000002001" + "0db8000000000000000000000010"
            + "01010200000000a0",
        // Unicast IPv6 whose payload length runs past the end.
        "02000000000b0200000000a086dd6000000000ff3aff" + "fe800000000000000000000000000001"
            + "20010db8000000000000000000000010" + "8700",
    ]

    @Test func malformedFramesAreCountedAndIgnored() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip, Self.ipv6],
                                                         extra: ["--log-level", "debug"])
            let sent = try await lab.client([Lab.swiftlb, "announce-inject", "--interface", "br0", "--count", "5"]
                                            + Self.malformedFrames)
            #expect(sent.status == 0, "\(sent.stderr)")
            // Still alive and answering after the garbage (frames are handled in order).
            let answered = try await lab.client(["arping", "-c", "1", "-w", "2", "-I", "br0", Self.ip])
            #expect(arpingReplyMACs(answered.stdout) == [Self.ourMAC])
            let (status, counters) = await announcer.stop()
            #expect(status == 0)
            #expect(counter("swiftlb_layer2_malformed_frames", in: counters) == UInt64(5 * Self.malformedFrames.count))
            #expect(announcer.lines.contains { $0.contains("malformed frame dropped") && $0.contains("bad ICMPv6 checksum") })
        }
    }

    /// ARP request for 192.0.2.10 from br0 (02:00:00:00:00:01, 192.0.2.1), padded to 60 bytes.
    static let arpRequest = "ffffffffffff020000000001080600010800060400010200000000" + "01c0000201"
        + "000000000000c000020a" + String(repeating: "00", count: 18)

    /// A back-to-back burst engages the loop's busy poll (requests far closer than its 1 ms
    /// window, which is wider than the debug build's per-request work with a log line each);
    /// every request is answered, the counters show spins that found requests, and once the
    /// burst is over the loop sleeps in poll(2) again: the process uses (almost) no CPU while idle.
    @Test func floodIsAnsweredAndTheLoopSleepsAgainAfterwards() async throws {
        try await Lab.with { lab in
            let speaker = try await lab.addSpeaker("s", mac: Self.ourMAC)
            let announcer = try await lab.startAnnouncer(in: speaker, ips: [Self.ip],
                                                         extra: ["--busy-poll-microseconds", "1000"])
            let requests = 5000
            let sent = try await lab.client([Lab.swiftlb, "announce-inject", "--interface", "br0",
                                             "--count", "\(requests)", Self.arpRequest])
            #expect(sent.status == 0, "\(sent.stderr)")
            _ = try await announcer.waitForLine("answered line \(requests)", occurrence: requests, timeout: .seconds(20)) {
                $0.contains("msg=answered") && $0.contains("ip=\(Self.ip)")
            }
            // `ip netns exec` execs the command, so this pid is the announcer itself.
            let comm = try String(contentsOfFile: "/proc/\(announcer.pid)/comm", encoding: .utf8)
            #expect(comm.trimmingCharacters(in: .whitespacesAndNewlines) == "swiftlb")
            let idleBefore = try processCPUTicks(announcer.pid)
            try await Task.sleep(for: .seconds(2))  // the measurement window, not a synchronisation
            let idleTicks = try processCPUTicks(announcer.pid) - idleBefore
            // A loop still spinning would use ~200 ticks (2 s at 100 Hz), or its share of a busy host.
            #expect(idleTicks <= 5, "announcer used \(idleTicks) ticks in 2 s without traffic")
            let (status, counters) = await announcer.stop()
            #expect(status == 0)
            #expect(counter("metallb_layer2_requests_received", ip: Self.ip, in: counters) == UInt64(requests))
            #expect(counter("metallb_layer2_responses_sent", ip: Self.ip, in: counters) == UInt64(requests))
            // The spin engaged: zero-timeout turns ran and found requests without a wake-up.
            #expect((counter("swiftlb_layer2_busy_poll_spins", in: counters) ?? 0) >= 1, "\(counters)")
            #expect((counter("swiftlb_layer2_busy_poll_hits", in: counters) ?? 0) >= 1, "\(counters)")
            #expect((counter("swiftlb_layer2_loop_wakeups", in: counters) ?? 0) >= 1, "\(counters)")
        }
    }
}

/// utime + stime of a process, in clock ticks (`/proc/PID/stat` fields 14 and 15; the command
/// name in field 2 is parenthesised and may contain spaces, so fields are counted after it).
func processCPUTicks(_ pid: Int32) throws -> Int {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    guard let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (state); utime is field 14 → fields[11], stime field 15 → fields[12].
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
    return user + system
}
