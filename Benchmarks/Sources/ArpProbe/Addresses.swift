/// A 48-bit Ethernet address. The prober is deliberately self-contained (no dependency on
/// the SwiftLB modules), so it carries its own two small address values.
struct MacAddress: Hashable, Sendable, CustomStringConvertible {
    let octets: [UInt8]

    static let broadcast = MacAddress([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    static let zero = MacAddress([0, 0, 0, 0, 0, 0])

    init(_ octets: some Collection<UInt8>) {
        precondition(octets.count == 6, "a MAC address has 6 octets")
        self.octets = Array(octets)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (case-insensitive); nil for anything else.
    init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard part.count == 2, let octet = UInt8(part, radix: 16) else { return nil }
            octets.append(octet)
        }
        self.octets = octets
    }

    var description: String {
        octets.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined(separator: ":")
    }
}

/// An IPv4 address in network byte order.
struct IPv4: Hashable, Sendable, CustomStringConvertible {
    let octets: [UInt8]

    init(_ octets: some Collection<UInt8>) {
        precondition(octets.count == 4, "an IPv4 address has 4 octets")
        self.octets = Array(octets)
    }

    /// Parses dotted-quad text (`10.99.0.100`); nil for anything else.
    init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0 >= "0" && $0 <= "9" }),
                let octet = UInt8(part)
            else { return nil }
            octets.append(octet)
        }
        self.octets = octets
    }

    var description: String { octets.map(String.init).joined(separator: ".") }
}

/// An IPv6 address in network byte order; text through inet_pton/inet_ntop (RFC 5952 output).
struct IPv6: Hashable, Sendable, CustomStringConvertible {
    let octets: [UInt8]

    init(_ octets: some Collection<UInt8>) {
        precondition(octets.count == 16, "an IPv6 address has 16 octets")
        self.octets = Array(octets)
    }

    var isLinkLocal: Bool { octets[0] == 0xfe && octets[1] & 0xc0 == 0x80 }

    /// The solicited-node multicast group of this address, ff02::1:ffXX:XXXX (RFC 4291 2.7.1).
    var solicitedNodeMulticast: IPv6 {
        IPv6([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff] + octets[13..<16])
    }

    /// The Ethernet multicast address of an IPv6 multicast group: 33:33 + its last 32 bits
    /// (RFC 2464 section 7).
    var multicastMac: MacAddress { MacAddress([0x33, 0x33] + octets[12..<16]) }
}

#if canImport(Glibc)
import Glibc

extension IPv6 {
    init?(parsing text: String) {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        self.init(withUnsafeBytes(of: storage) { Array($0) })
    }

    var description: String {
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: octets) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
#endif
