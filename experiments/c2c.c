// SPDX-License-Identifier: MIT
/* c2c: core-to-core latency, by bouncing one cache line between every ordered pair of CPUs. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/clock.h>
#include <syslab/results.h>

#include "experiment.h"

#define C2C_STOP UINT64_MAX
#define C2C_CASES_MAX_CPUS 16 /* above this, pairs go to the matrix only, not one case each */

/*
 * The line that bounces. The initiator on CPU a stores an odd value; the responder on CPU b
 * sees it and stores the next even value; the initiator sees that. One round trip moves the
 * line a->b and back b->a, so one-way latency is half a round trip. Padded to 128 bytes so
 * nothing else (and no adjacent-line prefetch) touches its neighbourhood.
 */
struct c2c_pair {
	alignas(128) _Atomic uint64_t line;
	alignas(128) struct bench_case bc;
	char name[48], label[64];
	int a, b, pin_rc;
	atomic_int ready;
	uint64_t seq;		/* the initiator's last even value; only the initiator touches it */
	pthread_t responder;
};

static void *c2c_responder(void *arg)
{
	struct c2c_pair *p = arg;
	p->pin_rc = cpu_pin_self(p->b);
	/* release: publishes pin_rc to setup(), which acquires ready. */
	atomic_store_explicit(&p->ready, 1, memory_order_release);
	if (p->pin_rc)
		return NULL;
	for (uint64_t expect = 1;; expect += 2) {
		uint64_t v;
		/*
		 * No pause instruction in the spin: it would add its own delay (tens of cycles on
		 * recent cores) to the moment the new value is noticed, and that is what we time.
		 * acquire/release on the line keep each side's accesses in the hand-off order; the
		 * latency measured is that of the line moving, which any ordering would pay.
		 */
		while ((v = atomic_load_explicit(&p->line, memory_order_acquire)) != expect)
			if (v == C2C_STOP)
				return NULL;
		atomic_store_explicit(&p->line, expect + 1, memory_order_release);
	}
}

static int c2c_setup(void *arg)
{
	struct c2c_pair *p = arg;
	int rc;
	atomic_store_explicit(&p->line, 0, memory_order_relaxed);
	atomic_store_explicit(&p->ready, 0, memory_order_relaxed);
	p->seq = 0;
	if ((rc = pthread_create(&p->responder, NULL, c2c_responder, p)) != 0)
		return -rc;
	while (!atomic_load_explicit(&p->ready, memory_order_acquire))
		sched_yield();
	if (p->pin_rc) {
		pthread_join(p->responder, NULL);
		return -ENOENT;
	}
	return 0;
}

static int c2c_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct c2c_pair *p = arg;
	uint64_t seq = p->seq, t0 = clock_now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		atomic_store_explicit(&p->line, seq + 1, memory_order_release);
		while (atomic_load_explicit(&p->line, memory_order_acquire) != seq + 2)
			;
		seq += 2;
	}
	s->ns = (double)(clock_now_ns() - t0);
	p->seq = seq;
	return 0;
}

static void c2c_teardown(void *arg)
{
	struct c2c_pair *p = arg;
	atomic_store_explicit(&p->line, C2C_STOP, memory_order_release);
	pthread_join(p->responder, NULL);
}

/*
 * The budget of one pair: the mode's per-case budget, shared out so that the whole matrix of
 * n(n-1) pairs stays within the mode's total (a 64-CPU machine has 4032 pairs).
 */
static struct bench_budget pair_budget(const struct exp *e, int npairs)
{
	static const double total_s[] = {0.3, 8, 60, 600};
	struct bench_budget b = e->budget;
	uint64_t share = (uint64_t)(total_s[e->mode] * 1e9 / npairs);
	if (share < b.max_ns)
		b.max_ns = share;
	if (b.warmup_ns > b.max_ns / 5)
		b.warmup_ns = b.max_ns / 5;
	if (b.sample_ns > b.max_ns / 40)
		b.sample_ns = b.max_ns / 40;
	if (b.sample_ns < 20000)
		b.sample_ns = 20000; /* 20 us: ~100 round trips, so the timer's cost is under 1% */
	if (b.min_samples > 10)
		b.min_samples = 10;
	return b;
}

