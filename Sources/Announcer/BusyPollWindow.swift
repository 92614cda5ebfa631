/// Whether the announcer's loop thread should keep polling its descriptors without sleeping
/// after it handled a frame, and until when: an adaptive, bounded busy poll, as a pure state
/// machine (frame and spin-turn times in, a spin deadline out).
///
/// Why: a thread blocked in `poll(2)` is woken by the kernel when a frame arrives, and on a
/// virtual machine whose idle vCPU has halted that wake-up (an inter-processor interrupt, a VM
/// exit, the host rescheduling the vCPU) costs tens of microseconds — measured on the
/// benchmark host, most of a 31 µs median reply latency against the kernel's 3.9 µs, which
/// answers ARP in the softirq of the sending CPU and never sleeps. Polling with a zero timeout
/// for a short while after a frame finds the next one without any wake-up. This is what
/// Linux's own `SO_BUSY_POLL` does for NAPI sockets; it does not apply here (packet sockets on
/// a veth or most NICs have no NAPI id for it, and poll(2) also needs the global
/// `net.core.busy_poll` sysctl), so the loop spins in user space instead.
///
/// Bounded and adaptive, so it costs nothing when the traffic is sparse:
/// - it only spins when frames have recently been arriving closer together than `window`
///   (a smoothed gap, `gapEstimate`, below `window`), i.e. when the next frame is likely to
///   come within the spin; one ARP request per second never triggers it;
/// - a spin ends `window` after the last frame, so an idle announcer sleeps in `poll(2)` and
///   uses no CPU;
/// - `window` = zero disables it;
/// - it backs off when spinning does not pay. A turn of the spin loop whose `poll` with a zero
///   timeout (normally 1–3 µs; the shell times the system call only, not the answers to a
///   batch of frames it found, which take long because of the work) took longer than
///   `stallThreshold` is a *stall*: the thread lost its CPU to another task. On an
///   oversubscribed host a spinning thread is just another CPU hog that waits whole scheduler
///   slices for its turn, while a sleeping thread woken by a frame gets the scheduler's wake-up
///   preemption, so when stalls dominate it sleeps instead for `backoff`. A *dry* spin (one
///   that ran its whole window without finding a frame) counts like a stall: it only burnt
///   CPU, and on the benchmark it also showed that the spinning thread had been woken on the
///   very CPU of the process sending the requests, which then could not send until the spin
///   ended (docs/announcer.md, "Spin statistics"). One stall is not
///   enough: on a 2-vCPU host even at low load a spinning thread loses its vCPU now and then
///   (to the flood's sender, a kworker, the hypervisor), and the first version, which backed
///   off for a whole second after any single stall, hardly ever spun (docs/announcer.md,
///   "Busy poll against the sleeping loop"). Now the last `historyLength` turns that were a
///   *hit* (found a frame in time) or a stall are kept, and the loop backs off only when that
///   history holds at least `stallsToBackOff` stalls and more stalls than hits. A stall counts
///   once per window it lasted (at least once): in the benchmark at load average 4, stalls of
///   whole scheduler slices, a few hundred against 14,000 hits, never backed off although each
///   held up every request behind it (docs/announcer.md). Back-offs in a
///   row double (from `backoff` up to `maximumBackoff`, so a host that stays saturated is
///   probed rarely); `hitsToForgiveBackoffs` hits in a row (no stall, slow hit or dry spin
///   among them) reset the doubling. In a row: next to a CPU-bound neighbour the spin finds
///   runs of a few dozen frames between dry spins, and when any 64 hits forgave, it backed off
///   21 times in a 5 s flood, spinning again after each short pause (p50 58.6 µs against the
///   sleeping loop's 17.2 µs, docs/announcer.md).
/// - it also backs off when spinning finds frames no sooner than sleeping would. The shell
///   tells it how long the oldest frame of each drain had been waiting (now minus the kernel's
///   receive timestamp): after a wake-up from `poll(2)` that is the wake-up's cost, smoothed into
///   `sleepingWait`; a spin turn that finds a frame which waited longer than that is a *slow
///   hit* and counts like a stall. A spinning thread can find every frame "in time" and still
///   late: when it shares its CPU with other work it runs only in turns, and on the benchmark
///   host with one CPU-bound neighbour the spin's median reply took 86 µs against 16.5 µs
///   sleeping (docs/announcer.md, "Spin or sleep, by the frames' wait"). Measuring the wait
///   itself, rather than inferring it from stalls, lets the same default spin on an idle node
///   and sleep on a busy one.
/// - it backs off at once when another task wanted its CPU while it spun: the shell reads the
///   thread's run-queue wait (`/proc/thread-self/schedstat`) when a spin ends and every
///   millisecond of a long one, and a share of the spin above `contentionShare` spent runnable
///   but not running is *contention*. The spin is only worth it on a CPU nobody else wants;
///   on a shared one it takes the CPU from the node's other work (on the benchmark host, from
///   the very process sending the requests, which then sent late and got its replies late:
///   p50 55–89 µs next to a CPU-bound neighbour against the sleeping loop's 15–23 µs).
/// Under a sustained flood faster than one frame per `window` on an otherwise idle host the
/// thread never sleeps (one busy CPU); that is the price of the kernel-like latency, and the
/// knob to turn it off.
public struct BusyPollWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The longest spin after a frame, and the largest smoothed gap between frames at which
    /// spinning is still worth it.
    public let window: Duration
    private var lastFrame: Instant?
    /// Smoothed gap between frames (exponentially weighted, gain 1/8 as TCP's SRTT, RFC 6298),
    /// nil until two frames were seen.
    public private(set) var gapEstimate: Duration?
    /// A spin turn longer than this means the thread was preempted (a stall).
    public let stallThreshold: Duration
    /// The first back-off; doubled for each further back-off in a row.
    public let backoff: Duration
    /// The longest back-off.
    public let maximumBackoff: Duration
    /// How many recent outcomes (hits, stalls, dry spins) the back-off rule looks at (at most 64).
    public let historyLength: Int
    /// The fewest stalls in the history that can cause a back-off.
    public let stallsToBackOff: Int
    /// Hits since the last back-off after which the next back-off starts at `backoff` again.
    public let hitsToForgiveBackoffs: Int
    /// The largest share of a spin's time the thread may spend waiting for its CPU.
    public let contentionShare: Double
    /// No spinning before this instant (set by a back-off).
    public private(set) var suppressedUntil: Instant?
    /// The recent outcomes, hit (0) or stall / dry spin (1), newest in bit 0.
    private var history: UInt64 = 0
    private var historyCount = 0
    /// Back-offs since `hitsToForgiveBackoffs` hits in a row were last seen.
    private var backoffsInARow = 0
    private var hitsSinceBackoff = 0
    /// Smoothed wait of the oldest frame of a drain after the sleeping loop was woken by frames
    /// (gain 1/8; samples clamped to `window`, so one long scheduling delay does not make every
    /// later spin look fast), nil until the sleeping loop was woken once with a known wait.
    public private(set) var sleepingWait: Duration?
    /// Whether the loop is in a spin (as told by `shouldSpin`), and how many turns of it found frames.
    private var spinning = false
    private var framesFoundThisSpin = 0
    /// Running totals, for the counters (`AnnouncerCounters.busyPoll`).
    public private(set) var statistics = BusyPollStatistics()

    public init(window: Duration, stallThreshold: Duration? = nil, backoff: Duration = .milliseconds(100),
                maximumBackoff: Duration = .milliseconds(3200), historyLength: Int = 16, stallsToBackOff: Int = 4,
                hitsToForgiveBackoffs: Int = 64, contentionShare: Double = 0.1) {
        self.window = max(window, .zero)
        self.stallThreshold = stallThreshold ?? max(self.window / 2, .microseconds(20))
        self.backoff = max(backoff, .zero)
        self.maximumBackoff = max(maximumBackoff, self.backoff)
        self.historyLength = min(max(historyLength, 1), 64)
        self.stallsToBackOff = max(stallsToBackOff, 1)
        self.hitsToForgiveBackoffs = max(hitsToForgiveBackoffs, 1)
        self.contentionShare = min(max(contentionShare, 0), 1)
    }

    /// Stalls (and dry spins) and hits among the recent outcomes the back-off rule looks at.
    public var recentStalls: Int { history.nonzeroBitCount }
    public var recentHits: Int { historyCount - history.nonzeroBitCount }

    /// Records that `count` frames were handled at `now` (one drain of the capture). The gap
    /// sample is the time since the last drain divided by the frames in this one: under a
    /// flood the loop answers frames in batches, and the time between batches is the work of
    /// a batch, not the gap between requests (a debug build answering batches of 10 never
    /// spun on a back-to-back flood before this).
    public mutating func frameHandled(at now: Instant, count: Int = 1) {
        defer { lastFrame = now }
        guard window > .zero, let lastFrame else { return }
        // Clamped, so that after a long pause a renewed flood re-engages within a few frames.
        let gap = min(max(lastFrame.duration(to: now), .zero) / max(count, 1), window * 4)
        if let estimate = gapEstimate {
            gapEstimate = estimate + (gap - estimate) / 8
        } else {
            gapEstimate = gap
        }
    }

    /// Whether the loop should poll without sleeping now (`spinDeadline(now:)` is not nil),
    /// also tracking spins for the statistics and the dry-spin rule: a spin that ends without
    /// having found a frame counts against spinning like a stall.
    public mutating func shouldSpin(now: Instant) -> Bool {
        let spin = spinDeadline(now: now) != nil
        if spin && !spinning {
            statistics.spins += 1
            framesFoundThisSpin = 0
        } else if !spin && spinning && framesFoundThisSpin == 0 {
            statistics.drySpins += 1
            spinning = false
            record(bad: true, at: now)
        }
        spinning = spin
        return spin
    }

    /// Records that the sleeping loop was woken by frames (for the statistics: the wake-ups the
    /// spin is there to avoid), and how long the oldest of them had waited when it was read.
    public mutating func wokenByFrames(waited: Duration? = nil) {
        statistics.wakeups += 1
        guard window > .zero, let waited else { return }
        let sample = min(max(waited, .zero), window)
        if let estimate = sleepingWait {
            sleepingWait = estimate + (sample - estimate) / 8
        } else {
            sleepingWait = sample
        }
    }

    /// Records one turn of the spin loop, its zero-timeout poll from `start` to `end`, whether
    /// it found frames, and how long the oldest of them had waited when it was read.
    public mutating func spinTurn(from start: Instant, to end: Instant, foundFrames: Bool, waited: Duration? = nil) {
        statistics.turns += 1
        if foundFrames { framesFoundThisSpin += 1 }
        let length = start.duration(to: end)
        let stalled = length > stallThreshold
        if stalled {
            statistics.stalls += 1
            // Weighed by the time lost, one outcome per window (at least one): a thread that
            // loses whole scheduler slices (milliseconds) backs off at once, the short
            // preemptions of a quiet host (under a few windows) do not.
            let windows = window > .zero ? length / window : 1
            record(bad: true, at: end, weight: windows >= Double(historyLength) ? historyLength : max(1, Int(windows)))
            return
        } else if foundFrames, let waited, let sleepingWait, waited > sleepingWait {
            // Found, but no sooner than a wake-up would have: spinning did not pay.
            statistics.slowHits += 1
            record(bad: true, at: end)
            return
        } else if foundFrames {
            statistics.hits += 1
            hitsSinceBackoff += 1
            if hitsSinceBackoff >= hitsToForgiveBackoffs { backoffsInARow = 0 }
        } else {
            return  // an empty turn on time: neither helps nor hurts
        }
        record(bad: false, at: end)
    }

    /// Records that over `elapsed` of spinning, ending at `end`, the thread waited `waited`
    /// for its CPU (runnable while another task ran). Above `contentionShare` it backs off at
    /// once: the whole history counts as bad.
    public mutating func spinShare(elapsed: Duration, waited: Duration, at end: Instant) {
        guard window > .zero, elapsed > .zero, waited > elapsed * contentionShare else { return }
        statistics.contended += 1
        record(bad: true, at: end, weight: historyLength)
    }

    /// Adds a hit (`bad` false) or a stall, slow hit or dry spin (`bad` true) to the history, `weight`
    /// times, and backs off when the bad ones dominate.
    private mutating func record(bad: Bool, at end: Instant, weight: Int = 1) {
        if bad { hitsSinceBackoff = 0 }  // forgiveness needs a clean run of hits
        for _ in 0..<weight {
            history = (history << 1 | (bad ? 1 : 0)) & (historyLength == 64 ? .max : (1 << UInt64(historyLength)) - 1)
            historyCount = min(historyCount + 1, historyLength)
        }
        guard bad, recentStalls >= stallsToBackOff, recentStalls > recentHits else { return }
        var length = backoff
        for _ in 0..<min(backoffsInARow, 16) where length < maximumBackoff { length = length * 2 }
        suppressedUntil = end.advanced(by: min(length, maximumBackoff))
        statistics.backoffs += 1
        backoffsInARow += 1
        hitsSinceBackoff = 0
        history = 0
        historyCount = 0
        spinning = false  // the spin ends here; not a dry one
    }

    /// Until when the loop should poll without sleeping, or nil when it should sleep.
    public func spinDeadline(now: Instant) -> Instant? {
        guard window > .zero, let lastFrame, let gapEstimate, gapEstimate <= window else { return nil }
        if let suppressedUntil, now < suppressedUntil { return nil }
        let deadline = lastFrame.advanced(by: window)
        return now < deadline ? deadline : nil
    }
}

/// Running totals of the announcer's busy poll (`BusyPollWindow`), so a run shows whether the
/// spin engaged: `wakeups` high against the frames means the loop slept between them anyway.
public struct BusyPollStatistics: Hashable, Sendable {
    /// Times the loop went from sleeping to spinning.
    public var spins: UInt64 = 0
    /// Zero-timeout polls.
    public var turns: UInt64 = 0
    /// Turns that found frames in time (each a request answered without a wake-up).
    public var hits: UInt64 = 0
    /// Turns that found frames which had waited longer than a wake-up from sleep takes.
    public var slowHits: UInt64 = 0
    /// Stretches of spinning during which another task wanted the CPU (each backs off).
    public var contended: UInt64 = 0
    /// Turns longer than the stall threshold: the thread lost its CPU while spinning.
    public var stalls: UInt64 = 0
    /// Spins that ran their whole window without finding a frame.
    public var drySpins: UInt64 = 0
    /// Times stalls and dry spins dominated and spinning was suspended.
    public var backoffs: UInt64 = 0
    /// Times the sleeping loop was woken by frames.
    public var wakeups: UInt64 = 0

    public init() {}
}
