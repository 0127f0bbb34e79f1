// SPDX-License-Identifier: MIT
/* bench: the harness that pins, calibrates, warms up and samples a case until it is measured. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/bench.h>
#include <syslab/clock.h>
#include <syslab/cpu.h>

#define MS 1000000ull

void bench_budget_preset(struct bench_budget *b, enum bench_mode mode)
{
	/*
	 * quick keeps `make run` within minutes: ~1 s a case. The relative CI targets are for the
	 * median, whose CI narrows like 1/sqrt(n); a 1% target is met in a few dozen samples by a
	 * quiet case and never by a noisy one, which then stops at max_ns and says so.
	 */
	static const struct bench_budget presets[] = {
		[BENCH_SMOKE] = {5 * MS, 1 * MS, 40 * MS, 5, 200, 0.05, 200},
		[BENCH_QUICK] = {50 * MS, 2 * MS, 1000 * MS, 20, 5000, 0.01, 1000},
		[BENCH_DEFAULT] = {200 * MS, 5 * MS, 4000 * MS, 30, 20000, 0.005, 2000},
		[BENCH_FULL] = {1000 * MS, 10 * MS, 20000 * MS, 50, 100000, 0.002, 5000},
	};
	*b = presets[mode];
}

const char *bench_mode_name(enum bench_mode mode)
{
	static const char *const names[] = {"smoke", "quick", "default", "full"};
	return (unsigned)mode < 4 ? names[mode] : "?";
}

void bench_result_skip(struct bench_result *r, enum bench_status status, const char *fmt, ...)
{
	va_list ap;
	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
}

void bench_result_free(struct bench_result *r)
{
	if (!r)
		return;
	free(r->samples);
	hist_free(r->op_hist);
	r->samples = NULL;
	r->op_hist = NULL;
}

/* One sample; failures of run() are reported with its errno. */
static int take_sample(const struct bench_case *c, uint64_t iters, struct hist *h, double *ns)
{
	struct bench_sample s = {.ns = 0, .op_hist = h};
	int rc = c->run(c->arg, iters, &s);
	if (rc)
		return rc;
	if (!(s.ns >= 0))
		return -ERANGE;
	*ns = s.ns;
	return 0;
}

/*
 * Finds the iteration count whose sample lasts about b->sample_ns: doubling at first, then
 * jumping by the measured ratio (capped at x100 a step so a first sample slowed by a page
 * fault or a migration cannot make the count explode).
 */
static int calibrate(const struct bench_case *c, const struct bench_budget *b, struct hist *h, uint64_t *iters)
{
	uint64_t n = c->fixed_iters ? c->fixed_iters : 1;
	double ns = 0;
	for (int tries = 0; tries < 64; tries++) {
		int rc = take_sample(c, n, h, &ns);
		if (rc)
			return rc;
		if (c->fixed_iters || ns >= (double)b->sample_ns * 0.8 || n >= (1ull << 40))
			break;
		double grow = ns > 0 ? (double)b->sample_ns / ns * 1.05 : 100;
		if (grow > 100)
			grow = 100;
		if (grow < 2 && ns < (double)b->sample_ns / 2)
			grow = 2;
		uint64_t next = (uint64_t)((double)n * grow);
		n = next > n ? next : n + 1;
	}
	*iters = n;
	return 0;
}

static double rel_half_width(const double *samples, size_t n, double *scratch)
{
	struct stats_ci ci;
	memcpy(scratch, samples, n * sizeof *scratch);
	stats_sort(scratch, n);
	stats_median_ci_sorted(scratch, n, 0.95, &ci);
	return ci.point > 0 ? (ci.hi - ci.lo) / 2 / ci.point : 1.0;
}

static void read_counters(const struct perf_set *ps, struct perf_reading r[PERF_NCOUNTERS])
{
	if (ps)
		perf_set_read(ps, r);
}

