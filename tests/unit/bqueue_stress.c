/* SPDX-License-Identifier: MIT */
/* Stress test of bqueue: producers x consumers x items, exactly-once delivery, shutdown while busy. */
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

/* Sanitizers slow every lock and wait 5-20x: move fewer items under them. */
#if TAP_SANITIZED
#define ITEMS 40000 /* per scenario, all producers together */
#else
#define ITEMS 60000
#endif

#define WATCHDOG_S 540 /* a hang fails the program, inside tests/run.sh's 600 s timeout */
#define SEED       0x5eedb0b0ull

/* What flows through the queue; check catches an element torn or mixed with another. */
struct item {
	uint32_t producer;
	uint32_t check;
	uint64_t seq;
};

/* How the threads call the queue. */
enum mode {
	MODE_BLOCK, /* bq_push / bq_pop */
	MODE_TIMED, /* bq_*_timed with deadlines of 1-256 us, retried on -ETIMEDOUT */
	MODE_MIXED, /* each call picks blocking, try (then timed) or timed at random */
};

/* How a scenario ends. */
enum end {
	END_DRAIN, /* producers push all their items, then the main thread closes */
	END_CLOSE, /* a consumer closes the queue mid-stream, producers still pushing */
	END_ABORT, /* a consumer aborts the queue mid-stream */
};

static const char *const mode_name[] = {"block", "timed", "mixed"};
static const char *const end_name[] = {"drain", "close", "abort"};

struct run {
	struct bq q;
	unsigned nprod, ncons;
	size_t capacity;
	uint64_t items;    /* per producer: all of them (END_DRAIN), or at most (the others) */
	uint64_t close_at; /* the pop that closes or aborts, counted over all consumers */
	enum mode mode;
	enum end end;
	atomic_uchar *seen; /* deliveries of item (p, s) at [p * items + s] */
	atomic_uint_fast64_t popped;
};

struct worker {
	struct run *r;
	unsigned id;
	pthread_t tid;
	uint64_t rng;
	uint64_t done;     /* successful pushes, or pops */
	uint64_t timeouts; /* timed calls that expired and were retried */
	uint64_t *last;    /* consumer: 1 + the last seq seen of each producer, 0 before the first */
	uint64_t disorder, corrupt;
	int rc; /* what ended the thread's loop */
};

static uint32_t item_check(uint32_t producer, uint64_t seq)
{
	return (uint32_t)((seq ^ ((uint64_t)producer << 40)) * 0x9e3779b97f4a7c15ull >> 32);
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A deadline 1-256 us away: short enough that many calls time out and retry. */
static struct timespec short_deadline(struct worker *w)
{
	uint64_t t = now_ns() + 1000 * (1 + splitmix64(&w->rng) % 256);
	return (struct timespec){.tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull)};
}

enum call { CALL_BLOCK, CALL_TRY, CALL_TIMED };

/* The next call's kind; after a failed try, a timed call, so nobody spins. */
static enum call pick(struct worker *w, bool after_try)
{
	if (w->r->mode == MODE_BLOCK)
		return CALL_BLOCK;
	if (w->r->mode == MODE_TIMED || after_try)
		return CALL_TIMED;
	return (enum call)(splitmix64(&w->rng) % 3);
}

/* One push or pop as the mode says: 0 or -EPIPE, never -EAGAIN or -ETIMEDOUT (retried). */
static int transfer(struct worker *w, struct item *it, bool push)
{
	struct bq *q = &w->r->q;
	bool after_try = false;
	struct timespec d;
	int rc;

	for (;;) {
		switch (pick(w, after_try)) {
		case CALL_BLOCK:
			return push ? bq_push(q, it) : bq_pop(q, it);
		case CALL_TRY:
			rc = push ? bq_push_try(q, it) : bq_pop_try(q, it);
			if (rc != -EAGAIN)
				return rc;
			after_try = true;
			break;
		case CALL_TIMED:
			d = short_deadline(w);
			rc = push ? bq_push_timed(q, it, &d) : bq_pop_timed(q, it, &d);
			if (rc != -ETIMEDOUT)
				return rc;
			w->timeouts++;
			after_try = false;
			break;
		}
	}
}

static void *producer_main(void *arg)
{
	struct worker *w = arg;
	struct item it = {.producer = w->id};

	w->rc = 0;
	for (it.seq = 0; it.seq < w->r->items; it.seq++) {
		it.check = item_check(it.producer, it.seq);
		w->rc = transfer(w, &it, true);
		if (w->rc)
			break;
		w->done++;
	}
	return NULL;
}

