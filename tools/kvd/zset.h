/* SPDX-License-Identifier: MIT */
/*
 * zset: kvd's sorted set value, as Redis builds it: a skip list ordered by (score, member bytes)
 * whose links carry spans, so that ranks are O(log n), plus a dict member -> score (v.d) for
 * O(1) score lookups. The skip list's nodes point at the dict's entries, which hold the member
 * bytes once. Event loop thread only.
 */
#ifndef KVD_ZSET_H
#define KVD_ZSET_H

#include <stdbool.h>
#include <stddef.h>

#include "dict.h"
#include "kvd.h"

#define ZSET_MAXLEVEL 32

struct zset_node {
	struct dict_entry *ele; /* the member (key, klen) in the dict; NULL in the header */
	double score;
	struct zset_node *backward;
	struct zset_level {
		struct zset_node *forward;
		size_t span; /* how many nodes the link skips, itself counted */
	} level[];
};

struct zset {
	struct dict dict; /* member -> v.d, the score */
	struct zset_node *header, *tail;
	size_t length;
	int level;
};

/* A score interval; min > max, or min == max with an open end, is empty. */
struct zrange_score {
	double min, max;
	bool minex, maxex; /* exclusive ends: "(1.5" */
};

/* One end of a lex interval: "[a", "(a", "-" (inf -1) or "+" (inf 1). */
struct zlex_bound {
	const char *p;
	size_t n;
	int inf;
	bool ex;
};
struct zrange_lex {
	struct zlex_bound min, max;
};

static inline const char *zset_node_member(const struct zset_node *x)
{
	return x->ele->key;
}
static inline size_t zset_node_len(const struct zset_node *x)
{
	return x->ele->klen;
}
/* The lowest and highest nodes (NULL when empty); walk with ->level[0].forward and ->backward. */
static inline struct zset_node *zset_first(const struct zset *z)
{
	return z->header->level[0].forward;
}
static inline struct zset_node *zset_last(const struct zset *z)
{
	return z->tail;
}

/* The score of member m/n in *score; false when absent. */
bool zset_score(struct zset *z, const void *m, size_t n, double *score);
/* Sets the score of m/n, adding it when absent: 1 added, 0 updated (or unchanged), -ENOMEM. */
int zset_set(struct zset *z, const void *m, size_t n, double score);
/* Removes m/n; true when it was there. */
bool zset_delete(struct zset *z, const void *m, size_t n);
/* The 0-based rank of m/n, from the lowest score (rev: from the highest); -1 when absent. */
long zset_rank(struct zset *z, const void *m, size_t n, bool rev);
/* The node at 0-based rank (from the lowest), or NULL past the end. */
struct zset_node *zset_at_rank(const struct zset *z, size_t rank);
/* The node's 0-based rank from the lowest. */
size_t zset_node_rank(const struct zset *z, const struct zset_node *x);

bool zset_score_gte_min(const struct zrange_score *r, double v);
bool zset_score_lte_max(const struct zrange_score *r, double v);
/* The first (lowest) and last (highest) node inside r, or NULL when none is. */
struct zset_node *zset_first_in_score(const struct zset *z, const struct zrange_score *r);
struct zset_node *zset_last_in_score(const struct zset *z, const struct zrange_score *r);

/* Parses "[x", "(x", "-", "+" as Redis does (the bytes stay the caller's); false when invalid. */
bool zset_lex_parse(const char *p, size_t n, struct zlex_bound *b);
bool zset_lex_gte_min(const struct zrange_lex *r, const char *p, size_t n);
bool zset_lex_lte_max(const struct zrange_lex *r, const char *p, size_t n);
struct zset_node *zset_first_in_lex(const struct zset *z, const struct zrange_lex *r);
struct zset_node *zset_last_in_lex(const struct zset *z, const struct zrange_lex *r);

/* Removals of ranges: ranks start..end (0-based, inclusive), a score or a lex interval. Count. */
size_t zset_delete_rank_range(struct zset *z, size_t start, size_t end);
size_t zset_delete_score_range(struct zset *z, const struct zrange_score *r);
size_t zset_delete_lex_range(struct zset *z, const struct zrange_lex *r);

#endif
