import Glibc
import Synchronization

/// A serial executor that owns one dedicated thread blocked in `poll(2)` on the announcer's
/// descriptors (the pcap handles, the netlink socket and a wake-up pipe).
///
/// Why not a dispatch read source: on Linux libdispatch's event thread sees the descriptor
/// become readable and then hands the handler to a worker thread, two thread wake-ups per
/// frame. Here the thread that returns from `poll` decodes and answers the frame itself, and
/// the actor's jobs run on the same thread, so a handler is already isolated to the actor.
/// One thread per announcer, never one per interface or per packet; it sleeps in `poll` when
/// there is nothing to do. After a handler reports frames, `BusyPollWindow` may keep it polling
/// with a zero timeout for a bounded time (see there why); idle, it always sleeps.
/// With a real-time priority (`RealtimeSchedulingPlan`) this one thread, not the process, runs
/// SCHED_RR while it sleeps in `poll` and drops to normal scheduling for each spin.
final class PollLoop: SerialExecutor {
    /// Called on the loop thread when its descriptor is readable; returns what it drained
    /// (which feeds the busy-poll window).
    typealias ReadableHandler = @Sendable () -> Drained

    /// What a readable handler drained: how many frames, and when the oldest of them reached
    /// the kernel's socket (wall clock, the capture's timestamp; nil when unknown), from which
    /// the loop tells the busy poll how long frames waited for it to look.
    struct Drained {
        var frames: Int
        var oldestArrival: Duration?

        init(frames: Int, oldestArrival: Duration? = nil) {
            self.frames = frames
            self.oldestArrival = oldestArrival
        }

        static let nothing = Drained(frames: 0)
    }

    /// How long the oldest frame waited for the loop to look: from its arrival, or from when
    /// the loop last finished answering frames if it arrived earlier (queued behind those
    /// answers, a backlog that is not the cost of sleeping or spinning), until `poll` returned
    /// with it. Counted from the end of the answers rather than from this turn's `poll`: a
    /// spinning thread preempted between two turns lets frames wait that its next `poll` then
    /// finds at once, and that wait is exactly what spinning on a shared CPU costs. Nil when
    /// unknown or implausible (a stepped wall clock).
    static func frameWait(arrival: Duration?, answersEnded: Duration, pollReturned: Duration) -> Duration? {
        guard let arrival else { return nil }
        let wait = pollReturned - max(arrival, answersEnded)
        return wait >= .zero && wait < .seconds(1) ? wait : nil
    }

    private struct State {
        var jobs: [UnownedJob] = []
        var watches: [Int32: ReadableHandler] = [:]
        /// Bumped on every watch change, so the loop rebuilds its `pollfd` array only then.
        var watchGeneration = 0
        var timer: (deadline: ContinuousClock.Instant, handler: @Sendable () -> Void)?
        var running = true
        var thread: pthread_t?
        /// The busy poll's totals, copied from the loop thread once per iteration (under the
        /// lock it takes anyway) so `busyPollStatistics` can be read from the actor.
        var busyPollStatistics = BusyPollStatistics()
        /// Set by the loop thread before it runs its first job.
        var realtime = RealtimeSchedulingStatus()
    }

    private let state = Mutex(State())
    /// [read end, write end]; a byte written wakes `poll` after the watch set or jobs changed.
    private let wakeup: (read: Int32, write: Int32)

    private let busyPollWindow: Duration
    private let realtimePlan: RealtimeSchedulingPlan

