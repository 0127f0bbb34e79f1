// SPDX-License-Identifier: MIT
/* t_list: kvd's list commands, the blocking pops among them, as Redis 7 answers them. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kvd.h"
#include "list.h"

#define LIST_HEAD false
#define LIST_TAIL true

static void reply_blob(struct client *c, const struct blob *b)
{
	reply_bulk(c, b->data, b->len);
}

/* LEFT or RIGHT (Redis's getListPositionFromObjectOrReply): false after a syntax error. */
static bool arg_where(struct client *c, const struct karg *a, bool *tail)
{
	if (arg_eq(a, "left"))
		*tail = false;
	else if (arg_eq(a, "right"))
		*tail = true;
	else {
		reply_error(c, KERR_SYNTAX);
		return false;
	}
	return true;
}

/* A count that must be >= 0 (getPositiveLongFromObjectOrReply): msg for a bad or negative one. */
static bool arg_nonneg(struct client *c, const struct karg *a, const char *msg, long long *v)
{
	if (!str_to_ll(a->p, a->n, v) || *v < 0) {
		reply_error(c, msg);
		return false;
	}
	return true;
}

/*
 * A blocking command's timeout in seconds, parsed as Redis's getTimeoutFromObjectOrReply does:
 * strtold's syntax (so "0x10" and "inf" are numbers), times 1000, cast to an integer, where what
 * does not fit becomes LLONG_MIN as on x86 and so "negative". The deadline in unix ms, 0: none.
 */
static bool arg_timeout(struct client *c, const struct karg *a, int64_t *deadline)
{
	char buf[5 * 1024];
	char *end;
	long double v;
	long long ms;

	if (a->n == 0 || a->n >= sizeof(buf))
		goto bad;
	memcpy(buf, a->p, a->n);
	buf[a->n] = '\0';
	if (isspace((unsigned char)buf[0]))
		goto bad;
	errno = 0;
	v = strtold(buf, &end);
	if (end[0] != '\0' || errno == EINVAL || isnan(v) ||
	    (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)))
		goto bad;
	v *= 1000;
	ms = v >= -9223372036854775808.0L && v < 9223372036854775808.0L ? (long long)v : LLONG_MIN;
	if (ms < 0) {
		reply_error(c, KERR_TIMEOUT_NEG);
		return false;
	}
	if (ms == 0)
		*deadline = 0;
	else
		*deadline = ms > INT64_MAX - kvd_now_ms() ? INT64_MAX : kvd_now_ms() + ms;
	return true;
bad:
	reply_error(c, KERR_TIMEOUT);
	return false;
}

/* Deletes key when the pop left its list empty; otherwise WATCH still has to see the change. */
static void list_popped(struct client *c, const struct karg *key, struct kobj *o)
{
	if (list_length(o->u.list) == 0)
		db_delete(c->db, key);
	else
		db_touch(c->db, key);
}

/* ---- pushes -------------------------------------------------------------------------------- */

/* LPUSH RPUSH LPUSHX RPUSHX: pushes argv[2..], creating the list unless only_existing. */
static void push_generic(struct client *c, bool tail, bool only_existing)
{
	const struct karg *key = &c->argv[1];
	bool wrong;
	struct kobj *o = db_write_typed(c, key, KV_LIST, &wrong);

	if (wrong)
		return;
	if (!o) {
		if (only_existing) {
			reply_int(c, 0);
			return;
		}
		o = kobj_new_list();
		if (!o || db_add(c->db, key, o) < 0) {
			kobj_free(o);
			reply_error(c, KERR_OOM);
			return;
		}
	}
	int pushed = 0;
	for (int j = 2; j < c->argc; j++) {
		struct blob *b = blob_new(c->argv[j].p, c->argv[j].n);
		if (!b || (tail ? list_push_tail(o->u.list, b) : list_push_head(o->u.list, b)) < 0) {
			blob_free(b);
			break;
		}
		pushed++;
	}
	if (pushed) {
		db_touch(c->db, key);
		kvd_dirty(c, pushed);
	} else if (list_length(o->u.list) == 0) {
		db_delete(c->db, key);
	}
	if (pushed < c->argc - 2)
		reply_error(c, KERR_OOM);
	else
		reply_int(c, (long long)list_length(o->u.list));
}

