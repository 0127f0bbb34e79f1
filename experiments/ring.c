// SPDX-License-Identifier: MIT
/* ring: the lab's lock-free rings against Concurrency Kit's ck_ring, pipe(2) and POSIX mqueue. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <ck_ring.h>

#include <syslab/ring.h>

#include "experiment.h"
#include "xfer.h"

#define RING_CAPACITY 1024 /* every queue of the throughput cases holds this many items */
#define RING_BATCH 32

/* The lab's rings: one state for every variant; the storage lives beside the ring struct. */
struct lab_q {
	alignas(128) struct ring_spsc spsc[2]; /* [1]: the way back, for round trips */
	alignas(128) struct ring_mpmc mpmc;
	void *buf[2];
};

static int lab_open(struct xfer *x, bool mpmc)
{
	struct lab_q *q = aligned_alloc(128, sizeof *q);
	int rc = -ENOMEM;
	if (!q)
		return -ENOMEM;
	memset(q, 0, sizeof *q);
	for (int i = 0; i < (x->rtt ? 2 : 1); i++) {
		size_t size = mpmc ? ring_mpmc_storage_size(x->capacity, sizeof(uint64_t))
				   : ring_spsc_storage_size(x->capacity, sizeof(uint64_t));
		if (!(q->buf[i] = aligned_alloc(128, (size + 127) / 128 * 128)))
			goto fail;
		rc = mpmc ? ring_mpmc_init(&q->mpmc, q->buf[i], x->capacity, sizeof(uint64_t))
			  : ring_spsc_init(&q->spsc[i], x->capacity, sizeof(uint64_t));
		if (rc)
			goto fail;
	}
	x->q = q;
	return 0;
fail:
	free(q->buf[0]);
	free(q->buf[1]);
	free(q);
	return rc;
}

static int spsc_open(struct xfer *x)
{
	return lab_open(x, false);
}

static int mpmc_open(struct xfer *x)
{
	return lab_open(x, true);
}

static void lab_close(struct xfer *x)
{
	struct lab_q *q = x->q;
	free(q->buf[0]);
	free(q->buf[1]);
	free(q);
	x->q = NULL;
}

/* SPSC, one item at a time, spinning (pinned, one thread a CPU: spinning is the point). */
static int spsc_produce(struct xfer *x, int id, uint64_t n)
{
	struct lab_q *q = x->q;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = xfer_item(id, i);
		while (!ring_spsc_push(&q->spsc[0], q->buf[0], &v))
			xfer_pause();
	}
	return 0;
}

static int spsc_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct lab_q *q = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		while (!ring_spsc_pop(&q->spsc[0], q->buf[0], &v))
			xfer_pause();
		s += v;
	}
	*sum = s;
	return 0;
}

static int spsc_ping(struct xfer *x, uint64_t n)
{
	struct lab_q *q = x->q;
	uint64_t v;
	for (uint64_t i = 0; i < n; i++) {
		while (!ring_spsc_push(&q->spsc[0], q->buf[0], &i))
			xfer_pause();
		while (!ring_spsc_pop(&q->spsc[1], q->buf[1], &v))
			xfer_pause();
	}
	return 0;
}

static int spsc_pong(struct xfer *x, uint64_t n)
{
	struct lab_q *q = x->q;
	uint64_t v;
	for (uint64_t i = 0; i < n; i++) {
		while (!ring_spsc_pop(&q->spsc[0], q->buf[0], &v))
			xfer_pause();
		while (!ring_spsc_push(&q->spsc[1], q->buf[1], &v))
			xfer_pause();
	}
	return 0;
}

/* SPSC in batches of up to RING_BATCH: one publication per batch. */
static int batch_produce(struct xfer *x, int id, uint64_t n)
{
	struct lab_q *q = x->q;
	uint64_t items[RING_BATCH];
	for (uint64_t i = 0; i < n;) {
		unsigned k = n - i < RING_BATCH ? (unsigned)(n - i) : RING_BATCH;
		for (unsigned j = 0; j < k; j++)
			items[j] = xfer_item(id, i + j);
		unsigned done = 0;
		while (done < k) {
			unsigned put = ring_spsc_push_batch(&q->spsc[0], q->buf[0], items + done, k - done);
			if (!put)
				xfer_pause();
			done += put;
		}
		i += k;
	}
	return 0;
}

