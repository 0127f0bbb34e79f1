// SPDX-License-Identifier: MIT
/* xfer: persistent pinned threads move items through a queue per sample; nothing may be lost. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <syslab/clock.h>
#include <syslab/cpu.h>

#include "xfer.h"

static int xfer_work(struct xfer_thread *t)
{
	struct xfer *x = t->x;
	switch (t->role) {
	case XFER_PRODUCER:
		return x->ops->produce(x, t->id, t->quota);
	case XFER_CONSUMER:
		return x->ops->consume(x, t->id, t->quota, &t->sum);
	case XFER_PING:
		return x->ops->ping(x, t->quota);
	case XFER_PONG:
		return x->ops->pong(x, t->quota);
	}
	return -EINVAL;
}

static void *xfer_thread_main(void *arg)
{
	struct xfer_thread *t = arg;
	struct xfer *x = t->x;
	int g;

	/* acquire: pairs with setup()'s release of the gate, after the barriers were initialised. */
	while ((g = atomic_load_explicit(&x->gate, memory_order_acquire)) == 0)
		sched_yield();
	if (g == 2)
		return NULL;
	t->rc = t->cpu >= 0 ? cpu_pin_self(t->cpu) : 0;
	pthread_barrier_wait(&x->done); /* tells setup() the pin result */
	for (;;) {
		pthread_barrier_wait(&x->start);
		if (x->stop)
			break;
		t->sum = 0;
		t->t0 = clock_now_ns();
		t->rc = xfer_work(t);
		t->t1 = clock_now_ns();
		pthread_barrier_wait(&x->done);
	}
	return NULL;
}

static void xfer_stop_threads(struct xfer *x)
{
	x->stop = true;
	pthread_barrier_wait(&x->start);
	for (int i = 0; i < x->nthreads; i++)
		pthread_join(x->t[i].thread, NULL);
	pthread_barrier_destroy(&x->start);
	pthread_barrier_destroy(&x->done);
}

static int xfer_setup(void *arg)
{
	struct xfer *x = arg;
	int rc = x->ops->open(x);
	if (rc)
		return rc;
	x->stop = false;
	atomic_store_explicit(&x->gate, 0, memory_order_relaxed);
	pthread_barrier_init(&x->start, NULL, (unsigned)x->nthreads + 1);
	pthread_barrier_init(&x->done, NULL, (unsigned)x->nthreads + 1);
	for (int i = 0; i < x->nthreads; i++) {
		if ((rc = pthread_create(&x->t[i].thread, NULL, xfer_thread_main, &x->t[i])) != 0) {
			/* Fewer threads than the barriers count would block them forever: send the
			 * started ones away at the gate, before they reach a barrier. */
			atomic_store_explicit(&x->gate, 2, memory_order_release);
			for (int j = 0; j < i; j++)
				pthread_join(x->t[j].thread, NULL);
			pthread_barrier_destroy(&x->start);
			pthread_barrier_destroy(&x->done);
			x->ops->close(x);
			return -rc;
		}
	}
	atomic_store_explicit(&x->gate, 1, memory_order_release);
	pthread_barrier_wait(&x->done);
	for (int i = 0; i < x->nthreads; i++) {
		if (x->t[i].rc) {
			xfer_stop_threads(x);
			x->ops->close(x);
			return -ENOENT; /* a CPU we may not use: the case is unsupported here */
		}
	}
	return 0;
}

/* Shares n items out among k threads of a role: the first ones take the remainder. */
static uint64_t share(uint64_t n, int k, int id)
{
	return n / (uint64_t)k + ((uint64_t)id < n % (uint64_t)k);
}

