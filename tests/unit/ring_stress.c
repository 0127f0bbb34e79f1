/* SPDX-License-Identifier: MIT */
/* Stress test of ring: threads x items through SPSC and MPMC rings; every item arrives once, in order. */
#include <syslab/ring.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "tap.h"


/* Items per scenario: sanitizers make every atomic operation some 10x slower. */
#define ITEMS (TAP_SANITIZED ? UINT64_C(100000) : UINT64_C(2000000))

/* No single wait should come near this; reaching it means a lost wake-up. */
static const struct timespec wait_limit = {30, 0};

/* An item: who made it, its number, and a check over both, to catch torn copies. */
struct item {
	uint64_t seq;
	uint32_t producer;
	uint32_t check;
};

static uint32_t item_check(uint32_t producer, uint64_t seq)
{
	uint64_t x =
		(seq + 1) * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)producer * UINT64_C(0xbf58476d1ce4e5b9);
	return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic per thread, seeded from the scenario and the thread id */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static unsigned rng_upto(uint64_t *s, unsigned n)
{
	return 1 + (unsigned)(rng_next(s) % n);
}

enum kind { SPSC, MPMC };
enum mode { SINGLE, BATCH, ZEROCOPY, WAIT };
static const char *const mode_names[] = {"single", "batch", "zero-copy", "wait"};

/* One scenario: a ring, its threads, and what they saw. The test's own atomics are seq_cst: the
 * ring is under test, not the bookkeeping. */
struct scenario {
	enum kind kind;
	enum mode mode;
	int nprod, ncons;
	uint64_t per_producer;
	uint32_t capacity;
	struct ring_spsc *s;
	struct ring_mpmc *m;
	void *buf;
	_Atomic uint64_t consumed;  /* items recorded so far, all consumers */
	_Atomic uint64_t *seen;     /* bit producer * per_producer + seq: delivered */
	_Atomic uint64_t corrupt;   /* items whose fields do not match their check */
	_Atomic uint64_t duplicate; /* items delivered twice */
	_Atomic uint64_t disorder;  /* items of a producer older than one this consumer saw */
	_Atomic uint64_t failed;    /* unexpected return codes */
	_Atomic int producers_left;
};

struct worker {
	struct scenario *sc;
	int id;
	uint64_t rng;
	int64_t *last; /* consumer: the last seq seen from each producer */
	int rc;        /* consumer in WAIT mode: how its last pop_wait returned */
	pthread_t thread;
};

static struct item make_item(int producer, uint64_t seq)
{
	return (struct item){
		.seq = seq, .producer = (uint32_t)producer, .check = item_check((uint32_t)producer, seq)};
}

static void record(struct worker *w, const struct item *it)
{
	struct scenario *sc = w->sc;

	if (it->producer >= (uint32_t)sc->nprod || it->seq >= sc->per_producer ||
	    it->check != item_check(it->producer, it->seq)) {
		atomic_fetch_add(&sc->corrupt, 1);
		return;
	}
	/* A lone consumer sees each producer's items consecutively; several see increasing runs. */
	int64_t last = w->last[it->producer];
	if (sc->ncons == 1 ? (int64_t)it->seq != last + 1 : (int64_t)it->seq <= last)
		atomic_fetch_add(&sc->disorder, 1);
	w->last[it->producer] = (int64_t)it->seq;
	uint64_t bit = (uint64_t)it->producer * sc->per_producer + it->seq;
	if (atomic_fetch_or(&sc->seen[bit / 64], UINT64_C(1) << (bit % 64)) & (UINT64_C(1) << (bit % 64)))
		atomic_fetch_add(&sc->duplicate, 1);
	atomic_fetch_add(&sc->consumed, 1);
}

static bool all_consumed(struct scenario *sc)
{
	return atomic_load(&sc->consumed) >= sc->per_producer * (uint64_t)sc->nprod;
}

static bool try_push(struct scenario *sc, const struct item *it)
{
	return sc->kind == SPSC ? ring_spsc_push(sc->s, sc->buf, it) : ring_mpmc_push_try(sc->m, sc->buf, it);
}

static bool try_pop(struct scenario *sc, struct item *it)
{
	return sc->kind == SPSC ? ring_spsc_pop(sc->s, sc->buf, it) : ring_mpmc_pop_try(sc->m, sc->buf, it);
}

