/// EtherType values this project handles (IEEE 802.3, IANA registry).
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let vlan: UInt16 = 0x8100
    public static let ipv6: UInt16 = 0x86DD
}

/// One IEEE 802.1Q tag: a VLAN trunk delivers requests tagged, and the reply must carry the
/// same tag back.
public struct VLANTag: Hashable, Sendable {
    /// Priority code point (3 bits).
    public var priority: UInt8
    /// Drop eligible indicator (1 bit).
    public var dropEligible: Bool
    /// VLAN identifier (12 bits).
    public var identifier: UInt16

    public init(priority: UInt8 = 0, dropEligible: Bool = false, identifier: UInt16) {
        self.priority = priority & 0x7
        self.dropEligible = dropEligible
        self.identifier = identifier & 0x0FFF
    }

    init(tci: UInt16) {
        self.init(priority: UInt8(tci >> 13), dropEligible: tci & 0x1000 != 0, identifier: tci & 0x0FFF)
    }

    var tci: UInt16 { UInt16(priority) << 13 | (dropEligible ? 0x1000 : 0) | identifier }
}

/// An Ethernet II header, optionally with one 802.1Q tag between the source and the EtherType.
public struct EthernetHeader: Hashable, Sendable {
    public var destination: MACAddress
    public var source: MACAddress
    public var vlan: VLANTag?
    /// The EtherType of the payload (after the tag, if any).
    public var etherType: UInt16

    public init(destination: MACAddress, source: MACAddress, vlan: VLANTag? = nil, etherType: UInt16) {
        self.destination = destination
        self.source = source
        self.vlan = vlan
        self.etherType = etherType
    }

    /// 14 bytes, or 18 with a tag.
    public var encodedLength: Int { vlan == nil ? 14 : 18 }

    static func decode(_ reader: inout ByteReader) throws(DecodeError) -> EthernetHeader {
        let destination = MACAddress(bytes: try reader.readBytes(6))!
        let source = MACAddress(bytes: try reader.readBytes(6))!
        var etherType = try reader.readUInt16()
        var vlan: VLANTag?
        if etherType == EtherType.vlan {
            vlan = VLANTag(tci: try reader.readUInt16())
            etherType = try reader.readUInt16()
        }
        return EthernetHeader(destination: destination, source: source, vlan: vlan, etherType: etherType)
    }

    func encode(into bytes: inout [UInt8]) {
        bytes += destination.bytes
        bytes += source.bytes
        if let vlan {
            bytes.appendUInt16(EtherType.vlan)
            bytes.appendUInt16(vlan.tci)
        }
        bytes.appendUInt16(etherType)
    }
}
