/// What the shell must do after a call into `GossipInstance`, in order.
public enum GossipDirective: Hashable, Sendable {
    /// Send one UDP datagram: a single message when `messages` has one element, otherwise a
    /// compound (type 7) of all of them, primary message first. With `checksum`, prepend the
    /// CRC header (the recipient advertised PMax ≥ 5). Then compress/encrypt/label per
    /// configuration.
    case sendPacket(to: NodeAddress, messages: [[UInt8]], checksum: Bool)
    /// TCP fallback ping: connect to `to`, send `ping` as a stream message, and wait for an
    /// ack with the same SeqNo until `deadline`. Report with `tcpPingCompleted`.
    case sendTCPPing(to: NodeAddress, ping: Ping, deadline: GossipInstant)
    /// Run a push/pull exchange over TCP: send `localState(join:)` (plus the application's
    /// user state), read the reply, then call `mergeRemoteState` or `pushPullFailed`.
    case pushPull(with: NodeAddress, join: Bool)
    /// A packet user message (type 8) for the application.
    case deliverUserMessage([UInt8], from: NodeAddress)
    /// A probe of `member` was answered directly within the probe timeout (memberlist
    /// `PingDelegate.NotifyPingComplete`): the round-trip time from the ping to the ack, and
    /// the ack's payload (the peer's `AckPayload`).
    case pingCompleted(Member, rtt: Duration, payload: [UInt8]?)
    /// A membership change for the application.
    case emit(MemberEvent)
    /// The graceful-leave broadcast has been sent its retransmit limit (or nobody is left to
    /// tell): the shell may shut down.
    case leaveComplete
}
