// SPDX-License-Identifier: MIT
/* dict: kvd's chained hash table with SipHash-1-2 keys and incremental rehashing (see dict.h). */
#include "dict.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DICT_MIN_SIZE 4
/* Shrink when fewer than this percentage of the buckets hold an entry (Redis's HASHTABLE_MIN_FILL). */
#define DICT_MIN_FILL 10

static uint8_t dict_key[16];
static uint64_t dict_rng = 0x9e3779b97f4a7c15ull;

void dict_seed(const uint8_t seed[16])
{
	uint64_t s;
	memcpy(dict_key, seed, sizeof(dict_key));
	memcpy(&s, seed, sizeof(s));
	dict_rng ^= s | 1;
}

/* xorshift64*: dict_random's bucket and chain picks; nothing here needs more than that. */
static uint64_t dict_rand(void)
{
	dict_rng ^= dict_rng >> 12;
	dict_rng ^= dict_rng << 25;
	dict_rng ^= dict_rng >> 27;
	return dict_rng * 0x2545f4914f6cdd1dull;
}

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

#define SIPROUND                                                                                             \
	do {                                                                                                 \
		v0 += v1;                                                                                    \
		v1 = rotl(v1, 13);                                                                           \
		v1 ^= v0;                                                                                    \
		v0 = rotl(v0, 32);                                                                           \
		v2 += v3;                                                                                    \
		v3 = rotl(v3, 16);                                                                           \
		v3 ^= v2;                                                                                    \
		v0 += v3;                                                                                    \
		v3 = rotl(v3, 21);                                                                           \
		v3 ^= v0;                                                                                    \
		v2 += v1;                                                                                    \
		v1 = rotl(v1, 17);                                                                           \
		v1 ^= v2;                                                                                    \
		v2 = rotl(v2, 32);                                                                           \
	} while (0)

/*
 * SipHash-1-2 (one compression round, two finalization rounds), as Redis uses for its dicts: keyed
 * by the process's random seed, so that clients cannot choose keys that all collide.
 */
