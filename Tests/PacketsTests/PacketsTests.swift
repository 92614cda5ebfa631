import Addressing
import Packets
import PropertyBased
import Testing

/// Frames captured with `tcpdump -xx` on a veth pair between two test namespaces
/// (02:00:00:00:00:0a = 192.0.2.1 / fe80::ff:fe00:a, 02:00:00:00:00:0b = 192.0.2.2 / 2001:db8::2).
enum CapturedFrames {
    /// `arping -c 1 -I veth0 192.0.2.2` (iputils): broadcast request.
    static let arpingRequest = hex("""
        ffff ffff ffff 0200 0000 000a 0806 0001 0800 0604 0001 0200 0000 000a c000 0201
        ffff ffff ffff c000 0202
        """)
    /// The Linux kernel's reply to it.
    static let kernelARPReply = hex("""
        0200 0000 000a 0200 0000 000b 0806 0001 0800 0604 0002 0200 0000 000b c000 0202
        0200 0000 000a c000 0201
        """)
    /// `arping -U -I veth0 192.0.2.1`: gratuitous request (sender IP = target IP).
    static let arpingGratuitous = hex("""
        ffff ffff ffff 0200 0000 000a 0806 0001 0800 0604 0001 0200 0000 000a c000 0201
        ffff ffff ffff c000 0201
        """)
    /// `arping -D -I veth0 192.0.2.2`: duplicate-address probe (sender 0.0.0.0, RFC 5227).
    static let arpingProbe = hex("""
        ffff ffff ffff 0200 0000 000a 0806 0001 0800 0604 0001 0200 0000 000a 0000 0000
        ffff ffff ffff c000 0202
        """)
    /// `ndisc6 2001:db8::2 veth0`: NS to the solicited-node group, with a source LL option.
    static let ndisc6Solicitation = hex("""
        3333 ff00 0002 0200 0000 000a 86dd 6001 534e 0020 3aff fe80 0000 0000 0000 0000
        00ff fe00 000a ff02 0000 0000 0000 0000 0001 ff00 0002 8700 4c4d 0000 0000 2001
        0db8 0000 0000 0000 0000 0000 0002 0101 0200 0000 000a
        """)
    /// The Linux kernel's solicited advertisement (S=1, O=1) with a target LL option.
    static let kernelAdvertisement = hex("""
        0200 0000 000a 0200 0000 000b 86dd 6000 0000 0020 3aff 2001 0db8 0000 0000 0000
        0000 0000 0002 fe80 0000 0000 0000 0000 00ff fe00 000a 8800 ba97 6000 0000 2001
        0db8 0000 0000 0000 0000 0000 0002 0201 0200 0000 000b
        """)

    static let all: [(String, [UInt8])] = [
        ("arpingRequest", arpingRequest), ("kernelARPReply", kernelARPReply),
        ("arpingGratuitous", arpingGratuitous), ("arpingProbe", arpingProbe),
        ("ndisc6Solicitation", ndisc6Solicitation), ("kernelAdvertisement", kernelAdvertisement),
    ]
}

