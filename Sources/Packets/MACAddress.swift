/// A 48-bit IEEE 802 MAC address (EUI-48), the hardware address ARP and NDP carry.
public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address in the low 48 bits, first octet most significant.
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also with `-`), as `ip link` prints it.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var result: UInt64 = 0
        for part in parts {
            guard (1...2).contains(part.count), let octet = UInt8(part, radix: 16) else { return nil }
            result = result << 8 | UInt64(octet)
        }
        value = result
    }

    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64($0))) } }

    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(0)

    /// Group (multicast or broadcast) addresses have the I/G bit, the low bit of the first octet, set.
    public var isMulticast: Bool { value & 0x0100_0000_0000 != 0 }

    /// RFC 2464 §7: IPv6 multicast maps to 33:33 followed by the low 32 bits of the group.
    public static func ipv6Multicast(for group: UInt32) -> MACAddress {
        MACAddress(0x3333_0000_0000 | UInt64(group))
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}
