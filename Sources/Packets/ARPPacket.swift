public import Addressing

/// An ARP packet for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800,
/// address lengths 6 and 4. Other formats are rejected when decoding.
public struct ARPPacket: Hashable, Sendable {
    public struct Operation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let request = Operation(rawValue: 1)
        public static let reply = Operation(rawValue: 2)
        public var description: String {
            switch self {
            case .request: "request"
            case .reply: "reply"
            default: "op\(rawValue)"
            }
        }
    }

    public var operation: Operation
    public var senderMAC: MACAddress
    public var senderIP: IPv4Address
    public var targetMAC: MACAddress
    public var targetIP: IPv4Address

    public init(operation: Operation, senderMAC: MACAddress, senderIP: IPv4Address, targetMAC: MACAddress,
                targetIP: IPv4Address) {
        self.operation = operation
        self.senderMAC = senderMAC
        self.senderIP = senderIP
        self.targetMAC = targetMAC
        self.targetIP = targetIP
    }

    /// The 28 bytes of an Ethernet/IPv4 ARP packet.
    public static let encodedLength = 28

    /// A gratuitous ARP announces the sender's own binding: sender IP equals target IP
    /// (RFC 5227 §3 "ARP Announcement"; both requests and replies are used in practice).
    public var isGratuitous: Bool { senderIP == targetIP && senderIP.value != 0 }

    /// An RFC 5227 probe asks whether an address is in use without claiming it: sender IP 0.0.0.0.
    public var isProbe: Bool { operation == .request && senderIP.value == 0 }

    static func decode(_ reader: inout ByteReader) throws(DecodeError) -> ARPPacket {
        let start = reader.offset
        try reader.require(encodedLength)
        let hardwareType = try reader.readUInt16()
        let protocolType = try reader.readUInt16()
        let hardwareLength = try reader.readUInt8()
        let protocolLength = try reader.readUInt8()
        guard hardwareType == 1, protocolType == EtherType.ipv4, hardwareLength == 6, protocolLength == 4 else {
            throw DecodeError(offset: start, reason: .unsupportedARPFormat(
                hardwareType: hardwareType, protocolType: protocolType,
                hardwareLength: hardwareLength, protocolLength: protocolLength))
        }
        let operation = Operation(rawValue: try reader.readUInt16())
        let senderMAC = MACAddress(bytes: try reader.readBytes(6))!
        let senderIP = IPv4Address(try reader.readUInt32())
        let targetMAC = MACAddress(bytes: try reader.readBytes(6))!
        let targetIP = IPv4Address(try reader.readUInt32())
        return ARPPacket(operation: operation, senderMAC: senderMAC, senderIP: senderIP, targetMAC: targetMAC,
                         targetIP: targetIP)
    }

    func encode(into bytes: inout [UInt8]) {
        bytes.appendUInt16(1)
        bytes.appendUInt16(EtherType.ipv4)
        bytes.append(6)
        bytes.append(4)
        bytes.appendUInt16(operation.rawValue)
        bytes += senderMAC.bytes
        bytes.appendUInt32(senderIP.value)
        bytes += targetMAC.bytes
        bytes.appendUInt32(targetIP.value)
    }
}
