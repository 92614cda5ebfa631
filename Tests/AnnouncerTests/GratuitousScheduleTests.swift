import Addressing
import Announcer
import Testing

/// A manual instant: seconds as a Duration since an arbitrary origin.
struct TestInstant: InstantProtocol {
    var offset: Duration
    func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: offset + duration) }
    func duration(to other: TestInstant) -> Duration { other.offset - offset }
    static func < (lhs: Self, rhs: Self) -> Bool { lhs.offset < rhs.offset }
    static func ms(_ value: Int64) -> TestInstant { TestInstant(offset: .milliseconds(value)) }
}

private let ip = IPAddress("192.0.2.10")!
private let other = IPAddress("2001:db8::10")!

/// Runs the schedule on a 10 ms grid and returns the instants (ms) at which `address` was due.
private func rounds(_ schedule: inout GratuitousSchedule<TestInstant>, for address: IPAddress,
                    from: Int64, to: Int64) -> [Int64] {
    var times: [Int64] = []
    for now in stride(from: from, through: to, by: 10) where schedule.due(now: .ms(now)).contains(address) {
        times.append(now)
    }
    return times
}

@Suite struct GratuitousScheduleTests {
    @Test func metalLBBurstIsFiveRoundsOverFiveSeconds() {
        var schedule = GratuitousSchedule<TestInstant>()
        schedule.arm(ip, now: .ms(0))
        #expect(schedule.nextDeadline == .ms(0))
        #expect(rounds(&schedule, for: ip, from: 0, to: 20_000) == [0, 1100, 2200, 3300, 4400])
        #expect(schedule.nextDeadline == nil)
    }

    @Test func rearmingDuringABurstExtendsItWithoutAnExtraRound() {
        var schedule = GratuitousSchedule<TestInstant>()
        schedule.arm(ip, now: .ms(0))
        var times = rounds(&schedule, for: ip, from: 0, to: 3000)
        schedule.arm(ip, now: .ms(3000))  // burst now ends at 8000
        times += rounds(&schedule, for: ip, from: 3010, to: 20_000)
        #expect(times == [0, 1100, 2200, 3300, 4400, 5500, 6600, 7700])
    }

    @Test func rearmingAfterTheBurstStartsANewOneAtOnce() {
        var schedule = GratuitousSchedule<TestInstant>()
        schedule.arm(ip, now: .ms(0))
        _ = rounds(&schedule, for: ip, from: 0, to: 10_000)
        schedule.arm(ip, now: .ms(12_000))
        #expect(schedule.due(now: .ms(12_000)) == [ip])
    }

    @Test func cancelStopsAtOnce() {
        var schedule = GratuitousSchedule<TestInstant>()
        schedule.arm(ip, now: .ms(0))
        schedule.arm(other, now: .ms(0))
        #expect(schedule.due(now: .ms(0)) == [ip, other])
        schedule.cancel(ip)
        #expect(rounds(&schedule, for: ip, from: 10, to: 10_000).isEmpty)
        #expect(schedule.scheduled.isEmpty)
    }

    @Test func refreshIntervalKeepsOneRoundPerInterval() {
        var schedule = GratuitousSchedule<TestInstant>(timing: .init(refreshInterval: .seconds(30)))
        schedule.arm(ip, now: .ms(0))
        #expect(rounds(&schedule, for: ip, from: 0, to: 70_000) == [0, 1100, 2200, 3300, 4400, 34_400, 64_400])
    }

    @Test func lateWakeupsDoNotCatchUp() {
        var schedule = GratuitousSchedule<TestInstant>()
        schedule.arm(ip, now: .ms(0))
        #expect(schedule.due(now: .ms(0)) == [ip])
        #expect(schedule.due(now: .ms(3000)) == [ip])  // one round, not three
        #expect(schedule.nextDeadline == .ms(4100))
    }
}
