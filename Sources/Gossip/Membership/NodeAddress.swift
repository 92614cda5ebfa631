/// Where a member listens for UDP and TCP (memberlist uses one port for both).
///
/// The IP is kept as the raw 4 or 16 bytes that travel in `Addr`/`Target`/`SourceAddr`,
/// because memberlist compares addresses byte-wise: an IPv4 address and its IPv4-mapped IPv6
/// form are different addresses to a Go peer.
public struct NodeAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: [UInt8]
    public var port: UInt16

    public init(ip: [UInt8], port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var description: String {
        if ip.count == 4 { return ip.map(String.init).joined(separator: ".") + ":\(port)" }
        var groups: [String] = []
        var index = 0
        while index + 1 < ip.count {
            groups.append(String(UInt16(ip[index]) << 8 | UInt16(ip[index + 1]), radix: 16))
            index += 2
        }
        return "[" + groups.joined(separator: ":") + "]:\(port)"
    }
}
