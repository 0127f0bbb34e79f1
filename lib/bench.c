// SPDX-License-Identifier: MIT
/* bench: the harness that pins, calibrates, warms up and samples cases until they are measured. */
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

/* A case in progress: its result, counters, and where its sampling stands. */
struct bench_state {
	const struct bench_case *c;
	struct bench_result *r;
	struct perf_set ps;
	bool perf_open, set_up, active;
	double ops;      /* operations per sample */
	double *scratch; /* max_samples, for the stopping rule and the summary */
	double rel;      /* last relative CI half-width, -1 before the first check */
	size_t next_check;
	double counter_sum[PERF_NCOUNTERS];
	size_t counter_n[PERF_NCOUNTERS];
};

static enum bench_status status_of(int rc)
{
	return (rc == -ENOTSUP || rc == -EOPNOTSUPP || rc == -ENOENT || rc == -EPERM) ? BENCH_UNSUPPORTED
										      : BENCH_FAILED;
}

/* Ends a case that cannot go on; -ENOMEM is the harness's own failure and is returned as such. */
static int state_fail(struct bench_state *st, const char *what, int rc)
{
	st->active = false;
	if (rc == -ENOMEM)
		return rc;
	bench_result_skip(st->r, status_of(rc), "%s: %s", what, strerror(-rc));
	return 0;
}

