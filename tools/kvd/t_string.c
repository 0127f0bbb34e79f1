// SPDX-License-Identifier: MIT
/* t_string: kvd's string commands (GET, SET and its options, counters, ranges), as Redis 7 answers them. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvd.h"

#define KERR_EXPIRE "ERR invalid expire time in '%s' command"
#define KERR_BIG    "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

bool str_to_long_double(const char *p, size_t n, long double *v)
{
	char buf[5 * 1024 + 1], *end;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtold(buf, &end);
	if (isspace((unsigned char)buf[0]) || *end != '\0' || isnan(*v))
		return false;
	return !(errno == ERANGE && (*v == HUGE_VALL || *v == -HUGE_VALL || fpclassify(*v) == FP_ZERO));
}

/* A string's bytes rewritten as p/n: in place when they fit, else into a buffer of its own. */
static bool string_assign(struct kobj *o, const char *p, size_t n)
{
	if (n > o->u.s.cap) {
		char *nb = malloc(n + 1);
		if (!nb)
			return false;
		if (o->u.s.ptr != (char *)(o + 1))
			free(o->u.s.ptr);
		o->u.s.ptr = nb;
		o->u.s.cap = n;
	}
	memmove(o->u.s.ptr, p, n);
	o->u.s.ptr[n] = '\0';
	o->u.s.len = n;
	return true;
}

/* Room for n bytes, keeping the current ones; grown greedily (as sds does) for repeated APPENDs. */
static bool string_reserve(struct kobj *o, size_t n)
{
	size_t cap = n < 1024 * 1024 ? n * 2 : n + 1024 * 1024;
	char *nb;

	if (n <= o->u.s.cap)
		return true;
	if (o->u.s.ptr == (char *)(o + 1)) {
		nb = malloc(cap + 1);
		if (nb)
			memcpy(nb, o->u.s.ptr, o->u.s.len + 1);
	} else {
		nb = realloc(o->u.s.ptr, cap + 1);
	}
	if (!nb)
		return false;
	o->u.s.ptr = nb;
	o->u.s.cap = cap;
	return true;
}

static bool check_length(struct client *c, long long size, long long add)
{
	long long max = kvd_cfg.proto_max_bulk_len;

	if (!(c->flags & CF_AOF_LOADING) && (add > max || size > max - add)) {
		reply_error(c, KERR_BIG);
		return false;
	}
	return true;
}

enum {
	SET_NX = 1 << 0,
	SET_XX = 1 << 1,
	SET_GET = 1 << 2,
	SET_KEEPTTL = 1 << 3,
	SET_PERSIST = 1 << 4,
	SET_EX = 1 << 5,
	SET_PX = 1 << 6,
	SET_EXAT = 1 << 7,
	SET_PXAT = 1 << 8,
};
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/*
 * Redis's parseExtendedStringArgumentsOrReply: the options of SET (from argv[3]) or GETEX (from
 * argv[2]), with its exact rules on which may be combined. *expire is the argument of the expiry
 * option, or NULL.
 */
static bool parse_set_options(struct client *c, bool is_set, int *flags, const struct karg **expire)
{
	*flags = 0;
	*expire = NULL;
	for (int j = is_set ? 3 : 2; j < c->argc; j++) {
		const struct karg *a = &c->argv[j];
		bool next = j < c->argc - 1;
		int f = *flags, opt = 0;
		if (is_set && arg_eq(a, "nx") && !(f & SET_XX))
			opt = SET_NX;
		else if (is_set && arg_eq(a, "xx") && !(f & SET_NX))
			opt = SET_XX;
		else if (is_set && arg_eq(a, "get"))
			opt = SET_GET;
		else if (is_set && arg_eq(a, "keepttl") && !(f & (SET_PERSIST | SET_ANY_EXPIRE)))
			opt = SET_KEEPTTL;
		else if (!is_set && arg_eq(a, "persist") && !(f & (SET_KEEPTTL | SET_ANY_EXPIRE)))
			opt = SET_PERSIST;
		else if (next && arg_eq(a, "ex") &&
			 !(f & (SET_KEEPTTL | SET_PERSIST | (SET_ANY_EXPIRE & ~SET_EX))))
			opt = SET_EX;
		else if (next && arg_eq(a, "px") &&
			 !(f & (SET_KEEPTTL | SET_PERSIST | (SET_ANY_EXPIRE & ~SET_PX))))
			opt = SET_PX;
		else if (next && arg_eq(a, "exat") &&
			 !(f & (SET_KEEPTTL | SET_PERSIST | (SET_ANY_EXPIRE & ~SET_EXAT))))
			opt = SET_EXAT;
		else if (next && arg_eq(a, "pxat") &&
			 !(f & (SET_KEEPTTL | SET_PERSIST | (SET_ANY_EXPIRE & ~SET_PXAT))))
			opt = SET_PXAT;
		if (!opt) {
			reply_error(c, KERR_SYNTAX);
			return false;
		}
		*flags |= opt;
		if (opt & SET_ANY_EXPIRE)
			*expire = &c->argv[++j];
	}
	return true;
}