static int batch_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct lab_q *q = x->q;
	uint64_t items[RING_BATCH], s = 0;
	(void)id;
	for (uint64_t i = 0; i < n;) {
		unsigned want = n - i < RING_BATCH ? (unsigned)(n - i) : RING_BATCH;
		unsigned got = ring_spsc_pop_batch(&q->spsc[0], q->buf[0], items, want);
		if (!got)
			xfer_pause();
		for (unsigned j = 0; j < got; j++)
			s += items[j];
		i += got;
	}
	*sum = s;
	return 0;
}

/* MPMC, try operations, spinning: the mode ck_ring's MPMC offers. */
static int mpmc_produce(struct xfer *x, int id, uint64_t n)
{
	struct lab_q *q = x->q;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = xfer_item(id, i);
		while (!ring_mpmc_push_try(&q->mpmc, q->buf[0], &v))
			xfer_pause();
	}
	return 0;
}

static int mpmc_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct lab_q *q = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		while (!ring_mpmc_pop_try(&q->mpmc, q->buf[0], &v))
			xfer_pause();
		s += v;
	}
	*sum = s;
	return 0;
}

/*
 * MPMC, try operations that yield the CPU on failure: with more threads than CPUs, the thread
 * that would make progress (the consumer a full ring waits for) is often queued behind the one
 * spinning, so a failed try gives its CPU away instead of burning the rest of its time slice.
 */
/* Spins a little (the thread it waits for may be running on another CPU), then yields. */
static void backoff(unsigned *tries)
{
	if (++*tries < 64) {
		xfer_pause();
	} else {
		sched_yield();
		*tries = 0;
	}
}

static int yield_produce(struct xfer *x, int id, uint64_t n)
{
	struct lab_q *q = x->q;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = xfer_item(id, i);
		unsigned tries = 0;
		while (!ring_mpmc_push_try(&q->mpmc, q->buf[0], &v))
			backoff(&tries);
	}
	return 0;
}

static int yield_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct lab_q *q = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		unsigned tries = 0;
		while (!ring_mpmc_pop_try(&q->mpmc, q->buf[0], &v))
			backoff(&tries);
		s += v;
	}
	*sum = s;
	return 0;
}

/* MPMC with the blocking waits: spin a little, then sleep on the futex (for oversubscription). */
static int wait_produce(struct xfer *x, int id, uint64_t n)
{
	struct lab_q *q = x->q;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = xfer_item(id, i);
		int rc = ring_mpmc_push_wait(&q->mpmc, q->buf[0], &v, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static int wait_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct lab_q *q = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		int rc = ring_mpmc_pop_wait(&q->mpmc, q->buf[0], &v, NULL);
		if (rc)
			return rc;
		s += v;
	}
	*sum = s;
	return 0;
}

/*
 * A minimal cached-index SPSC ring of 8-byte items, about 30 lines (Erik Rigtorp's design): the
 * reference for what a single-item SPSC ring can do on this machine. Same memory orders as ours.
 */
struct ref_q {
	alignas(128) _Atomic uint64_t head;
	uint64_t cached_tail;
	alignas(128) _Atomic uint64_t tail;
	uint64_t cached_head;
	alignas(128) uint64_t slot[RING_CAPACITY];
};

static int ref_open(struct xfer *x)
{
	struct ref_q *q = aligned_alloc(128, sizeof *q);
	if (!q)
		return -ENOMEM;
	memset(q, 0, sizeof *q);
	x->q = q;
	return 0;
}

static void ref_close(struct xfer *x)
{
	free(x->q);
	x->q = NULL;
}

static int ref_produce(struct xfer *x, int id, uint64_t n)
{
	struct ref_q *q = x->q;
	uint64_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	for (uint64_t i = 0; i < n; i++, head++) {
		while (head - q->cached_tail == RING_CAPACITY) {
			/* acquire: pairs with the consumer's release of tail */
			q->cached_tail = atomic_load_explicit(&q->tail, memory_order_acquire);
			if (head - q->cached_tail == RING_CAPACITY)
				xfer_pause();
		}
		q->slot[head % RING_CAPACITY] = xfer_item(id, i);
		/* release: the slot's value before the index that hands it over */
		atomic_store_explicit(&q->head, head + 1, memory_order_release);
	}
	return 0;
}

