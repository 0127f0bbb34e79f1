/* SPDX-License-Identifier: MIT */
/* Unit tests of ring: SPSC and MPMC semantics, wrap-around, batches, zero copy, shared memory, waits. */
#include <syslab/ring.h>

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#define NSIZES 9
static const size_t sizes[NSIZES] = {1, 3, 4, 8, 16, 24, 32, 64, 100};

static void *xalloc(size_t n)
{
	void *p = aligned_alloc(RING_LINE, (n + RING_LINE - 1) / RING_LINE * RING_LINE);
	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memset(p, 0xa5, n);
	return p;
}

/* The byte j of element v, for elements of any size. */
static unsigned char pattern(uint64_t v, size_t j)
{
	return (unsigned char)(v * 131 + j * 7 + 1);
}

static void fill(unsigned char *e, size_t size, uint64_t v)
{
	for (size_t j = 0; j < size; j++)
		e[j] = pattern(v, j);
}

static bool check(const unsigned char *e, size_t size, uint64_t v)
{
	for (size_t j = 0; j < size; j++)
		if (e[j] != pattern(v, j))
			return false;
	return true;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, ms % 1000 * 1000000L};
	nanosleep(&t, NULL);
}

/* Waits (at most 10 s) until n threads are inside a wait on e, that is, about to sleep or asleep. */
static bool await_waiters(struct ring_evc *e, uint32_t n)
{
	for (int i = 0; i < 10000; i++) {
		if (atomic_load(&e->waiters) >= n)
			return true;
		sleep_ms(1);
	}
	return false;
}

static void test_init_errors(void)
{
	struct ring_spsc s;
	struct ring_mpmc m;
	uint64_t *buf = xalloc(ring_mpmc_storage_size(8, 8));

	is_int(ring_spsc_init(&s, 0, 8), -EINVAL, "spsc: capacity 0 is refused");
	is_int(ring_spsc_init(&s, 1, 8), -EINVAL, "spsc: capacity 1 is refused");
	is_int(ring_spsc_init(&s, 3, 8), -EINVAL, "spsc: capacity 3 (not a power of two) is refused");
	is_int(ring_spsc_init(&s, 0xffffffffu, 8), -EINVAL, "spsc: capacity 2^32-1 is refused");
	is_int(ring_spsc_init(&s, 8, 0), -EINVAL, "spsc: elem_size 0 is refused");
	is_int(ring_spsc_init(&s, 8, 65537), -EINVAL, "spsc: elem_size 65537 is refused");
	is_int(ring_spsc_init(&s, 2, 65536), 0, "spsc: capacity 2, elem_size 65536 are fine");
	is_int(ring_spsc_init(&s, 0x80000000u, 1), 0, "spsc: capacity 2^31 is fine");
	is_int(ring_spsc_storage_size(8, 24), 192, "spsc: storage of 8 x 24 bytes");
	is_int(ring_spsc_storage_size(6, 24), 0, "spsc: storage size of invalid parameters is 0");

	is_int(ring_mpmc_storage_size(8, 8), 8 * 16, "mpmc: a cell of 8 bytes is 16 with its sequence");
	is_int(ring_mpmc_storage_size(8, 1), 8 * 16, "mpmc: a cell of 1 byte rounds up to 16");
	is_int(ring_mpmc_storage_size(8, 9), 8 * 24, "mpmc: a cell of 9 bytes rounds up to 24");
	is_int(ring_mpmc_storage_size(5, 8), 0, "mpmc: storage size of invalid parameters is 0");
	is_int(ring_mpmc_init(&m, buf, 6, 8), -EINVAL, "mpmc: capacity 6 is refused");
	is_int(ring_mpmc_init(&m, buf, 8, 0), -EINVAL, "mpmc: elem_size 0 is refused");
	is_int(ring_mpmc_init(&m, NULL, 8, 8), -EINVAL, "mpmc: NULL storage is refused");
	is_int(ring_mpmc_init(&m, (char *)buf + 4, 8, 8), -EINVAL, "mpmc: misaligned storage is refused");
	is_int(ring_mpmc_init(&m, buf, 8, 8), 0, "mpmc: capacity 8 of 8 bytes is fine");
	free(buf);
}

static void test_spsc_full_empty(void)
{
	struct ring_spsc r;
	uint64_t *buf = xalloc(ring_spsc_storage_size(8, 8));
	uint64_t v;
	int pushed = 0, fifo = 1;

	ring_spsc_init(&r, 8, 8);
	ok(!ring_spsc_pop(&r, buf, &v), "spsc: a new ring is empty");
	is_int(ring_spsc_count(&r), 0, "spsc: count of a new ring");
	for (v = 100; v < 120 && ring_spsc_push(&r, buf, &v); v++)
		pushed++;
	is_int(pushed, 8, "spsc: push returns false at exactly the capacity");
	is_int(ring_spsc_count(&r), 8, "spsc: count when full");
	for (uint64_t want = 100; want < 108; want++)
		fifo &= ring_spsc_pop(&r, buf, &v) && v == want;
	ok(fifo, "spsc: pops come in push order");
	ok(!ring_spsc_pop(&r, buf, &v), "spsc: empty again after 8 pops");
	is_int(ring_spsc_count(&r), 0, "spsc: count when empty again");
	free(buf);
}

