/// Broadcasts waiting to be piggybacked or gossiped (memberlist `TransmitLimitedQueue`).
///
/// One slot per key (the member a message is about): a newer message with the same key
/// replaces the queued one; messages without a key never replace anything. Each
/// message is sent up to `retransmitLimit` times; selection prefers the fewest-sent, then the
/// largest that still fits, then the newest (memberlist's btree order).
struct TransmitLimitedQueue: Sendable {
    struct Item: Sendable {
        /// The member the message is about (an application broadcast's own key, or nil).
        var node: String?
        var message: [UInt8]
        var transmits: Int
        var id: UInt64
        /// The graceful-leave broadcast: its completion lets `leave` finish.
        var isLeave: Bool
    }

    private(set) var items: [Item] = []
    private var nextID: UInt64 = 0

    /// The number of queued messages.
    var count: Int { items.count }

    /// retransmitMult × ceil(log10(n + 1)) (memberlist `retransmitLimit`).
    static func retransmitLimit(multiplier: Int, nodeCount: Int) -> Int {
        // ceil(log10(n + 1)) = the smallest d with 10^d ≥ n + 1, computed exactly.
        var scale = 0
        var power = 1
        while power < nodeCount + 1 {
            power *= 10
            scale += 1
        }
        return multiplier * scale
    }

    /// Queues `message` about `node`, dropping a queued message about the same node (a nil
    /// `node` replaces nothing).
    /// - Returns: whether a leave broadcast was dropped by the replacement.
    @discardableResult
    mutating func queue(node: String?, message: [UInt8], isLeave: Bool = false) -> Bool {
        var droppedLeave = false
        items.removeAll { item in
            guard let node, item.node == node else { return false }
            droppedLeave = droppedLeave || item.isLeave
            return true
        }
        nextID &+= 1
        items.append(Item(node: node, message: message, transmits: 0, id: nextID, isLeave: isLeave))
        return droppedLeave
    }

    /// Takes messages that fit in `limit` bytes, counting `overhead` per message.
    /// - Returns: the messages, and whether a leave broadcast reached its retransmit limit.
    mutating func take(overhead: Int, limit: Int, retransmitLimit: Int) -> (messages: [[UInt8]], leaveFinished: Bool) {
        guard !items.isEmpty, limit > 0 else { return ([], false) }
        let order = items.indices.sorted { left, right in
            let a = items[left]
            let b = items[right]
            if a.transmits != b.transmits { return a.transmits < b.transmits }
            if a.message.count != b.message.count { return a.message.count > b.message.count }
            return a.id > b.id
        }
        var used = 0
        var chosen: [Int] = []
        for index in order {
            let size = overhead + items[index].message.count
            guard used + size <= limit else { continue }
            used += size
            chosen.append(index)
        }
        var messages: [[UInt8]] = []
        var leaveFinished = false
        var remove: Set<Int> = []
        for index in chosen {
            messages.append(items[index].message)
            items[index].transmits += 1
            if items[index].transmits >= retransmitLimit {
                remove.insert(index)
                leaveFinished = leaveFinished || items[index].isLeave
            }
        }
        if !remove.isEmpty {
            items = items.enumerated().filter { !remove.contains($0.offset) }.map(\.element)
        }
        return (messages, leaveFinished)
    }

    /// Whether a leave broadcast is still queued.
    var hasLeave: Bool { items.contains { $0.isLeave } }
}
