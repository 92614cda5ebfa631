#define _GNU_SOURCE
#include "flood_timing.h"
#include <poll.h>
#include <sys/prctl.h>
#include <time.h>

int flood_set_timer_slack_ns(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}

int flood_wait_readable(int fd, long nanoseconds) {
    struct pollfd descriptor = { .fd = fd, .events = POLLIN, .revents = 0 };
    struct timespec timeout = { .tv_sec = nanoseconds / 1000000000L, .tv_nsec = nanoseconds % 1000000000L };
    return ppoll(&descriptor, 1, &timeout, NULL);
}