static int c2c_run_all(struct exp *e)
{
	const struct cpu_topology *t = e->topo;
	int n = t->ncpus;
	if (n < 2) {
		exp_condition(e, "one online CPU: there is no pair to measure");
		return 0;
	}
	bool per_case = n <= C2C_CASES_MAX_CPUS;
	struct bench_budget b = pair_budget(e, n * (n - 1));
	double *median = malloc(sizeof *median * n * n), *min = malloc(sizeof *min * n * n);
	char **labels = calloc(n, sizeof *labels);
	struct c2c_pair *p = aligned_alloc(128, sizeof *p);
	int rc = -ENOMEM;
	if (!median || !min || !labels || !p)
		goto out;
	for (int i = 0; i < n; i++) {
		labels[i] = malloc(16);
		if (!labels[i])
			goto out;
		snprintf(labels[i], 16, "cpu%d", t->cpus[i].id);
	}
	exp_condition(e, "%d CPUs, %d ordered pairs; %s", n, n * (n - 1),
		      t->smt ? "SMT siblings present" : "no SMT siblings");
	exp_condition(e, "per pair: up to %.0f ms, samples of ~%.0f us (many round trips each)", b.max_ns / 1e6,
		      b.sample_ns / 1e3);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			median[i * n + j] = min[i * n + j] = NAN;
			if (i == j)
				continue;
			memset(p, 0, sizeof *p);
			p->a = t->cpus[i].id;
			p->b = t->cpus[j].id;
			snprintf(p->name, sizeof p->name, "cpu%d->cpu%d", p->a, p->b);
			snprintf(p->label, sizeof p->label, "CPU %d to CPU %d", p->a, p->b);
			p->bc = (struct bench_case){.name = p->name, .label = p->label, .cpu = p->a,
						    .cpus = {p->a, p->b}, .ncpus = 2, .unit = "ns/op",
						    .ops_per_iter = 2, .setup = c2c_setup, .run = c2c_run,
						    .teardown = c2c_teardown, .arg = p};
			struct bench_result local;
			const struct bench_result *r;
			if (per_case) {
				r = exp_case(e, &p->bc, "pairs", &b);
			} else {
				r = bench_run(&p->bc, &b, e->seed, NULL, NULL, &local) == 0 ? &local : NULL;
			}
			if (!r)
				goto out;
			if (r->status == BENCH_OK) {
				median[i * n + j] = r->summary.median;
				min[i * n + j] = r->summary.min;
			}
			if (!per_case)
				bench_result_free(&local);
		}
	}
	results_add_matrix(e->node, "one_way_median", "One-way latency (median of samples)", "ns", "from CPU",
			   "to CPU", n, n, (const char *const *)labels, (const char *const *)labels, median);
	results_add_matrix(e->node, "one_way_min", "One-way latency (fastest sample)", "ns", "from CPU",
			   "to CPU", n, n, (const char *const *)labels, (const char *const *)labels, min);
	exp_note(e, "timer: %s; clock_gettime costs %.1f ns a call. Each sample times %s round trips "
		    "between two reads, so the timer adds well under 1%% to a one-way figure.",
		 e->clk->source, e->clk->mono_overhead_ns, "hundreds of");
	if (!per_case)
		exp_note(e, "%d CPUs: pairs are in the matrices only (one case each above %d CPUs would swamp "
			    "the report)", n, C2C_CASES_MAX_CPUS);

	/* A round trip a->b->a is the same two transfers as b->a->b: direction must not matter. */
	char a[48], bb[48];
	snprintf(a, sizeof a, "cpu%d->cpu%d", t->cpus[0].id, t->cpus[1].id);
	snprintf(bb, sizeof bb, "cpu%d->cpu%d", t->cpus[1].id, t->cpus[0].id);
	struct claim sym = {.text = "direction does not matter: the first pair's latency is the same both ways "
				    "(within 10%)",
			    .a = a, .b = bb, .kind = CLAIM_EQUIVALENT, .threshold = 0.10, .expect = "vanish"};
	if (per_case)
		exp_claim(e, &sym);
	rc = 0;
out:
	for (int i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
	free(median);
	free(min);
	free(p);
	return rc;
}

const struct experiment exp_c2c = {
	.name = "c2c",
	.title = "Core-to-core latency: one cache line bounced between every pair of CPUs",
	.question = "How long does it take for a write on one CPU to be seen by another? Measured as half "
		    "the round trip of a cache line handed back and forth, for every ordered pair.",
	.shows = "the core-to-core one-way latency matrix (heat map), with the timer's overhead",
	.run = c2c_run_all,
};