/* The absolute expiry in ms that an EX/PX/EXAT/PXAT argument means (getExpireMillisecondsOrReply). */
static bool expire_ms(struct client *c, const struct karg *a, int flags, long long *ms)
{
	bool seconds = flags & (SET_EX | SET_EXAT);
	long long now = kvd_now_ms();

	if (!arg_ll(c, a, ms))
		return false;
	if (*ms <= 0 || (seconds && *ms > LLONG_MAX / 1000))
		goto bad;
	if (seconds)
		*ms *= 1000;
	if (flags & (SET_EX | SET_PX)) {
		if (*ms > LLONG_MAX - now)
			goto bad;
		*ms += now;
	}
	return true;
bad:
	reply_errorf(c, KERR_EXPIRE, c->cmd ? c->cmd->name : "set");
	return false;
}

/* GET's reply for key: false when it is not a string (WRONGTYPE replied). */
static bool get_reply(struct client *c, const struct karg *key)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, key, KV_STRING, &wrong);

	if (wrong)
		return false;
	if (o)
		reply_bulk(c, o->u.s.ptr, o->u.s.len);
	else
		reply_null(c);
	return true;
}

/*
 * Redis's setGenericCommand. ok/abort: the replies of SETNX (1/0) instead of OK/null when set.
 * Logged as SET key value PXAT ms when there is an expiry, without GET otherwise.
 */
static void set_generic(struct client *c, int flags, const struct karg *key, const struct karg *val,
			const struct karg *expire, int ok, int abort)
{
	long long when = 0;
	bool found = false;
	struct kobj *o;
	char buf[24];

	if (expire && !expire_ms(c, expire, flags, &when))
		return;
	if ((flags & SET_GET) && !get_reply(c, key))
		return;
	if (flags || dict_size(&c->db->expires))
		found = db_lookup_write(c->db, key) != NULL;
	if (((flags & SET_NX) && found) || ((flags & SET_XX) && !found)) {
		if (!(flags & SET_GET)) {
			if (abort >= 0)
				reply_int(c, abort);
			else
				reply_null(c);
		}
		return;
	}
	o = kobj_new_string(val->p, val->n);
	if (!o || db_set(c->db, key, o, flags & SET_KEEPTTL) != 0) {
		kobj_free(o);
		reply_error(c, KERR_OOM);
		return;
	}
	if (expire) {
		struct karg argv[5] = {{"SET", 3}, *key, *val, {"PXAT", 4}, {buf, 0}};
		argv[4].n = (size_t)snprintf(buf, sizeof(buf), "%lld", when);
		db_set_expire(c->db, key, when);
		kvd_propagate_as(c, 5, argv);
	} else if (flags & SET_GET) {
		struct karg argv[8];
		int n = 0;
		for (int i = 0; i < c->argc && n < 8; i++)
			if (i < 3 || !arg_eq(&c->argv[i], "get"))
				argv[n++] = c->argv[i];
		kvd_propagate_as(c, n, argv);
	} else {
		kvd_dirty(c, 1);
	}
	if (flags & SET_GET)
		return;
	if (ok >= 0)
		reply_int(c, ok);
	else
		reply_ok(c);
}

static void set_cmd(struct client *c)
{
	int flags;
	const struct karg *expire;

	if (parse_set_options(c, true, &flags, &expire))
		set_generic(c, flags, &c->argv[1], &c->argv[2], expire, -1, -1);
}

static void setnx_cmd(struct client *c)
{
	set_generic(c, SET_NX, &c->argv[1], &c->argv[2], NULL, 1, 0);
}

static void setex_cmd(struct client *c)
{
	set_generic(c, SET_EX, &c->argv[1], &c->argv[3], &c->argv[2], -1, -1);
}

