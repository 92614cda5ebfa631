import Gossip
import NIOCore

/// Decodes each datagram through memberlist's packet pipeline and yields its messages.
/// Undecodable datagrams are counted and dropped; nothing here can trap on input.
final class PacketHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let codec: GossipPacketCodec
    let counters: CounterBox
    let sink: AsyncStream<InboundTraffic>.Continuation

    init(codec: GossipPacketCodec, counters: CounterBox, sink: AsyncStream<InboundTraffic>.Continuation) {
        self.codec = codec
        self.counters = counters
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        counters.update {
            $0.packetsIn += 1
            $0.bytesIn += bytes.count
        }
        let decoded: GossipPacketCodec.DecodedPacket
        do {
            decoded = try codec.decodePacket(bytes)
        } catch {
            counters.countDrop(error)
            return
        }
        var messages: [GossipMessage] = []
        messages.reserveCapacity(decoded.messages.count)
        var malformed = 0
        for message in decoded.messages {
            if let parsed = try? GossipMessage(decoding: message) { messages.append(parsed) } else { malformed += 1 }
        }
        if malformed > 0 || decoded.truncatedParts > 0 {
            counters.update {
                $0.droppedMalformed += malformed
                $0.truncatedParts += decoded.truncatedParts
            }
        }
        if !messages.isEmpty {
            sink.yield(.packet(messages, from: envelope.remoteAddress))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket error (e.g. ICMP port unreachable) must not close the listener.
    }
}
