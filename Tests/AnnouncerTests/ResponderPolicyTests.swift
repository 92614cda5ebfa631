import Addressing
import Announcer
import Packets
import Testing

private let ourMAC = MACAddress("02:00:00:00:00:0b")!
private let clientMAC = MACAddress("02:00:00:00:00:0a")!
private let strangerMAC = MACAddress("02:00:00:00:00:0c")!
private let serviceIP = IPv4Address("192.0.2.10")!
private let clientIP = IPv4Address("192.0.2.1")!
private let serviceIPv6 = IPv6Address("2001:db8::10")!
private let clientLinkLocal = IPv6Address("fe80::ff:fe00:a")!
private let ourLinkLocal = IPv6Address("fe80::ff:fe00:b")!

private let veth = NetworkInterface(index: 2, name: "veth1", mac: ourMAC, flags: 0x1043, linkLocal: ourLinkLocal)
private let owned = OwnedAddresses([.v4(serviceIP), .v6(serviceIPv6)])

private func arpRequest(target: IPv4Address = serviceIP, sender: IPv4Address = clientIP,
                        destination: MACAddress = .broadcast, operation: ARPPacket.Operation = .request,
                        senderMAC: MACAddress = clientMAC) -> Frame {
    Frame(ethernet: EthernetHeader(destination: destination, source: senderMAC, etherType: EtherType.arp),
          payload: .arp(ARPPacket(operation: operation, senderMAC: senderMAC, senderIP: sender,
                                  targetMAC: .zero, targetIP: target)))
}

private func solicitation(target: IPv6Address = serviceIPv6, sourceLinkLayer: MACAddress? = clientMAC,
                          source: IPv6Address = clientLinkLocal) -> Frame {
    Frame(ethernet: EthernetHeader(destination: target.solicitedNodeMulticast.multicastMAC, source: clientMAC,
                                   etherType: EtherType.ipv6),
          payload: .neighborDiscovery(NeighborDiscoveryPacket(
              source: source, destination: target.solicitedNodeMulticast,
              message: .solicitation(NeighborSolicitation(target: target, sourceLinkLayerAddress: sourceLinkLayer)))))
}

@Suite struct ResponderPolicyTests {
    let policy = ResponderPolicy()
    let ourMACs: Set<MACAddress> = [ourMAC]

