public import Addressing
public import Packets

/// The frames of one gratuitous round on one interface, as MetalLB sends them (fact sheet §2/§3).
public enum GratuitousFrames {
    /// IPv4: an ARP Request and then an ARP Reply, both Ethernet-broadcast, sender IP = target IP
    /// = the service IP, sender MAC = the interface MAC, target MAC ff:ff:ff:ff:ff:ff. Hosts that
    /// ignore gratuitous replies still update from the request (RFC 5227 §3 announcements).
    public static func arp(for address: IPv4Address, mac: MACAddress) -> [Frame] {
        [ARPPacket.Operation.request, .reply].map { operation in
            Frame(ethernet: EthernetHeader(destination: .broadcast, source: mac, etherType: EtherType.arp),
                  payload: .arp(ARPPacket(operation: operation, senderMAC: mac, senderIP: address,
                                          targetMAC: .broadcast, targetIP: address)))
        }
    }

    /// IPv6: one unsolicited Neighbor Advertisement to all-nodes ff02::1 (RFC 4861 §7.2.6) with
    /// R=0, S=0, O=1 so that existing cache entries are overridden, from `source` (the target or
    /// the link-local address, see `ResponderPolicy.AdvertisementSource`).
    public static func neighborAdvertisement(for address: IPv6Address, mac: MACAddress,
                                             source: IPv6Address) -> Frame {
        Frame(ethernet: EthernetHeader(destination: IPv6Address.allNodes.multicastMAC, source: mac,
                                       etherType: EtherType.ipv6),
              payload: .neighborDiscovery(NeighborDiscoveryPacket(
                  source: source, destination: .allNodes,
                  message: .advertisement(NeighborAdvertisement(router: false, solicited: false, override: true,
                                                                target: address, targetLinkLayerAddress: mac)))))
    }

    /// Every frame of one round for `address` on `interface` (empty if the interface cannot send it).
    public static func round(for address: IPAddress, on interface: NetworkInterface,
                             policy: ResponderPolicy = ResponderPolicy()) -> [Frame] {
        guard let mac = interface.mac else { return [] }
        switch address {
        case .v4(let v4): return arp(for: v4, mac: mac)
        case .v6(let v6):
            guard let source = policy.advertisementSource(for: v6, on: interface) else { return [] }
            return [neighborAdvertisement(for: v6, mac: mac, source: source)]
        }
    }
}
