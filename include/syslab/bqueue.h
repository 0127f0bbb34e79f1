/* SPDX-License-Identifier: MIT */
/* bqueue: a bounded blocking FIFO of fixed-size elements on one mutex and two condition variables. */
#ifndef SYSLAB_BQUEUE_H
#define SYSLAB_BQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * What the queue has done since bq_init(), counted under its lock. A "wait" is one call of
 * pthread_cond_(timed)wait; a "wakeup" is one return from it, whatever the reason; a spurious
 * wakeup is a return that found the operation still unable to proceed and the queue neither
 * closed nor aborted, and not a timeout: a POSIX spurious wakeup, or an item (or a free slot)
 * taken by another thread between the signal and the waiter getting the lock back.
 */
struct bq_stats {
	uint64_t pushes;           /* successful pushes (elements that entered the queue) */
	uint64_t pops;             /* successful pops */
	uint64_t producer_waits;   /* waits on not_full */
	uint64_t consumer_waits;   /* waits on not_empty */
	uint64_t wakeups;          /* returns from a wait, timeouts included */
	uint64_t spurious_wakeups; /* returns that found nothing to do (see above) */
	uint64_t signals;          /* pthread_cond_signal calls: at most one per push or pop */
	uint64_t broadcasts;       /* pthread_cond_broadcast calls: only from bq_close and bq_abort */
	uint64_t timeouts;         /* timed waits that returned ETIMEDOUT */
};

/*
 * The queue. Every field is guarded by lock; read them through the functions below. The
 * elements live in the caller's storage, a ring of capacity slots of elem_size bytes starting
 * at slot head, count of them in use.
 */
struct bq {
	pthread_mutex_t lock;
	pthread_cond_t not_empty; /* consumers wait here for count > 0 */
	pthread_cond_t not_full;  /* producers wait here for count < capacity */
	unsigned char *slots;     /* caller's storage, bq_storage_size() bytes; not owned */
	size_t capacity, elem_size, head, count;
	bool closed;                                   /* no more pushes; pops drain, then fail */
	bool aborted;                                  /* contents discarded; everything fails */
	unsigned waiting_producers, waiting_consumers; /* threads inside a wait right now */
	struct bq_stats stats;
};

/* Bytes of storage for capacity elements of elem_size: 0 when either is 0 or the product overflows. */
size_t bq_storage_size(size_t capacity, size_t elem_size);

/*
 * Makes q an empty open queue over storage (bq_storage_size(capacity, elem_size) bytes, any
 * alignment: elements are copied with memcpy). The caller owns q and storage and keeps both
 * alive until bq_destroy(). Both condition variables time out against CLOCK_MONOTONIC.
 * Returns 0, -EINVAL (NULL storage, capacity or elem_size 0, size overflow), or -ENOMEM/-EAGAIN
 * when pthreads could not initialise the mutex or a condition variable. One thread, before
 * any other use.
 */
int bq_init(struct bq *q, void *storage, size_t capacity, size_t elem_size);

/*
 * Releases the mutex and condition variables; the storage stays the caller's. Call once every
 * thread is done with q (joined): a pusher may still be signalling after its element was popped.
 */
void bq_destroy(struct bq *q);

/*
 * The operations copy elem_size bytes into or out of the queue and may be called by any number
 * of threads at once. They are not cancellation points that clean up after themselves: do not
 * cancel a thread inside one (the mutex would stay locked).
 *
 * bq_push blocks while the queue is full; returns 0, or -EPIPE once the queue is closed or
 * aborted (also when it was closed while the caller waited: the element is then not queued).
 * bq_pop blocks while the queue is empty; returns 0, or -EPIPE when the queue is closed and
 * drained, or aborted.
 */
int bq_push(struct bq *q, const void *elem);
int bq_pop(struct bq *q, void *elem);

/* As above without blocking: -EAGAIN when full (push) or empty and still open (pop). */
int bq_push_try(struct bq *q, const void *elem);
int bq_pop_try(struct bq *q, void *elem);

/*
 * As bq_push/bq_pop, but give up at deadline, an absolute CLOCK_MONOTONIC time (clock_gettime
 * plus a timeout), with -ETIMEDOUT. A deadline already past still succeeds when the operation
 * can proceed at once. NULL waits without limit; a tv_nsec outside [0, 1e9) is -EINVAL.
 */
int bq_push_timed(struct bq *q, const void *elem, const struct timespec *deadline);
int bq_pop_timed(struct bq *q, void *elem, const struct timespec *deadline);

/*
 * Closes q: later pushes fail with -EPIPE, blocked producers return -EPIPE without queueing
 * their element, consumers drain what is left and then get -EPIPE. Wakes every blocked thread.
 * Idempotent; any thread.
 */
void bq_close(struct bq *q);

/* Closes q and discards its contents: every blocked and later push and pop returns -EPIPE. Any thread. */
void bq_abort(struct bq *q);

/* Copies the counters into *out, all taken at one instant (under the lock). Any thread. */
void bq_stats_read(struct bq *q, struct bq_stats *out);

/* Elements in q right now (stale as soon as it returns when others are pushing or popping). */
size_t bq_count(struct bq *q);

#endif
