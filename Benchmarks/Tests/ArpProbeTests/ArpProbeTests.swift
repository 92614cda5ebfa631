import Addressing
import Packets
import Testing

@testable import arp_probe

/// The prober's pure parts: the frames it sends and how it reads answers (through the shared
/// `Packets` codecs), and the recorder's verdicts. The fixed byte vectors pin what goes on
/// the wire. The lab self-test (Scripts/test.d/20-lab-selftest.sh) covers the socket end to end.
@Suite struct ArpFrameTests {
    let client = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0xc8])!
    let node1 = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0x01])!
    let vip = IPv4Address(10, 99, 0, 100)

    func answer(_ bytes: [UInt8], for target: IPv4Address) throws -> ProbeAnswer? {
        try ProbeAnswer.decoding(bytes, for: .v4(target))
    }

    @Test func requestIsTheRFC826BroadcastAndIsNoAnswer() throws {
        let bytes = Frame.arpProbe(from: client, senderIP: IPv4Address(10, 99, 0, 200), asking: vip).encoded()
        let expected: [UInt8] = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x5b, 0x00, 0x00, 0x00, 0xc8, 0x08, 0x06,  // Ethernet
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  // Ethernet/IPv4, request
            0x02, 0x5b, 0x00, 0x00, 0x00, 0xc8, 10, 99, 0, 200,  // sender
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 99, 0, 100,  // target
        ]
        // The 42 bytes of the request, padded with zeros to the 60-byte Ethernet minimum.
        #expect(bytes == expected + [UInt8](repeating: 0, count: 18))
        #expect(try answer(bytes, for: vip) == nil)
        #expect(try answer(Array(bytes.prefix(42)), for: vip) == nil)
    }

    @Test func replyAndGratuitousAreClassified() throws {
        let reply = Frame(
            ethernet: EthernetHeader(destination: client, source: node1, etherType: EtherType.arp),
            payload: .arp(ARPPacket(
                operation: .reply, senderMAC: node1, senderIP: vip, targetMAC: client,
                targetIP: IPv4Address(10, 99, 0, 200))))
        #expect(try answer(reply.encoded() + [0, 0], for: vip) == ProbeAnswer(mac: node1, kind: .reply))
        #expect(try answer(reply.encoded(), for: IPv4Address(10, 99, 0, 11)) == nil)
        // keepalived's form: a broadcast request with sender IP == target IP.
        let garp: [UInt8] = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x5b, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
            0x02, 0x5b, 0x00, 0x00, 0x00, 0x01, 10, 99, 0, 100,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 10, 99, 0, 100,
        ]
        #expect(try answer(garp, for: vip) == ProbeAnswer(mac: node1, kind: .garp))
        // An ARP frame is no answer for an IPv6 target.
        #expect(try ProbeAnswer.decoding(garp, for: .v6(IPv6Address("fd99::100")!)) == nil)
    }

    @Test func malformedFramesAreTypedErrors() throws {
        let good = Array(Frame.arpProbe(from: client, senderIP: vip, asking: vip).encoded().prefix(42))
        #expect(throws: DecodeError(offset: 14, reason: .truncated(needed: 1))) {
            try answer(Array(good.prefix(41)), for: vip)
        }
        var ipv4 = good
        ipv4[12] = 0x08
        ipv4[13] = 0x00
        // Another EtherType is no answer (not ours to count as malformed), and no error.
        #expect(try answer(ipv4, for: vip) == nil)
        var hardware = good
        hardware[15] = 6  // IEEE 802 instead of Ethernet
        #expect(throws: DecodeError.self) { try answer(hardware, for: vip) }
        // An operation RFC 826 does not define is no answer, even in gratuitous form.
        #expect(try answer(good, for: vip) == ProbeAnswer(mac: client, kind: .garp))
        var operation = good
        operation[21] = 9
        #expect(try answer(operation, for: vip) == nil)
        // No byte pattern traps: every prefix of every single-byte corruption decodes or throws.
        for index in good.indices {
            var corrupted = good
            corrupted[index] ^= 0xff
            for length in [0, 14, 41, 42] {
                _ = try? answer(Array(corrupted.prefix(length)), for: vip)
            }
        }
    }

    @Test func addressesParseStrictly() throws {
        let options = { (target: String) throws in
            try ProbeOptions(arguments: ["--interface", "eth0", "--target", target]).target
        }
        #expect(try options("10.99.0.100") == .v4(vip))
        for bad in ["10.99.0.256", "10.99.0", "1.2.3.+4"] {
            #expect(throws: ProbeOptions.UsageError.self) { try options(bad) }
        }
        #expect(MACAddress("02:5B:00:00:00:01") == node1)
        #expect(MACAddress("02:5b:00:00:00") == nil)
        #expect(MACAddress("02:5b:00:00:00:001") == nil)
        #expect(MACAddress("02:5b:00:00:00:0g") == nil)
        #expect(node1.description == "02:5b:00:00:00:01")
    }
}

