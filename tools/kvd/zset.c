// SPDX-License-Identifier: MIT
/* zset: the skip list with spans and the member dict behind kvd's sorted sets (Redis's t_zset.c). */
#include "zset.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct zset_node *node_new(int level, double score, struct dict_entry *ele)
{
	struct zset_node *x = malloc(sizeof(*x) + (size_t)level * sizeof(x->level[0]));
	if (!x)
		return NULL;
	x->ele = ele;
	x->score = score;
	x->backward = NULL;
	for (int i = 0; i < level; i++) {
		x->level[i].forward = NULL;
		x->level[i].span = 0;
	}
	return x;
}

struct zset *zset_new(void)
{
	struct zset *z = malloc(sizeof(*z));
	if (!z)
		return NULL;
	z->header = node_new(ZSET_MAXLEVEL, 0, NULL);
	if (!z->header) {
		free(z);
		return NULL;
	}
	dict_init(&z->dict);
	z->tail = NULL;
	z->length = 0;
	z->level = 1;
	return z;
}

void zset_free(struct zset *z)
{
	if (!z)
		return;
	struct zset_node *x = z->header->level[0].forward;
	while (x) {
		struct zset_node *next = x->level[0].forward;
		free(x);
		x = next;
	}
	free(z->header);
	dict_destroy(&z->dict, NULL);
	free(z);
}

size_t zset_length(const struct zset *z)
{
	return z->length;
}

void zset_visit(const struct zset *z, kobj_visit_fn fn, void *ctx)
{
	for (const struct zset_node *x = zset_first(z); x; x = x->level[0].forward)
		fn(ctx, x->ele->key, x->ele->klen, NULL, 0, x->score);
}

/* Member order: bytes compared as memcmp, a prefix before the longer string (Redis's sdscmp). */
static int mem_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn ? 1 : 0;
}

static int node_cmp(const struct zset_node *x, double score, const char *m, size_t n)
{
	if (x->score != score)
		return x->score < score ? -1 : 1;
	return mem_cmp(x->ele->key, x->ele->klen, m, n);
}

/* Redis's zslRandomLevel: each level with probability 1/4, from a xorshift generator. */
static int random_level(void)
{
	static uint64_t s = 0x2545f4914f6cdd1du;
	int level = 1;
	for (;;) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		for (int k = 0; k < 32; k++, level++) {
			if (level >= ZSET_MAXLEVEL || ((s >> (2 * k)) & 3) != 0)
				return level;
		}
	}
}

/* Fills update[] with the last node before (score, m) on each level, and rank[] with their ranks. */
static void find_update(const struct zset *z, double score, const char *m, size_t n,
			struct zset_node **update, size_t *rank)
{
	struct zset_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--) {
		if (rank)
			rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
		while (x->level[i].forward && node_cmp(x->level[i].forward, score, m, n) < 0) {
			if (rank)
				rank[i] += x->level[i].span;
			x = x->level[i].forward;
		}
		update[i] = x;
	}
}

/* Links node x of `level` levels into its place by (x->score, member). */
static void zsl_link(struct zset *z, struct zset_node *x, int level)
{
	struct zset_node *update[ZSET_MAXLEVEL];
	size_t rank[ZSET_MAXLEVEL];
	find_update(z, x->score, x->ele->key, x->ele->klen, update, rank);
	if (level > z->level) {
		for (int i = z->level; i < level; i++) {
			rank[i] = 0;
			update[i] = z->header;
			update[i]->level[i].span = z->length;
		}
		z->level = level;
	}
	for (int i = 0; i < level; i++) {
		x->level[i].forward = update[i]->level[i].forward;
		update[i]->level[i].forward = x;
		x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
		update[i]->level[i].span = (rank[0] - rank[i]) + 1;
	}
	for (int i = level; i < z->level; i++)
		update[i]->level[i].span++;
	x->backward = update[0] == z->header ? NULL : update[0];
	if (x->level[0].forward)
		x->level[0].forward->backward = x;
	else
		z->tail = x;
	z->length++;
}

