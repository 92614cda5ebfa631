/// The payloads the announcer cares about.
public enum FramePayload: Hashable, Sendable {
    case arp(ARPPacket)
    case neighborDiscovery(NeighborDiscoveryPacket)
}

/// One Ethernet frame carrying ARP or an IPv6 Neighbor Discovery message.
public struct Frame: Hashable, Sendable {
    public var ethernet: EthernetHeader
    public var payload: FramePayload

    public init(ethernet: EthernetHeader, payload: FramePayload) {
        self.ethernet = ethernet
        self.payload = payload
    }

    /// Frames shorter than 60 bytes (64 on the wire with the FCS) are padded with zeros
    /// (IEEE 802.3 minimum). MetalLB's ARP replies are 60 bytes for the same reason.
    public static let minimumLength = 60

    /// Decodes a frame as captured (starting at the destination MAC, no FCS).
    /// - Throws: `DecodeError` for anything truncated, inconsistent or not ARP/NDP. Never traps.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        ethernet = try EthernetHeader.decode(&reader)
        switch ethernet.etherType {
        case EtherType.arp:
            payload = .arp(try ARPPacket.decode(&reader))
        case EtherType.ipv6:
            payload = .neighborDiscovery(try NeighborDiscoveryPacket.decode(&reader))
        default:
            throw DecodeError(offset: ethernet.encodedLength - 2, reason: .unsupportedEtherType(ethernet.etherType))
        }
    }

    /// The frame's bytes, padded to `minimumLength`.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96)
        var header = ethernet
        switch payload {
        case .arp(let arp):
            header.etherType = EtherType.arp
            header.encode(into: &bytes)
            arp.encode(into: &bytes)
        case .neighborDiscovery(let packet):
            header.etherType = EtherType.ipv6
            header.encode(into: &bytes)
            packet.encode(into: &bytes)
        }
        if bytes.count < Self.minimumLength { bytes += repeatElement(0, count: Self.minimumLength - bytes.count) }
        return bytes
    }
}
