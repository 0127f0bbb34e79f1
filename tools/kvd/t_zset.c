// SPDX-License-Identifier: MIT
/* t_zset: kvd's sorted set commands, as Redis 7 answers them. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvd.h"
#include "zset.h"

/*
 * Redis keeps a small sorted set (at most 128 members of at most 64 bytes) as a listpack, which
 * stores scores as text: a -0 added there reads back as 0, and ZSCAN returns it whole in order.
 */
#define ZSET_SMALL_ENTRIES 128
#define ZSET_SMALL_VALUE   64

#define ERR_MINMAX_FLOAT "ERR min or max is not a float"
#define ERR_MINMAX_LEX   "ERR min or max not valid string range item"

/* ---- argument parsing ---------------------------------------------------------------------- */

/* strtod over a bound's bytes (from start), whole, not NaN: zslParseRange's rule, which accepts "". */
static bool parse_strtod(const char *p, size_t n, double *v)
{
	char small[64], *buf = n < sizeof(small) ? small : malloc(n + 1);
	char *end;
	bool good;

	if (!buf)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*v = strtod(buf, &end);
	good = end[0] == '\0' && !isnan(*v);
	if (buf != small)
		free(buf);
	return good;
}

static bool parse_score_bound(const struct karg *a, double *v, bool *ex)
{
	*ex = a->n > 0 && a->p[0] == '(';
	return parse_strtod(a->p + *ex, a->n - *ex, v);
}

static bool parse_score_range(const struct karg *min, const struct karg *max, struct zrange_score *r)
{
	return parse_score_bound(min, &r->min, &r->minex) && parse_score_bound(max, &r->max, &r->maxex);
}

static bool parse_lex_range(const struct karg *min, const struct karg *max, struct zrange_lex *r)
{
	return zset_lex_parse(min->p, min->n, &r->min) && zset_lex_parse(max->p, max->n, &r->max);
}

/* A count that must be >= 0 (getPositiveLongFromObjectOrReply). */
static bool arg_count(struct client *c, const struct karg *a, long long *v)
{
	if (!str_to_ll(a->p, a->n, v) || *v < 0) {
		reply_error(c, KERR_NOT_POS);
		return false;
	}
	return true;
}

/* Looks up a zset to change; creates it when absent and create. NULL after an error reply or when absent. */
static struct kobj *zset_for_write(struct client *c, const struct karg *key, bool create, bool *wrong)
{
	struct kobj *o = db_write_typed(c, key, KV_ZSET, wrong);
	if (o || *wrong || !create)
		return o;
	o = kobj_new_zset();
	if (!o || db_add(c->db, key, o) < 0) {
		kobj_free(o);
		reply_error(c, KERR_OOM);
		*wrong = true;
		return NULL;
	}
	return o;
}

/* After removals: an emptied zset loses its key; otherwise WATCH sees the change. */
static void zset_changed(struct client *c, const struct karg *key, struct kobj *o, size_t n)
{
	if (!n)
		return;
	kvd_dirty(c, (long)n);
	if (zset_length(o->u.zset) == 0)
		db_delete(c->db, key);
	else
		db_touch(c->db, key);
}

static bool zset_small(struct zset *z)
{
	if (zset_length(z) > ZSET_SMALL_ENTRIES)
		return false;
	for (const struct zset_node *x = zset_first(z); x; x = x->level[0].forward)
		if (zset_node_len(x) > ZSET_SMALL_VALUE)
			return false;
	return true;
}

/* ---- ZADD ZINCRBY -------------------------------------------------------------------------- */

enum {
	ZADD_NX = 1 << 0,
	ZADD_XX = 1 << 1,
	ZADD_GT = 1 << 2,
	ZADD_LT = 1 << 3,
	ZADD_CH = 1 << 4,
	ZADD_INCR = 1 << 5,
};
enum zadd_out { ZADD_OUT_NOP, ZADD_OUT_ADDED, ZADD_OUT_UPDATED, ZADD_OUT_SAME, ZADD_OUT_NAN, ZADD_OUT_NOMEM };

