#if canImport(Glibc)
import Addressing
import Glibc
import Packets

/// A raw `AF_PACKET` socket bound to one interface, receiving only frames of one EtherType
/// (ARP or IPv6; packet(7)). It sends only on that interface. Owned by a single task; closes on deinit.
final class PacketSocket {
    enum Failure: Error, CustomStringConvertible {
        case noSuchInterface(String)
        case noAddress(interface: String, family: String)
        case system(call: String, errno: Int32)

        var description: String {
            switch self {
            case .noSuchInterface(let name): "no interface named \(name) in this network namespace"
            case .noAddress(let name, let family): "interface \(name) has no \(family) address"
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            }
        }
    }

    struct InterfaceAddresses {
        var index: Int32
        var mac: MACAddress
        var ipv4: IPv4Address?
        /// The first global IPv6 address, else the link-local one.
        var ipv6: IPv6Address?

        /// The address the probes of `family` are sent from when no --source-ip is given.
        func first(of family: IPFamily) -> IPAddress? {
            switch family {
            case .ipv4: ipv4.map(IPAddress.v4)
            case .ipv6: ipv6.map(IPAddress.v6)
            }
        }
    }

    private let descriptor: Int32
    private let interfaceIndex: Int32
    private let etherType: UInt16

    /// - Parameter etherType: ETH_P_ARP (0x0806) or ETH_P_IPV6 (0x86dd); <linux/if_ether.h>
    ///   is not exported by Glibc's module.
    init(interfaceIndex: Int32, etherType: UInt16) throws(Failure) {
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(etherType.bigEndian))
        guard fd >= 0 else { throw .system(call: "socket(AF_PACKET)", errno: errno) }
        let address = LinkLayerSocketAddress(interfaceIndex: interfaceIndex, etherType: etherType)
        let bound = address.withSocketAddress { bind(fd, $0, $1) }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw .system(call: "bind(AF_PACKET)", errno: code)
        }
        self.descriptor = fd
        self.interfaceIndex = interfaceIndex
        self.etherType = etherType
    }

    deinit { close(descriptor) }

    /// Index, MAC and first IPv4 address of `name`, from getifaddrs(3).
    static func addresses(of name: String) throws(Failure) -> InterfaceAddresses {
        let index = Int32(bitPattern: if_nametoindex(name))
        guard index > 0 else { throw .noSuchInterface(name) }
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else {
            throw .system(call: "getifaddrs", errno: errno)
        }
        defer { freeifaddrs(list) }
        var mac: MACAddress?
        var ipv4: IPv4Address?
        var ipv6: IPv6Address?
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard String(cString: current.pointee.ifa_name) == name,
                let address = current.pointee.ifa_addr
            else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_PACKET:
                let link = UnsafeRawPointer(address).loadBytes(count: LinkLayerSocketAddress.size)
                mac = LinkLayerSocketAddress(bytes: link).hardwareAddress
            case AF_INET where ipv4 == nil:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    ipv4 = IPv4Address(UInt32(bigEndian: inet.pointee.sin_addr.s_addr))
                }
            case AF_INET6:
                let found = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet6 in
                    withUnsafeBytes(of: inet6.pointee.sin6_addr) { IPv6Address(bytes: $0) }
                }
                guard let candidate = found else { continue }
                if ipv6 == nil || (ipv6!.isLinkLocal && !candidate.isLinkLocal) { ipv6 = candidate }
            default:
                break
            }
        }
        guard let mac else { throw .noAddress(interface: name, family: "link-layer") }
        return InterfaceAddresses(index: index, mac: mac, ipv4: ipv4, ipv6: ipv6)
    }

    func send(_ frame: [UInt8]) throws(Failure) {
        let address = LinkLayerSocketAddress(interfaceIndex: interfaceIndex, etherType: etherType)
        let sent = frame.withUnsafeBytes { bytes in
            address.withSocketAddress { sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, $1) }
        }
        guard sent == frame.count else { throw .system(call: "sendto", errno: errno) }
    }

    /// Waits up to `milliseconds` for a frame to be readable.
    func waitReadable(milliseconds: Int32) throws(Failure) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, milliseconds)
        if ready < 0 {
            if errno == EINTR { return false }
            throw .system(call: "poll", errno: errno)
        }
        return ready > 0
    }

    /// The next incoming frame without blocking, nil if none is queued. Frames we sent
    /// ourselves (PACKET_OUTGOING) are skipped.
    func receive(into buffer: inout [UInt8]) throws(Failure) -> ArraySlice<UInt8>? {
        while true {
            var from = LinkLayerSocketAddress()
            let count = buffer.withUnsafeMutableBytes { bytes in
                from.withMutableSocketAddress { address, length in
                    recvfrom(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), address, length)
                }
            }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
                if errno == EINTR { continue }
                throw .system(call: "recvfrom", errno: errno)
            }
            if from.packetType == LinkLayerSocketAddress.packetOutgoing { continue }
            return buffer[0..<count]
        }
    }
}

/// `struct sockaddr_ll` (packet(7)) as its 20 bytes, since Glibc's module does not export
/// <linux/if_packet.h>: family (2), protocol (2, network order), ifindex (4), hatype (2),
/// pkttype (1), halen (1), addr (8), in host order except the protocol.
struct LinkLayerSocketAddress {
    static let size = 20
    /// PACKET_OUTGOING: a frame this host sent, looped back to packet sockets.
    static let packetOutgoing: UInt8 = 4

    private(set) var bytes: [UInt8]

    init(bytes: [UInt8] = [UInt8](repeating: 0, count: LinkLayerSocketAddress.size)) {
        self.bytes = bytes
    }

    init(interfaceIndex: Int32, etherType: UInt16) {
        self.init()
        withUnsafeBytes(of: UInt16(AF_PACKET)) { bytes.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: etherType.bigEndian) { bytes.replaceSubrange(2..<4, with: $0) }
        withUnsafeBytes(of: interfaceIndex) { bytes.replaceSubrange(4..<8, with: $0) }
    }

    var packetType: UInt8 { bytes[10] }

    var hardwareAddress: MACAddress? {
        bytes[11] == 6 ? MACAddress(bytes: bytes[12..<18]) : nil
    }

    func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        bytes.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(Self.size))
        }
    }

    mutating func withMutableSocketAddress<R>(
        _ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> R
    ) -> R {
        var length = socklen_t(Self.size)
        return bytes.withUnsafeMutableBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
    }
}

extension UnsafeRawPointer {
    fileprivate func loadBytes(count: Int) -> [UInt8] {
        (0..<count).map { load(fromByteOffset: $0, as: UInt8.self) }
    }
}
#endif