/* Links a new node for ele at score; -ENOMEM leaves the list as it was. */
static int zsl_insert(struct zset *z, double score, struct dict_entry *ele)
{
	int level = random_level();
	struct zset_node *x = node_new(level, score, ele);
	if (!x)
		return -ENOMEM;
	zsl_link(z, x, level);
	return 0;
}

/* Unlinks x, given the nodes before it on every level (zslDeleteNode); does not free it. */
static void zsl_unlink(struct zset *z, struct zset_node *x, struct zset_node **update)
{
	for (int i = 0; i < z->level; i++) {
		if (update[i]->level[i].forward == x) {
			update[i]->level[i].span += x->level[i].span - 1;
			update[i]->level[i].forward = x->level[i].forward;
		} else {
			update[i]->level[i].span -= 1;
		}
	}
	if (x->level[0].forward)
		x->level[0].forward->backward = x->backward;
	else
		z->tail = x->backward;
	while (z->level > 1 && z->header->level[z->level - 1].forward == NULL)
		z->level--;
	z->length--;
}

/* Unlinks and frees x and its dict entry. */
static void zsl_remove(struct zset *z, struct zset_node *x, struct zset_node **update)
{
	zsl_unlink(z, x, update);
	struct dict_entry *e = dict_unlink(&z->dict, x->ele->key, x->ele->klen);
	assert(e == x->ele);
	dict_entry_free(e);
	free(x);
}

bool zset_score(struct zset *z, const void *m, size_t n, double *score)
{
	struct dict_entry *e = dict_find(&z->dict, m, n);
	if (!e)
		return false;
	*score = e->v.d;
	return true;
}

/* Moves the node of e from its score to score (zslUpdateScore). */
static void zsl_update(struct zset *z, struct dict_entry *e, double score)
{
	struct zset_node *update[ZSET_MAXLEVEL];
	double cur = e->v.d;
	find_update(z, cur, e->key, e->klen, update, NULL);
	struct zset_node *x = update[0]->level[0].forward;
	assert(x && x->ele == e);
	/* In place when the node stays between its neighbours: no relinking. */
	if ((!x->backward || x->backward->score < score) &&
	    (!x->level[0].forward || x->level[0].forward->score > score)) {
		x->score = score;
		e->v.d = score;
		return;
	}
	/*
	 * Otherwise unlink it and link it again at its new place. The node keeps its levels (those
	 * whose predecessor links to it), so the move needs no allocation and cannot fail.
	 */
	int level = 0;
	while (level < z->level && update[level]->level[level].forward == x)
		level++;
	zsl_unlink(z, x, update);
	x->score = score;
	e->v.d = score;
	zsl_link(z, x, level);
}

int zset_set(struct zset *z, const void *m, size_t n, double score)
{
	bool created;
	struct dict_entry *e = dict_upsert(&z->dict, m, n, &created);
	if (!e)
		return -ENOMEM;
	if (!created) {
		if (e->v.d != score)
			zsl_update(z, e, score);
		return 0;
	}
	e->v.d = score;
	if (zsl_insert(z, score, e) < 0) {
		dict_entry_free(dict_unlink(&z->dict, m, n));
		return -ENOMEM;
	}
	return 1;
}

bool zset_delete(struct zset *z, const void *m, size_t n)
{
	struct dict_entry *e = dict_find(&z->dict, m, n);
	if (!e)
		return false;
	struct zset_node *update[ZSET_MAXLEVEL];
	find_update(z, e->v.d, m, n, update, NULL);
	struct zset_node *x = update[0]->level[0].forward;
	assert(x && x->ele == e);
	zsl_remove(z, x, update);
	return true;
}

/* The 1-based rank of (score, m/n) in the skip list, 0 when absent (zslGetRank). */
static size_t zsl_rank(const struct zset *z, double score, const char *m, size_t n)
{
	const struct zset_node *x = z->header;
	size_t rank = 0;
	for (int i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward && node_cmp(x->level[i].forward, score, m, n) <= 0) {
			rank += x->level[i].span;
			x = x->level[i].forward;
		}
		if (x->ele && node_cmp(x, score, m, n) == 0)
			return rank;
	}
	return 0;
}

