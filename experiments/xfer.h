/* SPDX-License-Identifier: MIT */
/* xfer: producers and consumers moving items through a queue, one sample at a time (ring, bqueue). */
#ifndef SYSLAB_XFER_H
#define SYSLAB_XFER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <syslab/bench.h>

#define XFER_MAX_THREADS 32

struct xfer;

/*
 * A queue under test. Each loop moves n items (or n round trips) and returns 0 or -errno; it
 * runs in its own thread, so the queue's operations inline into the loop: an indirect call per
 * item would blur a 5 ns operation. Items are uint64_t: (producer id << 40) | sequence.
 */
struct xfer_ops {
	int (*open)(struct xfer *x);	/* create the queue(s) of x->capacity */
	void (*close)(struct xfer *x);
	int (*produce)(struct xfer *x, int id, uint64_t n);
	/* pops n items, adding each to *sum (the checksum that proves nothing was lost) */
	int (*consume)(struct xfer *x, int id, uint64_t n, uint64_t *sum);
	int (*ping)(struct xfer *x, uint64_t n); /* round trips: the initiator... */
	int (*pong)(struct xfer *x, uint64_t n); /* ...and the echo */
};

enum xfer_role { XFER_PRODUCER, XFER_CONSUMER, XFER_PING, XFER_PONG };

struct xfer_thread {
	pthread_t thread;
	struct xfer *x;
	enum xfer_role role;
	int id, cpu, rc;
	uint64_t quota, sum, t0, t1;
};

struct xfer {
	struct bench_case bc;
	char name[64], label[128];
	const struct xfer_ops *ops;
	int np, nc;		/* producers, consumers; or 1 + 1 for round trips */
	bool rtt;
	uint32_t capacity;	/* items the queue holds */
	unsigned batch;		/* items per batch operation, for backends that batch */
	void *q;		/* the backend's state, made by ops->open */
	int nthreads;
	struct xfer_thread t[XFER_MAX_THREADS];
	pthread_barrier_t start, done;
	bool stop;
	atomic_int gate;	/* 0 wait, 1 go, 2 abort: setup can back out before any barrier */
	uint64_t items_seen;	/* over all samples, for the record */
};

/*
 * Prepares x as a bench case: np producers and nc consumers (or, with rtt, one pinger and one
 * ponger), pinned to cpus[thread] (-1: not pinned), moving items through ops. The value of a
 * sample is its wall time per item (per round trip with rtt).
 */
void xfer_init(struct xfer *x, const char *name, const char *label, const struct xfer_ops *ops, int np, int nc,
	       bool rtt, uint32_t capacity, const int *cpus);

struct cpu_topology;

/*
 * Places np producers and nc consumers on the CPUs this run may use: producers from pair[0] on,
 * consumers from pair[1] on, round the allowed CPUs, so that producer i and consumer i sit on
 * different CPUs (1P1C is the cross-core pair). cpus[np + nc] receives the CPU of each thread.
 */
void xfer_place(const struct cpu_topology *t, const int pair[2], int *cpus, int np, int nc);

/* A spin-wait hint (pause on x86): spinning on an empty or full queue hammers its lines less. */
static inline void xfer_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* The value a producer puts in its seq-th item. */
static inline uint64_t xfer_item(int id, uint64_t seq)
{
	return ((uint64_t)id << 40) | seq;
}

/* The anchors every queue is measured against (experiments/anchors.c): pipe(2), POSIX mqueue. */
extern const struct xfer_ops xfer_pipe_ops, xfer_mqueue_ops;

/* The anchors every queue is measured against (experiments/anchors.c): pipe(2), POSIX mqueue. */
extern const struct xfer_ops xfer_pipe_ops, xfer_mqueue_ops;

#endif