static int ref_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct ref_q *q = x->q;
	uint64_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed), s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++, tail++) {
		while (tail == q->cached_head) {
			/* acquire: pairs with the producer's release of head */
			q->cached_head = atomic_load_explicit(&q->head, memory_order_acquire);
			if (tail == q->cached_head)
				xfer_pause();
		}
		s += q->slot[tail % RING_CAPACITY];
		/* release: the slot is read before the producer may reuse it */
		atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	}
	*sum = s;
	return 0;
}

/* Concurrency Kit's ck_ring: pointer-sized slots, so the 8-byte item travels as the pointer. */
struct ck_q {
	struct ck_ring ring[2];
	struct ck_ring_buffer *buf[2];
};

static int ck_open(struct xfer *x)
{
	struct ck_q *q = calloc(1, sizeof *q);
	if (!q)
		return -ENOMEM;
	for (int i = 0; i < (x->rtt ? 2 : 1); i++) {
		/* ck_ring keeps one slot empty: size it one up to hold capacity items, as ours does. */
		q->buf[i] = aligned_alloc(128, sizeof(struct ck_ring_buffer) * x->capacity * 2);
		if (!q->buf[i]) {
			free(q->buf[0]);
			free(q);
			return -ENOMEM;
		}
		ck_ring_init(&q->ring[i], x->capacity * 2);
	}
	x->q = q;
	return 0;
}

static void ck_close(struct xfer *x)
{
	struct ck_q *q = x->q;
	free(q->buf[0]);
	free(q->buf[1]);
	free(q);
	x->q = NULL;
}

static int ck_produce(struct xfer *x, int id, uint64_t n)
{
	struct ck_q *q = x->q;
	for (uint64_t i = 0; i < n; i++)
		while (!ck_ring_enqueue_spsc(&q->ring[0], q->buf[0], (void *)(uintptr_t)xfer_item(id, i)))
			xfer_pause();
	return 0;
}

static int ck_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct ck_q *q = x->q;
	uint64_t s = 0;
	void *v;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		while (!ck_ring_dequeue_spsc(&q->ring[0], q->buf[0], &v))
			xfer_pause();
		s += (uintptr_t)v;
	}
	*sum = s;
	return 0;
}

static int ck_ping(struct xfer *x, uint64_t n)
{
	struct ck_q *q = x->q;
	void *v;
	for (uint64_t i = 0; i < n; i++) {
		while (!ck_ring_enqueue_spsc(&q->ring[0], q->buf[0], (void *)(uintptr_t)i))
			xfer_pause();
		while (!ck_ring_dequeue_spsc(&q->ring[1], q->buf[1], &v))
			xfer_pause();
	}
	return 0;
}

static int ck_pong(struct xfer *x, uint64_t n)
{
	struct ck_q *q = x->q;
	void *v;
	for (uint64_t i = 0; i < n; i++) {
		while (!ck_ring_dequeue_spsc(&q->ring[0], q->buf[0], &v))
			xfer_pause();
		while (!ck_ring_enqueue_spsc(&q->ring[1], q->buf[1], v))
			xfer_pause();
	}
	return 0;
}

static int ck_mpmc_produce(struct xfer *x, int id, uint64_t n)
{
	struct ck_q *q = x->q;
	for (uint64_t i = 0; i < n; i++)
		while (!ck_ring_enqueue_mpmc(&q->ring[0], q->buf[0], (void *)(uintptr_t)xfer_item(id, i)))
			xfer_pause();
	return 0;
}

static int ck_mpmc_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct ck_q *q = x->q;
	uint64_t s = 0;
	void *v;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		while (!ck_ring_dequeue_mpmc(&q->ring[0], q->buf[0], &v))
			xfer_pause();
		s += (uintptr_t)v;
	}
	*sum = s;
	return 0;
}

static const struct xfer_ops spsc_ops = {spsc_open, lab_close, spsc_produce, spsc_consume, spsc_ping, spsc_pong};
static const struct xfer_ops batch_ops = {spsc_open, lab_close, batch_produce, batch_consume, NULL, NULL};
static const struct xfer_ops mpmc_ops = {mpmc_open, lab_close, mpmc_produce, mpmc_consume, NULL, NULL};
static const struct xfer_ops wait_ops = {mpmc_open, lab_close, wait_produce, wait_consume, NULL, NULL};
static const struct xfer_ops ref_ops = {ref_open, ref_close, ref_produce, ref_consume, NULL, NULL};
static const struct xfer_ops yield_ops = {mpmc_open, lab_close, yield_produce, yield_consume, NULL, NULL};
static const struct xfer_ops ck_ops = {ck_open, ck_close, ck_produce, ck_consume, ck_ping, ck_pong};
static const struct xfer_ops ck_mpmc_ops = {ck_open, ck_close, ck_mpmc_produce, ck_mpmc_consume, NULL, NULL};