/* Redis's zsetAdd: one member with its flags; *newscore is the score it ends with. */
static enum zadd_out zadd_one(struct zset *z, const struct karg *m, double score, int flags, double *newscore)
{
	double cur;
	if (zset_score(z, m->p, m->n, &cur)) {
		if (flags & ZADD_NX)
			return ZADD_OUT_NOP;
		if (flags & ZADD_INCR) {
			score += cur;
			if (isnan(score))
				return ZADD_OUT_NAN;
		}
		if (((flags & ZADD_LT) && score >= cur) || ((flags & ZADD_GT) && score <= cur))
			return ZADD_OUT_NOP;
		*newscore = score;
		if (score == cur)
			return ZADD_OUT_SAME;
		zset_set(z, m->p, m->n, score);
		return ZADD_OUT_UPDATED;
	}
	if (flags & ZADD_XX)
		return ZADD_OUT_NOP;
	*newscore = score;
	if (score == 0 && zset_length(z) < ZSET_SMALL_ENTRIES && m->n <= ZSET_SMALL_VALUE)
		score = 0; /* -0 as a listpack keeps it */
	return zset_set(z, m->p, m->n, score) < 0 ? ZADD_OUT_NOMEM : ZADD_OUT_ADDED;
}

static void zadd_generic(struct client *c, int flags)
{
	const struct karg *key = &c->argv[1];
	int idx = 2;
	bool wrong;

	for (; idx < c->argc; idx++) {
		const struct karg *a = &c->argv[idx];
		if (arg_eq(a, "nx"))
			flags |= ZADD_NX;
		else if (arg_eq(a, "xx"))
			flags |= ZADD_XX;
		else if (arg_eq(a, "ch"))
			flags |= ZADD_CH;
		else if (arg_eq(a, "incr"))
			flags |= ZADD_INCR;
		else if (arg_eq(a, "gt"))
			flags |= ZADD_GT;
		else if (arg_eq(a, "lt"))
			flags |= ZADD_LT;
		else
			break;
	}
	int elements = c->argc - idx;
	if (elements % 2 || !elements) {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	elements /= 2;
	if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
		reply_error(c, "ERR XX and NX options at the same time are not compatible");
		return;
	}
	if (((flags & (ZADD_GT | ZADD_LT)) && (flags & ZADD_NX)) ||
	    ((flags & ZADD_GT) && (flags & ZADD_LT))) {
		reply_error(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
		return;
	}
	if ((flags & ZADD_INCR) && elements > 1) {
		reply_error(c, "ERR INCR option supports a single increment-element pair");
		return;
	}
	/* Every score is checked before anything changes. */
	for (int j = 0; j < elements; j++) {
		double s;
		if (!arg_double(c, &c->argv[idx + j * 2], &s))
			return;
	}
	struct kobj *o = zset_for_write(c, key, !(flags & ZADD_XX), &wrong);
	if (wrong)
		return;
	long added = 0, updated = 0, processed = 0;
	double score = 0;
	const char *err = NULL;
	for (int j = 0; o && j < elements; j++) {
		double s, newscore = 0;
		str_to_double(c->argv[idx + j * 2].p, c->argv[idx + j * 2].n, &s);
		enum zadd_out r = zadd_one(o->u.zset, &c->argv[idx + j * 2 + 1], s, flags, &newscore);
		if (r == ZADD_OUT_NAN || r == ZADD_OUT_NOMEM) {
			err = r == ZADD_OUT_NAN ? "ERR resulting score is not a number (NaN)" : KERR_OOM;
			break;
		}
		added += r == ZADD_OUT_ADDED;
		updated += r == ZADD_OUT_UPDATED;
		if (r != ZADD_OUT_NOP) {
			processed++;
			score = newscore;
		}
	}
	if (added || updated) {
		kvd_dirty(c, added + updated);
		db_touch(c->db, key);
	} else if (o && zset_length(o->u.zset) == 0) {
		db_delete(c->db, key);
	}
	if (err)
		reply_error(c, err);
	else if (flags & ZADD_INCR)
		processed ? reply_double(c, score) : reply_null(c);
	else
		reply_int(c, (flags & ZADD_CH) ? added + updated : added);
}

static void zadd_command(struct client *c)
{
	zadd_generic(c, 0);
}

static void zincrby_command(struct client *c)
{
	zadd_generic(c, ZADD_INCR);
}

/* ---- simple reads and removals ------------------------------------------------------------- */

static void zrem_command(struct client *c)
{
	const struct karg *key = &c->argv[1];
	bool wrong;
	struct kobj *o = db_write_typed(c, key, KV_ZSET, &wrong);
	size_t deleted = 0;

	if (wrong)
		return;
	for (int j = 2; o && j < c->argc; j++) {
		deleted += zset_delete(o->u.zset, c->argv[j].p, c->argv[j].n);
		if (zset_length(o->u.zset) == 0)
			break;
	}
	if (o)
		zset_changed(c, key, o, deleted);
	reply_int(c, (long long)deleted);
}

static void zscore_command(struct client *c)
{
	bool wrong;
	double s;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_ZSET, &wrong);

	if (wrong)
		return;
	if (o && zset_score(o->u.zset, c->argv[2].p, c->argv[2].n, &s))
		reply_double(c, s);
	else
		reply_null(c);
}