long zset_rank(struct zset *z, const void *m, size_t n, bool rev)
{
	struct dict_entry *e = dict_find(&z->dict, m, n);
	if (!e)
		return -1;
	size_t r = zsl_rank(z, e->v.d, m, n);
	assert(r > 0);
	return rev ? (long)(z->length - r) : (long)(r - 1);
}

size_t zset_node_rank(const struct zset *z, const struct zset_node *x)
{
	return zsl_rank(z, x->score, x->ele->key, x->ele->klen) - 1;
}

struct zset_node *zset_at_rank(const struct zset *z, size_t rank)
{
	struct zset_node *x = z->header;
	size_t traversed = 0, want = rank + 1;
	for (int i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward && traversed + x->level[i].span <= want) {
			traversed += x->level[i].span;
			x = x->level[i].forward;
		}
		if (traversed == want)
			return x;
	}
	return NULL;
}

bool zset_score_gte_min(const struct zrange_score *r, double v)
{
	return r->minex ? v > r->min : v >= r->min;
}

bool zset_score_lte_max(const struct zrange_score *r, double v)
{
	return r->maxex ? v < r->max : v <= r->max;
}

/* Whether some part of the list can be in r (zslIsInRange). */
static bool score_range_touches(const struct zset *z, const struct zrange_score *r)
{
	if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex)))
		return false;
	if (!z->tail || !zset_score_gte_min(r, z->tail->score))
		return false;
	return zset_score_lte_max(r, zset_first(z)->score);
}

struct zset_node *zset_first_in_score(const struct zset *z, const struct zrange_score *r)
{
	if (!score_range_touches(z, r))
		return NULL;
	struct zset_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--)
		while (x->level[i].forward && !zset_score_gte_min(r, x->level[i].forward->score))
			x = x->level[i].forward;
	x = x->level[0].forward;
	return x && zset_score_lte_max(r, x->score) ? x : NULL;
}

struct zset_node *zset_last_in_score(const struct zset *z, const struct zrange_score *r)
{
	if (!score_range_touches(z, r))
		return NULL;
	struct zset_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--)
		while (x->level[i].forward && zset_score_lte_max(r, x->level[i].forward->score))
			x = x->level[i].forward;
	return x != z->header && zset_score_gte_min(r, x->score) ? x : NULL;
}

bool zset_lex_parse(const char *p, size_t n, struct zlex_bound *b)
{
	if (n == 0)
		return false;
	b->inf = 0;
	b->ex = false;
	b->p = p + 1;
	b->n = n - 1;
	switch (p[0]) {
	case '+':
	case '-':
		if (n != 1)
			return false;
		b->inf = p[0] == '+' ? 1 : -1;
		return true;
	case '(':
		b->ex = true;
		return true;
	case '[':
		return true;
	default:
		return false;
	}
}

/* Compares a bound (or a member: inf 0) with another, "-" below and "+" above every string. */
static int lex_cmp(const struct zlex_bound *a, const struct zlex_bound *b)
{
	if (a->inf == b->inf && a->inf != 0)
		return 0;
	if (a->inf < 0 || b->inf > 0)
		return -1;
	if (a->inf > 0 || b->inf < 0)
		return 1;
	return mem_cmp(a->p, a->n, b->p, b->n);
}

bool zset_lex_gte_min(const struct zrange_lex *r, const char *p, size_t n)
{
	struct zlex_bound v = {.p = p, .n = n};
	int c = lex_cmp(&v, &r->min);
	return r->min.ex ? c > 0 : c >= 0;
}

bool zset_lex_lte_max(const struct zrange_lex *r, const char *p, size_t n)
{
	struct zlex_bound v = {.p = p, .n = n};
	int c = lex_cmp(&v, &r->max);
	return r->max.ex ? c < 0 : c <= 0;
}