/* What the consumers' sums must add up to when every item arrived exactly once. */
static uint64_t expected_sum(const struct xfer *x)
{
	uint64_t sum = 0;
	for (int i = 0; i < x->nthreads; i++) {
		const struct xfer_thread *t = &x->t[i];
		if (t->role != XFER_PRODUCER)
			continue;
		/* sum over seq < q of (id << 40 | seq); wraps mod 2^64 the same way on both sides */
		uint64_t q = t->quota;
		sum += ((uint64_t)t->id << 40) * q + (q % 2 ? q * ((q - 1) / 2) : (q / 2) * (q - 1));
	}
	return sum;
}

static int xfer_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct xfer *x = arg;
	uint64_t t0 = UINT64_MAX, t1 = 0, got = 0;
	for (int i = 0; i < x->nthreads; i++) {
		struct xfer_thread *t = &x->t[i];
		t->quota = x->rtt ? iters : share(iters, t->role == XFER_PRODUCER ? x->np : x->nc, t->id);
	}
	pthread_barrier_wait(&x->start);
	pthread_barrier_wait(&x->done);
	for (int i = 0; i < x->nthreads; i++) {
		const struct xfer_thread *t = &x->t[i];
		if (t->rc)
			return t->rc;
		t0 = t->t0 < t0 ? t->t0 : t0;
		t1 = t->t1 > t1 ? t->t1 : t1;
		got += t->sum;
	}
	/* Every sample proves its own correctness: a queue that lost or duplicated an item fails. */
	if (!x->rtt && got != expected_sum(x))
		return -EIO;
	x->items_seen += iters;
	s->ns = (double)(t1 - t0);
	return 0;
}

static void xfer_teardown(void *arg)
{
	struct xfer *x = arg;
	xfer_stop_threads(x);
	x->ops->close(x);
}

void xfer_place(const struct cpu_topology *t, const int pair[2], int *cpus, int np, int nc)
{
	int ids[CPU_MAX], k = 0;
	ids[k++] = pair[0];
	ids[k++] = pair[1];
	for (int i = 0; i < t->ncpus && k < CPU_MAX; i++)
		if (t->cpus[i].allowed && t->cpus[i].id != pair[0] && t->cpus[i].id != pair[1])
			ids[k++] = t->cpus[i].id;
	for (int i = 0; i < np; i++)
		cpus[i] = ids[i % k];
	for (int i = 0; i < nc; i++)
		cpus[np + i] = ids[(i + 1) % k];
}

void xfer_init(struct xfer *x, const char *name, const char *label, const struct xfer_ops *ops, int np, int nc,
	       bool rtt, uint32_t capacity, const int *cpus)
{
	memset(x, 0, sizeof *x);
	snprintf(x->name, sizeof x->name, "%s", name);
	snprintf(x->label, sizeof x->label, "%s", label);
	x->ops = ops;
	x->rtt = rtt;
	x->np = rtt ? 1 : np;
	x->nc = rtt ? 1 : nc;
	x->capacity = capacity;
	x->nthreads = x->np + x->nc;
	for (int i = 0; i < x->nthreads && i < XFER_MAX_THREADS; i++) {
		struct xfer_thread *t = &x->t[i];
		t->x = x;
		t->cpu = cpus ? cpus[i] : -1;
		if (rtt)
			t->role = i == 0 ? XFER_PING : XFER_PONG, t->id = 0;
		else if (i < x->np)
			t->role = XFER_PRODUCER, t->id = i;
		else
			t->role = XFER_CONSUMER, t->id = i - x->np;
	}
	x->bc = (struct bench_case){.name = x->name,
				    .label = x->label,
				    .cpu = -1,
				    .unit = "ns/op",
				    .ops_per_iter = 1,
				    .setup = xfer_setup,
				    .run = xfer_run,
				    .teardown = xfer_teardown,
				    .arg = x};
	x->bc.ncpus = 0;
	for (int i = 0; i < x->nthreads && x->bc.ncpus < 4; i++)
		if (x->t[i].cpu >= 0)
			x->bc.cpus[x->bc.ncpus++] = x->t[i].cpu;
}
