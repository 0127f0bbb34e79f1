/* SPDX-License-Identifier: MIT */
/* ring: bounded lock-free rings, SPSC and Vyukov's MPMC, over caller-owned storage, with futex waits. */
#ifndef SYSLAB_RING_H
#define SYSLAB_RING_H

#include <assert.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/*
 * A ring is two things: the struct (indices, sizes, wait state; never a pointer) and its storage
 * (the slots), which every operation takes as an argument, as in ck_ring. Both may live in memory
 * shared between processes that map it at different addresses: each process passes its own
 * pointer to the storage. The caller owns and frees both; init allocates nothing.
 *
 * Indices are free-running uint64_t that are masked to a slot; at 10^9 operations a second they
 * wrap after 584 years, and the arithmetic is modulo 2^64 anyway. Elements are copied by value.
 *
 * The struct is aligned to RING_LINE: declare it static, on the stack, in an mmap()ed region, or
 * allocate it with aligned_alloc(RING_LINE, ...). Storage aligned to RING_LINE keeps slots from
 * straddling lines needlessly; MPMC storage must be at least 8-byte aligned.
 */

/*
 * The unit of separation between state that different threads write. 64 bytes is the coherence
 * granule of x86 and most arm64 cores. Intel cores also have an adjacent-line (spatial)
 * prefetcher that fetches lines in 128-byte pairs, so 128 would also keep a producer's line from
 * dragging the consumer's into its cache; folly and crossbeam pad to 128 for that reason. We
 * chose 64: syslab's falseshare experiment measured pad64 and pad128 alike on the AMD host this
 * lab runs on (docs/falseshare.md), and 64 keeps the MPMC struct at 5 lines instead of 10. The
 * SPSC ring spaces its sides by RING_PAIR instead (below). Both are part of the layout (and so
 * of the shared-memory ABI): change them here, and the asserts follow.
 */
#define RING_LINE 64

#define RING_CAPACITY_MAX (UINT32_C(1) << 31) /* largest capacity, a power of two */
#define RING_ELEM_MAX     65536u              /* largest element, in bytes */

static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2,
	      "rings in shared memory need address-free, lock-free 32- and 64-bit atomics");
static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "the futex word is a plain 32-bit word");
static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t), "indices are plain 64-bit words");

/*
 * An eventcount: a waiter sleeps on epoch (a futex word) and counts itself in waiters, so that a
 * notifier pays for a futex_wake only when someone may be asleep. One per direction of a ring.
 */
struct ring_evc {
	_Atomic uint32_t epoch;   /* bumped by a notifier that saw waiters; the futex word */
	_Atomic uint32_t waiters; /* threads between preparing to sleep and leaving the wait */
};

/*
 * The SPSC ring keeps the state of different sides a pair of lines apart (RING_PAIR, 128 bytes),
 * not just a line. Its single-item operations load their own state on every call while the other
 * side polls a published index; on this lab's AMD EPYC host (a KVM guest) a loop of this ring's push
 * and pop logic took 1.4 to 2.3 times a reference ring's time per item with 64 bytes between the
 * sides and 0.9 to 1.15 times with 128 (same-run microbenchmarks, docs/rings.md), presumably
 * because the line next door travels with the polled one (adjacent-line prefetch; this guest has
 * no PMU to confirm it). The falseshare experiment's two threads, each writing its own
 * counter with nobody polling, do not show it. The MPMC ring, whose threads meet on one line
 * anyway, keeps RING_LINE.
 */
#define RING_PAIR (2 * RING_LINE)

/*
 * Single producer, single consumer. Each index has two homes: the published one, an atomic alone
 * on its pair of lines, which the other side reads when its cache says full or empty; and a plain
 * private copy on its owner's private pair, beside the owner's cached copy of the other index. A
 * push loads only the producer's private line, the read-mostly line and the slot, and stores the
 * slot, the private copy and the published head: the consumer's polling of head never touches a
 * line the producer loads on every push (and the mirror image for a pop).
 */
struct ring_spsc {
	/* Published by the producer, alone; the consumer reads it when its cached_head says empty. */
	alignas(RING_PAIR) _Atomic uint64_t head; /* next index to write */