/* Records one delivery: in range, intact, after the producer's previous one as this consumer saw it. */
static void consume(struct worker *w, const struct item *it)
{
	struct run *r = w->r;

	if (it->producer >= r->nprod || it->seq >= r->items ||
	    it->check != item_check(it->producer, it->seq)) {
		w->corrupt++;
		return;
	}
	atomic_fetch_add_explicit(&r->seen[it->producer * r->items + it->seq], 1, memory_order_relaxed);
	if (it->seq + 1 <= w->last[it->producer])
		w->disorder++;
	w->last[it->producer] = it->seq + 1;
}

static void *consumer_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct item it;

	while ((w->rc = transfer(w, &it, false)) == 0) {
		consume(w, &it);
		w->done++;
		/* Exactly one consumer makes pop number close_at, and ends the run right there. */
		if (atomic_fetch_add_explicit(&r->popped, 1, memory_order_relaxed) + 1 == r->close_at) {
			if (r->end == END_CLOSE)
				bq_close(&r->q);
			else if (r->end == END_ABORT)
				bq_abort(&r->q);
		}
	}
	return NULL;
}

struct tally {
	uint64_t pushed, popped, timeouts, disorder, corrupt, cut_off;
	unsigned bad_rc;
};

/* Checks the deliveries against what each producer pushed; returns the number of wrong ones. */
static uint64_t check_seen(const struct run *r, const struct worker *prod)
{
	uint64_t wrong = 0;

	for (unsigned p = 0; p < r->nprod; p++) {
		for (uint64_t s = 0; s < r->items; s++) {
			unsigned n = atomic_load_explicit(&r->seen[p * r->items + s], memory_order_relaxed);
			bool pushed = s < prod[p].done;
			if (r->end == END_ABORT)
				wrong += n > 1 || (n == 1 && !pushed); /* discarded ones are allowed */
			else
				wrong += n != (unsigned)pushed;
		}
	}
	return wrong;
}

static void tally_workers(const struct run *r, const struct worker *prod, const struct worker *cons,
			  struct tally *t)
{
	*t = (struct tally){0};
	for (unsigned i = 0; i < r->nprod; i++) {
		t->pushed += prod[i].done;
		t->timeouts += prod[i].timeouts;
		t->cut_off += prod[i].rc == -EPIPE;
		/* A producer ends with 0 after all its items, or -EPIPE when cut off by close/abort. */
		t->bad_rc += !(prod[i].rc == 0 && prod[i].done == r->items) &&
			     !(r->end != END_DRAIN && prod[i].rc == -EPIPE);
	}
	for (unsigned i = 0; i < r->ncons; i++) {
		t->popped += cons[i].done;
		t->timeouts += cons[i].timeouts;
		t->disorder += cons[i].disorder;
		t->corrupt += cons[i].corrupt;
		t->bad_rc += cons[i].rc != -EPIPE;
	}
}

static int start(struct worker *w, struct run *r, unsigned id, void *(*fn)(void *), uint64_t seed)
{
	*w = (struct worker){.r = r, .id = id, .rng = seed};
	if (fn == consumer_main) {
		w->last = calloc(r->nprod, sizeof(*w->last));
		if (!w->last)
			return -ENOMEM;
	}
	return -pthread_create(&w->tid, NULL, fn, w);
}

