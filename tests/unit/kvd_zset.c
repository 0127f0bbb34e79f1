// SPDX-License-Identifier: MIT
/* Unit tests of kvd's sorted set: random operations checked against a sorted array model. */
#include "../../tools/kvd/dict.c"
#include "../../tools/kvd/zset.c"

#include <math.h>

#include "tap.h"

/* The model: (score, member) pairs kept sorted as the skip list orders them. */
struct pair {
	double score;
	char m[8];
	size_t n;
};
#define POOL 300
static struct pair model[POOL];
static size_t mlen;

static uint64_t rng = 0x853c49e6748fea9bu;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Member i of the pool: short names, some with a NUL or high bytes inside (binary safe). */
static size_t member(unsigned i, char *m)
{
	if (i % 10 == 7) {
		m[0] = 'b';
		m[1] = '\0';
		m[2] = (char)(0x80 + i % 64);
		m[3] = (char)('a' + i / 10 % 26);
		m[4] = (char)('a' + i / 260);
		return 5;
	}
	return (size_t)snprintf(m, 8, "m%u", i);
}

static int pair_cmp(double s, const char *m, size_t n, const struct pair *p)
{
	if (s != p->score)
		return s < p->score ? -1 : 1;
	return mem_cmp(m, n, p->m, p->n);
}

static long model_find(const char *m, size_t n)
{
	for (size_t i = 0; i < mlen; i++)
		if (model[i].n == n && memcmp(model[i].m, m, n) == 0)
			return (long)i;
	return -1;
}

static void model_erase(size_t i)
{
	memmove(model + i, model + i + 1, (mlen - i - 1) * sizeof(model[0]));
	mlen--;
}

static int model_set(const char *m, size_t n, double s)
{
	long at = model_find(m, n);
	if (at >= 0)
		model_erase((size_t)at);
	size_t i = 0;
	while (i < mlen && pair_cmp(s, m, n, &model[i]) > 0)
		i++;
	memmove(model + i + 1, model + i, (mlen - i) * sizeof(model[0]));
	model[i].score = s;
	memcpy(model[i].m, m, n);
	model[i].n = n;
	mlen++;
	return at < 0;
}

/* The whole structure against the model: order, scores, backward links, tail, spans (ranks). */
static bool same(struct zset *z)
{
	if (zset_length(z) != mlen || dict_size(&z->dict) != mlen)
		return false;
	const struct zset_node *x = zset_first(z), *prev = NULL;
	for (size_t i = 0; i < mlen; i++, prev = x, x = x->level[0].forward) {
		if (!x || pair_cmp(x->score, zset_node_member(x), zset_node_len(x), &model[i]) != 0)
			return false;
		if (x->backward != prev || x->ele->v.d != x->score)
			return false;
		if (zset_at_rank(z, i) != x || zset_node_rank(z, x) != i)
			return false;
	}
	return x == NULL && zset_last(z) == prev && zset_at_rank(z, mlen) == NULL;
}

static double rnd_score(void)
{
	unsigned k = (unsigned)(rnd() % 40);
	if (k == 0)
		return INFINITY;
	if (k == 1)
		return -INFINITY;
	if (k < 10)
		return (double)(rnd() % 1000) / 8 - 60;
	return (double)(rnd() % 30) - 10; /* many ties: the member decides */
}

static void rnd_score_range(struct zrange_score *r)
{
	r->min = rnd_score();
	r->max = rnd() % 4 ? r->min + (double)(rnd() % 25) : rnd_score();
	r->minex = rnd() & 1;
	r->maxex = rnd() & 1;
}

static bool in_score(const struct zrange_score *r, double s)
{
	return (r->minex ? s > r->min : s >= r->min) && (r->maxex ? s < r->max : s <= r->max);
}

/* Checks first/last in a score range against a scan of the model. */
static bool check_score_range(struct zset *z, const struct zrange_score *r)
{
	long first = -1, last = -1;
	for (size_t i = 0; i < mlen; i++)
		if (in_score(r, model[i].score)) {
			if (first < 0)
				first = (long)i;
			last = (long)i;
		}
	struct zset_node *f = zset_first_in_score(z, r), *l = zset_last_in_score(z, r);
	if (first < 0)
		return f == NULL && l == NULL;
	return f && l && zset_node_rank(z, f) == (size_t)first && zset_node_rank(z, l) == (size_t)last;
}

