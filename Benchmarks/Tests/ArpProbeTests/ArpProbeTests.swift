import Testing

@testable import arp_probe

/// The prober's pure parts: frame encoding/decoding and the recorder's verdicts. The lab
/// self-test (Scripts/test.d/20-lab-selftest.sh) covers the socket end to end.
@Suite struct ArpFrameTests {
    let client = MacAddress([0x02, 0x5b, 0, 0, 0, 0xc8])
    let node1 = MacAddress([0x02, 0x5b, 0, 0, 0, 0x01])
    let vip = IPv4([10, 99, 0, 100])

    @Test func requestRoundTripsAndIsNoAnswer() throws {
        let request = ArpFrame.request(from: client, senderIP: IPv4([10, 99, 0, 200]), asking: vip)
        let bytes = request.encoded()
        #expect(bytes.count == ArpFrame.minimumLength)
        #expect(Array(bytes[0..<6]) == [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        let decoded = try ArpFrame(decoding: bytes)
        #expect(decoded == request)
        #expect(decoded.answer(for: vip) == nil)
    }

    @Test func replyAndGratuitousAreClassified() throws {
        let reply = ArpFrame(
            destination: client, source: node1, operation: .reply, senderMac: node1, senderIP: vip,
            targetMac: client, targetIP: IPv4([10, 99, 0, 200]))
        #expect(try ArpFrame(decoding: reply.encoded() + [0, 0]).answer(for: vip) == ProbeAnswer(mac: node1, kind: .reply))
        #expect(reply.answer(for: IPv4([10, 99, 0, 11])) == nil)
        // keepalived's form: a broadcast request with sender IP == target IP.
        let garp = ArpFrame(
            destination: .broadcast, source: node1, operation: .request, senderMac: node1, senderIP: vip,
            targetMac: .broadcast, targetIP: vip)
        #expect(try ArpFrame(decoding: garp.encoded()).answer(for: vip) == ProbeAnswer(mac: node1, kind: .garp))
    }

    @Test func malformedFramesAreTypedErrors() {
        let good = ArpFrame.request(from: client, senderIP: vip, asking: vip).encoded()
        #expect(throws: ArpFrame.DecodeError.truncated(length: 41)) { try ArpFrame(decoding: good.prefix(41)) }
        var ipv4 = good
        ipv4[12] = 0x08
        ipv4[13] = 0x00
        #expect(throws: ArpFrame.DecodeError.notArp(etherType: 0x0800)) { try ArpFrame(decoding: ipv4) }
        var operation = good
        operation[21] = 9
        #expect(throws: ArpFrame.DecodeError.unknownOperation(9)) { try ArpFrame(decoding: operation) }
        // No byte pattern traps: every prefix of every single-byte corruption decodes or throws.
        for index in good.indices {
            var corrupted = good
            corrupted[index] ^= 0xff
            for length in [0, 14, 41, 42] {
                _ = try? ArpFrame(decoding: corrupted.prefix(length))
            }
        }
    }

    @Test func addressesParseStrictly() {
        #expect(IPv4(parsing: "10.99.0.100") == vip)
        #expect(IPv4(parsing: "10.99.0.256") == nil)
        #expect(IPv4(parsing: "10.99.0") == nil)
        #expect(IPv4(parsing: "1.2.3.+4") == nil)
        #expect(MacAddress(parsing: "02:5B:00:00:00:01") == node1)
        #expect(MacAddress(parsing: "02:5b:00:00:00") == nil)
        #expect(MacAddress(parsing: "02:5b:00:00:00:1") == nil)
        #expect(node1.description == "02:5b:00:00:00:01")
    }
}

@Suite struct NeighborDiscoveryTests {
    let client = MacAddress([0x02, 0x5b, 0, 0, 0, 0xc8])
    let node1 = MacAddress([0x02, 0x5b, 0, 0, 0, 0x01])
    let clientIP = IPv6(parsing: "fd99::200")!
    let vip = IPv6(parsing: "fd99::100")!