/* Pushes and pops 3 at a time through a ring of 4, so the indices wrap the slots 750 times. */
static void test_spsc_wrap(uint64_t start, const char *what)
{
	struct ring_spsc r;
	uint64_t *buf = xalloc(ring_spsc_storage_size(4, 8));
	uint64_t next_in = 0, next_out = 0, v;
	int bad = 0;

	ring_spsc_init_at(&r, 4, 8, start);
	for (int round = 0; round < 1000; round++) {
		for (int i = 0; i < 3; i++, next_in++)
			bad += !ring_spsc_push(&r, buf, &next_in);
		bad += ring_spsc_count(&r) != 3;
		for (int i = 0; i < 3; i++, next_out++)
			bad += !ring_spsc_pop(&r, buf, &v) || v != next_out;
	}
	is_int(bad, 0, "spsc: 3000 elements through a ring of 4 starting at %s, in order", what);
	is_int(atomic_load(&r.head) - start, 3000, "spsc: head moved 3000 from %s", what);
	free(buf);
}

static void test_spsc_batch(void)
{
	struct ring_spsc r;
	uint32_t *buf = xalloc(ring_spsc_storage_size(8, 4));
	uint32_t in[16], out[16];
	int ordered = 1;

	for (uint32_t i = 0; i < 16; i++)
		in[i] = 1000 + i;
	ring_spsc_init(&r, 8, 4);
	is_int(ring_spsc_push_batch(&r, buf, in, 5), 5, "spsc batch: 5 into an empty ring of 8");
	is_int(ring_spsc_push_batch(&r, buf, in + 5, 5), 3, "spsc batch: of the next 5, the 3 that fit");
	is_int(ring_spsc_push_batch(&r, buf, in, 1), 0, "spsc batch: none into a full ring");
	is_int(ring_spsc_pop_batch(&r, buf, out, 3), 3, "spsc batch: pop 3");
	ordered &= out[0] == 1000 && out[2] == 1002;
	ok(!ring_spsc_push_all(&r, buf, in + 8, 4), "spsc all: 4 do not fit in 3 free slots");
	is_int(ring_spsc_count(&r), 5, "spsc all: and none went in");
	ok(ring_spsc_push_all(&r, buf, in + 8, 3), "spsc all: 3 fit, across the wrap");
	ok(ring_spsc_push_all(&r, buf, in, 0), "spsc all: 0 always fit");
	ok(!ring_spsc_pop_all(&r, buf, out, 9), "spsc all: 9 are not there");
	is_int(ring_spsc_count(&r), 8, "spsc all: and none came out");
	ok(ring_spsc_pop_all(&r, buf, out, 8), "spsc all: pop exactly 8, across the wrap");
	for (uint32_t i = 0; i < 8; i++)
		ordered &= out[i] == 1003 + i;
	ok(ordered, "spsc batch: elements come out in order");
	is_int(ring_spsc_pop_batch(&r, buf, out, 4), 0, "spsc batch: nothing from an empty ring");
	ok(ring_spsc_pop_all(&r, buf, out, 0), "spsc all: 0 are always there");

	/* Batches larger than the ring, many times round. */
	uint32_t next_in = 0, next_out = 0, chunk[11];
	int bad = 0;
	for (int round = 0; round < 500; round++) {
		for (int i = 0; i < 11; i++)
			chunk[i] = next_in + (uint32_t)i;
		unsigned put = ring_spsc_push_batch(&r, buf, chunk, 11);
		bad += put < 1;
		next_in += put;
		unsigned got = ring_spsc_pop_batch(&r, buf, chunk, 11);
		for (unsigned i = 0; i < got; i++)
			bad += chunk[i] != next_out++;
	}
	ok(bad == 0 && next_out == next_in && next_in > 500 * 4,
	   "spsc batch: 11 at a time through a ring of 8, %u elements in order", next_out);
	free(buf);
}

