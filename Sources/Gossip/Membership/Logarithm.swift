/// Logarithms without Foundation (the core has no platform dependencies).
enum Logarithm {
    /// Natural logarithm: split off the binary exponent, then the atanh series on the
    /// mantissa in [1, 2), which converges to double precision in a few dozen terms.
    static func natural(_ value: Double) -> Double {
        guard value > 0 else { return -.infinity }
        let exponent = Double(value.exponent)
        let mantissa = value.significand
        let y = (mantissa - 1) / (mantissa + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var n = 1.0
        for _ in 0..<30 {
            sum += term / n
            term *= y2
            n += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }

    /// Base-10 logarithm, exact for powers of ten (memberlist scales timeouts by log10 N).
    static func base10(_ value: Double) -> Double {
        var power = 1.0
        var digits = 0.0
        while power < value {
            power *= 10
            digits += 1
        }
        if power == value { return digits }
        return natural(value) / natural(10)
    }
}
