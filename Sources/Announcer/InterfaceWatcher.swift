import CNetLinkRoute
import Glibc
import Addressing
import Packets
import Synchronization

/// Netlink failure with libnl's message.
public struct NetlinkError: Error, Hashable, Sendable, CustomStringConvertible {
    public var step: String
    public var code: Int32
    public var description: String { "\(step): \(String(cString: nl_geterror(code)))" }
}

/// Keeps libnl-route's link and address caches up to date from kernel notifications.
///
/// A `nl_cache_mngr` owns a netlink socket subscribed to RTNLGRP_LINK (from the `route/link`
/// cache) and RTNLGRP_IPV4_IFADDR/IPV6_IFADDR (from `route/addr`); its descriptor is
/// non-blocking, and the owner calls `processNotifications()` whenever it is readable. MetalLB
/// polls `net.Interfaces()` every 10 s instead; here an interface appearing, going down or
/// coming back is seen within one notification.
///
/// C-handle wrapper: the manager and both caches live in `state`, a `Mutex`.
final class InterfaceWatcher: Sendable {
    private struct Handles {
        var manager: OpaquePointer?
        var links: OpaquePointer?
        var addresses: OpaquePointer?
    }
    private let state: Mutex<Handles>
    let fileDescriptor: Int32

    init() throws(NetlinkError) {
        var manager: OpaquePointer?
        var rc = nl_cache_mngr_alloc(nil, NETLINK_ROUTE, 0, &manager)
        guard rc == 0, let manager else { throw NetlinkError(step: "nl_cache_mngr_alloc", code: rc) }
        var links: OpaquePointer?
        rc = nl_cache_mngr_add(manager, "route/link", nil, nil, &links)
        guard rc == 0 else {
            nl_cache_mngr_free(manager)
            throw NetlinkError(step: "nl_cache_mngr_add(route/link)", code: rc)
        }
        var addresses: OpaquePointer?
        rc = nl_cache_mngr_add(manager, "route/addr", nil, nil, &addresses)
        guard rc == 0 else {
            nl_cache_mngr_free(manager)
            throw NetlinkError(step: "nl_cache_mngr_add(route/addr)", code: rc)
        }
        fileDescriptor = nl_cache_mngr_get_fd(manager)
        state = Mutex(Handles(manager: manager, links: links, addresses: addresses))
    }

    /// Applies every pending notification to the caches (never blocks).
    func processNotifications() -> NetlinkError? {
        state.withLock { handles -> NetlinkError? in
            guard let manager = handles.manager else { return nil }
            let rc = nl_cache_mngr_data_ready(manager)
            return rc < 0 ? NetlinkError(step: "nl_cache_mngr_data_ready", code: rc) : nil
        }
    }

    /// Every link in the cache, with its IPv6 link-local address from the address cache.
    func interfaces() -> [NetworkInterface] {
        state.withLock { handles -> [NetworkInterface] in
            guard let links = handles.links else { return [] }
            var linkLocal: [Int32: IPv6Address] = [:]
            if let addresses = handles.addresses {
                var object = nl_cache_get_first(addresses)
                while let address = object {
                    object = nl_cache_get_next(address)
                    guard rtnl_addr_get_family(address) == AF_INET6, let local = rtnl_addr_get_local(address),
                          let v6 = IPv6Address(bytes: Self.bytes(of: local)), v6.isLinkLocal else { continue }
                    linkLocal[rtnl_addr_get_ifindex(address)] = v6
                }
            }
            var result: [NetworkInterface] = []
            var object = nl_cache_get_first(links)
            while let link = object {
                object = nl_cache_get_next(link)
                let index = rtnl_link_get_ifindex(link)
                let name = rtnl_link_get_name(link).map { String(cString: $0) } ?? "if\(index)"
                let mac = rtnl_link_get_addr(link).flatMap { MACAddress(bytes: Self.bytes(of: $0)) }
                result.append(NetworkInterface(
                    index: index, name: name, mac: mac, flags: rtnl_link_get_flags(link),
                    masterIndex: rtnl_link_get_master(link),
                    kind: rtnl_link_get_type(link).map { String(cString: $0) }, linkLocal: linkLocal[index]))
            }
            return result.sorted { $0.index < $1.index }
        }
    }

    func close() {
        state.withLock { handles in
            if let manager = handles.manager { nl_cache_mngr_free(manager) }  // frees its caches too
            handles = Handles()
        }
    }

    private static func bytes(of address: OpaquePointer) -> [UInt8] {
        guard let data = nl_addr_get_binary_addr(address) else { return [] }
        let length = Int(nl_addr_get_len(address))
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }
}