func hex(_ text: String) -> [UInt8] {
    let digits = text.filter(\.isHexDigit)
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

let macA = MACAddress("02:00:00:00:00:0a")!
let macB = MACAddress("02:00:00:00:00:0b")!

@Suite struct CapturedFrameTests {
    @Test func arpingRequestDecodes() throws {
        let frame = try Frame(decoding: CapturedFrames.arpingRequest)
        #expect(frame.ethernet == EthernetHeader(destination: .broadcast, source: macA, etherType: EtherType.arp))
        #expect(frame.payload == .arp(ARPPacket(operation: .request, senderMAC: macA,
                                                senderIP: IPv4Address("192.0.2.1")!, targetMAC: .broadcast,
                                                targetIP: IPv4Address("192.0.2.2")!)))
    }

    @Test func kernelReplyDecodes() throws {
        guard case .arp(let arp) = try Frame(decoding: CapturedFrames.kernelARPReply).payload else {
            Issue.record("not ARP"); return
        }
        #expect(arp.operation == .reply)
        #expect(arp.senderMAC == macB)
        #expect(arp.senderIP == IPv4Address("192.0.2.2")!)
        #expect(!arp.isGratuitous)
    }

    @Test func gratuitousAndProbeAreRecognised() throws {
        guard case .arp(let gratuitous) = try Frame(decoding: CapturedFrames.arpingGratuitous).payload,
              case .arp(let probe) = try Frame(decoding: CapturedFrames.arpingProbe).payload else {
            Issue.record("not ARP"); return
        }
        #expect(gratuitous.isGratuitous && !gratuitous.isProbe)
        #expect(probe.isProbe && !probe.isGratuitous)
        #expect(probe.senderIP == IPv4Address(0))
    }

    @Test func ndisc6SolicitationDecodes() throws {
        let frame = try Frame(decoding: CapturedFrames.ndisc6Solicitation)
        #expect(frame.ethernet.destination == MACAddress("33:33:ff:00:00:02")!)
        guard case .neighborDiscovery(let packet) = frame.payload else { Issue.record("not NDP"); return }
        #expect(packet.source == IPv6Address("fe80::ff:fe00:a")!)
        #expect(packet.destination == IPv6Address("2001:db8::2")!.solicitedNodeMulticast)
        #expect(packet.destination.multicastMAC == frame.ethernet.destination)
        #expect(packet.message == .solicitation(NeighborSolicitation(target: IPv6Address("2001:db8::2")!,
                                                                     sourceLinkLayerAddress: macA)))
    }

    @Test func kernelAdvertisementDecodes() throws {
        guard case .neighborDiscovery(let packet) = try Frame(decoding: CapturedFrames.kernelAdvertisement).payload
        else { Issue.record("not NDP"); return }
        #expect(packet.message == .advertisement(NeighborAdvertisement(
            router: false, solicited: true, override: true, target: IPv6Address("2001:db8::2")!,
            targetLinkLayerAddress: macB)))
    }

    /// Re-encoding a captured frame gives back the captured bytes (padded to 60 for ARP, as
    /// MetalLB pads its replies): proves the encoder, including the ICMPv6 checksum.
    @Test(arguments: CapturedFrames.all.map(\.0))
    func reencodingReproducesTheCapture(name: String) throws {
        let bytes = CapturedFrames.all.first { $0.0 == name }!.1
        var expected = bytes
        if expected.count < 60 { expected += [UInt8](repeating: 0, count: 60 - expected.count) }
        let frame = try Frame(decoding: bytes)
        #expect(frame.encoded() == expected)
    }

    /// Every proper prefix of every capture fails with a typed error and never traps.
    @Test(arguments: CapturedFrames.all.map(\.0))
    func everyTruncatedPrefixFailsCleanly(name: String) {
        let bytes = CapturedFrames.all.first { $0.0 == name }!.1
        for length in 0..<bytes.count {
            #expect(throws: DecodeError.self, "prefix \(length)") { try Frame(decoding: Array(bytes.prefix(length))) }
        }
    }
}

@Suite struct MalformedFrameTests {
    @Test func flippedChecksumBitIsRejected() {
        var bytes = CapturedFrames.ndisc6Solicitation
        bytes[57] ^= 0x01
        #expect {
            try Frame(decoding: bytes)
        } throws: { error in
            guard let error = error as? DecodeError, case .badChecksum = error.reason else { return false }
            return error.offset == 56
        }
    }

    @Test func hopLimitBelow255IsRejected() {
        var bytes = CapturedFrames.ndisc6Solicitation
        bytes[21] = 64
        #expect(throws: DecodeError(offset: 21, reason: .badHopLimit(64))) { try Frame(decoding: bytes) }
    }

    @Test func zeroLengthOptionIsRejected() {
        var bytes = CapturedFrames.ndisc6Solicitation
        bytes[79] = 0
        // Fix the checksum so only the option is wrong.
        let message = Array(bytes[54...])
        let checksum = icmpv6Checksum(source: IPv6Address(bytes: bytes[22..<38])!,
                                      destination: IPv6Address(bytes: bytes[38..<54])!, message: message,
                                      checksumOffset: 2)
        bytes[56] = UInt8(checksum >> 8)
        bytes[57] = UInt8(checksum & 0xFF)
        #expect(throws: DecodeError(offset: 78, reason: .zeroLengthOption)) { try Frame(decoding: bytes) }
    }

    @Test func nonEthernetARPIsRejected() {
        var bytes = CapturedFrames.arpingRequest
        bytes[15] = 6  // hardware type 6 (IEEE 802)
        #expect(throws: DecodeError(offset: 14, reason: .unsupportedARPFormat(
            hardwareType: 6, protocolType: 0x0800, hardwareLength: 6, protocolLength: 4))) {
            try Frame(decoding: bytes)
        }
    }

    @Test func otherEtherTypesAreRejected() {
        var bytes = CapturedFrames.arpingRequest
        bytes[12] = 0x08; bytes[13] = 0x00
        #expect(throws: DecodeError(offset: 12, reason: .unsupportedEtherType(0x0800))) { try Frame(decoding: bytes) }
    }

    @Test func payloadLengthPastTheEndIsRejected() {
        var bytes = CapturedFrames.kernelAdvertisement
        bytes[19] = 0x40
        #expect(throws: DecodeError(offset: 18, reason: .payloadLengthMismatch(declared: 64, available: 32))) {
            try Frame(decoding: bytes)
        }
    }

    /// Random byte strings (and random mutations of valid frames) never trap.
    @Test func randomBytesNeverTrap() async {
        await propertyCheck(input: Gen<UInt8>.value().array(of: 0...120)) { bytes in
            _ = try? Frame(decoding: bytes)
        }
        await propertyCheck(input: Gen.int(in: 0...85), Gen<UInt8>.value()) { index, value in
            for (_, frame) in CapturedFrames.all where index < frame.count {
                var mutated = frame
                mutated[index] = value
                _ = try? Frame(decoding: mutated)
            }
        }
    }
}

