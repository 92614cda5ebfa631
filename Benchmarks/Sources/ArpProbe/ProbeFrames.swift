import Addressing
import Packets

/// What the prober puts on the wire, built with the shared `Packets` codecs: one ARP request
/// (RFC 826) or Neighbor Solicitation (RFC 4861 section 4.3) per interval, asked the way a
/// client on the LAN asks.
extension Frame {
    /// A broadcast "who has `target`? tell `senderIP`" request from `mac`.
    static func arpProbe(from mac: MACAddress, senderIP: IPv4Address, asking target: IPv4Address) -> Frame {
        Frame(
            ethernet: EthernetHeader(destination: .broadcast, source: mac, etherType: EtherType.arp),
            payload: .arp(ARPPacket(
                operation: .request, senderMAC: mac, senderIP: senderIP, targetMAC: .zero, targetIP: target)))
    }

    /// A Neighbor Solicitation for `target` to its solicited-node group (RFC 4291 section
    /// 2.7.1), with our MAC in a source link-layer address option so the owner can answer
    /// without asking back (MetalLB answers only solicitations that carry it).
    static func neighborSolicitationProbe(from mac: MACAddress, source: IPv6Address, asking target: IPv6Address)
        -> Frame
    {
        let group = target.solicitedNodeMulticast
        return Frame(
            ethernet: EthernetHeader(destination: group.multicastMAC, source: mac, etherType: EtherType.ipv6),
            payload: .neighborDiscovery(NeighborDiscoveryPacket(
                source: source, destination: group,
                message: .solicitation(NeighborSolicitation(target: target, sourceLinkLayerAddress: mac)))))
    }

    /// The answer this frame gives for `target`, nil if it gives none (a request, a
    /// solicitation, or a message about another address).
    func probeAnswer(for target: IPAddress) -> ProbeAnswer? {
        switch (payload, target) {
        case (.arp(let arp), .v4(let target)):
            return arp.probeAnswer(for: target)
        case (.neighborDiscovery(let packet), .v6(let target)):
            guard case .advertisement(let advertisement) = packet.message else { return nil }
            return advertisement.probeAnswer(for: target, frameSource: ethernet.source)
        default:
            return nil
        }
    }
}

extension ARPPacket {
    /// A reply naming `target` as its sender, or a gratuitous ARP for it (sender IP == target
    /// IP, as a request, the form keepalived and MetalLB use, or as a reply; RFC 5227 section
    /// 3). Requests for it are no answer, nor is any operation RFC 826 does not define.
    func probeAnswer(for target: IPv4Address) -> ProbeAnswer? {
        guard senderIP == target, operation == .request || operation == .reply else { return nil }
        if isGratuitous { return ProbeAnswer(mac: senderMAC, kind: .garp) }
        return operation == .reply ? ProbeAnswer(mac: senderMAC, kind: .reply) : nil
    }
}

extension NeighborAdvertisement {
    /// A solicited advertisement for `target` is a reply, an unsolicited one (S flag clear,
    /// RFC 4861 section 7.2.6) an announcement. The MAC is the target link-layer address
    /// option's, which is what a client's neighbour cache stores, else the frame's source.
    func probeAnswer(for target: IPv6Address, frameSource: MACAddress) -> ProbeAnswer? {
        guard self.target == target else { return nil }
        return ProbeAnswer(mac: targetLinkLayerAddress ?? frameSource, kind: solicited ? .reply : .unsolicitedNA)
    }
}

extension ProbeAnswer {
    /// Decodes a received frame and reads the answer it gives for `target`; nil when it gives
    /// none, including other traffic of the socket's EtherType (another ICMPv6 type, another
    /// next header), which is not ours to count as malformed.
    /// - Throws: the `DecodeError` of a truncated or corrupt ARP or ND frame (bad checksum,
    ///   hop limit other than 255, bad options). Never traps.
    static func decoding(_ bytes: some Collection<UInt8>, for target: IPAddress) throws(DecodeError) -> ProbeAnswer? {
        let frame: Frame
        do throws(DecodeError) {
            frame = try Frame(decoding: Array(bytes))
        } catch {
            switch error.reason {
            case .unsupportedEtherType, .unsupportedNextHeader, .unsupportedICMPv6Type: return nil
            default: throw error
            }
        }
        return frame.probeAnswer(for: target)
    }
}
