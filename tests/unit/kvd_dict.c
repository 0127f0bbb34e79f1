// SPDX-License-Identifier: MIT
/* Unit tests of kvd's dict: growth and shrinking by incremental rehash, binary keys, SCAN, iteration, random.
 */
#include "../../tools/kvd/dict.c"

#include <stdio.h>

#include "tap.h"

#define N 100000

static size_t key_of(char *buf, size_t i)
{
	return (size_t)snprintf(buf, 32, "key:%zu", i);
}

static bool tables_consistent(struct dict *d)
{
	size_t n = 0;
	for (int t = 0; t <= 1; t++)
		for (size_t i = 0; i < d->t[t].size; i++)
			for (struct dict_entry *e = d->t[t].b[i]; e; e = e->next)
				n++;
	return n == dict_size(d);
}

static void test_insert_find_delete(void)
{
	struct dict d;
	char k[32];
	size_t n, found = 0, bad = 0, peak;
	bool created;

	dict_init(&d);
	for (size_t i = 0; i < N; i++) {
		n = key_of(k, i);
		struct dict_entry *e = dict_upsert(&d, k, n, &created);
		if (!e || !created)
			bad++;
		else
			e->v.i = (int64_t)i;
	}
	is_int(bad, 0, "100k inserts all created");
	is_int(dict_size(&d), N, "size after inserts");
	ok(tables_consistent(&d), "chains hold size entries");
	peak = d.t[0].size > d.t[1].size ? d.t[0].size : d.t[1].size;
	ok(peak >= N, "the table grew to at least one bucket per key (%zu)", peak);
	for (size_t i = 0; i < N; i++) {
		n = key_of(k, i);
		struct dict_entry *e = dict_find(&d, k, n);
		if (e && e->v.i == (int64_t)i && e->klen == n && memcmp(e->key, k, n) == 0 && e->key[n] == 0)
			found++;
	}
	is_int(found, N, "every key found with its value");
	ok(dict_find(&d, "key:x", 5) == NULL, "absent key not found");
	dict_upsert(&d, "key:7", 5, &created);
	ok(!created, "upsert of a present key does not create");
	bad = 0;
	for (size_t i = 0; i < N; i++) {
		n = key_of(k, i);
		if (i % 100 != 0 && !dict_delete(&d, k, n, NULL))
			bad++;
	}
	is_int(bad, 0, "99%% deleted");
	is_int(dict_size(&d), N / 100, "size after deletes");
	while (dict_rehash_for(&d, 1000))
		;
	ok(d.rehash_idx == -1 && d.t[0].size < N / 10, "the table shrank (%zu buckets)", d.t[0].size);
	ok(tables_consistent(&d), "chains hold size entries after the shrink");
	found = 0;
	for (size_t i = 0; i < N; i += 100) {
		n = key_of(k, i);
		found += dict_find(&d, k, n) != NULL;
		found -= dict_find(&d, k, n - 0) == NULL;
	}
	is_int(found, N / 100, "the survivors are found");
	for (size_t i = 0; i < N; i += 100) {
		n = key_of(k, i);
		dict_delete(&d, k, n, NULL);
	}
	is_int(dict_size(&d), 0, "empty");
	is_int(d.t[0].size, 0, "an empty dict gives its table back");
	dict_destroy(&d, NULL);
}

static void free_ptr(union dict_val *v)
{
	free(v->ptr);
}

static void test_binary_keys(void)
{
	struct dict d;
	bool created;
	const char a[] = "a\0b", b[] = "a\0c", c[] = "a";

	dict_init(&d);
	dict_upsert(&d, a, 3, &created)->v.ptr = strdup("1");
	dict_upsert(&d, b, 3, &created)->v.ptr = strdup("2");
	dict_upsert(&d, c, 1, &created)->v.ptr = strdup("3");
	dict_upsert(&d, "", 0, &created)->v.ptr = strdup("4");
	is_int(dict_size(&d), 4, "keys differing after a NUL are distinct");
	is_str(dict_find(&d, a, 3)->v.ptr, "1", "a\\0b");
	is_str(dict_find(&d, b, 3)->v.ptr, "2", "a\\0c");
	is_str(dict_find(&d, c, 1)->v.ptr, "3", "a");
	is_str(dict_find(&d, "", 0)->v.ptr, "4", "the empty key");
	ok(dict_delete(&d, b, 3, free_ptr), "delete a\\0c");
	ok(dict_find(&d, a, 3) != NULL && dict_find(&d, b, 3) == NULL, "only a\\0c went");
	dict_destroy(&d, free_ptr);
	is_int(dict_size(&d), 0, "destroy empties");
}

struct seen {
	unsigned char *hits;
	size_t calls;
};

static void scan_cb(void *ctx, const struct dict_entry *e)
{
	struct seen *s = ctx;
	s->hits[atoi(e->key + 4)] = 1;
	s->calls++;
}

