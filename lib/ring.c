/* SPDX-License-Identifier: MIT */
/* ring: initialisation, counts, and the blocking waits (an eventcount on a futex per direction). */
#include <syslab/ring.h>

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * GCC 11+ warns that ThreadSanitizer does not model atomic_thread_fence, which can make it report
 * false races when a fence is what orders plain data. Here the fences order only the eventcount's
 * handshake, which is all atomics; the elements are handed over by release/acquire pairs that TSan
 * does model. A fence that failed would be a lost wake-up, a hang the stress test catches, not a
 * race TSan could see, so the warning has nothing to say about this file.
 */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/*
 * Checks a waiter makes, a pause apart, before it sleeps. A pause takes 10 to 150 cycles depending
 * on the core (about 26 ns on this lab's AMD host, where the whole spin then lasts about 4 us):
 * long enough to catch a partner that is running on another CPU, short against a futex sleep and
 * wake-up, and bounded, so an idle side stops burning its core within microseconds.
 */
#define RING_SPIN_CHECKS 128

static bool ring_params_valid(uint32_t capacity, size_t elem_size)
{
	return capacity >= 2 && capacity <= RING_CAPACITY_MAX && (capacity & (capacity - 1)) == 0 &&
	       elem_size >= 1 && elem_size <= RING_ELEM_MAX;
}

static void ring_evc_init(struct ring_evc *e)
{
	atomic_init(&e->epoch, 0);
	atomic_init(&e->waiters, 0);
}

size_t ring_spsc_storage_size(uint32_t capacity, size_t elem_size)
{
	return ring_params_valid(capacity, elem_size) ? (size_t)capacity * elem_size : 0;
}

int ring_spsc_init_at(struct ring_spsc *r, uint32_t capacity, size_t elem_size, uint64_t start)
{
	if (!ring_params_valid(capacity, elem_size))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	atomic_init(&r->head, start);
	atomic_init(&r->tail, start);
	r->cached_tail = start;
	r->local_head = start;
	r->cached_head = start;
	r->local_tail = start;
	r->mask = capacity - 1;
	r->capacity = capacity;
	r->elem_size = (uint32_t)elem_size;
	atomic_init(&r->stopped, 0);
	ring_evc_init(&r->not_empty);
	ring_evc_init(&r->not_full);
	return 0;
}

int ring_spsc_init(struct ring_spsc *r, uint32_t capacity, size_t elem_size)
{
	return ring_spsc_init_at(r, capacity, elem_size, 0);
}

static uint32_t ring_mpmc_cell_size(size_t elem_size)
{
	return (uint32_t)((sizeof(uint64_t) + elem_size + 7) & ~(size_t)7);
}

size_t ring_mpmc_storage_size(uint32_t capacity, size_t elem_size)
{
	return ring_params_valid(capacity, elem_size) ? (size_t)capacity * ring_mpmc_cell_size(elem_size) : 0;
}

