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

    @Test func zeroWindowDisablesSpinning() {
        var window = BusyPollWindow<TestInstant>(window: .zero)
        for t in Int64(0)..<100 { window.frameHandled(at: .us(t)) }
        #expect(window.spinDeadline(now: .us(100)) == nil)
        #expect(BusyPollWindow<TestInstant>(window: .microseconds(-5)).window == .zero)
    }

    @Test func aStalledSpinTurnMeansPreemptionAndSuppressesSpinningForTheBackoff() {
        var window = BusyPollWindow<TestInstant>(window: .microseconds(100), stallBackoff: .milliseconds(10))
        #expect(window.stallThreshold == .microseconds(50))
        var t: Int64 = 0
        for _ in 0..<10 { t += 20; window.frameHandled(at: .us(t)) }
        // Normal turns of a few microseconds keep spinning.
        window.spinTurn(from: .us(t + 1), to: .us(t + 5))
        #expect(window.spinDeadline(now: .us(t + 5)) == .us(t + 100))
        // A turn of 3 ms: the thread was off its CPU.
        window.spinTurn(from: .us(t + 5), to: .us(t + 3005))
        #expect(window.suppressedUntil == .us(t + 13_005))
        t += 3010
        window.frameHandled(at: .us(t))
        #expect(window.spinDeadline(now: .us(t + 1)) == nil)
        // Frames keep coming fast; after the backoff spinning resumes.
        while t < 13_000 + 3000 { t += 20; window.frameHandled(at: .us(t)) }
        #expect(window.spinDeadline(now: .us(t + 1)) == .us(t + 100))
    }
}
