import Addressing
import Testing

@Suite struct AddressCountTests {
    /// Expected values computed independently with Python integers.
    @Test func decimalTextBeyondUInt128() {
        #expect(AddressCount(high: 1, low: 1 << 32).description == "340282366920938463463374607436063178752")
        #expect(AddressCount(high: 5, low: 123).description == "1701411834604692317316873037158841057403")
        #expect(AddressCount(high: .max, low: .max).description
            == "6277101735386680763835789423207666416102355444464034512895")
        #expect(AddressCount(UInt128.max).description == String(UInt128.max))
        #expect(AddressCount.zero.description == "0")
    }

    @Test func additionCarriesAndSubtractionBorrows() {
        let almost = AddressCount(UInt128.max)
        let sum = almost + AddressCount(2)
        #expect(sum == AddressCount(high: 1, low: 1))
        #expect(sum - AddressCount(2) == almost)
        #expect(AddressCount(3) < sum)
        #expect(sum.clampedToInt64 == .max)
    }
}