	/* Published by the consumer, alone; the producer reads it when its cached_tail says full. */
	alignas(RING_PAIR) _Atomic uint64_t tail; /* next index to read */

	/* Producer's private pair: only the producer reads or writes it. */
	alignas(RING_PAIR) uint64_t local_head; /* head, the producer's own copy */
	uint64_t cached_tail;                     /* the producer's last look at tail */

	/* Consumer's private pair: only the consumer reads or writes it. */
	alignas(RING_PAIR) uint64_t local_tail; /* tail, the consumer's own copy */
	uint64_t cached_head;                     /* the consumer's last look at head */

	/* Read-mostly line: set by init; stopped is written once, by ring_spsc_stop. */
	alignas(RING_PAIR) uint64_t mask; /* capacity - 1 */
	uint32_t capacity;
	uint32_t elem_size;
	_Atomic uint32_t stopped;

	/* Wait state, each on its own line: only the _wait operations touch them. */
	alignas(RING_LINE) struct ring_evc not_empty; /* the consumer sleeps here */
	alignas(RING_LINE) struct ring_evc not_full;  /* the producer sleeps here */
};

static_assert(offsetof(struct ring_spsc, head) == 0, "the published head first, alone on its pair");
static_assert(offsetof(struct ring_spsc, tail) == RING_PAIR, "the published tail alone on its pair");
static_assert(offsetof(struct ring_spsc, local_head) == 2 * RING_PAIR, "producer's private pair");
static_assert(offsetof(struct ring_spsc, local_tail) == 3 * RING_PAIR, "consumer's private pair");
static_assert(offsetof(struct ring_spsc, mask) == 4 * RING_PAIR, "read-mostly state on its own pair");
static_assert(offsetof(struct ring_spsc, not_empty) == 4 * RING_PAIR + RING_LINE, "wait state on its own line");
static_assert(offsetof(struct ring_spsc, not_full) == 4 * RING_PAIR + 2 * RING_LINE, "one line per direction");
static_assert(sizeof(struct ring_spsc) == 6 * RING_PAIR && alignof(struct ring_spsc) == RING_PAIR,
	      "six whole pairs, the last line padding");

/* Multiple producers, multiple consumers (Dmitry Vyukov's bounded MPMC queue). */
struct ring_mpmc {
	alignas(RING_LINE) _Atomic uint64_t enqueue_pos; /* next position a producer claims */
	alignas(RING_LINE) _Atomic uint64_t dequeue_pos; /* next position a consumer claims */

	/* Read-mostly line: set by init; stopped is written once, by ring_mpmc_stop. */
	alignas(RING_LINE) uint64_t mask; /* capacity - 1 */
	uint32_t capacity;
	uint32_t elem_size;
	uint32_t cell_size; /* sizeof the sequence + elem_size, rounded up to 8 */
	_Atomic uint32_t stopped;

	alignas(RING_LINE) struct ring_evc not_empty; /* consumers sleep here */
	alignas(RING_LINE) struct ring_evc not_full;  /* producers sleep here */
};

/*
 * A cell of MPMC storage. seq says whose turn the cell is for position p (p & mask == the cell):
 * seq == p: free, a producer may claim p; seq == p + 1: holds p's element, a consumer may claim
 * p; the consumer then sets seq = p + capacity, the next lap's "free".
 */
struct ring_mpmc_cell {
	_Atomic uint64_t seq;
	unsigned char data[];
};

static_assert(offsetof(struct ring_mpmc, dequeue_pos) == RING_LINE, "consumers' index on its own line");
static_assert(offsetof(struct ring_mpmc, mask) == 2 * RING_LINE, "read-mostly state on its own line");
static_assert(offsetof(struct ring_mpmc, not_empty) == 3 * RING_LINE, "wait state on its own line");
static_assert(offsetof(struct ring_mpmc, not_full) == 4 * RING_LINE, "one line per direction");
static_assert(sizeof(struct ring_mpmc) == 5 * RING_LINE, "five whole lines");
static_assert(offsetof(struct ring_mpmc_cell, data) == sizeof(uint64_t), "element right after the sequence");

/* ---- Setup (lib/ring.c) ---- */

/* Bytes of storage an SPSC ring needs (capacity x elem_size), or 0 when the parameters are invalid. */
size_t ring_spsc_storage_size(uint32_t capacity, size_t elem_size);

