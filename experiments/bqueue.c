// SPDX-License-Identifier: MIT
/* bqueue: the mutex+condvar blocking queue under contention, against pipe(2) and POSIX mqueue. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <syslab/bqueue.h>
#include <syslab/clock.h>
#include <syslab/results.h>

#include "experiment.h"
#include "xfer.h"

#define NLEVELS 3
static const int levels[NLEVELS] = {1, 2, 4}; /* producers, and consumers */
#define NCAPS 3
static const uint32_t caps[NCAPS] = {1, 16, 1024};
#define SHUTDOWN_THREADS 4

/* The queue, and its counters as they stood when the case ended (for wakeups per item). */
struct bq_case {
	struct bq q;
	void *storage;
	struct bq_stats last;
};

static int bqx_open(struct xfer *x)
{
	struct bq_case *b = calloc(1, sizeof *b);
	if (!b || !(b->storage = malloc(bq_storage_size(x->capacity, sizeof(uint64_t))))) {
		free(b);
		return -ENOMEM;
	}
	int rc = bq_init(&b->q, b->storage, x->capacity, sizeof(uint64_t));
	if (rc) {
		free(b->storage);
		free(b);
		return rc;
	}
	x->q = b;
	return 0;
}

static struct bq_stats closed_stats[NLEVELS * NLEVELS * NCAPS];
static int closed_slot(const struct xfer *x);

static void bqx_close(struct xfer *x)
{
	struct bq_case *b = x->q;
	bq_stats_read(&b->q, &closed_stats[closed_slot(x)]);
	bq_destroy(&b->q);
	free(b->storage);
	free(b);
	x->q = NULL;
}

static int bqx_produce(struct xfer *x, int id, uint64_t n)
{
	struct bq_case *b = x->q;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = xfer_item(id, i);
		int rc = bq_push(&b->q, &v);
		if (rc)
			return rc;
	}
	return 0;
}

static int bqx_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct bq_case *b = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		int rc = bq_pop(&b->q, &v);
		if (rc)
			return rc;
		s += v;
	}
	*sum = s;
	return 0;
}

static const struct xfer_ops bq_ops = {bqx_open, bqx_close, bqx_produce, bqx_consume, NULL, NULL};

static struct xfer cases_x[NLEVELS * NLEVELS * (NCAPS + 2)];

/* Cases are laid out [producers][consumers][cap0..cap2, pipe, mqueue]. */
static int case_index(int pi, int ci, int k)
{
	return (pi * NLEVELS + ci) * (NCAPS + 2) + k;
}

static int closed_slot(const struct xfer *x)
{
	int i = (int)(x - cases_x);
	int group = i / (NCAPS + 2), k = i % (NCAPS + 2);
	return k < NCAPS ? group * NCAPS + k : 0;
}

static void matrix(struct exp *e, const char *name, const char *title, const char *unit, const double *v)
{
	static const char *const rows[NLEVELS] = {"1 producer", "2 producers", "4 producers"};
	static const char *const cols[NLEVELS] = {"1 consumer", "2 consumers", "4 consumers"};
	results_add_matrix(e->node, name, title, unit, "producers", "consumers", NLEVELS, NLEVELS, rows, cols, v);
}

static void matrices(struct exp *e)
{
	static const char *const anchors[2] = {"pipe", "mqueue"};
	double v[NLEVELS * NLEVELS];
	char name[64], title[128];
	for (int k = 0; k < NCAPS + 2; k++) {
		for (int pi = 0; pi < NLEVELS; pi++)
			for (int ci = 0; ci < NLEVELS; ci++) {
				const struct bench_result *r = exp_result(e, cases_x[case_index(pi, ci, k)].name);
				v[pi * NLEVELS + ci] = r && r->status == BENCH_OK ? r->summary.median : NAN;
			}
		if (k < NCAPS) {
			snprintf(name, sizeof name, "ns_per_item_cap%u", caps[k]);
			snprintf(title, sizeof title, "bqueue, capacity %u: ns per item", caps[k]);
		} else {
			snprintf(name, sizeof name, "ns_per_item_%s", anchors[k - NCAPS]);
			snprintf(title, sizeof title, "%s: ns per item", anchors[k - NCAPS]);
		}
		matrix(e, name, title, "ns", v);
	}
	for (int k = 0; k < NCAPS; k++) {
		for (int pi = 0; pi < NLEVELS; pi++)
			for (int ci = 0; ci < NLEVELS; ci++) {
				const struct bq_stats *s = &closed_stats[(pi * NLEVELS + ci) * NCAPS + k];
				v[pi * NLEVELS + ci] = s->pops ? (double)s->wakeups / (double)s->pops : NAN;
			}
		snprintf(name, sizeof name, "wakeups_per_item_cap%u", caps[k]);
		snprintf(title, sizeof title, "bqueue, capacity %u: wakeups per item", caps[k]);
		matrix(e, name, title, "wakeups", v);
	}
}

