/// An ordered list of address ranges, possibly of both families: the addresses of one
/// MetalLB pool (`IPAddressPool.spec.addresses`).
///
/// Order matters: MetalLB's allocator walks a pool's CIDRs in configured order and takes
/// the lowest free address, so iteration and `firstAddress(…)` follow the ranges as
/// written, not numeric order.
public struct AddressPool: Hashable, Sendable {
    public var ranges: [AddressRange]

    public init(_ ranges: [AddressRange] = []) { self.ranges = ranges }

    /// Parses each entry with `AddressRange.parse(poolEntry:)`; fails on the first bad one.
    /// (The configuration parser parses entry by entry to report every error.)
    public init(parsing entries: [String]) throws(AddressEntryError) {
        var ranges: [AddressRange] = []
        for entry in entries {
            switch AddressRange.parse(poolEntry: entry) {
            case .success(let range): ranges.append(range)
            case .failure(let error): throw error
            }
        }
        self.ranges = ranges
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// The families present, e.g. both for a dual-stack pool.
    public var families: Set<IPFamily> { Set(ranges.map(\.family)) }

    /// Families in canonical order (IPv4 first).
    public var sortedFamilies: [IPFamily] { families.sorted() }

    public func contains(_ ip: IPAddress) -> Bool { ranges.contains { $0.contains(ip) } }

    /// Whether any address is in both pools.
    public func overlaps(_ other: AddressPool) -> Bool {
        ranges.contains { range in other.ranges.contains { range.overlaps($0) } }
    }

    /// Pairs of positions `(i, j)`, `i < j`, of ranges inside this pool that overlap.
    public var internalOverlaps: [(Int, Int)] {
        var result: [(Int, Int)] = []
        for i in ranges.indices {
            for j in ranges.indices where j > i && ranges[i].overlaps(ranges[j]) { result.append((i, j)) }
        }
        return result
    }

    /// Number of addresses (ranges are assumed disjoint, as validation guarantees).
    public var count: AddressCount { count(family: nil, avoidingBuggyIPs: false) }

    /// Number of addresses of `family` (nil: all) left after the avoid-buggy-IPs rule.
    public func count(family: IPFamily? = nil, avoidingBuggyIPs: Bool) -> AddressCount {
        ranges.lazy.filter { family == nil || $0.family == family }
            .map { $0.count(avoidingBuggyIPs: avoidingBuggyIPs) }
            .reduce(.zero, +)
    }

    /// The addresses in configured order, lazily.
    public func addresses(family: IPFamily? = nil, avoidingBuggyIPs: Bool = false) -> Addresses {
        Addresses(ranges: ranges.filter { family == nil || $0.family == family }, avoidingBuggyIPs: avoidingBuggyIPs)
    }

    /// The `index`-th address of `family` in configured order (0-based), or nil past the end.
    public func address(at index: UInt128, family: IPFamily, avoidingBuggyIPs: Bool = false) -> IPAddress? {
        var remaining = index
        for range in ranges where range.family == family {
            let size = range.count(avoidingBuggyIPs: avoidingBuggyIPs)
            if size.high == 0, remaining >= size.low {
                remaining -= size.low
                continue
            }
            return range.address(at: remaining, avoidingBuggyIPs: avoidingBuggyIPs)
        }
        return nil
    }

    /// The position of `ip` among the pool's addresses of its family in configured order
    /// (the inverse of `address(at:family:avoidingBuggyIPs:)`), or nil when the pool does
    /// not hold it or the avoid-buggy-IPs rule skips it. Lets an allocator keep a bitmap.
    public func offset(of ip: IPAddress, avoidingBuggyIPs: Bool = false) -> UInt128? {
        if avoidingBuggyIPs && ip.confusesBuggyFirmware { return nil }
        var before: UInt128 = 0
        for range in ranges where range.family == ip.family {
            guard range.contains(ip) else {
                before += range.count(avoidingBuggyIPs: avoidingBuggyIPs).low
                continue
            }
            var inside = ip.numeric - range.first.numeric
            if avoidingBuggyIPs, let previous = ip.predecessor, previous >= range.first {
                inside -= AddressRange(first: range.first, last: previous)!.buggyFirmwareAddressCount
            }
            return before + inside
        }
        return nil
    }

    /// The first address of `family`, in configured order, that the rule keeps and
    /// `isFree` accepts; the allocator's "lowest free address". `startingAt` resumes a
    /// scan at an address inside the pool (addresses before it in walk order are skipped).
    public func firstAddress(
        family: IPFamily,
        avoidingBuggyIPs: Bool = false,
        startingAt start: IPAddress? = nil,
        where isFree: (IPAddress) -> Bool
    ) -> IPAddress? {
        var candidates = ranges.filter { $0.family == family }
        if let start {
            guard let position = candidates.firstIndex(where: { $0.contains(start) }) else { return nil }
            candidates.removeFirst(position)
            candidates[0] = AddressRange(first: start, last: candidates[0].last)!
        }
        for address in Addresses(ranges: candidates, avoidingBuggyIPs: avoidingBuggyIPs) where isFree(address) {
            return address
        }
        return nil
    }

    /// A lazy walk over a pool's addresses.
    public struct Addresses: Sequence, Sendable {
        let ranges: [AddressRange]
        let avoidingBuggyIPs: Bool

        public struct Iterator: IteratorProtocol {
            private var ranges: ArraySlice<AddressRange>
            private var current: AddressRange.Addresses.Iterator?
            private let avoidingBuggyIPs: Bool

            init(ranges: [AddressRange], avoidingBuggyIPs: Bool) {
                self.ranges = ranges[...]
                self.avoidingBuggyIPs = avoidingBuggyIPs
            }

            public mutating func next() -> IPAddress? {
                while true {
                    if let address = current?.next() {
                        if avoidingBuggyIPs && address.confusesBuggyFirmware { continue }
                        return address
                    }
                    guard let range = ranges.popFirst() else { return nil }
                    current = range.addresses.makeIterator()
                }
            }
        }

        public func makeIterator() -> Iterator { Iterator(ranges: ranges, avoidingBuggyIPs: avoidingBuggyIPs) }
    }
}

extension AddressPool: CustomStringConvertible {
    public var description: String { ranges.map(\.description).joined(separator: ", ") }
}