/*
 * Makes r an empty SPSC ring of capacity elements of elem_size bytes; the storage is passed to
 * each operation. 0, or -EINVAL when capacity is not a power of two in [2, 2^31] or elem_size is
 * not in [1, 65536]. Call before any other thread (or process) uses r.
 */
int ring_spsc_init(struct ring_spsc *r, uint32_t capacity, size_t elem_size);

/* For tests: ring_spsc_init with both indices starting at start, e.g. just below 2^32 or 2^64. */
int ring_spsc_init_at(struct ring_spsc *r, uint32_t capacity, size_t elem_size, uint64_t start);

/* Bytes of storage an MPMC ring needs (capacity cells of a uint64_t sequence + the element, each
 * rounded up to 8 bytes), or 0 when the parameters are invalid. */
size_t ring_mpmc_storage_size(uint32_t capacity, size_t elem_size);

/*
 * Makes r an empty MPMC ring over storage (ring_mpmc_storage_size bytes, 8-byte aligned, owned by
 * the caller) and writes the cells' sequences. 0, or -EINVAL as for ring_spsc_init, or when
 * storage is NULL or misaligned. Call before any other thread (or process) uses r.
 */
int ring_mpmc_init(struct ring_mpmc *r, void *storage, uint32_t capacity, size_t elem_size);

/* For tests: ring_mpmc_init with both positions starting at start. */
int ring_mpmc_init_at(struct ring_mpmc *r, void *storage, uint32_t capacity, size_t elem_size,
		      uint64_t start);

/* ---- Element copies (internal helpers of the inline operations) ---- */

/*
 * Copies one element; a constant size for the common ones, so the copy is a few moves, not a call.
 * Once inlined where the element is, say, a uint64_t, GCC (12) sees the 16- to 64-byte branches,
 * which that call never takes, copy past the object and warns (-Warray-bounds, -Wstringop-*);
 * those warnings are off for this function only.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#if __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#endif
static inline void ring_copy_elem(void *dst, const void *src, uint32_t size)
{
	switch (size) {
	case 4:
		memcpy(dst, src, 4);
		break;
	case 8:
		memcpy(dst, src, 8);
		break;
	case 16:
		memcpy(dst, src, 16);
		break;
	case 32:
		memcpy(dst, src, 32);
		break;
	case 64:
		memcpy(dst, src, 64);
		break;
	default:
		memcpy(dst, src, size);
		break;
	}
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static inline void *ring_spsc_slot(void *storage, uint64_t idx, uint64_t mask, uint32_t elem_size)
{
	return (char *)storage + (size_t)(idx & mask) * elem_size;
}

/*
 * Copies one element into the slot of idx. 8 bytes (a uint64_t, a pointer, an index) is tested
 * first, so the common case is one compare and a move with a constant scale, no multiply and no
 * walk through the switch.
 */
static inline void ring_spsc_put(void *storage, uint64_t idx, uint64_t mask, uint32_t elem_size, const void *elem)
{
	if (elem_size == 8)
		memcpy((char *)storage + (size_t)(idx & mask) * 8, elem, 8);
	else
		ring_copy_elem(ring_spsc_slot(storage, idx, mask, elem_size), elem, elem_size);
}

/* Copies the element in the slot of idx to *elem; 8 bytes first, as in ring_spsc_put. */
static inline void ring_spsc_get(void *storage, uint64_t idx, uint64_t mask, uint32_t elem_size, void *elem)
{
	if (elem_size == 8)
		memcpy(elem, (char *)storage + (size_t)(idx & mask) * 8, 8);
	else
		ring_copy_elem(elem, ring_spsc_slot(storage, idx, mask, elem_size), elem_size);
}

/* Copies n elements from src into the slots from idx on, in two pieces when they cross the wrap. */
static inline void ring_spsc_copy_in(void *storage, uint64_t idx, uint64_t mask, uint32_t elem_size,
				     const void *src, unsigned n)
{
	size_t first = (size_t)(mask + 1 - (idx & mask));
	if (first > n)
		first = n;
	memcpy(ring_spsc_slot(storage, idx, mask, elem_size), src, first * elem_size);
	if (first < n)
		memcpy(storage, (const char *)src + first * elem_size, (n - first) * elem_size);
}