int ring_mpmc_init_at(struct ring_mpmc *r, void *storage, uint32_t capacity, size_t elem_size, uint64_t start)
{
	if (!ring_params_valid(capacity, elem_size) || !storage ||
	    (uintptr_t)storage % alignof(struct ring_mpmc_cell) != 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	atomic_init(&r->enqueue_pos, start);
	atomic_init(&r->dequeue_pos, start);
	r->mask = capacity - 1;
	r->capacity = capacity;
	r->elem_size = (uint32_t)elem_size;
	r->cell_size = ring_mpmc_cell_size(elem_size);
	atomic_init(&r->stopped, 0);
	ring_evc_init(&r->not_empty);
	ring_evc_init(&r->not_full);
	/* The cell of position p (start <= p < start + capacity) is free for p's lap. */
	for (uint64_t p = start; p != start + capacity; p++)
		atomic_init(&ring_mpmc_cell_at(storage, p, r->mask, r->cell_size)->seq, p);
	return 0;
}

int ring_mpmc_init(struct ring_mpmc *r, void *storage, uint32_t capacity, size_t elem_size)
{
	return ring_mpmc_init_at(r, storage, capacity, elem_size, 0);
}

/*
 * Reads tail before head: head never passes a later tail plus capacity, so the difference is at
 * most capacity plus what the consumer took between the loads, hence the clamp. It can look
 * negative only for MPMC, whose positions move by relaxed CASes, hence the floor.
 */
static size_t ring_count(const _Atomic uint64_t *tail, const _Atomic uint64_t *head, uint32_t capacity)
{
	/* Acquire, pairs with the SPSC consumer's release store of tail: the head read next is at
	 * least as new as the head that consumer had seen, so head - tail >= 0. */
	uint64_t t = atomic_load_explicit(tail, memory_order_acquire);
	/* Relaxed: a snapshot; nothing is read through it. */
	uint64_t h = atomic_load_explicit(head, memory_order_relaxed);
	uint64_t n = h - t;

	if ((int64_t)n < 0)
		return 0;
	return n > capacity ? capacity : (size_t)n;
}

size_t ring_spsc_count(const struct ring_spsc *r)
{
	return ring_count(&r->tail, &r->head, r->capacity);
}

size_t ring_mpmc_count(const struct ring_mpmc *r)
{
	return ring_count(&r->dequeue_pos, &r->enqueue_pos, r->capacity);
}

/* ---- Futexes ----
 *
 * FUTEX_WAIT and FUTEX_WAKE without FUTEX_PRIVATE_FLAG: the kernel then keys the futex on the
 * physical page, not the address space, so a waiter and a waker in different processes that map
 * the ring at different addresses meet. (Private futexes are a little cheaper, but only work
 * within one process.)
 */

static void ring_futex_wait(_Atomic uint32_t *word, uint32_t expected, const struct timespec *rel)
{
	/* Returns on a wake, on a signal (EINTR), when *word != expected already (EAGAIN), or after
	 * rel (ETIMEDOUT, FUTEX_WAIT's timeout is relative); the caller re-checks in every case. */
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, rel, NULL, 0);
}

static void ring_futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, n, NULL, NULL, 0);
}

static inline void ring_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* ---- The eventcount ----
 *
 * A waiter W (ring_wait_sleep):           A notifier N (ring_evc_notify, after a push or pop):
 *   waiters++                               the index store that changes the ring
 *   e = epoch                               fence(seq_cst)                      [F_N]
 *   fence(seq_cst)                [F_W]     if waiters > 0:
 *   re-check the ring; if still nothing:       epoch++; futex_wake(epoch)
 *     futex_wait(epoch, e)
 *   waiters--
 *
 * No lost wake-up: the two seq_cst fences are totally ordered. If F_W comes first, N's load of
 * waiters (after F_N) sees W's increment (before F_W), so N bumps epoch and wakes; W either has
 * read the old epoch, and then its FUTEX_WAIT either finds epoch changed and returns at once or is
 * queued before the wake (the kernel checks the word and queues under the same lock as the wake),
 * or it read the new epoch, whose release increment shows it the change. If F_N comes first, W's
 * re-check (after F_W) sees N's store (before F_N), and W does not sleep. Either way a waiter
 * never sleeps through a change that happened before its re-check.
 *
 * The price is the notifier's fence on every _wait operation, sleeper or not; the load of waiters
 * reads a line that stays shared until someone actually prepares to sleep.
 */

/* Wakes up to nwake sleepers of e after a change the caller made to the ring. */
static void ring_evc_notify(struct ring_evc *e, int nwake)
{
	/* Seq_cst fence, pairs with the waiter's fence in ring_wait_sleep: orders the caller's
	 * index store before the load of waiters (the store-load order a release cannot give). */
	atomic_thread_fence(memory_order_seq_cst);
	/* Relaxed: the fence above orders it. */
	if (atomic_load_explicit(&e->waiters, memory_order_relaxed) == 0)
		return;
	/* Release, pairs with the waiter's acquire load of epoch: a waiter that reads the new epoch
	 * also sees the change. The new value makes a FUTEX_WAIT on the old one return at once. */
	atomic_fetch_add_explicit(&e->epoch, 1, memory_order_release);
	ring_futex_wake(&e->epoch, nwake);
}