static void zmscore_command(struct client *c)
{
	bool wrong;
	double s;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_ZSET, &wrong);

	if (wrong)
		return;
	reply_array(c, c->argc - 2);
	for (int j = 2; j < c->argc; j++) {
		if (o && zset_score(o->u.zset, c->argv[j].p, c->argv[j].n, &s))
			reply_double(c, s);
		else
			reply_null(c);
	}
}

static void zcard_command(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_ZSET, &wrong);

	if (!wrong)
		reply_int(c, o ? (long long)zset_length(o->u.zset) : 0);
}

static void zrank_generic(struct client *c, bool rev)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_ZSET, &wrong);

	if (wrong)
		return;
	long r = o ? zset_rank(o->u.zset, c->argv[2].p, c->argv[2].n, rev) : -1;
	if (r < 0)
		reply_null(c);
	else
		reply_int(c, r);
}

static void zrank_command(struct client *c)
{
	zrank_generic(c, false);
}

static void zrevrank_command(struct client *c)
{
	zrank_generic(c, true);
}

/* ZCOUNT, ZLEXCOUNT: how many elements the range holds, from the ranks of its first and last. */
static void count_range(struct client *c, bool lex)
{
	struct zrange_score sr;
	struct zrange_lex lr;
	bool wrong;

	if (lex ? !parse_lex_range(&c->argv[2], &c->argv[3], &lr)
		: !parse_score_range(&c->argv[2], &c->argv[3], &sr)) {
		reply_error(c, lex ? ERR_MINMAX_LEX : ERR_MINMAX_FLOAT);
		return;
	}
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_ZSET, &wrong);
	if (wrong)
		return;
	struct zset *z = o ? o->u.zset : NULL;
	struct zset_node *first = !z ? NULL : lex ? zset_first_in_lex(z, &lr) : zset_first_in_score(z, &sr);
	struct zset_node *last = !first ? NULL : lex ? zset_last_in_lex(z, &lr) : zset_last_in_score(z, &sr);
	reply_int(c, first ? (long long)(zset_node_rank(z, last) - zset_node_rank(z, first) + 1) : 0);
}

static void zcount_command(struct client *c)
{
	count_range(c, false);
}

static void zlexcount_command(struct client *c)
{
	count_range(c, true);
}

/* ---- ZRANGE and its family ----------------------------------------------------------------- */

