public import Addressing

/// A Neighbor Solicitation (RFC 4861 §4.3): "who has `target`?".
public struct NeighborSolicitation: Hashable, Sendable {
    public var target: IPv6Address
    /// Source Link-Layer Address option (type 1). MetalLB answers only solicitations that carry
    /// it; Duplicate Address Detection probes from `::` never do (RFC 4861 §7.2.2).
    public var sourceLinkLayerAddress: MACAddress?

    public init(target: IPv6Address, sourceLinkLayerAddress: MACAddress?) {
        self.target = target
        self.sourceLinkLayerAddress = sourceLinkLayerAddress
    }
}

/// A Neighbor Advertisement (RFC 4861 §4.4).
public struct NeighborAdvertisement: Hashable, Sendable {
    public var router: Bool
    public var solicited: Bool
    public var override: Bool
    public var target: IPv6Address
    /// Target Link-Layer Address option (type 2).
    public var targetLinkLayerAddress: MACAddress?

    public init(router: Bool, solicited: Bool, override: Bool, target: IPv6Address,
                targetLinkLayerAddress: MACAddress?) {
        self.router = router
        self.solicited = solicited
        self.override = override
        self.target = target
        self.targetLinkLayerAddress = targetLinkLayerAddress
    }
}

public enum NeighborDiscoveryMessage: Hashable, Sendable {
    case solicitation(NeighborSolicitation)
    case advertisement(NeighborAdvertisement)
}

/// An IPv6 packet carrying one ICMPv6 Neighbor Discovery message and no extension headers.
public struct NeighborDiscoveryPacket: Hashable, Sendable {
    public var source: IPv6Address
    public var destination: IPv6Address
    /// RFC 4861 requires 255 on send and checks it on receipt.
    public var hopLimit: UInt8
    public var message: NeighborDiscoveryMessage
    /// Traffic class (8 bits) and flow label (20 bits), the low 28 bits of the first word.
    /// Replies use 0; decoded packets keep what the sender chose.
    public var trafficClassAndFlowLabel: UInt32

    public init(source: IPv6Address, destination: IPv6Address, hopLimit: UInt8 = 255,
                message: NeighborDiscoveryMessage, trafficClassAndFlowLabel: UInt32 = 0) {
        self.trafficClassAndFlowLabel = trafficClassAndFlowLabel & 0x0FFF_FFFF
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.message = message
    }

    static let icmpv6: UInt8 = 58
    static let typeSolicitation: UInt8 = 135
    static let typeAdvertisement: UInt8 = 136
    static let optionSourceLinkLayer: UInt8 = 1
    static let optionTargetLinkLayer: UInt8 = 2

    static func decode(_ reader: inout ByteReader) throws(DecodeError) -> NeighborDiscoveryPacket {
        let start = reader.offset
        try reader.require(40)
        let versionClassFlow = try reader.readUInt32()
        let version = UInt8(versionClassFlow >> 28)
        guard version == 6 else { throw DecodeError(offset: start, reason: .badIPVersion(version)) }
        let payloadLength = Int(try reader.readUInt16())
        let nextHeader = try reader.readUInt8()
        let hopLimit = try reader.readUInt8()
        let source = IPv6Address(bytes: try reader.readBytes(16))!
        let destination = IPv6Address(bytes: try reader.readBytes(16))!
        guard nextHeader == icmpv6 else { throw DecodeError(offset: start + 6, reason: .unsupportedNextHeader(nextHeader)) }
        guard payloadLength <= reader.remaining else {
            throw DecodeError(offset: start + 4, reason: .payloadLengthMismatch(declared: payloadLength,
                                                                              available: reader.remaining))
        }
        // Bytes past the payload length (Ethernet padding) are ignored.
        let messageStart = reader.offset
        let message = Array(reader.bytes[messageStart..<messageStart + payloadLength])
        var icmp = ByteReader(reader.bytes, offset: messageStart)
        try icmp.require(4)
        let type = try icmp.readUInt8()
        let code = try icmp.readUInt8()
        let found = try icmp.readUInt16()
        guard type == typeSolicitation || type == typeAdvertisement else {
            throw DecodeError(offset: messageStart, reason: .unsupportedICMPv6Type(type))
        }
        guard code == 0 else { throw DecodeError(offset: messageStart + 1, reason: .badICMPv6Code(code)) }
        // NS and NA both have 4 bytes of flags/reserved and a 16-byte target after the header.
        guard payloadLength >= 24 else {
            throw DecodeError(offset: messageStart + payloadLength, reason: .truncated(needed: 24 - payloadLength))
        }
        let expected = icmpv6Checksum(source: source, destination: destination, message: message, checksumOffset: 2)
        guard expected == found else {
            throw DecodeError(offset: messageStart + 2, reason: .badChecksum(expected: expected, found: found))
        }
        guard hopLimit == 255 else { throw DecodeError(offset: start + 7, reason: .badHopLimit(hopLimit)) }
        var body = ByteReader(message, offset: 4)
        let flags = try body.readUInt32()
        let target = IPv6Address(bytes: try body.readBytes(16))!
        var linkLayer: [UInt8: MACAddress] = [:]
        while body.remaining > 0 {
            let optionStart = body.offset
            let optionType = try body.readUInt8()
            let units = try body.readUInt8()
            guard units > 0 else { throw DecodeError(offset: messageStart + optionStart, reason: .zeroLengthOption) }
            let length = Int(units) * 8
            do {
                try body.require(length - 2)
            } catch {
                throw DecodeError(offset: messageStart + error.offset, reason: error.reason)
            }
            if optionType == optionSourceLinkLayer || optionType == optionTargetLinkLayer {
                guard units == 1 else {
                    throw DecodeError(offset: messageStart + optionStart + 1, reason: .badLinkLayerOptionLength(units))
                }
                linkLayer[optionType] = MACAddress(bytes: try body.readBytes(6))!
            } else {
                try body.skip(length - 2)  // Unknown options are ignored (RFC 4861 §4.6).
            }
        }
        let parsed: NeighborDiscoveryMessage
        if type == typeSolicitation {
            parsed = .solicitation(NeighborSolicitation(target: target,
                                                        sourceLinkLayerAddress: linkLayer[optionSourceLinkLayer]))
        } else {
            parsed = .advertisement(NeighborAdvertisement(
                router: flags & 0x8000_0000 != 0, solicited: flags & 0x4000_0000 != 0,
                override: flags & 0x2000_0000 != 0, target: target,
                targetLinkLayerAddress: linkLayer[optionTargetLinkLayer]))
        }
        reader = ByteReader(reader.bytes, offset: messageStart + payloadLength)
        return NeighborDiscoveryPacket(source: source, destination: destination, hopLimit: hopLimit, message: parsed,
                                       trafficClassAndFlowLabel: versionClassFlow)
    }

