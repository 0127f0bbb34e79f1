// SPDX-License-Identifier: MIT
/* falseshare: two threads increment their own counters; packed vs padded x where they run. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <syslab/clock.h>

#include "experiment.h"

/* Where the second counter sits relative to the first (which is 256-byte aligned). */
static const struct layout {
	const char *name, *label;
	size_t offset;
} layouts[] = {
	{"packed", "packed (same line)", 8},
	{"pad64", "padded to 64 B", 64},
	/* Intel's adjacent-line (spatial) prefetcher fetches lines in 128-byte pairs, so counters
	 * on neighbouring lines can still interfere; 128 keeps them in different pairs. */
	{"pad128", "padded to 128 B", 128},
};

static const struct placement {
	const char *name, *label;
	enum cpu_pair kind;
} placements[] = {
	{"same-cpu", "one CPU", CPU_PAIR_SAME},
	{"cores", "two cores", CPU_PAIR_CORES},
	{"smt", "SMT siblings", CPU_PAIR_SMT},
	{"sockets", "two sockets", CPU_PAIR_SOCKETS},
};

struct fs_case;

struct fs_worker {
	pthread_t thread;
	struct fs_case *fc;
	int cpu, pin_rc;
	_Atomic uint64_t *counter;
	uint64_t t0, t1;
};

struct fs_case {
	struct bench_case bc;
	char name[48], label[96];
	pthread_barrier_t start, done;
	uint64_t iters; /* written by run() before `start`; the barrier publishes it */
	bool stop;
	bool spin_start; /* the workers are on different CPUs: align their starts by spinning */
	atomic_int arrived;
	atomic_int gate; /* 0 wait, 1 go, 2 abort: lets setup() back out before any barrier is used */
	struct fs_worker w[2];
};

static alignas(256) unsigned char region[3 * 256];

static void *fs_worker_main(void *arg)
{
	struct fs_worker *w = arg;
	struct fs_case *fc = w->fc;

	int g;
	/* acquire: pairs with setup()'s release store, which follows the barriers' initialisation. */
	while ((g = atomic_load_explicit(&fc->gate, memory_order_acquire)) == 0)
		sched_yield();
	if (g == 2)
		return NULL;
	w->pin_rc = cpu_pin_self(w->cpu);
	pthread_barrier_wait(&fc->done); /* tells setup() the pin result */
	for (;;) {
		pthread_barrier_wait(&fc->start);
		if (fc->stop)
			break;
		uint64_t n = fc->iters;
		if (fc->spin_start) {
			/* Waking from the barrier skews the two starts by microseconds; without this the
			 * first thread would run uncontended for a while. Both spin until both arrive.
			 * acq_rel: a plain counter of arrivals, ordered only against itself. */
			atomic_fetch_add_explicit(&fc->arrived, 1, memory_order_acq_rel);
			while (atomic_load_explicit(&fc->arrived, memory_order_acquire) < 2)
				;
		}
		w->t0 = clock_now_ns();
		/* The increment is the measured operation: an atomic read-modify-write (lock xadd on
		 * x86). Relaxed: nothing else is published through the counter; what matters is that
		 * each increment needs the line in exclusive state. */
		for (uint64_t i = 0; i < n; i++)
			atomic_fetch_add_explicit(w->counter, 1, memory_order_relaxed);
		w->t1 = clock_now_ns();
		pthread_barrier_wait(&fc->done);
	}
	return NULL;
}

static void fs_stop(struct fs_case *fc, int nstarted)
{
	fc->stop = true;
	pthread_barrier_wait(&fc->start);
	for (int i = 0; i < nstarted; i++)
		pthread_join(fc->w[i].thread, NULL);
	pthread_barrier_destroy(&fc->start);
	pthread_barrier_destroy(&fc->done);
}

static int fs_setup(void *arg)
{
	struct fs_case *fc = arg;
	int rc;

	fc->stop = false;
	/* Three parties: the harness thread (which sleeps in the barrier) and the two workers. */
	pthread_barrier_init(&fc->start, NULL, 3);
	pthread_barrier_init(&fc->done, NULL, 3);
	atomic_store_explicit(&fc->gate, 0, memory_order_relaxed);
	for (int i = 0; i < 2; i++) {
		fc->w[i].fc = fc;
		if ((rc = pthread_create(&fc->w[i].thread, NULL, fs_worker_main, &fc->w[i])) != 0) {
			/* The barriers count three parties: with fewer threads they would block forever,
			 * so the started worker is sent away at the gate, before it reaches one. */
			atomic_store_explicit(&fc->gate, 2, memory_order_release);
			for (int j = 0; j < i; j++)
				pthread_join(fc->w[j].thread, NULL);
			pthread_barrier_destroy(&fc->start);
			pthread_barrier_destroy(&fc->done);
			return -rc;
		}
	}
	atomic_store_explicit(&fc->gate, 1, memory_order_release);
	pthread_barrier_wait(&fc->done);
	for (int i = 0; i < 2; i++) {
		if (fc->w[i].pin_rc) {
			fs_stop(fc, 2);
			return -ENOENT;
		}
	}
	return 0;
}

