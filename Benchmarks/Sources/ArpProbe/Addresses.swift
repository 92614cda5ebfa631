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
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII),
                let octet = UInt8(part)
            else { return nil }
            octets.append(octet)
        }
        self.octets = octets
    }

    var description: String { octets.map(String.init).joined(separator: ".") }
}