static void test_spsc_zero_copy(void)
{
	struct ring_spsc r;
	uint64_t *buf = xalloc(ring_spsc_storage_size(8, 8));
	uint64_t v, *w;
	const uint64_t *p;
	unsigned n;
	int ok_vals = 1;

	ring_spsc_init(&r, 8, 8);
	for (v = 0; v < 6; v++)
		ring_spsc_push(&r, buf, &v);
	for (int i = 0; i < 6; i++)
		ring_spsc_pop(&r, buf, &v);

	n = 5;
	w = ring_spsc_reserve(&r, buf, &n);
	ok(w == buf + 6 && n == 2, "reserve: 5 wanted at slot 6, 2 granted before the wrap (got %u)", n);
	w[0] = 60;
	w[1] = 61;
	ring_spsc_commit(&r, 2);
	n = 5;
	w = ring_spsc_reserve(&r, buf, &n);
	ok(w == buf && n == 5, "reserve: then 5 from slot 0 (got %u)", n);
	for (unsigned i = 0; i < 5; i++)
		w[i] = 62 + i;
	ring_spsc_commit(&r, 4); /* commit fewer than granted */
	is_int(ring_spsc_count(&r), 6, "commit: publishes only the 4 committed");
	n = 8;
	w = ring_spsc_reserve(&r, buf, &n);
	ok(w == buf + 4 && n == 2, "reserve: grants only the free space (got %u)", n);
	w[0] = 66;
	w[1] = 67;
	ring_spsc_commit(&r, 2);
	n = 1;
	ok(ring_spsc_reserve(&r, buf, &n) == NULL && n == 0, "reserve: NULL and 0 when full");

	n = 10;
	p = ring_spsc_peek(&r, buf, &n);
	ok(p == buf + 6 && n == 2, "peek: 2 readable before the wrap (got %u)", n);
	ok_vals &= p[0] == 60 && p[1] == 61;
	ring_spsc_release(&r, 2);
	n = 10;
	p = ring_spsc_peek(&r, buf, &n);
	ok(p == buf && n == 6, "peek: then 6 from slot 0 (got %u)", n);
	for (unsigned i = 0; i < 6; i++)
		ok_vals &= p[i] == 62 + i;
	ok(ok_vals, "peek: the values written in place, in order");
	ring_spsc_release(&r, 1);
	is_int(ring_spsc_count(&r), 5, "release: frees only the 1 released");
	ok(ring_spsc_pop(&r, buf, &v) && v == 63, "pop after a partial release gets the next one");
	n = 0;
	ok(ring_spsc_peek(&r, buf, &n) == NULL && n == 0, "peek: 0 wanted gives NULL");
	ring_spsc_release(&r, 4);
	n = 3;
	ok(ring_spsc_peek(&r, buf, &n) == NULL && n == 0, "peek: NULL and 0 when empty");
	free(buf);
}

/* Elements of every size, single and batched, through a ring of 4 many times round. */
/*
 * Each side's private copy of its index (local_head, local_tail) must follow the published index
 * through every operation, or count, the other side and the next operation would disagree. Runs
 * every SPSC operation in turn, across the wrap of 2^64, checking after each that the copies
 * equal the published indices, that count is right and that peek shows the oldest element.
 */
static void test_spsc_private_copies(void)
{
	struct ring_spsc r;
	uint64_t *buf = xalloc(ring_spsc_storage_size(8, 8));
	uint64_t start = UINT64_MAX - 20, next_in = 0, next_out = 0, v, in[8], out[8];
	int bad = 0;

	ring_spsc_init_at(&r, 8, 8, start);
	bad += r.local_head != start || r.local_tail != start;
	for (int round = 0; round < 40; round++) {
		unsigned n;
		switch (round % 4) {
		case 0:
			bad += !ring_spsc_push(&r, buf, &next_in);
			next_in++;
			break;
		case 1:
			for (unsigned i = 0; i < 3; i++)
				in[i] = next_in + i;
			n = ring_spsc_push_batch(&r, buf, in, 3);
			next_in += n;
			break;
		case 2:
			for (unsigned i = 0; i < 2; i++)
				in[i] = next_in + i;
			if (ring_spsc_push_all(&r, buf, in, 2))
				next_in += 2;
			break;
		default:
			n = 2;
			uint64_t *w = ring_spsc_reserve(&r, buf, &n);
			for (unsigned i = 0; i < n; i++)
				w[i] = next_in + i;
			ring_spsc_commit(&r, n);
			next_in += n;
			break;
		}
		bad += r.local_head != atomic_load(&r.head);
		bad += ring_spsc_count(&r) != next_in - next_out;
		n = 1;
		const uint64_t *p = ring_spsc_peek(&r, buf, &n);
		bad += next_in != next_out && (n != 1 || *p != next_out);

		switch (round % 4) {
		case 0:
			bad += !ring_spsc_pop(&r, buf, &v) || v != next_out++;
			break;
		case 1:
			n = ring_spsc_pop_batch(&r, buf, out, 2);
			for (unsigned i = 0; i < n; i++)
				bad += out[i] != next_out++;
			break;
		case 2:
			if (ring_spsc_pop_all(&r, buf, out, 2))
				for (unsigned i = 0; i < 2; i++)
					bad += out[i] != next_out++;
			break;
		default:
			n = 1;
			p = ring_spsc_peek(&r, buf, &n);
			if (n) {
				bad += *p != next_out++;
				ring_spsc_release(&r, 1);
			}
			break;
		}
		bad += r.local_tail != atomic_load(&r.tail);
		bad += ring_spsc_count(&r) != next_in - next_out;
	}
	ok(bad == 0 && next_out > 20, "spsc: private indices follow head and tail through every operation, "
				    "across 2^64 (%d wrong, %u through)", bad, (unsigned)next_out);
	free(buf);
}

