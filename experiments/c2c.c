// SPDX-License-Identifier: MIT
/* c2c: core-to-core latency, by bouncing one cache line between every ordered pair of CPUs. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/clock.h>
#include <syslab/results.h>

#include "experiment.h"

#define C2C_PARK           (UINT64_MAX - 1) /* even: never a value of the hand-off sequence */
#define C2C_CASES_MAX_CPUS 16               /* above this, pairs go to the matrix only, not one case each */
#define C2C_WARM_TRIPS     64               /* untimed round trips at the start of a sample */

enum c2c_state { C2C_PARKED, C2C_RUN, C2C_STOP };

/*
 * The line that bounces. The initiator on CPU a stores an odd value; the responder on CPU b
 * sees it and stores the next even value; the initiator sees that. One round trip moves the
 * line a->b and back b->a, so one-way latency is half a round trip. Padded to 128 bytes so
 * nothing else (and no adjacent-line prefetch) touches its neighbourhood.
 *
 * Between samples the responder sleeps on a futex (state PARKED) instead of spinning, so the
 * two directions of a pair can be measured interleaved: the responder of the other direction,
 * pinned to this pair's initiator CPU, is asleep while this one is timed.
 */
struct c2c_pair {
	alignas(128) _Atomic uint64_t line;
	/* The reply line of the two-line method (rigtorp's c2clat): the responder answers here, so
	 * each hop also moves a second line. Unused by the one-line method. */
	alignas(128) _Atomic uint64_t reply;
	alignas(128) atomic_int state; /* enum c2c_state; the futex word */
	alignas(128) struct bench_case bc;
	char name[48], label[64];
	int a, b, pin_rc;
	bool two_lines;
	const struct clock_info *per_trip; /* time each round trip on its own with this clock */
	atomic_int ready;
	uint64_t seq; /* the initiator's last even value; only the initiator touches it */
	pthread_t responder;
};

static void c2c_futex_wait(atomic_int *word, int value)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

static void c2c_futex_wake(atomic_int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* The line the responder answers on. */
static _Atomic uint64_t *c2c_answer(struct c2c_pair *p)
{
	return p->two_lines ? &p->reply : &p->line;
}

/* Answers odd values until the initiator parks it. */
static void c2c_serve(struct c2c_pair *p)
{
	_Atomic uint64_t *answer = c2c_answer(p);
	for (;;) {
		uint64_t v;
		/*
		 * No pause instruction in the spin: it would add its own delay (tens of cycles on
		 * recent cores) to the moment the new value is noticed, and that is what we time.
		 * acquire/release on the line keep each side's accesses in the hand-off order; the
		 * latency measured is that of the line moving, which any ordering would pay.
		 */
		while (!((v = atomic_load_explicit(&p->line, memory_order_acquire)) & 1))
			if (v == C2C_PARK)
				return;
		atomic_store_explicit(answer, v + 1, memory_order_release);
		/* With two lines, wait for the next question rather than re-reading our own answer. */
		while (p->two_lines && atomic_load_explicit(&p->line, memory_order_acquire) == v)
			;
	}
}

static void *c2c_responder(void *arg)
{
	struct c2c_pair *p = arg;
	p->pin_rc = cpu_pin_self(p->b);
	/* release: publishes pin_rc to setup(), which acquires ready. */
	atomic_store_explicit(&p->ready, 1, memory_order_release);
	if (p->pin_rc)
		return NULL;
	for (;;) {
		int st;
		/* acquire: pairs with the initiator's release of RUN, after it reset the line. */
		while ((st = atomic_load_explicit(&p->state, memory_order_acquire)) == C2C_PARKED)
			c2c_futex_wait(&p->state, C2C_PARKED);
		if (st == C2C_STOP)
			return NULL;
		c2c_serve(p);
	}
}

static int c2c_setup(void *arg)
{
	struct c2c_pair *p = arg;
	int rc;
	atomic_store_explicit(&p->line, 0, memory_order_relaxed);
	atomic_store_explicit(&p->state, C2C_PARKED, memory_order_relaxed);
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

/* n round trips from seq; returns the new seq. */
static uint64_t c2c_trips(struct c2c_pair *p, uint64_t seq, uint64_t n)
{
	_Atomic uint64_t *answer = c2c_answer(p);
	for (uint64_t i = 0; i < n; i++) {
		atomic_store_explicit(&p->line, seq + 1, memory_order_release);
		while (atomic_load_explicit(answer, memory_order_acquire) != seq + 2)
			;
		seq += 2;
	}
	return seq;
}

/*
 * Round trips timed one by one into the sample's histogram: the tail a batch mean hides (an
 * interrupt, a preempted vCPU). Each value includes one read of the timer (rdtscp where usable).
 */
static uint64_t c2c_trips_timed(struct c2c_pair *p, uint64_t seq, uint64_t n, struct hist *h)
{
	const struct clock_info *ci = p->per_trip;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = ci->tsc_usable ? clock_tsc_read(NULL) : clock_now_ns();
		atomic_store_explicit(&p->line, seq + 1, memory_order_release);
		while (atomic_load_explicit(&p->line, memory_order_acquire) != seq + 2)
			;
		uint64_t t1 = ci->tsc_usable ? clock_tsc_read(NULL) : clock_now_ns();
		if (h)
			hist_record(h, (int64_t)(ci->tsc_usable ? clock_tsc_to_ns(ci, t1 - t0) : (double)(t1 - t0)));
		seq += 2;
	}
	return seq;
}

static int c2c_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct c2c_pair *p = arg;
	/* Wake the responder: the line holds an even value it will not answer, then RUN (release). */
	atomic_store_explicit(&p->line, p->seq, memory_order_relaxed);
	atomic_store_explicit(&p->reply, p->seq, memory_order_relaxed);
	atomic_store_explicit(&p->state, C2C_RUN, memory_order_release);
	c2c_futex_wake(&p->state);
	/* Untimed trips until the responder is awake, spinning, and the line is warm. */
	uint64_t seq = c2c_trips(p, p->seq, C2C_WARM_TRIPS);
	uint64_t t0 = clock_now_ns();
	seq = p->per_trip ? c2c_trips_timed(p, seq, iters, s->op_hist) : c2c_trips(p, seq, iters);
	s->ns = (double)(clock_now_ns() - t0);
	p->seq = seq;
	/* Park it: state first, so that when it sees PARK and looks, it finds PARKED and sleeps. */
	atomic_store_explicit(&p->state, C2C_PARKED, memory_order_relaxed);
	atomic_store_explicit(&p->line, C2C_PARK, memory_order_release);
	return 0;
}