/* Shutdown: SHUTDOWN_THREADS threads blocked in the queue; time from close() to all joined. */
struct shutdown {
	struct bench_case bc;
	bool producers; /* block producers on a full queue, else consumers on an empty one */
	bool pipe;	/* the anchor: readers blocked on a pipe, woken by closing its write end */
	struct bq q;
	uint64_t storage[1];
	int fd[2];
};

static void *blocked_main(void *arg)
{
	struct shutdown *s = arg;
	uint64_t v = 0;
	if (s->pipe) {
		while (read(s->fd[0], &v, sizeof v) > 0)
			;
	} else if (s->producers) {
		while (bq_push(&s->q, &v) == 0)
			;
	} else {
		while (bq_pop(&s->q, &v) == 0)
			;
	}
	return NULL;
}

/* Waits until every thread sleeps in the queue (the kernel's pipe has no such count: a pause). */
static void await_blocked(struct shutdown *s)
{
	if (s->pipe) {
		usleep(2000);
		return;
	}
	for (;;) {
		pthread_mutex_lock(&s->q.lock);
		unsigned n = s->producers ? s->q.waiting_producers : s->q.waiting_consumers;
		pthread_mutex_unlock(&s->q.lock);
		if (n == SHUTDOWN_THREADS)
			return;
		sched_yield();
	}
}

static int shutdown_run(void *arg, uint64_t iters, struct bench_sample *sample)
{
	struct shutdown *s = arg;
	pthread_t t[SHUTDOWN_THREADS];
	int rc = 0, n = 0;
	(void)iters; /* one shutdown a sample: fixed_iters is 1 */
	if (s->pipe && pipe2(s->fd, O_CLOEXEC) != 0)
		return -errno;
	if (!s->pipe && (rc = bq_init(&s->q, s->storage, 1, sizeof(uint64_t))) != 0)
		return rc;
	if (!s->pipe && s->producers) {
		uint64_t v = 0;
		bq_push(&s->q, &v); /* full: the producers will block */
	}
	for (; n < SHUTDOWN_THREADS; n++)
		if (pthread_create(&t[n], NULL, blocked_main, s) != 0)
			break;
	if (n == SHUTDOWN_THREADS)
		await_blocked(s);
	uint64_t t0 = clock_now_ns();
	if (s->pipe)
		close(s->fd[1]);
	else
		bq_close(&s->q);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	sample->ns = (double)(clock_now_ns() - t0);
	if (s->pipe)
		close(s->fd[0]);
	else
		bq_destroy(&s->q);
	return n == SHUTDOWN_THREADS ? 0 : -EAGAIN;
}

static int shutdowns(struct exp *e, const struct bench_budget *b)
{
	static struct shutdown s[3];
	static const char *const names[3] = {"shutdown/consumers", "shutdown/producers", "shutdown/pipe"};
	static const char *const labels[3] = {"close() with 4 consumers blocked on an empty bqueue",
					      "close() with 4 producers blocked on a full bqueue",
					      "close(write end) with 4 readers blocked on a pipe"};
	const struct bench_case *c[3];
	for (int i = 0; i < 3; i++) {
		memset(&s[i], 0, sizeof s[i]);
		s[i].producers = i == 1;
		s[i].pipe = i == 2;
		s[i].bc = (struct bench_case){.name = names[i],
					      .label = labels[i],
					      .cpu = -1,
					      .unit = "ns/op",
					      .ops_per_iter = 1,
					      .fixed_iters = 1,
					      .run = shutdown_run,
					      .arg = &s[i]};
		c[i] = &s[i].bc;
	}
	return exp_cases(e, c, 3, "shutdown", b);
}

