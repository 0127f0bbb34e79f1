// SPDX-License-Identifier: MIT
/* Unit test of bench: the harness's behaviour on synthetic cases whose "timings" are made up. */
#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include <syslab/bench.h>
#include <syslab/cpu.h>

#include "tap.h"

/* A case whose samples report exactly ns_per_iter per iteration, so its statistics are known. */
struct fake {
	double ns_per_iter;
	int setup_rc, run_rc, fail_after;
	int setups, runs, teardowns;
	int want_cpu, wrong_cpu;
	uint64_t last_iters;
	double jitter; /* alternate samples are +-jitter: never converges below the target */
};

static int fake_setup(void *arg)
{
	struct fake *f = arg;
	f->setups++;
	return f->setup_rc;
}

static int fake_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct fake *f = arg;
	f->runs++;
	f->last_iters = iters;
	if (f->want_cpu >= 0 && sched_getcpu() != f->want_cpu)
		f->wrong_cpu++;
	if (f->fail_after && f->runs > f->fail_after)
		return f->run_rc;
	double j = f->jitter * ((f->runs & 1) ? 1 : -1) * (1 + (f->runs % 7));
	s->ns = (double)iters * (f->ns_per_iter + j);
	if (s->op_hist)
		hist_record(s->op_hist, (int64_t)f->ns_per_iter);
	return 0;
}

static void fake_teardown(void *arg)
{
	((struct fake *)arg)->teardowns++;
}

/*
 * A machine that slows down steadily: every sample of any case is 1% slower than the one
 * before. Case b costs twice case a per iteration at any moment. Run one after the other, b's
 * median would land later on the ramp than a's; interleaved, they land together.
 */
static double drift = 1;
static int drift_samples;
static char order[4096];
static size_t norder;

static int drift_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct fake *f = arg;
	drift = 1 + 0.01 * ++drift_samples;
	if (norder < sizeof order - 1)
		order[norder++] = f->ns_per_iter == 10 ? 'a' : 'b';
	s->ns = (double)iters * f->ns_per_iter * drift;
	return 0;
}

static struct bench_case fake_case(struct fake *f)
{
	return (struct bench_case){.name = "fake",
				   .cpu = -1,
				   .setup = fake_setup,
				   .run = fake_run,
				   .teardown = fake_teardown,
				   .arg = f};
}

