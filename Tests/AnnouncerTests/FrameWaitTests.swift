@testable import Announcer
import Testing

/// How long a frame waited for the loop to look, which the busy poll compares between spinning
/// and sleeping: only the time the loop was waiting for frames counts, not a backlog.
@Suite struct FrameWaitTests {
    private static func us(_ value: Int64) -> Duration { .seconds(1_700_000_000) + .microseconds(value) }

    @Test func waitRunsFromArrivalWhenTheFrameCameWhileTheLoopWaited() {
        #expect(PollLoop.frameWait(arrival: Self.us(110), pollEntered: Self.us(100), pollReturned: Self.us(145))
                    == .microseconds(35))
    }

    @Test func aFrameQueuedWhileTheLoopWasBusyWaitsOnlyFromThePoll() {
        // Arrived during the previous batch's answers: the backlog is not the cost of sleeping.
        #expect(PollLoop.frameWait(arrival: Self.us(20), pollEntered: Self.us(100), pollReturned: Self.us(102))
                    == .microseconds(2))
    }

    @Test func unknownOrImplausibleWaitsAreNil() {
        #expect(PollLoop.frameWait(arrival: nil, pollEntered: Self.us(0), pollReturned: Self.us(5)) == nil)
        // The wall clock stepped back between the two reads, or forward by more than a second.
        #expect(PollLoop.frameWait(arrival: Self.us(10), pollEntered: Self.us(0), pollReturned: Self.us(5)) == nil)
        #expect(PollLoop.frameWait(arrival: Self.us(0), pollEntered: Self.us(0), pollReturned: Self.us(2_000_000)) == nil)
    }
}