/* Copies n elements from the slots from idx on into dst, in two pieces when they cross the wrap. */
static inline void ring_spsc_copy_out(void *storage, uint64_t idx, uint64_t mask, uint32_t elem_size,
				      void *dst, unsigned n)
{
	size_t first = (size_t)(mask + 1 - (idx & mask));
	if (first > n)
		first = n;
	memcpy(dst, ring_spsc_slot(storage, idx, mask, elem_size), first * elem_size);
	if (first < n)
		memcpy((char *)dst + first * elem_size, storage, (n - first) * elem_size);
}

/* ---- SPSC: the producer side (one thread at a time) ----
 *
 * The producer reads its index from local_head, a plain field only it writes, into a local before
 * it copies the element (a byte copy into the slot may, as far as the compiler knows, alias the
 * ring), and stores it back after the copy, just before the release store of head that publishes.
 * head and local_head are equal between operations; the consumer and ring_spsc_count read head.
 */

/*
 * Free slots as the producer sees them. Only when its cached copy of tail says fewer than want are
 * free does it read the shared tail, so the consumer's line moves only then.
 */
static inline uint64_t ring_spsc_free_slots(struct ring_spsc *r, uint64_t head, uint64_t want)
{
	uint64_t free_slots = r->mask + 1 - (head - r->cached_tail);
	if (free_slots < want) {
		/* Acquire, pairs with the consumer's release store of tail (pop, pop_batch, release):
		 * its reads of the slots it gave back happen before this thread overwrites them. */
		r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		free_slots = r->mask + 1 - (head - r->cached_tail);
	}
	return free_slots;
}

/* Whether the ring is full for the producer at head: head - tail is at most capacity, so it is
 * full when that exceeds mask. The shared tail is read only when the cached one says full. */
static inline bool ring_spsc_full(struct ring_spsc *r, uint64_t head, uint64_t mask)
{
	if (head - r->cached_tail <= mask)
		return false;
	/* Acquire, pairs with the consumer's release store of tail, as in ring_spsc_free_slots. */
	r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	return head - r->cached_tail > mask;
}

/* Publishes the producer's index: the private copy, then the shared one. */
static inline void ring_spsc_publish_head(struct ring_spsc *r, uint64_t head)
{
	r->local_head = head;
	/* Release, pairs with the consumer's acquire load of head (ring_spsc_readable,
	 * ring_spsc_empty): the bytes of the elements written before it, copied or written in
	 * place, are visible to the consumer before the index that hands them over. */
	atomic_store_explicit(&r->head, head, memory_order_release);
}

/* Copies *elem into the ring: true, or false when it is full. Producer thread only. */
static inline bool ring_spsc_push(struct ring_spsc *r, void *storage, const void *elem)
{
	const uint64_t head = r->local_head, mask = r->mask;

	if (ring_spsc_full(r, head, mask))
		return false;
	ring_spsc_put(storage, head, mask, r->elem_size, elem);
	ring_spsc_publish_head(r, head + 1);
	return true;
}

/* Copies as many of elems[n] as fit, publishing them at once; returns how many. Producer only. */
static inline unsigned ring_spsc_push_batch(struct ring_spsc *r, void *storage, const void *elems, unsigned n)
{
	const uint64_t head = r->local_head;
	uint64_t free_slots = ring_spsc_free_slots(r, head, n);

	if (n > free_slots)
		n = (unsigned)free_slots;
	if (n == 0)
		return 0;
	ring_spsc_copy_in(storage, head, r->mask, r->elem_size, elems, n);
	ring_spsc_publish_head(r, head + n); /* one release store publishes the batch */
	return n;
}

/* Copies all of elems[n] and returns true, or copies none and returns false. Producer only. */
static inline bool ring_spsc_push_all(struct ring_spsc *r, void *storage, const void *elems, unsigned n)
{
	const uint64_t head = r->local_head;

	if (ring_spsc_free_slots(r, head, n) < n)
		return false;
	if (n == 0)
		return true;
	ring_spsc_copy_in(storage, head, r->mask, r->elem_size, elems, n);
	ring_spsc_publish_head(r, head + n); /* one release store publishes the batch */
	return true;
}