    @Test func broadcastRequestForOwnedIPGetsMetalLBReply() {
        let action = policy.decide(arpRequest(), on: veth, owned: owned, ourMACs: ourMACs)
        let expected = Frame(
            ethernet: EthernetHeader(destination: clientMAC, source: ourMAC, etherType: EtherType.arp),
            payload: .arp(ARPPacket(operation: .reply, senderMAC: ourMAC, senderIP: serviceIP, targetMAC: clientMAC,
                                    targetIP: clientIP)))
        #expect(action == .reply(address: .v4(serviceIP), reply: expected))
        if case .reply(_, let reply) = action { #expect(reply.encoded().count == 60) }
    }

    @Test func unicastToOurMACIsAnsweredButToOthersIsNot() {
        #expect(policy.decide(arpRequest(destination: ourMAC), on: veth, owned: owned, ourMACs: ourMACs)
            .isReply)
        #expect(policy.decide(arpRequest(destination: strangerMAC), on: veth, owned: owned, ourMACs: ourMACs)
            == .drop(.notForUs))
    }

    @Test func probeFromZeroAddressIsAnsweredToZero() {
        let action = policy.decide(arpRequest(sender: IPv4Address(0)), on: veth, owned: owned, ourMACs: ourMACs)
        guard case .reply(_, let reply) = action, case .arp(let arp) = reply.payload else {
            Issue.record("no reply: \(action)"); return
        }
        #expect(arp.targetIP == IPv4Address(0))
        #expect(reply.ethernet.destination == clientMAC)
    }

    @Test func notOwnedOrNotAllowedIsDropped() {
        #expect(policy.decide(arpRequest(target: IPv4Address("192.0.2.99")!), on: veth, owned: owned,
                              ourMACs: ourMACs) == .drop(.notOwned))
        let elsewhere = OwnedAddresses([.v4(serviceIP)], interfaces: ["eth1"])
        #expect(policy.decide(arpRequest(), on: veth, owned: elsewhere, ourMACs: ourMACs) == .drop(.notOwned))
        let here = OwnedAddresses([.v4(serviceIP)], interfaces: ["veth1"])
        #expect(policy.decide(arpRequest(), on: veth, owned: here, ourMACs: ourMACs).isReply)
    }

    @Test func repliesAreNotAnsweredAndForeignRepliesAreConflicts() {
        let ours = policy.decide(arpRequest(target: clientIP, sender: clientIP, operation: .reply), on: veth,
                                 owned: owned, ourMACs: ourMACs)
        #expect(ours == .drop(.notARequest))
        let foreign = policy.decide(arpRequest(target: clientIP, sender: serviceIP, operation: .reply,
                                               senderMAC: strangerMAC), on: veth, owned: owned, ourMACs: ourMACs)
        #expect(foreign == .conflict(AddressConflict(address: .v4(serviceIP), interface: "veth1",
                                                     foreignMAC: strangerMAC, ourMAC: ourMAC)))
    }

    @Test func gratuitousRequestFromAnotherMACIsAConflict() {
        let action = policy.decide(arpRequest(target: serviceIP, sender: serviceIP, senderMAC: strangerMAC),
                                   on: veth, owned: owned, ourMACs: ourMACs)
        #expect(action == .conflict(AddressConflict(address: .v4(serviceIP), interface: "veth1",
                                                    foreignMAC: strangerMAC, ourMAC: ourMAC)))
    }

    @Test func ourOwnFramesAreIgnored() {
        let echo = arpRequest(target: serviceIP, sender: serviceIP, senderMAC: ourMAC)
        #expect(policy.decide(echo, on: veth, owned: owned, ourMACs: ourMACs) == .drop(.ownFrame))
    }

    @Test func taggedFramesAreAnsweredOnlyWhenEnabled() {
        var tagged = arpRequest()
        tagged.ethernet.vlan = VLANTag(identifier: 42)
        #expect(policy.decide(tagged, on: veth, owned: owned, ourMACs: ourMACs) == .drop(.vlanTagged))
        let action = ResponderPolicy(answerVLANTagged: true).decide(tagged, on: veth, owned: owned, ourMACs: ourMACs)
        guard case .reply(_, let reply) = action else { Issue.record("no reply"); return }
        #expect(reply.ethernet.vlan == VLANTag(identifier: 42))
    }

    @Test(arguments: ResponderPolicy.AdvertisementSource.allCases)
    func solicitationGetsSolicitedAdvertisement(source: ResponderPolicy.AdvertisementSource) {
        let policy = ResponderPolicy(advertisementSource: source)
        let action = policy.decide(solicitation(), on: veth, owned: owned, ourMACs: ourMACs)
        let expected = Frame(
            ethernet: EthernetHeader(destination: clientMAC, source: ourMAC, etherType: EtherType.ipv6),
            payload: .neighborDiscovery(NeighborDiscoveryPacket(
                source: source == .target ? serviceIPv6 : ourLinkLocal, destination: clientLinkLocal,
                message: .advertisement(NeighborAdvertisement(router: false, solicited: true, override: false,
                                                              target: serviceIPv6, targetLinkLayerAddress: ourMAC)))))
        #expect(action == .reply(address: .v6(serviceIPv6), reply: expected))
    }

    @Test func duplicateAddressDetectionProbeIsDropped() {
        let dad = solicitation(sourceLinkLayer: nil, source: IPv6Address(0))
        #expect(policy.decide(dad, on: veth, owned: owned, ourMACs: ourMACs) == .drop(.noSourceLinkLayerAddress))
    }

    @Test func linkLocalSourceNeedsALinkLocalAddress() {
        var bare = veth
        bare.linkLocal = nil
        let policy = ResponderPolicy(advertisementSource: .linkLocal)
        #expect(policy.decide(solicitation(), on: bare, owned: owned, ourMACs: ourMACs) == .drop(.noLinkLocalAddress))
    }

    @Test func foreignAdvertisementIsAConflict() {
        let na = Frame(
            ethernet: EthernetHeader(destination: IPv6Address.allNodes.multicastMAC, source: strangerMAC,
                                     etherType: EtherType.ipv6),
            payload: .neighborDiscovery(NeighborDiscoveryPacket(
                source: serviceIPv6, destination: .allNodes,
                message: .advertisement(NeighborAdvertisement(router: false, solicited: false, override: true,
                                                              target: serviceIPv6,
                                                              targetLinkLayerAddress: strangerMAC)))))
        #expect(policy.decide(na, on: veth, owned: owned, ourMACs: ourMACs)
            == .conflict(AddressConflict(address: .v6(serviceIPv6), interface: "veth1", foreignMAC: strangerMAC,
                                         ourMAC: ourMAC)))
        #expect(policy.decide(na, on: veth, owned: OwnedAddresses(), ourMACs: ourMACs) == .drop(.notARequest))
    }
}