enum zrange_type { ZR_AUTO, ZR_RANK, ZR_SCORE, ZR_LEX };
enum zrange_dir { ZD_AUTO, ZD_FORWARD, ZD_REVERSE };

/* Where a range goes: the client's reply, or a new zset for ZRANGESTORE. */
struct zemit {
	struct client *c;
	bool withscores;
	struct kobj *dst; /* ZRANGESTORE: the zset being filled */
	void *defer;
	long n;
};

static void emit_begin(struct zemit *e, long len)
{
	e->n = 0;
	if (e->dst)
		return;
	if (len < 0)
		e->defer = reply_defer(e->c);
	else
		reply_array(e->c, e->withscores && e->c->resp == 2 ? len * 2 : len);
}

static void emit_one(struct zemit *e, const struct zset_node *x)
{
	e->n++;
	if (e->dst) {
		if (zset_set(e->dst->u.zset, zset_node_member(x), zset_node_len(x), x->score) < 0)
			e->n--;
		return;
	}
	if (e->withscores && e->c->resp > 2)
		reply_array(e->c, 2);
	reply_bulk(e->c, zset_node_member(x), zset_node_len(x));
	if (e->withscores)
		reply_double(e->c, x->score);
}

static void emit_end(struct zemit *e)
{
	if (e->defer)
		reply_set_deferred_array(e->c, e->defer, e->withscores && e->c->resp == 2 ? e->n * 2 : e->n);
}

static void range_by_rank(struct zemit *e, struct zset *z, long long start, long long end, bool rev)
{
	size_t len = zset_length(z), from, to;
	if (!kvd_clamp_range(start, end, len, &from, &to)) {
		emit_begin(e, 0);
		return;
	}
	size_t n = to - from + 1;
	emit_begin(e, (long)n);
	struct zset_node *x = zset_at_rank(z, rev ? len - 1 - from : from);
	for (; n-- > 0 && x; x = rev ? x->backward : x->level[0].forward)
		emit_one(e, x);
}

/*
 * Skips offset nodes, then emits up to limit (negative: no limit) while in range. A negative
 * offset skips everything, as Redis's `while (ln && offset--)` does.
 */
static void range_walk(struct zemit *e, struct zset_node *x, long long offset, long long limit, bool rev,
		       bool (*in)(const void *r, const struct zset_node *x), const void *r)
{
	while (x && offset) {
		x = rev ? x->backward : x->level[0].forward;
		offset--;
	}
	for (; x && limit; limit--, x = rev ? x->backward : x->level[0].forward) {
		if (!in(r, x))
			break;
		emit_one(e, x);
	}
}

static bool score_in_max(const void *r, const struct zset_node *x)
{
	return zset_score_lte_max(r, x->score);
}

static bool score_in_min(const void *r, const struct zset_node *x)
{
	return zset_score_gte_min(r, x->score);
}

static bool lex_in_max(const void *r, const struct zset_node *x)
{
	return zset_lex_lte_max(r, zset_node_member(x), zset_node_len(x));
}

static bool lex_in_min(const void *r, const struct zset_node *x)
{
	return zset_lex_gte_min(r, zset_node_member(x), zset_node_len(x));
}

/* Redis's zrangeGenericCommand: argv[first] is the source key, then min max and the options. */
static void zrange_generic(struct client *c, int first, const struct karg *dstkey, enum zrange_type type,
			   enum zrange_dir dir)
{
	const struct karg *key = &c->argv[first], *min = &c->argv[first + 1], *max = &c->argv[first + 2];
	long long offset = 0, limit = -1, start = 0, end = 0;
	struct zemit e = {.c = c};
	struct zrange_score sr;
	struct zrange_lex lr;
	bool wrong;