static void test_spsc_sizes(void)
{
	for (int s = 0; s < NSIZES; s++) {
		size_t size = sizes[s];
		struct ring_spsc r;
		unsigned char *buf = xalloc(ring_spsc_storage_size(4, size));
		unsigned char *e = xalloc(size * 3), *out = xalloc(size * 3);
		uint64_t next_in = 0, next_out = 0;
		int bad = 0;

		ring_spsc_init(&r, 4, size);
		for (int round = 0; round < 50; round++) {
			fill(e, size, next_in++);
			bad += !ring_spsc_push(&r, buf, e);
			for (int i = 0; i < 3; i++)
				fill(e + i * size, size, next_in + (uint64_t)i);
			bad += ring_spsc_push_batch(&r, buf, e, 3) != 3;
			next_in += 3;
			bad += !ring_spsc_pop(&r, buf, out) || !check(out, size, next_out++);
			bad += ring_spsc_pop_batch(&r, buf, out, 3) != 3;
			for (int i = 0; i < 3; i++)
				bad += !check(out + i * size, size, next_out++);
		}
		is_int(bad, 0, "spsc: elements of %zu bytes arrive intact", size);
		free(buf);
		free(e);
		free(out);
	}
}

static void test_mpmc_full_empty(void)
{
	struct ring_mpmc r;
	void *buf = xalloc(ring_mpmc_storage_size(8, 8));
	uint64_t v;
	int pushed = 0, fifo = 1;

	ring_mpmc_init(&r, buf, 8, 8);
	ok(!ring_mpmc_pop_try(&r, buf, &v), "mpmc: a new ring is empty");
	for (v = 100; v < 120 && ring_mpmc_push_try(&r, buf, &v); v++)
		pushed++;
	is_int(pushed, 8, "mpmc: push_try returns false at exactly the capacity");
	is_int(ring_mpmc_count(&r), 8, "mpmc: count when full");
	for (uint64_t want = 100; want < 108; want++)
		fifo &= ring_mpmc_pop_try(&r, buf, &v) && v == want;
	ok(fifo, "mpmc: pops come in push order");
	ok(!ring_mpmc_pop_try(&r, buf, &v), "mpmc: empty again after 8 pops");
	is_int(ring_mpmc_count(&r), 0, "mpmc: count when empty again");
	free(buf);
}

static void test_mpmc_wrap(uint64_t start, const char *what)
{
	struct ring_mpmc r;
	void *buf = xalloc(ring_mpmc_storage_size(4, 8));
	uint64_t next_in = 0, next_out = 0, v, chunk[5];
	int bad = 0;

	ring_mpmc_init_at(&r, buf, 4, 8, start);
	for (int round = 0; round < 1000; round++) {
		for (int i = 0; i < 3; i++, next_in++)
			bad += !ring_mpmc_push_try(&r, buf, &next_in);
		for (int i = 0; i < 3; i++, next_out++)
			bad += !ring_mpmc_pop_try(&r, buf, &v) || v != next_out;
		for (int i = 0; i < 5; i++)
			chunk[i] = next_in + (uint64_t)i;
		unsigned put = ring_mpmc_push_batch(&r, buf, chunk, 5);
		bad += put != 4;
		next_in += put;
		unsigned got = ring_mpmc_pop_batch(&r, buf, chunk, 5);
		bad += got != 4;
		for (unsigned i = 0; i < got; i++)
			bad += chunk[i] != next_out++;
	}
	is_int(bad, 0, "mpmc: 7000 elements through a ring of 4 starting at %s, in order", what);
	is_int(atomic_load(&r.enqueue_pos) - start, 7000, "mpmc: enqueue_pos moved 7000 from %s", what);
	free(buf);
}

static void test_mpmc_batch(void)
{
	struct ring_mpmc r;
	void *buf = xalloc(ring_mpmc_storage_size(8, 4));
	uint32_t in[16], out[16];
	int ordered = 1;

	for (uint32_t i = 0; i < 16; i++)
		in[i] = 1000 + i;
	ring_mpmc_init(&r, buf, 8, 4);
	is_int(ring_mpmc_push_batch(&r, buf, in, 5), 5, "mpmc batch: 5 into an empty ring of 8");
	is_int(ring_mpmc_push_batch(&r, buf, in + 5, 5), 3, "mpmc batch: of the next 5, the 3 that fit");
	is_int(ring_mpmc_push_batch(&r, buf, in, 1), 0, "mpmc batch: none into a full ring");
	is_int(ring_mpmc_push_batch(&r, buf, in, 0), 0, "mpmc batch: 0 asked, 0 pushed");
	is_int(ring_mpmc_pop_batch(&r, buf, out, 3), 3, "mpmc batch: pop 3");
	ordered &= out[0] == 1000 && out[2] == 1002;
	is_int(ring_mpmc_push_batch(&r, buf, in + 8, 16), 3, "mpmc batch: 16 asked, the 3 free pushed");
	is_int(ring_mpmc_pop_batch(&r, buf, out, 16), 8, "mpmc batch: 16 asked, the 8 there popped");
	for (uint32_t i = 0; i < 8; i++)
		ordered &= out[i] == 1003 + i;
	ok(ordered, "mpmc batch: elements come out in order");
	is_int(ring_mpmc_pop_batch(&r, buf, out, 4), 0, "mpmc batch: nothing from an empty ring");
	free(buf);
}

