/* SPDX-License-Identifier: MIT */
/* Unit tests of bqueue: errors, FIFO order, blocking, close/drain/abort, timed waits and stats. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "syslab/bqueue.h"
#include "tap.h"

/* Sanitizers slow threads down 5-20x: run fewer iterations under them. */
#if TAP_SANITIZED
#define SCALE 2
#else
#define SCALE 1
#endif

#define WATCHDOG_S 120 /* a hang fails the program in this many seconds, inside tests/run.sh's timeout */
#define MS         1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The absolute CLOCK_MONOTONIC time ns from now, as the timed operations want it. */
static struct timespec deadline_in(uint64_t ns)
{
	uint64_t t = now_ns() + ns;
	return (struct timespec){.tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull)};
}

static void nap_us(unsigned us)
{
	struct timespec ts = {0, (long)us * 1000};

	nanosleep(&ts, NULL);
}

static void watchdog_fired(int sig)
{
	static const char msg[] = "Bail out! watchdog: a test hung (a lost wakeup?)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static void watchdog_arm(unsigned seconds)
{
	struct sigaction sa = {.sa_handler = watchdog_fired};

	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

/* White-box: the threads inside a wait right now, read under the queue's lock. */
static void waiters(struct bq *q, unsigned *producers, unsigned *consumers, size_t *count)
{
	pthread_mutex_lock(&q->lock);
	*producers = q->waiting_producers;
	*consumers = q->waiting_consumers;
	*count = q->count;
	pthread_mutex_unlock(&q->lock);
}

/*
 * Polls until exactly p producers and c consumers wait and count elements are queued (count
 * SIZE_MAX: any). A thread counted as waiting is inside pthread_cond_wait, since it counts
 * itself and waits in one critical section. The watchdog bounds the poll.
 */
static void await_waiters(struct bq *q, unsigned p, unsigned c, size_t count)
{
	unsigned wp, wc;
	size_t n;

	for (;;) {
		waiters(q, &wp, &wc, &n);
		if (wp == p && wc == c && (count == SIZE_MAX || n == count))
			return;
		nap_us(50);
	}
}

/* One operation run on its own thread, so the main thread can watch it block. */
enum op { OP_PUSH, OP_POP, OP_PUSH_TIMED, OP_POP_TIMED };

struct job {
	pthread_t tid;
	struct bq *q;
	enum op op;
	uint64_t value;        /* pushed, or popped */
	struct timespec until; /* for the timed ops */
	int rc;
	atomic_bool done;
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	switch (j->op) {
	case OP_PUSH:
		j->rc = bq_push(j->q, &j->value);
		break;
	case OP_POP:
		j->rc = bq_pop(j->q, &j->value);
		break;
	case OP_PUSH_TIMED:
		j->rc = bq_push_timed(j->q, &j->value, &j->until);
		break;
	case OP_POP_TIMED:
		j->rc = bq_pop_timed(j->q, &j->value, &j->until);
		break;
	}
	atomic_store(&j->done, true);
	return NULL;
}

static void job_start(struct job *j, struct bq *q, enum op op, uint64_t value)
{
	j->q = q;
	j->op = op;
	j->value = value;
	j->rc = 1;
	j->until = deadline_in(3600 * 1000 * MS);
	atomic_store(&j->done, false);
	if (pthread_create(&j->tid, NULL, job_main, j) != 0)
		skip_all("pthread_create failed");
}

static void job_join(struct job *j)
{
	pthread_join(j->tid, NULL);
}

static void test_init_errors(void)
{
	uint64_t storage[4];
	struct bq q;

	is_int(bq_storage_size(4, 8), 32, "storage size 4 x 8");
	is_int(bq_storage_size(0, 8), 0, "storage size: capacity 0");
	is_int(bq_storage_size(4, 0), 0, "storage size: elem_size 0");
	is_int(bq_storage_size(SIZE_MAX / 2 + 1, 2), 0, "storage size: overflow is 0");
	is_int(bq_init(&q, storage, 0, 8), -EINVAL, "init: capacity 0");
	is_int(bq_init(&q, storage, 4, 0), -EINVAL, "init: elem_size 0");
	is_int(bq_init(&q, NULL, 4, 8), -EINVAL, "init: NULL storage");
	is_int(bq_init(&q, storage, SIZE_MAX / 4, 8), -EINVAL, "init: capacity x elem_size overflows");
	is_int(bq_init(&q, storage, 4, 8), 0, "init: 4 x 8");
	is_int(bq_count(&q), 0, "a new queue is empty");
	bq_destroy(&q);
}

static void test_fifo(void)
{
	uint64_t storage[8], v, next_in = 0, next_out = 0, bad = 0;
	struct bq q;

	is_int(bq_init(&q, storage, 8, sizeof(v)), 0, "init 8 x u64");
	for (v = 0; v < 8; v++)
		is_int(bq_push(&q, &v), 0, "push %llu", (unsigned long long)v);
	is_int(bq_count(&q), 8, "full: 8 queued");
	for (uint64_t i = 0; i < 8; i++) {
		v = ~0ull;
		bq_pop(&q, &v);
		if (v != i)
			bad++;
	}
	is_int(bad, 0, "popped 0..7 in order");

	/* Five in flight while 1000 pass through: head and tail wrap around the ring many times. */
	bad = 0;
	for (; next_in < 5; next_in++)
		bq_push(&q, &next_in);
	for (; next_in < 1000; next_in++) {
		if (bq_push(&q, &next_in) != 0 || bq_pop(&q, &v) != 0 || v != next_out++)
			bad++;
	}
	while (bq_pop_try(&q, &v) == 0)
		if (v != next_out++)
			bad++;
	is_int(bad, 0, "order kept across wrap-around");
	is_int(next_out, 1000, "all 1000 came out");
	bq_destroy(&q);
}

/* Elements of an odd size: the slot arithmetic must not assume alignment or powers of two. */
static void fill3(unsigned char e[3], int i)
{
	e[0] = (unsigned char)i;
	e[1] = (unsigned char)(i * 7);
	e[2] = (unsigned char)~i;
}

static void test_odd_elements(void)
{
	unsigned char storage[5 * 3], in[3], want[3], out[3];
	struct bq q;
	int bad = 0, next_out = 0;

	is_int(bq_init(&q, storage, 5, 3), 0, "init 5 x 3 bytes");
	for (int i = 0; i < 40; i++) {
		fill3(in, i);
		if (bq_push(&q, in) != 0)
			bad++;
		if (i >= 3) { /* four in flight, wrapping around the five slots */
			fill3(want, next_out++);
			if (bq_pop(&q, out) != 0 || memcmp(out, want, 3) != 0)
				bad++;
		}
	}
	while (bq_pop_try(&q, out) == 0) {
		fill3(want, next_out++);
		bad += memcmp(out, want, 3) != 0;
	}
	is_int(bad, 0, "40 three-byte elements through 5 slots, intact and in order");
	is_int(next_out, 40, "all 40 came out");
	bq_destroy(&q);
}

static void test_try(void)
{
	uint64_t storage[2], v = 7;
	struct bq_stats st;
	struct bq q;

	bq_init(&q, storage, 2, sizeof(v));
	is_int(bq_pop_try(&q, &v), -EAGAIN, "pop_try on empty: -EAGAIN");
	is_int(bq_push_try(&q, &v), 0, "push_try with room");
	is_int(bq_push_try(&q, &v), 0, "push_try fills it");
	is_int(bq_push_try(&q, &v), -EAGAIN, "push_try on full: -EAGAIN");
	is_int(bq_count(&q), 2, "the failed push_try queued nothing");
	is_int(bq_pop_try(&q, &v), 0, "pop_try with an element");
	bq_stats_read(&q, &st);
	ok(st.producer_waits == 0 && st.consumer_waits == 0, "try operations never wait");
	is_int(st.pushes, 2, "stats: 2 pushes");
	is_int(st.pops, 1, "stats: 1 pop");
	bq_destroy(&q);
}

/* Capacity 1: a second push blocks until another thread takes the first element. */
static void test_capacity_one(void)
{
	uint64_t storage[1], v = 1;
	struct job p;
	struct bq q;

	bq_init(&q, storage, 1, sizeof(v));
	is_int(bq_push(&q, &v), 0, "push into capacity 1");
	job_start(&p, &q, OP_PUSH, 2);
	await_waiters(&q, 1, 0, 1);
	ok(!atomic_load(&p.done), "second push blocks while full");
	is_int(bq_pop(&q, &v), 0, "pop frees the slot");
	is_int(v, 1, "first element first");
	job_join(&p);
	is_int(p.rc, 0, "blocked push completes once the slot is free");
	is_int(bq_pop(&q, &v), 0, "pop the second");
	is_int(v, 2, "second element second");
	bq_destroy(&q);
}

static void test_close_wakes_consumers(void)
{
	enum { N = 4 };
	uint64_t storage[4];
	struct job c[N];
	struct bq_stats st;
	struct bq q;
	int epipe = 0;

	bq_init(&q, storage, 4, sizeof(uint64_t));
	for (int i = 0; i < N; i++)
		job_start(&c[i], &q, i % 2 ? OP_POP_TIMED : OP_POP, 0);
	await_waiters(&q, 0, N, 0);
	bq_close(&q);
	for (int i = 0; i < N; i++) {
		job_join(&c[i]);
		epipe += c[i].rc == -EPIPE;
	}
	is_int(epipe, N, "close wakes all %d blocked consumers with -EPIPE", N);
	bq_stats_read(&q, &st);
	is_int(st.broadcasts, 1, "one broadcast (to the consumers), from close");
	is_int(st.signals, 0, "no signals");
	is_int(st.spurious_wakeups, 0, "wakeups by close are not spurious");
	bq_close(&q);
	bq_stats_read(&q, &st);
	is_int(st.broadcasts, 1, "closing twice is a no-op");
	bq_destroy(&q);
}

static void test_close_wakes_producers(void)
{
	enum { N = 3 };
	uint64_t storage[2], v;
	struct job p[N];
	struct bq q;
	int epipe = 0;

	bq_init(&q, storage, 2, sizeof(v));
	for (v = 1; v <= 2; v++)
		bq_push(&q, &v);
	for (int i = 0; i < N; i++)
		job_start(&p[i], &q, i % 2 ? OP_PUSH_TIMED : OP_PUSH, 100 + (uint64_t)i);
	await_waiters(&q, N, 0, 2);
	bq_close(&q);
	for (int i = 0; i < N; i++) {
		job_join(&p[i]);
		epipe += p[i].rc == -EPIPE;
	}
	is_int(epipe, N, "close wakes all %d blocked producers with -EPIPE", N);
	is_int(bq_count(&q), 2, "their elements were not queued");
	is_int(bq_pop(&q, &v), 0, "drain 1");
	is_int(v, 1, "drained 1");
	is_int(bq_pop(&q, &v), 0, "drain 2");
	is_int(v, 2, "drained 2");
	is_int(bq_pop(&q, &v), -EPIPE, "then -EPIPE, no element of a failed push");
	bq_destroy(&q);
}

static void test_drain_after_close(void)
{
	uint64_t storage[8], v;
	struct timespec past = {0, 0};
	struct bq q;
	int bad = 0;

	bq_init(&q, storage, 8, sizeof(v));
	for (v = 10; v < 15; v++)
		bq_push(&q, &v);
	bq_close(&q);
	bq_close(&q);
	v = 99;
	is_int(bq_push(&q, &v), -EPIPE, "push after close: -EPIPE");
	is_int(bq_push_try(&q, &v), -EPIPE, "push_try after close: -EPIPE (not -EAGAIN)");
	is_int(bq_push_timed(&q, &v, &past), -EPIPE, "push_timed after close: -EPIPE (not -ETIMEDOUT)");
	for (uint64_t want = 10; want < 15; want++) {
		if (bq_pop(&q, &v) != 0 || v != want)
			bad++;
	}
	is_int(bad, 0, "consumers drain 10..14 in order after close");
	is_int(bq_pop(&q, &v), -EPIPE, "pop on closed and drained: -EPIPE");
	is_int(bq_pop_try(&q, &v), -EPIPE, "pop_try on closed and drained: -EPIPE (not -EAGAIN)");
	is_int(bq_pop_timed(&q, &v, &past), -EPIPE, "pop_timed on closed and drained: -EPIPE");
	bq_destroy(&q);
}

/*
 * The race of a consumer that found the queue open and empty and is about to wait while
 * another thread closes: if the close's broadcast could fall between its check and its wait, it
 * would sleep forever. Many iterations with the close delayed by varying amounts; a hang is
 * caught by the watchdog.
 */
static void test_close_race(void)
{
	const int iters = 4000 / SCALE;
	uint64_t storage[1], v = 0, seed = 12345;
	struct job j[2];
	struct bq q;
	int bad = 0;

	for (int i = 0; i < iters; i++) {
		bool producers = i % 4 == 3; /* every fourth round: producers blocked on a full queue */
		bq_init(&q, storage, 1, sizeof(v));
		if (producers)
			bq_push(&q, &v);
		job_start(&j[0], &q, producers ? OP_PUSH : OP_POP, 1);
		job_start(&j[1], &q, producers ? OP_PUSH_TIMED : OP_POP_TIMED, 2);
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		for (volatile unsigned spin = (unsigned)(seed >> 52); spin > 0; spin--)
			;
		bq_close(&q);
		for (int k = 0; k < 2; k++) {
			job_join(&j[k]);
			bad += j[k].rc != -EPIPE;
		}
		bq_destroy(&q);
	}
	is_int(bad, 0, "%d close-vs-wait races: every thread returned -EPIPE", iters);
}

static void test_abort(void)
{
	uint64_t storage[2], v = 5;
	struct job p[2], c[2];
	struct bq q;

	bq_init(&q, storage, 2, sizeof(v));
	bq_push(&q, &v);
	bq_push(&q, &v);
	job_start(&p[0], &q, OP_PUSH, 1);
	job_start(&p[1], &q, OP_PUSH_TIMED, 2);
	await_waiters(&q, 2, 0, 2);
	bq_abort(&q);
	job_join(&p[0]);
	job_join(&p[1]);
	ok(p[0].rc == -EPIPE && p[1].rc == -EPIPE, "abort wakes blocked producers with -EPIPE");
	is_int(bq_count(&q), 0, "abort discards the contents");
	is_int(bq_pop(&q, &v), -EPIPE, "pop after abort: -EPIPE");
	is_int(bq_push(&q, &v), -EPIPE, "push after abort: -EPIPE");
	bq_abort(&q);
	bq_close(&q);
	is_int(bq_pop_try(&q, &v), -EPIPE, "abort and close again: still -EPIPE");
	bq_destroy(&q);

	bq_init(&q, storage, 2, sizeof(v));
	job_start(&c[0], &q, OP_POP, 0);
	job_start(&c[1], &q, OP_POP_TIMED, 0);
	await_waiters(&q, 0, 2, 0);
	bq_abort(&q);
	job_join(&c[0]);
	job_join(&c[1]);
	ok(c[0].rc == -EPIPE && c[1].rc == -EPIPE, "abort wakes blocked consumers with -EPIPE");
	bq_destroy(&q);

	/* Abort after close: what close would have let consumers drain is gone. */
	bq_init(&q, storage, 2, sizeof(v));
	bq_push(&q, &v);
	bq_close(&q);
	bq_abort(&q);
	is_int(bq_pop(&q, &v), -EPIPE, "abort after close: nothing left to drain");
	bq_destroy(&q);
}

static void test_timed(void)
{
	uint64_t storage[1], v = 0, t0, t1;
	struct timespec until, past = {0, 0}, bad_ns = {0, 1000000000L};
	struct bq_stats st;
	struct job p;
	struct bq q;

	bq_init(&q, storage, 1, sizeof(v));
	t0 = now_ns();
	until = deadline_in(50 * MS);
	is_int(bq_pop_timed(&q, &v, &until), -ETIMEDOUT, "pop_timed on empty times out");
	t1 = now_ns();
	ok(t1 - t0 >= 50 * MS, "it waited at least the 50 ms (%.1f ms)", (double)(t1 - t0) / MS);
	bq_stats_read(&q, &st);
	ok(st.timeouts >= 1 && st.spurious_wakeups == 0, "stats: a timeout, not a spurious wakeup");

	is_int(bq_pop_timed(&q, &v, &past), -ETIMEDOUT, "pop_timed, deadline past, empty: -ETIMEDOUT");
	is_int(bq_push_timed(&q, &v, &bad_ns), -EINVAL, "tv_nsec of 1e9: -EINVAL");
	v = 3;
	is_int(bq_push_timed(&q, &v, &past), 0, "push_timed, deadline past, room: succeeds");
	is_int(bq_push_timed(&q, &v, &past), -ETIMEDOUT, "push_timed, deadline past, full: -ETIMEDOUT");
	t0 = now_ns();
	until = deadline_in(20 * MS);
	is_int(bq_push_timed(&q, &v, &until), -ETIMEDOUT, "push_timed on full times out");
	t1 = now_ns();
	ok(t1 - t0 >= 20 * MS, "it waited at least the 20 ms (%.1f ms)", (double)(t1 - t0) / MS);
	v = 0;
	is_int(bq_pop_timed(&q, &v, &past), 0, "pop_timed, deadline past, non-empty: succeeds");
	is_int(v, 3, "with the element");

	/* An element that arrives well before the deadline ends the wait with it. */
	job_start(&p, &q, OP_POP_TIMED, 0); /* deadline an hour away */
	await_waiters(&q, 0, 1, 0);
	v = 42;
	bq_push(&q, &v);
	job_join(&p);
	is_int(p.rc, 0, "pop_timed with a far deadline gets the element pushed meanwhile");
	is_int(p.value, 42, "the element");
	bq_destroy(&q);
}

/*
 * Signal one waiter per element: a consumer blocked on an empty queue gets exactly one signal
 * per element and no broadcast; a producer blocked on a full one gets one per freed slot. The
 * main thread waits until the other thread is blocked before each step, so the counts are exact.
 */
static void test_stats_signal_per_item(void)
{
	enum { N = 200 };
	uint64_t storage[1], v;
	struct bq_stats st;
	struct job c, p;
	struct bq q;
	int bad = 0;

	bq_init(&q, storage, 1, sizeof(v));
	for (int i = 0; i < N; i++) {
		job_start(&c, &q, OP_POP, 0);
		await_waiters(&q, 0, 1, 0);
		v = (uint64_t)i;
		bq_push(&q, &v);
		job_join(&c);
		bad += c.rc != 0 || c.value != (uint64_t)i;
	}
	is_int(bad, 0, "%d elements each handed to a blocked consumer", N);
	bq_stats_read(&q, &st);
	is_int(st.signals, N, "exactly one signal per element");
	is_int(st.broadcasts, 0, "no broadcast");
	is_int(st.consumer_waits, st.wakeups, "every wait returned");
	is_int(st.wakeups - st.spurious_wakeups, N, "one useful wakeup per element");
	is_int(st.producer_waits, 0, "the producer never waited");
	bq_destroy(&q);

	bq_init(&q, storage, 1, sizeof(v));
	v = 0;
	bq_push(&q, &v);
	for (int i = 0; i < N; i++) {
		job_start(&p, &q, OP_PUSH, (uint64_t)i + 1);
		await_waiters(&q, 1, 0, 1);
		bq_pop(&q, &v);
		job_join(&p);
		bad += p.rc != 0 || v != (uint64_t)i;
	}
	is_int(bad, 0, "%d slots each handed to a blocked producer", N);
	bq_stats_read(&q, &st);
	is_int(st.signals, N, "exactly one signal per freed slot");
	is_int(st.broadcasts, 0, "no broadcast");
	is_int(st.wakeups - st.spurious_wakeups, N, "one useful wakeup per slot");
	bq_destroy(&q);
}

struct pump {
	struct bq *q;
	uint64_t n, sum;
	int rc;
};

static void *pump_producer(void *arg)
{
	struct pump *pp = arg;

	for (uint64_t i = 0; i < pp->n; i++) {
		pp->rc = bq_push(pp->q, &i);
		if (pp->rc)
			break;
	}
	return NULL;
}

/* 1P1C through capacity 1, free-running: the counters add up and close is the only broadcast. */
static void test_stats_free_running(void)
{
	const uint64_t n = 20000 / SCALE;
	uint64_t storage[1], v, sum = 0, got = 0;
	struct pump pp = {.n = n};
	struct bq_stats st;
	pthread_t tid;
	struct bq q;

	bq_init(&q, storage, 1, sizeof(v));
	pp.q = &q;
	pthread_create(&tid, NULL, pump_producer, &pp);
	for (got = 0; got < n && bq_pop(&q, &v) == 0; got++)
		sum += v;
	pthread_join(tid, NULL);
	bq_stats_read(&q, &st);
	diag("1P1C cap 1, %llu items: pushes %llu pops %llu producer_waits %llu consumer_waits %llu wakeups "
	     "%llu "
	     "spurious %llu signals %llu broadcasts %llu",
	     (unsigned long long)n, (unsigned long long)st.pushes, (unsigned long long)st.pops,
	     (unsigned long long)st.producer_waits, (unsigned long long)st.consumer_waits,
	     (unsigned long long)st.wakeups, (unsigned long long)st.spurious_wakeups,
	     (unsigned long long)st.signals, (unsigned long long)st.broadcasts);
	is_int(got, n, "all %llu elements arrived", (unsigned long long)n);
	is_int(sum, n * (n - 1) / 2, "their sum is right");
	ok(st.pushes == n && st.pops == n, "stats: pushes and pops");
	is_int(st.broadcasts, 0, "no broadcast before close");
	ok(st.signals <= st.pushes + st.pops, "at most one signal per push or pop (%llu <= %llu)",
	   (unsigned long long)st.signals, (unsigned long long)(st.pushes + st.pops));
	is_int(st.wakeups, st.producer_waits + st.consumer_waits, "every wait returned once");
	ok(st.spurious_wakeups <= st.wakeups, "spurious wakeups are wakeups");
	bq_close(&q);
	bq_stats_read(&q, &st);
	is_int(st.broadcasts, 0, "close with nobody waiting broadcasts nothing");
	bq_destroy(&q);
}

/* Many more threads than CPUs, through a small queue; every element arrives exactly once. */
enum { MANY = 16, MANY_ITEMS = 4000 / SCALE };
static atomic_uchar many_seen[MANY * MANY_ITEMS];

static void *many_producer(void *arg)
{
	struct pump *pp = arg;

	for (uint64_t i = 0; i < MANY_ITEMS; i++) {
		uint64_t v = pp->n * MANY_ITEMS + i;
		if ((pp->rc = bq_push(pp->q, &v)) != 0)
			break;
	}
	return NULL;
}

static void *many_consumer(void *arg)
{
	struct pump *pp = arg;
	uint64_t v;

	while ((pp->rc = bq_pop(pp->q, &v)) == 0) {
		if (v < MANY * MANY_ITEMS)
			atomic_fetch_add_explicit(&many_seen[v], 1, memory_order_relaxed);
		pp->n++;
	}
	return NULL;
}

static void test_many_threads(void)
{
	uint64_t storage[4], total = 0;
	struct pump p[MANY], c[MANY];
	pthread_t pt[MANY], ct[MANY];
	int bad = 0, once = 0;
	struct bq_stats st;
	struct bq q;

	bq_init(&q, storage, 4, sizeof(uint64_t));
	for (int i = 0; i < MANY; i++) {
		c[i] = (struct pump){.q = &q};
		p[i] = (struct pump){.q = &q, .n = (uint64_t)i};
		pthread_create(&ct[i], NULL, many_consumer, &c[i]);
		pthread_create(&pt[i], NULL, many_producer, &p[i]);
	}
	for (int i = 0; i < MANY; i++) {
		pthread_join(pt[i], NULL);
		bad += p[i].rc != 0;
	}
	bq_close(&q);
	for (int i = 0; i < MANY; i++) {
		pthread_join(ct[i], NULL);
		bad += c[i].rc != -EPIPE;
		total += c[i].n;
	}
	for (int i = 0; i < MANY * MANY_ITEMS; i++)
		once += atomic_load(&many_seen[i]) == 1;
	is_int(bad, 0, "%d producers pushed, %d consumers ended with -EPIPE", MANY, MANY);
	is_int(total, MANY * MANY_ITEMS, "%d elements popped", MANY * MANY_ITEMS);
	is_int(once, MANY * MANY_ITEMS, "each exactly once");
	bq_stats_read(&q, &st);
	diag("16x16 cap 4: waits %llu+%llu wakeups %llu spurious %llu signals %llu broadcasts %llu",
	     (unsigned long long)st.producer_waits, (unsigned long long)st.consumer_waits,
	     (unsigned long long)st.wakeups, (unsigned long long)st.spurious_wakeups,
	     (unsigned long long)st.signals, (unsigned long long)st.broadcasts);
	ok(st.broadcasts <= 1, "at most the close broadcast");
	bq_destroy(&q);
}

int main(void)
{
	watchdog_arm(WATCHDOG_S);
	test_init_errors();
	test_fifo();
	test_odd_elements();
	test_try();
	test_capacity_one();
	test_close_wakes_consumers();
	test_close_wakes_producers();
	test_drain_after_close();
	test_close_race();
	test_abort();
	test_timed();
	test_stats_signal_per_item();
	test_stats_free_running();
	test_many_threads();
	return done_testing();
}
