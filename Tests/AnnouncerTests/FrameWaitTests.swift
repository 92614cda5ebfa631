@testable import Announcer
import Testing

/// How long a frame waited for the loop to look, which the busy poll compares between spinning
/// and sleeping: only the time the loop was waiting for frames counts, not a backlog.
@Suite struct FrameWaitTests {
    private static func us(_ value: Int64) -> Duration { .seconds(1_700_000_000) + .microseconds(value) }

    @Test func waitRunsFromArrivalWhenTheFrameCameWhileTheLoopWaited() {
        // Asleep since the last answers ended at 100; the frame came at 110, poll returned at 145.
        #expect(PollLoop.frameWait(arrival: Self.us(110), answersEnded: Self.us(100), pollReturned: Self.us(145))
                    == .microseconds(35))
        // A spinning thread preempted for 1 ms between two turns: the frame that came meanwhile
        // waited the whole preemption, although the next poll found it at once.
        #expect(PollLoop.frameWait(arrival: Self.us(110), answersEnded: Self.us(100), pollReturned: Self.us(1_102))
                    == .microseconds(992))
    }

    @Test func aFrameQueuedWhileTheLoopWasAnsweringWaitsOnlyFromTheEndOfTheAnswers() {
        // Arrived at 20, during the previous batch's answers (ended at 100): a backlog.
        #expect(PollLoop.frameWait(arrival: Self.us(20), answersEnded: Self.us(100), pollReturned: Self.us(102))
                    == .microseconds(2))
    }

    @Test func unknownOrImplausibleWaitsAreNil() {
        #expect(PollLoop.frameWait(arrival: nil, answersEnded: Self.us(0), pollReturned: Self.us(5)) == nil)
        // The wall clock stepped back between the two reads, or forward by more than a second.
        #expect(PollLoop.frameWait(arrival: Self.us(10), answersEnded: Self.us(0), pollReturned: Self.us(5)) == nil)
        #expect(PollLoop.frameWait(arrival: Self.us(0), answersEnded: Self.us(0), pollReturned: Self.us(2_000_000)) == nil)
    }

    @Test func runQueueWaitIsTheSecondSchedstatField() throws {
        #expect(ThreadRunQueueWait.waited(schedstat: Array("8812345 456789 31\n".utf8)) == .nanoseconds(456_789))
        #expect(ThreadRunQueueWait.waited(schedstat: Array("8812345\n".utf8)) == nil)
        #expect(ThreadRunQueueWait.waited(schedstat: Array("a b c".utf8)) == nil)
        // The calling thread's own figure, read twice: it never goes down.
        let wait = ThreadRunQueueWait()
        let first = try #require(wait.total())
        let second = try #require(wait.total())
        #expect(second >= first)
    }
}
