/// A deterministic datagram network for simulations: one virtual clock, seeded random loss
/// and delay, and partitions. Payloads are opaque, so any protocol core can run on it.
///
/// Every decision comes from the seeded generator, so a run replays exactly from its seed.
public struct SimulatedNetwork<Address: Hashable & Sendable, Payload: Sendable>: Sendable {
    /// A datagram in flight.
    public struct Delivery: Sendable {
        public var at: Duration
        public var from: Address
        public var to: Address
        public var payload: Payload
        fileprivate var order: UInt64
    }

    /// The virtual time, from zero.
    public private(set) var now: Duration = .zero
    /// Probability in 0...1 that a datagram is dropped.
    public var lossRate: Double
    /// One-way delay range.
    public var delay: ClosedRange<Duration>
    /// Addresses that receive nothing and whose sends are dropped (crashed processes).
    public var down: Set<Address> = []
    /// Extra one-way delay for datagrams *to* an address (a busy receiver).
    public var extraDelay: [Address: Duration] = [:]
    /// When set, only addresses in the same group reach each other.
    public private(set) var partition: [Address: Int]?
    /// Datagrams sent and dropped so far.
    public private(set) var sent = 0
    public private(set) var dropped = 0

    private var inFlight: [Delivery] = []  // binary min-heap by (at, order)
    private var order: UInt64 = 0
    private var random: SeededRandomNumberGenerator

    public init(
        seed: UInt64,
        lossRate: Double = 0,
        delay: ClosedRange<Duration> = .microseconds(100) ... .milliseconds(1)
    ) {
        random = SeededRandomNumberGenerator(seed: seed)
        self.lossRate = lossRate
        self.delay = delay
    }

    /// Splits the network: addresses in different groups cannot reach each other; addresses
    /// in no group reach nobody.
    public mutating func partition(into groups: [[Address]]) {
        var map: [Address: Int] = [:]
        for (index, group) in groups.enumerated() { for address in group { map[address] = index } }
        partition = map
    }

    /// Heals any partition.
    public mutating func heal() { partition = nil }

    /// Whether `from` can currently reach `to` (ignoring random loss).
    public func canReach(_ from: Address, _ to: Address) -> Bool {
        guard !down.contains(from), !down.contains(to) else { return false }
        return partitionAllows(from, to)
    }

    private func partitionAllows(_ from: Address, _ to: Address) -> Bool {
        guard let partition else { return true }
        guard let a = partition[from], let b = partition[to] else { return false }
        return a == b
    }

    /// Sends a datagram, which is dropped or scheduled for delivery after a random delay.
    public mutating func send(from: Address, to: Address, payload: Payload) {
        sent += 1
        guard canReach(from, to), Double.random(in: 0..<1, using: &random) >= lossRate else {
            dropped += 1
            return
        }
        let low = delay.lowerBound.wholeNanoseconds
        let high = delay.upperBound.wholeNanoseconds
        let oneWay =
            Duration.nanoseconds(Int64.random(in: low...max(low, high), using: &random)) + (extraDelay[to] ?? .zero)
        order += 1
        push(Delivery(at: now + oneWay, from: from, to: to, payload: payload, order: order))
    }

    /// When the next datagram arrives, if any is in flight.
    public var nextDeliveryTime: Duration? { inFlight.first?.at }

    /// Moves the clock forward (never backwards).
    public mutating func advance(to time: Duration) { if time > now { now = time } }

    /// Removes and returns the next datagram if it is due at the current time; datagrams to
    /// addresses that went down or got partitioned away meanwhile are dropped.
    public mutating func popDue() -> Delivery? {
        while let first = inFlight.first, first.at <= now {
            let delivery = pop()
            if !down.contains(delivery.to), partitionAllows(delivery.from, delivery.to) { return delivery }
            dropped += 1
        }
        return nil
    }

    /// A value from the network's generator (for drivers that need shared randomness).
    public mutating func randomValue() -> UInt64 { random.next() }

    private mutating func push(_ delivery: Delivery) {
        inFlight.append(delivery)
        var child = inFlight.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(inFlight[child], inFlight[parent]) else { break }
            inFlight.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() -> Delivery {
        let top = inFlight[0]
        let last = inFlight.removeLast()
        if !inFlight.isEmpty {
            inFlight[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < inFlight.count, Self.less(inFlight[left], inFlight[smallest]) { smallest = left }
                if right < inFlight.count, Self.less(inFlight[right], inFlight[smallest]) { smallest = right }
                if smallest == parent { break }
                inFlight.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }

    private static func less(_ a: Delivery, _ b: Delivery) -> Bool { a.at != b.at ? a.at < b.at : a.order < b.order }
}

extension Duration {
    /// Whole nanoseconds (simulation delays are far below Int64's range).
    fileprivate var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
