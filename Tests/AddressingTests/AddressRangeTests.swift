import Addressing
import Testing

@Suite struct AddressRangeTests {
    private func range(_ text: String) throws -> AddressRange {
        try AddressRange.parse(poolEntry: text).get()
    }

    @Test(arguments: [
        ("192.168.1.10-192.168.1.20", "192.168.1.10", "192.168.1.20"),
        ("192.168.1.10 - 192.168.1.20", "192.168.1.10", "192.168.1.20"),
        ("  192.168.1.10 -192.168.1.20 ", "192.168.1.10", "192.168.1.20"),
        ("10.0.0.5-10.0.0.5", "10.0.0.5", "10.0.0.5"),
        ("fc00::1 - fc00::ff", "fc00::1", "fc00::ff"),
        ("10.1.2.3/16", "10.1.0.0", "10.1.255.255"),
    ])
    func parsesPoolEntries(text: String, first: String, last: String) throws {
        let parsed = try range(text)
        #expect(parsed.first.description == first)
        #expect(parsed.last.description == last)
    }

    @Test func poolEntryErrorsSayWhy() {
        #expect(AddressRange.parse(poolEntry: "") == .failure(.empty))
        #expect(AddressRange.parse(poolEntry: "10.0.0.1") == .failure(.invalidCIDR("10.0.0.1")))
        #expect(AddressRange.parse(poolEntry: "10.0.0.300-10.0.0.1") == .failure(.invalidRangeStart("10.0.0.300")))
        #expect(AddressRange.parse(poolEntry: "10.0.0.1-") == .failure(.invalidRangeEnd("")))
        #expect(AddressRange.parse(poolEntry: "10.0.0.1-10.0.0.2-10.0.0.3") == .failure(.invalidRangeEnd("10.0.0.2-10.0.0.3")))
        let v4 = IPAddress("10.0.0.1")!, v6 = IPAddress("fc00::1")!
        #expect(AddressRange.parse(poolEntry: "10.0.0.1-fc00::1") == .failure(.mixedFamilies(v4, v6)))
        let high = IPAddress("10.0.0.9")!
        #expect(AddressRange.parse(poolEntry: "10.0.0.9-10.0.0.1") == .failure(.reversed(high, v4)))
        #expect(AddressEntryError.reversed(high, v4).description == "range start 10.0.0.9 is after its end 10.0.0.1")
    }

    @Test func containmentAndOverlap() throws {
        let a = try range("10.0.0.0/24")
        #expect(a.contains(IPAddress("10.0.0.255")!))
        #expect(!a.contains(IPAddress("10.0.1.0")!))
        #expect(!a.contains(IPAddress("::a00:0")!))
        #expect(a.overlaps(try range("10.0.0.255-10.0.1.5")))
        #expect(!a.overlaps(try range("10.0.1.0-10.0.1.5")))
        #expect(!a.overlaps(try range("::/0")))
    }

    /// MetalLB turns `START-END` into the minimal CIDR list (`ipaddr` range → CIDRs).
    @Test(arguments: [
        ("192.168.1.0-192.168.1.255", ["192.168.1.0/24"]),
        ("192.168.1.1-192.168.1.6", ["192.168.1.1/32", "192.168.1.2/31", "192.168.1.4/31", "192.168.1.6/32"]),
        ("10.0.0.0-10.0.2.0", ["10.0.0.0/23", "10.0.2.0/32"]),
        ("0.0.0.0-255.255.255.255", ["0.0.0.0/0"]),
        ("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ["::/0"]),
        ("fc00::ff-fc00::100", ["fc00::ff/128", "fc00::100/128"]),
    ])
    func splitsIntoMinimalCIDRs(text: String, expected: [String]) throws {
        #expect(try range(text).cidrs.map(\.description) == expected)
    }

    @Test func describesAsCIDRWhenExact() throws {
        #expect(try range("10.0.0.0 - 10.0.0.255").description == "10.0.0.0/24")
        #expect(try range("10.0.0.1-10.0.0.255").description == "10.0.0.1-10.0.0.255")
    }

    /// MetalLB's `poolCount`: two buggy addresses per /24, or the ends of a smaller block.
    @Test(arguments: [
        ("10.0.0.0/24", 2), ("10.0.0.0/16", 512), ("10.0.0.0/25", 1), ("10.0.0.128/25", 1), ("10.0.0.64/26", 0),
        ("10.0.0.255-10.0.1.0", 2), ("10.0.0.1-10.0.0.254", 0), ("0.0.0.0/0", 2 * 65536 * 256), ("fc00::/64", 0),
    ])
    func countsBuggyFirmwareAddresses(text: String, buggy: Int) throws {
        let parsed = try range(text)
        #expect(parsed.buggyFirmwareAddressCount == UInt128(buggy))
        let walked = parsed.count.high == 0 && parsed.count.low <= 70_000
            ? parsed.addresses.filter(\.confusesBuggyFirmware).count : buggy
        #expect(walked == buggy)
    }

    @Test func nthAddressSkipsBuggyOnes() throws {
        let parsed = try range("10.0.0.254-10.0.2.1")
        #expect(parsed.address(at: 0) == IPAddress("10.0.0.254"))
        #expect(parsed.address(at: 0, avoidingBuggyIPs: true) == IPAddress("10.0.0.254"))
        #expect(parsed.address(at: 1, avoidingBuggyIPs: true) == IPAddress("10.0.1.1"))
        let usable = Array(parsed.addresses.filter { !$0.confusesBuggyFirmware })
        for (index, address) in usable.enumerated() {
            #expect(parsed.address(at: UInt128(index), avoidingBuggyIPs: true) == address)
        }
        #expect(parsed.address(at: UInt128(usable.count), avoidingBuggyIPs: true) == nil)
        #expect(parsed.address(at: UInt128(parsed.count.low)) == nil)
    }

    @Test func iterationIsLazyOnHugeRanges() throws {
        let huge = try range("2001:db8::/64")
        let firstThree = Array(huge.addresses.prefix(3)).map(\.description)
        #expect(firstThree == ["2001:db8::", "2001:db8::1", "2001:db8::2"])
        let top = try range("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127")
        #expect(Array(top.addresses).count == 2)
    }
}
