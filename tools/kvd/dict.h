/* SPDX-License-Identifier: MIT */
/*
 * dict: a chained hash table of binary-safe keys that grows and shrinks by incremental
 * rehashing (two tables; every lookup, insert and delete moves a bounded number of buckets, and
 * the server's cron moves more in idle time), so that no single command pays for a whole resize.
 * Single-threaded: the event loop's thread only.
 */
#ifndef KVD_DICT_H
#define KVD_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an entry holds besides its key: the owner's choice. */
union dict_val {
	void *ptr;
	int64_t i;
	double d;
};

struct dict_entry {
	struct dict_entry *next;
	union dict_val v; /* zeroed when the entry is created */
	uint32_t klen;
	char key[]; /* klen bytes, then a NUL (not part of the key): keys are binary safe */
};

struct dict_table {
	struct dict_entry **b;
	size_t size; /* 0 or a power of two */
	size_t used;
};

struct dict {
	struct dict_table t[2]; /* t[1] is in use only while rehashing, from t[0] into t[1] */
	long rehash_idx;        /* next bucket of t[0] to move, or -1 when not rehashing */
	int iterators;          /* safe iterators alive: rehashing pauses while > 0 */
};

/* The process-wide hash seed, set once at start from getrandom() (hash flooding). */
void dict_seed(const uint8_t seed[16]);
uint64_t dict_hash(const void *key, size_t len);

/* Storage is the caller's; dict_init makes it empty (no allocation until the first insert). */
void dict_init(struct dict *d);
/* Frees every entry, calling free_val (may be NULL) on each value first; d is empty after. */
void dict_destroy(struct dict *d, void (*free_val)(union dict_val *v));
static inline size_t dict_size(const struct dict *d)
{
	return d->t[0].used + d->t[1].used;
}

/* The entry of key, or NULL. Moves one bucket when rehashing. */
struct dict_entry *dict_find(struct dict *d, const void *key, size_t klen);
/*
 * The entry of key, made (value zeroed, *created true) when absent. NULL only when out of memory.
 * Pointers to other entries stay valid; any entry pointer may move between tables but never in
 * memory.
 */
struct dict_entry *dict_upsert(struct dict *d, const void *key, size_t klen, bool *created);
/* Unlinks key's entry and returns it (the caller frees it with dict_entry_free), or NULL. */
struct dict_entry *dict_unlink(struct dict *d, const void *key, size_t klen);
void dict_entry_free(struct dict_entry *e);
/* dict_unlink + free_val (may be NULL) + dict_entry_free. True when key was there. */
bool dict_delete(struct dict *d, const void *key, size_t klen, void (*free_val)(union dict_val *v));

/* A random entry (fair enough for RANDOMKEY, SPOP, SRANDMEMBER, active expiry), NULL when empty. */
struct dict_entry *dict_random(struct dict *d);

/*
 * SCAN: calls fn on the entries of the bucket(s) at cursor and returns the next cursor (0 at the
 * end). Reverse-binary cursor increments, as Redis's dictScan: every entry present for the whole
 * scan is returned at least once, across any number of resizes in between.
 */
uint64_t dict_scan(struct dict *d, uint64_t cursor, void (*fn)(void *ctx, const struct dict_entry *e),
		   void *ctx);

/*
 * Iteration over every entry once. Between init and done, rehashing is paused; the entry just
 * returned may be deleted (dict_delete / dict_unlink), nothing may be inserted.
 */
struct dict_iter {
	struct dict *d;
	int table;
	long idx;
	struct dict_entry *e, *next;
};
void dict_iter_init(struct dict *d, struct dict_iter *it);
struct dict_entry *dict_iter_next(struct dict_iter *it);
void dict_iter_done(struct dict_iter *it);

/* Rehashes for up to about `us` microseconds (the cron's idle-time step). True if more is left. */
bool dict_rehash_for(struct dict *d, int64_t us);

#endif
