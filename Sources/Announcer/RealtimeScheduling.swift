import Glibc

/// The opt-in real-time priority of the announcer's poll thread (`--realtime-priority`,
/// `SWIFTLB_REALTIME_PRIORITY`): SCHED_RR at 1…99, on that one thread only.
///
/// Why: the announcer answers ARP/NDP from a thread that sleeps in `poll(2)`. When a request
/// arrives while every CPU is busy with other work, a normal (SCHED_OTHER) thread waits in the
/// run queue for its turn — milliseconds on a loaded node (the benchmark's p99 of 2–11 ms
/// against the kernel's 6–9 µs) — while a real-time thread preempts any normal task the moment
/// it is woken. Production load balancers do the same for their latency-critical threads:
/// keepalived's `vrrp_rt_priority` / `checker_rt_priority` put its VRRP and checker processes
/// in SCHED_RR. Only the poll thread is raised: gossip, the Kubernetes client and the metrics
/// endpoint keep normal scheduling, so a busy informer can never hold a CPU at real-time priority.
///
/// Why SCHED_RR rather than SCHED_FIFO: both preempt every normal task at once and differ only
/// among threads of the *same* priority — FIFO runs one until it blocks, RR shares the CPU in
/// time slices (`/proc/sys/kernel/sched_rr_timeslice_ms`). This thread blocks after every
/// batch, so for its own latency they are the same; RR is the kinder neighbour when another
/// real-time daemon on the node (keepalived's SCHED_RR threads, a second speaker) uses the same
/// priority, which is why keepalived chose it too.
public struct RealtimePriority: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Linux's SCHED_RR / SCHED_FIFO priorities (`sched_get_priority_min/max`).
    public static let range: ClosedRange<Int> = 1...99

    public let value: Int

    /// - Throws: `RealtimePriorityError.outOfRange` outside 1…99.
    public init(_ value: Int) throws(RealtimePriorityError) {
        guard Self.range.contains(value) else { throw .outOfRange(value) }
        self.value = value
    }

    /// Parses an environment variable's value (surrounding blanks ignored).
    /// - Throws: `RealtimePriorityError` for anything but a whole number 1…99.
    public init(parsing text: String) throws(RealtimePriorityError) {
        let trimmed = text.trimmingBlanks
        guard let number = Int(trimmed) else { throw .notANumber(text) }
        try self.init(number)
    }

    /// The speaker's priority: the flag, else a non-empty `SWIFTLB_REALTIME_PRIORITY`, else nil
    /// (normal scheduling), as the speaker's other flags fall back to the environment.
    public static func resolve(flag: Int?, environment: [String: String]) throws(RealtimePriorityError) -> RealtimePriority? {
        if let flag { return try RealtimePriority(flag) }
        guard let text = environment[environmentVariable], !text.trimmingBlanks.isEmpty else { return nil }
        return try RealtimePriority(parsing: text)
    }

    public static let environmentVariable = "SWIFTLB_REALTIME_PRIORITY"

    public static func < (lhs: RealtimePriority, rhs: RealtimePriority) -> Bool { lhs.value < rhs.value }
    public var description: String { "\(value)" }
}

public enum RealtimePriorityError: Error, Equatable, CustomStringConvertible {
    case notANumber(String)
    case outOfRange(Int)

    public var description: String {
        switch self {
        case .notANumber(let text): "real-time priority must be a whole number 1…99, got '\(text)'"
        case .outOfRange(let value): "real-time priority must be 1…99, got \(value)"
        }
    }
}

/// How the poll thread should be scheduled at a given moment.
public enum LoopSchedulingClass: Hashable, Sendable {
    /// SCHED_OTHER (the completely fair scheduler), the thread's nice value unchanged.
    case normal
    /// SCHED_RR at this priority.
    case realtime(RealtimePriority)
}

/// The pure decision: which class the poll thread runs in, given the requested priority and
/// whether the loop is about to busy-poll (`BusyPollWindow`).
///
/// A real-time thread that spins would never give its CPU to a normal task — the flood's sender,
/// a kworker, ksoftirqd delivering the very frames it waits for, the kubelet — for as long as the
/// spin lasts, and under a sustained flood the spin never ends. The kernel's RT throttling
/// (`sched_rt_runtime_us`, 950 ms of each second by default, and on Linux 6.12+ the fair
/// server's reserve for normal tasks) would bound that to a 95 % hog, not prevent it. So the
/// loop runs real-time only while it *sleeps* in `poll(2)` — that is where the priority pays:
/// the wake-up by a frame preempts whatever normal task holds the CPU — and drops to SCHED_OTHER
/// for each spin, where it competes like any CPU-bound task and the busy poll's own back-off
/// (stalls) applies. The switch is one `sched_setscheduler` call (about a microsecond) when a
/// spin starts and one when it ends; without busy poll the loop never spins and never switches.
public struct RealtimeSchedulingPlan: Hashable, Sendable {
    /// nil: always normal (the default).
    public let priority: RealtimePriority?

