/* SPDX-License-Identifier: MIT */
/* bench: the harness. Pins, warms up, and samples a case until its median is known well enough. */
#ifndef SYSLAB_BENCH_H
#define SYSLAB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <syslab/hist.h>
#include <syslab/perf.h>
#include <syslab/stats.h>

enum bench_mode { BENCH_SMOKE, BENCH_QUICK, BENCH_DEFAULT, BENCH_FULL };

/* How long a case may run and when it has been measured well enough. */
struct bench_budget {
	uint64_t warmup_ns;   /* run (and discard) samples for this long first */
	uint64_t sample_ns;   /* iterations per sample are calibrated so a sample lasts about this */
	uint64_t max_ns;      /* stop measuring after this long, converged or not */
	size_t min_samples;   /* never stop before this many */
	size_t max_samples;   /* never take more */
	double target_rel_ci; /* stop when the 95% CI half-width of the median / median is below this */
	unsigned resamples;   /* bootstrap resamples for the reported CI */
};

/* The budget of a mode: smoke (tests), quick (make run), default (make bench), full. */
void bench_budget_preset(struct bench_budget *b, enum bench_mode mode);
const char *bench_mode_name(enum bench_mode mode);

/* What run() reports for one sample. */
struct bench_sample {
	double ns;            /* elapsed time of the sample's iterations, set by run() */
	struct hist *op_hist; /* per-operation values (ns) when the case wants them, else NULL */
};

/*
 * A case: what to run and where. run() executes iters iterations, measures them itself (so it
 * can leave out thread hand-offs) and stores the elapsed nanoseconds in s->ns; it returns 0 or
 * -errno. setup() runs once before calibration (start and pin workers there); teardown() runs
 * once at the end whenever setup() succeeded, even after run() failed. The harness pins the calling thread to
 * cpu when cpu >= 0 and restores its affinity afterwards.
 */
struct bench_case {
	const char *name;  /* stable id, unique within an experiment: "packed/cores" */
	const char *label; /* what a person reads: "packed, two cores" */
	int cpu;           /* CPU for the calling thread, -1 to leave it */
	int cpus[4];       /* every CPU the case uses, for the record; ncpus of them */
	int ncpus;
	const char *unit;     /* of the per-iteration value: "ns/op" (default) */
	double ops_per_iter;  /* operations an iteration counts as (default 1) */
	uint64_t fixed_iters; /* iterations per sample; 0 calibrates to budget.sample_ns */
	bool want_op_hist;    /* give run() a histogram for per-operation values */
	int (*setup)(void *arg);
	int (*run)(void *arg, uint64_t iters, struct bench_sample *s);
	void (*teardown)(void *arg);
	void *arg;
};

enum bench_status { BENCH_OK, BENCH_UNSUPPORTED, BENCH_FAILED };

struct bench_result {
	enum bench_status status;
	char reason[200]; /* why unsupported or failed */
	uint64_t iters;   /* per sample */
	size_t n;         /* samples kept */
	double *samples;  /* value per operation (ns/op) of each sample, in order; owned here */
	struct stats_summary summary;
	struct stats_ci ci;             /* bootstrap CI of the median */
	bool converged;                 /* stopped because the CI was narrow enough, not by the budget */
	uint64_t warmup_ns, measure_ns; /* time spent */
	struct hist *op_hist;           /* merged per-operation histogram, or NULL; owned here */
	bool counter_ok[PERF_NCOUNTERS];
	double counter_per_op[PERF_NCOUNTERS]; /* mean count per operation over all samples */
	int counter_err[PERF_NCOUNTERS];
};

/* Called after each sample, e.g. to show progress; may be NULL. */
typedef void (*bench_progress_fn)(void *ctx, const struct bench_case *c, size_t n, double rel_ci,
				  double elapsed_frac);

/*
 * Runs c under budget b; seed (with the case's name) seeds the bootstrap of the median's CI.
 * Returns 0 with r filled (r->status says whether the case could run:
 * a setup() that returns -ENOTSUP/-EOPNOTSUPP/-ENOENT makes it BENCH_UNSUPPORTED, other
 * errors BENCH_FAILED, with the reason). Returns -ENOMEM only when the harness itself failed.
 * Free r with bench_result_free(). Call from one thread at a time.
 */
int bench_run(const struct bench_case *c, const struct bench_budget *b, uint64_t seed,
	      bench_progress_fn progress, void *progress_ctx, struct bench_result *r);
void bench_result_free(struct bench_result *r);

/*
 * Runs k cases interleaved, for cases whose ratios matter: sets all of them up (their setups
 * are live at once, so they must not disturb each other: workers that sleep between samples
 * are fine, spinning ones are not), calibrates and warms up each, then takes one sample of every
 * case per round, in alternating order, until every case's CI meets the target at once or the
 * budget (k x max_ns) is spent. A drift of the machine over seconds (frequency, a neighbour on
 * the host, the host moving a vCPU) then lands on every case alike instead of on whichever ran
 * at the wrong moment. r[k]; returns like bench_run.
 */
int bench_run_interleaved(const struct bench_case *const *cases, size_t k, const struct bench_budget *b,
			  uint64_t seed, bench_progress_fn progress, void *progress_ctx,
			  struct bench_result *r);

/* Marks r unsupported (or failed) with a reason, for cases decided before running. */
void bench_result_skip(struct bench_result *r, enum bench_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