/* Wakes every sleeper of e unconditionally, for stop. */
static void ring_evc_wake_all(struct ring_evc *e)
{
	/* Release, pairs with the waiter's acquire load of epoch: a waiter that reads the new epoch
	 * also sees the stop flag stored before this; one that read the old epoch fails its
	 * FUTEX_WAIT comparison or is queued in time for the wake below. */
	atomic_fetch_add_explicit(&e->epoch, 1, memory_order_release);
	ring_futex_wake(&e->epoch, INT_MAX);
}

/* ---- The wait loop, shared by the four _wait operations ---- */

enum ring_op { RING_SPSC_PUSH, RING_SPSC_POP, RING_MPMC_PUSH, RING_MPMC_POP };

struct ring_waiter {
	enum ring_op op;
	void *ring, *storage;
	const void *src; /* push: the element */
	void *dst;       /* pop: where it goes */
	struct ring_evc *sleep_on, *notify;
	_Atomic uint32_t *stopped;
};

static bool ring_waiter_try(const struct ring_waiter *w)
{
	switch (w->op) {
	case RING_SPSC_PUSH:
		return ring_spsc_push(w->ring, w->storage, w->src);
	case RING_SPSC_POP:
		return ring_spsc_pop(w->ring, w->storage, w->dst);
	case RING_MPMC_PUSH:
		return ring_mpmc_push_try(w->ring, w->storage, w->src);
	case RING_MPMC_POP:
		return ring_mpmc_pop_try(w->ring, w->storage, w->dst);
	}
	return false;
}

/* One attempt: 0 when done (the other direction notified), -ECANCELED when stopped (and, for a
 * pop, empty), -EAGAIN when the ring is full (push) or empty (pop). */
static int ring_waiter_attempt(const struct ring_waiter *w)
{
	bool is_push = w->op == RING_SPSC_PUSH || w->op == RING_MPMC_PUSH;
	/* Acquire, pairs with the seq_cst store in ring_stop: what was pushed before the stop is
	 * visible to the try below, so a pop that fails after seeing the flag has drained the ring.
	 * Read before the try for exactly that reason. */
	bool stopped = atomic_load_explicit(w->stopped, memory_order_acquire);

	if (stopped && is_push)
		return -ECANCELED;
	if (ring_waiter_try(w)) {
		ring_evc_notify(w->notify, 1);
		return 0;
	}
	return stopped ? -ECANCELED : -EAGAIN;
}

/* now + rel; a deadline too far to represent counts as none (false). */
static bool ring_deadline(const struct timespec *rel, struct timespec *deadline)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	if (rel->tv_sec > INT64_MAX / 4)
		return false;
	deadline->tv_sec += rel->tv_sec;
	deadline->tv_nsec += rel->tv_nsec;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
	return true;
}

/* deadline - now into *rel: true, or false when the deadline has passed. */
static bool ring_remaining(const struct timespec *deadline, struct timespec *rel)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	rel->tv_sec = deadline->tv_sec - now.tv_sec;
	rel->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (rel->tv_nsec < 0) {
		rel->tv_sec--;
		rel->tv_nsec += 1000000000L;
	}
	return rel->tv_sec > 0 || (rel->tv_sec == 0 && rel->tv_nsec > 0);
}

/* Prepares to sleep, re-checks, sleeps: as ring_waiter_attempt, plus -ETIMEDOUT. -EAGAIN after a
 * wake-up (or a spurious return): the caller tries again. */
static int ring_wait_sleep(const struct ring_waiter *w, const struct timespec *deadline)
{
	struct ring_evc *e = w->sleep_on;
	struct timespec rel;
	int rc;

	/* Relaxed: the fence below orders it before the re-check. */
	atomic_fetch_add_explicit(&e->waiters, 1, memory_order_relaxed);
	/* Acquire, pairs with the notifier's release increment: reading a new epoch implies seeing
	 * the change behind it. Read before the re-check, so a change after it bumps epoch. */
	uint32_t epoch = atomic_load_explicit(&e->epoch, memory_order_acquire);
	/* Seq_cst fence, pairs with the notifier's fence in ring_evc_notify (the lost-wakeup
	 * argument above): orders our waiters++ before the re-check's loads. */
	atomic_thread_fence(memory_order_seq_cst);

	rc = ring_waiter_attempt(w);
	if (rc == -EAGAIN) {
		if (!deadline)
			ring_futex_wait(&e->epoch, epoch, NULL);
		else if (ring_remaining(deadline, &rel))
			ring_futex_wait(&e->epoch, epoch, &rel);
		else
			rc = -ETIMEDOUT;
	}
	/* Relaxed: a notifier that still counts us only makes a needless wake. */
	atomic_fetch_sub_explicit(&e->waiters, 1, memory_order_relaxed);
	return rc;
}

