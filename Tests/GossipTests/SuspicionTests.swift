import Testing

@testable import Gossip

/// Lifeguard suspicion timing, with the cases of memberlist suspicion_test.go.
@Suite struct SuspicionTests {
    static let cases: [(Int, Int, Int)] = [
        // (n confirmations, k, timeout ms) for min 2 s, max 30 s; suspicion_test.go lists the
        // same as remaining time after 0, 2, 3, 4, 5 s elapsed (30, 14, 4.81, −2, −3 s).
        (0, 3, 30000), (1, 3, 16000), (2, 3, 7810), (3, 3, 2000), (4, 3, 2000),
    ]

    @Test(arguments: cases)
    func remainingTimeMatchesMemberlist(confirmations: Int, k: Int, expectedMilliseconds: Int) {
        let timeout = Suspicion.timeout(confirmations: min(confirmations, k), k: k, min: .seconds(2), max: .seconds(30))
        #expect(timeout == .milliseconds(expectedMilliseconds))
    }

    @Test func confirmationsShortenTheDeadlineOncePerSuspector() {
        var suspicion = Suspicion(from: "a", k: 3, min: .seconds(2), max: .seconds(30), start: .origin)
        #expect(suspicion.deadline == .origin + .seconds(30))
        let confirmedA = suspicion.confirm(from: "a")
        #expect(!confirmedA)
        let confirmedB = suspicion.confirm(from: "b")
        #expect(confirmedB)
        #expect(suspicion.deadline == .origin + .seconds(16))
        let confirmedBAgain = suspicion.confirm(from: "b")
        #expect(!confirmedBAgain)
        let confirmedC = suspicion.confirm(from: "c")
        #expect(confirmedC)
        let confirmedD = suspicion.confirm(from: "d")
        #expect(confirmedD)
        #expect(suspicion.deadline == .origin + .seconds(2))
        let confirmedE = suspicion.confirm(from: "e")
        #expect(!confirmedE, "no more than k confirmations count")
    }

    @Test func noExpectedConfirmationsStartsAtMinimum() {
        let suspicion = Suspicion(from: "a", k: 0, min: .seconds(4), max: .seconds(24), start: .origin + .seconds(1))
        #expect(suspicion.deadline == .origin + .seconds(5))
    }

    static let minimumCases: [(Int, Int)] = [
        (1, 4000), (3, 4000), (10, 4000), (50, 6792), (100, 8000), (500, 10792), (1000, 12000),
    ]

    /// memberlist `suspicionTimeout(4, n, 1 s)`.
    @Test(arguments: minimumCases)
    func minimumTimeoutScalesWithLog10(nodes: Int, expectedMilliseconds: Int) {
        let timeout = Suspicion.minimumTimeout(suspicionMult: 4, nodeCount: nodes, probeInterval: .seconds(1))
        #expect(timeout == .milliseconds(expectedMilliseconds))
    }

    static let limits: [(Int, Int)] = [(0, 0), (1, 4), (9, 4), (10, 8), (99, 8), (100, 12)]

    /// memberlist `retransmitLimit(4, n)` = 4 × ceil(log10(n + 1)).
    @Test(arguments: limits)
    func retransmitLimit(nodes: Int, expected: Int) {
        #expect(TransmitLimitedQueue.retransmitLimit(multiplier: 4, nodeCount: nodes) == expected)
    }

    @Test func queueKeepsOneMessagePerMemberAndRetiresAtTheLimit() {
        var queue = TransmitLimitedQueue()
        queue.queue(node: "a", message: [1])
        queue.queue(node: "b", message: [2, 2])
        queue.queue(node: "a", message: [3, 3, 3])
        #expect(queue.count == 2)
        let first = queue.take(overhead: 2, limit: 100, retransmitLimit: 2).messages
        #expect(first == [[3, 3, 3], [2, 2]], "fewest transmits first, then largest")
        _ = queue.take(overhead: 2, limit: 100, retransmitLimit: 2)
        #expect(queue.count == 0)
    }

    @Test func queueRespectsTheByteBudget() {
        var queue = TransmitLimitedQueue()
        queue.queue(node: "a", message: [UInt8](repeating: 1, count: 10))
        queue.queue(node: "b", message: [UInt8](repeating: 2, count: 5))
        let taken = queue.take(overhead: 2, limit: 8, retransmitLimit: 4).messages
        #expect(taken == [[2, 2, 2, 2, 2]])
    }
}