uint64_t dict_hash(const void *key, size_t len)
{
	const uint8_t *in = key, *end = in + len - (len % 8);
	uint64_t k0 = load64(dict_key), k1 = load64(dict_key + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	uint64_t b = (uint64_t)len << 56, m;

	for (; in != end; in += 8) {
		m = load64(in);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	switch (len & 7) {
	case 7:
		b |= (uint64_t)in[6] << 48; /* fall through */
	case 6:
		b |= (uint64_t)in[5] << 40; /* fall through */
	case 5:
		b |= (uint64_t)in[4] << 32; /* fall through */
	case 4:
		b |= (uint64_t)in[3] << 24; /* fall through */
	case 3:
		b |= (uint64_t)in[2] << 16; /* fall through */
	case 2:
		b |= (uint64_t)in[1] << 8; /* fall through */
	case 1:
		b |= (uint64_t)in[0];
		break;
	case 0:
		break;
	}
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void dict_init(struct dict *d)
{
	memset(d, 0, sizeof(*d));
	d->rehash_idx = -1;
}

static inline bool rehashing(const struct dict *d)
{
	return d->rehash_idx != -1;
}

static void table_free(struct dict_table *t, void (*free_val)(union dict_val *v))
{
	for (size_t i = 0; i < t->size && t->used > 0; i++) {
		struct dict_entry *e = t->b[i], *next;
		for (; e; e = next) {
			next = e->next;
			if (free_val)
				free_val(&e->v);
			free(e);
			t->used--;
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

void dict_destroy(struct dict *d, void (*free_val)(union dict_val *v))
{
	table_free(&d->t[0], free_val);
	table_free(&d->t[1], free_val);
	d->rehash_idx = -1;
}

static void shrink_if_needed(struct dict *d);

/*
 * Moves up to n non-empty buckets of t[0] into t[1], visiting at most 10 n empty ones (so a
 * sparse table costs bounded time too). Returns true while buckets are left.
 */
static bool rehash(struct dict *d, int n)
{
	int empty_visits = n * 10;

	if (!rehashing(d))
		return false;
	while (n-- && d->t[0].used != 0) {
		struct dict_entry *e, *next;
		while (d->t[0].b[d->rehash_idx] == NULL) {
			d->rehash_idx++;
			if (--empty_visits == 0)
				return true;
		}
		for (e = d->t[0].b[d->rehash_idx]; e; e = next) {
			size_t h = dict_hash(e->key, e->klen) & (d->t[1].size - 1);
			next = e->next;
			e->next = d->t[1].b[h];
			d->t[1].b[h] = e;
			d->t[0].used--;
			d->t[1].used++;
		}
		d->t[0].b[d->rehash_idx++] = NULL;
	}
	if (d->t[0].used == 0) {
		free(d->t[0].b);
		d->t[0] = d->t[1];
		memset(&d->t[1], 0, sizeof(d->t[1]));
		d->rehash_idx = -1;
		/* Deletes during a shrink can leave the new table sparse too. */
		shrink_if_needed(d);
		return rehashing(d);
	}
	return true;
}

static void rehash_step(struct dict *d)
{
	if (d->iterators == 0)
		rehash(d, 1);
}

/* Starts a resize to the smallest power of two >= want (at least 4); false when out of memory. */
static bool resize(struct dict *d, size_t want)
{
	size_t size = DICT_MIN_SIZE;
	struct dict_entry **b;

	while (size < want)
		size <<= 1;
	if (rehashing(d) || size == d->t[0].size)
		return true;
	b = calloc(size, sizeof(*b));
	if (!b)
		return false;
	if (d->t[0].size == 0) {
		d->t[0].b = b;
		d->t[0].size = size;
		d->t[0].used = 0;
		return true;
	}
	d->t[1].b = b;
	d->t[1].size = size;
	d->t[1].used = 0;
	d->rehash_idx = 0;
	return true;
}

/* After a delete: an empty table is given back, a sparse one starts shrinking. */
static void shrink_if_needed(struct dict *d)
{
	size_t size = d->t[0].size, used = d->t[0].used;

	if (d->iterators > 0)
		return;
	if (rehashing(d)) {
		if (dict_size(d) == 0)
			dict_destroy(d, NULL);
		return;
	}
	if (used == 0 && size > 0) {
		free(d->t[0].b);
		memset(&d->t[0], 0, sizeof(d->t[0]));
	} else if (size > DICT_MIN_SIZE && used * 100 / size < DICT_MIN_FILL) {
		resize(d, used);
	}
}

/* The link pointing at key's entry (its table in *table), or NULL. */
static struct dict_entry **find_link(struct dict *d, const void *key, size_t klen, uint64_t h, int *table)
{
	for (int t = 0; t <= 1; t++) {
		struct dict_table *tb = &d->t[t];
		struct dict_entry **link;
		if (tb->size == 0)
			continue;
		link = &tb->b[h & (tb->size - 1)];
		for (; *link; link = &(*link)->next) {
			struct dict_entry *e = *link;
			if (e->klen == klen && memcmp(e->key, key, klen) == 0) {
				*table = t;
				return link;
			}
		}
		if (!rehashing(d))
			break;
	}
	return NULL;
}

struct dict_entry *dict_find(struct dict *d, const void *key, size_t klen)
{
	struct dict_entry **link;
	int t;

	if (dict_size(d) == 0)
		return NULL;
	if (rehashing(d))
		rehash_step(d);
	link = find_link(d, key, klen, dict_hash(key, klen), &t);
	return link ? *link : NULL;
}

struct dict_entry *dict_upsert(struct dict *d, const void *key, size_t klen, bool *created)
{
	uint64_t h = dict_hash(key, klen);
	struct dict_entry **link, *e;
	struct dict_table *tb;
	int t;

	*created = false;
	if (rehashing(d))
		rehash_step(d);
	link = find_link(d, key, klen, h, &t);
	if (link)
		return *link;
	/*
	 * Grow at load factor 1 (while rehashing, t[1] already has room). A failed grow is not an
	 * error while there is a table to chain into.
	 */
	if (!rehashing(d) && d->t[0].used >= d->t[0].size && d->iterators == 0)
		resize(d, d->t[0].used + 1);
	if (d->t[0].size == 0)
		return NULL;
	e = malloc(offsetof(struct dict_entry, key) + klen + 1);
	if (!e)
		return NULL;
	e->v.i = 0;
	e->klen = (uint32_t)klen;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	tb = rehashing(d) ? &d->t[1] : &d->t[0];
	link = &tb->b[h & (tb->size - 1)];
	e->next = *link;
	*link = e;
	tb->used++;
	*created = true;
	return e;
}

struct dict_entry *dict_unlink(struct dict *d, const void *key, size_t klen)
{
	struct dict_entry **link, *e;
	int t;

	if (dict_size(d) == 0)
		return NULL;
	if (rehashing(d))
		rehash_step(d);
	link = find_link(d, key, klen, dict_hash(key, klen), &t);
	if (!link)
		return NULL;
	e = *link;
	*link = e->next;
	e->next = NULL;
	d->t[t].used--;
	shrink_if_needed(d);
	return e;
}

void dict_entry_free(struct dict_entry *e)
{
	free(e);
}

bool dict_delete(struct dict *d, const void *key, size_t klen, void (*free_val)(union dict_val *v))
{
	struct dict_entry *e = dict_unlink(d, key, klen);

	if (!e)
		return false;
	if (free_val)
		free_val(&e->v);
	free(e);
	return true;
}

/*
 * A random bucket that is not empty (buckets of t[0] already moved are skipped), then a random
 * entry of its chain: the bias towards short chains is small at load factor <= 1, as Redis's
 * dictGetFairRandomKey accepts.
 */
struct dict_entry *dict_random(struct dict *d)
{
	struct dict_entry *e = NULL, *p;
	size_t len = 0, pick;

	if (dict_size(d) == 0)
		return NULL;
	if (rehashing(d))
		rehash_step(d);
	if (rehashing(d)) {
		size_t s0 = d->t[0].size, span = s0 + d->t[1].size, from = (size_t)d->rehash_idx;
		do {
			size_t i = from + dict_rand() % (span - from);
			e = i >= s0 ? d->t[1].b[i - s0] : d->t[0].b[i];
		} while (!e);
	} else {
		size_t mask = d->t[0].size - 1;
		do
			e = d->t[0].b[dict_rand() & mask];
		while (!e);
	}
	for (p = e; p; p = p->next)
		len++;
	pick = dict_rand() % len;
	while (pick--)
		e = e->next;
	return e;
}

static uint64_t rev64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
	v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
	return __builtin_bswap64(v);
}

static void scan_bucket(struct dict_entry *e, void (*fn)(void *ctx, const struct dict_entry *e), void *ctx)
{
	while (e) {
		struct dict_entry *next = e->next;
		fn(ctx, e);
		e = next;
	}
}

/* The cursor's next value: its high bits (above mask) set, then incremented in reversed bit order. */
static uint64_t scan_next(uint64_t v, uint64_t mask)
{
	v |= ~mask;
	v = rev64(v);
	v++;
	return rev64(v);
}

/*
 * Redis's dictScan (Pieter Noordhuis's reverse binary iteration): counting the cursor up in
 * reversed bit order visits a small table's bucket and then every bucket of a larger table that
 * expands it, so a resize between calls neither skips a bucket nor restarts the scan.
 */
uint64_t dict_scan(struct dict *d, uint64_t v, void (*fn)(void *ctx, const struct dict_entry *e), void *ctx)
{
	struct dict_table *t0, *t1;
	uint64_t m0, m1;

	if (dict_size(d) == 0)
		return 0;
	d->iterators++; /* fn must see a table that does not move under it */
	if (!rehashing(d)) {
		t0 = &d->t[0];
		m0 = t0->size - 1;
		scan_bucket(t0->b[v & m0], fn, ctx);
		v = scan_next(v, m0);
	} else {
		t0 = &d->t[0];
		t1 = &d->t[1];
		if (t0->size > t1->size) {
			t0 = &d->t[1];
			t1 = &d->t[0];
		}
		m0 = t0->size - 1;
		m1 = t1->size - 1;
		scan_bucket(t0->b[v & m0], fn, ctx);
		/* Every bucket of the larger table that expands the smaller one's bucket. */
		do {
			scan_bucket(t1->b[v & m1], fn, ctx);
			v = scan_next(v, m1);
		} while (v & (m0 ^ m1));
	}
	d->iterators--;
	return v;
}

void dict_iter_init(struct dict *d, struct dict_iter *it)
{
	it->d = d;
	it->table = 0;
	it->idx = -1;
	it->e = it->next = NULL;
	d->iterators++;
}

struct dict_entry *dict_iter_next(struct dict_iter *it)
{
	struct dict *d = it->d;

	while (!it->next) {
		struct dict_table *tb = &d->t[it->table];
		if (++it->idx >= (long)tb->size) {
			if (it->table == 1 || !rehashing(d))
				return it->e = NULL;
			it->table = 1;
			it->idx = -1;
			continue;
		}
		it->next = tb->b[it->idx];
	}
	/* The next entry is saved now, so that the caller may delete the one returned. */
	it->e = it->next;
	it->next = it->e->next;
	return it->e;
}

void dict_iter_done(struct dict_iter *it)
{
	if (it->d) {
		it->d->iterators--;
		shrink_if_needed(it->d);
	}
	it->d = NULL;
}

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool dict_rehash_for(struct dict *d, int64_t us)
{
	int64_t start;

	if (d->iterators > 0)
		return rehashing(d);
	shrink_if_needed(d);
	start = mono_us();
	while (rehash(d, 100)) {
		if (mono_us() - start >= us)
			return true;
	}
	return false;
}
