import Glibc
import Addressing
import Packets
import Synchronization

/// Joins the solicited-node multicast groups (RFC 4291 §2.7.1) of our IPv6 addresses on one
/// interface, so that Neighbor Solicitations for them reach us.
///
/// Why an IPv6 socket with `IPV6_JOIN_GROUP` rather than a packet socket with
/// `PACKET_ADD_MEMBERSHIP`: both make the NIC accept 33:33:ff:xx:xx:xx frames, but only the
/// IPv6 membership makes the kernel send MLD reports (RFC 3810), and switches with MLD snooping
/// forward a solicitation only to ports that reported the group. MetalLB does the same
/// (ndp.go, `JoinGroup` on its ICMPv6 socket). A group is joined once even if several of our
/// IPs share it (same low 24 bits), and left when the last of them goes; closing the socket
/// leaves every group.
///
/// C-handle wrapper: the descriptor and the group table live in `state`, a `Mutex`.
final class SolicitedNodeMembership: Sendable {
    let interfaceIndex: UInt32
    private struct State {
        var socket: Int32
        var members: [IPv6Address: Set<IPv6Address>] = [:]  // group → our addresses in it
    }
    private let state: Mutex<State>

    init(interfaceIndex: Int32) throws(SystemCallError) {
        self.interfaceIndex = UInt32(bitPattern: interfaceIndex)
        let fd = Glibc.socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        if fd < 0 { throw SystemCallError(call: "socket(AF_INET6)", errno: errno) }
        state = Mutex(State(socket: fd))
    }

    /// Joins the group of `address` if it is the first of ours in it.
    func join(_ address: IPv6Address) throws(SystemCallError) {
        let group = address.solicitedNodeMulticast
        let result: SystemCallError? = state.withLock { state in
            defer { state.members[group, default: []].insert(address) }
            guard state.members[group, default: []].isEmpty else { return nil }
            return setMembership(socket: state.socket, option: IPV6_ADD_MEMBERSHIP, group: group)
        }
        if let result { throw result }
    }

    /// Leaves the group of `address` if no other address of ours is in it.
    func leave(_ address: IPv6Address) {
        let group = address.solicitedNodeMulticast
        state.withLock { state in
            guard state.members[group]?.remove(address) != nil else { return }
            if state.members[group]!.isEmpty {
                state.members[group] = nil
                _ = setMembership(socket: state.socket, option: IPV6_DROP_MEMBERSHIP, group: group)
            }
        }
    }

    func close() {
        state.withLock { state in
            if state.socket >= 0 { Glibc.close(state.socket) }
            state.socket = -1
            state.members = [:]
        }
    }

    private func setMembership(socket: Int32, option: Int32, group: IPv6Address) -> SystemCallError? {
        var request = ipv6_mreq()
        withUnsafeMutableBytes(of: &request.ipv6mr_multiaddr) { raw in
            for (index, byte) in group.bytes.enumerated() { raw[index] = byte }
        }
        request.ipv6mr_interface = interfaceIndex
        let rc = setsockopt(socket, Int32(IPPROTO_IPV6), option, &request, socklen_t(MemoryLayout<ipv6_mreq>.size))
        return rc == 0 ? nil : SystemCallError(call: "setsockopt(\(option == IPV6_ADD_MEMBERSHIP ? "IPV6_JOIN_GROUP" : "IPV6_LEAVE_GROUP"))", errno: errno)
    }
}

/// A failed system call and its `errno`.
public struct SystemCallError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