int main(void)
{
	struct bench_budget b;
	struct bench_result r;
	bench_budget_preset(&b, BENCH_SMOKE);

	/* A perfectly steady case: every sample is 10 ns/op, the CI has zero width. */
	struct fake f = {.ns_per_iter = 10, .want_cpu = -1};
	struct bench_case c = fake_case(&f);
	is_int(bench_run(&c, &b, 1, NULL, NULL, &r), 0, "bench_run returns 0");
	is_int(r.status, BENCH_OK, "a steady case runs");
	ok(r.converged, "it converges (zero-width CI)");
	is_int(r.n, b.min_samples, "and stops at the minimum number of samples");
	is_near(r.summary.median, 10, 1e-12, "median is 10 ns/op");
	is_near(r.ci.lo, 10, 1e-12, "CI lo is 10");
	is_near(r.ci.hi, 10, 1e-12, "CI hi is 10");
	ok(r.iters * 10.0 >= 0.8 * b.sample_ns,
	   "calibration makes a sample last about sample_ns (%llu iters)", (unsigned long long)r.iters);
	ok(r.iters * 10.0 <= 2.5 * b.sample_ns, "... and not much longer");
	is_int(f.setups, 1, "setup once");
	is_int(f.teardowns, 1, "teardown once");
	bench_result_free(&r);

	/* ops_per_iter divides. */
	f = (struct fake){.ns_per_iter = 10, .want_cpu = -1};
	c = fake_case(&f);
	c.ops_per_iter = 2;
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_near(r.summary.median, 5, 1e-12, "ops_per_iter 2 halves the per-op value");
	bench_result_free(&r);

	/* fixed_iters is honoured. */
	f = (struct fake){.ns_per_iter = 10, .want_cpu = -1};
	c = fake_case(&f);
	c.fixed_iters = 37;
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(r.iters, 37, "fixed_iters is used as is");
	is_int(f.last_iters, 37, "... for every sample");
	bench_result_free(&r);

	/* A noisy case never reaches the target: it stops on the time budget, not converged. */
	f = (struct fake){.ns_per_iter = 10, .jitter = 1, .want_cpu = -1};
	c = fake_case(&f);
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(r.status, BENCH_OK, "a noisy case runs");
	ok(!r.converged, "it does not converge");
	ok(r.n >= b.min_samples && r.n <= b.max_samples, "it stops within the sample limits (n=%zu)", r.n);
	ok(r.summary.outliers.high_mild + r.summary.outliers.high_severe + r.summary.outliers.low_mild +
			   r.summary.outliers.low_severe <
		   r.n,
	   "outliers are counted, not all samples");
	bench_result_free(&r);

	/* Setup refusing: unsupported (ENOTSUP) or failed (EIO); teardown not called. */
	f = (struct fake){.ns_per_iter = 10, .setup_rc = -ENOTSUP, .want_cpu = -1};
	c = fake_case(&f);
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(r.status, BENCH_UNSUPPORTED, "setup -ENOTSUP makes the case unsupported");
	ok(strstr(r.reason, "setup") != NULL, "with a reason (%s)", r.reason);
	is_int(f.teardowns, 0, "no teardown after a failed setup");
	is_int(r.n, 0, "no samples");
	bench_result_free(&r);
	f = (struct fake){.ns_per_iter = 10, .setup_rc = -EIO, .want_cpu = -1};
	c = fake_case(&f);
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(r.status, BENCH_FAILED, "setup -EIO makes the case failed");
	bench_result_free(&r);

	/* run() failing midway: failed, teardown still called. */
	f = (struct fake){.ns_per_iter = 10, .run_rc = -EIO, .fail_after = 3, .want_cpu = -1};
	c = fake_case(&f);
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(r.status, BENCH_FAILED, "run() failing makes the case failed");
	ok(strstr(r.reason, "Input/output") != NULL, "the reason says why (%s)", r.reason);
	is_int(f.teardowns, 1, "teardown after a failed run");
	bench_result_free(&r);

	/* Pinning: run() sees the CPU asked for; the caller's affinity comes back afterwards. */
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t before, after;
	sched_getaffinity(0, sizeof before, &before);
	int target = ncpu - 1;
	f = (struct fake){.ns_per_iter = 10, .want_cpu = target};
	c = fake_case(&f);
	c.cpu = target;
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(f.wrong_cpu, 0, "every sample ran on CPU %d", target);
	sched_getaffinity(0, sizeof after, &after);
	ok(CPU_EQUAL(&before, &after), "the caller's affinity is restored");
	bench_result_free(&r);
	f = (struct fake){.ns_per_iter = 10, .want_cpu = -1};
	c = fake_case(&f);
	c.cpu = CPU_MAX - 1;
	bench_run(&c, &b, 1, NULL, NULL, &r);
	is_int(r.status, BENCH_UNSUPPORTED, "a CPU that is not there makes the case unsupported");
	is_int(f.setups, 0, "... before setup runs");
	bench_result_free(&r);

	/* Per-operation histogram: reset after warm-up, so it holds exactly the measured samples. */
	f = (struct fake){.ns_per_iter = 10, .want_cpu = -1};
	c = fake_case(&f);
	c.want_op_hist = true;
	bench_run(&c, &b, 1, NULL, NULL, &r);
	ok(r.op_hist != NULL, "want_op_hist gives a histogram");
	if (r.op_hist)
		is_int(r.op_hist->total, r.n, "holding one value per measured sample, none from warm-up");
	bench_result_free(&r);

	/* Counters: where the kernel gives task-clock, each op is charged some of it. */
	f = (struct fake){.ns_per_iter = 10, .want_cpu = -1};
	c = fake_case(&f);
	bench_run(&c, &b, 1, NULL, NULL, &r);
	if (r.counter_ok[PERF_TASK_CLOCK])
		ok(r.counter_per_op[PERF_TASK_CLOCK] >= 0, "task-clock per op is recorded");
	else
		diag("task-clock unsupported here: %s", perf_reason(r.counter_err[PERF_TASK_CLOCK]));
	ok(!r.counter_ok[PERF_CYCLES] || r.counter_per_op[PERF_CYCLES] >= 0,
	   "cycles are recorded or unsupported");
	bench_result_free(&r);

	/* Interleaved: one sample of each in turn, alternating order; the drift cancels in the ratio. */
	struct fake fa = {.ns_per_iter = 10, .want_cpu = -1}, fb = {.ns_per_iter = 20, .want_cpu = -1};
	struct bench_case ca = {.name = "a", .cpu = -1, .run = drift_run, .arg = &fa, .fixed_iters = 100};
	struct bench_case cb = {.name = "b", .cpu = -1, .run = drift_run, .arg = &fb, .fixed_iters = 100};
	const struct bench_case *pair[2] = {&ca, &cb};
	struct bench_result rr[2];
	struct bench_budget nb = b;
	nb.warmup_ns = 0;
	nb.target_rel_ci = 1e-6; /* never met on a ramp: run to the sample limit */
	is_int(bench_run_interleaved(pair, 2, &nb, 1, NULL, NULL, rr), 0, "bench_run_interleaved returns 0");
	is_int(rr[0].n, rr[1].n, "both cases get the same number of samples (%zu)", rr[0].n);
	order[norder] = 0;
	const char *measured = strstr(order, "abba");
	ok(measured != NULL, "samples alternate a b, b a, ... (%.24s)", measured ? measured : order);
	double lo = 1e9, hi = 0;
	for (size_t i = 0; i < rr[0].n; i++) {
		lo = rr[0].samples[i] < lo ? rr[0].samples[i] : lo;
		hi = rr[0].samples[i] > hi ? rr[0].samples[i] : hi;
	}
	ok(hi / lo > 1.5, "the drift is in the samples (%.1f..%.1f)", lo, hi);
	is_near(rr[1].summary.median / rr[0].summary.median, 2.0, 0.05,
		"but the ratio of medians stays 2 (%.3f)", rr[1].summary.median / rr[0].summary.median);
	bench_result_free(&rr[0]);
	bench_result_free(&rr[1]);

	/* One case of a group failing does not stop the others. */
	fa = (struct fake){.ns_per_iter = 10, .setup_rc = -ENOTSUP, .want_cpu = -1};
	f = (struct fake){.ns_per_iter = 10, .want_cpu = -1};
	struct bench_case bad = fake_case(&fa), good = fake_case(&f);
	const struct bench_case *mixed[2] = {&bad, &good};
	bench_run_interleaved(mixed, 2, &b, 1, NULL, NULL, rr);
	is_int(rr[0].status, BENCH_UNSUPPORTED, "in a group, an unsupported case is marked");
	is_int(rr[1].status, BENCH_OK, "and the other still runs");
	ok(rr[0].samples == NULL && rr[0].n == 0, "the unsupported one keeps no samples");
	bench_result_free(&rr[0]);
	bench_result_free(&rr[1]);

	/* The budget presets are ordered. */
	struct bench_budget q, full;
	bench_budget_preset(&q, BENCH_QUICK);
	bench_budget_preset(&full, BENCH_FULL);
	ok(b.max_ns < q.max_ns && q.max_ns < full.max_ns, "smoke < quick < full budgets");
	is_str(bench_mode_name(BENCH_QUICK), "quick", "mode names");
	return done_testing();
}