    public init(priority: RealtimePriority?) { self.priority = priority }

    /// The class for the loop's next turn: real-time while it may sleep, normal while it spins.
    public func schedulingClass(spinning: Bool) -> LoopSchedulingClass {
        guard let priority, !spinning else { return .normal }
        return .realtime(priority)
    }
}

/// What became of the requested priority when the poll thread started.
public enum RealtimeSchedulingOutcome: Hashable, Sendable {
    /// No priority requested: normal scheduling.
    case notRequested
    /// The thread runs SCHED_RR at this priority while it sleeps in `poll(2)`.
    case applied(RealtimePriority)
    /// The kernel refused (`errno`, normally EPERM: no CAP_SYS_NICE and RLIMIT_RTPRIO below the
    /// priority, or a cgroup without real-time runtime); the thread runs normally.
    case refused(RealtimePriority, errno: Int32)
    /// Applied at start, but raising the thread again after a spin failed later (`errno`; e.g.
    /// RLIMIT_RTPRIO lowered from outside): the thread stays normal from then on.
    case lost(RealtimePriority, errno: Int32)

    /// The priority in effect while the loop sleeps, 0 when it runs normally: the
    /// `swiftlb_layer2_realtime_priority` gauge.
    public var effectivePriority: Int {
        if case .applied(let priority) = self { return priority.value }
        return 0
    }
}

/// The poll thread's scheduling as the announcer reports it: the outcome and the thread's kernel
/// id (for `chrt -p TID`, `/proc/PID/task/TID/sched`).
public struct RealtimeSchedulingStatus: Hashable, Sendable {
    public var outcome: RealtimeSchedulingOutcome
    /// The loop thread's kernel thread id, 0 before the thread has started.
    public var threadID: Int32

    public init(outcome: RealtimeSchedulingOutcome = .notRequested, threadID: Int32 = 0) {
        self.outcome = outcome
        self.threadID = threadID
    }
}

/// The shell: applies a `LoopSchedulingClass` to the calling thread and reads the kernel's view
/// back. Linux only; touches the calling thread alone (`pthread_setschedparam` on
/// `pthread_self()` is `sched_setscheduler` on that thread's id, never the process).
enum ThreadScheduling {
    /// `SCHED_RESET_ON_FORK` (linux/sched.h; not visible through Swift's Glibc module, which
    /// is imported without `_GNU_SOURCE`). Always set with the real-time policy: a child
    /// process forked from this thread starts at normal priority, not real-time. It is also kept
    /// when dropping to normal for a spin, because clearing it needs CAP_SYS_NICE, which a
    /// thread allowed real-time by RLIMIT_RTPRIO alone lacks.
    static let resetOnFork: Int32 = 0x4000_0000

    /// Applies `schedulingClass` to the calling thread.
    /// - Returns: 0, or the error number (EPERM when not allowed, EINVAL for a bad priority).
    static func apply(_ schedulingClass: LoopSchedulingClass) -> Int32 {
        var parameters = sched_param()
        let policy: Int32
        switch schedulingClass {
        case .normal:
            policy = SCHED_OTHER
            parameters.sched_priority = 0
        case .realtime(let priority):
            policy = SCHED_RR
            parameters.sched_priority = Int32(priority.value)
        }
        return pthread_setschedparam(pthread_self(), policy | resetOnFork, &parameters)
    }

    /// The calling thread's policy (without the reset-on-fork flag), priority and that flag,
    /// as the kernel reports them (`sched_getscheduler(0)` / `sched_getparam(0)` are per thread).
    static func current() -> (policy: Int32, priority: Int32, resetOnFork: Bool) {
        let raw = sched_getscheduler(0)
        var parameters = sched_param()
        _ = sched_getparam(0, &parameters)
        return (raw & ~resetOnFork, parameters.sched_priority, raw & resetOnFork != 0)
    }

    /// The calling thread's kernel id, from `/proc/thread-self` ("PID/task/TID"; `gettid` is
    /// not visible through Swift's Glibc module). 0 if /proc is not mounted.
    static func currentThreadID() -> Int32 {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard length > 0 else { return 0 }
        let text = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) } ?? 0
    }

    /// The soft RLIMIT_RTPRIO of the process (the highest real-time priority allowed without
    /// CAP_SYS_NICE), for the refusal's log line.
    static func realtimePriorityLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(__RLIMIT_RTPRIO.rawValue), &limit) == 0 else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// "EPERM (Operation not permitted)"-style text for `error`.
    static func describe(errno error: Int32) -> String {
        let name: String
        switch error {
        case EPERM: name = "EPERM"
        case EINVAL: name = "EINVAL"
        case ESRCH: name = "ESRCH"
        default: name = "errno \(error)"
        }
        return "\(name) (\(String(cString: strerror(error))))"
    }
}

extension String {
    fileprivate var trimmingBlanks: Substring {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