static void lpush_command(struct client *c)
{
	push_generic(c, LIST_HEAD, false);
}

static void rpush_command(struct client *c)
{
	push_generic(c, LIST_TAIL, false);
}

static void lpushx_command(struct client *c)
{
	push_generic(c, LIST_HEAD, true);
}

static void rpushx_command(struct client *c)
{
	push_generic(c, LIST_TAIL, true);
}

/* ---- pops ---------------------------------------------------------------------------------- */

/* LPOP RPOP key [count]: Redis 7's replies, a null array for a missing key when count is given. */
static void pop_generic(struct client *c, bool tail)
{
	const struct karg *key = &c->argv[1];
	long long count = 0;
	bool has_count = c->argc == 3, wrong;

	if (c->argc > 3) {
		reply_errorf(c, "ERR wrong number of arguments for '%s' command", c->cmd->name);
		return;
	}
	if (has_count && !arg_nonneg(c, &c->argv[2], KERR_NOT_POS, &count))
		return;
	struct kobj *o = db_write_typed(c, key, KV_LIST, &wrong);
	if (wrong)
		return;
	if (!o) {
		if (has_count)
			reply_null_array(c);
		else
			reply_null(c);
		return;
	}
	struct klist *l = o->u.list;
	if (!has_count) {
		struct blob *b = tail ? list_pop_tail(l) : list_pop_head(l);
		reply_blob(c, b);
		blob_free(b);
		kvd_dirty(c, 1);
		list_popped(c, key, o);
		return;
	}
	if (count == 0) {
		reply_array(c, 0);
		return;
	}
	size_t n = list_length(l) < (unsigned long long)count ? list_length(l) : (size_t)count;
	reply_array(c, (long)n);
	for (size_t i = 0; i < n; i++) {
		struct blob *b = tail ? list_pop_tail(l) : list_pop_head(l);
		reply_blob(c, b);
		blob_free(b);
	}
	kvd_dirty(c, (long)n);
	list_popped(c, key, o);
}

static void lpop_command(struct client *c)
{
	pop_generic(c, LIST_HEAD);
}

static void rpop_command(struct client *c)
{
	pop_generic(c, LIST_TAIL);
}

/* ---- reads --------------------------------------------------------------------------------- */

static void llen_command(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_LIST, &wrong);

	if (!wrong)
		reply_int(c, o ? (long long)list_length(o->u.list) : 0);
}

static void lrange_command(struct client *c)
{
	long long start, end;
	bool wrong;
	size_t from, to;

	if (!arg_ll(c, &c->argv[2], &start) || !arg_ll(c, &c->argv[3], &end))
		return;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_LIST, &wrong);
	if (wrong)
		return;
	if (!o || !kvd_clamp_range(start, end, list_length(o->u.list), &from, &to)) {
		reply_array(c, 0);
		return;
	}
	const struct klist *l = o->u.list;
	reply_array(c, (long)(to - from + 1));
	for (size_t i = from; i <= to; i++)
		reply_blob(c, list_at(l, i));
}

/* An index (negative: from the end) into a list of len, or -1 when outside it. */
static long long list_index(long long index, size_t len)
{
	if (index < 0)
		index += (long long)len;
	return index >= 0 && index < (long long)len ? index : -1;
}

