import Announcer
import Testing

extension TestInstant {
    static func us(_ value: Int64) -> TestInstant { TestInstant(offset: .microseconds(value)) }
}

@Suite struct BusyPollWindowTests {
    @Test func neverSpinsBeforeTwoFramesWereSeen() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100))
        #expect(window.spinDeadline(now: .us(0)) == nil)
        window.frameHandled(at: .us(0))
        #expect(window.spinDeadline(now: .us(1)) == nil)
        #expect(window.gapEstimate == nil)
    }

    @Test func floodFasterThanTheWindowSpinsUntilOneWindowAfterTheLastFrame() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100))
        for t in stride(from: Int64(0), through: 500, by: 50) { window.frameHandled(at: .us(t)) }
        #expect(window.gapEstimate == .microseconds(50))
        #expect(window.spinDeadline(now: .us(501)) == .us(600))
        #expect(window.spinDeadline(now: .us(599)) == .us(600))
        #expect(window.spinDeadline(now: .us(600)) == nil)  // the window is over: sleep
    }

    @Test func sparseRequestsNeverSpin() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100))
        for second in Int64(0)..<20 { window.frameHandled(at: .us(second * 1_000_000)) }
        #expect(window.spinDeadline(now: .us(19_000_001)) == nil)
        // Gaps just above the window do not spin either (each spin would expire unused).
        var near = BusyPollWindow<TestInstant>(window: .microseconds(100))
        for t in stride(from: Int64(0), through: 3000, by: 150) { near.frameHandled(at: .us(t)) }
        #expect(near.spinDeadline(now: .us(3001)) == nil)
    }

    @Test func sparseRequestsAfterAFloodStopTheSpinningAndANewFloodReengagesWithinAFewFrames() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100))
        var t: Int64 = 0
        for _ in 0..<50 { t += 20; window.frameHandled(at: .us(t)) }
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        // One request a second: a single long gap moves the estimate by at most 4 windows / 8.
        var sparseFramesUntilSleeping = 0
        while window.spinDeadline(now: .us(t + 1)) != nil && sparseFramesUntilSleeping < 100 {
            t += 1_000_000
            window.frameHandled(at: .us(t))
            sparseFramesUntilSleeping += 1
        }
        #expect(sparseFramesUntilSleeping <= 3)
        for _ in 0..<20 { t += 1_000_000; window.frameHandled(at: .us(t)) }
        #expect(window.spinDeadline(now: .us(t + 1)) == nil)
        #expect(window.gapEstimate! > .microseconds(350))
        var floodFramesUntilSpinning = 0
        while window.spinDeadline(now: .us(t + 1)) == nil && floodFramesUntilSpinning < 100 {
            t += 20
            window.frameHandled(at: .us(t))
            floodFramesUntilSpinning += 1
        }
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        #expect(floodFramesUntilSpinning <= 12)
    }

    @Test func batchesOfFramesCountAsTheirAverageGap() {
        // A flood answered in batches of 10 frames every 300 µs: 30 µs per request, spin.
        var batched = BusyPollWindow<TestInstant>(window: .microseconds(100))
        for t in stride(from: Int64(0), through: 3000, by: 300) { batched.frameHandled(at: .us(t), count: 10) }
        #expect(batched.gapEstimate == .microseconds(30))
        #expect(batched.spinDeadline(now: .us(3001)) == .us(3100))
        // The same drains of one frame each are 300 µs apart: no spin.
        var single = BusyPollWindow<TestInstant>(window: .microseconds(100))
        for t in stride(from: Int64(0), through: 3000, by: 300) { single.frameHandled(at: .us(t)) }
        #expect(single.spinDeadline(now: .us(3001)) == nil)
    }

    @Test func zeroWindowDisablesSpinning() {
        var window = BusyPollWindow<TestInstant>(window: .zero)
        for t in Int64(0)..<100 { window.frameHandled(at: .us(t)) }
        #expect(window.spinDeadline(now: .us(100)) == nil)
        #expect(BusyPollWindow<TestInstant>(window: .microseconds(-5)).window == .zero)
    }

    /// A window already spinning on a 20 µs flood ending at `t`.
    private static func spinningWindow(_ t: inout Int64, backoff: Duration = .milliseconds(10),
                                       maximumBackoff: Duration = .milliseconds(3200)) -> BusyPollWindow<TestInstant> {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100), backoff: backoff, maximumBackoff: maximumBackoff)
        for _ in 0..<10 { t += 20; window.frameHandled(at: .us(t)) }
        return window
    }

    /// One turn that found a frame after `length` µs, at `t`; the frame counts as handled.
    private static func hit(_ window: inout BusyPollWindow<TestInstant>, _ t: inout Int64, length: Int64 = 5) {
        window.spinTurn(from: .us(t), to: .us(t + length), foundFrames: true)
        t += length
        window.frameHandled(at: .us(t))
    }

    /// One turn that lost the CPU for `length` µs (above the 50 µs threshold; it found the frame
    /// that came meanwhile, late).
    private static func stall(_ window: inout BusyPollWindow<TestInstant>, _ t: inout Int64, length: Int64 = 60) {
        window.spinTurn(from: .us(t), to: .us(t + length), foundFrames: true)
        t += length
        window.frameHandled(at: .us(t))
    }

    @Test func oneStalledTurnDoesNotStopTheSpinning() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        #expect(window.stallThreshold == .microseconds(50))
        Self.stall(&window, &t)
        #expect(window.suppressedUntil == nil)
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        // Even three in a row, at the start, are not enough (stallsToBackOff is 4).
        Self.stall(&window, &t)
        Self.stall(&window, &t)
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        #expect(window.statistics.stalls == 3 && window.statistics.backoffs == 0)
    }

    @Test func stallsDominatingTheRecentTurnsBackOff() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        for _ in 0..<4 { Self.stall(&window, &t) }
        #expect(window.suppressedUntil == .us(t + 10_000))
        #expect(window.statistics.backoffs == 1)
        t += 20
        window.frameHandled(at: .us(t))
        #expect(window.gapEstimate! < window.window)  // so only the back-off stops the spin
        #expect(window.spinDeadline(now: .us(t + 1)) == nil)  // sleeps through the back-off
        // Frames keep coming fast; after the back-off spinning resumes, with a fresh history.
        while t < 40_000 { t += 20; window.frameHandled(at: .us(t)) }
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        #expect(window.recentStalls == 0 && window.recentHits == 0)
    }

    @Test func stallsAmongMoreHitsKeepSpinning() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        // One turn in three preempted, for 300 turns: the spin still pays, never back off.
        for turn in 0..<300 {
            if turn % 3 == 0 { Self.stall(&window, &t) } else { Self.hit(&window, &t, length: 20) }
            #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        }
        #expect(window.statistics.backoffs == 0)
        #expect(window.statistics.stalls == 100 && window.statistics.hits == 200 && window.statistics.turns == 300)
        // Empty turns on time change nothing in the history.
        let before = (window.recentHits, window.recentStalls)
        window.spinTurn(from: .us(t + 1), to: .us(t + 3), foundFrames: false)
        #expect((window.recentHits, window.recentStalls) == before)
        #expect(window.statistics.turns == 301)
        // But when stalls become the majority of the last 16, it backs off.
        var stallsUntilBackoff = 0
        while window.statistics.backoffs == 0 && stallsUntilBackoff < 100 {
            Self.stall(&window, &t)
            stallsUntilBackoff += 1
        }
        #expect(window.statistics.backoffs == 1)
        #expect((5...9).contains(stallsUntilBackoff), "backed off after \(stallsUntilBackoff) stalls")
    }

    @Test func aStallCountsOncePerWindowItLasted() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        for _ in 0..<16 { Self.hit(&window, &t) }
        // 500 µs off the CPU: 5 windows, 5 of the last 16 outcomes, still fewer than the hits.
        Self.stall(&window, &t, length: 500)
        #expect(window.recentStalls == 5 && window.recentHits == 11)
        #expect(window.statistics.backoffs == 0)
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
        // A whole scheduler slice, 3 ms: backs off at once, even after 16 hits.
        for _ in 0..<16 { Self.hit(&window, &t) }
        Self.stall(&window, &t, length: 3000)
        #expect(window.statistics.backoffs == 1)
        #expect(window.suppressedUntil == .us(t + 10_000))
    }

    @Test func backOffsInARowDoubleUpToTheMaximumAndHitsForgiveThem() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t, backoff: .milliseconds(10), maximumBackoff: .milliseconds(40))
        var lengths: [Duration] = []
        for _ in 0..<4 {
            for _ in 0..<4 { Self.stall(&window, &t) }
            lengths.append(window.suppressedUntil!.offset - .microseconds(t))
            t = window.suppressedUntil!.offset.components.seconds * 1_000_000
                + window.suppressedUntil!.offset.components.attoseconds / 1_000_000_000_000
        }
        #expect(lengths == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(40)])
        // 64 hits since the last back-off: the next one is short again.
        for _ in 0..<64 { Self.hit(&window, &t) }
        // (The history now holds 16 hits, so it takes 9 stalls to outnumber them.)
        for _ in 0..<9 { Self.stall(&window, &t) }
        #expect(window.statistics.backoffs == 5)
        #expect(window.suppressedUntil == .us(t + 10_000))
    }

    /// Hits forgive only in a row: a run of hits broken by a dry spin or stall now and then (a
    /// spinner sharing its CPU) keeps the back-offs long.
    @Test func hitsInterruptedByStallsDoNotForgiveBackOffs() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t, backoff: .milliseconds(10), maximumBackoff: .milliseconds(40))
        for _ in 0..<2 {
            for _ in 0..<4 { Self.stall(&window, &t) }
            t = window.suppressedUntil!.offset.components.seconds * 1_000_000
                + window.suppressedUntil!.offset.components.attoseconds / 1_000_000_000_000
        }
        #expect(window.statistics.backoffs == 2)
        for _ in 0..<3 {
            for _ in 0..<40 { Self.hit(&window, &t) }
            Self.stall(&window, &t)  // one bad outcome among many hits: no back-off, but no forgiveness
        }
        #expect(window.statistics.backoffs == 2)
        // (The history holds 15 hits and 1 stall, so 8 more stalls outnumber them.)
        for _ in 0..<8 { Self.stall(&window, &t) }
        #expect(window.statistics.backoffs == 3)
        #expect(window.suppressedUntil == .us(t + 40_000), "still doubled: 10, 20, then 40 ms")
    }

    @Test func statisticsCountSpinsTurnsHitsStallsAndWakeups() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100))
        window.frameHandled(at: .us(-40))
        window.frameHandled(at: .us(0))
        window.wokenByFrames()
        let spins1 = window.shouldSpin(now: .us(1))
        #expect(spins1)
        let spins2 = window.shouldSpin(now: .us(2))  // the same spin
        #expect(spins2)
        window.spinTurn(from: .us(2), to: .us(4), foundFrames: false)
        window.spinTurn(from: .us(4), to: .us(10), foundFrames: true)
        window.frameHandled(at: .us(10))
        window.spinTurn(from: .us(10), to: .us(100), foundFrames: false)
        let spins3 = window.shouldSpin(now: .us(111))  // 101 µs after the last frame: over, not dry
        #expect(!spins3)
        var expected = BusyPollStatistics()
        expected.wakeups = 1
        expected.spins = 1
        expected.turns = 3
        expected.hits = 1
        expected.stalls = 1
        #expect(window.statistics == expected)
    }

    @Test func drySpinsCountLikeStallsAndBackOff() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        // Each request wakes the loop, which spins its whole window and finds nothing (the
        // sender could not run meanwhile): dry.
        for round in 1...4 {
            t += 50
            window.frameHandled(at: .us(t))
            let spins4 = window.shouldSpin(now: .us(t + 1))
            #expect(spins4)
            window.spinTurn(from: .us(t + 1), to: .us(t + 3), foundFrames: false)
            let spins5 = window.shouldSpin(now: .us(t + 100))
            #expect(!spins5)
            #expect(window.statistics.drySpins == UInt64(round))
        }
        #expect(window.statistics.spins == 4)
        #expect(window.statistics.backoffs == 1)
        #expect(window.suppressedUntil == .us(t + 100 + 10_000))
        // A spin that found a frame is not dry, and hits outweigh earlier dry spins.
        t = 20_000
        var other = Self.spinningWindow(&t)
        for _ in 0..<3 {
            t += 50
            other.frameHandled(at: .us(t))
            let spins6 = other.shouldSpin(now: .us(t + 1))
            #expect(spins6)
            let spins7 = other.shouldSpin(now: .us(t + 100))
            #expect(!spins7)
        }
        for _ in 0..<4 {
            _ = other.shouldSpin(now: .us(t + 1))
            t += 50
            Self.hit(&other, &t)
        }
        let spins8 = other.shouldSpin(now: .us(t + 1))
        #expect(spins8)
        let spins9 = other.shouldSpin(now: .us(t + 100))
        #expect(!spins9)
        #expect(other.statistics.drySpins == 3)
        #expect(other.statistics.backoffs == 0)
    }

    /// The wake-ups' waits, smoothed: a spin hit that waited longer than a wake-up does is slow.
    @Test func sleepingWaitIsSmoothedAndClampedToTheWindow() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100))
        #expect(window.sleepingWait == nil)
        window.wokenByFrames()  // unknown wait: counted, not sampled
        #expect(window.sleepingWait == nil)
        window.wokenByFrames(waited: .microseconds(40))
        #expect(window.sleepingWait == .microseconds(40))
        window.wokenByFrames(waited: .microseconds(8))
        #expect(window.sleepingWait == .microseconds(36))
        // One 5 ms scheduling delay moves it by a window / 8 at most.
        window.wokenByFrames(waited: .milliseconds(5))
        #expect(window.sleepingWait == .microseconds(36) + (.microseconds(100) - .microseconds(36)) / 8)
        #expect(window.statistics.wakeups == 4)
        // Without a window nothing is sampled.
        var off = BusyPollWindow<TestInstant>(window: .zero)
        off.wokenByFrames(waited: .microseconds(40))
        #expect(off.sleepingWait == nil)
    }

    /// `count` spin turns 5 µs apart, each finding a frame that had waited `waited` µs.
    private static func hits(_ window: inout BusyPollWindow<TestInstant>, _ t: inout Int64, count: Int, waited: Int64) {
        for _ in 0..<count {
            t += 5
            window.spinTurn(from: .us(t), to: .us(t + 2), foundFrames: true, waited: .microseconds(waited))
            window.frameHandled(at: .us(t + 2))
        }
    }

    /// On a CPU shared with other work the spin finds every frame "in time" but late; such hits
    /// count like stalls and the loop goes back to sleeping, while fast hits keep it spinning.
    @Test func hitsThatWaitedLongerThanAWakeUpBackOff() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        window.wokenByFrames(waited: .microseconds(16))
        Self.hits(&window, &t, count: 3, waited: 80)
        #expect(window.statistics.slowHits == 3)
        #expect(window.statistics.hits == 0)
        #expect(window.statistics.backoffs == 0)
        #expect(window.spinDeadline(now: .us(t + 3)) != nil)
        Self.hits(&window, &t, count: 1, waited: 80)
        #expect(window.statistics.slowHits == 4)
        #expect(window.statistics.backoffs == 1)
        #expect(window.spinDeadline(now: .us(t + 3)) == nil)  // suppressed: sleeps for the back-off
        #expect(window.suppressedUntil == .us(t + 2 + 10_000))  // from the end of the turn

        // The same flood where the spin finds frames sooner than a wake-up: it keeps spinning.
        t = 0
        var fast = Self.spinningWindow(&t)
        fast.wokenByFrames(waited: .microseconds(35))
        Self.hits(&fast, &t, count: 64, waited: 3)
        #expect(fast.statistics.hits == 64)
        #expect(fast.statistics.slowHits == 0)
        #expect(fast.statistics.backoffs == 0)
        #expect(fast.spinDeadline(now: .us(t + 3)) != nil)

        // Before any wake-up was timed (or with unknown waits) a hit is a hit.
        t = 0
        var unknown = Self.spinningWindow(&t)
        Self.hits(&unknown, &t, count: 8, waited: 80)
        #expect(unknown.statistics.hits == 8)
        #expect(unknown.statistics.backoffs == 0)
    }

    /// A spin during which another task waited for the CPU backs off at once; a spin that had
    /// the CPU to itself (or nearly) goes on.
    @Test func contendedSpinBacksOffAtOnce() {
        var t: Int64 = 0
        var window = Self.spinningWindow(&t)
        Self.hit(&window, &t)
        window.spinShare(elapsed: .milliseconds(1), waited: .microseconds(100), at: .us(t))  // 10 %: not above
        #expect(window.statistics.contended == 0)
        #expect(window.spinDeadline(now: .us(t + 1)) != nil)
        window.spinShare(elapsed: .milliseconds(1), waited: .microseconds(101), at: .us(t))
        #expect(window.statistics.contended == 1)
        #expect(window.statistics.backoffs == 1)
        #expect(window.spinDeadline(now: .us(t + 1)) == nil)
        #expect(window.suppressedUntil == .us(t + 10_000))
        // Without a window, or over no time, nothing happens.
        var off = BusyPollWindow<TestInstant>(window: .zero)
        off.spinShare(elapsed: .milliseconds(1), waited: .milliseconds(1), at: .us(0))
        #expect(off.statistics.contended == 0)
        var other = Self.spinningWindow(&t)
        other.spinShare(elapsed: .zero, waited: .microseconds(5), at: .us(t))
        #expect(other.statistics.contended == 0)
    }
}