/*
 * A batch claims only the prefix of cells that are ready. A stalled producer or consumer is
 * simulated by claiming a position (moving the index) without finishing the cell.
 */
static void test_mpmc_ready_prefix(void)
{
	struct ring_mpmc r;
	void *buf = xalloc(ring_mpmc_storage_size(4, 8));
	uint64_t v, out[8], in[3] = {40, 41, 42};
	struct ring_mpmc_cell *c;

	ring_mpmc_init(&r, buf, 4, 8);
	v = 10;
	ring_mpmc_push_try(&r, buf, &v);
	v = 11;
	ring_mpmc_push_try(&r, buf, &v);
	atomic_fetch_add(&r.enqueue_pos, 1); /* a producer claims position 2 and stalls */
	v = 13;
	ring_mpmc_push_try(&r, buf, &v);
	is_int(ring_mpmc_pop_batch(&r, buf, out, 8), 2, "mpmc pop_batch: stops before an unwritten cell");
	ok(out[0] == 10 && out[1] == 11, "mpmc pop_batch: the ready prefix, in order");
	ok(!ring_mpmc_pop_try(&r, buf, &v), "mpmc pop_try: an unwritten oldest cell reads as empty");
	c = ring_mpmc_cell_at(buf, 2, r.mask, r.cell_size);
	v = 12;
	memcpy(c->data, &v, 8);
	atomic_store(&c->seq, 3); /* the stalled producer finishes */
	is_int(ring_mpmc_pop_batch(&r, buf, out, 8), 2, "mpmc pop_batch: then the rest");
	ok(out[0] == 12 && out[1] == 13, "mpmc pop_batch: in order");

	/* Positions 4..7 filled; a consumer claims 5 and stalls while 4 and 6 are popped. */
	ring_mpmc_init(&r, buf, 4, 8);
	for (v = 0; v < 4; v++)
		ring_mpmc_push_try(&r, buf, &v);
	ring_mpmc_pop_try(&r, buf, &v);
	atomic_fetch_add(&r.dequeue_pos, 1);
	ring_mpmc_pop_try(&r, buf, &v);
	is_int(v, 2, "mpmc: pop_try skips the claimed position");
	is_int(ring_mpmc_push_batch(&r, buf, in, 3), 1, "mpmc push_batch: stops before a cell not yet freed");
	is_int(ring_mpmc_push_batch(&r, buf, in + 1, 2), 0, "mpmc push_batch: 0 while the oldest is held");
	ok(!ring_mpmc_push_try(&r, buf, in + 1), "mpmc push_try: full while a consumer holds the cell");
	c = ring_mpmc_cell_at(buf, 1, r.mask, r.cell_size);
	atomic_store(&c->seq, 1 + 4); /* the stalled consumer finishes */
	is_int(ring_mpmc_push_batch(&r, buf, in + 1, 2), 2, "mpmc push_batch: then the freed cells");
	is_int(ring_mpmc_pop_batch(&r, buf, out, 8), 4, "mpmc: four remain");
	ok(out[0] == 3 && out[1] == 40 && out[2] == 41 && out[3] == 42, "mpmc: in order");
	free(buf);
}

static void test_mpmc_sizes(void)
{
	for (int s = 0; s < NSIZES; s++) {
		size_t size = sizes[s];
		struct ring_mpmc r;
		void *buf = xalloc(ring_mpmc_storage_size(4, size));
		unsigned char *e = xalloc(size * 3), *out = xalloc(size * 3);
		uint64_t next_in = 0, next_out = 0;
		int bad = 0;

		ring_mpmc_init(&r, buf, 4, size);
		for (int round = 0; round < 50; round++) {
			fill(e, size, next_in++);
			bad += !ring_mpmc_push_try(&r, buf, e);
			for (int i = 0; i < 3; i++)
				fill(e + i * size, size, next_in + (uint64_t)i);
			bad += ring_mpmc_push_batch(&r, buf, e, 3) != 3;
			next_in += 3;
			bad += !ring_mpmc_pop_try(&r, buf, out) || !check(out, size, next_out++);
			bad += ring_mpmc_pop_batch(&r, buf, out, 3) != 3;
			for (int i = 0; i < 3; i++)
				bad += !check(out + i * size, size, next_out++);
		}
		is_int(bad, 0, "mpmc: elements of %zu bytes arrive intact", size);
		free(buf);
		free(e);
		free(out);
	}
}

