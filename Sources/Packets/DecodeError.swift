/// Why a byte string is not a frame this project understands, and where decoding stopped.
///
/// Decoders never trap: every truncated, inconsistent or unsupported input comes back as a
/// `DecodeError` so that the capture shell can count the frame as malformed and drop it
/// (MetalLB drops such frames silently; we count them).
public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset from the start of the frame where the problem was found.
    public var offset: Int
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public enum Reason: Hashable, Sendable, CustomStringConvertible {
        /// The input ended, but `needed` more bytes were required at `offset`.
        case truncated(needed: Int)
        /// An EtherType other than ARP or IPv6 (after at most one 802.1Q tag).
        case unsupportedEtherType(UInt16)
        /// ARP with a hardware type, protocol type or address length other than Ethernet/IPv4.
        case unsupportedARPFormat(hardwareType: UInt16, protocolType: UInt16, hardwareLength: UInt8, protocolLength: UInt8)
        /// The IPv6 version nibble was not 6.
        case badIPVersion(UInt8)
        /// IPv6 next header other than ICMPv6 (58); extension headers are not followed.
        case unsupportedNextHeader(UInt8)
        /// ICMPv6 type other than Neighbor Solicitation (135) or Advertisement (136).
        case unsupportedICMPv6Type(UInt8)
        /// RFC 4861 §7.1: the ICMPv6 code of NS/NA must be 0.
        case badICMPv6Code(UInt8)
        /// RFC 4861 §7.1: NS/NA must arrive with hop limit 255 (proves on-link origin).
        case badHopLimit(UInt8)
        /// The ICMPv6 checksum over the pseudo-header and message does not verify.
        case badChecksum(expected: UInt16, found: UInt16)
        /// RFC 4861 §4.6: an option with length 0 is invalid (and would loop forever).
        case zeroLengthOption
        /// A link-layer address option whose length is not one 8-byte unit (Ethernet).
        case badLinkLayerOptionLength(UInt8)
        /// The IPv6 payload length points past the end of the frame.
        case payloadLengthMismatch(declared: Int, available: Int)

        public var description: String {
            switch self {
            case .truncated(let needed): "truncated (needed \(needed) more bytes)"
            case .unsupportedEtherType(let type): "unsupported EtherType 0x\(String(type, radix: 16))"
            case .unsupportedARPFormat(let htype, let ptype, let hlen, let plen):
                "unsupported ARP format htype=\(htype) ptype=0x\(String(ptype, radix: 16)) hlen=\(hlen) plen=\(plen)"
            case .badIPVersion(let version): "IP version \(version), expected 6"
            case .unsupportedNextHeader(let next): "unsupported IPv6 next header \(next)"
            case .unsupportedICMPv6Type(let type): "unsupported ICMPv6 type \(type)"
            case .badICMPv6Code(let code): "ICMPv6 code \(code), expected 0"
            case .badHopLimit(let hops): "hop limit \(hops), expected 255"
            case .badChecksum(let expected, let found):
                "bad ICMPv6 checksum 0x\(String(found, radix: 16)), expected 0x\(String(expected, radix: 16))"
            case .zeroLengthOption: "NDP option with length 0"
            case .badLinkLayerOptionLength(let length): "link-layer address option of \(length) units, expected 1"
            case .payloadLengthMismatch(let declared, let available):
                "IPv6 payload length \(declared) exceeds the \(available) bytes present"
            }
        }
    }

    public var description: String { "\(reason) at offset \(offset)" }
}

/// Bounds-checked big-endian reads over a byte array; every read either succeeds or throws.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    func require(_ count: Int) throws(DecodeError) {
        if remaining < count { throw DecodeError(offset: offset, reason: .truncated(needed: count - remaining)) }
    }

    mutating func readUInt8() throws(DecodeError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DecodeError) -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(DecodeError) -> UInt32 {
        try require(4)
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readBytes(_ count: Int) throws(DecodeError) -> ArraySlice<UInt8> {
        try require(count)
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func skip(_ count: Int) throws(DecodeError) {
        try require(count)
        offset += count
    }
}

extension Array where Element == UInt8 {
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
