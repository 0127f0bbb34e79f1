/* SPDX-License-Identifier: MIT */
/* clock: a monotonic nanosecond clock, and rdtscp timing calibrated against it. */
#ifndef SYSLAB_CLOCK_H
#define SYSLAB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds (through the vDSO on Linux). Any thread. */
static inline uint64_t clock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#define CLOCK_HAVE_TSC 1
/*
 * rdtscp waits until every earlier instruction has executed, so the read cannot float above
 * the code being timed; the lfence after it stops later instructions from starting before the
 * read (Intel SDM vol. 2, RDTSCP). *cpu receives IA32_TSC_AUX (the CPU number on Linux).
 */
static inline uint64_t clock_tsc_read(uint32_t *cpu)
{
	uint32_t lo, hi, aux;
	__asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
	if (cpu)
		*cpu = aux;
	return ((uint64_t)hi << 32) | lo;
}
#else
#define CLOCK_HAVE_TSC 0
static inline uint64_t clock_tsc_read(uint32_t *cpu)
{
	if (cpu)
		*cpu = 0;
	return 0;
}
#endif

/* What the lab knows about its timers; filled by clock_calibrate(). */
struct clock_info {
	bool tsc_usable;           /* rdtscp exists and the TSC is invariant (constant + nonstop) */
	double tsc_ghz;            /* ticks per nanosecond, 0 when !tsc_usable */
	double mono_overhead_ns;   /* median cost of one clock_now_ns() call */
	double mono_resolution_ns; /* smallest non-zero difference of two successive reads */
	double tsc_overhead_ns;    /* median cost of one clock_tsc_read(), 0 when !tsc_usable */
	double tsc_resolution_ns;  /* smallest non-zero difference, in ns */
	const char
		*source; /* "rdtscp" when the TSC is usable for per-operation timing, else "clock_gettime" */
};

/*
 * Measures both timers' overhead and resolution, and calibrates the TSC against
 * CLOCK_MONOTONIC over about calib_ms milliseconds when tsc_invariant says it may be used.
 * Returns 0 (the monotonic clock always works). Call from one thread, before timing.
 */
int clock_calibrate(struct clock_info *ci, bool tsc_invariant, unsigned calib_ms);

/* Converts a TSC tick difference to nanoseconds with the calibration in ci. */
static inline double clock_tsc_to_ns(const struct clock_info *ci, uint64_t ticks)
{
	return ci->tsc_ghz > 0 ? (double)ticks / ci->tsc_ghz : 0.0;
}

#endif
