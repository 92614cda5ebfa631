public import Addressing
public import Packets

/// Why a captured frame gets no reply. Mirrors MetalLB's drop reasons (internal/layer2/arp.go,
/// ndp.go) plus the cases our wider capture filter lets through.
public enum DropReason: String, Hashable, Sendable {
    /// ARP other than a request, or an NA that is not a conflict.
    case notARequest
    /// Ethernet destination neither broadcast nor this interface's MAC (MetalLB checks the same).
    case notForUs
    /// The target IP is not owned, or not allowed on this interface.
    case notOwned
    /// RFC 4861 §7.2.2 DAD probes (and other NS) without a Source Link-Layer Address option: MetalLB drops them.
    case noSourceLinkLayerAddress
    /// The interface has no IPv6 link-local address to answer from.
    case noLinkLocalAddress
    /// The interface has no MAC.
    case noMAC
    /// An 802.1Q-tagged frame on the parent interface; the VLAN sub-interface answers it.
    case vlanTagged
    /// A frame we sent ourselves (another of our interfaces on the same segment).
    case ownFrame
}

/// Another station claims an IP we announce (ARP reply, gratuitous ARP or NA with a foreign MAC).
public struct AddressConflict: Hashable, Sendable {
    public var address: IPAddress
    public var interface: String
    public var foreignMAC: MACAddress
    public var ourMAC: MACAddress

    public init(address: IPAddress, interface: String, foreignMAC: MACAddress, ourMAC: MACAddress) {
        self.address = address
        self.interface = interface
        self.foreignMAC = foreignMAC
        self.ourMAC = ourMAC
    }
}

/// What to do with one captured frame.
public enum ResponderAction: Hashable, Sendable {
    /// A request for `address` that we answer with `reply`.
    case reply(address: IPAddress, reply: Frame)
    case conflict(AddressConflict)
    case drop(DropReason)
}

/// MetalLB's responder rules as a pure function of (frame, owned IPs, interface).
///
/// ARP (fact sheet §2, RFC 826): answer operation Request whose Ethernet destination is broadcast
/// or our MAC and whose target IP we own on this interface; no check of the sender, so RFC 5227
/// probes from 0.0.0.0 are answered too. The reply is an ARP Reply from the interface MAC and the
/// requested IP to the requester's MAC/IP, sent to the ARP sender MAC.
///
/// NDP (fact sheet §3, RFC 4861 §7.2.4): answer Neighbor Solicitations that carry a Source
/// Link-Layer Address option for an owned target, with a solicited NA (R=0, S=1, O=0 as
/// MetalLB sends) carrying a Target Link-Layer option, from the target address by default
/// (see `AdvertisementSource`).
public struct ResponderPolicy: Sendable {
    /// Answer 802.1Q-tagged frames captured on the parent interface (the reply keeps the tag).
    /// Off by default: a VLAN sub-interface, if configured, is its own usable interface.
    public var answerVLANTagged: Bool
    /// The IPv6 source of our Neighbor Advertisements.
    public var advertisementSource: AdvertisementSource

    /// Which address a Neighbor Advertisement comes from. RFC 4861 §7.2.4 allows any address
    /// of the sending interface; the target counts, since we own it.
    public enum AdvertisementSource: String, Hashable, Sendable, CaseIterable {
        /// The advertised (target) address itself, as the Linux kernel answers. Default: hosts
        /// and tools that match a reply's scope to the solicited address (ndisc6 ignores an NA
        /// for a global target that comes from a link-local source) accept it, and it needs no
        /// link-local address (still tentative during DAD right after an interface comes up).
        case target
        /// The interface's link-local address, as MetalLB sends (its ICMPv6 socket is bound to it).
        case linkLocal
    }

    public init(answerVLANTagged: Bool = false, advertisementSource: AdvertisementSource = .target) {
        self.answerVLANTagged = answerVLANTagged
        self.advertisementSource = advertisementSource
    }

    /// The source address for an advertisement of `target` from `interface`, nil if none.
    public func advertisementSource(for target: IPv6Address, on interface: NetworkInterface) -> IPv6Address? {
        switch advertisementSource {
        case .target: target
        case .linkLocal: interface.linkLocal
        }
    }

