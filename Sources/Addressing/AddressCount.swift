/// A count of addresses that cannot overflow: up to 2^128 per range and sums of many
/// ranges (a pool of several `/0`s is absurd but must not trap).
public struct AddressCount: Hashable, Sendable, Comparable, AdditiveArithmetic {
    /// Multiples of 2^128.
    public var high: UInt64
    public var low: UInt128

    public init(_ low: UInt128) { self.high = 0; self.low = low }
    public init(high: UInt64, low: UInt128) { self.high = high; self.low = low }

    public static let zero = AddressCount(0)

    public static func + (lhs: Self, rhs: Self) -> Self {
        let (sum, carry) = lhs.low.addingReportingOverflow(rhs.low)
        return AddressCount(high: lhs.high &+ rhs.high &+ (carry ? 1 : 0), low: sum)
    }

    public static func - (lhs: Self, rhs: Self) -> Self {
        let (difference, borrow) = lhs.low.subtractingReportingOverflow(rhs.low)
        return AddressCount(high: lhs.high &- rhs.high &- (borrow ? 1 : 0), low: difference)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The count clamped to `Int64.max`, as MetalLB reports huge IPv6 pools in its gauges.
    public var clampedToInt64: Int64 {
        high == 0 && low <= UInt128(Int64.max) ? Int64(low) : Int64.max
    }
}

extension AddressCount: CustomStringConvertible {
    public var description: String {
        high == 0 ? String(low) : "\(high) * 2^128 + \(low)"
    }
}