static void lindex_command(struct client *c)
{
	long long index;
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_LIST, &wrong);

	if (wrong)
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	if (!arg_ll(c, &c->argv[2], &index))
		return;
	index = list_index(index, list_length(o->u.list));
	if (index < 0)
		reply_null(c);
	else
		reply_blob(c, list_at(o->u.list, (size_t)index));
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
static void lpos_command(struct client *c)
{
	long long rank = 1, count = -1, maxlen = 0;
	bool wrong;

	for (int j = 3; j < c->argc; j++) {
		const struct karg *opt = &c->argv[j];
		bool more = j + 1 < c->argc;
		if (arg_eq(opt, "rank") && more) {
			if (!arg_ll(c, &c->argv[++j], &rank))
				return;
			if (rank == 0) {
				reply_error(
					c,
					"ERR RANK can't be zero: use 1 to start from the first match, 2 from "
					"the second ... or use negative to start from the end of the list");
				return;
			}
		} else if (arg_eq(opt, "count") && more) {
			if (!arg_nonneg(c, &c->argv[++j], "ERR COUNT can't be negative", &count))
				return;
		} else if (arg_eq(opt, "maxlen") && more) {
			if (!arg_nonneg(c, &c->argv[++j], "ERR MAXLEN can't be negative", &maxlen))
				return;
		} else {
			reply_error(c, KERR_SYNTAX);
			return;
		}
	}
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_LIST, &wrong);
	if (wrong)
		return;
	if (!o) {
		if (count != -1)
			reply_array(c, 0);
		else
			reply_null(c);
		return;
	}
	/* Redis negates the rank in a long, so LLONG_MIN stays negative: it counts as 1 from the tail. */
	bool from_tail = rank < 0;
	unsigned long long skip = rank < 0 ? (rank == LLONG_MIN ? 0 : (unsigned long long)-rank - 1)
					   : (unsigned long long)rank - 1;
	const struct klist *l = o->u.list;
	const struct karg *elem = &c->argv[2];
	size_t len = list_length(l), matches = 0, found = 0;
	void *deferred = count != -1 ? reply_defer(c) : NULL;
	for (size_t k = 0; k < len && (maxlen == 0 || k < (unsigned long long)maxlen); k++) {
		size_t i = from_tail ? len - 1 - k : k;
		const struct blob *b = list_at(l, i);
		if (b->len != elem->n || memcmp(b->data, elem->p, elem->n) != 0)
			continue;
		if (matches++ < skip)
			continue;
		if (!deferred) {
			reply_int(c, (long long)i);
			return;
		}
		reply_int(c, (long long)i);
		found++;
		if (count && found >= (unsigned long long)count)
			break;
	}
	if (deferred)
		reply_set_deferred_array(c, deferred, (long)found);
	else
		reply_null(c);
}

/* ---- in-place changes ---------------------------------------------------------------------- */

static void lset_command(struct client *c)
{
	const struct karg *key = &c->argv[1];
	long long index;
	bool wrong;
	struct kobj *o = db_write_typed(c, key, KV_LIST, &wrong);

	if (wrong)
		return;
	if (!o) {
		reply_error(c, KERR_NO_KEY);
		return;
	}
	if (!arg_ll(c, &c->argv[2], &index))
		return;
	index = list_index(index, list_length(o->u.list));
	if (index < 0) {
		reply_error(c, KERR_OUT_RANGE);
		return;
	}
	struct blob *b = blob_new(c->argv[3].p, c->argv[3].n);
	if (!b) {
		reply_error(c, KERR_OOM);
		return;
	}
	blob_free(list_replace(o->u.list, (size_t)index, b));
	db_touch(c->db, key);
	kvd_dirty(c, 1);
	reply_ok(c);
}

static void lrem_command(struct client *c)
{
	const struct karg *key = &c->argv[1];
	long long count;
	bool wrong;

	if (!arg_ll(c, &c->argv[2], &count))
		return;
	struct kobj *o = db_write_typed(c, key, KV_LIST, &wrong);
	if (wrong)
		return;
	if (!o) {
		reply_int(c, 0);
		return;
	}
	size_t removed = list_remove(o->u.list, c->argv[3].p, c->argv[3].n, (long)count);
	if (removed) {
		kvd_dirty(c, (long)removed);
		list_popped(c, key, o);
	}
	reply_int(c, (long long)removed);
}

