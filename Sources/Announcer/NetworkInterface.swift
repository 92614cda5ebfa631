public import Addressing
public import Packets

/// What the announcer needs to know about one network interface, as netlink reports it.
public struct NetworkInterface: Hashable, Sendable {
    public var index: Int32
    public var name: String
    /// The interface's MAC, used as the sender of every reply (MetalLB: "the receiving interface's MAC").
    public var mac: MACAddress?
    /// `IFF_*` flags from `<net/if.h>`.
    public var flags: UInt32
    /// Index of the bond/bridge/VRF this interface is enslaved to, 0 if none.
    public var masterIndex: Int32
    /// Link kind from IFLA_INFO_KIND (`bond`, `bridge`, `veth`, `vlan`, ...), if any.
    public var kind: String?
    /// The IPv6 link-local address, the source of every Neighbor Advertisement (RFC 4861 §7.2.4
    /// wants a link-local source so hosts accept it as on-link).
    public var linkLocal: IPv6Address?

    public init(index: Int32, name: String, mac: MACAddress?, flags: UInt32, masterIndex: Int32 = 0,
                kind: String? = nil, linkLocal: IPv6Address? = nil) {
        self.index = index
        self.name = name
        self.mac = mac
        self.flags = flags
        self.masterIndex = masterIndex
        self.kind = kind
        self.linkLocal = linkLocal
    }

    public static let flagUp: UInt32 = 0x1
    public static let flagBroadcast: UInt32 = 0x2
    public static let flagLoopback: UInt32 = 0x8
    public static let flagNoARP: UInt32 = 0x80

    public var isUp: Bool { flags & Self.flagUp != 0 }
}

/// Why an interface is not used for announcing.
public enum InterfaceExclusion: String, Hashable, Sendable {
    case down, loopback, noARP, noMAC, enslaved, notListed
}

/// The interface rules of MetalLB's announcer (internal/layer2/announcer.go), as a pure function:
/// usable = up, ARP-capable, not loopback, has a MAC, and not enslaved to a bond, bridge or VRF
/// (the master itself is usable). MetalLB rescans every 10 s; we apply the same rules to every
/// netlink notification instead.
public enum InterfaceSelection {
    /// - Parameters:
    ///   - interface: the candidate.
    ///   - allowedNames: when not nil, only these names are used (`swiftlb announce --interface`,
    ///     or the union of the L2Advertisements' `interfaces` lists).
    /// - Returns: nil when usable, else the first rule that excludes it.
    public static func exclusion(of interface: NetworkInterface, allowedNames: Set<String>?) -> InterfaceExclusion? {
        if let allowedNames, !allowedNames.contains(interface.name) { return .notListed }
        if interface.flags & NetworkInterface.flagLoopback != 0 { return .loopback }
        if !interface.isUp { return .down }
        if interface.flags & NetworkInterface.flagNoARP != 0 { return .noARP }
        guard let mac = interface.mac, mac != .zero else { return .noMAC }
        if interface.masterIndex != 0 { return .enslaved }
        return nil
    }

    public static func usable(_ interfaces: [NetworkInterface], allowedNames: Set<String>?) -> [NetworkInterface] {
        interfaces.filter { exclusion(of: $0, allowedNames: allowedNames) == nil }
    }
}
