// prctl(2) is variadic, which Swift cannot call; this wraps the one call ARPFlood needs.
#ifndef FLOOD_TIMING_H
#define FLOOD_TIMING_H

/// Sets the calling thread's timer slack (PR_SET_TIMERSLACK) so a sleep until the next send
/// ends within about a microsecond instead of the default 50 µs. Returns 0 or -1 with errno.
int flood_set_timer_slack_ns(unsigned long nanoseconds);

/// Waits until `fd` is readable or `nanoseconds` have passed (ppoll(2), nanosecond timeout;
/// poll(2) counts whole milliseconds, too coarse for a 50 µs send interval).
/// Returns ppoll's result.
int flood_wait_readable(int fd, long nanoseconds);

#endif