/* Scans while the table grows and then shrinks between calls: every key there throughout is seen. */
static void test_scan_resizing(void)
{
	enum { BASE = 1000, EXTRA = 20000 };
	struct dict d;
	struct seen s = {.hits = calloc(BASE + EXTRA, 1)};
	uint64_t cursor = 0;
	char k[32];
	bool created;
	size_t calls = 0, missed = 0, n, next_extra = BASE;
	int phase = 0;

	dict_init(&d);
	for (size_t i = 0; i < BASE; i++)
		dict_upsert(&d, k, key_of(k, i), &created);
	do {
		cursor = dict_scan(&d, cursor, scan_cb, &s);
		calls++;
		/* Grow by inserting extras, then shrink by deleting them, a step per call. */
		if (phase == 0) {
			for (int j = 0; j < 200 && next_extra < BASE + EXTRA; j++, next_extra++)
				dict_upsert(&d, k, key_of(k, next_extra), &created);
			if (next_extra == BASE + EXTRA)
				phase = 1;
		} else {
			for (int j = 0; j < 400 && next_extra > BASE; j++) {
				next_extra--;
				n = key_of(k, next_extra);
				dict_delete(&d, k, n, NULL);
			}
		}
	} while (cursor != 0 && calls < 10000000);
	for (size_t i = 0; i < BASE; i++)
		missed += !s.hits[i];
	is_int(missed, 0, "scan across grow and shrink returned every stable key (%zu calls)", calls);
	ok(calls > 10, "the scan took several calls");
	ok(s.calls < 20 * (BASE + EXTRA), "duplicates stay bounded (%zu callbacks)", s.calls);
	is_int(dict_scan(&(struct dict){.rehash_idx = -1}, 0, scan_cb, &s), 0, "scan of an empty dict ends");
	dict_destroy(&d, NULL);
	free(s.hits);
}

/* Iteration that deletes every other entry it is given, while the dict is rehashing. */
static void test_iter_delete(void)
{
	struct dict d;
	struct dict_iter it;
	struct dict_entry *e;
	char k[32];
	bool created;
	size_t seen = 0, deleted = 0, dup = 0;
	unsigned char *hits = calloc(5000, 1);

	dict_init(&d);
	for (size_t i = 0; i < 5000; i++)
		dict_upsert(&d, k, key_of(k, i), &created);
	ok(d.rehash_idx != -1 || d.t[0].size >= 5000, "setup");
	dict_iter_init(&d, &it);
	while ((e = dict_iter_next(&it))) {
		int i = atoi(e->key + 4);
		dup += hits[i]++;
		seen++;
		if (i % 2 == 0) {
			memcpy(k, e->key, e->klen);
			if (dict_delete(&d, k, e->klen, NULL))
				deleted++;
		}
	}
	dict_iter_done(&it);
	is_int(seen, 5000, "iteration saw every entry");
	is_int(dup, 0, "no entry twice");
	is_int(deleted, 2500, "deleted the even ones under the iterator");
	is_int(dict_size(&d), 2500, "size after");
	ok(tables_consistent(&d), "consistent after");
	is_int(d.iterators, 0, "iterator released");
	dict_destroy(&d, NULL);
	free(hits);
}

static void test_random(void)
{
	struct dict d;
	char k[32];
	bool created;
	int hits[5] = {0}, all = 1;

	dict_init(&d);
	ok(dict_random(&d) == NULL, "random of an empty dict is NULL");
	for (size_t i = 0; i < 5; i++)
		dict_upsert(&d, k, key_of(k, i), &created);
	for (int j = 0; j < 10000; j++)
		hits[atoi(dict_random(&d)->key + 4)]++;
	for (int i = 0; i < 5; i++)
		all &= hits[i] > 500;
	ok(all, "random returns every member of 5 often (%d %d %d %d %d)", hits[0], hits[1], hits[2], hits[3],
	   hits[4]);
	/* While rehashing too. */
	for (size_t i = 5; i < 2000; i++)
		dict_upsert(&d, k, key_of(k, i), &created);
	for (size_t i = 5; i < 2000; i++)
		dict_delete(&d, k, key_of(k, i), NULL);
	ok(dict_random(&d) != NULL && atoi(dict_random(&d)->key + 4) < 5, "random after a shrink");
	dict_destroy(&d, NULL);
}

static void test_rehash_bounded(void)
{
	struct dict d;
	char k[32];
	bool created;
	size_t max_moved = 0;

	dict_init(&d);
	for (size_t i = 0; i < 70000; i++) {
		size_t before = d.rehash_idx == -1 ? 0 : (size_t)d.rehash_idx;
		bool was = d.rehash_idx != -1;
		dict_upsert(&d, k, key_of(k, i), &created);
		if (was && d.rehash_idx != -1 && (size_t)d.rehash_idx - before > max_moved)
			max_moved = (size_t)d.rehash_idx - before;
	}
	ok(max_moved <= 11, "one upsert advances the rehash by at most 10 empty + 1 bucket (%zu)", max_moved);
	/* Paused under an iterator. */
	for (size_t i = 70000; i < 131073; i++)
		dict_upsert(&d, k, key_of(k, i), &created);
	ok(d.rehash_idx != -1, "rehashing after crossing 131072");
	struct dict_iter it;
	long idx = d.rehash_idx;
	dict_iter_init(&d, &it);
	for (size_t i = 0; i < 1000; i++)
		dict_find(&d, k, key_of(k, i));
	is_int(d.rehash_idx, idx, "no rehash step while an iterator is alive");
	dict_iter_done(&it);
	dict_find(&d, k, key_of(k, 1));
	ok(d.rehash_idx != idx, "rehash resumes after it");
	while (dict_rehash_for(&d, 100))
		;
	is_int(d.rehash_idx, -1, "dict_rehash_for finishes the rehash");
	ok(tables_consistent(&d), "consistent");
	dict_destroy(&d, NULL);
}

static void test_hash(void)
{
	uint8_t seed[16] = {0};
	uint64_t h1, h2;
	dict_seed(seed);
	h1 = dict_hash("abc", 3);
	seed[0] = 1;
	dict_seed(seed);
	h2 = dict_hash("abc", 3);
	ok(h1 != h2, "the seed changes the hash");
	ok(dict_hash("abc", 3) == h2 && dict_hash("abd", 3) != h2, "deterministic, and sensitive to bytes");
}

int main(void)
{
	test_hash();
	test_insert_find_delete();
	test_binary_keys();
	test_scan_resizing();
	test_iter_delete();
	test_random();
	test_rehash_bounded();
	return done_testing();
}
