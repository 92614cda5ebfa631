import Addressing
@testable import Announcer
import Foundation
import Packets
import Testing

/// The early-takeover probe on real frames: a prober (`swiftlb announce --control-stdin`,
/// line `probe IP…`) in one namespace asks for IPs answered by another announcer, by the
/// client's kernel (the IP configured on its bridge), and by nobody.
@Suite(.serialized, .enabled(if: Lab.isRoot, "needs root to create network namespaces"),
       .timeLimit(.minutes(1)))
struct AddressProbeTests {
    static let proberMAC = "02:00:00:00:00:0d"
    static let ownerMAC = "02:00:00:00:00:0b"
    static let clientMAC = "02:00:00:00:00:01"

    @Test func answeredByAnAnnouncerOrTheKernelAndDarkWhenNobodyHasTheIP() async throws {
        try await Lab.with { lab in
            let owner = try await lab.addSpeaker("o", mac: Self.ownerMAC)
            let prober = try await lab.addSpeaker("p", mac: Self.proberMAC)
            // The IPv6 probe comes from the link-local address: wait (bounded) until DAD is done.
            var linkLocal = ""
            for _ in 0..<100 {
                linkLocal = try await Command.must(["ip", "-n", prober, "-6", "addr", "show", "dev", "eth0", "scope", "link"]).stdout
                if linkLocal.contains("fe80::") && !linkLocal.contains("tentative") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(linkLocal.contains("fe80::") && !linkLocal.contains("tentative"), "\(linkLocal)")
            _ = try await lab.startAnnouncer(in: owner, ips: ["192.0.2.10", "2001:db8::10"])
            let probe = try await lab.startAnnouncer(in: prober, ips: ["192.0.2.99"], extra: ["--control-stdin"])

            try probe.send(line: "probe 192.0.2.10 192.0.2.1 192.0.2.20 2001:db8::10 2001:db8::1 2001:db8::20")
            let line = try await probe.waitForLine("probe result") { $0.contains("msg=probed") }
            let answered = Self.field("answered", in: line).split(separator: ",").map(String.init)
            #expect(Set(answered) == [
                "192.0.2.10@\(Self.ownerMAC)", "192.0.2.1@\(Self.clientMAC)",
                "2001:db8::10@\(Self.ownerMAC)", "2001:db8::1@\(Self.clientMAC)",
            ], "\(line)")
            #expect(Set(Self.field("dark", in: line).split(separator: ",")) == ["192.0.2.20", "2001:db8::20"], "\(line)")
            // Answered IPs are not asked again: 6 first-round frames, then 3 per round for the 2 dark IPs... at most.
            let frames = Int(Self.field("frames", in: line)) ?? 0
            #expect(frames >= 6 && frames <= 6 + 2 * 2, "\(line)")

            // Only dark IPs: dark, with every round sent.
            try probe.send(line: "probe 192.0.2.20")
            let dark = try await probe.waitForLine("second probe result", occurrence: 2) { $0.contains("msg=probed") }
            #expect(Self.field("answered", in: dark).isEmpty, "\(dark)")
            #expect(Self.field("dark", in: dark) == "192.0.2.20")
            #expect(Self.field("frames", in: dark) == "3")
        }
    }

    /// The value of `key=` in a logfmt line (quoted or bare).
    static func field(_ key: String, in line: String) -> String {
        guard let range = line.range(of: " \(key)=") else { return "" }
        let rest = line[range.upperBound...]
        if rest.hasPrefix("\"") {
            return String(rest.dropFirst().prefix { $0 != "\"" })
        }
        return String(rest.prefix { $0 != " " })
    }
}

/// The probe frames and what counts as an answer, without the wire.
@Suite struct ProbeFramesTests {
    static let mac = MACAddress(0x0200_0000_000D)
    static let other = MACAddress(0x0200_0000_000B)
    static let ip = IPv4Address(192, 0, 2, 10)
    static let ip6 = IPv6Address("2001:db8::10")!
    static let linkLocal = IPv6Address("fe80::d")!