static void psetex_cmd(struct client *c)
{
	set_generic(c, SET_PX, &c->argv[1], &c->argv[3], &c->argv[2], -1, -1);
}

static void get_cmd(struct client *c)
{
	get_reply(c, &c->argv[1]);
}

static void getset_cmd(struct client *c)
{
	struct karg argv[3] = {{"SET", 3}, c->argv[1], c->argv[2]};
	struct kobj *o;

	if (!get_reply(c, &c->argv[1]))
		return;
	o = kobj_new_string(c->argv[2].p, c->argv[2].n);
	if (!o || db_set(c->db, &c->argv[1], o, false) != 0) {
		kobj_free(o);
		return; /* the old value was replied already: nothing else can be said */
	}
	kvd_propagate_as(c, 3, argv);
}

static void getdel_cmd(struct client *c)
{
	struct karg argv[2] = {{"DEL", 3}, c->argv[1]};
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_STRING, &wrong);

	if (wrong)
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	reply_bulk(c, o->u.s.ptr, o->u.s.len);
	db_delete(c->db, &c->argv[1]);
	kvd_propagate_as(c, 2, argv);
}

static void getex_cmd(struct client *c)
{
	const struct karg *key = &c->argv[1], *expire;
	long long when = 0;
	int flags;
	bool wrong;
	struct kobj *o;
	char buf[24];

	if (!parse_set_options(c, false, &flags, &expire))
		return;
	o = db_read_typed(c, key, KV_STRING, &wrong);
	if (wrong)
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	if (expire && !expire_ms(c, expire, flags, &when))
		return;
	reply_bulk(c, o->u.s.ptr, o->u.s.len);
	if ((flags & (SET_EXAT | SET_PXAT)) && when <= kvd_now_ms() && !(c->flags & CF_AOF_LOADING)) {
		struct karg argv[2] = {{"DEL", 3}, *key};
		db_delete(c->db, key);
		kvd_propagate_as(c, 2, argv);
	} else if (expire) {
		struct karg argv[3] = {{"PEXPIREAT", 9}, *key, {buf, 0}};
		argv[2].n = (size_t)snprintf(buf, sizeof(buf), "%lld", when);
		db_set_expire(c->db, key, when);
		multi_touch_key(c->db, key);
		kvd_propagate_as(c, 3, argv);
	} else if ((flags & SET_PERSIST) && db_remove_expire(c->db, key)) {
		struct karg argv[2] = {{"PERSIST", 7}, *key};
		multi_touch_key(c->db, key);
		kvd_propagate_as(c, 2, argv);
	}
}

static void mget_cmd(struct client *c)
{
	reply_array(c, c->argc - 1);
	for (int i = 1; i < c->argc; i++) {
		struct kobj *o = db_lookup_read(c->db, &c->argv[i]);
		if (o && o->type == KV_STRING)
			reply_bulk(c, o->u.s.ptr, o->u.s.len);
		else
			reply_null(c);
	}
}

static void mset_generic(struct client *c, bool nx)
{
	if (c->argc % 2 == 0) {
		reply_errorf(c, "ERR wrong number of arguments for '%s' command", nx ? "msetnx" : "mset");
		return;
	}
	if (nx) {
		for (int i = 1; i < c->argc; i += 2) {
			if (db_lookup_write(c->db, &c->argv[i])) {
				reply_int(c, 0);
				return;
			}
		}
	}
	for (int i = 1; i < c->argc; i += 2) {
		struct kobj *o = kobj_new_string(c->argv[i + 1].p, c->argv[i + 1].n);
		if (!o || db_set(c->db, &c->argv[i], o, false) != 0) {
			kobj_free(o);
			reply_error(c, KERR_OOM);
			return;
		}
	}
	kvd_dirty(c, (c->argc - 1) / 2);
	if (nx)
		reply_int(c, 1);
	else
		reply_ok(c);
}

static void mset_cmd(struct client *c)
{
	mset_generic(c, false);
}

static void msetnx_cmd(struct client *c)
{
	mset_generic(c, true);
}

/* Stores the bytes p/n at key: into the string o when there is one (its TTL kept), else a new key. */
static bool store(struct client *c, const struct karg *key, struct kobj *o, const char *p, size_t n)
{
	if (o) {
		if (!string_assign(o, p, n))
			goto oom;
		multi_touch_key(c->db, key);
		return true;
	}
	o = kobj_new_string(p, n);
	if (o && db_add(c->db, key, o) == 0)
		return true;
	kobj_free(o);
oom:
	reply_error(c, KERR_OOM);
	return false;
}

