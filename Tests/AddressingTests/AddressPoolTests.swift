import Addressing
import Testing

@Suite struct AddressPoolTests {
    private func pool(_ entries: [String]) throws -> AddressPool {
        try AddressPool(parsing: entries)
    }

    @Test func mixedFamilyPoolKeepsConfiguredOrder() throws {
        let dual = try pool(["10.0.0.8/30", "fc00::/126", "10.0.0.0-10.0.0.1"])
        #expect(dual.families == [.ipv4, .ipv6])
        #expect(dual.sortedFamilies == [.ipv4, .ipv6])
        #expect(Array(dual.addresses()).map(\.description) == [
            "10.0.0.8", "10.0.0.9", "10.0.0.10", "10.0.0.11", "fc00::", "fc00::1", "fc00::2", "fc00::3",
            "10.0.0.0", "10.0.0.1",
        ])
        #expect(Array(dual.addresses(family: .ipv6)).count == 4)
        #expect(dual.count == AddressCount(10))
        #expect(dual.count(family: .ipv4, avoidingBuggyIPs: false) == AddressCount(6))
        #expect(dual.count(family: .ipv4, avoidingBuggyIPs: true) == AddressCount(5))
        #expect(dual.description == "10.0.0.8/30, fc00::/126, 10.0.0.0/31")
    }

    @Test func parsingStopsAtFirstBadEntry() {
        #expect(throws: AddressEntryError.invalidCIDR("nope")) { try AddressPool(parsing: ["10.0.0.0/8", "nope"]) }
    }

    @Test func containmentAndOverlapAcrossPools() throws {
        let a = try pool(["10.0.0.0/24", "fc00::/64"])
        #expect(a.contains(IPAddress("fc00::ffff")!))
        #expect(!a.contains(IPAddress("fc00:0:0:1::")!))
        #expect(a.overlaps(try pool(["192.168.0.0/16", "fc00::1-fc00::2"])))
        #expect(!a.overlaps(try pool(["10.0.1.0/24", "fc00:0:0:1::/64"])))
        #expect(try pool(["10.0.0.0/24", "10.0.0.128/25", "10.1.0.0/16", "10.0.0.255-10.0.1.0"]).internalOverlaps.map { [$0.0, $0.1] }
            == [[0, 1], [0, 3], [1, 3]])
    }

    @Test func countsBeyondUInt128() throws {
        let absurd = try pool(["::/0", "0.0.0.0/0"])
        #expect(absurd.count == AddressCount(high: 1, low: 1 << 32))
        #expect(absurd.count.clampedToInt64 == Int64.max)
        #expect(try pool(["fc00::/64"]).count.clampedToInt64 == Int64.max)
        #expect(try pool(["10.0.0.0/8"]).count.clampedToInt64 == 1 << 24)
    }

    @Test func nthAddressWalksRangesInOrder() throws {
        let p = try pool(["10.0.0.254-10.0.1.1", "10.9.0.0/31", "fc00::/64"])
        #expect(p.address(at: 0, family: .ipv4) == IPAddress("10.0.0.254"))
        #expect(p.address(at: 4, family: .ipv4) == IPAddress("10.9.0.0"))
        #expect(p.address(at: 6, family: .ipv4) == nil)
        #expect(p.address(at: 1, family: .ipv4, avoidingBuggyIPs: true) == IPAddress("10.0.1.1"))
        #expect(p.address(at: 2, family: .ipv4, avoidingBuggyIPs: true) == IPAddress("10.9.0.1"))
        #expect(p.address(at: UInt128(1) << 63, family: .ipv6) == IPAddress("fc00::8000:0:0:0"))
        #expect(p.address(at: UInt128(1) << 64, family: .ipv6) == nil)
        #expect(p.offset(of: IPAddress("10.9.0.1")!) == 5)
        #expect(p.offset(of: IPAddress("10.9.0.1")!, avoidingBuggyIPs: true) == 2)
        #expect(p.offset(of: IPAddress("10.0.1.0")!, avoidingBuggyIPs: true) == nil)
        #expect(p.offset(of: IPAddress("fc00::8000:0:0:0")!) == UInt128(1) << 63)
        #expect(p.offset(of: IPAddress("10.8.0.0")!) == nil)
    }

    @Test func firstFreeAddressSkipsTakenAndBuggy() throws {
        let p = try pool(["10.0.0.0/30", "10.0.1.0/24"])
        let taken: Set<IPAddress> = [IPAddress("10.0.0.1")!, IPAddress("10.0.0.2")!, IPAddress("10.0.0.3")!]
        #expect(p.firstAddress(family: .ipv4) { !taken.contains($0) } == IPAddress("10.0.0.0"))
        #expect(p.firstAddress(family: .ipv4, avoidingBuggyIPs: true) { !taken.contains($0) } == IPAddress("10.0.1.1"))
        #expect(p.firstAddress(family: .ipv6) { _ in true } == nil)
        #expect(p.firstAddress(family: .ipv4, startingAt: IPAddress("10.0.0.3")) { !taken.contains($0) } == IPAddress("10.0.1.0"))
        #expect(p.firstAddress(family: .ipv4, startingAt: IPAddress("10.0.9.9")) { _ in true } == nil)
        // A /64 is scanned lazily: the predicate accepts the 1000th address.
        let big = try pool(["2001:db8::/64"])
        var asked = 0
        let found = big.firstAddress(family: .ipv6) { address in
            asked += 1
            return address == IPAddress("2001:db8::3e7")
        }
        #expect(found == IPAddress("2001:db8::3e7"))
        #expect(asked == 1000)
    }
}