extension ResponderAction {
    var isReply: Bool { if case .reply = self { true } else { false } }
}

@Suite struct InterfaceSelectionTests {
    static let up: UInt32 = 0x1 | 0x2 | 0x40 | 0x1000

    @Test func metalLBRules() {
        let mac = MACAddress("02:00:00:00:00:01")!
        let interfaces = [
            NetworkInterface(index: 1, name: "lo", mac: .zero, flags: 0x49),
            NetworkInterface(index: 2, name: "eth0", mac: mac, flags: Self.up),
            NetworkInterface(index: 3, name: "eth1", mac: mac, flags: Self.up & ~1),
            NetworkInterface(index: 4, name: "tun0", mac: nil, flags: Self.up | 0x80),
            NetworkInterface(index: 5, name: "eth2", mac: mac, flags: Self.up, masterIndex: 7),
            NetworkInterface(index: 6, name: "wg0", mac: nil, flags: Self.up),
            NetworkInterface(index: 7, name: "bond0", mac: mac, flags: Self.up, kind: "bond"),
        ]
        #expect(interfaces.map { InterfaceSelection.exclusion(of: $0, allowedNames: nil) }
            == [.loopback, nil, .down, .noARP, .enslaved, .noMAC, nil])
        #expect(InterfaceSelection.usable(interfaces, allowedNames: nil).map(\.name) == ["eth0", "bond0"])
        #expect(InterfaceSelection.usable(interfaces, allowedNames: ["bond0", "eth1"]).map(\.name) == ["bond0"])
    }
}

@Suite struct GratuitousFramesTests {
    @Test func arpRoundIsRequestThenReplyBroadcast() {
        let frames = GratuitousFrames.arp(for: serviceIP, mac: ourMAC)
        let operations = frames.map { frame -> ARPPacket.Operation? in
            if case .arp(let arp) = frame.payload { return arp.operation }
            return nil
        }
        #expect(operations == [.request, .reply])
        for frame in frames {
            #expect(frame.ethernet.destination == .broadcast)
            guard case .arp(let arp) = frame.payload else { continue }
            #expect(arp.isGratuitous && arp.senderMAC == ourMAC && arp.targetMAC == .broadcast)
        }
    }

    @Test func ndpRoundIsOneUnsolicitedOverrideToAllNodes() throws {
        let frames = GratuitousFrames.round(for: .v6(serviceIPv6), on: veth)
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        #expect(frame.ethernet.destination == MACAddress("33:33:00:00:00:01")!)
        #expect(try Frame(decoding: frame.encoded()) == frame)  // checksum verifies
        guard case .neighborDiscovery(let packet) = frame.payload,
              case .advertisement(let na) = packet.message else { Issue.record("not an NA"); return }
        #expect(packet.destination == .allNodes)
        #expect(!na.solicited && na.override && !na.router && na.targetLinkLayerAddress == ourMAC)
    }
}