static void test_random_scores(struct zset *z)
{
	bool good = true;
	int ops = TAP_SANITIZED ? 20000 : 60000, op;
	char m[8];
	for (op = 0; op < ops && good; op++) {
		unsigned i = (unsigned)(rnd() % POOL), what = (unsigned)(rnd() % 100);
		size_t n = member(i, m);
		if (what < 40) {
			double s = rnd_score();
			good = zset_set(z, m, n, s) == model_set(m, n, s);
		} else if (what < 55) {
			long at = model_find(m, n);
			good = zset_delete(z, m, n) == (at >= 0);
			if (at >= 0)
				model_erase((size_t)at);
		} else if (what < 65) {
			double s = 0;
			long at = model_find(m, n);
			bool found = zset_score(z, m, n, &s);
			good = found == (at >= 0) && (!found || s == model[at].score);
			good = good && zset_rank(z, m, n, false) == at &&
			       zset_rank(z, m, n, true) == (at < 0 ? -1 : (long)mlen - 1 - at);
		} else if (what < 80) {
			struct zrange_score r;
			rnd_score_range(&r);
			good = check_score_range(z, &r);
		} else if (what < 84 && mlen) {
			size_t start = rnd() % mlen, end = start + rnd() % 4;
			if (end >= mlen)
				end = mlen - 1;
			good = zset_delete_rank_range(z, start, end) == end - start + 1;
			memmove(model + start, model + end + 1, (mlen - end - 1) * sizeof(model[0]));
			mlen -= end - start + 1;
		} else if (what < 88) {
			struct zrange_score r;
			rnd_score_range(&r);
			r.max = r.min + (double)(rnd() % 3);
			size_t want = 0;
			for (size_t k = 0; k < mlen;)
				if (in_score(&r, model[k].score))
					model_erase(k), want++;
				else
					k++;
			good = zset_delete_score_range(z, &r) == want;
		} else if (what < 94 && mlen) {
			/* ZPOPMIN / ZPOPMAX: the ends, then a delete by member. */
			bool max = rnd() & 1;
			struct zset_node *x = max ? zset_last(z) : zset_first(z);
			size_t k = max ? mlen - 1 : 0;
			good = pair_cmp(x->score, zset_node_member(x), zset_node_len(x), &model[k]) == 0;
			memcpy(m, zset_node_member(x), zset_node_len(x));
			good = good && zset_delete(z, m, zset_node_len(x));
			model_erase(k);
		} else {
			/* Score updates of present members: in place or moved. */
			if (mlen) {
				struct pair p = model[rnd() % mlen];
				double s = rnd() & 1 ? p.score + 0.25 : rnd_score();
				good = zset_set(z, p.m, p.n, s) == 0 && model_set(p.m, p.n, s) == 0;
			}
		}
		if (good && op % 53 == 0)
			good = same(z);
	}
	if (!good)
		diag("mismatch at operation %d", op - 1);
	ok(good && same(z), "%d random operations on scores agree with the model (%zu members)", op, mlen);
}

static void rnd_lex_bound(struct zlex_bound *b, char *buf)
{
	unsigned k = (unsigned)(rnd() % 12);
	if (k == 0 || k == 1) {
		b->inf = k ? 1 : -1;
		b->ex = false;
		b->p = NULL;
		b->n = 0;
		return;
	}
	b->inf = 0;
	b->ex = rnd() & 1;
	b->p = buf;
	b->n = member((unsigned)(rnd() % POOL), buf);
	if (rnd() % 4 == 0)
		b->n = 1 + rnd() % b->n; /* a prefix: between members */
}

static int bound_cmp(const struct pair *p, const struct zlex_bound *b)
{
	if (b->inf)
		return -b->inf;
	return mem_cmp(p->m, p->n, b->p, b->n);
}

static bool in_lex(const struct zrange_lex *r, const struct pair *p)
{
	int a = bound_cmp(p, &r->min), b = bound_cmp(p, &r->max);
	return (r->min.ex ? a > 0 : a >= 0) && (r->max.ex ? b < 0 : b <= 0);
}

