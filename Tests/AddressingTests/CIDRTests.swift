import Addressing
import Testing

@Suite struct CIDRTests {
    @Test(arguments: [
        ("192.168.1.0/24", "192.168.1.0", "192.168.1.255", "256"),
        ("10.0.0.7/24", "10.0.0.0", "10.0.0.255", "256"),
        ("10.0.0.7/32", "10.0.0.7", "10.0.0.7", "1"),
        ("0.0.0.0/0", "0.0.0.0", "255.255.255.255", "4294967296"),
        ("fc00::/120", "fc00::", "fc00::ff", "256"),
        ("2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", "18446744073709551616"),
        ("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211456"),
    ])
    func networkBounds(text: String, first: String, last: String, count: String) throws {
        let cidr = try #require(CIDR(text))
        #expect(cidr.first.description == first)
        #expect(cidr.last.description == last)
        #expect(AddressRange(cidr).count.description == count)
        #expect(cidr.contains(cidr.first) && cidr.contains(cidr.last))
    }

    @Test func allOfIPv6CountsWithoutOverflow() throws {
        let everything = AddressRange(try #require(CIDR("::/0")))
        #expect(everything.count == AddressCount(high: 1, low: 0))
        #expect(everything.count > AddressCount(UInt128.max))
    }

    @Test(arguments: [
        "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "fc00::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08",
        "10.0.0.0/8/8", "/8", "10.0.0/8", "10.0.0.0/ 8", "10.0.0.0/1000",
    ])
    func rejectsMalformed(text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test func describesNetwork() throws {
        #expect(try #require(CIDR("10.0.0.7/24")).description == "10.0.0.0/24")
        #expect(try #require(CIDR("FC00:0::1/120")).description == "fc00::/120")
    }
}