/* ---- Shared memory between processes ---- */

struct shm_item {
	uint64_t seq, twice, inverse;
};

#define SHM_ITEMS 20000
#define SHM_HDR   4096 /* the ring struct, then the child's address, then the storage */

static int shm_child(void *map, size_t len)
{
	/* A second view of the same pages at another address; then the inherited one goes, so a
	 * pointer into the parent's view anywhere in the ring would fault. */
	char *view = mremap(map, 0, len, MREMAP_MAYMOVE);
	if (view == MAP_FAILED)
		return 2;
	munmap(map, len);
	struct ring_spsc *r = (struct ring_spsc *)view;
	*(uintptr_t *)(view + sizeof(*r)) = (uintptr_t)view;
	struct timespec ten_s = {10, 0};
	for (uint64_t i = 0; i < SHM_ITEMS; i++) {
		struct shm_item it = {i, 2 * i, ~i};
		if (ring_spsc_push_wait(r, view + SHM_HDR, &it, &ten_s) != 0)
			return 3;
	}
	return 0;
}

static void test_shared_memory(void)
{
	size_t len = SHM_HDR + ring_spsc_storage_size(64, sizeof(struct shm_item));
	char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		ok(0, "shared memory: mmap: %s", strerror(errno));
		return;
	}
	struct ring_spsc *r = (struct ring_spsc *)map;
	ring_spsc_init(r, 64, sizeof(struct shm_item));
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		ok(0, "shared memory: fork: %s", strerror(errno));
		munmap(map, len);
		return;
	}
	if (pid == 0)
		_exit(shm_child(map, len));

	struct timespec ten_s = {10, 0};
	struct shm_item it;
	uint64_t got = 0;
	int bad = 0, rc = 0;
	while (got < SHM_ITEMS && (rc = ring_spsc_pop_wait(r, map + SHM_HDR, &it, &ten_s)) == 0) {
		bad += it.seq != got || it.twice != 2 * got || it.inverse != ~got;
		got++;
	}
	int status = 0;
	waitpid(pid, &status, 0);
	is_int(rc, 0, "shared memory: the parent's pop_wait never failed");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "shared memory: the child pushed all (status %d)",
	   status);
	uintptr_t child_view = *(uintptr_t *)(map + sizeof(*r));
	ok(child_view != 0 && child_view != (uintptr_t)map,
	   "shared memory: the child's view is at another address (%#lx vs %p)", (unsigned long)child_view,
	   (void *)map);
	ok(got == SHM_ITEMS && bad == 0, "shared memory: %llu of %d items arrived intact, in order",
	   (unsigned long long)got, SHM_ITEMS);
	munmap(map, len);
}

/* ---- Blocking waits ---- */

struct waiter {
	struct ring_spsc *s;
	struct ring_mpmc *m;
	void *buf;
	uint64_t value;
	long delay_ms; /* before acting */
	int rc;
};

static void *spsc_pop_waiter(void *arg)
{
	struct waiter *w = arg;
	struct timespec ten_s = {10, 0};
	w->rc = ring_spsc_pop_wait(w->s, w->buf, &w->value, &ten_s);
	return NULL;
}

static void *spsc_push_waiter(void *arg)
{
	struct waiter *w = arg;
	struct timespec ten_s = {10, 0};
	w->rc = ring_spsc_push_wait(w->s, w->buf, &w->value, &ten_s);
	return NULL;
}

static void *mpmc_pop_waiter(void *arg)
{
	struct waiter *w = arg;
	struct timespec ten_s = {10, 0};
	w->rc = ring_mpmc_pop_wait(w->m, w->buf, &w->value, &ten_s);
	return NULL;
}

static void *mpmc_push_waiter(void *arg)
{
	struct waiter *w = arg;
	struct timespec ten_s = {10, 0};
	w->rc = ring_mpmc_push_wait(w->m, w->buf, &w->value, &ten_s);
	return NULL;
}

