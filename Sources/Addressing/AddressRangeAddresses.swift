/// Lazy, in-order iteration over a range, so a `/64` is walked, never materialised.
extension AddressRange {
    /// The addresses of the range in ascending order, produced one at a time.
    public var addresses: Addresses { Addresses(range: self) }

    /// A lazy walk over a range.
    public struct Addresses: Sequence, Sendable {
        let range: AddressRange

        public struct Iterator: IteratorProtocol {
            private var upcoming: IPAddress?
            private let last: IPAddress

            init(range: AddressRange) {
                upcoming = range.first
                last = range.last
            }

            public mutating func next() -> IPAddress? {
                guard let current = upcoming else { return nil }
                upcoming = current == last ? nil : current.successor
                return current
            }
        }

        public func makeIterator() -> Iterator { Iterator(range: range) }
    }

    /// The `index`-th address (0-based), or nil past the end.
    public func address(at index: UInt128) -> IPAddress? {
        guard let candidate = first.advanced(by: index), candidate <= last else { return nil }
        return candidate
    }

    /// The `index`-th address that the avoid-buggy-IPs rule keeps (0-based), or nil past
    /// the end. Binary search over the arithmetic count: O(log n), no walking.
    public func address(at index: UInt128, avoidingBuggyIPs: Bool) -> IPAddress? {
        guard avoidingBuggyIPs, family == .ipv4 else { return address(at: index) }
        // Usable addresses in first...x.
        func usable(upTo x: UInt128) -> UInt128 {
            let prefix = AddressRange(first: first, last: IPAddress(family: family, numeric: x)!)!
            return (x - first.numeric + 1) - prefix.buggyFirmwareAddressCount
        }
        guard usable(upTo: last.numeric) > index else { return nil }
        var low = first.numeric, high = last.numeric
        while low < high {
            let middle = low + (high - low) / 2
            if usable(upTo: middle) > index { high = middle } else { low = middle + 1 }
        }
        return IPAddress(family: family, numeric: low)
    }
}
