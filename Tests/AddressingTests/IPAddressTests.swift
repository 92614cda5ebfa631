import Addressing
import Testing

@Suite struct IPAddressTests {
    /// RFC 5952 section 4 recommendations (4.1 leading zeros, 4.2.1 longest `::`, 4.2.2 no
    /// `::` for one group, 4.2.3 longest run then first run, 4.3 lowercase), plus cases
    /// where Go's `net.IP.String` (which MetalLB prints and hashes) is the reference.
    @Test(arguments: [
        ("2001:0db8::0001", "2001:db8::1"),
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:DB8::ABCD", "2001:db8::abcd"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"),
        ("0:2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("fe80:0:0:0:0:0:0:1", "fe80::1"),
        ("::1.2.3.4", "::102:304"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        // IPv4-mapped keeps RFC 5952 section 5's dotted form; Go would print plain
        // "192.0.2.1", but here the address stays IPv6 and says so.
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::FFFF:c000:0201", "::ffff:192.0.2.1"),
    ])
    func ipv6CanonicalText(input: String, canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.family == .ipv6)
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(arguments: [
        ("0.0.0.0", UInt32(0)), ("255.255.255.255", UInt32.max), ("192.168.1.10", UInt32(0xC0A8_010A)),
    ])
    func ipv4Parses(text: String, value: UInt32) throws {
        let address = try #require(IPAddress(text))
        #expect(address == .v4(IPv4Address(value)))
        #expect(address.description == text)
    }

    @Test(arguments: [
        "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "+1.2.3.4", "1.2.3.4.", "1..2.3",
        "0x1.2.3.4", "1.2.3.٤", "1:2", "1::2::3", ":::", "1:::2", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::1", "fe80::1%eth0", "::1.2.3", "::1.2.3.4:5",
        "1.2.3.4::", "1.2.3.4:5", "[::1]", "::ffff:256.1.1.1", "１.2.3.4",
    ])
    func rejectsMalformed(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func trimsSurroundingWhitespaceOnly() {
        #expect(IPAddress(" 10.0.0.1\t") == .v4(IPv4Address(10, 0, 0, 1)))
        #expect(IPAddress("10.0. 0.1") == nil)
    }

    @Test func familiesOrderIPv4First() throws {
        let v4 = try #require(IPAddress("255.255.255.255"))
        let v6 = try #require(IPAddress("::"))
        #expect(v4 < v6)
        #expect(IPFamily.ipv4 < IPFamily.ipv6)
    }

    @Test func successorAndPredecessorStopAtFamilyEdges() throws {
        let lastV4 = try #require(IPAddress("255.255.255.255"))
        #expect(lastV4.successor == nil)
        #expect(try #require(IPAddress("10.0.0.255")).successor == IPAddress("10.0.1.0"))
        #expect(try #require(IPAddress("0.0.0.0")).predecessor == nil)
        let lastV6 = try #require(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(lastV6.successor == nil)
        #expect(lastV6.predecessor == IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"))
        #expect(try #require(IPAddress("::")).advanced(by: UInt128.max) == lastV6)
        #expect(try #require(IPAddress("::1")).advanced(by: UInt128.max) == nil)
        #expect(try #require(IPAddress("255.255.255.0")).advanced(by: 256) == nil)
    }

    @Test func bytesRoundTrip() throws {
        let v6 = try #require(IPAddress("2001:db8::1"))
        #expect(v6.bytes == [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        guard case .v6(let inner) = v6 else { Issue.record("not v6"); return }
        #expect(IPv6Address(bytes: inner.bytes) == inner)
        #expect(IPv4Address(bytes: [10, 0, 0, 1]) == IPv4Address(10, 0, 0, 1))
        #expect(IPv4Address(bytes: [10, 0, 0]) == nil)
    }
}