static void test_wait_timeout(void)
{
	struct ring_spsc s;
	struct ring_mpmc m;
	uint64_t *sbuf = xalloc(ring_spsc_storage_size(2, 8)), *mbuf = xalloc(ring_mpmc_storage_size(2, 8));
	struct timespec t50 = {0, 50000000L}, bad_ts = {0, 1000000000L}, zero = {0, 0};
	uint64_t v = 1;
	double t0, dt;

	ring_spsc_init(&s, 2, 8);
	ring_mpmc_init(&m, mbuf, 2, 8);
	t0 = now_s();
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, &t50), -ETIMEDOUT,
	       "spsc pop_wait: -ETIMEDOUT on an empty ring");
	dt = now_s() - t0;
	ok(dt >= 0.05, "spsc pop_wait: returned after at least the timeout (%.3f s)", dt);
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, &zero), -ETIMEDOUT, "spsc pop_wait: a zero timeout");
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, &bad_ts), -EINVAL, "spsc pop_wait: tv_nsec 10^9 is invalid");
	ring_spsc_push(&s, sbuf, &v);
	ring_spsc_push(&s, sbuf, &v);
	t0 = now_s();
	is_int(ring_spsc_push_wait(&s, sbuf, &v, &t50), -ETIMEDOUT,
	       "spsc push_wait: -ETIMEDOUT on a full ring");
	dt = now_s() - t0;
	ok(dt >= 0.05, "spsc push_wait: returned after at least the timeout (%.3f s)", dt);
	is_int(atomic_load(&s.not_full.waiters) + atomic_load(&s.not_empty.waiters), 0,
	       "spsc: no waiter left counted");

	t0 = now_s();
	is_int(ring_mpmc_pop_wait(&m, mbuf, &v, &t50), -ETIMEDOUT,
	       "mpmc pop_wait: -ETIMEDOUT on an empty ring");
	dt = now_s() - t0;
	ok(dt >= 0.05, "mpmc pop_wait: returned after at least the timeout (%.3f s)", dt);
	ring_mpmc_push_try(&m, mbuf, &v);
	ring_mpmc_push_try(&m, mbuf, &v);
	t0 = now_s();
	is_int(ring_mpmc_push_wait(&m, mbuf, &v, &t50), -ETIMEDOUT,
	       "mpmc push_wait: -ETIMEDOUT on a full ring");
	dt = now_s() - t0;
	ok(dt >= 0.05, "mpmc push_wait: returned after at least the timeout (%.3f s)", dt);
	is_int(ring_mpmc_push_wait(&m, mbuf, &v, &bad_ts), -EINVAL,
	       "mpmc push_wait: tv_nsec 10^9 is invalid");
	free(sbuf);
	free(mbuf);
}

/* A waiter asleep on an empty (or full) ring is woken by the other side's _wait operation. */
static void test_wait_wakeup(void)
{
	struct ring_spsc s;
	struct ring_mpmc m;
	uint64_t *sbuf = xalloc(ring_spsc_storage_size(2, 8)), *mbuf = xalloc(ring_mpmc_storage_size(2, 8));
	struct waiter w = {.s = &s, .m = &m};
	pthread_t t;
	uint64_t v = 77;

	ring_spsc_init(&s, 2, 8);
	w.buf = sbuf;
	pthread_create(&t, NULL, spsc_pop_waiter, &w);
	ok(await_waiters(&s.not_empty, 1), "spsc: the consumer went to sleep on the empty ring");
	is_int(ring_spsc_push_wait(&s, sbuf, &v, NULL), 0, "spsc push_wait into an empty ring");
	pthread_join(t, NULL);
	ok(w.rc == 0 && w.value == 77, "spsc pop_wait: woken, it got the element (rc %d)", w.rc);
	ring_spsc_push(&s, sbuf, &v);
	ring_spsc_push(&s, sbuf, &v);
	w.value = 78;
	pthread_create(&t, NULL, spsc_push_waiter, &w);
	ok(await_waiters(&s.not_full, 1), "spsc: the producer went to sleep on the full ring");
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, NULL), 0, "spsc pop_wait from a full ring");
	pthread_join(t, NULL);
	is_int(w.rc, 0, "spsc push_wait: woken, it pushed");
	ok(ring_spsc_pop(&s, sbuf, &v) && ring_spsc_pop(&s, sbuf, &v) && v == 78,
	   "spsc: its element is last");

	/* Plain pushes wake nobody; wake_consumers does. */
	pthread_create(&t, NULL, spsc_pop_waiter, &w);
	ok(await_waiters(&s.not_empty, 1), "spsc: the consumer is asleep again");
	v = 79;
	ring_spsc_push(&s, sbuf, &v);
	ring_spsc_wake_consumers(&s);
	pthread_join(t, NULL);
	ok(w.rc == 0 && w.value == 79, "spsc: wake_consumers after a plain push wakes it (rc %d)", w.rc);

	ring_mpmc_init(&m, mbuf, 2, 8);
	w.buf = mbuf;
	v = 80;
	pthread_create(&t, NULL, mpmc_pop_waiter, &w);
	ok(await_waiters(&m.not_empty, 1), "mpmc: the consumer went to sleep on the empty ring");
	is_int(ring_mpmc_push_wait(&m, mbuf, &v, NULL), 0, "mpmc push_wait into an empty ring");
	pthread_join(t, NULL);
	ok(w.rc == 0 && w.value == 80, "mpmc pop_wait: woken, it got the element (rc %d)", w.rc);
	ring_mpmc_push_try(&m, mbuf, &v);
	ring_mpmc_push_try(&m, mbuf, &v);
	w.value = 81;
	pthread_create(&t, NULL, mpmc_push_waiter, &w);
	ok(await_waiters(&m.not_full, 1), "mpmc: the producer went to sleep on the full ring");
	ok(ring_mpmc_pop_try(&m, mbuf, &v), "mpmc: a plain pop makes room");
	ring_mpmc_wake_producers(&m);
	pthread_join(t, NULL);
	is_int(w.rc, 0, "mpmc: wake_producers after a plain pop wakes it");
	ok(ring_mpmc_pop_try(&m, mbuf, &v) && ring_mpmc_pop_try(&m, mbuf, &v) && v == 81,
	   "mpmc: its element is last");
	free(sbuf);
	free(mbuf);
}

