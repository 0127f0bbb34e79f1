/* SPDX-License-Identifier: MIT */
/* clock: measures the overhead and resolution of both timers and calibrates TSC ticks per nanosecond. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syslab/clock.h"

#if CLOCK_HAVE_TSC
#include <cpuid.h>
#endif

#define OVERHEAD_REPS  50        /* timed batches; their median is the overhead */
#define OVERHEAD_CALLS 1000      /* back-to-back reads per batch */
#define RES_TRIES      1000      /* successive-read differences looked at for the resolution */
#define RES_BUDGET_NS  50000000u /* stop looking after 50 ms (a coarse clock ticks every few ms) */
#define RES_SPIN_MAX   10000000L /* reads waiting for one tick before giving up */
#define PAIR_TRIES     16        /* bracketed TSC reads per calibration point; the tightest wins */

/* Sums of the timed reads go here so the compiler cannot drop the reads. */
static volatile uint64_t clock_sink;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t read_mono(void)
{
	return clock_now_ns();
}

static uint64_t read_tsc(void)
{
	return clock_tsc_read(NULL);
}

/*
 * The median cost of one read, in the reader's own units. A batch is timed from the first
 * bracketing read to the second: that spans the OVERHEAD_CALLS reads inside plus about one more
 * (the tail of the first bracket and the head of the second), hence the + 1.
 */
static double overhead(uint64_t (*read)(void))
{
	double per[OVERHEAD_REPS];

	for (int r = 0; r < OVERHEAD_REPS; r++) {
		uint64_t acc = 0, t0, t1;
		t0 = read();
		for (int i = 0; i < OVERHEAD_CALLS; i++)
			acc += read();
		t1 = read();
		clock_sink = acc;
		per[r] = (double)(t1 - t0) / (OVERHEAD_CALLS + 1);
	}
	return median(per, OVERHEAD_REPS);
}

/*
 * The smallest non-zero difference of two successive reads, in the reader's units. For a fine
 * clock this is really the cost of a read (successive reads always differ); for a coarse one it
 * is the tick. Returns 0 when the clock never moved.
 */
static double resolution(uint64_t (*read)(void))
{
	uint64_t best = UINT64_MAX, start = clock_now_ns();

	for (int i = 0; i < RES_TRIES; i++) {
		uint64_t a = read(), b;
		long spins = 0;
		do
			b = read();
		while (b == a && ++spins < RES_SPIN_MAX);
		if (b > a && b - a < best)
			best = b - a;
		if (i >= 10 && clock_now_ns() - start > RES_BUDGET_NS)
			break;
	}
	return best == UINT64_MAX ? 0.0 : (double)best;
}

#if CLOCK_HAVE_TSC
/* Whether the CPU has rdtscp (CPUID 0x80000001 EDX bit 27); executing it otherwise is SIGILL. */
static bool have_rdtscp(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000001, &a, &b, &c, &d))
		return false;
	return d & (1u << 27);
}
#else
static bool have_rdtscp(void)
{
	return false;
}
#endif

/* One calibration point: a TSC read and the monotonic time at the middle of its bracket. */
struct tsc_pair {
	uint64_t ns, tsc, width;
};

/* The tightest of PAIR_TRIES brackets (monotonic read, TSC read, monotonic read). */
static struct tsc_pair tsc_pair_take(void)
{
	struct tsc_pair best = {0, 0, UINT64_MAX};

	for (int i = 0; i < PAIR_TRIES; i++) {
		uint64_t m0 = clock_now_ns();
		uint64_t t = clock_tsc_read(NULL);
		uint64_t m1 = clock_now_ns();
		if (m1 - m0 < best.width) {
			best.ns = m0 + (m1 - m0) / 2;
			best.tsc = t;
			best.width = m1 - m0;
		}
	}
	return best;
}

/*
 * Ticks per nanosecond over a busy window of calib_ms, or 0 when the result makes no sense.
 *
 * Error: each point's monotonic time is known to within half its bracket (the TSC was read
 * somewhere between m0 and m1), so the window is known to within (w0 + w1) / 2 and the relative
 * error of the ratio is at most (w0 + w1) / (2 * window). Brackets here are a few tens of ns,
 * so 100 ms gives well under 1 ppm; 1 ms still gives under 100 ppm. The ratio is against
 * CLOCK_MONOTONIC, which NTP slews (adjtimex allows up to 500 ppm, typically < 50 ppm): that is
 * deliberate, since TSC times are compared with clock_now_ns() times. Migrating between reads
 * does not matter while the kernel trusts the TSC as synchronized across CPUs.
 */
static double tsc_calibrate(unsigned calib_ms)
{
	uint64_t window = (uint64_t)(calib_ms ? calib_ms : 1) * 1000000u;
	struct tsc_pair p0, p1;

	p0 = tsc_pair_take();
	while (clock_now_ns() - p0.ns < window)
		;
	p1 = tsc_pair_take();
	if (p1.tsc <= p0.tsc || p1.ns <= p0.ns)
		return 0.0;
	return (double)(p1.tsc - p0.tsc) / (double)(p1.ns - p0.ns);
}

int clock_calibrate(struct clock_info *ci, bool tsc_invariant, unsigned calib_ms)
{
	double ghz;

	memset(ci, 0, sizeof(*ci));
	ci->source = "clock_gettime";
	ci->mono_overhead_ns = overhead(read_mono);
	ci->mono_resolution_ns = resolution(read_mono);
	if (!CLOCK_HAVE_TSC || !tsc_invariant || !have_rdtscp())
		return 0;
	ghz = tsc_calibrate(calib_ms);
	if (!(ghz > 0.0))
		return 0;
	ci->tsc_usable = true;
	ci->tsc_ghz = ghz;
	ci->tsc_overhead_ns = overhead(read_tsc) / ghz;
	ci->tsc_resolution_ns = resolution(read_tsc) / ghz;
	ci->source = "rdtscp";
	return 0;
}
