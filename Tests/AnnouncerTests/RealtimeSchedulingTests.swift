@testable import Announcer
import Foundation
import Logging
import Synchronization
import Testing

/// The pure part of `--realtime-priority`: validation, the environment fallback, and the
/// decision to run real-time only while the loop may sleep.
struct RealtimePriorityTests {
    @Test(arguments: [1, 2, 50, 98, 99])
    func acceptsLinuxRealtimePriorities(_ value: Int) throws {
        #expect(try RealtimePriority(value).value == value)
    }

    @Test(arguments: [Int.min, -1, 0, 100, 1000])
    func rejectsPrioritiesOutside1Through99(_ value: Int) {
        #expect(throws: RealtimePriorityError.outOfRange(value)) { try RealtimePriority(value) }
    }

    @Test func parsesEnvironmentTextWithBlanks() throws {
        #expect(try RealtimePriority(parsing: "50").value == 50)
        #expect(try RealtimePriority(parsing: " 7\n").value == 7)
        #expect(throws: RealtimePriorityError.notANumber("1.5")) { try RealtimePriority(parsing: "1.5") }
        #expect(throws: RealtimePriorityError.notANumber("high")) { try RealtimePriority(parsing: "high") }
        #expect(throws: RealtimePriorityError.outOfRange(0)) { try RealtimePriority(parsing: "0") }
    }

    @Test func flagWinsOverEnvironmentAndEmptyMeansOff() throws {
        let variable = RealtimePriority.environmentVariable
        #expect(variable == "SWIFTLB_REALTIME_PRIORITY")
        #expect(try RealtimePriority.resolve(flag: nil, environment: [:]) == nil)
        #expect(try RealtimePriority.resolve(flag: nil, environment: [variable: ""]) == nil)
        #expect(try RealtimePriority.resolve(flag: nil, environment: [variable: " "]) == nil)
        #expect(try RealtimePriority.resolve(flag: nil, environment: [variable: "30"])?.value == 30)
        #expect(try RealtimePriority.resolve(flag: 10, environment: [variable: "30"])?.value == 10)
        #expect(try RealtimePriority.resolve(flag: 10, environment: [variable: "junk"])?.value == 10)
        #expect(throws: RealtimePriorityError.notANumber("junk")) {
            try RealtimePriority.resolve(flag: nil, environment: [variable: "junk"])
        }
        #expect(throws: RealtimePriorityError.outOfRange(100)) { try RealtimePriority.resolve(flag: 100, environment: [:]) }
    }

    @Test func realtimeOnlyWhileTheLoopMaySleep() throws {
        let priority = try RealtimePriority(40)
        let plan = RealtimeSchedulingPlan(priority: priority)
        #expect(plan.schedulingClass(spinning: false) == .realtime(priority))
        #expect(plan.schedulingClass(spinning: true) == .normal)
        let off = RealtimeSchedulingPlan(priority: nil)
        #expect(off.schedulingClass(spinning: false) == .normal)
        #expect(off.schedulingClass(spinning: true) == .normal)
    }

    @Test func gaugeShowsThePriorityOnlyWhenApplied() throws {
        let priority = try RealtimePriority(40)
        #expect(RealtimeSchedulingOutcome.applied(priority).effectivePriority == 40)
        #expect(RealtimeSchedulingOutcome.notRequested.effectivePriority == 0)
        #expect(RealtimeSchedulingOutcome.refused(priority, errno: EPERM).effectivePriority == 0)
        #expect(RealtimeSchedulingOutcome.lost(priority, errno: EPERM).effectivePriority == 0)
        var counters = AnnouncerCounters()
        counters.realtimePriority = 40
        #expect(counters.lines.contains("swiftlb_layer2_realtime_priority 40"))
        #expect(AnnouncerCounters().lines.contains("swiftlb_layer2_realtime_priority 0"))
    }

    @Test func errnoIsNamedInTheWarning() {
        #expect(ThreadScheduling.describe(errno: EPERM) == "EPERM (Operation not permitted)")
        #expect(ThreadScheduling.describe(errno: EINVAL).hasPrefix("EINVAL ("))
    }
}

