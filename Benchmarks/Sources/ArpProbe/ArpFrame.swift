/// An Ethernet II frame carrying an ARP packet for IPv4 over Ethernet (RFC 826), the only
/// combination the prober sends or inspects. Encoding and decoding are pure: bytes in,
/// values out; decoding never traps and reports why a frame was not an ARP frame.
struct ArpFrame: Equatable, Sendable {
    enum Operation: UInt16, Sendable {
        case request = 1
        case reply = 2
    }

    /// Why bytes were not decoded as an IPv4-over-Ethernet ARP frame.
    enum DecodeError: Error, Equatable {
        case truncated(length: Int)
        case notArp(etherType: UInt16)
        case unsupportedHardwareOrProtocol
        case unknownOperation(UInt16)
    }

    static let etherTypeArp: UInt16 = 0x0806
    static let etherTypeIPv4: UInt16 = 0x0800
    /// 14 bytes of Ethernet header + 28 bytes of ARP; shorter frames are padded on the wire to 60.
    static let minimumLength = 42

    var destination: MacAddress
    var source: MacAddress
    var operation: Operation
    var senderMac: MacAddress
    var senderIP: IPv4
    var targetMac: MacAddress
    var targetIP: IPv4

    /// A broadcast "who has `target`? tell `senderIP`" request.
    static func request(from mac: MacAddress, senderIP: IPv4, asking target: IPv4) -> ArpFrame {
        ArpFrame(
            destination: .broadcast, source: mac, operation: .request,
            senderMac: mac, senderIP: senderIP, targetMac: .zero, targetIP: target
        )
    }

    /// A gratuitous ARP announces the sender's own address: sender IP == target IP, sent as
    /// a request (the form keepalived and MetalLB use) or as a reply (RFC 5227 section 3).
    var isGratuitous: Bool { senderIP == targetIP }

    /// The answer this frame gives for `target`: a reply naming it as sender, or a
    /// gratuitous ARP for it; nil for anything else (including requests for it).
    func answer(for target: IPv4) -> ProbeAnswer? {
        guard senderIP == target else { return nil }
        if isGratuitous { return ProbeAnswer(mac: senderMac, kind: .garp) }
        return operation == .reply ? ProbeAnswer(mac: senderMac, kind: .reply) : nil
    }

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.minimumLength)
        bytes += destination.octets
        bytes += source.octets
        bytes.appendBigEndian(Self.etherTypeArp)
        bytes.appendBigEndian(1)  // hardware type: Ethernet
        bytes.appendBigEndian(Self.etherTypeIPv4)
        bytes += [6, 4]  // hardware and protocol address lengths
        bytes.appendBigEndian(operation.rawValue)
        bytes += senderMac.octets
        bytes += senderIP.octets
        bytes += targetMac.octets
        bytes += targetIP.octets
        return bytes
    }

    init(
        destination: MacAddress, source: MacAddress, operation: Operation,
        senderMac: MacAddress, senderIP: IPv4, targetMac: MacAddress, targetIP: IPv4
    ) {
        self.destination = destination
        self.source = source
        self.operation = operation
        self.senderMac = senderMac
        self.senderIP = senderIP
        self.targetMac = targetMac
        self.targetIP = targetIP
    }

    init(decoding bytes: some Collection<UInt8>) throws(DecodeError) {
        let b = Array(bytes)
        guard b.count >= Self.minimumLength else { throw .truncated(length: b.count) }
        let etherType = b.bigEndianUInt16(at: 12)
        guard etherType == Self.etherTypeArp else { throw .notArp(etherType: etherType) }
        guard b.bigEndianUInt16(at: 14) == 1, b.bigEndianUInt16(at: 16) == Self.etherTypeIPv4,
            b[18] == 6, b[19] == 4
        else { throw .unsupportedHardwareOrProtocol }
        let rawOperation = b.bigEndianUInt16(at: 20)
        guard let operation = Operation(rawValue: rawOperation) else {
            throw .unknownOperation(rawOperation)
        }
        self.destination = MacAddress(b[0..<6])
        self.source = MacAddress(b[6..<12])
        self.operation = operation
        self.senderMac = MacAddress(b[22..<28])
        self.senderIP = IPv4(b[28..<32])
        self.targetMac = MacAddress(b[32..<38])
        self.targetIP = IPv4(b[38..<42])
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xff))
    }

    fileprivate func bigEndianUInt16(at index: Int) -> UInt16 {
        UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }
}
