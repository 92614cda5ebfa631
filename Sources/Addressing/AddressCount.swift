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
    /// The exact decimal value, also beyond `UInt128` (`::/0` counts
    /// 340282366920938463463374607431768211456).
    public var description: String {
        if high == 0 { return String(low) }
        // Long division of the 192-bit value, three 64-bit limbs, by 10^19 at a time.
        var limbs: [UInt64] = [high, UInt64(truncatingIfNeeded: low >> 64), UInt64(truncatingIfNeeded: low)]
        let divisor: UInt64 = 10_000_000_000_000_000_000
        var chunks: [UInt64] = []
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in limbs.indices {
                let (quotient, rest) = divisor.dividingFullWidth((remainder, limbs[index]))
                limbs[index] = quotient
                remainder = rest
            }
            chunks.append(remainder)
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}