/*
 * How many of the `avail` slots from idx a zero-copy caller gets in one piece: at most the n it
 * asked for, and never past the wrap (the slots must be contiguous). Stores it in *n.
 */
static inline uint64_t ring_spsc_contiguous(uint64_t idx, uint64_t avail, uint64_t mask, unsigned *n)
{
	uint64_t to_wrap = mask + 1 - (idx & mask);
	if (avail > *n)
		avail = *n;
	if (avail > to_wrap)
		avail = to_wrap;
	*n = (unsigned)avail;
	return avail;
}

/*
 * Zero-copy push, step one: returns the first of *n contiguous free slots to write in place, with
 * *n lowered to what is granted (at most the wanted count, the free space, and the slots before
 * the wrap). NULL and *n = 0 when the ring is full or *n was 0. Nothing is published until
 * ring_spsc_commit. Producer only.
 */
static inline void *ring_spsc_reserve(struct ring_spsc *r, void *storage, unsigned *n)
{
	const uint64_t head = r->local_head;
	uint64_t granted = ring_spsc_contiguous(head, ring_spsc_free_slots(r, head, *n), r->mask, n);
	return granted ? ring_spsc_slot(storage, head, r->mask, r->elem_size) : NULL;
}

/* Zero-copy push, step two: publishes the first n (<= granted) reserved slots. Producer only. */
static inline void ring_spsc_commit(struct ring_spsc *r, unsigned n)
{
	ring_spsc_publish_head(r, r->local_head + n);
}

/* ---- SPSC: the consumer side (one thread at a time) ----
 *
 * The mirror image: the consumer's index is local_tail, a plain field only it writes, read into a
 * local before the copy-out and stored back just before the release store of tail.
 */

/*
 * Readable slots as the consumer sees them. Only when its cached copy of head says fewer than want
 * are readable does it read the shared head, so the producer's line moves only then.
 */
static inline uint64_t ring_spsc_readable(struct ring_spsc *r, uint64_t tail, uint64_t want)
{
	uint64_t avail = r->cached_head - tail;
	if (avail < want) {
		/* Acquire, pairs with the producer's release store of head (ring_spsc_publish_head):
		 * the elements' bytes are visible before they are read. */
		r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
		avail = r->cached_head - tail;
	}
	return avail;
}

/* Whether the ring is empty for the consumer at tail; the shared head is read only when the
 * cached one says empty. */
static inline bool ring_spsc_empty(struct ring_spsc *r, uint64_t tail)
{
	if (tail != r->cached_head)
		return false;
	/* Acquire, pairs with the producer's release store of head, as in ring_spsc_readable. */
	r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
	return tail == r->cached_head;
}

/* Frees the consumer's slots up to tail: the private copy, then the shared index. */
static inline void ring_spsc_publish_tail(struct ring_spsc *r, uint64_t tail)
{
	r->local_tail = tail;
	/* Release, pairs with the producer's acquire load of tail (ring_spsc_free_slots,
	 * ring_spsc_full): the copy-out or the reads in place are done before the producer may
	 * overwrite the slots. */
	atomic_store_explicit(&r->tail, tail, memory_order_release);
}

/* Copies the oldest element to *elem and frees its slot: true, or false when empty. Consumer only. */
static inline bool ring_spsc_pop(struct ring_spsc *r, void *storage, void *elem)
{
	const uint64_t tail = r->local_tail;

	if (ring_spsc_empty(r, tail))
		return false;
	ring_spsc_get(storage, tail, r->mask, r->elem_size, elem);
	ring_spsc_publish_tail(r, tail + 1);
	return true;
}

/* Copies up to n of the oldest elements to elems[] and frees their slots at once; returns how
 * many. Consumer only. */
static inline unsigned ring_spsc_pop_batch(struct ring_spsc *r, void *storage, void *elems, unsigned n)
{
	const uint64_t tail = r->local_tail;
	uint64_t avail = ring_spsc_readable(r, tail, n);

	if (n > avail)
		n = (unsigned)avail;
	if (n == 0)
		return 0;
	ring_spsc_copy_out(storage, tail, r->mask, r->elem_size, elems, n);
	ring_spsc_publish_tail(r, tail + n); /* one release store frees the batch */
	return n;
}