@Suite struct NeighborDiscoveryTests {
    let client = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0xc8])!
    let node1 = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0x01])!
    let clientIP = IPv6Address("fd99::200")!
    let vip = IPv6Address("fd99::100")!

    /// An advertisement as a node's kernel sends it, built independently of the codec.
    func advertisement(solicited: Bool, target: IPv6Address, checksumDelta: UInt16 = 0) -> [UInt8] {
        var icmp: [UInt8] = [136, 0, 0, 0, solicited ? 0x60 : 0x20, 0, 0, 0] + target.bytes + [2, 1] + node1.bytes
        let checksum =
            icmpv6Checksum(source: target, destination: clientIP, message: icmp, checksumOffset: 2) &+ checksumDelta
        icmp[2] = UInt8(checksum >> 8)
        icmp[3] = UInt8(checksum & 0xff)
        return client.bytes + [0x02, 0x5b, 0, 0, 0x01, 0x01] + [0x86, 0xdd, 0x60, 0, 0, 0, 0, UInt8(icmp.count), 58, 255]
            + target.bytes + clientIP.bytes + icmp
    }

    func answer(_ bytes: [UInt8], for target: IPv6Address) throws -> ProbeAnswer? {
        try ProbeAnswer.decoding(bytes, for: .v6(target))
    }

    @Test func solicitationGoesToTheSolicitedNodeGroupWithAValidChecksum() throws {
        let frame = Frame.neighborSolicitationProbe(from: client, source: clientIP, asking: vip).encoded()
        // Ethernet to 33:33:ff:00:01:00, IPv6 hop limit 255 from fd99::200 to ff02::1:ff00:100,
        // NS (135) for fd99::100 with checksum 0x7748 and our MAC as source link-layer address.
        let expected: [UInt8] = [
            0x33, 0x33, 0xff, 0x00, 0x01, 0x00, 0x02, 0x5b, 0x00, 0x00, 0x00, 0xc8, 0x86, 0xdd,
            0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0xff, 0x02, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x01, 0x00, 0x87, 0x00,
            0x77, 0x48, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x02, 0x5b, 0x00, 0x00,
            0x00, 0xc8,
        ]
        #expect(frame == expected)
        #expect(vip.solicitedNodeMulticast.description == "ff02::1:ff00:100")
        let message = Array(frame[54...])
        #expect(message.count == 32)
        #expect(message[0] == 135)
        #expect(frame[21] == 255)
        let group = IPv6Address(bytes: frame[38..<54])!
        #expect(icmpv6Checksum(source: clientIP, destination: group, message: message, checksumOffset: 2)
            == UInt16(message[2]) << 8 | UInt16(message[3]))
        // Our own solicitation is no answer.
        #expect(try answer(frame, for: vip) == nil)
    }

    @Test func advertisementsAreRepliesOrAnnouncements() throws {
        #expect(try answer(advertisement(solicited: true, target: vip), for: vip) == ProbeAnswer(mac: node1, kind: .reply))
        #expect(try answer(advertisement(solicited: false, target: vip), for: vip)
            == ProbeAnswer(mac: node1, kind: .unsolicitedNA))
        #expect(try answer(advertisement(solicited: true, target: clientIP), for: vip) == nil)
        #expect {
            try answer(advertisement(solicited: true, target: vip, checksumDelta: 1), for: vip)
        } throws: { error in
            guard let error = error as? DecodeError, case .badChecksum = error.reason else { return false }
            return true
        }
        var routed = advertisement(solicited: true, target: vip)
        routed[21] = 64
        #expect {
            try answer(routed, for: vip)
        } throws: { error in
            (error as? DecodeError)?.reason == .badHopLimit(64)
        }
        // Other IPv6 traffic on the socket (here: an ICMPv6 echo request) is no answer and no error.
        var echo = advertisement(solicited: true, target: vip)
        echo[54] = 128
        #expect(try answer(echo, for: vip) == nil)
        let good = advertisement(solicited: true, target: vip)
        for index in good.indices {
            var corrupted = good
            corrupted[index] ^= 0xff
            for length in [0, 54, 77, 78, good.count] {
                _ = try? answer(Array(corrupted.prefix(length)), for: vip)
            }
        }
    }
}