static void incr_generic(struct client *c, long long incr)
{
	bool wrong;
	struct kobj *o = db_write_typed(c, &c->argv[1], KV_STRING, &wrong);
	long long v = 0;
	char buf[24];

	if (wrong)
		return;
	if (o && !str_to_ll(o->u.s.ptr, o->u.s.len, &v)) {
		reply_error(c, KERR_NOT_INT);
		return;
	}
	if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) || (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
		reply_error(c, KERR_OVERFLOW);
		return;
	}
	v += incr;
	if (!store(c, &c->argv[1], o, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", v)))
		return;
	kvd_dirty(c, 1);
	reply_int(c, v);
}

static void incr_cmd(struct client *c)
{
	incr_generic(c, 1);
}

static void decr_cmd(struct client *c)
{
	incr_generic(c, -1);
}

static void incrby_cmd(struct client *c)
{
	long long incr;

	if (arg_ll(c, &c->argv[2], &incr))
		incr_generic(c, incr);
}

static void decrby_cmd(struct client *c)
{
	long long incr;

	if (!arg_ll(c, &c->argv[2], &incr))
		return;
	if (incr == LLONG_MIN) {
		reply_error(c, "ERR decrement would overflow");
		return;
	}
	incr_generic(c, -incr);
}

/* Logged as SET key value KEEPTTL, so that a replay does not depend on float formatting. */
static void incrbyfloat_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_write_typed(c, &c->argv[1], KV_STRING, &wrong);
	long double v = 0, incr;
	char buf[5 * 1024];
	int n;

	if (wrong)
		return;
	if ((o && !str_to_long_double(o->u.s.ptr, o->u.s.len, &v)) ||
	    !str_to_long_double(c->argv[2].p, c->argv[2].n, &incr)) {
		reply_error(c, KERR_NOT_FLOAT);
		return;
	}
	if ((n = add_long_double(c, v, incr, buf, sizeof(buf))) < 0)
		return;
	if (!store(c, &c->argv[1], o, buf, (size_t)n))
		return;
	struct karg argv[4] = {{"SET", 3}, c->argv[1], {buf, (size_t)n}, {"KEEPTTL", 7}};
	kvd_propagate_as(c, 4, argv);
	reply_bulk(c, buf, (size_t)n);
}

static void append_cmd(struct client *c)
{
	const struct karg *key = &c->argv[1], *val = &c->argv[2];
	bool wrong;
	struct kobj *o = db_write_typed(c, key, KV_STRING, &wrong);

	if (wrong)
		return;
	if (!o) {
		if (!store(c, key, NULL, val->p, val->n))
			return;
		kvd_dirty(c, 1);
		reply_int(c, (long long)val->n);
		return;
	}
	if (!check_length(c, (long long)o->u.s.len, (long long)val->n))
		return;
	if (!string_reserve(o, o->u.s.len + val->n)) {
		reply_error(c, KERR_OOM);
		return;
	}
	memcpy(o->u.s.ptr + o->u.s.len, val->p, val->n);
	o->u.s.len += val->n;
	o->u.s.ptr[o->u.s.len] = '\0';
	multi_touch_key(c->db, key);
	kvd_dirty(c, 1);
	reply_int(c, (long long)o->u.s.len);
}

static void strlen_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_STRING, &wrong);

	if (!wrong)
		reply_int(c, o ? (long long)o->u.s.len : 0);
}

static void getrange_cmd(struct client *c)
{
	long long start, end, len;
	bool wrong;
	struct kobj *o;

	if (!arg_ll(c, &c->argv[2], &start) || !arg_ll(c, &c->argv[3], &end))
		return;
	o = db_read_typed(c, &c->argv[1], KV_STRING, &wrong);
	if (wrong)
		return;
	len = o ? (long long)o->u.s.len : 0;
	if (!o || (start < 0 && end < 0 && start > end)) {
		reply_bulk(c, "", 0);
		return;
	}
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	if (start < 0)
		start = 0;
	if (end < 0)
		end = 0;
	if (end >= len)
		end = len - 1;
	if (start > end || len == 0)
		reply_bulk(c, "", 0);
	else
		reply_bulk(c, o->u.s.ptr + start, (size_t)(end - start + 1));
}

