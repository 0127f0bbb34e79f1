// SPDX-License-Identifier: MIT
/* Unit tests of kvd's list deque: random operations checked against a plain array model. */
#include "../../tools/kvd/list.c"

#include <limits.h>
#include <stdint.h>

#include "tap.h"

/* blob lives in kvd's object.c, which the unit test does not link: the same two functions here. */
struct blob *blob_new(const void *p, size_t n)
{
	struct blob *b = malloc(sizeof(*b) + n + 1);
	if (!b)
		return NULL;
	b->len = n;
	memcpy(b->data, p, n);
	b->data[n] = '\0';
	return b;
}

void blob_free(struct blob *b)
{
	free(b);
}

/* The model: an array of small integers, each element's bytes are its decimal text. */
#define MODEL_MAX 4096
static int model[MODEL_MAX];
static size_t mlen;

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct blob *mk(int v)
{
	char s[16];
	int n = snprintf(s, sizeof(s), "%d", v);
	return blob_new(s, (size_t)n);
}

static bool same(const struct klist *l)
{
	if (list_length(l) != mlen)
		return false;
	for (size_t i = 0; i < mlen; i++) {
		const struct blob *b = list_at(l, i);
		if ((int)strtol(b->data, NULL, 10) != model[i])
			return false;
	}
	return true;
}

static void visit_count(void *ctx, const char *a, size_t an, const char *b, size_t bn, double score)
{
	(void)a, (void)an, (void)b, (void)bn, (void)score;
	(*(size_t *)ctx)++;
}

static void test_basic(void)
{
	struct klist *l = list_new();
	ok(l && list_length(l) == 0, "a new list is empty");
	ok(list_pop_head(l) == NULL && list_pop_tail(l) == NULL, "popping an empty list gives NULL");
	for (int i = 0; i < 100; i++)
		list_push_tail(l, mk(i));
	for (int i = 0; i < 100; i++)
		list_push_head(l, mk(-i - 1));
	is_int(list_length(l), 200, "200 pushed at both ends");
	is_str(list_at(l, 0)->data, "-100", "the head is the last pushed at the head");
	is_str(list_at(l, 199)->data, "99", "the tail is the last pushed at the tail");
	size_t n = 0;
	list_visit(l, visit_count, &n);
	is_int(n, 200, "list_visit sees every element");
	is_int(list_find(l, "5", 1, false), 105, "list_find from the head");
	is_int(list_find(l, "nope", 4, true), -1, "list_find of an absent element");
	list_free(l);
	list_free(NULL);
}

static void model_insert(size_t i, int v)
{
	memmove(model + i + 1, model + i, (mlen - i) * sizeof(int));
	model[i] = v;
	mlen++;
}

static void model_erase(size_t i)
{
	memmove(model + i, model + i + 1, (mlen - i - 1) * sizeof(int));
	mlen--;
}

static size_t model_remove(int v, long count)
{
	size_t removed = 0, limit = count == 0 ? SIZE_MAX : (size_t)(count > 0 ? count : -count);
	if (count >= 0) {
		for (size_t i = 0; i < mlen && removed < limit;)
			if (model[i] == v)
				model_erase(i), removed++;
			else
				i++;
	} else {
		for (size_t i = mlen; i-- > 0 && removed < limit;)
			if (model[i] == v)
				model_erase(i), removed++;
	}
	return removed;
}

static void test_random(void)
{
	struct klist *l = list_new();
	bool good = true;
	int ops = TAP_SANITIZED ? 100000 : 400000;
	for (int op = 0; op < ops && good; op++) {
		int v = (int)(rnd() % 20);
		unsigned what = (unsigned)(rnd() % 100);
		if (mlen + 1 >= MODEL_MAX)
			what = 30; /* pop */
		if (what < 15) {
			list_push_head(l, mk(v));
			model_insert(0, v);
		} else if (what < 30) {
			list_push_tail(l, mk(v));
			model_insert(mlen, v);
		} else if (what < 42) {
			struct blob *b = list_pop_head(l);
			if (mlen) {
				good = b && (int)strtol(b->data, NULL, 10) == model[0];
				model_erase(0);
			} else {
				good = b == NULL;
			}
			blob_free(b);
		} else if (what < 54) {
			struct blob *b = list_pop_tail(l);
			if (mlen) {
				good = b && (int)strtol(b->data, NULL, 10) == model[mlen - 1];
				model_erase(mlen - 1);
			} else {
				good = b == NULL;
			}
			blob_free(b);
		} else if (what < 64) {
			size_t i = rnd() % (mlen + 1);
			list_insert(l, i, mk(v));
			model_insert(i, v);
		} else if (what < 72 && mlen) {
			size_t i = rnd() % mlen;
			blob_free(list_replace(l, i, mk(v)));
			model[i] = v;
		} else if (what < 80) {
			long count = (long)(rnd() % 7) - 3;
			char s[16];
			int n = snprintf(s, sizeof(s), "%d", v);
			size_t got = list_remove(l, s, (size_t)n, count);
			good = got == model_remove(v, count);
		} else if (what < 83 && mlen) {
			size_t start = rnd() % mlen, count = rnd() % (mlen - start + 1);
			list_keep(l, start, count);
			memmove(model, model + start, count * sizeof(int));
			mlen = count;
		} else if (what < 90) {
			char s[16];
			int n = snprintf(s, sizeof(s), "%d", v);
			bool tail = rnd() & 1;
			long want = -1;
			for (size_t k = 0; k < mlen; k++) {
				size_t i = tail ? mlen - 1 - k : k;
				if (model[i] == v) {
					want = (long)i;
					break;
				}
			}
			good = list_find(l, s, (size_t)n, tail) == want;
		}
		if (good && op % 97 == 0)
			good = same(l);
		if (!good)
			diag("mismatch at operation %d (kind %u)", op, what);
	}
	ok(good && same(l), "%d random operations agree with the model", ops);
	list_clear(l);
	mlen = 0;
	ok(list_length(l) == 0 && same(l), "list_clear empties the list");
	list_push_tail(l, mk(7));
	model_insert(0, 7);
	ok(same(l), "a cleared list is usable");
	list_free(l);
}

static void test_remove_from_tail_all(void)
{
	struct klist *l = list_new();
	for (int i = 0; i < 50; i++)
		list_push_tail(l, mk(i % 2));
	is_int(list_remove(l, "1", 1, LONG_MIN), 25, "LREM with the most negative count removes all");
	is_int(list_length(l), 25, "25 left");
	is_int(list_remove(l, "0", 1, -3), 3, "LREM -3 removes three from the tail");
	list_keep(l, 0, 0);
	is_int(list_length(l), 0, "keeping nothing empties the list");
	list_free(l);
}

int main(void)
{
	test_basic();
	test_random();
	test_remove_from_tail_all();
	return done_testing();
}
