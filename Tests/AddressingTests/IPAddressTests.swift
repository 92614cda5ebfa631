import Addressing
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::1", "::1"),
        ("::", "::"),
        ("FC00::", "fc00::"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
    ])
    func ipv6CanonicalText(input: String, canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "g::1", "fe80::1%eth0"])
    func rejectsMalformed(text: String) {
        #expect(IPAddress(text) == nil)
    }
}