    /// - Parameters:
    ///   - frame: the decoded frame.
    ///   - interface: where it was captured.
    ///   - owned: the IPs we announce.
    ///   - ourMACs: every MAC of this host's usable interfaces (frames from them are not conflicts).
    public func decide(_ frame: Frame, on interface: NetworkInterface, owned: OwnedAddresses,
                       ourMACs: Set<MACAddress>) -> ResponderAction {
        guard let mac = interface.mac else { return .drop(.noMAC) }
        if ourMACs.contains(frame.ethernet.source) { return .drop(.ownFrame) }
        if frame.ethernet.vlan != nil && !answerVLANTagged { return .drop(.vlanTagged) }
        switch frame.payload {
        case .arp(let arp):
            return decideARP(arp, frame: frame, interface: interface, mac: mac, owned: owned, ourMACs: ourMACs)
        case .neighborDiscovery(let packet):
            return decideNDP(packet, frame: frame, interface: interface, mac: mac, owned: owned, ourMACs: ourMACs)
        }
    }

    private func decideARP(_ arp: ARPPacket, frame: Frame, interface: NetworkInterface, mac: MACAddress,
                           owned: OwnedAddresses, ourMACs: Set<MACAddress>) -> ResponderAction {
        let sender = IPAddress.v4(arp.senderIP)
        // A reply, or a gratuitous request, binding one of our IPs to a foreign MAC.
        if (arp.operation == .reply || arp.isGratuitous), owned.contains(sender), !ourMACs.contains(arp.senderMAC) {
            return .conflict(AddressConflict(address: sender, interface: interface.name, foreignMAC: arp.senderMAC,
                                             ourMAC: mac))
        }
        guard arp.operation == .request else { return .drop(.notARequest) }
        guard frame.ethernet.destination == .broadcast || frame.ethernet.destination == mac else {
            return .drop(.notForUs)
        }
        let target = IPAddress.v4(arp.targetIP)
        guard owned.allows(target, on: interface.name) else { return .drop(.notOwned) }
        let reply = Frame(
            ethernet: EthernetHeader(destination: arp.senderMAC, source: mac, vlan: frame.ethernet.vlan,
                                     etherType: EtherType.arp),
            payload: .arp(ARPPacket(operation: .reply, senderMAC: mac, senderIP: arp.targetIP,
                                    targetMAC: arp.senderMAC, targetIP: arp.senderIP)))
        return .reply(address: target, reply: reply)
    }

    private func decideNDP(_ packet: NeighborDiscoveryPacket, frame: Frame, interface: NetworkInterface,
                           mac: MACAddress, owned: OwnedAddresses, ourMACs: Set<MACAddress>) -> ResponderAction {
        switch packet.message {
        case .advertisement(let na):
            let target = IPAddress.v6(na.target)
            let claimed = na.targetLinkLayerAddress ?? frame.ethernet.source
            if owned.contains(target), !ourMACs.contains(claimed) {
                return .conflict(AddressConflict(address: target, interface: interface.name, foreignMAC: claimed,
                                                 ourMAC: mac))
            }
            return .drop(.notARequest)
        case .solicitation(let ns):
            let target = IPAddress.v6(ns.target)
            guard owned.allows(target, on: interface.name) else { return .drop(.notOwned) }
            guard let requesterMAC = ns.sourceLinkLayerAddress else { return .drop(.noSourceLinkLayerAddress) }
            guard let source = advertisementSource(for: ns.target, on: interface) else {
                return .drop(.noLinkLocalAddress)
            }
            let reply = Frame(
                ethernet: EthernetHeader(destination: requesterMAC, source: mac, vlan: frame.ethernet.vlan,
                                         etherType: EtherType.ipv6),
                payload: .neighborDiscovery(NeighborDiscoveryPacket(
                    source: source, destination: packet.source,
                    message: .advertisement(NeighborAdvertisement(
                        router: false, solicited: true, override: false, target: ns.target,
                        targetLinkLayerAddress: mac)))))
            return .reply(address: target, reply: reply)
        }
    }
}