static void test_random_lex(struct zset *z)
{
	bool good = true;
	int ops = TAP_SANITIZED ? 5000 : 20000, op;
	char m[8], b1[8], b2[8];
	/* Lex ranges are defined when every score is the same. */
	while (mlen)
		zset_delete(z, model[0].m, model[0].n), model_erase(0);
	for (op = 0; op < ops && good; op++) {
		unsigned i = (unsigned)(rnd() % POOL), what = (unsigned)(rnd() % 100);
		size_t n = member(i, m);
		struct zrange_lex r;
		rnd_lex_bound(&r.min, b1);
		rnd_lex_bound(&r.max, b2);
		if (what < 45) {
			good = zset_set(z, m, n, 0) == model_set(m, n, 0);
		} else if (what < 55) {
			long at = model_find(m, n);
			good = zset_delete(z, m, n) == (at >= 0);
			if (at >= 0)
				model_erase((size_t)at);
		} else if (what < 95) {
			long first = -1, last = -1;
			for (size_t k = 0; k < mlen; k++)
				if (in_lex(&r, &model[k])) {
					if (first < 0)
						first = (long)k;
					last = (long)k;
				}
			struct zset_node *f = zset_first_in_lex(z, &r), *l = zset_last_in_lex(z, &r);
			if (first < 0)
				good = !f && !l;
			else
				good = f && l && zset_node_rank(z, f) == (size_t)first &&
				       zset_node_rank(z, l) == (size_t)last;
		} else {
			size_t want = 0;
			for (size_t k = 0; k < mlen;)
				if (in_lex(&r, &model[k]))
					model_erase(k), want++;
				else
					k++;
			good = zset_delete_lex_range(z, &r) == want;
		}
		if (good && op % 41 == 0)
			good = same(z);
	}
	if (!good)
		diag("mismatch at operation %d", op - 1);
	ok(good && same(z), "%d random lex operations agree with the model (%zu members)", op, mlen);
}

static void test_lex_parse(void)
{
	struct zlex_bound b;
	ok(zset_lex_parse("[a", 2, &b) && !b.ex && b.n == 1 && b.inf == 0, "[a is an inclusive bound");
	ok(zset_lex_parse("(", 1, &b) && b.ex && b.n == 0, "( is an exclusive empty bound");
	ok(zset_lex_parse("-", 1, &b) && b.inf == -1, "- is minus infinity");
	ok(zset_lex_parse("+", 1, &b) && b.inf == 1, "+ is plus infinity");
	ok(!zset_lex_parse("+a", 2, &b) && !zset_lex_parse("a", 1, &b) && !zset_lex_parse("", 0, &b),
	   "+a, a and the empty string are refused");
}

static void visit(void *ctx, const char *a, size_t an, const char *b, size_t bn, double score)
{
	(void)a, (void)an, (void)b, (void)bn;
	double *last = ctx;
	if (score < last[0])
		last[1] = 1;
	last[0] = score;
	last[2]++;
}

static void test_basic(void)
{
	struct zset *z = zset_new();
	ok(z && zset_length(z) == 0 && !zset_first(z) && !zset_last(z), "a new zset is empty");
	is_int(zset_set(z, "a", 1, 2), 1, "adding a");
	is_int(zset_set(z, "b", 1, 1), 1, "adding b");
	is_int(zset_set(z, "a", 1, 2), 0, "the same score again");
	is_int(zset_set(z, "a", 1, 0), 0, "a moves below b");
	is_int(zset_rank(z, "a", 1, false), 0, "a ranks first");
	is_int(zset_rank(z, "a", 1, true), 1, "a ranks last in reverse");
	is_int(zset_delete_rank_range(z, 0, 1), 2, "removing ranks 0..1");
	ok(zset_length(z) == 0 && !zset_first(z) && !zset_last(z) && z->level == 1, "empty again");
	for (int i = 0; i < 1000; i++) {
		char m[16];
		zset_set(z, m, (size_t)snprintf(m, sizeof(m), "k%d", i), i % 17);
	}
	double st[3] = {-INFINITY, 0, 0};
	zset_visit(z, visit, st);
	ok(st[1] == 0 && st[2] == 1000, "zset_visit goes in score order over every member");
	zset_free(z);
	zset_free(NULL);
}

int main(void)
{
	test_basic();
	test_lex_parse();
	struct zset *z = zset_new();
	test_random_scores(z);
	test_random_lex(z);
	zset_free(z);
	return done_testing();
}