static bool lex_range_touches(const struct zset *z, const struct zrange_lex *r)
{
	int c = lex_cmp(&r->min, &r->max);
	if (c > 0 || (c == 0 && (r->min.ex || r->max.ex)))
		return false;
	if (!z->tail || !zset_lex_gte_min(r, z->tail->ele->key, z->tail->ele->klen))
		return false;
	return zset_lex_lte_max(r, zset_first(z)->ele->key, zset_first(z)->ele->klen);
}

struct zset_node *zset_first_in_lex(const struct zset *z, const struct zrange_lex *r)
{
	if (!lex_range_touches(z, r))
		return NULL;
	struct zset_node *x = z->header, *f;
	for (int i = z->level - 1; i >= 0; i--)
		while ((f = x->level[i].forward) && !zset_lex_gte_min(r, f->ele->key, f->ele->klen))
			x = f;
	x = x->level[0].forward;
	return x && zset_lex_lte_max(r, x->ele->key, x->ele->klen) ? x : NULL;
}

struct zset_node *zset_last_in_lex(const struct zset *z, const struct zrange_lex *r)
{
	if (!lex_range_touches(z, r))
		return NULL;
	struct zset_node *x = z->header, *f;
	for (int i = z->level - 1; i >= 0; i--)
		while ((f = x->level[i].forward) && zset_lex_lte_max(r, f->ele->key, f->ele->klen))
			x = f;
	return x != z->header && zset_lex_gte_min(r, x->ele->key, x->ele->klen) ? x : NULL;
}

/* Removes the run of nodes from after update[0] while in_range(node) holds. */
static size_t delete_run(struct zset *z, struct zset_node **update,
			 bool (*in_range)(const void *r, const struct zset_node *x), const void *r)
{
	size_t removed = 0;
	struct zset_node *x = update[0]->level[0].forward;
	while (x && in_range(r, x)) {
		struct zset_node *next = x->level[0].forward;
		zsl_remove(z, x, update);
		removed++;
		x = next;
	}
	return removed;
}

static bool score_le_max(const void *r, const struct zset_node *x)
{
	return zset_score_lte_max(r, x->score);
}

static bool lex_le_max(const void *r, const struct zset_node *x)
{
	return zset_lex_lte_max(r, x->ele->key, x->ele->klen);
}

struct rank_left {
	size_t left;
};

static bool rank_left(const void *r, const struct zset_node *x)
{
	(void)x;
	struct rank_left *rl = (struct rank_left *)r;
	if (!rl->left)
		return false;
	rl->left--;
	return true;
}

size_t zset_delete_rank_range(struct zset *z, size_t start, size_t end)
{
	struct zset_node *update[ZSET_MAXLEVEL], *x = z->header;
	size_t traversed = 0;
	for (int i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward && traversed + x->level[i].span <= start) {
			traversed += x->level[i].span;
			x = x->level[i].forward;
		}
		update[i] = x;
	}
	struct rank_left rl = {end - start + 1};
	return delete_run(z, update, rank_left, &rl);
}

size_t zset_delete_score_range(struct zset *z, const struct zrange_score *r)
{
	struct zset_node *update[ZSET_MAXLEVEL], *x = z->header, *f;
	for (int i = z->level - 1; i >= 0; i--) {
		while ((f = x->level[i].forward) && !zset_score_gte_min(r, f->score))
			x = f;
		update[i] = x;
	}
	return delete_run(z, update, score_le_max, r);
}

size_t zset_delete_lex_range(struct zset *z, const struct zrange_lex *r)
{
	struct zset_node *update[ZSET_MAXLEVEL], *x = z->header, *f;
	for (int i = z->level - 1; i >= 0; i--) {
		while ((f = x->level[i].forward) && !zset_lex_gte_min(r, f->ele->key, f->ele->klen))
			x = f;
		update[i] = x;
	}
	return delete_run(z, update, lex_le_max, r);
}