static unsigned push_batch(struct scenario *sc, struct worker *w, const struct item *its, unsigned n)
{
	if (sc->kind == MPMC)
		return ring_mpmc_push_batch(sc->m, sc->buf, its, n);
	/* SPSC: alternate as-many-as-fit with all-or-nothing. */
	if (rng_next(&w->rng) & 1)
		return ring_spsc_push_batch(sc->s, sc->buf, its, n);
	return ring_spsc_push_all(sc->s, sc->buf, its, n) ? n : 0;
}

static unsigned pop_batch(struct scenario *sc, struct worker *w, struct item *its, unsigned n)
{
	if (sc->kind == MPMC)
		return ring_mpmc_pop_batch(sc->m, sc->buf, its, n);
	if (rng_next(&w->rng) & 1)
		return ring_spsc_pop_batch(sc->s, sc->buf, its, n);
	/* pop_all of what is surely still to come, so the last items do not wait for company. */
	uint64_t left = sc->per_producer - (uint64_t)(w->last[0] + 1);
	if (n > left)
		n = (unsigned)left;
	return ring_spsc_pop_all(sc->s, sc->buf, its, n) ? n : 0;
}

static void producer_single(struct worker *w)
{
	struct scenario *sc = w->sc;
	for (uint64_t q = 0; q < sc->per_producer; q++) {
		struct item it = make_item(w->id, q);
		while (!try_push(sc, &it))
			sched_yield();
	}
}

static void producer_batch(struct worker *w)
{
	struct scenario *sc = w->sc;
	struct item its[64];
	for (uint64_t q = 0; q < sc->per_producer;) {
		unsigned n = rng_upto(&w->rng, 64);
		if (n > sc->per_producer - q)
			n = (unsigned)(sc->per_producer - q);
		for (unsigned i = 0; i < n; i++)
			its[i] = make_item(w->id, q + i);
		for (unsigned done = 0; done < n;) {
			unsigned k = push_batch(sc, w, its + done, n - done);
			if (k == 0)
				sched_yield();
			done += k;
		}
		q += n;
	}
}

/* SPSC only: reserve, write in place, commit all or part of the grant. */
static void producer_zerocopy(struct worker *w)
{
	struct scenario *sc = w->sc;
	for (uint64_t q = 0; q < sc->per_producer;) {
		unsigned n = rng_upto(&w->rng, 64);
		if (n > sc->per_producer - q)
			n = (unsigned)(sc->per_producer - q);
		struct item *slot = ring_spsc_reserve(sc->s, sc->buf, &n);
		if (!slot) {
			sched_yield();
			continue;
		}
		unsigned use = rng_upto(&w->rng, n);
		for (unsigned i = 0; i < use; i++)
			slot[i] = make_item(w->id, q + i);
		ring_spsc_commit(sc->s, use);
		q += use;
	}
}

static void producer_wait(struct worker *w)
{
	struct scenario *sc = w->sc;
	for (uint64_t q = 0; q < sc->per_producer; q++) {
		struct item it = make_item(w->id, q);
		int rc = sc->kind == SPSC ? ring_spsc_push_wait(sc->s, sc->buf, &it, &wait_limit)
					  : ring_mpmc_push_wait(sc->m, sc->buf, &it, &wait_limit);
		if (rc != 0) {
			atomic_fetch_add(&sc->failed, 1);
			return;
		}
	}
}

static void *producer(void *arg)
{
	struct worker *w = arg;
	switch (w->sc->mode) {
	case SINGLE:
		producer_single(w);
		break;
	case BATCH:
		producer_batch(w);
		break;
	case ZEROCOPY:
		producer_zerocopy(w);
		break;
	case WAIT:
		producer_wait(w);
		break;
	}
	atomic_fetch_sub(&w->sc->producers_left, 1);
	return NULL;
}

