public import Addressing
public import Packets

/// How an address probe is paced: `rounds` requests per address, `interval` apart, and one
/// more `interval` after the last for the answers (the whole window is rounds × interval).
public struct ProbeTiming: Hashable, Sendable {
    public var rounds: Int
    public var interval: Duration

    /// 3 requests 100 ms apart: on a LAN an answer takes well under a millisecond, and three
    /// tries ride out a lost frame. RFC 5227 §2.1.1 waits longer (PROBE_NUM 3, 1-2 s apart)
    /// because it guards an address for good; here a silent owner is already suspected by gossip.
    public init(rounds: Int = 3, interval: Duration = .milliseconds(100)) {
        self.rounds = max(1, rounds)
        self.interval = interval
    }
}

/// What one probe saw.
public struct ProbeOutcome: Hashable, Sendable {
    /// Each answered address and the first foreign MAC that answered for it.
    public var answered: [IPAddress: MACAddress]
    /// Probe frames actually sent. Zero means nothing could be asked (no usable interface, no
    /// link-local address for IPv6, or every send failed): the silence then proves nothing.
    public var framesSent: Int

    public init(answered: [IPAddress: MACAddress] = [:], framesSent: Int = 0) {
        self.answered = answered
        self.framesSent = framesSent
    }

    /// No answer for any address although probes went out: nobody claims them on the wire.
    public var isDark: Bool { answered.isEmpty && framesSent > 0 }
}

/// The frames that ask the segment "who has this IP?" without claiming it.
public enum ProbeFrames {
    /// IPv4: an RFC 5227 §2.1.1 ARP probe: a broadcast Request with sender IP 0.0.0.0, target
    /// MAC zero, target IP the address. The sender IP is 0.0.0.0 so no host's ARP cache learns
    /// anything from it (RFC 5227 §2.1.1; the Linux kernel also ignores it for its cache), while
    /// both MetalLB's responder and ours (fact sheet §2: no check of the sender) and the Linux
    /// kernel (`arp_process`, sip == 0 case, for an address it has configured) answer it.
    public static func arp(for address: IPv4Address, mac: MACAddress) -> Frame {
        Frame(ethernet: EthernetHeader(destination: .broadcast, source: mac, etherType: EtherType.arp),
              payload: .arp(ARPPacket(operation: .request, senderMAC: mac, senderIP: IPv4Address(0),
                                      targetMAC: .zero, targetIP: address)))
    }

    /// IPv6: a Neighbor Solicitation to the target's solicited-node group (RFC 4861 §7.2.2)
    /// from the interface's link-local address with a Source Link-Layer Address option. Not a
    /// DAD probe from `::`: MetalLB and our responder drop solicitations without that option
    /// (fact sheet §3), so only this form is answered by every kind of owner.
    public static func neighborSolicitation(for address: IPv6Address, mac: MACAddress, linkLocal: IPv6Address) -> Frame {
        let group = address.solicitedNodeMulticast
        return Frame(ethernet: EthernetHeader(destination: group.multicastMAC, source: mac, etherType: EtherType.ipv6),
                     payload: .neighborDiscovery(NeighborDiscoveryPacket(
                         source: linkLocal, destination: group,
                         message: .solicitation(NeighborSolicitation(target: address, sourceLinkLayerAddress: mac)))))
    }

    /// The probe for `address` on `interface`; nil when the interface cannot ask (no MAC, or
    /// no link-local address for IPv6).
    public static func probe(for address: IPAddress, on interface: NetworkInterface) -> Frame? {
        guard let mac = interface.mac else { return nil }
        switch address {
        case .v4(let v4): return arp(for: v4, mac: mac)
        case .v6(let v6):
            guard let linkLocal = interface.linkLocal else { return nil }
            return neighborSolicitation(for: v6, mac: mac, linkLocal: linkLocal)
        }
    }

    /// The address a captured frame shows a station claiming, and that station's MAC: an ARP
    /// reply or request sent from the address (a reply to our probe, or a gratuitous
    /// announcement), or a Neighbor Advertisement for it. A probe from 0.0.0.0 or a
    /// solicitation claims nothing. Frames from `ourMACs` are never a claim.
    public static func claim(in frame: Frame, ourMACs: Set<MACAddress>) -> (address: IPAddress, mac: MACAddress)? {
        switch frame.payload {
        case .arp(let arp):
            guard arp.senderIP.value != 0, !ourMACs.contains(arp.senderMAC) else { return nil }
            return (.v4(arp.senderIP), arp.senderMAC)
        case .neighborDiscovery(let packet):
            guard case .advertisement(let na) = packet.message else { return nil }
            let mac = na.targetLinkLayerAddress ?? frame.ethernet.source
            guard !ourMACs.contains(mac) else { return nil }
            return (.v6(na.target), mac)
        }
    }
}

/// The probes in flight and what the capture path saw for them: the announcer feeds every
/// decoded frame through `observe` while any is open.
struct ProbeSessions {
    private var open: [Int: (addresses: Set<IPAddress>, answered: [IPAddress: MACAddress])] = [:]
    private var nextID = 0

    var isEmpty: Bool { open.isEmpty }

    mutating func begin(_ addresses: Set<IPAddress>) -> Int {
        nextID += 1
        open[nextID] = (addresses, [:])
        return nextID
    }

    func answered(_ id: Int) -> [IPAddress: MACAddress] { open[id]?.answered ?? [:] }

    mutating func end(_ id: Int) -> [IPAddress: MACAddress] { open.removeValue(forKey: id)?.answered ?? [:] }

    mutating func observe(_ frame: Frame, ourMACs: Set<MACAddress>) {
        guard let claim = ProbeFrames.claim(in: frame, ourMACs: ourMACs) else { return }
        for id in open.keys where open[id]!.addresses.contains(claim.address) && open[id]!.answered[claim.address] == nil {
            open[id]!.answered[claim.address] = claim.mac
        }
    }
}

extension Announcer {
    /// Asks the segment whether anyone answers for `addresses` (none of which we announce):
    /// sends `timing.rounds` probes per address on every usable interface `interfaces` allows
    /// (nil = all), `timing.interval` apart, and reports which were answered, by whom, within
    /// the window. The speaker's early takeover uses it to see whether a suspected owner still
    /// answers on the data plane. Answered addresses are not asked again.
    public func probe(_ addresses: Set<IPAddress>, interfaces: Set<String>? = nil,
                      timing: ProbeTiming = ProbeTiming()) async -> ProbeOutcome {
        guard !addresses.isEmpty else { return ProbeOutcome() }
        let id = probeSessions.begin(addresses)
        var sent = 0
        for round in 0..<timing.rounds {
            if round > 0 { try? await Task.sleep(for: timing.interval) }
            let answered = probeSessions.answered(id)
            if answered.count == addresses.count { break }
            for address in addresses.sorted() where answered[address] == nil {
                sent += inject(on: interfaces) { ProbeFrames.probe(for: address, on: $0) }
            }
        }
        try? await Task.sleep(for: timing.interval)
        return ProbeOutcome(answered: probeSessions.end(id), framesSent: sent)
    }
}