/// Applied for real (root, as CI runs): the kernel's view of the loop thread, read back with
/// `sched_getscheduler(0)` / `sched_getparam(0)` on that thread and from `/proc/PID/task/TID/stat`.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs CAP_SYS_NICE (root) to set SCHED_RR"),
       .timeLimit(.minutes(1)))
struct RealtimeThreadTests {
    struct Observation: Equatable, Sendable {
        var policy: Int32
        var priority: Int32
        var resetOnFork: Bool

        static func now() -> Observation {
            let current = ThreadScheduling.current()
            return Observation(policy: current.policy, priority: current.priority, resetOnFork: current.resetOnFork)
        }
    }

    @Test func announcerThreadAloneRunsRoundRobinAtTheRequestedPriority() async throws {
        let priority = try RealtimePriority(42)
        let announcer = Announcer(configuration: .init(realtimePriority: priority), logger: Logger(label: "test"))
        let status = await announcer.realtimeScheduling()
        #expect(status.outcome == .applied(priority))
        #expect(status.threadID > 0 && status.threadID != getpid())
        let loop = try Self.kernelScheduling(thread: status.threadID)
        #expect(loop.policy == SCHED_RR && loop.priority == 42)
        // The rest of the process (its main thread, this test's thread) stays normal.
        let main = try Self.kernelScheduling(thread: getpid())
        #expect(main.policy == SCHED_OTHER && main.priority == 0)
        #expect(ThreadScheduling.current().policy == SCHED_OTHER)
        #expect(await announcer.snapshot().realtimePriority == 42)
        await announcer.stop()
    }

    @Test func withoutAPriorityTheLoopStaysNormal() async throws {
        let announcer = Announcer(logger: Logger(label: "test"))
        let status = await announcer.realtimeScheduling()
        #expect(status.outcome == .notRequested)
        let loop = try Self.kernelScheduling(thread: status.threadID)
        #expect(loop.policy == SCHED_OTHER && loop.priority == 0)
        #expect(await announcer.snapshot().realtimePriority == 0)
        await announcer.stop()
    }

    /// Frames written to a pipe the loop watches: the first two wake the sleeping loop (SCHED_RR),
    /// the third is found by the busy poll they started (SCHED_OTHER for the spin), and a timer
    /// after the spin's window runs at SCHED_RR again.
    @Test func loopSleepsRealtimeAndSpinsAtNormalPriority() async throws {
        // A 1 s window, so that the third write lands inside the spin even on a loaded machine.
        let loop = PollLoop(busyPollWindow: .seconds(1), realtimePriority: try RealtimePriority(33))
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        let (observations, observed) = AsyncStream.makeStream(of: Observation.self)
        loop.watch(readEnd) {
            var byte: UInt8 = 0
            var frames = 0
            while read(readEnd, &byte, 1) == 1 { frames += 1 }
            observed.yield(.now())
            return PollLoop.Drained(frames: frames)
        }
        var iterator = observations.makeAsyncIterator()
        func frame() async -> Observation? {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
            return await iterator.next()
        }
        let realtime = Observation(policy: SCHED_RR, priority: 33, resetOnFork: true)
        let normal = Observation(policy: SCHED_OTHER, priority: 0, resetOnFork: true)
        #expect(await frame() == realtime)
        #expect(await frame() == realtime)
        #expect(await frame() == normal)
        loop.setTimer(ContinuousClock.now + .milliseconds(1600)) { observed.yield(.now()) }
        #expect(await iterator.next() == realtime)
        #expect(loop.busyPollStatistics.hits >= 1)
        #expect(loop.realtimeScheduling.outcome == .applied(try RealtimePriority(33)))
        loop.unwatch(readEnd)
        loop.shutdown()
        observed.finish()
        close(readEnd)
        close(writeEnd)
    }

    /// Policy and real-time priority of a thread of this process as the kernel reports them
    /// (`/proc/self/task/TID/stat` fields 41 and 40, proc(5)).
    static func kernelScheduling(thread: Int32) throws -> (policy: Int32, priority: Int32) {
        let text = try String(contentsOfFile: "/proc/self/task/\(thread)/stat", encoding: .utf8)
        let fields = try #require(text.split(separator: ")").last).split(separator: " ")
        // fields[0] is field 3 (state).
        return (try #require(Int32(fields[41 - 3])), try #require(Int32(fields[40 - 3])))
    }
}