/* Threads round-robin over the CPUs this run may use, starting with the cross-core pair. */
static int ring_run(struct exp *e)
{
	static struct xfer x[13], rt[4];
	int pair[2];
	if (cpu_pick_pair(e->topo, CPU_PAIR_CORES, &pair[0], &pair[1]) != 0) {
		exp_condition(e, "needs two cores among the CPUs this run may use: nothing measured");
		return 0;
	}
	int over = 2 * e->topo->nallowed; /* producers (and as many consumers): 4x the CPUs in threads */
	if (over > XFER_MAX_THREADS / 2)
		over = XFER_MAX_THREADS / 2;
	int one[2] = {pair[0], pair[1]}, two[4], many[XFER_MAX_THREADS];
	xfer_place(e->topo, pair, two, 2, 2);
	xfer_place(e->topo, pair, many, over, over);
	char label[128];

	exp_condition(e, "producer on CPU %d, consumer on CPU %d (two cores); items are 8 bytes; every queue holds %d items",
		      pair[0], pair[1], RING_CAPACITY);
	exp_condition(e, "every sample checks that each item arrived exactly once (a checksum of all items)");
	exp_condition(e, "throughput samples last at least 10 ms, well above a scheduler time slice, so that "
			 "oversubscribed cases are not measured by their threads' start-up");
	exp_condition(e, "value: wall time of a sample / items moved (ns per item; 1000 / value = Mitems/s)");

	xfer_init(&x[0], "spsc", "SPSC ring, one item at a time", &spsc_ops, 1, 1, false, RING_CAPACITY, one);
	xfer_init(&x[1], "spsc-batch", "SPSC ring, batches of 32", &batch_ops, 1, 1, false, RING_CAPACITY, one);
	xfer_init(&x[2], "ck-spsc", "ck_ring SPSC (Concurrency Kit)", &ck_ops, 1, 1, false, RING_CAPACITY, one);
	xfer_init(&x[3], "mpmc-1p1c", "MPMC ring, try, 1 producer 1 consumer", &mpmc_ops, 1, 1, false, RING_CAPACITY,
		  one);
	xfer_init(&x[4], "ck-mpmc-1p1c", "ck_ring MPMC, 1 producer 1 consumer", &ck_mpmc_ops, 1, 1, false,
		  RING_CAPACITY, one);
	xfer_init(&x[5], "mpmc-wait-1p1c", "MPMC ring, blocking waits, 1P 1C", &wait_ops, 1, 1, false, RING_CAPACITY,
		  one);
	xfer_init(&x[6], "mpmc-wait-2p2c", "MPMC ring, blocking waits, 2P 2C", &wait_ops, 2, 2, false, RING_CAPACITY,
		  two);
	snprintf(label, sizeof label, "MPMC ring, blocking waits, %dP %dC (%d threads on %d CPUs)", over, over, 2 * over,
		 e->topo->nallowed);
	xfer_init(&x[7], "mpmc-wait-oversub", label, &wait_ops, over, over, false, RING_CAPACITY, many);
	snprintf(label, sizeof label, "MPMC ring, try + yield, %dP %dC (%d threads on %d CPUs)", over, over, 2 * over,
		 e->topo->nallowed);
	xfer_init(&x[10], "mpmc-yield-oversub", label, &yield_ops, over, over, false, RING_CAPACITY, many);
	xfer_init(&x[11], "mpmc-yield-2p2c", "MPMC ring, try + yield, 2P 2C", &yield_ops, 2, 2, false, RING_CAPACITY,
		  two);
	xfer_init(&x[12], "ref-spsc", "minimal 30-line cached-index SPSC (reference)", &ref_ops, 1, 1, false,
		  RING_CAPACITY, one);
	xfer_init(&x[8], "pipe", "pipe(2), 8-byte writes and reads", &xfer_pipe_ops, 1, 1, false, RING_CAPACITY, one);
	xfer_init(&x[9], "mqueue", "POSIX mqueue, 8-byte messages", &xfer_mqueue_ops, 1, 1, false, RING_CAPACITY, one);

	const struct bench_case *cases[13];
	for (int i = 0; i < 13; i++)
		cases[i] = &x[i].bc;
	/* All interleaved: between its samples every case's threads sleep on a barrier, so none
	 * disturbs another, and every claim's cases share the same stretch of time. */
	/* Samples far longer than a scheduler time slice (~3 ms): with 8 threads on 2 CPUs, a 2 ms
	 * sample measured mostly the staggered start of its threads (1.47x at 5 ms, 2.2x - 3.4x at
	 * 2 ms, for the same ring). */
	struct bench_budget b = e->budget;
	if (b.sample_ns < 10000000)
		b.sample_ns = 10000000;
	int rc = exp_cases(e, cases, 13, "throughput", &b);
	if (rc)
		return rc;
	if (x[9].capacity != RING_CAPACITY)
		exp_note(e, "the POSIX mqueue held %u messages, not %d: the kernel's msg_max limit (raise it in "
			    "/proc/sys/fs/mqueue/msg_max, or run as root)", x[9].capacity, RING_CAPACITY);

	xfer_init(&rt[0], "rtt/spsc", "round trip, two SPSC rings", &spsc_ops, 1, 1, true, RING_CAPACITY, one);
	xfer_init(&rt[1], "rtt/ck-spsc", "round trip, two ck_ring SPSC", &ck_ops, 1, 1, true, RING_CAPACITY, one);
	xfer_init(&rt[2], "rtt/pipe", "round trip, two pipes", &xfer_pipe_ops, 1, 1, true, RING_CAPACITY, one);
	xfer_init(&rt[3], "rtt/mqueue", "round trip, two POSIX mqueues", &xfer_mqueue_ops, 1, 1, true, RING_CAPACITY,
		  one);
	const struct bench_case *rcases[4] = {&rt[0].bc, &rt[1].bc, &rt[2].bc, &rt[3].bc};
	if ((rc = exp_cases(e, rcases, 4, "round trip", NULL)) != 0)
		return rc;

	struct claim claims[] = {
		{.text = "SPSC single-item throughput is at least 6x ck_ring's SPSC",
		 .a = "ck-spsc",
		 .b = "spsc",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 6,
		 .expect = "appear"},
		{.text = "SPSC in batches of 32 is at least 2x single-item SPSC",
		 .a = "spsc",
		 .b = "spsc-batch",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 2,
		 .expect = "appear"},
		{.text = "MPMC at 1P1C is at least as fast as ck_ring's MPMC",
		 .a = "ck-mpmc-1p1c",
		 .b = "mpmc-1p1c",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 1,
		 .expect = "appear"},
		{.text = "oversubscribed MPMC (more threads than CPUs, yielding when it cannot proceed) keeps at "
			 "least 50% of the 2-thread throughput (no collapse)",
		 .a = "mpmc-yield-oversub",
		 .b = "mpmc-1p1c",
		 .kind = CLAIM_AT_MOST,
		 .threshold = 2,
		 .expect = "appear"},
	};
	exp_claims(e, claims, sizeof claims / sizeof claims[0]);
	exp_note(e, "Ratios of ns per item: 'at least 6x the throughput' is ck-spsc / spsc >= 6.");
	exp_note(e, "ref-spsc is a minimal cached-index ring of 8-byte items: what a single-item SPSC ring can do "
		    "here. Single items cross the cores one cache line per 8 items, each line transfer costing a "
		    "few tens of ns (see c2c): that floor, not the index handling, bounds every single-item ring.");
	exp_note(e, "mpmc-wait-*: the blocking waits (spin, then sleep on a futex). With more threads than CPUs "
		    "the sleeping is most of the cost: every item may need a futex wake. Yielding instead "
		    "(mpmc-yield-*) keeps the threads runnable; blocking is for threads that must not burn a CPU.");
	return 0;
}

const struct experiment exp_ring = {
	.name = "ring",
	.title = "Lock-free rings: SPSC and MPMC against ck_ring, pipe(2) and POSIX mqueue",
	.question = "How many 8-byte items a second can one core hand to another through the lab's "
		    "lock-free rings, compared with Concurrency Kit's ck_ring and the kernel's pipes and "
		    "message queues, and what does a round trip cost?",
	.shows = "SPSC/MPMC ring throughput and round trips vs ck_ring, pipe(2), POSIX mqueue",
	.run = ring_run,
};