/* FNV-1a, to give every case its own bootstrap stream under one --seed. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int measure(const struct bench_case *c, const struct bench_budget *b, uint64_t seed, struct perf_set *ps,
		   bench_progress_fn progress, void *pctx, struct bench_result *r)
{
	double ops = (double)r->iters * (c->ops_per_iter > 0 ? c->ops_per_iter : 1);
	double counter_sum[PERF_NCOUNTERS] = {0};
	size_t counter_n[PERF_NCOUNTERS] = {0};
	double *scratch = malloc(b->max_samples * sizeof *scratch);
	size_t next_check = b->min_samples;
	int rc = 0;

	r->samples = malloc(b->max_samples * sizeof *r->samples);
	if (!scratch || !r->samples) {
		rc = -ENOMEM;
		goto out;
	}
	uint64_t t0 = clock_now_ns();
	while (r->n < b->max_samples) {
		struct perf_reading before[PERF_NCOUNTERS], after[PERF_NCOUNTERS];
		double ns;
		read_counters(ps, before);
		rc = take_sample(c, r->iters, r->op_hist, &ns);
		read_counters(ps, after);
		if (rc)
			goto out;
		r->samples[r->n++] = ns / ops;
		for (int k = 0; ps && k < PERF_NCOUNTERS; k++) {
			double d = perf_supported(ps, k) ? perf_delta(&before[k], &after[k]) : 0.0 / 0.0;
			if (d == d) {
				counter_sum[k] += d;
				counter_n[k]++;
			}
		}
		uint64_t elapsed = clock_now_ns() - t0;
		double rel = -1;
		if (r->n >= next_check) {
			rel = rel_half_width(r->samples, r->n, scratch);
			/* Check ever more rarely: each check sorts all samples so far. */
			next_check = r->n + (r->n / 8 > 4 ? r->n / 8 : 4);
			if (rel <= b->target_rel_ci) {
				r->converged = true;
				break;
			}
		}
		if (progress)
			progress(pctx, c, r->n, rel, (double)elapsed / (double)b->max_ns);
		if (elapsed >= b->max_ns && r->n >= 2)
			break;
	}
	r->measure_ns = clock_now_ns() - t0;
	for (int k = 0; k < PERF_NCOUNTERS; k++) {
		r->counter_ok[k] = ps && perf_supported(ps, k) && counter_n[k] > 0;
		r->counter_per_op[k] = r->counter_ok[k] ? counter_sum[k] / ((double)counter_n[k] * ops) : 0;
		r->counter_err[k] = ps ? ps->err[k] : ENOSYS;
	}
	rc = stats_summarize(r->samples, r->n, scratch, &r->summary);
	if (!rc)
		rc = stats_bootstrap_median_ci(r->samples, r->n, 0.95, b->resamples, seed ^ name_hash(c->name), &r->ci);
out:
	free(scratch);
	return rc;
}

static enum bench_status status_of(int rc)
{
	return (rc == -ENOTSUP || rc == -EOPNOTSUPP || rc == -ENOENT || rc == -EPERM) ? BENCH_UNSUPPORTED
										       : BENCH_FAILED;
}

int bench_run(const struct bench_case *c, const struct bench_budget *b, uint64_t seed,
	      bench_progress_fn progress, void *progress_ctx, struct bench_result *r)
{
	struct cpu_affinity saved;
	struct perf_set ps;
	bool have_affinity = false, set_up = false, have_perf = false;
	int rc;

	memset(r, 0, sizeof *r);
	r->status = BENCH_OK;
	if (cpu_affinity_save(&saved) == 0)
		have_affinity = true;
	if (c->cpu >= 0 && (rc = cpu_pin_self(c->cpu)) != 0) {
		bench_result_skip(r, BENCH_UNSUPPORTED, "cannot pin to CPU %d: %s", c->cpu, strerror(-rc));
		goto out;
	}
	if (c->want_op_hist && !(r->op_hist = hist_new(1, 3600ll * 1000000000ll, 3))) {
		rc = -ENOMEM;
		goto out;
	}
	/* Counters first, with inherit, so that the workers setup() starts are counted too. */
	have_perf = true;
	perf_set_open(&ps, true);
	if (c->setup && (rc = c->setup(c->arg)) != 0) {
		bench_result_skip(r, status_of(rc), "setup: %s", strerror(-rc));
		goto out;
	}
	set_up = true;

	uint64_t t0 = clock_now_ns();
	if ((rc = calibrate(c, b, r->op_hist, &r->iters)) != 0)
		goto failed;
	while (clock_now_ns() - t0 < b->warmup_ns) {
		double ns;
		if ((rc = take_sample(c, r->iters, r->op_hist, &ns)) != 0)
			goto failed;
	}
	r->warmup_ns = clock_now_ns() - t0;
	if (r->op_hist)
		hist_reset(r->op_hist);
	if ((rc = measure(c, b, seed, &ps, progress, progress_ctx, r)) != 0)
		goto failed;
	goto out;
failed:
	if (rc == -ENOMEM)
		goto out;
	bench_result_skip(r, status_of(rc), "run: %s", strerror(-rc));
out:
	if (set_up && c->teardown)
		c->teardown(c->arg);
	if (have_perf)
		perf_set_close(&ps);
	if (have_affinity)
		cpu_affinity_restore(&saved);
	if (rc == -ENOMEM) {
		bench_result_free(r);
		return -ENOMEM;
	}
	return 0;
}