static void ltrim_command(struct client *c)
{
	const struct karg *key = &c->argv[1];
	long long start, end;
	size_t from, to;
	bool wrong;

	if (!arg_ll(c, &c->argv[2], &start) || !arg_ll(c, &c->argv[3], &end))
		return;
	struct kobj *o = db_write_typed(c, key, KV_LIST, &wrong);
	if (wrong)
		return;
	if (!o) {
		reply_ok(c);
		return;
	}
	size_t len = list_length(o->u.list);
	if (kvd_clamp_range(start, end, len, &from, &to))
		list_keep(o->u.list, from, to - from + 1);
	else
		list_keep(o->u.list, 0, 0);
	size_t removed = len - list_length(o->u.list);
	if (removed)
		kvd_dirty(c, (long)removed);
	list_popped(c, key, o);
	reply_ok(c);
}

/* LINSERT key BEFORE|AFTER pivot element */
static void linsert_command(struct client *c)
{
	const struct karg *key = &c->argv[1], *pivot = &c->argv[3];
	bool after, wrong;

	if (arg_eq(&c->argv[2], "after"))
		after = true;
	else if (arg_eq(&c->argv[2], "before"))
		after = false;
	else {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	struct kobj *o = db_write_typed(c, key, KV_LIST, &wrong);
	if (wrong)
		return;
	if (!o) {
		reply_int(c, 0);
		return;
	}
	long at = list_find(o->u.list, pivot->p, pivot->n, false);
	if (at < 0) {
		reply_int(c, -1);
		return;
	}
	struct blob *b = blob_new(c->argv[4].p, c->argv[4].n);
	if (!b || list_insert(o->u.list, (size_t)at + after, b) < 0) {
		blob_free(b);
		reply_error(c, KERR_OOM);
		return;
	}
	db_touch(c->db, key);
	kvd_dirty(c, 1);
	reply_int(c, (long long)list_length(o->u.list));
}

/* ---- moves --------------------------------------------------------------------------------- */

/*
 * Moves one element from src's end (from_tail) to dst's end (to_tail) and replies it. Returns
 * 1 when moved, 0 when src is missing or empty (nothing replied), -1 after an error reply.
 * When reexec (a blocked BLMOVE run again), a src of another type counts as missing: Redis
 * serves blocked clients only from lists.
 */
static int move_one(struct client *c, const struct karg *src, const struct karg *dst, bool from_tail,
		    bool to_tail, bool reexec)
{
	struct kobj *so = db_lookup_write(c->db, src);
	if (so && so->type != KV_LIST) {
		if (reexec)
			return 0;
		reply_error(c, KERR_WRONGTYPE);
		return -1;
	}
	if (!so || list_length(so->u.list) == 0)
		return 0;
	struct kobj *dobj = db_lookup_write(c->db, dst);
	if (dobj && dobj->type != KV_LIST) {
		reply_error(c, KERR_WRONGTYPE);
		return -1;
	}
	if (!dobj) {
		dobj = kobj_new_list();
		if (!dobj || db_add(c->db, dst, dobj) < 0) {
			kobj_free(dobj);
			reply_error(c, KERR_OOM);
			return -1;
		}
	}
	/* Pop first: with src == dst the element goes round the same list. */
	struct blob *b = from_tail ? list_pop_tail(so->u.list) : list_pop_head(so->u.list);
	if ((to_tail ? list_push_tail(dobj->u.list, b) : list_push_head(dobj->u.list, b)) < 0) {
		/* Cannot fail: the pop freed a slot when src == dst, else put it back where it was. */
		if (from_tail)
			list_push_tail(so->u.list, b);
		else
			list_push_head(so->u.list, b);
		reply_error(c, KERR_OOM);
		return -1;
	}
	reply_blob(c, b);
	db_touch(c->db, dst);
	list_popped(c, src, so);
	return 1;
}

/* Logs a move as LMOVE or RPOPLPUSH (the blocking forms replay as these). */
static void propagate_move(struct client *c, const struct karg *src, const struct karg *dst, bool from_tail,
			   bool to_tail, bool rpoplpush)
{
	if (rpoplpush) {
		struct karg v[3] = {{"RPOPLPUSH", 9}, *src, *dst};
		kvd_propagate_as(c, 3, v);
	} else {
		struct karg v[5] = {{"LMOVE", 5},
				    *src,
				    *dst,
				    {from_tail ? "RIGHT" : "LEFT", from_tail ? 5 : 4},
				    {to_tail ? "RIGHT" : "LEFT", to_tail ? 5 : 4}};
		kvd_propagate_as(c, 5, v);
	}
}

static void lmove_command(struct client *c)
{
	bool from_tail, to_tail;
	if (!arg_where(c, &c->argv[3], &from_tail) || !arg_where(c, &c->argv[4], &to_tail))
		return;
	int r = move_one(c, &c->argv[1], &c->argv[2], from_tail, to_tail, false);
	if (r == 0)
		reply_null(c);
	else if (r > 0)
		kvd_dirty(c, 1);
}

static void rpoplpush_command(struct client *c)
{
	int r = move_one(c, &c->argv[1], &c->argv[2], LIST_TAIL, LIST_HEAD, false);
	if (r == 0)
		reply_null(c);
	else if (r > 0)
		kvd_dirty(c, 1);
}

/* ---- blocking pops ------------------------------------------------------------------------- */

/* BLPOP BRPOP key [key ...] timeout: the first non-empty list in argument order, or block. */
static void bpop_generic(struct client *c, bool tail)
{
	int64_t deadline;
	int nkeys = c->argc - 2;
	bool reexec = c->flags & CF_REEXEC;

	if (!arg_timeout(c, &c->argv[c->argc - 1], &deadline))
		return;
	for (int j = 1; j <= nkeys; j++) {
		const struct karg *key = &c->argv[j];
		struct kobj *o = db_lookup_write(c->db, key);
		if (!o)
			continue;
		if (o->type != KV_LIST) {
			if (reexec)
				continue;
			reply_error(c, KERR_WRONGTYPE);
			return;
		}
		if (list_length(o->u.list) == 0)
			continue;
		struct blob *b = tail ? list_pop_tail(o->u.list) : list_pop_head(o->u.list);
		reply_array(c, 2);
		reply_bulk(c, key->p, key->n);
		reply_blob(c, b);
		blob_free(b);
		struct karg v[2] = {{tail ? "RPOP" : "LPOP", 4}, *key};
		kvd_propagate_as(c, 2, v);
		list_popped(c, key, o);
		return;
	}
	if (!kvd_may_block(c)) {
		reply_null_array(c);
		return;
	}
	kvd_block(c, nkeys, &c->argv[1], deadline);
}

static void blpop_command(struct client *c)
{
	bpop_generic(c, LIST_HEAD);
}

static void brpop_command(struct client *c)
{
	bpop_generic(c, LIST_TAIL);
}

/* BLMOVE and BRPOPLPUSH: a move, or block on the source. */
static void bmove_generic(struct client *c, bool from_tail, bool to_tail, int timeout_idx, bool rpoplpush)
{
	int64_t deadline;
	if (!arg_timeout(c, &c->argv[timeout_idx], &deadline))
		return;
	int r = move_one(c, &c->argv[1], &c->argv[2], from_tail, to_tail, c->flags & CF_REEXEC);
	if (r > 0)
		propagate_move(c, &c->argv[1], &c->argv[2], from_tail, to_tail, rpoplpush);
	if (r != 0)
		return;
	if (!kvd_may_block(c)) {
		/* Redis answers a null bulk here, not the null array of a timeout. */
		reply_null(c);
		return;
	}
	kvd_block(c, 1, &c->argv[1], deadline);
}

static void blmove_command(struct client *c)
{
	bool from_tail, to_tail;
	if (!arg_where(c, &c->argv[3], &from_tail) || !arg_where(c, &c->argv[4], &to_tail))
		return;
	bmove_generic(c, from_tail, to_tail, 5, false);
}

static void brpoplpush_command(struct client *c)
{
	bmove_generic(c, LIST_TAIL, LIST_HEAD, 3, true);
}

/* ---- the table ----------------------------------------------------------------------------- */

#define W  KC_WRITE
#define R  KC_READONLY
#define F  KC_FAST
#define OM KC_DENYOOM
#define B  KC_BLOCKING

const struct kcmd kvd_cmds_list[] = {
	{"lpush", -3, W | OM | F, 1, 1, 1, lpush_command, "list", "Prepends one or more elements to a list."},
	{"rpush", -3, W | OM | F, 1, 1, 1, rpush_command, "list", "Appends one or more elements to a list."},
	{"lpushx", -3, W | OM | F, 1, 1, 1, lpushx_command, "list",
	 "Prepends one or more elements to a list only when the list exists."},
	{"rpushx", -3, W | OM | F, 1, 1, 1, rpushx_command, "list",
	 "Appends an element to a list only when the list exists."},
	{"lpop", -2, W | F, 1, 1, 1, lpop_command, "list",
	 "Returns the first elements in a list after removing it. Deletes the list if the last element was "
	 "popped."},
	{"rpop", -2, W | F, 1, 1, 1, rpop_command, "list",
	 "Returns and removes the last elements of a list. Deletes the list if the last element was popped."},
	{"llen", 2, R | F, 1, 1, 1, llen_command, "list", "Returns the length of a list."},
	{"lrange", 4, R, 1, 1, 1, lrange_command, "list", "Returns a range of elements from a list."},
	{"lindex", 3, R, 1, 1, 1, lindex_command, "list", "Returns an element from a list by its index."},
	{"lpos", -3, R, 1, 1, 1, lpos_command, "list", "Returns the index of matching elements in a list."},
	{"lset", 4, W | OM, 1, 1, 1, lset_command, "list",
	 "Sets the value of an element in a list by its index."},
	{"lrem", 4, W, 1, 1, 1, lrem_command, "list",
	 "Removes elements from a list. Deletes the list if the last element was removed."},
	{"ltrim", 4, W, 1, 1, 1, ltrim_command, "list",
	 "Removes elements from both ends a list. Deletes the list if all elements were trimmed."},
	{"linsert", 5, W | OM, 1, 1, 1, linsert_command, "list",
	 "Inserts an element before or after another element in a list."},
	{"lmove", 5, W | OM, 1, 2, 1, lmove_command, "list",
	 "Returns an element after popping it from one list and pushing it to another. Deletes the list if "
	 "the "
	 "last element was moved."},
	{"rpoplpush", 3, W | OM, 1, 2, 1, rpoplpush_command, "list",
	 "Returns the last element of a list after removing and pushing it to another list. Deletes the list "
	 "if "
	 "the last element was popped."},
	{"blpop", -3, W | B, 1, -2, 1, blpop_command, "list",
	 "Removes and returns the first element in a list. Blocks until an element is available otherwise. "
	 "Deletes the list if the last element was popped."},
	{"brpop", -3, W | B, 1, -2, 1, brpop_command, "list",
	 "Removes and returns the last element in a list. Blocks until an element is available otherwise. "
	 "Deletes the list if the last element was popped."},
	{"blmove", 6, W | OM | B, 1, 2, 1, blmove_command, "list",
	 "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is "
	 "available otherwise. Deletes the list if the last element was moved."},
	{"brpoplpush", 4, W | OM | B, 1, 2, 1, brpoplpush_command, "list",
	 "Pops an element from a list, pushes it to another list and returns it. Block until an element is "
	 "available otherwise. Deletes the list if the last element was popped."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