static void setrange_cmd(struct client *c)
{
	const struct karg *key = &c->argv[1], *val = &c->argv[3];
	long long off;
	bool wrong;
	struct kobj *o;

	if (!arg_ll(c, &c->argv[2], &off))
		return;
	if (off < 0) {
		reply_error(c, "ERR offset is out of range");
		return;
	}
	o = db_write_typed(c, key, KV_STRING, &wrong);
	if (wrong)
		return;
	if (val->n == 0) {
		reply_int(c, o ? (long long)o->u.s.len : 0);
		return;
	}
	if (!check_length(c, off, (long long)val->n))
		return;
	if (!o) {
		o = kobj_new_string(NULL, 0);
		if (!o || db_add(c->db, key, o) != 0) {
			kobj_free(o);
			reply_error(c, KERR_OOM);
			return;
		}
	}
	if ((size_t)off + val->n > o->u.s.len) {
		if (!string_reserve(o, (size_t)off + val->n)) {
			reply_error(c, KERR_OOM);
			return;
		}
		memset(o->u.s.ptr + o->u.s.len, 0, (size_t)off + val->n - o->u.s.len);
		o->u.s.len = (size_t)off + val->n;
		o->u.s.ptr[o->u.s.len] = '\0';
	}
	memcpy(o->u.s.ptr + off, val->p, val->n);
	multi_touch_key(c->db, key);
	kvd_dirty(c, 1);
	reply_int(c, (long long)o->u.s.len);
}

const struct kcmd kvd_cmds_string[] = {
	{"get", 2, KC_READONLY | KC_FAST, 1, 1, 1, get_cmd, "string", "Returns the string value of a key."},
	{"set", -3, KC_WRITE | KC_DENYOOM, 1, 1, 1, set_cmd, "string",
	 "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
	{"setnx", 3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, setnx_cmd, "string",
	 "Set the string value of a key only when the key doesn't exist."},
	{"setex", 4, KC_WRITE | KC_DENYOOM, 1, 1, 1, setex_cmd, "string",
	 "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."},
	{"psetex", 4, KC_WRITE | KC_DENYOOM, 1, 1, 1, psetex_cmd, "string",
	 "Sets both string value and expiration time in milliseconds of a key."},
	{"getset", 3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, getset_cmd, "string",
	 "Returns the previous string value of a key after setting it to a new value."},
	{"getdel", 2, KC_WRITE | KC_FAST, 1, 1, 1, getdel_cmd, "string",
	 "Returns the string value of a key after deleting the key."},
	{"getex", -2, KC_WRITE | KC_FAST, 1, 1, 1, getex_cmd, "string",
	 "Returns the string value of a key after setting its expiration time."},
	{"mget", -2, KC_READONLY | KC_FAST, 1, -1, 1, mget_cmd, "string",
	 "Atomically returns the string values of one or more keys."},
	{"mset", -3, KC_WRITE | KC_DENYOOM, 1, -1, 2, mset_cmd, "string",
	 "Atomically creates or modifies the string values of one or more keys."},
	{"msetnx", -3, KC_WRITE | KC_DENYOOM, 1, -1, 2, msetnx_cmd, "string",
	 "Atomically modifies the string values of one or more keys only when all keys don't exist."},
	{"incr", 2, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, incr_cmd, "string",
	 "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."},
	{"decr", 2, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, decr_cmd, "string",
	 "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."},
	{"incrby", 3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, incrby_cmd, "string",
	 "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't "
	 "exist."},
	{"decrby", 3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, decrby_cmd, "string",
	 "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't "
	 "exist."},
	{"incrbyfloat", 3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, incrbyfloat_cmd, "string",
	 "Increment the floating point value of a key by a number. Uses 0 as initial value if the key "
	 "doesn't "
	 "exist."},
	{"append", 3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, append_cmd, "string",
	 "Appends a string to the value of a key. Creates the key if it doesn't exist."},
	{"strlen", 2, KC_READONLY | KC_FAST, 1, 1, 1, strlen_cmd, "string",
	 "Returns the length of a string value."},
	{"getrange", 4, KC_READONLY, 1, 1, 1, getrange_cmd, "string",
	 "Returns a substring of the string stored at a key."},
	{"setrange", 4, KC_WRITE | KC_DENYOOM, 1, 1, 1, setrange_cmd, "string",
	 "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't "
	 "exist."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
