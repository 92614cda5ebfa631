/// A network prefix such as `192.168.1.0/24` or `fc00::/120`.
///
/// Host bits are kept as written (`10.0.0.7/24` stays distinguishable from `10.0.0.0/24`)
/// only in `address`; `first` and `last` always describe the network it covers, as Go's
/// `net.ParseCIDR` does, which MetalLB uses for pool addresses.
public struct CIDR: Hashable, Sendable {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(address: IPAddress, prefixLength: Int) {
        guard (0...address.family.bitWidth).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDRESS/LENGTH`; the length is decimal without sign or leading zeros.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingASCIIWhitespace()
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]),
              !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              !(parts[1].count > 1 && parts[1].first == "0"),
              let length = Int(parts[1]) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public var family: IPFamily { address.family }

    /// Number of host bits (32 or 128 minus the prefix length).
    public var hostBits: Int { family.bitWidth - prefixLength }

    private var hostMask: UInt128 {
        hostBits == 128 ? UInt128.max : (UInt128(1) << UInt128(hostBits)) - 1
    }

    /// The network address (all host bits zero).
    public var first: IPAddress { IPAddress(family: family, numeric: address.numeric & ~hostMask)! }

    /// The last address in the network (all host bits one).
    public var last: IPAddress { IPAddress(family: family, numeric: (address.numeric & ~hostMask) | hostMask)! }

    public func contains(_ ip: IPAddress) -> Bool {
        ip.family == family && (ip.numeric & ~hostMask) == (address.numeric & ~hostMask)
    }
}

extension CIDR: CustomStringConvertible {
    /// `network/length`, the form MetalLB prints after normalising a pool entry.
    public var description: String { "\(first)/\(prefixLength)" }
}
