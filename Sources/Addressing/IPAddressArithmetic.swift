/// Stepping through addresses, for iteration and for the allocator's "next free address".
extension IPAddress {
    /// The highest numeric value of the family (`255.255.255.255` or `ffff:…:ffff`).
    static func maximumNumeric(of family: IPFamily) -> UInt128 {
        family == .ipv4 ? UInt128(UInt32.max) : UInt128.max
    }

    /// The next address of the same family, or nil after the family's last address.
    public var successor: IPAddress? {
        let value = numeric
        guard value < Self.maximumNumeric(of: family) else { return nil }
        return IPAddress(family: family, numeric: value + 1)
    }

    /// The previous address of the same family, or nil before the family's first address.
    public var predecessor: IPAddress? {
        let value = numeric
        guard value > 0 else { return nil }
        return IPAddress(family: family, numeric: value - 1)
    }

    /// The address `offset` places further, or nil when that leaves the family.
    public func advanced(by offset: UInt128) -> IPAddress? {
        let (sum, overflow) = numeric.addingReportingOverflow(offset)
        guard !overflow, sum <= Self.maximumNumeric(of: family) else { return nil }
        return IPAddress(family: family, numeric: sum)
    }
}
