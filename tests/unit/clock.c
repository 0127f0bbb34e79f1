/* SPDX-License-Identifier: MIT */
/* Unit tests of clock: monotonicity, calibration sanity, and TSC time against CLOCK_MONOTONIC. */
#include <stdbool.h>
#include <time.h>

#include "syslab/clock.h"
#include "tap.h"

/* Whether /proc/cpuinfo's first flags line has constant_tsc and nonstop_tsc (as cpu.c decides). */
static bool tsc_invariant(void)
{
	static char line[16384];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) == 0) {
			found = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
			break;
		}
	}
	fclose(f);
	return found;
}

static void test_monotonic(void)
{
	uint64_t prev = clock_now_ns(), backwards = 0;

	for (int i = 0; i < 1000000; i++) {
		uint64_t now = clock_now_ns();
		if (now < prev)
			backwards++;
		prev = now;
	}
	is_int(backwards, 0, "clock_now_ns never goes backwards over 1e6 reads");
	ok(clock_now_ns() > 0, "clock_now_ns is not zero");
}

static void test_without_tsc(void)
{
	struct clock_info ci;

	is_int(clock_calibrate(&ci, false, 10), 0, "calibrate without an invariant TSC");
	ok(!ci.tsc_usable, "TSC not used when not invariant");
	is_str(ci.source, "clock_gettime", "source is clock_gettime");
	ok(ci.tsc_ghz == 0 && ci.tsc_overhead_ns == 0, "no TSC figures");
	is_near(clock_tsc_to_ns(&ci, 12345), 0.0, 0.0, "tsc_to_ns is 0 without a calibration");
}

/* A ~50 ms sleep timed by both clocks; the TSC may migrate CPUs meanwhile, as in real use. */
static void test_tsc_agreement(const struct clock_info *ci)
{
	struct timespec nap = {0, 50 * 1000 * 1000};
	uint64_t m0, m1, t0, t1;
	double mono, tsc;

	m0 = clock_now_ns();
	t0 = clock_tsc_read(NULL);
	nanosleep(&nap, NULL);
	t1 = clock_tsc_read(NULL);
	m1 = clock_now_ns();
	mono = (double)(m1 - m0);
	tsc = clock_tsc_to_ns(ci, t1 - t0);
	diag("50 ms sleep: monotonic %.0f ns, tsc %.0f ns (%+.4f%%)", mono, tsc, 100 * (tsc - mono) / mono);
	is_near(tsc, mono, 0.05 * mono, "TSC time of a 50 ms sleep within 5%% of CLOCK_MONOTONIC");
}

int main(void)
{
	bool inv = tsc_invariant();
	struct clock_info ci;

	test_monotonic();
	test_without_tsc();

	is_int(clock_calibrate(&ci, inv, 100), 0, "calibrate (tsc_invariant %d, 100 ms)", inv);
	diag("source %s; monotonic overhead %.1f ns, resolution %.1f ns", ci.source, ci.mono_overhead_ns,
	     ci.mono_resolution_ns);
	ok(isfinite(ci.mono_overhead_ns) && ci.mono_overhead_ns > 0 && ci.mono_overhead_ns < 1e6,
	   "monotonic overhead is positive, finite and under 1 ms");
	ok(isfinite(ci.mono_resolution_ns) && ci.mono_resolution_ns > 0 && ci.mono_resolution_ns < 1e9,
	   "monotonic resolution is positive, finite and under 1 s");
	ok(ci.source && strcmp(ci.source, ci.tsc_usable ? "rdtscp" : "clock_gettime") == 0,
	   "source matches tsc_usable");

	if (!CLOCK_HAVE_TSC || !inv) {
		diag("no invariant TSC on this machine (%s); TSC checks skipped",
		     CLOCK_HAVE_TSC ? "constant_tsc/nonstop_tsc missing" : "not x86");
		return done_testing();
	}
	if (!ci.tsc_usable) {
		diag("invariant TSC but no rdtscp; TSC checks skipped");
		return done_testing();
	}
	diag("TSC %.6f GHz; overhead %.1f ns, resolution %.1f ns", ci.tsc_ghz, ci.tsc_overhead_ns,
	     ci.tsc_resolution_ns);
	ok(isfinite(ci.tsc_ghz) && ci.tsc_ghz > 0.01 && ci.tsc_ghz < 100, "TSC frequency is plausible");
	ok(isfinite(ci.tsc_overhead_ns) && ci.tsc_overhead_ns > 0 && ci.tsc_overhead_ns < 1e6,
	   "TSC overhead is positive, finite and under 1 ms");
	ok(isfinite(ci.tsc_resolution_ns) && ci.tsc_resolution_ns > 0 && ci.tsc_resolution_ns < 1e9,
	   "TSC resolution is positive and finite");
	test_tsc_agreement(&ci);
	return done_testing();
}
