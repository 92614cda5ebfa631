/// Whether the announcer's loop thread should keep polling its descriptors without sleeping
/// after it handled a frame, and until when: an adaptive, bounded busy poll, as a pure state
/// machine (frame times in, a spin deadline out).
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
/// - it backs off when spinning does not pay: a turn of the spin loop (one `poll` with a zero
///   timeout and the handlers of what it found, normally a few to 15 microseconds) that took
///   longer than `stallThreshold` means the
///   thread lost its CPU to another task; then it sleeps in `poll(2)` for `stallBackoff`
///   (spinning is suppressed), because on an oversubscribed host a spinning thread is just
///   another CPU hog that waits whole scheduler slices for its turn, while a sleeping thread
///   that is woken by a frame gets the scheduler's wake-up preemption.
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
    /// A spin turn longer than this means the thread was preempted.
    public let stallThreshold: Duration
    /// How long to sleep instead of spinning after a stall.
    public let stallBackoff: Duration
    /// No spinning before this instant (set by a stall).
    public private(set) var suppressedUntil: Instant?

    public init(window: Duration, stallThreshold: Duration? = nil, stallBackoff: Duration = .seconds(1)) {
        self.window = max(window, .zero)
        self.stallThreshold = stallThreshold ?? max(self.window / 2, .microseconds(20))
        self.stallBackoff = stallBackoff
    }

    /// Records that frames were handled at `now`.
    public mutating func frameHandled(at now: Instant) {
        defer { lastFrame = now }
        guard window > .zero, let lastFrame else { return }
        // Clamped, so that after a long pause a renewed flood re-engages within a few frames.
        let gap = min(max(lastFrame.duration(to: now), .zero), window * 4)
        if let estimate = gapEstimate {
            gapEstimate = estimate + (gap - estimate) / 8
        } else {
            gapEstimate = gap
        }
    }

    /// Records one empty turn of the spin loop, from `start` to `end`.
    public mutating func spinTurn(from start: Instant, to end: Instant) {
        if start.duration(to: end) > stallThreshold { suppressedUntil = end.advanced(by: stallBackoff) }
    }

    /// Until when the loop should poll without sleeping, or nil when it should sleep.
    public func spinDeadline(now: Instant) -> Instant? {
        guard window > .zero, let lastFrame, let gapEstimate, gapEstimate <= window else { return nil }
        if let suppressedUntil, now < suppressedUntil { return nil }
        let deadline = lastFrame.advanced(by: window)
        return now < deadline ? deadline : nil
    }
}