static int fs_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct fs_case *fc = arg;
	fc->iters = iters;
	atomic_store_explicit(&fc->arrived, 0, memory_order_relaxed); /* published by the barrier */
	pthread_barrier_wait(&fc->start);
	pthread_barrier_wait(&fc->done);
	uint64_t t0 = fc->w[0].t0 < fc->w[1].t0 ? fc->w[0].t0 : fc->w[1].t0;
	uint64_t t1 = fc->w[0].t1 > fc->w[1].t1 ? fc->w[0].t1 : fc->w[1].t1;
	s->ns = (double)(t1 - t0);
	return 0;
}

static void fs_teardown(void *arg)
{
	fs_stop(arg, 2);
}

/* Where a placement is missing: the machine, or the part of it this run may use. */
static const char *where_absent(const struct exp *e)
{
	return e->topo->nallowed < e->topo->ncpus ? "among the CPUs this run may use" : "on this machine";
}

/* The three layouts of one placement, measured interleaved so that drift cannot pose as layout. */
static int run_placement(struct exp *e, const struct placement *pl, const int pair[2], bool have)
{
	static struct fs_case fc[3];
	const struct bench_case *cases[3];

	for (size_t l = 0; l < 3; l++) {
		struct fs_case *f = &fc[l];
		memset(f, 0, sizeof *f);
		snprintf(f->name, sizeof f->name, "%s/%s", layouts[l].name, pl->name);
		snprintf(f->label, sizeof f->label, "%s, %s", layouts[l].label, pl->label);
		f->bc = (struct bench_case){.name = f->name,
					    .label = f->label,
					    .cpu = -1,
					    .unit = "ns/op",
					    .ops_per_iter = 1,
					    .setup = fs_setup,
					    .run = fs_run,
					    .teardown = fs_teardown,
					    .arg = f};
		cases[l] = &f->bc;
		if (!have) {
			exp_case_skip(e, &f->bc, pl->name, "no %s %s", pl->label, where_absent(e));
			continue;
		}
		f->bc.ncpus = 2;
		f->bc.cpus[0] = f->w[0].cpu = pair[0];
		f->bc.cpus[1] = f->w[1].cpu = pair[1];
		/* Each layout has its own 256-byte block, so the cases' counters never meet. */
		f->w[0].counter = (_Atomic uint64_t *)(void *)(region + 256 * l);
		f->w[1].counter = (_Atomic uint64_t *)(void *)(region + 256 * l + layouts[l].offset);
		f->spin_start = pair[0] != pair[1];
	}
	return have ? exp_cases(e, cases, 3, pl->name, NULL) : 0;
}

static int falseshare_run(struct exp *e)
{
	int pair[4][2];
	bool have[4];

	for (size_t p = 0; p < 4; p++)
		have[p] = cpu_pick_pair(e->topo, placements[p].kind, &pair[p][0], &pair[p][1]) == 0;
	exp_condition(e, "%d online CPUs (%d of them usable by this run), %d cores, %d package(s); SMT %s",
		      e->topo->ncpus, e->topo->nallowed, e->topo->ncores, e->topo->npackages,
		      e->topo->smt ? "on" : "absent");
	for (size_t p = 0; p < 4; p++) {
		if (have[p])
			exp_condition(e, "%s: CPUs %d and %d", placements[p].label, pair[p][0], pair[p][1]);
		else
			exp_condition(e, "%s: absent %s, so its cases are unsupported", placements[p].label,
				      where_absent(e));
	}
	exp_condition(e, "value: wall time of a sample / increments each thread made (ns per increment)");
	exp_condition(e,
		      "the three layouts of a placement are sampled in turn (interleaved), so that a drift "
		      "of the machine lands on all of them alike");
	for (size_t p = 0; p < 4; p++) {
		int rc = run_placement(e, &placements[p], pair[p], have[p]);
		if (rc)
			return rc;
	}

	struct claim claims[] = {
		{.text = "packed counters on two cores are at least 1.5x slower than counters on separate "
			 "lines",
		 .a = "packed/cores",
		 .b = "pad64/cores",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 1.5,
		 .expect = "appear"},
		{.text = "on one CPU the layout does not matter: packed is within 5% of padded",
		 .a = "packed/same-cpu",
		 .b = "pad64/same-cpu",
		 .kind = CLAIM_EQUIVALENT,
		 .threshold = 0.05,
		 .expect = "vanish"},
		{.text = "packed counters on two sockets are at least 1.5x slower than on separate lines",
		 .a = "packed/sockets",
		 .b = "pad64/sockets",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 1.5,
		 .expect = "appear"},
	};
	exp_claims(e, claims, sizeof claims / sizeof claims[0]);
	exp_note(e, "SMT siblings share the L1 cache, so the line does not travel between them; "
		    "the slowdown there (where the machine has SMT) comes from the core's memory-ordering "
		    "machinery, not from coherence traffic.");
	return 0;
}

const struct experiment exp_falseshare = {
	.name = "falseshare",
	.title = "False sharing: packed vs padded counters x where the threads run",
	.question = "Two threads each increment their own counter with an atomic read-modify-write. When "
		    "the counters share a cache line, does it cost anything, and only when the threads run "
		    "on different cores?",
	.shows = "the 2x2 matrix: packed/padded counters x one CPU/two cores (and SMT, sockets)",
	.run = falseshare_run,
};
