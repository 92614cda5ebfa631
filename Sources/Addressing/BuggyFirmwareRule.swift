/// MetalLB's avoid-buggy-IPs rule.
///
/// Some CPE firmwares treat every IPv4 address ending in `.0` or `.255` as a network or
/// broadcast address (smurf protection) and drop its traffic, whatever the real prefix.
/// MetalLB's allocator (`ipConfusesBuggyFirmwares`, internal/allocator) therefore skips an
/// address whose IPv4 form has a last octet of 0 or 255 when the pool sets
/// `avoidBuggyIPs`. IPv6 addresses are never skipped.
extension IPAddress {
    /// True for IPv4 addresses ending in `.0` or `.255`.
    public var confusesBuggyFirmware: Bool {
        guard case .v4(let address) = self else { return false }
        let lastOctet = address.value & 0xFF
        return lastOctet == 0 || lastOctet == 0xFF
    }
}

extension AddressRange {
    /// How many addresses of the range the avoid-buggy-IPs rule skips.
    ///
    /// Counted arithmetically (two per full /24, plus partial blocks at the ends), the same
    /// figure MetalLB's `poolCount` subtracts, without walking the range.
    public var buggyFirmwareAddressCount: UInt128 {
        guard family == .ipv4 else { return 0 }
        /// Buggy addresses in `0...x`: those ≡ 0 (mod 256) plus those ≡ 255.
        func upTo(_ x: UInt128) -> UInt128 { x / 256 + 1 + (x + 1) / 256 }
        let below = first.numeric == 0 ? 0 : upTo(first.numeric - 1)
        return upTo(last.numeric) - below
    }

    /// Addresses left once the avoid-buggy-IPs rule (if applied) has skipped its share.
    public func count(avoidingBuggyIPs: Bool) -> AddressCount {
        avoidingBuggyIPs ? count - AddressCount(buggyFirmwareAddressCount) : count
    }
}