static void *consumer(void *arg)
{
	struct worker *w = arg;
	struct scenario *sc = w->sc;
	struct item its[64];

	for (;;) {
		unsigned got = 0;
		if (sc->mode == SINGLE) {
			got = try_pop(sc, its);
		} else if (sc->mode == BATCH) {
			got = pop_batch(sc, w, its, rng_upto(&w->rng, 64));
		} else if (sc->mode == ZEROCOPY) {
			unsigned n = rng_upto(&w->rng, 64);
			const struct item *slot = ring_spsc_peek(sc->s, sc->buf, &n);
			if (slot) {
				got = rng_upto(&w->rng, n);
				memcpy(its, slot, got * sizeof(*its));
				ring_spsc_release(sc->s, got);
			}
		} else {
			/* WAIT: until stopped and drained; the count of items is checked after. */
			w->rc = sc->kind == SPSC ? ring_spsc_pop_wait(sc->s, sc->buf, its, &wait_limit)
						 : ring_mpmc_pop_wait(sc->m, sc->buf, its, &wait_limit);
			if (w->rc != 0)
				break;
			got = 1;
		}
		for (unsigned i = 0; i < got; i++)
			record(w, &its[i]);
		if (got == 0) {
			if (all_consumed(sc))
				break;
			sched_yield();
		}
	}
	return NULL;
}

/* aligned_alloc wants a multiple of the alignment. */
static void *alloc_storage(size_t n)
{
	return aligned_alloc(RING_LINE, (n + RING_LINE - 1) / RING_LINE * RING_LINE);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits (at most 20 s) until n threads wait on e; false if they never do. */
static bool await_waiters(struct ring_evc *e, uint32_t n)
{
	for (int i = 0; i < 20000; i++) {
		if (atomic_load(&e->waiters) >= n)
			return true;
		struct timespec ms = {0, 1000000L};
		nanosleep(&ms, NULL);
	}
	return false;
}

/* Pins a thread to the first CPU this process may use; false when it cannot. */
static bool pin_first_cpu(pthread_t t)
{
	cpu_set_t set, one;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return false;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &set)) {
			CPU_ZERO(&one);
			CPU_SET(c, &one);
			return pthread_setaffinity_np(t, sizeof(one), &one) == 0;
		}
	}
	return false;
}

struct plan {
	enum kind kind;
	enum mode mode;
	int nprod, ncons;
	uint64_t items;
	uint32_t capacity;
	bool one_cpu;  /* both threads on one CPU: every hand-off goes through the futex */
	bool shutdown; /* consumers asleep before producers start and again before stop */
};