/* Copies exactly n elements and returns true, or none and returns false. Consumer only. */
static inline bool ring_spsc_pop_all(struct ring_spsc *r, void *storage, void *elems, unsigned n)
{
	const uint64_t tail = r->local_tail;

	if (ring_spsc_readable(r, tail, n) < n)
		return false;
	if (n == 0)
		return true;
	ring_spsc_copy_out(storage, tail, r->mask, r->elem_size, elems, n);
	ring_spsc_publish_tail(r, tail + n); /* one release store frees the batch */
	return true;
}

/*
 * Zero-copy pop, step one: returns the oldest of *n contiguous readable slots, with *n lowered to
 * what is readable before the wrap; NULL and *n = 0 when empty or *n was 0. The slots stay the
 * consumer's until ring_spsc_release. Consumer only.
 */
static inline const void *ring_spsc_peek(struct ring_spsc *r, void *storage, unsigned *n)
{
	const uint64_t tail = r->local_tail;
	uint64_t granted = ring_spsc_contiguous(tail, ring_spsc_readable(r, tail, *n), r->mask, n);
	return granted ? ring_spsc_slot(storage, tail, r->mask, r->elem_size) : NULL;
}

/* Zero-copy pop, step two: frees the first n (<= granted) peeked slots. Consumer only. */
static inline void ring_spsc_release(struct ring_spsc *r, unsigned n)
{
	ring_spsc_publish_tail(r, r->local_tail + n);
}

/* Elements in the ring; exact when the ring is quiet, a snapshot somewhere in between when it
 * races. Any thread. */
size_t ring_spsc_count(const struct ring_spsc *r);

/* ---- MPMC (any thread, any number of them) ---- */

static inline struct ring_mpmc_cell *ring_mpmc_cell_at(void *storage, uint64_t pos, uint64_t mask,
						       uint32_t cell_size)
{
	return (struct ring_mpmc_cell *)((char *)storage + (size_t)(pos & mask) * cell_size);
}

/*
 * Copies *elem into the ring: true, or false when full. "Full" means the cell of the next
 * position still holds its element from the previous lap, which includes the moment a consumer
 * has claimed that element but not finished copying it out: a try can fail while a preempted
 * consumer holds a slot (Vyukov's queue is not linearizable in that respect).
 */