    /// An advertisement as a node's kernel sends it, built independently of the decoder.
    func advertisement(solicited: Bool, target: IPv6, checksumDelta: UInt16 = 0) -> [UInt8] {
        var icmp: [UInt8] = [136, 0, 0, 0, solicited ? 0x60 : 0x20, 0, 0, 0] + target.octets + [2, 1] + node1.octets
        let checksum = NeighborDiscovery.icmpv6Checksum(source: target, destination: clientIP, message: icmp) &+ checksumDelta
        icmp[2] = UInt8(checksum >> 8)
        icmp[3] = UInt8(checksum & 0xff)
        return client.octets + [0x02, 0x5b, 0, 0, 0x01, 0x01] + [0x86, 0xdd, 0x60, 0, 0, 0, 0, UInt8(icmp.count), 58, 255]
            + target.octets + clientIP.octets + icmp
    }

    @Test func solicitationGoesToTheSolicitedNodeGroupWithAValidChecksum() {
        let frame = NeighborDiscovery.solicitation(from: client, source: clientIP, asking: vip)
        #expect(Array(frame[0..<6]) == [0x33, 0x33, 0xff, 0, 0x01, 0x00])
        #expect(vip.solicitedNodeMulticast.description == "ff02::1:ff00:100")
        let message = Array(frame[54...])
        #expect(message.count == 32)
        #expect(message[0] == 135)
        #expect(frame[21] == 255)
        let group = IPv6(frame[38..<54])
        #expect(NeighborDiscovery.icmpv6Checksum(source: clientIP, destination: group, message: message) == 0)
    }

    @Test func advertisementsAreRepliesOrAnnouncements() throws {
        #expect(try NeighborDiscovery.answer(in: advertisement(solicited: true, target: vip), for: vip)
            == ProbeAnswer(mac: node1, kind: .reply))
        #expect(try NeighborDiscovery.answer(in: advertisement(solicited: false, target: vip), for: vip)
            == ProbeAnswer(mac: node1, kind: .unsolicitedNA))
        #expect(try NeighborDiscovery.answer(in: advertisement(solicited: true, target: clientIP), for: vip) == nil)
        #expect(throws: NeighborDiscovery.DecodeError.badChecksum) {
            try NeighborDiscovery.answer(in: advertisement(solicited: true, target: vip, checksumDelta: 1), for: vip)
        }
        let good = advertisement(solicited: true, target: vip)
        for index in good.indices {
            var corrupted = good
            corrupted[index] ^= 0xff
            for length in [0, 54, 77, 78, good.count] {
                _ = try? NeighborDiscovery.answer(in: corrupted.prefix(length), for: vip)
            }
        }
    }
}

@Suite struct ProbeRecorderTests {
    let own = MacAddress([0x02, 0x5b, 0, 0, 0, 0xc8])
    let node1 = MacAddress([0x02, 0x5b, 0, 0, 0, 0x01])
    let node2 = MacAddress([0x02, 0x5b, 0, 0, 0, 0x02])

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
        #expect(options.target.v6 == IPv6(parsing: "fd99::100"))
        #expect(options.intervalMilliseconds == 50)
        #expect(options.durationSeconds == 2.5)
        #expect(options.initialMac == MacAddress(parsing: "02:5b:00:00:00:01"))
        #expect(options.untilMacChange)
        #expect(options.lingerMilliseconds == 300)
        #expect(options.untilMac == MacAddress(parsing: "02:5b:00:00:00:03"))
    }

    @Test(arguments: [
        ["--target", "10.99.0.100"],  // no interface
        ["--interface", "eth0", "--target", "10.99.0.300"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--source-ip", "fd99::200"],  // families differ
        ["--interface", "eth0", "--target", "10.99.0.100", "--duration-s", "601"],  // unbounded
        ["--interface", "eth0", "--target", "10.99.0.100", "--interval-ms", "0"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--count"],
        ["--interface", "eth0", "--target", "10.99.0.100", "--bogus"],
    ])
    func rejectsBadCommandLines(arguments: [String]) {
        #expect(throws: ProbeOptions.UsageError.self) { try ProbeOptions(arguments: arguments) }
    }
}