@Suite struct ProbeRecorderTests {
    let own = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0xc8])!
    let node1 = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0x01])!
    let node2 = MACAddress(bytes: [0x02, 0x5b, 0, 0, 0, 0x02])!

    @Test func changeIsTheFirstAnswerFromAnotherMac() {
        var recorder = ProbeRecorder(ownMac: own, initialMac: nil)
        _ = recorder.observe(ProbeAnswer(mac: node1, kind: .reply), seconds: 0.01, wallSeconds: 100.01, window: 0)
        _ = recorder.observe(ProbeAnswer(mac: own, kind: .reply), seconds: 0.02, wallSeconds: 100.02, window: 1)
        _ = recorder.observe(nil, seconds: 0.03, wallSeconds: 100.03, window: 1)
        #expect(recorder.initialMac == node1)
        #expect(recorder.change == nil)
        _ = recorder.observe(ProbeAnswer(mac: node2, kind: .garp), seconds: 3.1, wallSeconds: 103.1, window: 150)
        _ = recorder.observe(ProbeAnswer(mac: node2, kind: .reply), seconds: 3.11, wallSeconds: 103.11, window: 150)
        #expect(recorder.change == ProbeRecorder.Change(seconds: 3.1, wallSeconds: 103.1, mac: node2, window: 150))
        #expect(recorder.replies == 2)
        #expect(recorder.gratuitous == 1)
        #expect(recorder.unrelatedFrames == 2)
        #expect(recorder.macsInOrderSeen == [node1, node2])
        #expect(recorder.dualAnswerWindowsAfterChange == 0)
    }

    @Test func twoMacsAnsweringOneProbeAfterTheChangeAreCounted() {
        var recorder = ProbeRecorder(ownMac: own, initialMac: node1)
        _ = recorder.observe(ProbeAnswer(mac: node2, kind: .reply), seconds: 1, wallSeconds: 1, window: 50)
        _ = recorder.observe(ProbeAnswer(mac: node1, kind: .reply), seconds: 1.001, wallSeconds: 1.001, window: 50)
        _ = recorder.observe(ProbeAnswer(mac: node2, kind: .reply), seconds: 1.02, wallSeconds: 1.02, window: 51)
        _ = recorder.observe(ProbeAnswer(mac: node1, kind: .garp), seconds: 1.04, wallSeconds: 1.04, window: 52)
        _ = recorder.observe(ProbeAnswer(mac: node2, kind: .reply), seconds: 1.041, wallSeconds: 1.041, window: 52)
        #expect(recorder.dualAnswerWindowsAfterChange == 2)
        #expect(recorder.answeredWindowsAfterChange == 3)
    }
}

@Suite struct ProbeOptionsTests {
    @Test func parsesAWatchCommandLine() throws {
        let options = try ProbeOptions(arguments: [
            "--interface", "eth0", "--target", "fd99::100", "--interval-ms", "50", "--duration-s", "2.5",
            "--initial-mac", "02:5b:00:00:00:01", "--watch", "--linger-ms", "300", "--until-mac", "02:5b:00:00:00:03",
        ])
        #expect(options.interface == "eth0")
        #expect(options.target == .v6(IPv6Address("fd99::100")!))
        #expect(options.target.description == "fd99::100")
        #expect(options.intervalMilliseconds == 50)
        #expect(options.durationSeconds == 2.5)
        #expect(options.initialMac == MACAddress("02:5b:00:00:00:01"))
        #expect(options.untilMacChange)
        #expect(options.lingerMilliseconds == 300)
        #expect(options.untilMac == MACAddress("02:5b:00:00:00:03"))
    }

    @Test(arguments: [
        ["--target", "10.99.0.100"],  // no interface
        ["--interface", "eth0", "--target", "10.99.0.300"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--source-ip", "fd99::200"],  // families differ
        ["--interface", "eth0", "--target", "10.99.0.100", "--duration-s", "601"],  // unbounded
        ["--interface", "eth0", "--target", "10.99.0.100", "--interval-ms", "0"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--count"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--bogus"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--initial-mac", "02:5b:00:00:00"],
    ])
    func rejectsBadCommandLines(arguments: [String]) {
        #expect(throws: ProbeOptions.UsageError.self) { try ProbeOptions(arguments: arguments) }
    }
}
