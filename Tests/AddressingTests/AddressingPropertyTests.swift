import Addressing
import PropertyBased
import Testing

/// IPv6 addresses with many zero groups, so `::` placement is exercised, not just 8 groups.
private let ipv6Addresses = Generator<IPv6Address, Shrink.None<IPv6Address>>(run: { rng in
    var value: UInt128 = 0
    for _ in 0..<8 {
        let group: UInt128 = Bool.random(using: &rng) ? 0 : UInt128(UInt16.random(in: 0...UInt16.max, using: &rng))
        value = value << 16 | group
    }
    return IPv6Address(value)
})

private let ipv4Addresses = Gen<UInt32>.value().map { IPv4Address($0) }

/// A small pool of disjoint IPv4 ranges around 10.0.0.0, in random order.
private let smallPools = Generator<AddressPool, Shrink.None<AddressPool>>(run: { rng in
    var ranges: [AddressRange] = []
    var start = UInt32(10) << 24 | UInt32.random(in: 0...600, using: &rng)
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let length = UInt32.random(in: 0...300, using: &rng)
        ranges.append(AddressRange(first: .v4(IPv4Address(start)), last: .v4(IPv4Address(start + length)))!)
        start += length + 1 + UInt32.random(in: 0...300, using: &rng)
    }
    return AddressPool(ranges.shuffled(using: &rng))
})

@Suite struct AddressingPropertyTests {
    @Test func ipv4TextRoundTrips() async {
        await propertyCheck(count: 500, input: ipv4Addresses) { address in
            #expect(IPv4Address(address.description) == address)
            #expect(IPAddress(address.description) == .v4(address))
        }
    }

    @Test func ipv6TextRoundTripsAndIsCanonical() async {
        await propertyCheck(count: 1000, input: ipv6Addresses) { address in
            let text = address.description
            #expect(IPv6Address(text) == address)
            // RFC 5952: lowercase, no group with a leading zero, at most one `::`.
            #expect(text == text.lowercased())
            #expect(text.split(separator: ":").allSatisfy { !($0.count > 1 && $0.first == "0") || $0.contains(".") })
            #expect(text.doubleColonCount <= 1)
            // The uncompressed form parses to the same address.
            let full = address.groups.map { String($0, radix: 16) }.joined(separator: ":")
            #expect(IPv6Address(full) == address)
        }
    }

    @Test func containmentMatchesIteration() async {
        await propertyCheck(count: 100, input: smallPools, Gen<UInt32>.value(in: (10 << 24)...((10 << 24) + 3000))) { pool, probe in
            let walked = Set(pool.addresses())
            let ip = IPAddress.v4(IPv4Address(probe))
            #expect(pool.contains(ip) == walked.contains(ip))
            #expect(AddressCount(UInt128(walked.count)) == pool.count)
        }
    }

    @Test func countsAddUpWithAndWithoutBuggyAddresses() async {
        await propertyCheck(count: 100, input: smallPools) { pool in
            let usable = Array(pool.addresses(avoidingBuggyIPs: true))
            #expect(usable.allSatisfy { !$0.confusesBuggyFirmware })
            #expect(AddressCount(UInt128(usable.count)) == pool.count(avoidingBuggyIPs: true))
            let buggy = pool.ranges.map(\.buggyFirmwareAddressCount).reduce(0, +)
            #expect(pool.count(avoidingBuggyIPs: true) + AddressCount(buggy) == pool.count)
            for (index, address) in usable.enumerated() where index % 37 == 0 {
                #expect(pool.address(at: UInt128(index), family: .ipv4, avoidingBuggyIPs: true) == address)
                #expect(pool.offset(of: address, avoidingBuggyIPs: true) == UInt128(index))
            }
            for (index, address) in pool.addresses().enumerated() where index % 41 == 0 {
                #expect(pool.offset(of: address) == UInt128(index))
                #expect(pool.offset(of: address, avoidingBuggyIPs: true) == nil || !address.confusesBuggyFirmware)
            }
        }
    }

    @Test func rangesSplitIntoCIDRsThatCoverExactly() async {
        await propertyCheck(count: 300, input: Gen<UInt32>.value(), Gen<UInt32>.value(in: 0...100_000)) { start, length in
            let last = start.addingReportingOverflow(length).overflow ? UInt32.max : start + length
            let range = AddressRange(first: .v4(IPv4Address(start)), last: .v4(IPv4Address(last)))!
            let cidrs = range.cidrs
            #expect(cidrs.first?.first == range.first)
            #expect(cidrs.last?.last == range.last)
            #expect(cidrs.map { AddressRange($0).count }.reduce(.zero, +) == range.count)
            for (a, b) in zip(cidrs, cidrs.dropFirst()) { #expect(a.last.successor == b.first) }
            #expect(cidrs.count <= 64)
        }
    }
}

extension String {
    /// How many times `::` appears (overlapping `:::` counts twice).
    fileprivate var doubleColonCount: Int {
        let characters = Array(self)
        return zip(characters, characters.dropFirst()).filter { $0 == ":" && $1 == ":" }.count
    }
}