    @Test func theARPProbeIsAnRFC5227ProbeThatClaimsNothing() throws {
        let frame = ProbeFrames.arp(for: Self.ip, mac: Self.mac)
        let decoded = try Frame(decoding: frame.encoded())
        #expect(decoded.ethernet.destination == .broadcast)
        guard case .arp(let arp) = decoded.payload else { Issue.record("not ARP"); return }
        #expect(arp.isProbe && arp.targetIP == Self.ip && arp.senderMAC == Self.mac && arp.targetMAC == .zero)
        #expect(ProbeFrames.claim(in: decoded, ourMACs: []) == nil, "a probe from 0.0.0.0 claims no address")
    }

    @Test func theNeighborSolicitationGoesToTheSolicitedNodeGroupWithOurLinkLayerAddress() throws {
        let frame = ProbeFrames.neighborSolicitation(for: Self.ip6, mac: Self.mac, linkLocal: Self.linkLocal)
        let decoded = try Frame(decoding: frame.encoded())
        #expect(decoded.ethernet.destination == Self.ip6.solicitedNodeMulticast.multicastMAC)
        guard case .neighborDiscovery(let packet) = decoded.payload, case .solicitation(let ns) = packet.message else {
            Issue.record("not an NS")
            return
        }
        #expect(packet.source == Self.linkLocal && packet.destination == Self.ip6.solicitedNodeMulticast)
        #expect(ns.target == Self.ip6 && ns.sourceLinkLayerAddress == Self.mac)
        #expect(ProbeFrames.claim(in: decoded, ourMACs: []) == nil)
        let noLinkLocal = NetworkInterface(index: 2, name: "eth0", mac: Self.mac, flags: NetworkInterface.flagUp)
        #expect(ProbeFrames.probe(for: .v6(Self.ip6), on: noLinkLocal) == nil, "no link-local address: cannot ask")
        #expect(ProbeFrames.probe(for: .v4(Self.ip), on: noLinkLocal) != nil)
    }

    @Test func repliesGratuitousAnnouncementsAndAdvertisementsFromOthersAreClaims() {
        let reply = Frame(
            ethernet: EthernetHeader(destination: Self.mac, source: Self.other, etherType: EtherType.arp),
            payload: .arp(ARPPacket(operation: .reply, senderMAC: Self.other, senderIP: Self.ip,
                                    targetMAC: Self.mac, targetIP: IPv4Address(0))))
        let claim = ProbeFrames.claim(in: reply, ourMACs: [Self.mac])
        #expect(claim?.address == .v4(Self.ip) && claim?.mac == Self.other)
        #expect(ProbeFrames.claim(in: reply, ourMACs: [Self.other]) == nil, "our own frames are never an answer")
        let gratuitous = GratuitousFrames.arp(for: Self.ip, mac: Self.other)[0]
        #expect(ProbeFrames.claim(in: gratuitous, ourMACs: [Self.mac])?.address == .v4(Self.ip))
        let na = GratuitousFrames.neighborAdvertisement(for: Self.ip6, mac: Self.other, source: Self.ip6)
        #expect(ProbeFrames.claim(in: na, ourMACs: [Self.mac])?.mac == Self.other)

        var sessions = ProbeSessions()
        let id = sessions.begin([.v4(Self.ip), .v6(Self.ip6)])
        let unrelated = sessions.begin([.v4(IPv4Address(192, 0, 2, 20))])
        sessions.observe(reply, ourMACs: [Self.mac])
        sessions.observe(na, ourMACs: [Self.mac])
        #expect(sessions.answered(id) == [.v4(Self.ip): Self.other, .v6(Self.ip6): Self.other])
        #expect(sessions.end(unrelated).isEmpty)
        #expect(sessions.end(id).count == 2)
        #expect(sessions.isEmpty)
    }
}