    /// The ICMPv6 message with a correct checksum.
    func encodedMessage() -> [UInt8] {
        var message: [UInt8] = []
        switch self.message {
        case .solicitation(let ns):
            message += [Self.typeSolicitation, 0, 0, 0, 0, 0, 0, 0]
            message += ns.target.bytes
            if let mac = ns.sourceLinkLayerAddress { message += [Self.optionSourceLinkLayer, 1] + mac.bytes }
        case .advertisement(let na):
            var flags: UInt32 = 0
            if na.router { flags |= 0x8000_0000 }
            if na.solicited { flags |= 0x4000_0000 }
            if na.override { flags |= 0x2000_0000 }
            message += [Self.typeAdvertisement, 0, 0, 0]
            message.appendUInt32(flags)
            message += na.target.bytes
            if let mac = na.targetLinkLayerAddress { message += [Self.optionTargetLinkLayer, 1] + mac.bytes }
        }
        let checksum = icmpv6Checksum(source: source, destination: destination, message: message, checksumOffset: 2)
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xFF)
        return message
    }

    func encode(into bytes: inout [UInt8]) {
        let message = encodedMessage()
        bytes.appendUInt32(0x6000_0000 | trafficClassAndFlowLabel)
        bytes.appendUInt16(UInt16(message.count))
        bytes.append(Self.icmpv6)
        bytes.append(hopLimit)
        bytes += source.bytes
        bytes += destination.bytes
        bytes += message
    }
}

/// The ICMPv6 checksum (RFC 4443 §2.3): the ones' complement of the ones' complement sum over
/// the IPv6 pseudo-header (RFC 8200 §8.1: source, destination, upper-layer length, next
/// header 58) and the message, with the checksum field itself taken as zero.
public func icmpv6Checksum(source: IPv6Address, destination: IPv6Address, message: [UInt8],
                           checksumOffset: Int) -> UInt16 {
    var message = message
    if checksumOffset + 1 < message.count {
        message[checksumOffset] = 0
        message[checksumOffset + 1] = 0
    }
    var sum: UInt32 = 0
    func add(_ bytes: [UInt8]) {
        var index = 0
        while index < bytes.count {
            let low = index + 1 < bytes.count ? bytes[index + 1] : 0
            sum &+= UInt32(bytes[index]) << 8 | UInt32(low)
            index += 2
        }
    }
    add(source.bytes)
    add(destination.bytes)
    let length = UInt32(message.count)
    sum &+= length >> 16
    sum &+= length & 0xFFFF
    sum &+= UInt32(NeighborDiscoveryPacket.icmpv6)
    add(message)
    while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
    return ~UInt16(sum)
}

extension IPv6Address {
    /// The solicited-node multicast group (RFC 4291 §2.7.1): ff02::1:ff00:0/104 plus the low
    /// 24 bits of the address. A Neighbor Solicitation for the address is sent to this group.
    public var solicitedNodeMulticast: IPv6Address {
        IPv6Address((0xFF02 << 112) | (0x1_FF00_0000 as UInt128) | (value & 0xFF_FFFF))
    }

    /// All-nodes multicast `ff02::1`, the destination of unsolicited advertisements.
    public static let allNodes = IPv6Address((0xFF02 << 112) | 1)

    /// The Ethernet group MAC of an IPv6 multicast address (RFC 2464 §7).
    public var multicastMAC: MACAddress { .ipv6Multicast(for: UInt32(truncatingIfNeeded: value)) }

    public var isLinkLocal: Bool { value >> 118 == 0x3FA }
}