	for (int j = first + 3; j < c->argc; j++) {
		const struct karg *a = &c->argv[j];
		if (!dstkey && arg_eq(a, "withscores")) {
			e.withscores = true;
		} else if (arg_eq(a, "limit") && c->argc - j - 1 >= 2) {
			if (!arg_ll(c, &c->argv[j + 1], &offset) || !arg_ll(c, &c->argv[j + 2], &limit))
				return;
			j += 2;
		} else if (dir == ZD_AUTO && arg_eq(a, "rev")) {
			dir = ZD_REVERSE;
		} else if (type == ZR_AUTO && arg_eq(a, "bylex")) {
			type = ZR_LEX;
		} else if (type == ZR_AUTO && arg_eq(a, "byscore")) {
			type = ZR_SCORE;
		} else {
			reply_error(c, KERR_SYNTAX);
			return;
		}
	}
	if (dir == ZD_AUTO)
		dir = ZD_FORWARD;
	if (type == ZR_AUTO)
		type = ZR_RANK;
	if (limit != -1 && type == ZR_RANK) {
		reply_error(c, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
			       "or BYLEX");
		return;
	}
	if (e.withscores && type == ZR_LEX) {
		reply_error(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
		return;
	}
	bool rev = dir == ZD_REVERSE;
	if (rev && type != ZR_RANK) {
		const struct karg *t = min;
		min = max;
		max = t;
	}
	if (type == ZR_RANK) {
		if (!arg_ll(c, min, &start) || !arg_ll(c, max, &end))
			return;
	} else if (type == ZR_SCORE) {
		if (!parse_score_range(min, max, &sr)) {
			reply_error(c, ERR_MINMAX_FLOAT);
			return;
		}
	} else if (!parse_lex_range(min, max, &lr)) {
		reply_error(c, ERR_MINMAX_LEX);
		return;
	}
	struct kobj *o = db_read_typed(c, key, KV_ZSET, &wrong);
	if (wrong)
		return;
	if (dstkey) {
		/* Filled before it replaces dst, so that dst == src reads the old value. */
		e.dst = kobj_new_zset();
		if (!e.dst) {
			reply_error(c, KERR_OOM);
			return;
		}
	}
	if (!o) {
		emit_begin(&e, 0);
	} else if (type == ZR_RANK) {
		range_by_rank(&e, o->u.zset, start, end, rev);
	} else if (offset > 0 && offset >= (long long)zset_length(o->u.zset)) {
		emit_begin(&e, 0);
	} else if (type == ZR_SCORE) {
		struct zset *z = o->u.zset;
		emit_begin(&e, -1);
		range_walk(&e, rev ? zset_last_in_score(z, &sr) : zset_first_in_score(z, &sr), offset, limit,
			   rev, rev ? score_in_min : score_in_max, &sr);
	} else {
		struct zset *z = o->u.zset;
		emit_begin(&e, -1);
		range_walk(&e, rev ? zset_last_in_lex(z, &lr) : zset_first_in_lex(z, &lr), offset, limit, rev,
			   rev ? lex_in_min : lex_in_max, &lr);
	}
	emit_end(&e);
	if (!dstkey)
		return;
	if (e.n) {
		if (db_set(c->db, dstkey, e.dst, false) < 0) {
			kobj_free(e.dst);
			reply_error(c, KERR_OOM);
			return;
		}
		kvd_dirty(c, 1);
	} else {
		kobj_free(e.dst);
		if (db_delete(c->db, dstkey))
			kvd_dirty(c, 1);
	}
	reply_int(c, e.n);
}

static void zrange_command(struct client *c)
{
	zrange_generic(c, 1, NULL, ZR_AUTO, ZD_AUTO);
}

static void zrangestore_command(struct client *c)
{
	zrange_generic(c, 2, &c->argv[1], ZR_AUTO, ZD_AUTO);
}

static void zrevrange_command(struct client *c)
{
	zrange_generic(c, 1, NULL, ZR_RANK, ZD_REVERSE);
}

static void zrangebyscore_command(struct client *c)
{
	zrange_generic(c, 1, NULL, ZR_SCORE, ZD_FORWARD);
}

static void zrevrangebyscore_command(struct client *c)
{
	zrange_generic(c, 1, NULL, ZR_SCORE, ZD_REVERSE);
}

static void zrangebylex_command(struct client *c)
{
	zrange_generic(c, 1, NULL, ZR_LEX, ZD_FORWARD);
}

static void zrevrangebylex_command(struct client *c)
{
	zrange_generic(c, 1, NULL, ZR_LEX, ZD_REVERSE);
}

/* ---- pops and range removals --------------------------------------------------------------- */

/* ZPOPMIN ZPOPMAX key [count]: RESP3 nests the pairs when a count is given. */
static void zpop_generic(struct client *c, bool max)
{
	const struct karg *key = &c->argv[1];
	long long count = 1;
	bool has_count = c->argc == 3, wrong;

	if (c->argc > 3) {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	if (has_count && !arg_count(c, &c->argv[2], &count))
		return;
	struct kobj *o = db_write_typed(c, key, KV_ZSET, &wrong);
	if (wrong)
		return;
	if (!o || count == 0) {
		reply_array(c, 0);
		return;
	}
	struct zset *z = o->u.zset;
	size_t n = zset_length(z) < (unsigned long long)count ? zset_length(z) : (size_t)count;
	bool nested = has_count && c->resp > 2;
	reply_array(c, nested ? (long)n : (long)n * 2);
	for (size_t i = 0; i < n; i++) {
		struct zset_node *x = max ? zset_last(z) : zset_first(z);
		if (nested)
			reply_array(c, 2);
		reply_bulk(c, zset_node_member(x), zset_node_len(x));
		reply_double(c, x->score);
		/* The member's bytes live in the node's dict entry: copied into the reply first. */
		struct dict_entry *e = x->ele;
		zset_delete(z, e->key, e->klen);
	}
	zset_changed(c, key, o, n);
}

static void zpopmin_command(struct client *c)
{
	zpop_generic(c, false);
}

static void zpopmax_command(struct client *c)
{
	zpop_generic(c, true);
}

static void zremrange_generic(struct client *c, enum zrange_type type)
{
	const struct karg *key = &c->argv[1];
	long long start = 0, end = 0;
	struct zrange_score sr;
	struct zrange_lex lr;
	bool wrong;

	if (type == ZR_RANK) {
		if (!arg_ll(c, &c->argv[2], &start) || !arg_ll(c, &c->argv[3], &end))
			return;
	} else if (type == ZR_SCORE) {
		if (!parse_score_range(&c->argv[2], &c->argv[3], &sr)) {
			reply_error(c, ERR_MINMAX_FLOAT);
			return;
		}
	} else if (!parse_lex_range(&c->argv[2], &c->argv[3], &lr)) {
		reply_error(c, ERR_MINMAX_LEX);
		return;
	}
	struct kobj *o = db_write_typed(c, key, KV_ZSET, &wrong);
	if (wrong)
		return;
	if (!o) {
		reply_int(c, 0);
		return;
	}
	struct zset *z = o->u.zset;
	size_t deleted = 0;
	if (type == ZR_RANK) {
		size_t from, to;
		if (!kvd_clamp_range(start, end, zset_length(z), &from, &to)) {
			reply_int(c, 0);
			return;
		}
		deleted = zset_delete_rank_range(z, from, to);
	} else if (type == ZR_SCORE) {
		deleted = zset_delete_score_range(z, &sr);
	} else {
		deleted = zset_delete_lex_range(z, &lr);
	}
	zset_changed(c, key, o, deleted);
	reply_int(c, (long long)deleted);
}

static void zremrangebyrank_command(struct client *c)
{
	zremrange_generic(c, ZR_RANK);
}

static void zremrangebyscore_command(struct client *c)
{
	zremrange_generic(c, ZR_SCORE);
}

static void zremrangebylex_command(struct client *c)
{
	zremrange_generic(c, ZR_LEX);
}

/* ---- ZSCAN --------------------------------------------------------------------------------- */

/* parseScanCursorOrReply's rule: strtoul, whole, no leading space, in range ("-1" wraps). */
static bool cursor_valid(const struct karg *a)
{
	char buf[64], *end;
	if (a->n >= sizeof(buf))
		return false;
	memcpy(buf, a->p, a->n);
	buf[a->n] = '\0';
	errno = 0;
	(void)strtoull(buf, &end, 10);
	return !isspace((unsigned char)buf[0]) && end[0] == '\0' && errno != ERANGE;
}

struct zscan_acc {
	const struct dict_entry **v;
	size_t n, cap;
	bool nomem;
};

static void zscan_collect(void *ctx, const struct dict_entry *e)
{
	struct zscan_acc *acc = ctx;
	if (acc->n == acc->cap) {
		size_t ncap = acc->cap ? acc->cap * 2 : 32;
		const struct dict_entry **nv = realloc(acc->v, ncap * sizeof(*nv));
		if (!nv) {
			acc->nomem = true;
			return;
		}
		acc->v = nv;
		acc->cap = ncap;
	}
	acc->v[acc->n++] = e;
}

static bool zscan_match(const struct scan_args *a, const char *p, size_t n)
{
	return !a->match || glob_match(a->match, a->matchlen, p, n, false);
}

static void zscan_reply_member(struct client *c, const char *p, size_t n, double score)
{
	char buf[64];
	reply_bulk(c, p, n);
	reply_bulk(c, buf, (size_t)fmt_double(buf, sizeof(buf), score));
}

static void zscan_command(struct client *c)
{
	struct scan_args a;
	struct kobj *o = db_lookup_read(c->db, &c->argv[1]);

	if (!o || o->type != KV_ZSET) {
		if (!cursor_valid(&c->argv[2]))
			reply_error(c, "ERR invalid cursor");
		else if (o)
			reply_error(c, KERR_WRONGTYPE);
		else {
			reply_array(c, 2);
			reply_bulk(c, "0", 1);
			reply_array(c, 0);
		}
		return;
	}
	if (!scan_parse(c, 2, false, &a))
		return;
	struct zset *z = o->u.zset;
	if (zset_small(z)) {
		/* All at once, in order, as Redis scans a listpack. */
		long n = 0;
		for (const struct zset_node *x = zset_first(z); x; x = x->level[0].forward)
			n += zscan_match(&a, zset_node_member(x), zset_node_len(x));
		reply_array(c, 2);
		reply_bulk(c, "0", 1);
		reply_array(c, n * 2);
		for (const struct zset_node *x = zset_first(z); x; x = x->level[0].forward)
			if (zscan_match(&a, zset_node_member(x), zset_node_len(x)))
				zscan_reply_member(c, zset_node_member(x), zset_node_len(x), x->score);
		return;
	}
	struct zscan_acc acc = {0};
	uint64_t cursor = a.cursor;
	long maxiter = a.count * 10;
	do {
		cursor = dict_scan(&z->dict, cursor, zscan_collect, &acc);
	} while (cursor && maxiter-- && acc.n < (size_t)a.count && !acc.nomem);
	long n = 0;
	for (size_t i = 0; i < acc.n; i++)
		n += zscan_match(&a, acc.v[i]->key, acc.v[i]->klen);
	char cbuf[24];
	int clen = snprintf(cbuf, sizeof(cbuf), "%llu", (unsigned long long)cursor);
	reply_array(c, 2);
	reply_bulk(c, cbuf, (size_t)clen);
	reply_array(c, n * 2);
	for (size_t i = 0; i < acc.n; i++)
		if (zscan_match(&a, acc.v[i]->key, acc.v[i]->klen))
			zscan_reply_member(c, acc.v[i]->key, acc.v[i]->klen, acc.v[i]->v.d);
	free(acc.v);
}

/* ---- the table ----------------------------------------------------------------------------- */

#define W  KC_WRITE
#define R  KC_READONLY
#define F  KC_FAST
#define OM KC_DENYOOM

const struct kcmd kvd_cmds_zset[] = {
	{"zadd", -4, W | OM | F, 1, 1, 1, zadd_command, "sorted-set",
	 "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't "
	 "exist."},
	{"zincrby", 4, W | OM | F, 1, 1, 1, zincrby_command, "sorted-set",
	 "Increments the score of a member in a sorted set."},
	{"zrem", -3, W | F, 1, 1, 1, zrem_command, "sorted-set",
	 "Removes one or more members from a sorted set. Deletes the sorted set if all members were "
	 "removed."},
	{"zscore", 3, R | F, 1, 1, 1, zscore_command, "sorted-set",
	 "Returns the score of a member in a sorted set."},
	{"zmscore", -3, R | F, 1, 1, 1, zmscore_command, "sorted-set",
	 "Returns the score of one or more members in a sorted set."},
	{"zcard", 2, R | F, 1, 1, 1, zcard_command, "sorted-set",
	 "Returns the number of members in a sorted set."},
	{"zcount", 4, R | F, 1, 1, 1, zcount_command, "sorted-set",
	 "Returns the count of members in a sorted set that have scores within a range."},
	{"zlexcount", 4, R | F, 1, 1, 1, zlexcount_command, "sorted-set",
	 "Returns the number of members in a sorted set within a lexicographical range."},
	{"zrank", 3, R | F, 1, 1, 1, zrank_command, "sorted-set",
	 "Returns the index of a member in a sorted set ordered by ascending scores."},
	{"zrevrank", 3, R | F, 1, 1, 1, zrevrank_command, "sorted-set",
	 "Returns the index of a member in a sorted set ordered by descending scores."},
	{"zrange", -4, R, 1, 1, 1, zrange_command, "sorted-set",
	 "Returns members in a sorted set within a range of indexes."},
	{"zrangestore", -5, W | OM, 1, 2, 1, zrangestore_command, "sorted-set",
	 "Stores a range of members from sorted set in a key."},
	{"zrevrange", -4, R, 1, 1, 1, zrevrange_command, "sorted-set",
	 "Returns members in a sorted set within a range of indexes in reverse order."},
	{"zrangebyscore", -4, R, 1, 1, 1, zrangebyscore_command, "sorted-set",
	 "Returns members in a sorted set within a range of scores."},
	{"zrevrangebyscore", -4, R, 1, 1, 1, zrevrangebyscore_command, "sorted-set",
	 "Returns members in a sorted set within a range of scores in reverse order."},
	{"zrangebylex", -4, R, 1, 1, 1, zrangebylex_command, "sorted-set",
	 "Returns members in a sorted set within a lexicographical range."},
	{"zrevrangebylex", -4, R, 1, 1, 1, zrevrangebylex_command, "sorted-set",
	 "Returns members in a sorted set within a lexicographical range in reverse order."},
	{"zpopmin", -2, W | F, 1, 1, 1, zpopmin_command, "sorted-set",
	 "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set "
	 "if the "
	 "last member was popped."},
	{"zpopmax", -2, W | F, 1, 1, 1, zpopmax_command, "sorted-set",
	 "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set "
	 "if the "
	 "last member was popped."},
	{"zremrangebyrank", 4, W, 1, 1, 1, zremrangebyrank_command, "sorted-set",
	 "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members "
	 "were "
	 "removed."},
	{"zremrangebyscore", 4, W, 1, 1, 1, zremrangebyscore_command, "sorted-set",
	 "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members "
	 "were "
	 "removed."},
	{"zremrangebylex", 4, W, 1, 1, 1, zremrangebylex_command, "sorted-set",
	 "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all "
	 "members "
	 "were removed."},
	{"zscan", -3, R, 1, 1, 1, zscan_command, "sorted-set",
	 "Iterates over members and scores of a sorted set."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
