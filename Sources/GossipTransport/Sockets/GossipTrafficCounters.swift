import NIOConcurrencyHelpers

/// What a gossip socket has sent and received, and what it dropped and why.
public struct GossipTrafficCounters: Sendable, Hashable {
    public var packetsIn = 0
    public var packetsOut = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var streamsIn = 0
    public var streamsOut = 0
    /// Datagrams or streams whose framing or messages could not be decoded.
    public var droppedMalformed = 0
    /// Traffic dropped because it could not be decrypted: wrong key, no key, or plaintext
    /// while encryption is required.
    public var droppedUndecryptable = 0
    /// Compound parts cut short.
    public var truncatedParts = 0

    public init() {}
}

/// The counters shared between the event loop handlers and their readers.
final class CounterBox: Sendable {
    private let box = NIOLockedValueBox(GossipTrafficCounters())

    func update(_ change: (inout GossipTrafficCounters) -> Void) {
        box.withLockedValue { change(&$0) }
    }

    var snapshot: GossipTrafficCounters { box.withLockedValue { $0 } }

    func countDrop(_ error: PacketDecodeError) {
        update { counters in
            if error.isUndecryptable { counters.droppedUndecryptable += 1 } else { counters.droppedMalformed += 1 }
        }
    }
}
