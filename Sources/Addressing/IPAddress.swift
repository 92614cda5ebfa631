/// An IPv4 address as a 32-bit number, so that ranges and pools are plain arithmetic.
public struct IPv4Address: Hashable, Sendable, Comparable {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// The four octets in network order.
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Parses a dotted quad. Like Go's `net.ParseIP` (which MetalLB uses), octets with
    /// leading zeros are rejected: `010.0.0.1` is ambiguous (octal in some libcs).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.first == "0"),
                  let octet = UInt8(part) else { return nil }
            result = result << 8 | UInt32(octet)
        }
        value = result
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

extension IPv4Address: CustomStringConvertible {
    public var description: String { bytes.map(String.init).joined(separator: ".") }
}

/// An IPv6 address as a 128-bit number.
public struct IPv6Address: Hashable, Sendable, Comparable {
    public var value: UInt128

    public init(_ value: UInt128) { self.value = value }

    /// The sixteen octets in network order.
    public var bytes: [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: value >> (120 - 8 * UInt128($0))) }
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt128($1) }
    }

    /// The eight 16-bit groups in order.
    public var groups: [UInt16] {
        (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * UInt128($0))) }
    }

    /// Parses RFC 4291 text: hex groups, at most one `::`, an optional trailing dotted quad.
    /// Zone suffixes (`%eth0`) are not addresses and are rejected.
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.isEmpty, !text.contains("%") else { return nil }
        var head = text
        var tail = ""
        var compressed = false
        let characters = Array(text)
        if let index = characters.indices.dropLast().first(where: { characters[$0] == ":" && characters[$0 + 1] == ":" }) {
            compressed = true
            head = String(characters[..<index])
            tail = String(characters[(index + 2)...])
            guard !tail.hasPrefix(":"), !tail.hasSuffix(":") || tail.isEmpty, !Array(tail).adjacentColons else {
                return nil
            }
        }
        func groups(_ part: String, allowV4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowV4, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = IPv4Address(piece) else { return nil }
                    result += [UInt16(v4.value >> 16), UInt16(truncatingIfNeeded: v4.value)]
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit),
                      let group = UInt16(piece, radix: 16) else { return nil }
                result.append(group)
            }
            return result
        }
        guard let headGroups = groups(head, allowV4: !compressed),
              let tailGroups = groups(tail, allowV4: true) else { return nil }
        let all: [UInt16]
        if compressed {
            let missing = 8 - headGroups.count - tailGroups.count
            guard missing >= 1 else { return nil }
            all = headGroups + Array(repeating: 0, count: missing) + tailGroups
        } else {
            all = headGroups
        }
        guard all.count == 8 else { return nil }
        value = all.reduce(0) { $0 << 16 | UInt128($1) }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

extension IPv6Address: CustomStringConvertible {
    /// RFC 5952 canonical text, as Go prints it: lowercase, no leading zeros, the longest run
    /// of two or more zero groups (the first on a tie) as `::`, and IPv4-mapped addresses
    /// (`::ffff:a.b.c.d`) with a dotted tail. MetalLB hashes this exact text in its election.
    public var description: String {
        let groups = self.groups
        if value >> 32 == 0xFFFF {
            return "::ffff:" + IPv4Address(UInt32(truncatingIfNeeded: value)).description
        }
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength { bestStart = index; bestLength = end - index }
                index = end
            } else {
                index += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

/// The address family of an IP, a CIDR, a range or a Service's `ipFamilies` entry.
public enum IPFamily: String, Hashable, Sendable, CaseIterable, Comparable {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"

    /// Address width in bits.
    public var bitWidth: Int { self == .ipv4 ? 32 : 128 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .ipv4 && rhs == .ipv6 }
}

/// An IPv4 or IPv6 address. IPv4 sorts before IPv6; within a family, numerically.
public enum IPAddress: Hashable, Sendable, Comparable {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses either family; the text decides which.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.contains(":") {
            guard let v6 = IPv6Address(trimmed) else { return nil }
            self = .v6(v6)
        } else {
            guard let v4 = IPv4Address(trimmed) else { return nil }
            self = .v4(v4)
        }
    }

    public var family: IPFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// The address as an unsigned number, widened so both families share arithmetic.
    public var numeric: UInt128 {
        switch self {
        case .v4(let a): UInt128(a.value)
        case .v6(let a): a.value
        }
    }

    /// Rebuilds an address of `family` from its number; nil if it does not fit the family.
    public init?(family: IPFamily, numeric: UInt128) {
        switch family {
        case .ipv4:
            guard numeric <= UInt128(UInt32.max) else { return nil }
            self = .v4(IPv4Address(UInt32(numeric)))
        case .ipv6:
            self = .v6(IPv6Address(numeric))
        }
    }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): a.bytes
        case .v6(let a): a.bytes
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// Canonical text: dotted quad or RFC 5952, matching Go's `net.IP.String()`.
    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}

extension IPAddress: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an IP address: \(text)")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Array where Element == Character {
    /// Whether a second `::` (or a `:::`) appears.
    fileprivate var adjacentColons: Bool {
        indices.dropLast().contains { self[$0] == ":" && self[$0 + 1] == ":" }
    }
}

extension StringProtocol {
    /// Trims spaces and tabs without Foundation, so the pure cores stay dependency-free.
    func trimmingASCIIWhitespace() -> Substring {
        let whitespace: Set<Character> = [" ", "\t", "\n", "\r"]
        var slice = Substring(self)
        while let first = slice.first, whitespace.contains(first) { slice.removeFirst() }
        while let last = slice.last, whitespace.contains(last) { slice.removeLast() }
        return slice
    }
}