static int bqueue_run(struct exp *e)
{
	int pair[2];
	if (cpu_pick_pair(e->topo, CPU_PAIR_CORES, &pair[0], &pair[1]) != 0) {
		exp_condition(e, "needs two cores among the CPUs this run may use: nothing measured");
		return 0;
	}
	/* 45 cases: each gets 40% of the mode's per-case budget, so quick stays within ~30 s. */
	struct bench_budget b = e->budget;
	b.max_ns = b.max_ns * 2 / 5;
	b.warmup_ns = b.warmup_ns / 2;
	exp_condition(e, "1P1C: producer on CPU %d, consumer on CPU %d; more threads go round the CPUs this run may "
			 "use", pair[0], pair[1]);
	exp_condition(e, "items are 8 bytes; every sample checks each item arrived exactly once");
	exp_condition(e, "each producers x consumers group (bqueue at capacities 1, 16, 1024, pipe, mqueue) is "
			 "sampled interleaved");
	exp_condition(e, "value: wall time of a sample / items moved (ns per item)");

	for (int pi = 0; pi < NLEVELS; pi++) {
		for (int ci = 0; ci < NLEVELS; ci++) {
			int np = levels[pi], nc = levels[ci], cpus[XFER_MAX_THREADS];
			const struct bench_case *group[NCAPS + 2];
			char name[64], label[128];
			xfer_place(e->topo, pair, cpus, np, nc);
			for (int k = 0; k < NCAPS + 2; k++) {
				struct xfer *x = &cases_x[case_index(pi, ci, k)];
				if (k < NCAPS) {
					snprintf(name, sizeof name, "bq/%dp%dc/cap%u", np, nc, caps[k]);
					snprintf(label, sizeof label, "bqueue, %dP %dC, capacity %u", np, nc, caps[k]);
					xfer_init(x, name, label, &bq_ops, np, nc, false, caps[k], cpus);
				} else {
					bool pipe = k == NCAPS;
					snprintf(name, sizeof name, "%s/%dp%dc", pipe ? "pipe" : "mqueue", np, nc);
					snprintf(label, sizeof label, "%s, %dP %dC", pipe ? "pipe(2)" : "POSIX mqueue", np,
						 nc);
					xfer_init(x, name, label, pipe ? &xfer_pipe_ops : &xfer_mqueue_ops, np, nc, false,
						  1024, cpus);
				}
				group[k] = &x->bc;
			}
			snprintf(name, sizeof name, "%dp%dc", np, nc);
			int rc = exp_cases(e, group, NCAPS + 2, name, &b);
			if (rc)
				return rc;
		}
	}
	matrices(e);
	int rc = shutdowns(e, &b);
	if (rc)
		return rc;

	struct claim claims[] = {
		{.text = "bqueue 1P1C (capacity 1024, 8-byte items) is at least 3x pipe(2)",
		 .a = "pipe/1p1c",
		 .b = "bq/1p1c/cap1024",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 3,
		 .expect = "appear"},
		{.text = "bqueue 1P1C (capacity 1024, 8-byte items) is at least 3x POSIX mqueue",
		 .a = "mqueue/1p1c",
		 .b = "bq/1p1c/cap1024",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 3,
		 .expect = "appear"},
	};
	exp_claims(e, claims, sizeof claims / sizeof claims[0]);
	const struct xfer *mq = &cases_x[case_index(0, 0, NCAPS + 1)];
	if (mq->capacity != 1024)
		exp_note(e, "the POSIX mqueue held %u messages, not 1024: the kernel's msg_max limit", mq->capacity);
	exp_note(e, "wakeups per item: how often a blocked thread woke per item moved. A mutex+condvar queue "
		    "signals one waiter per item; with capacity 1 every item makes a producer or consumer wait.");
	return 0;
}

const struct experiment exp_bqueue = {
	.name = "bqueue",
	.title = "Bounded blocking queue (mutex + condvars) under contention, against pipe(2) and POSIX mqueue",
	.question = "What does a bounded blocking queue on one mutex and two condition variables cost per item "
		    "as producers, consumers and capacity vary, how often do its threads wake, how fast does "
		    "it shut down, and how does it compare with the kernel's pipes and message queues?",
	.shows = "the producers x consumers x capacity matrix, wakeups per item, shutdown latency, vs pipe and mqueue",
	.run = bqueue_run,
};