static void run(const struct plan *p)
{
	struct scenario sc = {.kind = p->kind,
			      .mode = p->mode,
			      .nprod = p->nprod,
			      .ncons = p->ncons,
			      .per_producer = p->items / (uint64_t)p->nprod,
			      .capacity = p->capacity};
	struct ring_spsc s;
	struct ring_mpmc m;
	uint64_t total = sc.per_producer * (uint64_t)p->nprod;
	size_t words = (size_t)(total + 63) / 64;
	struct worker *ws = calloc((size_t)(p->nprod + p->ncons), sizeof(*ws));
	char name[96];
	bool ok_threads = true;

	snprintf(name, sizeof(name), "%s %s %dx%d%s%s", p->kind == SPSC ? "spsc" : "mpmc",
		 mode_names[p->mode], p->nprod, p->ncons, p->one_cpu ? " one-cpu" : "",
		 p->shutdown ? " shutdown" : "");
	sc.seen = calloc(words, sizeof(*sc.seen));
	if (p->kind == SPSC) {
		sc.buf = alloc_storage(ring_spsc_storage_size(p->capacity, sizeof(struct item)));
		ring_spsc_init(&s, p->capacity, sizeof(struct item));
		sc.s = &s;
	} else {
		sc.buf = alloc_storage(ring_mpmc_storage_size(p->capacity, sizeof(struct item)));
		ring_mpmc_init(&m, sc.buf, p->capacity, sizeof(struct item));
		sc.m = &m;
	}
	if (!ws || !sc.seen || !sc.buf) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	atomic_init(&sc.producers_left, p->nprod);
	struct ring_evc *not_empty = p->kind == SPSC ? &s.not_empty : &m.not_empty;

	double t0 = now_s();
	for (int i = 0; i < p->nprod + p->ncons; i++) {
		struct worker *w = &ws[i];
		w->sc = &sc;
		w->id = i < p->nprod ? i : i - p->nprod;
		w->rng = UINT64_C(0x1234567) * (uint64_t)(i + 1) + (uint64_t)p->mode * 977 +
			 (uint64_t)p->nprod;
		w->last = malloc((size_t)p->nprod * sizeof(*w->last));
		for (int j = 0; j < p->nprod; j++)
			w->last[j] = -1;
	}
	/* Consumers first, so that in the shutdown scenario they are asleep before anything comes. */
	for (int i = p->nprod; i < p->nprod + p->ncons; i++)
		ok_threads &= pthread_create(&ws[i].thread, NULL, consumer, &ws[i]) == 0;
	if (p->shutdown)
		ok(await_waiters(not_empty, (uint32_t)p->ncons),
		   "%s: all %d consumers asleep before any push", name, p->ncons);
	for (int i = 0; i < p->nprod; i++)
		ok_threads &= pthread_create(&ws[i].thread, NULL, producer, &ws[i]) == 0;
	if (p->one_cpu) {
		bool pinned = true;
		for (int i = 0; i < p->nprod + p->ncons; i++)
			pinned &= pin_first_cpu(ws[i].thread);
		if (!pinned)
			diag("%s: could not pin the threads to one CPU; they run where they may", name);
	}
	for (int i = 0; i < p->nprod; i++)
		pthread_join(ws[i].thread, NULL);
	if (p->mode == WAIT) {
		if (p->shutdown)
			ok(await_waiters(not_empty, (uint32_t)p->ncons),
			   "%s: all %d consumers asleep again before stop", name, p->ncons);
		if (p->kind == SPSC)
			ring_spsc_stop(&s);
		else
			ring_mpmc_stop(&m);
	}
	for (int i = p->nprod; i < p->nprod + p->ncons; i++)
		pthread_join(ws[i].thread, NULL);
	double dt = now_s() - t0;

	uint64_t missing = 0;
	for (size_t i = 0; i < words; i++) {
		uint64_t want =
			i + 1 < words || total % 64 == 0 ? ~UINT64_C(0) : (UINT64_C(1) << (total % 64)) - 1;
		missing += (uint64_t)__builtin_popcountll(want & ~atomic_load(&sc.seen[i]));
	}
	ok(ok_threads, "%s: threads started", name);
	ok(missing == 0 && atomic_load(&sc.consumed) == total, "%s: all %llu items delivered (%llu missing)",
	   name, (unsigned long long)total, (unsigned long long)missing);
	is_int(atomic_load(&sc.duplicate), 0, "%s: none twice", name);
	is_int(atomic_load(&sc.corrupt), 0, "%s: none torn", name);
	is_int(atomic_load(&sc.disorder), 0, "%s: each producer's items in order at every consumer", name);
	is_int(atomic_load(&sc.failed), 0, "%s: no push_wait failed", name);
	if (p->mode == WAIT) {
		int cancelled = 0;
		for (int i = p->nprod; i < p->nprod + p->ncons; i++)
			cancelled += ws[i].rc == -ECANCELED;
		is_int(cancelled, p->ncons, "%s: every consumer ended with -ECANCELED after the stop", name);
		diag("%s: %llu items in %.2f s; futex wake-ups of consumers %u, producers %u", name,
		     (unsigned long long)total, dt,
		     atomic_load(p->kind == SPSC ? &s.not_empty.epoch : &m.not_empty.epoch),
		     atomic_load(p->kind == SPSC ? &s.not_full.epoch : &m.not_full.epoch));
	} else {
		diag("%s: %llu items in %.2f s", name, (unsigned long long)total, dt);
	}
	for (int i = 0; i < p->nprod + p->ncons; i++)
		free(ws[i].last);
	free(ws);
	free(sc.seen);
	free(sc.buf);
}

/*
 * Ping-pong: a client sends a number and waits for it to come back, an echo thread returns it.
 * Each hand-off is the only event its waiter will get, so a lost wake-up shows as a wait that
 * runs into its limit, which the bulk scenarios (where the next item would wake a sleeper
 * anyway) cannot show.
 */
struct pingpong {
	enum kind kind;
	struct ring_spsc s[2]; /* [0] requests, [1] replies */
	struct ring_mpmc m[2];
	void *buf[2];
	uint64_t rounds;
	uint64_t bad; /* client: wrong values or failed waits */
	int echo_rc;  /* how the echo thread's last pop_wait returned */
};

static int pp_push(struct pingpong *pp, int dir, const uint64_t *v)
{
	return pp->kind == SPSC ? ring_spsc_push_wait(&pp->s[dir], pp->buf[dir], v, &wait_limit)
				: ring_mpmc_push_wait(&pp->m[dir], pp->buf[dir], v, &wait_limit);
}

