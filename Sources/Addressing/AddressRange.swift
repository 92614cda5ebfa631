/// An inclusive run of addresses of one family, `first...last`.
///
/// Pools are stored as ranges: a CIDR and a `start-end` entry both become one range, and
/// containment, overlap and counting are the same arithmetic for both.
public struct AddressRange: Hashable, Sendable {
    public let first: IPAddress
    public let last: IPAddress

    /// Fails unless both ends are of one family and `first <= last`.
    public init?(first: IPAddress, last: IPAddress) {
        guard first.family == last.family, first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public init(_ cidr: CIDR) {
        first = cidr.first
        last = cidr.last
    }

    public var family: IPFamily { first.family }

    public func contains(_ ip: IPAddress) -> Bool { ip.family == family && first <= ip && ip <= last }

    public func overlaps(_ other: AddressRange) -> Bool {
        family == other.family && first <= other.last && other.first <= last
    }

    /// Number of addresses. A range can span all 2^128 IPv6 addresses, one more than
    /// `UInt128` holds, so the count is an `AddressCount`.
    public var count: AddressCount { AddressCount(last.numeric - first.numeric) + AddressCount(1) }
}