    /// - Parameters:
    ///   - busyPollWindow: the longest zero-timeout polling after a frame (zero = never).
    ///   - realtimePriority: SCHED_RR priority of the loop thread while it sleeps (nil = normal).
    init(busyPollWindow: Duration = .zero, realtimePriority: RealtimePriority? = nil) {
        self.busyPollWindow = busyPollWindow
        realtimePlan = RealtimeSchedulingPlan(priority: realtimePriority)
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe: \(errno)")
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeup = (fds[0], fds[1])
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let loop = Unmanaged<PollLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "pthread_create: \(rc)")
        pthread_detach(thread)
        state.withLock { $0.thread = thread }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.jobs.append(job) }
        wake()
    }

    func checkIsolated() {
        let thread = state.withLock { $0.thread }
        precondition(thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false, "not on the announcer's loop thread")
    }

    /// Calls `handler` on the loop thread whenever `fd` is readable, until `unwatch`.
    func watch(_ fd: Int32, handler: @escaping ReadableHandler) {
        state.withLock { $0.watches[fd] = handler; $0.watchGeneration += 1 }
        wake()
    }

    /// Stops watching `fd`; when called on the loop thread, `fd` may be closed right after.
    func unwatch(_ fd: Int32) {
        state.withLock { _ = $0.watches.removeValue(forKey: fd); $0.watchGeneration += 1 }
        wake()
    }

    /// The one timer: `handler` runs on the loop thread at `deadline` (nil cancels it).
    func setTimer(_ deadline: ContinuousClock.Instant?, handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.timer = deadline.map { ($0, handler) } }
        wake()
    }

    /// The busy poll's running totals, as of the loop's latest iteration.
    var busyPollStatistics: BusyPollStatistics { state.withLock { $0.busyPollStatistics } }

    /// The loop thread's scheduling: set before its first job runs, so the actor's first method
    /// (running on this thread) already sees the outcome.
    var realtimeScheduling: RealtimeSchedulingStatus { state.withLock { $0.realtime } }

    /// Ends the thread after its current iteration.
    func shutdown() {
        state.withLock { $0.running = false }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeup.write, &byte, 1)  // a full pipe already means "wake up"
    }

    private func run() {
        // Named so that top, perf and /proc/PID/task show which thread answers (15 chars max;
        // pthread_setname_np and prctl are not importable from Swift's Glibc module).
        let comm = open("/proc/thread-self/comm", O_WRONLY)
        if comm >= 0 {
            _ = write(comm, "slb-announcer", 13)
            close(comm)
        }
        // Before the first job: the actor's start() then reads a settled outcome.
        var scheduling = LoopSchedulingClass.normal
        var realtime = RealtimeSchedulingStatus(threadID: ThreadScheduling.currentThreadID())
        if let priority = realtimePlan.priority {
            let error = ThreadScheduling.apply(.realtime(priority))
            if error == 0 { scheduling = .realtime(priority) }
            realtime.outcome = error == 0 ? .applied(priority) : .refused(priority, errno: error)
        }
        state.withLock { $0.realtime = realtime }
        let clock = ContinuousClock()
        var busyPoll = BusyPollWindow<ContinuousClock.Instant>(window: busyPollWindow)
        var descriptors: [pollfd] = []
        var generation = -1
        var sink = [UInt8](repeating: 0, count: 64)
        /// When the loop last finished answering frames (wall clock), for `frameWait`.
        var answersEnded = Duration.zero
        var contention = busyPollWindow > .zero ? SpinContention() : nil
        while true {
            let statistics = busyPoll.statistics
            let (changed, timer, running) = state.withLock { state -> ([Int32]?, ContinuousClock.Instant?, Bool) in
                let changed = state.watchGeneration == generation ? nil : state.watches.keys.sorted()
                generation = state.watchGeneration
                state.busyPollStatistics = statistics
                return (changed, state.timer?.deadline, state.running)
            }
            if !running { break }
            if let fds = changed {
                descriptors.removeAll(keepingCapacity: true)
                descriptors.append(pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0))
                for fd in fds { descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            } else {
                for index in descriptors.indices { descriptors[index].revents = 0 }
            }
            let now = clock.now
            var timeout: Int32 = -1
            let spin = busyPoll.shouldSpin(now: now)
            contention?.observe(spinning: spin, now: now, into: &busyPoll)
            if case .applied(let priority) = realtime.outcome, realtimePlan.schedulingClass(spinning: spin) != scheduling {
                // Real-time only while sleeping; a spin runs normal (RealtimeSchedulingPlan).
                // Lowering its own policy is always permitted (sched(7)), so only raising it
                // again can fail, and then the thread stays normal.
                let wanted = realtimePlan.schedulingClass(spinning: spin)
                let error = ThreadScheduling.apply(wanted)
                if error == 0 {
                    scheduling = wanted
                } else {
                    realtime.outcome = .lost(priority, errno: error)
                    let lost = realtime
                    state.withLock { $0.realtime = lost }
                }
            }
            if spin {
                timeout = 0  // busy poll: look again at once instead of sleeping
            } else if let timer {
                let (seconds, attoseconds) = now.duration(to: timer).components
                let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
                timeout = Int32(clamping: max(0, milliseconds + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno != EINTR { fatalError("poll: \(errno)") }
            // In the frames' timestamps' clock (the wall clock); only with a window.
            let pollReturned = busyPollWindow > .zero && ready > 0 ? CapturedFrame.wallClockNow() : .zero
            // A spin turn is timed over the zero-timeout poll only: a turn that then answers a
            // batch of frames is long because of the work, not because the thread lost its CPU.
            let polled = spin ? clock.now : now
            // A spin turn that found nothing: no jobs either (each one also writes the pipe).
            if ready <= 0 && timeout == 0 && timer.map({ $0 > now }) ?? true {
                busyPoll.spinTurn(from: now, to: polled, foundFrames: false)
                continue
            }
            if descriptors[0].revents != 0 {
                while read(wakeup.read, &sink, sink.count) > 0 {}
            }
            var handledFrames = 0
            var oldestArrival: Duration?
            for descriptor in descriptors.dropFirst() where descriptor.revents != 0 {
                // Looked up again: an earlier handler in this round may have unwatched it.
                guard let handler = state.withLock({ $0.watches[descriptor.fd] }) else { continue }
                let drained = handler()
                handledFrames += drained.frames
                if let arrival = drained.oldestArrival { oldestArrival = min(oldestArrival ?? arrival, arrival) }
            }
            let oldestWait = Self.frameWait(arrival: oldestArrival, answersEnded: answersEnded, pollReturned: pollReturned)
            if handledFrames > 0 && busyPollWindow > .zero { answersEnded = CapturedFrame.wallClockNow() }
            if spin || handledFrames > 0 {
                let handled = clock.now
                if spin {
                    busyPoll.spinTurn(from: now, to: polled, foundFrames: handledFrames > 0, waited: oldestWait)
                } else {
                    busyPoll.wokenByFrames(waited: oldestWait)
                }
                if handledFrames > 0 { busyPoll.frameHandled(at: handled, count: handledFrames) }
            }
            let due = state.withLock { state -> (@Sendable () -> Void)? in
                guard let timer = state.timer, timer.deadline <= clock.now else { return nil }
                state.timer = nil
                return timer.handler
            }
            due?()
            let jobs = state.withLock { state -> [UnownedJob] in
                defer { state.jobs.removeAll(keepingCapacity: true) }
                return state.jobs
            }
            for job in jobs { job.runSynchronously(on: asUnownedSerialExecutor()) }
        }
        close(wakeup.read)
        close(wakeup.write)
    }
}

/// Whether another task wanted the loop thread's CPU while it spun: samples the thread's
/// run-queue wait when a spin starts, every `interval` of a long one and when it ends, and
/// reports each stretch to `BusyPollWindow.spinShare`. Create it on the loop thread.
struct SpinContention {
    /// How often a long spin checks.
    static let interval = Duration.milliseconds(1)
    private let runQueue = ThreadRunQueueWait()
    private var checkpoint: (at: ContinuousClock.Instant, waited: Duration)?

    mutating func observe(spinning: Bool, now: ContinuousClock.Instant,
                          into window: inout BusyPollWindow<ContinuousClock.Instant>) {
        guard let checkpoint else {
            if spinning { checkpoint = runQueue.total().map { (now, $0) } }
            return
        }
        guard !spinning || now - checkpoint.at >= Self.interval else { return }
        let waited = runQueue.total()
        if let waited { window.spinShare(elapsed: now - checkpoint.at, waited: waited - checkpoint.waited, at: now) }
        self.checkpoint = spinning ? waited.map { (now, $0) } : nil
    }
}

/// The calling thread's total time runnable but not running, from the scheduler's statistics
/// (`/proc/thread-self/schedstat`, second field, nanoseconds; kept open and re-read with
/// `pread` into a stack buffer, as a long spin reads it every millisecond). Open it on the
/// thread it measures; nil readings when unavailable.
final class ThreadRunQueueWait {
    private let descriptor: Int32

    init() { descriptor = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC) }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func total() -> Duration? {
        guard descriptor >= 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buffer in
            let count = pread(descriptor, buffer.baseAddress, buffer.count, 0)
            return count > 0 ? Self.waited(schedstat: buffer[..<count]) : nil
        }
    }

    /// The second of the three numbers in a schedstat line ("run wait slices").
    static func waited(schedstat: some Collection<UInt8>) -> Duration? {
        let fields = schedstat.split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let nanoseconds = Int64(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return .nanoseconds(nanoseconds)
    }
}