/* stop wakes sleepers with -ECANCELED; pop_wait drains first; push_wait pushes no more. */
static void test_stop(void)
{
	struct ring_spsc s;
	struct ring_mpmc m;
	uint64_t *sbuf = xalloc(ring_spsc_storage_size(2, 8)), *mbuf = xalloc(ring_mpmc_storage_size(4, 8));
	struct waiter w = {.s = &s, .m = &m};
	pthread_t t;
	uint64_t v = 5;

	ring_spsc_init(&s, 2, 8);
	w.buf = sbuf;
	pthread_create(&t, NULL, spsc_pop_waiter, &w);
	ok(await_waiters(&s.not_empty, 1), "spsc: a consumer asleep on the empty ring");
	ring_spsc_stop(&s);
	pthread_join(t, NULL);
	is_int(w.rc, -ECANCELED, "spsc stop: wakes the sleeping consumer with -ECANCELED");

	ring_spsc_init(&s, 2, 8);
	ring_spsc_push(&s, sbuf, &v);
	ring_spsc_push(&s, sbuf, &v);
	pthread_create(&t, NULL, spsc_push_waiter, &w);
	ok(await_waiters(&s.not_full, 1), "spsc: a producer asleep on the full ring");
	ring_spsc_stop(&s);
	pthread_join(t, NULL);
	is_int(w.rc, -ECANCELED, "spsc stop: wakes the sleeping producer with -ECANCELED");
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, NULL), 0, "spsc stopped: pop_wait drains the first");
	is_int(ring_spsc_push_wait(&s, sbuf, &v, NULL), -ECANCELED, "spsc stopped: push_wait pushes no more");
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, NULL), 0, "spsc stopped: pop_wait drains the second");
	is_int(ring_spsc_pop_wait(&s, sbuf, &v, NULL), -ECANCELED, "spsc stopped: then -ECANCELED");

	ring_mpmc_init(&m, mbuf, 4, 8);
	w.buf = mbuf;
	pthread_create(&t, NULL, mpmc_pop_waiter, &w);
	ok(await_waiters(&m.not_empty, 1), "mpmc: a consumer asleep on the empty ring");
	ring_mpmc_stop(&m);
	pthread_join(t, NULL);
	is_int(w.rc, -ECANCELED, "mpmc stop: wakes the sleeping consumer with -ECANCELED");

	ring_mpmc_init(&m, mbuf, 4, 8);
	for (v = 1; v <= 4; v++)
		ring_mpmc_push_try(&m, mbuf, &v);
	pthread_create(&t, NULL, mpmc_push_waiter, &w);
	ok(await_waiters(&m.not_full, 1), "mpmc: a producer asleep on the full ring");
	ring_mpmc_stop(&m);
	pthread_join(t, NULL);
	is_int(w.rc, -ECANCELED, "mpmc stop: wakes the sleeping producer with -ECANCELED");
	int drained = 0, in_order = 1, rc;
	while ((rc = ring_mpmc_pop_wait(&m, mbuf, &v, NULL)) == 0)
		in_order &= v == (uint64_t)++drained;
	ok(drained == 4 && in_order, "mpmc stopped: pop_wait drains all 4, in order (got %d)", drained);
	is_int(rc, -ECANCELED, "mpmc stopped: then -ECANCELED");
	free(sbuf);
	free(mbuf);
}

int main(void)
{
	test_init_errors();
	test_spsc_full_empty();
	test_spsc_wrap(0, "0");
	test_spsc_wrap((UINT64_C(1) << 32) - 1500, "2^32 - 1500");
	test_spsc_wrap(UINT64_MAX - 1500, "2^64 - 1501");
	test_spsc_batch();
	test_spsc_zero_copy();
	test_spsc_private_copies();
	test_spsc_sizes();
	test_mpmc_full_empty();
	test_mpmc_wrap(0, "0");
	test_mpmc_wrap((UINT64_C(1) << 32) - 3500, "2^32 - 3500");
	test_mpmc_wrap(UINT64_MAX - 3500, "2^64 - 3501");
	test_mpmc_batch();
	test_mpmc_ready_prefix();
	test_mpmc_sizes();
	test_shared_memory();
	test_wait_timeout();
	test_wait_wakeup();
	test_stop();
	return done_testing();
}