/* Pins the calling thread where the case wants it. */
static int state_pin(const struct bench_state *st)
{
	return st->c->cpu >= 0 ? cpu_pin_self(st->c->cpu) : 0;
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
static int calibrate(const struct bench_case *c, const struct bench_budget *b, struct hist *h,
		     uint64_t *iters)
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

/* Opens, sets up, calibrates and warms up one case. 0, or -ENOMEM; a case that cannot run is marked so. */
static int state_start(struct bench_state *st, const struct bench_budget *b)
{
	const struct bench_case *c = st->c;
	struct bench_result *r = st->r;
	int rc;

	memset(r, 0, sizeof *r);
	r->status = BENCH_OK;
	st->rel = -1;
	st->next_check = b->min_samples;
	if ((rc = state_pin(st)) != 0) {
		bench_result_skip(r, BENCH_UNSUPPORTED, "cannot pin to CPU %d: %s", c->cpu, strerror(-rc));
		return 0;
	}
	r->samples = malloc(b->max_samples * sizeof *r->samples);
	st->scratch = malloc(b->max_samples * sizeof *st->scratch);
	if (!r->samples || !st->scratch)
		return -ENOMEM;
	if (c->want_op_hist && !(r->op_hist = hist_new(1, 3600ll * 1000000000ll, 3)))
		return -ENOMEM;
	/* Counters first, with inherit, so that the workers setup() starts are counted too. */
	perf_set_open(&st->ps, true);
	st->perf_open = true;
	if (c->setup && (rc = c->setup(c->arg)) != 0)
		return state_fail(st, "setup", rc);
	st->set_up = true;

	uint64_t t0 = clock_now_ns();
	if ((rc = calibrate(c, b, r->op_hist, &r->iters)) != 0)
		return state_fail(st, "run", rc);
	while (clock_now_ns() - t0 < b->warmup_ns) {
		double ns;
		if ((rc = take_sample(c, r->iters, r->op_hist, &ns)) != 0)
			return state_fail(st, "run", rc);
	}
	r->warmup_ns = clock_now_ns() - t0;
	if (r->op_hist)
		hist_reset(r->op_hist);
	st->ops = (double)r->iters * (c->ops_per_iter > 0 ? c->ops_per_iter : 1);
	st->active = true;
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

/* Takes one measured sample of a case, with its counter deltas. Returns 0 or -ENOMEM. */
static int state_sample(struct bench_state *st, const struct bench_budget *b)
{
	struct perf_reading before[PERF_NCOUNTERS], after[PERF_NCOUNTERS];
	struct bench_result *r = st->r;
	double ns;
	int rc;

	if ((rc = state_pin(st)) != 0)
		return state_fail(st, "pin", rc);
	perf_set_read(&st->ps, before);
	rc = take_sample(st->c, r->iters, r->op_hist, &ns);
	perf_set_read(&st->ps, after);
	if (rc)
		return state_fail(st, "run", rc);
	r->samples[r->n++] = ns / st->ops;
	for (int k = 0; k < PERF_NCOUNTERS; k++) {
		double d = perf_supported(&st->ps, k) ? perf_delta(&before[k], &after[k]) : 0.0 / 0.0;
		if (d == d) {
			st->counter_sum[k] += d;
			st->counter_n[k]++;
		}
	}
	if (r->n >= st->next_check) {
		st->rel = rel_half_width(r->samples, r->n, st->scratch);
		/* Check ever more rarely: each check sorts all samples so far. */
		st->next_check = r->n + (r->n / 8 > 4 ? r->n / 8 : 4);
	}
	if (r->n >= b->max_samples)
		st->active = false;
	return 0;
}

/* Summarises a measured case. 0 or -ENOMEM. */
static int state_summarize(struct bench_state *st, const struct bench_budget *b, uint64_t seed)
{
	struct bench_result *r = st->r;
	for (int k = 0; k < PERF_NCOUNTERS; k++) {
		r->counter_ok[k] = perf_supported(&st->ps, k) && st->counter_n[k] > 0;
		r->counter_per_op[k] =
			r->counter_ok[k] ? st->counter_sum[k] / ((double)st->counter_n[k] * st->ops) : 0;
		r->counter_err[k] = st->ps.err[k];
	}
	int rc = stats_summarize(r->samples, r->n, st->scratch, &r->summary);
	if (!rc)
		rc = stats_bootstrap_median_ci(r->samples, r->n, 0.95, b->resamples, seed, &r->ci);
	return rc == -ENOMEM ? rc : 0;
}

static void state_end(struct bench_state *st)
{
	if (st->set_up && st->c->teardown)
		st->c->teardown(st->c->arg);
	if (st->perf_open)
		perf_set_close(&st->ps);
	free(st->scratch);
	st->scratch = NULL;
	if (st->r->status != BENCH_OK) {
		free(st->r->samples);
		st->r->samples = NULL;
		st->r->n = 0;
	}
}

/* FNV-1a, to give every case its own bootstrap stream under one --seed. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Every live case has met the CI target at its last check. */
static bool all_converged(const struct bench_state *st, size_t k, const struct bench_budget *b)
{
	for (size_t i = 0; i < k; i++)
		if (st[i].active && (st[i].rel < 0 || st[i].rel > b->target_rel_ci))
			return false;
	return true;
}

static size_t count_active(const struct bench_state *st, size_t k)
{
	size_t n = 0;
	for (size_t i = 0; i < k; i++)
		n += st[i].active;
	return n;
}

/*
 * The rounds: one sample of every live case per round, in alternating order (A B C, C B A, ...)
 * so that a drift within a round is shared out evenly too. All cases keep sampling until they
 * have all converged, so that their samples cover the same stretch of time.
 */
static int sample_rounds(struct bench_state *st, size_t k, const struct bench_budget *b,
			 bench_progress_fn progress, void *pctx)
{
	uint64_t t0 = clock_now_ns(), budget = b->max_ns * k;
	for (size_t round = 0; count_active(st, k) > 0; round++) {
		for (size_t j = 0; j < k; j++) {
			struct bench_state *s = &st[round % 2 ? k - 1 - j : j];
			if (!s->active)
				continue;
			int rc = state_sample(s, b);
			if (rc)
				return rc;
			if (progress)
				progress(pctx, s->c, s->r->n, s->rel,
					 (double)(clock_now_ns() - t0) / (double)budget);
		}
		uint64_t elapsed = clock_now_ns() - t0;
		bool converged = all_converged(st, k, b);
		if (converged || elapsed >= budget) {
			for (size_t i = 0; i < k; i++) {
				if (st[i].active) {
					st[i].r->converged = converged;
					st[i].active = false;
				}
			}
		}
	}
	uint64_t spent = clock_now_ns() - t0;
	for (size_t i = 0; i < k; i++)
		st[i].r->measure_ns = spent;
	return 0;
}

int bench_run_interleaved(const struct bench_case *const *cases, size_t k, const struct bench_budget *b,
			  uint64_t seed, bench_progress_fn progress, void *progress_ctx,
			  struct bench_result *r)
{
	struct cpu_affinity saved;
	bool have_affinity = cpu_affinity_save(&saved) == 0;
	struct bench_state *st = calloc(k ? k : 1, sizeof *st);
	int rc = 0;

	if (!st)
		return -ENOMEM;
	for (size_t i = 0; i < k; i++) {
		st[i].c = cases[i];
		st[i].r = &r[i];
		memset(&r[i], 0, sizeof r[i]);
	}
	for (size_t i = 0; i < k && !rc; i++)
		rc = state_start(&st[i], b);
	if (!rc)
		rc = sample_rounds(st, k, b, progress, progress_ctx);
	for (size_t i = 0; i < k && !rc; i++)
		if (r[i].status == BENCH_OK)
			rc = state_summarize(&st[i], b, seed ^ name_hash(cases[i]->name));
	/* Teardown in reverse order of setup: a later case may lean on an earlier one's state. */
	for (size_t i = k; i-- > 0;)
		state_end(&st[i]);
	free(st);
	if (have_affinity)
		cpu_affinity_restore(&saved);
	if (rc) {
		for (size_t i = 0; i < k; i++)
			bench_result_free(&r[i]);
		return rc;
	}
	return 0;
}

int bench_run(const struct bench_case *c, const struct bench_budget *b, uint64_t seed,
	      bench_progress_fn progress, void *progress_ctx, struct bench_result *r)
{
	return bench_run_interleaved(&c, 1, b, seed, progress, progress_ctx, r);
}
