import Gossip
import Logging
import NIOCore
import NIOPosix

/// memberlist's network transport (net_transport.go): one port number carrying both UDP
/// (packets) and TCP (streams), with memberlist's framing applied both ways.
///
/// Packets are sent from the listening UDP socket, so their source port is the bind port
/// (memberlist acks to SourceAddr:SourcePort, Go peers to the UDP source). Each stream is a
/// fresh TCP connection carrying one request and at most one reply.
public final class GossipSocket: Sendable {
    /// Everything received, decoded. Finishes when the socket closes.
    public let inbound: AsyncStream<InboundTraffic>
    /// The address both sockets are bound to (with the real port if 0 was asked for).
    public let localAddress: SocketAddress

    private let udp: any Channel
    private let tcp: any Channel
    private let group: any EventLoopGroup
    private let packetCodec: GossipPacketCodec
    private let streamCodec: GossipStreamCodec
    private let counterBox: CounterBox
    private let sink: AsyncStream<InboundTraffic>.Continuation

    /// memberlist asks for a 2 MiB UDP receive buffer (net_transport.go `udpRecvBufSize`).
    static let receiveBufferSize = 2 * 1024 * 1024

    /// Binds UDP and TCP on `host:port` (streams idle longer than `streamTimeout` are closed,
    /// memberlist's TCPTimeout) (port 0: an ephemeral port, the same for both).
    public static func bind(
        host: String, port: Int, wire: GossipWireConfiguration, streamTimeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> GossipSocket {
        let counters = CounterBox()
        let timeAmount = Self.timeAmount
        let (inbound, sink) = AsyncStream.makeStream(of: InboundTraffic.self, bufferingPolicy: .bufferingNewest(4096))
        let packetCodec = GossipPacketCodec(configuration: wire)
        let streamCodec = GossipStreamCodec(configuration: wire)
        let tcp = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        StreamServerHandler(
                            codec: streamCodec, counters: counters, sink: sink, timeout: timeAmount(streamTimeout)))
                }
            }
            .bind(host: host, port: port).get()
        guard let boundPort = tcp.localAddress?.port else { throw GossipSocketError.bindFailed }
        let udp: any Channel
        do {
            udp = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            PacketHandler(codec: packetCodec, counters: counters, sink: sink))
                    }
                }
                .bind(host: host, port: boundPort).get()
        } catch {
            try? await tcp.close()
            throw error
        }
        guard let local = udp.localAddress else { throw GossipSocketError.bindFailed }
        let socket = GossipSocket(
            inbound: inbound, localAddress: local, udp: udp, tcp: tcp, group: group, packetCodec: packetCodec,
            streamCodec: streamCodec, counterBox: counters, sink: sink)
        return socket
    }

    private init(
        inbound: AsyncStream<InboundTraffic>, localAddress: SocketAddress, udp: any Channel, tcp: any Channel,
        group: any EventLoopGroup, packetCodec: GossipPacketCodec, streamCodec: GossipStreamCodec,
        counterBox: CounterBox, sink: AsyncStream<InboundTraffic>.Continuation
    ) {
        self.inbound = inbound
        self.localAddress = localAddress
        self.udp = udp
        self.tcp = tcp
        self.group = group
        self.packetCodec = packetCodec
        self.streamCodec = streamCodec
        self.counterBox = counterBox
        self.sink = sink
    }

    /// The traffic counters so far.
    public var counters: GossipTrafficCounters { counterBox.snapshot }

    /// The piggyback budget lost to encryption and label (memberlist `UDPBufferSize` math).
    public var packetOverhead: Int { packetCodec.configuration.packetOverhead }

    /// Sends one datagram holding `messages` (compound when several). Fire and forget:
    /// UDP send errors are not reported, as in memberlist.
    /// - Parameter checksum: add the CRC header (the recipient is known to speak PMax ≥ 5).
    public func sendPacket(_ messages: [[UInt8]], to address: SocketAddress, checksum: Bool) {
        guard !messages.isEmpty, let datagram = try? packetCodec.encodePacket(messages, checksum: checksum) else { return }
        counterBox.update {
            $0.packetsOut += 1
            $0.bytesOut += datagram.count
        }
        let envelope = AddressedEnvelope(remoteAddress: address, data: udp.allocator.buffer(bytes: datagram))
        udp.writeAndFlush(envelope, promise: nil)
    }

    /// Dials `address`, sends one stream message and waits for the single reply message
    /// (nil when the peer closes without replying, as for user messages).
    public func exchange(_ message: [UInt8], with address: SocketAddress, timeout: Duration, expectReply: Bool = true)
        async throws -> [UInt8]?
    {
        let framed = try streamCodec.encode(message, dialer: true)
        let codec = streamCodec
        let counters = counterBox
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(Self.timeAmount(timeout))
            .connect(to: address).get()
        counters.update {
            $0.streamsOut += 1
            $0.bytesOut += framed.count
        }
        let reply = channel.eventLoop.makePromise(of: [UInt8]?.self)
        let timer = channel.eventLoop.scheduleTask(in: Self.timeAmount(timeout)) {
            reply.fail(GossipSocketError.timeout)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(StreamClientHandler(codec: codec, counters: counters, promise: reply))
            }.get()
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: framed)).get()
            if !expectReply {
                try? await channel.close()
                reply.succeed(nil)
                return nil
            }
            return try await reply.futureResult.get()
        } catch {
            // Every path completes the promise (NIO asserts on leaked promises) and closes.
            reply.fail(error)
            channel.close(promise: nil)
            throw error
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }

    /// Closes both sockets and finishes `inbound`.
    public func close() async {
        try? await udp.close()
        try? await tcp.close()
        sink.finish()
    }
}

/// Socket-level failures.
public enum GossipSocketError: Error, Hashable, Sendable {
    case bindFailed
    case timeout
}