static int ring_wait(const struct ring_waiter *w, const struct timespec *timeout)
{
	struct timespec deadline;
	bool timed = false;

	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)
			return -EINVAL;
		timed = ring_deadline(timeout, &deadline);
	}
	for (;;) {
		for (unsigned i = 0; i < RING_SPIN_CHECKS; i++) {
			int rc = ring_waiter_attempt(w);
			if (rc != -EAGAIN)
				return rc;
			ring_cpu_relax();
		}
		int rc = ring_wait_sleep(w, timed ? &deadline : NULL);
		if (rc != -EAGAIN)
			return rc;
	}
}

int ring_spsc_push_wait(struct ring_spsc *r, void *storage, const void *elem, const struct timespec *timeout)
{
	struct ring_waiter w = {.op = RING_SPSC_PUSH,
				.ring = r,
				.storage = storage,
				.src = elem,
				.sleep_on = &r->not_full,
				.notify = &r->not_empty,
				.stopped = &r->stopped};
	return ring_wait(&w, timeout);
}

int ring_spsc_pop_wait(struct ring_spsc *r, void *storage, void *elem, const struct timespec *timeout)
{
	struct ring_waiter w = {.op = RING_SPSC_POP,
				.ring = r,
				.storage = storage,
				.dst = elem,
				.sleep_on = &r->not_empty,
				.notify = &r->not_full,
				.stopped = &r->stopped};
	return ring_wait(&w, timeout);
}

int ring_mpmc_push_wait(struct ring_mpmc *r, void *storage, const void *elem, const struct timespec *timeout)
{
	struct ring_waiter w = {.op = RING_MPMC_PUSH,
				.ring = r,
				.storage = storage,
				.src = elem,
				.sleep_on = &r->not_full,
				.notify = &r->not_empty,
				.stopped = &r->stopped};
	return ring_wait(&w, timeout);
}

int ring_mpmc_pop_wait(struct ring_mpmc *r, void *storage, void *elem, const struct timespec *timeout)
{
	struct ring_waiter w = {.op = RING_MPMC_POP,
				.ring = r,
				.storage = storage,
				.dst = elem,
				.sleep_on = &r->not_empty,
				.notify = &r->not_full,
				.stopped = &r->stopped};
	return ring_wait(&w, timeout);
}

void ring_spsc_wake_consumers(struct ring_spsc *r)
{
	ring_evc_notify(&r->not_empty, INT_MAX);
}

void ring_spsc_wake_producers(struct ring_spsc *r)
{
	ring_evc_notify(&r->not_full, INT_MAX);
}

void ring_mpmc_wake_consumers(struct ring_mpmc *r)
{
	ring_evc_notify(&r->not_empty, INT_MAX);
}

void ring_mpmc_wake_producers(struct ring_mpmc *r)
{
	ring_evc_notify(&r->not_full, INT_MAX);
}

static void ring_stop(_Atomic uint32_t *stopped, struct ring_evc *a, struct ring_evc *b)
{
	/* Seq_cst store, pairs with the acquire load in ring_waiter_attempt: a waiter that sees the
	 * flag also sees everything done before the stop, the producers' last pushes included. */
	atomic_store_explicit(stopped, 1, memory_order_seq_cst);
	ring_evc_wake_all(a);
	ring_evc_wake_all(b);
}

void ring_spsc_stop(struct ring_spsc *r)
{
	ring_stop(&r->stopped, &r->not_empty, &r->not_full);
}

void ring_mpmc_stop(struct ring_mpmc *r)
{
	ring_stop(&r->stopped, &r->not_empty, &r->not_full);
}
