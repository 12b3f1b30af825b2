/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time for picolibc programs, on the kernel's clocks (nanoseconds since
 * boot, and the board's real-time clock) and sleep calls:
 *
 *   clock_gettime, clock_getres   the clocks below
 *   gettimeofday                  CLOCK_REALTIME; picolibc's time() calls it
 *   times                         picolibc's clock() calls it
 *   nanosleep, clock_nanosleep    sleep at least as long as asked
 *   usleep, sleep
 *
 * CLOCK_REALTIME (and _COARSE), gettimeofday and time() are the board's
 * real-time clock, which the kernel reads on each call (the Goldfish RTC
 * on qemu_virt_riscv64). On a board without one (qemu_sifive_u) they
 * count from boot: the "date" is 1970-01-01 plus the uptime, still a
 * clock that only moves forward, at the right rate. CLOCK_MONOTONIC and
 * the other clocks are the time since boot everywhere.
 *
 * The CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID)
 * and clock() give the time since the process started, which includes the
 * time other processes ran (the kernel's own count of a process's CPU time
 * is in proc_list's records; these clocks do not use it yet). Differences
 * of them still time a piece of code on an idle system.
 *
 * Nothing interrupts a sleep (there are no signals), so nanosleep never
 * fails with EINTR and never writes *rem.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <rvos/user.h>

#define NS_PER_SEC 1000000000ull
#define NS_PER_US 1000ull

/* The kernel's clock when the process started: the CPU-time clocks' zero.
 * Set by this constructor, which runs before main in every program that
 * links this file. */
static uint64_t process_start_ns;

static void __attribute__((constructor)) time_init(void)
{
	process_start_ns = rv_clock_ns();
}

/* The wall clock in ns since 1970: the board's RTC, or, where it has none
 * (the kernel says ENODEV, once: it will not grow one), the time since
 * boot. */
static uint64_t realtime_ns(void)
{
	static int no_rtc;
	uint64_t ns;

	if (!no_rtc && rv_clock_realtime_ns(&ns) == 0)
		return ns;
	no_rtc = 1;
	return rv_clock_ns();
}

/* picolibc names the coarse clock only for _GNU_SOURCE: one id, the same
 * clock, for the programs that can name it. */
#ifndef CLOCK_REALTIME_COARSE
#define CLOCK_REALTIME_COARSE CLOCK_REALTIME
#endif

static int is_realtime_clock(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

/* The clocks that run in real time: the wall clock and the time since
 * boot (no suspend, so the boot-time clocks are the monotonic one). */
static int is_wall_clock(clockid_t id)
{
	if (is_realtime_clock(id))
		return 1;
	switch (id) {
	case CLOCK_MONOTONIC:
#ifdef CLOCK_MONOTONIC_RAW
	case CLOCK_MONOTONIC_RAW:
#endif
#ifdef CLOCK_MONOTONIC_COARSE
	case CLOCK_MONOTONIC_COARSE:
#endif
#ifdef CLOCK_BOOTTIME
	case CLOCK_BOOTTIME:
#endif
		return 1;
	default:
		return 0;
	}
}

static int is_cpu_clock(clockid_t id)
{
	return id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID;
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS_PER_SEC);
	ts->tv_nsec = (long)(ns % NS_PER_SEC);
}

/* A valid timespec (0 <= tv_nsec < 1e9, tv_sec >= 0) as nanoseconds,
 * saturating at UINT64_MAX (some 584 years); -1 when it is not valid. */
static int timespec_to_ns(const struct timespec *ts, uint64_t *ns)
{
	uint64_t s;

	if (!ts || ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NS_PER_SEC)
		return -1;
	s = (uint64_t)ts->tv_sec;
	if (s > (UINT64_MAX - (uint64_t)ts->tv_nsec) / NS_PER_SEC)
		*ns = UINT64_MAX;
	else
		*ns = s * NS_PER_SEC + (uint64_t)ts->tv_nsec;
	return 0;
}

int clock_gettime(clockid_t id, struct timespec *tp)
{
	uint64_t now;

	if (!tp) {
		errno = EFAULT;
		return -1;
	}
	if (is_realtime_clock(id)) {
		ns_to_timespec(realtime_ns(), tp);
	} else if (is_wall_clock(id)) {
		ns_to_timespec(rv_clock_ns(), tp);
	} else if (is_cpu_clock(id)) {
		now = rv_clock_ns();
		ns_to_timespec(now - process_start_ns, tp);
	} else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The kernel reports nanoseconds; the timer behind them ticks more coarsely
 * (100 ns on qemu_virt_riscv64, 1 us on qemu_sifive_u) but user space does
 * not know its rate, so the resolution given is the unit: 1 ns. */
int clock_getres(clockid_t id, struct timespec *res)
{
	if (!is_wall_clock(id) && !is_cpu_clock(id)) {
		errno = EINVAL;
		return -1;
	}
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

/* The time zone is always UTC: *tz (obsolete) gets 0 minutes west, no DST. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	uint64_t now = realtime_ns();

	if (tv) {
		tv->tv_sec = (time_t)(now / NS_PER_SEC);
		tv->tv_usec = (suseconds_t)(now % NS_PER_SEC / NS_PER_US);
	}
	if (tz) {
		struct timezone *z = tz;

		z->tz_minuteswest = 0;
		z->tz_dsttime = 0;
	}
	return 0;
}

/* In CLOCKS_PER_SEC units (microseconds), which is what picolibc's clock()
 * adds up: user time = the time since the process started, no system or
 * children's time. Returns the time since boot in the same unit. */
clock_t times(struct tms *buf)
{
	uint64_t now = rv_clock_ns();

	if (buf) {
		buf->tms_utime = (clock_t)((now - process_start_ns) / (NS_PER_SEC / CLOCKS_PER_SEC));
		buf->tms_stime = 0;
		buf->tms_cutime = 0;
		buf->tms_cstime = 0;
	}
	return (clock_t)(now / (NS_PER_SEC / CLOCKS_PER_SEC));
}

/*
 * Sleep until the kernel's clock reads at least `deadline`. The kernel's
 * sleep rounds down to whole timer ticks, so one call may wake up to a tick
 * early: sleep again for what is left.
 */
static void sleep_until_ns(uint64_t deadline)
{
	uint64_t now = rv_clock_ns();

	while (now < deadline) {
		rv_sleep_ns(deadline - now);
		now = rv_clock_ns();
	}
}

static void sleep_ns(uint64_t ns)
{
	uint64_t now = rv_clock_ns();

	sleep_until_ns(ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	uint64_t ns;

	(void)rem; /* never interrupted: nothing remains */
	if (timespec_to_ns(req, &ns) < 0) {
		errno = EINVAL;
		return -1;
	}
	sleep_ns(ns);
	return 0;
}

/* Returns the error number itself, as POSIX wants (not -1 and errno). */
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem)
{
	uint64_t ns;

	(void)rem;
	if (is_cpu_clock(id))
		return ENOTSUP;
	if (!is_wall_clock(id) || (flags & ~TIMER_ABSTIME) || timespec_to_ns(req, &ns) < 0)
		return EINVAL;
	if ((flags & TIMER_ABSTIME) && is_realtime_clock(id)) {
		/* Until the wall clock reads ns: as long as that is from now
		 * (nothing sets the clock meanwhile). */
		uint64_t now = realtime_ns();

		sleep_ns(ns > now ? ns - now : 0);
	} else if (flags & TIMER_ABSTIME) {
		sleep_until_ns(ns);
	} else {
		sleep_ns(ns);
	}
	return 0;
}

int usleep(useconds_t us)
{
	sleep_ns((uint64_t)us * NS_PER_US);
	return 0;
}

unsigned int sleep(unsigned int seconds)
{
	sleep_ns((uint64_t)seconds * NS_PER_SEC);
	return 0;
}