static void c2c_teardown(void *arg)
{
	struct c2c_pair *p = arg;
	atomic_store_explicit(&p->state, C2C_STOP, memory_order_relaxed);
	atomic_store_explicit(&p->line, C2C_PARK, memory_order_release);
	c2c_futex_wake(&p->state);
	pthread_join(p->responder, NULL);
}

/* The timers themselves, measured like any case, so the report shows them beside the latencies. */
static int timer_mono_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	(void)arg;
	uint64_t t0 = clock_now_ns(), sink = 0;
	for (uint64_t i = 0; i < iters; i++)
		sink += clock_now_ns();
	s->ns = (double)(clock_now_ns() - t0);
	return sink == 1 ? -EIO : 0; /* uses sink, so the calls cannot be dropped */
}

static int timer_tsc_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	const struct clock_info *ci = arg;
	if (!ci->tsc_usable)
		return -ENOTSUP;
	uint64_t t0 = clock_now_ns(), sink = 0;
	for (uint64_t i = 0; i < iters; i++)
		sink += clock_tsc_read(NULL);
	s->ns = (double)(clock_now_ns() - t0);
	return sink == 1 ? -EIO : 0;
}

static int run_timers(struct exp *e, int cpu)
{
	struct bench_case mono = {.name = "timer/clock_gettime",
				  .label = "timer: clock_gettime(CLOCK_MONOTONIC)",
				  .cpu = cpu,
				  .cpus = {cpu},
				  .ncpus = 1,
				  .unit = "ns/op",
				  .run = timer_mono_run};
	struct bench_case tsc = {.name = "timer/rdtscp",
				 .label = "timer: rdtscp",
				 .cpu = cpu,
				 .cpus = {cpu},
				 .ncpus = 1,
				 .unit = "ns/op",
				 .run = timer_tsc_run,
				 .arg = (void *)e->clk};
	if (!exp_case(e, &mono, "timer", NULL))
		return -ENOMEM;
	if (!e->clk->tsc_usable)
		exp_case_skip(e, &tsc, "timer", "no invariant TSC with rdtscp on this machine");
	else if (!exp_case(e, &tsc, "timer", NULL))
		return -ENOMEM;
	return 0;
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

/* The pairs that claims compare; they are recorded as cases even when the matrix is too big. */
struct claim_pairs {
	int first[2], smt[2], cores[2], sockets[2];
	bool have_smt, have_sockets;
};

static bool is_pair(const int p[2], int a, int b)
{
	return p[0] == a && p[1] == b;
}

static bool is_claim_pair(const struct claim_pairs *cp, int a, int b)
{
	return is_pair(cp->first, a, b) || is_pair(cp->first, b, a) || is_pair(cp->cores, a, b) ||
	       (cp->have_smt && is_pair(cp->smt, a, b)) || (cp->have_sockets && is_pair(cp->sockets, a, b));
}

static void pair_name(char *buf, size_t len, int a, int b)
{
	snprintf(buf, len, "cpu%d->cpu%d", a, b);
}

/*
 * Direction: a round trip a->b->a is the same two transfers as b->a->b, so on identical cores the
 * direction cannot matter. Two vCPUs are not identical at a given moment (one may share its
 * host core with a busy neighbour, or take more of the guest's interrupts): measured here, the
 * ratio ranged 0.93 - 1.17 between runs with tight CIs. So it is reported, measured, not claimed.
 */
static void note_direction(struct exp *e, const struct claim_pairs *cp)
{
	char first[48], back[48];
	struct stats_ci ci;
	pair_name(first, sizeof first, cp->first[0], cp->first[1]);
	pair_name(back, sizeof back, cp->first[1], cp->first[0]);
	const struct bench_result *a = exp_result(e, first), *b = exp_result(e, back);
	if (!a || !b || a->status != BENCH_OK || b->status != BENCH_OK ||
	    stats_bootstrap_ratio_ci(a->samples, a->n, b->samples, b->n, 0.95, e->budget.resamples, e->seed, &ci))
		return;
	exp_note(e,
		 "direction: %s / %s = %.3f [%.3f, %.3f]. On identical cores the two directions are the same "
		 "two transfers; where this ratio is far from 1 with a tight interval, the two CPUs were not "
		 "alike during the run (on a VM: their host cores' neighbours, interrupts).",
		 first, back, ci.point, ci.lo, ci.hi);
}

static void c2c_claims(struct exp *e, const struct claim_pairs *cp)
{
	char smt[48], cores[48], sockets[48];
	pair_name(cores, sizeof cores, cp->cores[0], cp->cores[1]);
	/* A pair the machine lacks has no CPUs to name: say so rather than print a made-up pair. */
	if (cp->have_smt)
		pair_name(smt, sizeof smt, cp->smt[0], cp->smt[1]);
	else
		snprintf(smt, sizeof smt, "(SMT siblings)");
	if (cp->have_sockets)
		pair_name(sockets, sizeof sockets, cp->sockets[0], cp->sockets[1]);
	else
		snprintf(sockets, sizeof sockets, "(two sockets)");
	struct claim claims[] = {
		/* Each hop of the two-line method moves the question's line and then the answer's: two
		 * coherence transactions where the one-line bounce needs one. */
		{.text = "answering on a second line (c2clat's method) costs at least 1.3x bouncing one line",
		 .a = "method/two-lines",
		 .b = "method/one-line",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 1.3,
		 .expect = "appear"},
		{.text = "SMT siblings, which share a core's caches, hand a line over in at most 0.8x the time "
			 "two cores take",
		 .a = smt,
		 .b = cores,
		 .kind = CLAIM_AT_MOST,
		 .threshold = 0.8,
		 .expect = "appear"},
		{.text = "crossing sockets takes at least 1.2x as long as staying within one",
		 .a = sockets,
		 .b = cores,
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 1.2,
		 .expect = "appear"},
	};
	exp_claim(e, &claims[0]);
	if (cp->have_smt) {
		exp_claim(e, &claims[1]);
	} else {
		claim_not_tested(&claims[1], "no SMT siblings on this machine");
		results_add_claim(e->node, &claims[1]);
	}
	if (cp->have_sockets) {
		exp_claim(e, &claims[2]);
	} else {
		claim_not_tested(&claims[2], "one socket on this machine");
		results_add_claim(e->node, &claims[2]);
	}
}

static void pair_init(struct c2c_pair *p, int a, int b)
{
	memset(p, 0, sizeof *p);
	p->a = a;
	p->b = b;
	pair_name(p->name, sizeof p->name, a, b);
	snprintf(p->label, sizeof p->label, "CPU %d to CPU %d", a, b);
	p->bc = (struct bench_case){.name = p->name,
				    .label = p->label,
				    .cpu = a,
				    .cpus = {a, b},
				    .ncpus = 2,
				    .unit = "ns/op",
				    .ops_per_iter = 2,
				    .setup = c2c_setup,
				    .run = c2c_run,
				    .teardown = c2c_teardown,
				    .arg = p};
}

/*
 * Both directions of the pair of CPUs ids[i] and ids[j] (ids: the n allowed CPUs, which are the
 * matrices' rows and columns), interleaved, so that
 * the host moving a vCPU (on a VM, the "same" two CPUs can sit on one core complex one second
 * and on two the next) lands on both directions alike. Fills the matrices; recorded as cases
 * when per_case or when a claim needs them. 0 or -ENOMEM.
 */
static int measure_pair(struct exp *e, const struct bench_budget *b, const struct claim_pairs *cp,
			bool per_case, struct c2c_pair p[2], const int *ids, int n, int i, int j, double *median,
			double *min)
{
	int idx[2][2] = {{i, j}, {j, i}};
	pair_init(&p[0], ids[i], ids[j]);
	pair_init(&p[1], ids[j], ids[i]);
	const struct bench_case *cases[2] = {&p[0].bc, &p[1].bc};
	bool record = per_case || is_claim_pair(cp, p[0].a, p[0].b) || is_claim_pair(cp, p[1].a, p[1].b);
	struct bench_result local[2];
	const struct bench_result *r[2];

	if (record) {
		if (exp_cases(e, cases, 2, "pairs", b) != 0)
			return -ENOMEM;
		r[0] = exp_result(e, p[0].name);
		r[1] = exp_result(e, p[1].name);
	} else {
		if (bench_run_interleaved(cases, 2, b, e->seed, NULL, NULL, local) != 0)
			return -ENOMEM;
		r[0] = &local[0];
		r[1] = &local[1];
	}
	for (int d = 0; d < 2; d++) {
		if (r[d] && r[d]->status == BENCH_OK) {
			median[idx[d][0] * n + idx[d][1]] = r[d]->summary.median;
			min[idx[d][0] * n + idx[d][1]] = r[d]->summary.min;
		}
	}
	if (!record) {
		bench_result_free(&local[0]);
		bench_result_free(&local[1]);
	}
	return 0;
}

/*
 * The first pair again, by the two-line method of rigtorp's c2clat (the anchor's way of
 * measuring, which is not packaged for Debian), interleaved with the one-line method, so that the
 * report shows how much of a published core-to-core figure is the method.
 */
static int measure_methods(struct exp *e, const struct bench_budget *b, struct c2c_pair p[2], int a, int c)
{
	pair_init(&p[0], a, c);
	pair_init(&p[1], a, c);
	p[1].two_lines = true;
	snprintf(p[0].name, sizeof p[0].name, "method/one-line");
	snprintf(p[0].label, sizeof p[0].label, "CPU %d to CPU %d, one line (this lab)", a, c);
	snprintf(p[1].name, sizeof p[1].name, "method/two-lines");
	snprintf(p[1].label, sizeof p[1].label, "CPU %d to CPU %d, two lines (c2clat's method)", a, c);
	const struct bench_case *cases[2] = {&p[0].bc, &p[1].bc};
	return exp_cases(e, cases, 2, "method", b);
}

/* The first pair once more, every round trip timed on its own: the distribution, tail and all. */
static int measure_trips(struct exp *e, const struct bench_budget *b, struct c2c_pair *p, int a, int c)
{
	pair_init(p, a, c);
	p->per_trip = e->clk;
	snprintf(p->name, sizeof p->name, "trips/cpu%d<->cpu%d", a, c);
	snprintf(p->label, sizeof p->label, "CPU %d to %d and back, each trip timed (%s)", a, c,
		 e->clk->tsc_usable ? "rdtscp" : "clock_gettime");
	p->bc.ops_per_iter = 1;
	p->bc.want_op_hist = true;
	return exp_case(e, &p->bc, "round trips", b) ? 0 : -ENOMEM;
}

/* What timing every trip costs, from this run's own figures: the observer effect, measured. */
static void note_trips(struct exp *e, const char *trips_name)
{
	const struct bench_result *t = exp_result(e, trips_name), *one = exp_result(e, "method/one-line");
	if (!t || t->status != BENCH_OK || !t->op_hist || !one || one->status != BENCH_OK)
		return;
	double single = (double)hist_percentile(t->op_hist, 50), batch = 2 * one->summary.median;
	exp_note(e,
		 "trips/: whole round trips, each timed on its own; the histogram shows the tail that batch "
		 "medians hide (p99.9 %.0f ns, max %.0f ns here). Timing each trip is not free: its median "
		 "round trip is %.0f ns, where the batch figure implies %.0f ns (2 x one-way). The %.0f ns "
		 "between is the observer effect of reading the clock around every trip; read the shape of "
		 "this distribution, not its level.",
		 (double)hist_percentile(t->op_hist, 99.9), (double)t->op_hist->max, single, batch, single - batch);
}

static int c2c_run_all(struct exp *e)
{
	const struct cpu_topology *t = e->topo;
	static int ids[CPU_MAX];
	int n = 0;
	for (int i = 0; i < t->ncpus; i++)
		if (t->cpus[i].allowed)
			ids[n++] = t->cpus[i].id;
	if (n < 2) {
		exp_condition(e, "%s: there is no pair to measure",
			      n < t->ncpus ? "this run may use one CPU only" : "one online CPU");
		return n == 1 ? run_timers(e, ids[0]) : 0;
	}
	bool per_case = n <= C2C_CASES_MAX_CPUS;
	struct claim_pairs cp = {.first = {ids[0], ids[1]}};
	cpu_pick_pair(t, CPU_PAIR_CORES, &cp.cores[0], &cp.cores[1]);
	cp.have_smt = cpu_pick_pair(t, CPU_PAIR_SMT, &cp.smt[0], &cp.smt[1]) == 0;
	cp.have_sockets = cpu_pick_pair(t, CPU_PAIR_SOCKETS, &cp.sockets[0], &cp.sockets[1]) == 0;
	struct bench_budget b = pair_budget(e, n * (n - 1));
	double *median = malloc(sizeof *median * n * n), *min = malloc(sizeof *min * n * n);
	char **labels = calloc(n, sizeof *labels);
	struct c2c_pair *p = aligned_alloc(128, 2 * sizeof *p);
	int rc = -ENOMEM;
	if (!median || !min || !labels || !p)
		goto out;
	for (int i = 0; i < n; i++) {
		labels[i] = malloc(16);
		if (!labels[i])
			goto out;
		snprintf(labels[i], 16, "cpu%d", ids[i]);
	}
	exp_condition(e, "%d CPUs%s, %d ordered pairs; %s", n, n < t->ncpus ? " (those this run may use)" : "",
		      n * (n - 1), t->smt ? "SMT siblings present" : "no SMT siblings");
	exp_condition(e, "per ordered pair: up to %.0f ms, samples of ~%.0f us (many round trips each)",
		      b.max_ns / 1e6, b.sample_ns / 1e3);
	exp_condition(e,
		      "the two directions of a pair are sampled in turn (interleaved); between its samples "
		      "a responder sleeps on a futex instead of spinning");
	for (int i = 0; i < n * n; i++)
		median[i] = min[i] = NAN;
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			rc = measure_pair(e, &b, &cp, per_case, p, ids, n, i, j, median, min);
			if (rc)
				goto out;
		}
	}
	results_add_matrix(e->node, "one_way_median", "One-way latency (median of samples)", "ns", "from CPU",
			   "to CPU", n, n, (const char *const *)labels, (const char *const *)labels, median);
	results_add_matrix(e->node, "one_way_min", "One-way latency (fastest sample)", "ns", "from CPU",
			   "to CPU", n, n, (const char *const *)labels, (const char *const *)labels, min);
	exp_note(e,
		 "Each sample times at least hundreds of round trips between two clock_gettime reads, so "
		 "the timer (its cost is the timer/ cases below; calibrated at start: %.1f ns a call, "
		 "resolution %.1f ns) adds well under 1%% to a one-way figure.",
		 e->clk->mono_overhead_ns, e->clk->mono_resolution_ns);
	if (!per_case)
		exp_note(e,
			 "%d CPUs: pairs are in the matrices only (one case each above %d CPUs would swamp "
			 "the report), but for the pairs the claims compare",
			 n, C2C_CASES_MAX_CPUS);

	if ((rc = measure_methods(e, &b, p, ids[0], ids[1])) != 0)
		goto out;
	c2c_claims(e, &cp);
	note_direction(e, &cp);
	exp_note(e, "method/: the one-line ping-pong bounces a single line (like core-to-core-latency); "
		    "c2clat's method answers on a second line, so each hop also moves that line. Published "
		    "figures made the second way read higher; both are shown here for the same pair.");
	if ((rc = measure_trips(e, &b, p, ids[0], ids[1])) != 0)
		goto out;
	note_trips(e, p->name);
	rc = run_timers(e, ids[0]);
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
