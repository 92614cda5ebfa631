import NIOCore

/// Reads one request message from an accepted TCP connection, then hands it over.
final class StreamServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let codec: GossipStreamCodec
    let counters: CounterBox
    let sink: AsyncStream<InboundTraffic>.Continuation
    let timeout: TimeAmount
    private var buffer: [UInt8] = []
    private var delivered = false

    init(codec: GossipStreamCodec, counters: CounterBox, sink: AsyncStream<InboundTraffic>.Continuation, timeout: TimeAmount) {
        self.codec = codec
        self.counters = counters
        self.sink = sink
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        counters.update { $0.streamsIn += 1 }
        // memberlist sets TCPTimeout as the deadline of every accepted connection.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !delivered else { return }
        let bytes = unwrapInboundIn(data)
        counters.update { $0.bytesIn += bytes.readableBytes }
        buffer += bytes.readableBytesView
        do {
            guard let (message, _) = try codec.decode(buffer, fromDialer: true) else { return }
            delivered = true
            buffer = []
            let stream = InboundStream(
                request: message, remote: context.channel.remoteAddress, channel: context.channel, codec: codec,
                counters: counters)
            sink.yield(.stream(stream))
        } catch {
            counters.countDrop(error)
            delivered = true
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !delivered, !buffer.isEmpty {
            counters.update { $0.droppedMalformed += 1 }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Collects the responder's single reply on a dialled connection.
final class StreamClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let codec: GossipStreamCodec
    let counters: CounterBox
    let promise: EventLoopPromise<[UInt8]?>
    private var buffer: [UInt8] = []
    private var done = false

    init(codec: GossipStreamCodec, counters: CounterBox, promise: EventLoopPromise<[UInt8]?>) {
        self.codec = codec
        self.counters = counters
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let bytes = unwrapInboundIn(data)
        counters.update { $0.bytesIn += bytes.readableBytes }
        buffer += bytes.readableBytesView
        do {
            guard let (message, _) = try codec.decode(buffer, fromDialer: false) else { return }
            done = true
            promise.succeed(message)
            context.close(promise: nil)
        } catch {
            counters.countDrop(error)
            done = true
            promise.fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            // A closed connection without a reply: fine for user messages, an error otherwise.
            if buffer.isEmpty { promise.succeed(nil) } else { promise.fail(PacketDecodeError.truncatedStream) }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}
