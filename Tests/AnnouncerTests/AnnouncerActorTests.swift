import Addressing
import Announcer
import Logging
import Testing

/// The actor on its own poll-loop executor, without capture (no root needed): its jobs run on
/// the loop thread (a hang would hit the time limit), and nothing is sent or counted without
/// interfaces.
@Suite(.timeLimit(.minutes(1)))
struct AnnouncerActorTests {
    @Test func runsOnItsLoopAndCountsNothingWithoutInterfaces() async throws {
        let announcer = Announcer(
            configuration: .init(timing: .init(roundInterval: .milliseconds(20), burstDuration: .milliseconds(50))),
            logger: Logger(label: "test"))
        let ip = IPAddress("192.0.2.10")!
        await announcer.announce(ip)
        #expect(await announcer.snapshot() == AnnouncerCounters())
        await announcer.withdraw(ip)
        #expect(await announcer.snapshot() == AnnouncerCounters())
        #expect(await announcer.activeInterfaces().isEmpty)
        await announcer.stop()
    }
}
