import Gossip
import NIOCore

/// What arrives on a gossip socket, decoded.
public enum InboundTraffic: Sendable {
    /// A datagram's messages, in order (compound and compress already flattened).
    case packet([GossipMessage], from: SocketAddress)
    /// A stream (TCP) request. Push/pull and ping expect a reply through `stream`.
    case stream(InboundStream)
}

/// One accepted TCP connection carrying one request message.
public struct InboundStream: Sendable {
    /// The plain request (type byte + body; push/pull and user streams include the bytes
    /// that follow their header).
    public let request: [UInt8]
    public let remote: SocketAddress?
    let channel: any Channel
    let codec: GossipStreamCodec
    let counters: CounterBox

    /// Sends `message` (type byte + body) framed as the configuration says, then closes.
    public func reply(_ message: [UInt8]) {
        guard let framed = try? codec.encode(message, dialer: false) else {
            close()
            return
        }
        counters.update {
            $0.bytesOut += framed.count
        }
        let channel = self.channel
        channel.writeAndFlush(channel.allocator.buffer(bytes: framed)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Closes the connection without a reply.
    public func close() {
        channel.close(promise: nil)
    }
}