static inline bool ring_mpmc_push_try(struct ring_mpmc *r, void *storage, const void *elem)
{
	const uint64_t mask = r->mask;
	const uint32_t cell_size = r->cell_size, size = r->elem_size;
	struct ring_mpmc_cell *c;
	/* Relaxed: only a guess where to start; the cell's sequence decides and the CAS claims. */
	uint64_t pos = atomic_load_explicit(&r->enqueue_pos, memory_order_relaxed);

	for (;;) {
		c = ring_mpmc_cell_at(storage, pos, mask, cell_size);
		/* Acquire, pairs with the release store of the consumer that freed the cell for
		 * this lap (seq = pos): its copy-out is done before this thread overwrites. */
		uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		int64_t diff = (int64_t)(seq - pos);
		if (diff == 0) {
			/* Relaxed CAS: it only decides which producer owns pos; the element is
			 * ordered by the cell's sequence, not by enqueue_pos. On failure, pos
			 * becomes the current value and we look again. */
			if (atomic_compare_exchange_weak_explicit(&r->enqueue_pos, &pos, pos + 1,
								  memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (diff < 0) {
			return false; /* the cell still holds the previous lap's element: full */
		} else {
			/* Another producer claimed pos already. Relaxed: a new guess, as above. */
			pos = atomic_load_explicit(&r->enqueue_pos, memory_order_relaxed);
		}
	}
	ring_copy_elem(c->data, elem, size);
	/* Release, pairs with the consumers' acquire load of seq: the element is visible before the
	 * cell says it holds one for this lap. */
	atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	return true;
}

/* Copies the oldest element to *elem: true, or false when empty (or the oldest position has been
 * claimed by a producer that has not finished writing it). */
static inline bool ring_mpmc_pop_try(struct ring_mpmc *r, void *storage, void *elem)
{
	const uint64_t mask = r->mask;
	const uint32_t cell_size = r->cell_size, size = r->elem_size;
	struct ring_mpmc_cell *c;
	/* Relaxed: only a guess where to start; the cell's sequence decides and the CAS claims. */
	uint64_t pos = atomic_load_explicit(&r->dequeue_pos, memory_order_relaxed);

	for (;;) {
		c = ring_mpmc_cell_at(storage, pos, mask, cell_size);
		/* Acquire, pairs with the producer's release store (seq = pos + 1): the element's
		 * bytes are visible before this thread copies them out. */
		uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		int64_t diff = (int64_t)(seq - (pos + 1));
		if (diff == 0) {
			/* Relaxed CAS: it only decides which consumer owns pos; see push_try. */
			if (atomic_compare_exchange_weak_explicit(&r->dequeue_pos, &pos, pos + 1,
								  memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (diff < 0) {
			return false; /* nothing published at pos yet: empty */
		} else {
			/* Another consumer claimed pos already. Relaxed: a new guess. */
			pos = atomic_load_explicit(&r->dequeue_pos, memory_order_relaxed);
		}
	}
	ring_copy_elem(elem, c->data, size);
	/* Release, pairs with the next lap's producer's acquire load of seq: the copy-out is done
	 * before the cell says it is free again. */
	atomic_store_explicit(&c->seq, pos + mask + 1, memory_order_release);
	return true;
}

/*
 * Copies up to n of elems[] into the ring; returns how many (0 when full). It claims k
 * consecutive positions with one CAS, after checking that their k cells are free for this lap: k
 * is the length of the ready prefix, up to n. A cell's sequence is advanced only by whoever has
 * claimed its position, and a successful CAS from pos proves nobody had claimed pos or beyond, so
 * the checked cells are still free, and ours, after it. A failed CAS means another producer made
 * progress: lock-free. Elements are published one by one, in order.
 */
static inline unsigned ring_mpmc_push_batch(struct ring_mpmc *r, void *storage, const void *elems, unsigned n)
{
	const uint64_t mask = r->mask;
	const uint32_t cell_size = r->cell_size, size = r->elem_size;
	/* Relaxed: a guess where to start, as in push_try. */
	uint64_t pos = atomic_load_explicit(&r->enqueue_pos, memory_order_relaxed);
	unsigned k;

	if (n == 0)
		return 0;
	for (;;) {
		uint64_t seq = 0;
		for (k = 0; k < n; k++) {
			/* Acquire, pairs with the release store of the consumer that freed the
			 * cell for this lap: its copy-out is done before this thread overwrites. */
			seq = atomic_load_explicit(&ring_mpmc_cell_at(storage, pos + k, mask, cell_size)->seq,
						   memory_order_acquire);
			if (seq != pos + k)
				break;
		}
		if (k > 0) {
			/* Relaxed CAS: it claims pos .. pos + k - 1; the elements are ordered by
			 * the cells' sequences. On failure pos becomes the current value. */
			if (atomic_compare_exchange_weak_explicit(&r->enqueue_pos, &pos, pos + k,
								  memory_order_relaxed, memory_order_relaxed))
				break;
		} else if ((int64_t)(seq - pos) < 0) {
			return 0; /* full */
		} else {
			/* Relaxed: pos was taken, a new guess. */
			pos = atomic_load_explicit(&r->enqueue_pos, memory_order_relaxed);
		}
	}
	for (unsigned i = 0; i < k; i++) {
		struct ring_mpmc_cell *c = ring_mpmc_cell_at(storage, pos + i, mask, cell_size);
		ring_copy_elem(c->data, (const char *)elems + (size_t)i * size, size);
		/* Release, pairs with the consumers' acquire load of seq, as in push_try. */
		atomic_store_explicit(&c->seq, pos + i + 1, memory_order_release);
	}
	return k;
}

/*
 * Copies up to n of the oldest elements to elems[]; returns how many (0 when empty). The
 * mirror of push_batch: one CAS claims the ready prefix of published cells.
 */
static inline unsigned ring_mpmc_pop_batch(struct ring_mpmc *r, void *storage, void *elems, unsigned n)
{
	const uint64_t mask = r->mask;
	const uint32_t cell_size = r->cell_size, size = r->elem_size;
	/* Relaxed: a guess where to start, as in pop_try. */
	uint64_t pos = atomic_load_explicit(&r->dequeue_pos, memory_order_relaxed);
	unsigned k;

	if (n == 0)
		return 0;
	for (;;) {
		uint64_t seq = 0;
		for (k = 0; k < n; k++) {
			/* Acquire, pairs with the producer's release store (seq = pos + k + 1):
			 * the element's bytes are visible before this thread copies them out. */
			seq = atomic_load_explicit(&ring_mpmc_cell_at(storage, pos + k, mask, cell_size)->seq,
						   memory_order_acquire);
			if (seq != pos + k + 1)
				break;
		}
		if (k > 0) {
			/* Relaxed CAS: it claims pos .. pos + k - 1, as in push_batch. */
			if (atomic_compare_exchange_weak_explicit(&r->dequeue_pos, &pos, pos + k,
								  memory_order_relaxed, memory_order_relaxed))
				break;
		} else if ((int64_t)(seq - (pos + 1)) < 0) {
			return 0; /* empty */
		} else {
			/* Relaxed: pos was taken, a new guess. */
			pos = atomic_load_explicit(&r->dequeue_pos, memory_order_relaxed);
		}
	}
	for (unsigned i = 0; i < k; i++) {
		struct ring_mpmc_cell *c = ring_mpmc_cell_at(storage, pos + i, mask, cell_size);
		ring_copy_elem((char *)elems + (size_t)i * size, c->data, size);
		/* Release, pairs with the next lap's producer's acquire load of seq, as in pop_try. */
		atomic_store_explicit(&c->seq, pos + i + mask + 1, memory_order_release);
	}
	return k;
}

/* Elements in the ring (claimed positions, so in-flight ones count); a snapshot when racing. */
size_t ring_mpmc_count(const struct ring_mpmc *r);

/* ---- Blocking waits (lib/ring.c) ----
 *
 * Each _wait operation tries its try-operation, spins a bounded number of checks with a pause
 * instruction, then sleeps on a futex (an eventcount per direction) until the other side makes
 * room or brings an element, the relative timeout (NULL: none) passes, or the ring is stopped.
 * After it succeeds, it wakes a sleeper of the other direction, which costs a full fence per
 * operation. The plain operations notify nobody and keep their fast path fence-free: a consumer
 * in pop_wait fed by plain pushes can sleep forever. Blocking users use the _wait pair on both
 * sides, or call ring_*_wake_consumers / _wake_producers after plain operations.
 *
 * The futexes are not FUTEX_PRIVATE, so waits work between processes sharing the ring.
 *
 * Returns 0 (done), -ETIMEDOUT, -ECANCELED (the ring was stopped: push_wait pushes nothing more,
 * pop_wait first drains what is there), or -EINVAL (a timeout with tv_nsec outside [0, 10^9) or
 * tv_sec < 0). Thread contract as for the plain operation.
 */
int ring_spsc_push_wait(struct ring_spsc *r, void *storage, const void *elem, const struct timespec *timeout);
int ring_spsc_pop_wait(struct ring_spsc *r, void *storage, void *elem, const struct timespec *timeout);
int ring_mpmc_push_wait(struct ring_mpmc *r, void *storage, const void *elem, const struct timespec *timeout);
int ring_mpmc_pop_wait(struct ring_mpmc *r, void *storage, void *elem, const struct timespec *timeout);

/* Wakes every sleeper of one direction, after plain pushes (consumers) or pops (producers). Any
 * thread; costs a fence, and a futex_wake only when someone may be asleep. */
void ring_spsc_wake_consumers(struct ring_spsc *r);
void ring_spsc_wake_producers(struct ring_spsc *r);
void ring_mpmc_wake_consumers(struct ring_mpmc *r);
void ring_mpmc_wake_producers(struct ring_mpmc *r);

/*
 * Stops r for good and wakes every waiter: from then on push_wait returns -ECANCELED, and pop_wait
 * returns what is left, then -ECANCELED. Everything pushed before the stop is drained, so call it
 * after the producers have finished (an MPMC push still in flight may be missed). The plain
 * operations are unaffected. Any thread.
 */
void ring_spsc_stop(struct ring_spsc *r);
void ring_mpmc_stop(struct ring_mpmc *r);

#endif
