import Gossip
import NIOCore

extension NodeAddress {
    /// The socket address to send to. IPv4-mapped IPv6 (::ffff:a.b.c.d, what Go advertises
    /// when bound to 0.0.0.0) is sent to as plain IPv4, since the gossip socket is IPv4.
    func socketAddress() throws -> SocketAddress {
        if ip.count == 4 {
            return try SocketAddress(ipAddress: ip.map(String.init).joined(separator: "."), port: Int(port))
        }
        if ip.count == 16, ip.prefix(10).allSatisfy({ $0 == 0 }), ip[10] == 0xff, ip[11] == 0xff {
            return try SocketAddress(ipAddress: ip.suffix(4).map(String.init).joined(separator: "."), port: Int(port))
        }
        var groups: [String] = []
        for index in stride(from: 0, to: ip.count - 1, by: 2) {
            groups.append(String(UInt16(ip[index]) << 8 | UInt16(ip[index + 1]), radix: 16))
        }
        return try SocketAddress(ipAddress: groups.joined(separator: ":"), port: Int(port))
    }

    /// The raw address and port of an IPv4 socket address (the gossip socket is IPv4).
    init?(_ address: SocketAddress) {
        guard case .v4 = address, let text = address.ipAddress, let port = address.port else { return nil }
        self.init(parsing: "\(text):\(port)")
    }

    /// Parses "a.b.c.d:port" (IPv4 only, as SwiftLB binds and MetalLB advertises).
    public init?(parsing text: String) {
        let pieces = text.split(separator: ":")
        guard pieces.count == 2, let port = UInt16(pieces[1]) else { return nil }
        let octets = pieces[0].split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4 else { return nil }
        self.init(ip: octets, port: port)
    }
}
