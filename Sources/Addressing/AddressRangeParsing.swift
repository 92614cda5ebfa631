/// Why a pool `addresses` entry is not a CIDR or an `a-b` range.
public enum AddressEntryError: Error, Hashable, Sendable {
    case empty
    case invalidCIDR(String)
    case invalidRangeStart(String)
    case invalidRangeEnd(String)
    case mixedFamilies(IPAddress, IPAddress)
    case reversed(IPAddress, IPAddress)
}

extension AddressEntryError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .empty: "empty address entry"
        case .invalidCIDR(let text): "invalid CIDR \"\(text)\" (expected ADDRESS/LENGTH or START-END)"
        case .invalidRangeStart(let text): "invalid range start \"\(text)\""
        case .invalidRangeEnd(let text): "invalid range end \"\(text)\""
        case let .mixedFamilies(first, last): "range \(first)-\(last) mixes IPv4 and IPv6"
        case let .reversed(first, last): "range start \(first) is after its end \(last)"
        }
    }
}

extension AddressRange {
    /// Parses one entry of a pool's `addresses` as MetalLB does (internal/config
    /// `parseCIDR`): text containing `-` is `START-END` (split at the first dash, spaces
    /// around either end allowed), anything else must be `ADDRESS/LENGTH`. A CIDR with host
    /// bits set (`10.0.0.7/24`) stands for its whole network, as Go's `net.ParseCIDR` has it.
    public static func parse(poolEntry text: some StringProtocol) -> Result<AddressRange, AddressEntryError> {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return .failure(.empty) }
        guard let dash = trimmed.firstIndex(of: "-") else {
            guard let cidr = CIDR(trimmed) else { return .failure(.invalidCIDR(String(trimmed))) }
            return .success(AddressRange(cidr))
        }
        let startText = trimmed[..<dash].trimmingASCIIWhitespace()
        let endText = trimmed[trimmed.index(after: dash)...].trimmingASCIIWhitespace()
        guard let start = IPAddress(startText) else { return .failure(.invalidRangeStart(String(startText))) }
        guard let end = IPAddress(endText) else { return .failure(.invalidRangeEnd(String(endText))) }
        guard start.family == end.family else { return .failure(.mixedFamilies(start, end)) }
        guard let range = AddressRange(first: start, last: end) else { return .failure(.reversed(start, end)) }
        return .success(range)
    }

    /// The smallest list of CIDRs covering exactly this range, in order (what MetalLB turns
    /// every `START-END` entry into).
    public var cidrs: [CIDR] {
        var result: [CIDR] = []
        let width = family.bitWidth
        var current = first.numeric
        let end = last.numeric
        while true {
            var hostBits = current == 0 ? width : Swift.min(width, current.trailingZeroBitCount)
            func blockEnd(_ bits: Int) -> UInt128 { current | (bits == 128 ? UInt128.max : (UInt128(1) << UInt128(bits)) - 1) }
            while blockEnd(hostBits) > end { hostBits -= 1 }
            let blockLast = blockEnd(hostBits)
            result.append(CIDR(address: IPAddress(family: family, numeric: current)!, prefixLength: width - hostBits)!)
            if blockLast == end { return result }
            current = blockLast + 1
        }
    }
}

extension AddressRange: CustomStringConvertible {
    /// `a.b.c.d/n` when the range is exactly one CIDR, otherwise `first-last`.
    public var description: String {
        let blocks = cidrs
        return blocks.count == 1 ? blocks[0].description : "\(first)-\(last)"
    }
}