@Suite struct RoundTripTests {
    static let macGen = Gen<UInt64>.value(in: 0...0xFFFF_FFFF_FFFF).map(MACAddress.init)
    static let vlanGen = Gen<UInt16>.value().map { tci -> VLANTag? in
        tci & 1 == 0 ? nil : VLANTag(priority: UInt8(tci >> 13), dropEligible: tci & 0x1000 != 0,
                                     identifier: tci & 0xFFF)
    }

    @Test func arpFramesRoundTrip() async {
        let arp = zip(Gen<UInt16>.value(in: 1...2), Self.macGen, Gen<UInt32>.value(), Self.macGen, Gen<UInt32>.value()).map { fields in
            ARPPacket(operation: .init(rawValue: fields.0), senderMAC: fields.1, senderIP: IPv4Address(fields.2),
                      targetMAC: fields.3, targetIP: IPv4Address(fields.4))
        }
        await propertyCheck(input: Self.macGen, Self.macGen, Self.vlanGen, arp) { dst, src, vlan, arp in
            let frame = Frame(ethernet: EthernetHeader(destination: dst, source: src, vlan: vlan,
                                                       etherType: EtherType.arp), payload: .arp(arp))
            let bytes = frame.encoded()
            #expect(bytes.count == 60)
            #expect((try? Frame(decoding: bytes)) == frame)
        }
    }

    @Test func neighborDiscoveryFramesRoundTrip() async {
        let address = zip(Gen<UInt64>.value(), Gen<UInt64>.value()).map { IPv6Address(UInt128($0) << 64 | UInt128($1)) }
        let maybeMAC = zip(Gen.bool, Self.macGen).map { $0 ? $1 : nil }
        let message = zip(Gen<UInt8>.value(in: 0...15), address, maybeMAC).map { fields in
            let (flags, target, mac) = fields
            return flags & 1 == 0
                ? NeighborDiscoveryMessage.solicitation(NeighborSolicitation(target: target, sourceLinkLayerAddress: mac))
                : .advertisement(NeighborAdvertisement(router: flags & 2 != 0, solicited: flags & 4 != 0,
                                                       override: flags & 8 != 0, target: target,
                                                       targetLinkLayerAddress: mac))
        }
        await propertyCheck(input: Self.vlanGen, address, address, message) { vlan, source, destination, message in
            let frame = Frame(
                ethernet: EthernetHeader(destination: destination.multicastMAC, source: macA, vlan: vlan,
                                         etherType: EtherType.ipv6),
                payload: .neighborDiscovery(NeighborDiscoveryPacket(source: source, destination: destination,
                                                                    message: message)))
            #expect((try? Frame(decoding: frame.encoded())) == frame)
        }
    }

    @Test func vlanTaggedFrameKeepsItsTag() throws {
        var frame = try Frame(decoding: CapturedFrames.arpingRequest)
        frame.ethernet.vlan = VLANTag(priority: 5, identifier: 42)
        let bytes = frame.encoded()
        #expect(Array(bytes[12..<16]) == [0x81, 0x00, 0xA0, 0x2A])
        #expect(Array(bytes[16..<18]) == [0x08, 0x06])
        #expect(try Frame(decoding: bytes) == frame)
    }

    @Test func solicitedNodeGroupFollowsRFC4291() {
        let address = IPv6Address("2001:db8::1234:5678")!
        #expect(address.solicitedNodeMulticast == IPv6Address("ff02::1:ff34:5678")!)
        #expect(address.solicitedNodeMulticast.multicastMAC == MACAddress("33:33:ff:34:56:78")!)
        #expect(IPv6Address("fe80::1")!.isLinkLocal)
        #expect(!IPv6Address("2001:db8::1")!.isLinkLocal)
    }
}
