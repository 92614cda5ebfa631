/// The IPv6 half of the prober: Neighbor Solicitations out, Neighbor Advertisements in
/// (RFC 4861 sections 4.3, 4.4), each in an Ethernet II frame with a bare IPv6 header (no
/// extension headers, as RFC 4861 nodes send them). Pure: bytes in, values out; decoding
/// never traps and reports why a frame was dropped.
enum NeighborDiscovery {
    static let etherTypeIPv6: UInt16 = 0x86dd
    static let nextHeaderICMPv6: UInt8 = 58
    static let typeSolicitation: UInt8 = 135
    static let typeAdvertisement: UInt8 = 136
    /// Hop limit 255 on send and on receive: proof that the packet was not routed (RFC 4861 7.1.2).
    static let hopLimit: UInt8 = 255

    enum DecodeError: Error, Equatable {
        case truncated(length: Int)
        case notIPv6(etherType: UInt16)
        case notICMPv6(nextHeader: UInt8)
        case notAdvertisement(type: UInt8)
        case routed(hopLimit: UInt8)
        case badChecksum
    }

    /// A Neighbor Solicitation for `target` to its solicited-node group, with our MAC in a
    /// source link-layer address option so the owner can answer without asking back.
    static func solicitation(from mac: MacAddress, source: IPv6, asking target: IPv6) -> [UInt8] {
        let group = target.solicitedNodeMulticast
        var icmp: [UInt8] = [typeSolicitation, 0, 0, 0, 0, 0, 0, 0]
        icmp += target.octets
        icmp += [1, 1] + mac.octets  // option 1: source link-layer address, 8 bytes
        let checksum = icmpv6Checksum(source: source, destination: group, message: icmp)
        icmp[2] = UInt8(checksum >> 8)
        icmp[3] = UInt8(checksum & 0xff)
        var frame = group.multicastMac.octets + mac.octets + [0x86, 0xdd]
        frame += [0x60, 0, 0, 0]  // version 6, traffic class 0, flow label 0
        frame += [UInt8(icmp.count >> 8), UInt8(icmp.count & 0xff), nextHeaderICMPv6, hopLimit]
        frame += source.octets + group.octets
        return frame + icmp
    }

    /// The answer a frame gives for `target`: a solicited advertisement is a reply, an
    /// unsolicited one (S flag clear) an announcement. The MAC is the target link-layer
    /// address option's, which is what a client's neighbour cache stores, else the frame's
    /// source. nil for advertisements about other addresses.
    static func answer(in frame: some Collection<UInt8>, for target: IPv6) throws(DecodeError) -> ProbeAnswer? {
        let b = Array(frame)
        guard b.count >= 14 + 40 + 24 else { throw .truncated(length: b.count) }
        let etherType = UInt16(b[12]) << 8 | UInt16(b[13])
        guard etherType == etherTypeIPv6 else { throw .notIPv6(etherType: etherType) }
        let ip = 14
        guard b[ip + 6] == nextHeaderICMPv6 else { throw .notICMPv6(nextHeader: b[ip + 6]) }
        let payloadLength = Int(b[ip + 4]) << 8 | Int(b[ip + 5])
        let icmp = ip + 40
        guard payloadLength >= 24, b.count >= icmp + payloadLength else { throw .truncated(length: b.count) }
        guard b[icmp] == typeAdvertisement else { throw .notAdvertisement(type: b[icmp]) }
        guard b[ip + 7] == hopLimit else { throw .routed(hopLimit: b[ip + 7]) }
        let message = Array(b[icmp..<(icmp + payloadLength)])
        let source = IPv6(b[(ip + 8)..<(ip + 24)])
        let destination = IPv6(b[(ip + 24)..<(ip + 40)])
        guard icmpv6Checksum(source: source, destination: destination, message: message) == 0 else {
            throw .badChecksum
        }
        guard IPv6(message[8..<24]) == target else { return nil }
        let solicited = message[4] & 0x40 != 0
        var mac = MacAddress(b[6..<12])
        var option = 24
        while option + 8 <= message.count {
            let length = Int(message[option + 1]) * 8
            guard length > 0, option + length <= message.count else { break }
            if message[option] == 2 {  // target link-layer address
                mac = MacAddress(message[(option + 2)..<(option + 8)])
                break
            }
            option += length
        }
        return ProbeAnswer(mac: mac, kind: solicited ? .reply : .unsolicitedNA)
    }

    /// The Internet checksum of an ICMPv6 message over the IPv6 pseudo-header (RFC 4443
    /// section 2.3, RFC 8200 section 8.1). Computing it over a message that carries its
    /// checksum yields 0 when the checksum is right.
    static func icmpv6Checksum(source: IPv6, destination: IPv6, message: [UInt8]) -> UInt16 {
        var pseudo = source.octets + destination.octets
        let length = UInt32(message.count)
        pseudo += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        pseudo += [0, 0, 0, nextHeaderICMPv6]
        var sum: UInt32 = 0
        for bytes in [pseudo, message] {
            var index = 0
            while index + 1 < bytes.count {
                sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
                index += 2
            }
            if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