/* One scenario, one TAP line; details as diagnostics, more of them when it fails. */
static void scenario(unsigned nprod, unsigned ncons, size_t capacity, enum mode mode, enum end end)
{
	static unsigned scenario_no;
	struct worker *prod = calloc(nprod, sizeof(*prod)), *cons = calloc(ncons, sizeof(*cons));
	struct item *storage = calloc(capacity, sizeof(*storage));
	struct run r = {.nprod = nprod, .ncons = ncons, .capacity = capacity, .mode = mode, .end = end};
	uint64_t seed = SEED + 1000003ull * ++scenario_no, t0 = now_ns(), wrong;
	struct bq_stats st;
	struct tally t;
	bool pass;

	/*
	 * Capacity 1 costs a context switch or two per element: a fifth of the elements keeps the
	 * time bounded. Mid-stream ends come at half the elements; producers could each push all
	 * of them, so they are still busy then.
	 */
	uint64_t n = capacity == 1 ? ITEMS / 5 : ITEMS;
	r.items = end == END_DRAIN ? n / nprod : n;
	r.close_at = end == END_DRAIN ? 0 : n / 2;
	r.seen = calloc(nprod * r.items, sizeof(*r.seen));
	if (!prod || !cons || !storage || !r.seen || bq_init(&r.q, storage, capacity, sizeof(struct item)))
		skip_all("out of memory");
	for (unsigned i = 0; i < ncons; i++)
		if (start(&cons[i], &r, i, consumer_main, splitmix64(&seed)))
			skip_all("cannot start consumer %u", i);
	for (unsigned i = 0; i < nprod; i++)
		if (start(&prod[i], &r, i, producer_main, splitmix64(&seed)))
			skip_all("cannot start producer %u", i);
	for (unsigned i = 0; i < nprod; i++)
		pthread_join(prod[i].tid, NULL);
	/* Drain: the end of input. Otherwise a no-op unless every producer finished before pop close_at. */
	bq_close(&r.q);
	for (unsigned i = 0; i < ncons; i++)
		pthread_join(cons[i].tid, NULL);

	tally_workers(&r, prod, cons, &t);
	wrong = check_seen(&r, prod);
	bq_stats_read(&r.q, &st);
	pass = wrong == 0 && t.disorder == 0 && t.corrupt == 0 && t.bad_rc == 0 && bq_count(&r.q) == 0 &&
	       st.pushes == t.pushed && st.pops == t.popped &&
	       (end == END_ABORT ? t.pushed - t.popped <= capacity : t.pushed == t.popped);
	ok(pass, "%2ux%-2u cap %-4zu %s/%s: %llu pushed, %llu popped, each once and in order", nprod, ncons,
	   capacity, mode_name[mode], end_name[end], (unsigned long long)t.pushed,
	   (unsigned long long)t.popped);
	if (!pass)
		diag("  wrong deliveries %llu, disorder %llu, corrupt %llu, bad returns %u, left in queue "
		     "%zu",
		     (unsigned long long)wrong, (unsigned long long)t.disorder, (unsigned long long)t.corrupt,
		     t.bad_rc, bq_count(&r.q));
	diag("  %.0f ms; producers cut off %llu/%u; retried timeouts %llu; waits %llu+%llu, wakeups %llu "
	     "(spurious %llu), signals %llu, broadcasts %llu",
	     (double)(now_ns() - t0) / 1e6, (unsigned long long)t.cut_off, nprod,
	     (unsigned long long)t.timeouts, (unsigned long long)st.producer_waits,
	     (unsigned long long)st.consumer_waits, (unsigned long long)st.wakeups,
	     (unsigned long long)st.spurious_wakeups, (unsigned long long)st.signals,
	     (unsigned long long)st.broadcasts);

	bq_destroy(&r.q);
	for (unsigned i = 0; i < ncons; i++)
		free(cons[i].last);
	free(r.seen);
	free(storage);
	free(cons);
	free(prod);
}

static void watchdog_fired(int sig)
{
	static const char msg[] = "Bail out! watchdog: the stress test hung (a lost wakeup?)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

int main(void)
{
	static const unsigned shapes[][2] = {{1, 1}, {2, 2}, {4, 4}, {1, 8}, {8, 1}, {16, 16}};
	static const size_t caps[] = {1, 16, 1024};
	struct sigaction sa = {.sa_handler = watchdog_fired};
	uint64_t t0 = now_ns();

	sigaction(SIGALRM, &sa, NULL);
	alarm(WATCHDOG_S);
	setvbuf(stdout, NULL, _IOLBF, 0);
	diag("%d items per scenario, %d with capacity 1", ITEMS, ITEMS / 5);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
			scenario(shapes[s][0], shapes[s][1], caps[c], MODE_BLOCK, END_DRAIN);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
			scenario(shapes[s][0], shapes[s][1], caps[c], MODE_MIXED, END_DRAIN);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			scenario(shapes[s][0], shapes[s][1], caps[c], MODE_BLOCK, END_CLOSE);
			scenario(shapes[s][0], shapes[s][1], caps[c], MODE_TIMED, END_CLOSE);
		}
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		scenario(shapes[s][0], shapes[s][1], 16, MODE_MIXED, END_ABORT);
	diag("total %.1f s", (double)(now_ns() - t0) / 1e9);
	return done_testing();
}