static int pp_pop(struct pingpong *pp, int dir, uint64_t *v)
{
	return pp->kind == SPSC ? ring_spsc_pop_wait(&pp->s[dir], pp->buf[dir], v, &wait_limit)
				: ring_mpmc_pop_wait(&pp->m[dir], pp->buf[dir], v, &wait_limit);
}

static void *pp_client(void *arg)
{
	struct pingpong *pp = arg;
	for (uint64_t i = 0; i < pp->rounds && pp->bad == 0; i++) {
		uint64_t v = ~i;
		pp->bad += pp_push(pp, 0, &i) != 0;
		pp->bad += pp_pop(pp, 1, &v) != 0 || v != i;
	}
	return NULL;
}

static void *pp_echo(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t v;
	while ((pp->echo_rc = pp_pop(pp, 0, &v)) == 0)
		if (pp_push(pp, 1, &v) != 0)
			break;
	return NULL;
}

static void run_pingpong(enum kind kind, uint64_t rounds, bool one_cpu)
{
	struct pingpong pp = {.kind = kind, .rounds = rounds};
	const char *name = kind == SPSC ? "spsc" : "mpmc";
	pthread_t client, echo;

	for (int d = 0; d < 2; d++) {
		if (kind == SPSC) {
			pp.buf[d] = alloc_storage(ring_spsc_storage_size(2, 8));
			ring_spsc_init(&pp.s[d], 2, 8);
		} else {
			pp.buf[d] = alloc_storage(ring_mpmc_storage_size(2, 8));
			ring_mpmc_init(&pp.m[d], pp.buf[d], 2, 8);
		}
	}
	double t0 = now_s();
	bool started = pthread_create(&echo, NULL, pp_echo, &pp) == 0;
	started &= pthread_create(&client, NULL, pp_client, &pp) == 0;
	if (!started) {
		printf("Bail out! pthread_create failed\n");
		exit(1);
	}
	if (one_cpu && !(pin_first_cpu(echo) && pin_first_cpu(client)))
		diag("%s ping-pong: could not pin the threads to one CPU", name);
	pthread_join(client, NULL);
	if (kind == SPSC)
		ring_spsc_stop(&pp.s[0]);
	else
		ring_mpmc_stop(&pp.m[0]);
	pthread_join(echo, NULL);
	is_int(pp.bad, 0, "%s ping-pong%s: %llu round trips through _wait, none lost", name,
	       one_cpu ? " one-cpu" : "", (unsigned long long)rounds);
	is_int(pp.echo_rc, -ECANCELED, "%s ping-pong%s: the echo thread ends with -ECANCELED", name,
	       one_cpu ? " one-cpu" : "");
	diag("%s ping-pong%s: %llu round trips in %.2f s", name, one_cpu ? " one-cpu" : "",
	     (unsigned long long)rounds, now_s() - t0);
	free(pp.buf[0]);
	free(pp.buf[1]);
}

int main(void)
{
	const uint64_t n = ITEMS;
	const int pc[4] = {1, 2, 4, 8};
	double t0 = now_s();

	diag("%llu items per scenario%s", (unsigned long long)n,
	     TAP_SANITIZED ? " (sanitizer build)" : "");
	run(&(struct plan){SPSC, SINGLE, 1, 1, n, 64, false, false});
	run(&(struct plan){SPSC, BATCH, 1, 1, n, 64, false, false});
	run(&(struct plan){SPSC, ZEROCOPY, 1, 1, n, 64, false, false});
	run(&(struct plan){SPSC, WAIT, 1, 1, n / 10, 2, false, false});
	run(&(struct plan){SPSC, WAIT, 1, 1, n / 20, 2, true, false});
	for (int i = 0; i < 4; i++) {
		run(&(struct plan){MPMC, SINGLE, pc[i], pc[i], n, 64, false, false});
		run(&(struct plan){MPMC, BATCH, pc[i], pc[i], n, 64, false, false});
		run(&(struct plan){MPMC, WAIT, pc[i], pc[i], n / 10, 8, false, false});
	}
	run(&(struct plan){MPMC, WAIT, 4, 4, n / 10, 8, false, true});
	run_pingpong(SPSC, n / 40, false);
	run_pingpong(SPSC, n / 40, true);
	run_pingpong(MPMC, n / 40, false);
	run_pingpong(MPMC, n / 40, true);
	diag("all scenarios in %.1f s", now_s() - t0);
	return done_testing();
}
