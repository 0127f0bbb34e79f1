// SPDX-License-Identifier: MIT
/* keys: kvd's commands on keys of any type (DEL, EXPIRE, SCAN, RENAME, MOVE, ...), glob matching and SCAN
 * arguments. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvd.h"

#define KERR_SAME_OBJ "ERR source and destination objects are the same"
#define KERR_DB_RANGE "ERR DB index is out of range"

/* A lookup for commands of any type; the AOF replay sees keys as logged, never expiring them. */
static struct kobj *key_lookup(struct client *c, struct db *db, const struct karg *key, bool read)
{
	struct dict_entry *e;

	if (!(c->flags & CF_AOF_LOADING))
		return read ? db_lookup_read(db, key) : db_lookup_write(db, key);
	e = dict_find(&db->keys, key->p, key->n);
	return e ? e->v.ptr : NULL;
}

static bool key_expired(struct db *db, const char *key, size_t klen)
{
	struct dict_entry *e = dict_size(&db->expires) ? dict_find(&db->expires, key, klen) : NULL;
	return e && e->v.i < kvd_now_ms();
}

/* ---- glob matching -------------------------------------------------------------------------- */

static int lower(int ch)
{
	return tolower((unsigned char)ch);
}

/*
 * Redis's stringmatchlen, bounds-checked on the pattern (an argument's p[n] is not always NUL):
 * *, ?, [set], [^set], [a-z], \x. *skip_longer ends the search early once the rest of the
 * pattern matched nowhere; nesting bounds the recursion on abusive patterns.
 */
static bool match_impl(const char *p, long plen, const char *s, long slen, bool nocase, bool *skip_longer,
		       int nesting)
{
	if (nesting > 1000)
		return false;
	while (plen && slen) {
		switch (p[0]) {
		case '*':
			while (plen > 1 && p[1] == '*') {
				p++;
				plen--;
			}
			if (plen == 1)
				return true;
			while (slen) {
				if (match_impl(p + 1, plen - 1, s, slen, nocase, skip_longer, nesting + 1))
					return true;
				if (*skip_longer)
					return false;
				s++;
				slen--;
			}
			*skip_longer = true;
			return false;
		case '?':
			s++;
			slen--;
			break;
		case '[': {
			bool not, match = false;
			p++;
			plen--;
			not = plen > 0 && p[0] == '^';
			if (not ) {
				p++;
				plen--;
			}
			for (;;) {
				if (plen == 0) {
					p--;
					plen++;
					break;
				} else if (p[0] == '\\' && plen >= 2) {
					p++;
					plen--;
					if (p[0] == s[0])
						match = true;
				} else if (p[0] == ']') {
					break;
				} else if (plen >= 3 && p[1] == '-') {
					int start = p[0], end = p[2], ch = s[0];
					if (start > end) {
						int t = start;
						start = end;
						end = t;
					}
					if (nocase) {
						start = lower(start);
						end = lower(end);
						ch = lower(ch);
					}
					p += 2;
					plen -= 2;
					if (ch >= start && ch <= end)
						match = true;
				} else if (nocase ? lower(p[0]) == lower(s[0]) : p[0] == s[0]) {
					match = true;
				}
				p++;
				plen--;
			}
			if (not )
				match = !match;
			if (!match)
				return false;
			s++;
			slen--;
			break;
		}
		case '\\':
			if (plen >= 2) {
				p++;
				plen--;
			}
			/* fall through */
		default:
			if (nocase ? lower(p[0]) != lower(s[0]) : p[0] != s[0])
				return false;
			s++;
			slen--;
			break;
		}
		p++;
		plen--;
		if (slen == 0) {
			while (plen > 0 && *p == '*') {
				p++;
				plen--;
			}
			break;
		}
	}
	return plen == 0 && slen == 0;
}

bool glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool nocase)
{
	bool skip_longer = false;
	return match_impl(pat, (long)plen, s, (long)slen, nocase, &skip_longer, 0);
}

/* ---- SCAN ----------------------------------------------------------------------------------- */

static int type_by_name(const struct karg *a)
{
	static const char *const names[] = {"string", "list", "hash", "set", "zset"};

	for (int t = 0; t <= KV_ZSET; t++)
		if (arg_eq(a, names[t]))
			return t;
	return 99; /* Redis 7.0 filters every key out for a type it does not know */
}

/* Redis's parseScanCursorOrReply: strtoul's rules, on the bytes up to the first NUL. */
static bool parse_cursor(const struct karg *a, uint64_t *cursor)
{
	char buf[64], *end;
	size_t n = strnlen(a->p, a->n);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, a->p, n);
	buf[n] = '\0';
	errno = 0;
	*cursor = strtoull(buf, &end, 10);
	return !isspace((unsigned char)buf[0]) && *end == '\0' && errno != ERANGE;
}

bool scan_parse(struct client *c, int cursor_idx, bool allow_type, struct scan_args *a)
{
	a->match = NULL;
	a->matchlen = 0;
	a->count = 10;
	a->type = -1;
	if (!parse_cursor(&c->argv[cursor_idx], &a->cursor)) {
		reply_error(c, "ERR invalid cursor");
		return false;
	}
	for (int i = cursor_idx + 1; i < c->argc; i += 2) {
		const struct karg *opt = &c->argv[i];
		bool more = c->argc - i >= 2;
		long long v;
		if (more && arg_eq(opt, "count")) {
			if (!arg_ll(c, &c->argv[i + 1], &v))
				return false;
			if (v < 1) {
				reply_error(c, KERR_SYNTAX);
				return false;
			}
			a->count = v > LONG_MAX ? LONG_MAX : (long)v;
		} else if (more && arg_eq(opt, "match")) {
			a->match = c->argv[i + 1].p;
			a->matchlen = c->argv[i + 1].n;
			if (a->matchlen == 1 && a->match[0] == '*')
				a->match = NULL;
		} else if (more && allow_type && arg_eq(opt, "type")) {
			a->type = type_by_name(&c->argv[i + 1]);
		} else {
			reply_error(c, KERR_SYNTAX);
			return false;
		}
	}
	return true;
}

struct kobj *scan_lookup(struct client *c, int type, struct scan_args *a)
{
	int argc = c->argc;
	bool wrong, cursor_ok;
	struct kobj *o;

	/* The cursor alone first: argc is cut so that the options wait for the key's check. */
	c->argc = 3;
	cursor_ok = scan_parse(c, 2, false, a);
	c->argc = argc;
	if (!cursor_ok)
		return NULL;
	o = db_read_typed(c, &c->argv[1], type, &wrong);
	if (wrong)
		return NULL;
	if (!o) {
		reply_array(c, 2);
		reply_bulk(c, "0", 1);
		reply_array(c, 0);
		return NULL;
	}
	return scan_parse(c, 2, false, a) ? o : NULL;
}

struct key_batch {
	const struct dict_entry **e;
	size_t n, cap;
	bool oom;
};

static void collect(void *ctx, const struct dict_entry *e)
{
	struct key_batch *b = ctx;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		const struct dict_entry **ne = realloc(b->e, cap * sizeof(*ne));
		if (!ne) {
			b->oom = true;
			return;
		}
		b->e = ne;
		b->cap = cap;
	}
	b->e[b->n++] = e;
}

static void scan_cmd(struct client *c)
{
	struct scan_args a;
	struct key_batch b = {0};
	struct db *db = c->db;
	long iters;
	size_t kept = 0;
	char cur[24];
	void *len;

	if (!scan_parse(c, 1, true, &a))
		return;
	iters = a.count > LONG_MAX / 10 ? LONG_MAX : a.count * 10;
	do
		a.cursor = dict_scan(&db->keys, a.cursor, collect, &b);
	while (a.cursor && iters-- && b.n < (size_t)a.count);
	/*
	 * Entries are filtered after the scan (as Redis does): an expired key is deleted here, which
	 * may free an entry still in the batch, so each key is copied before it can be.
	 */
	reply_array(c, 2);
	reply_bulk(c, cur, (size_t)snprintf(cur, sizeof(cur), "%llu", (unsigned long long)a.cursor));
	len = reply_defer(c);
	for (size_t i = 0; i < b.n; i++) {
		const struct dict_entry *e = b.e[i];
		const struct kobj *o = e->v.ptr;
		if (a.match && !glob_match(a.match, a.matchlen, e->key, e->klen, false))
			continue;
		if (a.type >= 0 && o->type != a.type)
			continue;
		if (!(c->flags & CF_AOF_LOADING) && key_expired(db, e->key, e->klen)) {
			/* Deleting frees e: only entries already passed are freed, as keys are unique. */
			struct karg k = {e->key, e->klen};
			db_lookup_write(db, &k);
			continue;
		}
		reply_bulk(c, e->key, e->klen);
		kept++;
	}
	reply_set_deferred_array(c, len, (long)kept);
	free(b.e);
}

void scan_dict_reply(struct client *c, struct dict *d, const struct scan_args *a, int vals)
{
	struct key_batch b = {0};
	uint64_t cursor = a->cursor;
	long iters = a->count > LONG_MAX / 10 ? LONG_MAX : a->count * 10;
	long kept = 0;
	char cur[24];
	void *len;

	do
		cursor = dict_scan(d, cursor, collect, &b);
	while (cursor && iters-- && b.n < (size_t)a->count);
	reply_array(c, 2);
	reply_bulk(c, cur, (size_t)snprintf(cur, sizeof(cur), "%llu", (unsigned long long)cursor));
	len = reply_defer(c);
	for (size_t i = 0; i < b.n; i++) {
		const struct dict_entry *e = b.e[i];
		if (a->match && !glob_match(a->match, a->matchlen, e->key, e->klen, false))
			continue;
		reply_bulk(c, e->key, e->klen);
		if (vals == 1) {
			const struct blob *v = e->v.ptr;
			reply_bulk(c, v->data, v->len);
		} else if (vals == 2) {
			char buf[64];
			reply_bulk(c, buf, (size_t)fmt_double(buf, sizeof(buf), e->v.d));
		}
		kept += vals ? 2 : 1;
	}
	reply_set_deferred_array(c, len, kept);
	free(b.e);
}

/* ---- the commands --------------------------------------------------------------------------- */

static void del_cmd(struct client *c)
{
	long long n = 0;

	for (int i = 1; i < c->argc; i++) {
		key_lookup(c, c->db, &c->argv[i], false); /* an expired key counts as absent */
		n += db_delete(c->db, &c->argv[i]);
	}
	if (n)
		kvd_dirty(c, n);
	reply_int(c, n);
}

static void exists_cmd(struct client *c)
{
	long long n = 0;

	for (int i = 1; i < c->argc; i++)
		n += key_lookup(c, c->db, &c->argv[i], true) != NULL;
	reply_int(c, n);
}

static void type_cmd(struct client *c)
{
	reply_simple(c, kobj_type_name(key_lookup(c, c->db, &c->argv[1], true)));
}

enum { EXP_NX = 1, EXP_XX = 2, EXP_GT = 4, EXP_LT = 8 };

static bool expire_flags(struct client *c, int *flags)
{
	*flags = 0;
	for (int i = 3; i < c->argc; i++) {
		const struct karg *a = &c->argv[i];
		if (arg_eq(a, "nx"))
			*flags |= EXP_NX;
		else if (arg_eq(a, "xx"))
			*flags |= EXP_XX;
		else if (arg_eq(a, "gt"))
			*flags |= EXP_GT;
		else if (arg_eq(a, "lt"))
			*flags |= EXP_LT;
		else {
			reply_errorf(c, "ERR Unsupported option %.*s", (int)strnlen(a->p, a->n), a->p);
			return false;
		}
	}
	if ((*flags & EXP_NX) && (*flags & (EXP_XX | EXP_GT | EXP_LT))) {
		reply_error(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
		return false;
	}
	if ((*flags & EXP_GT) && (*flags & EXP_LT)) {
		reply_error(c, "ERR GT and LT options at the same time are not compatible");
		return false;
	}
	return true;
}

/* Whether NX XX GT LT let an expiry at `when` replace the current one (-1: none). */
static bool expire_allowed(int flags, int64_t when, int64_t cur)
{
	if ((flags & EXP_NX) && cur != -1)
		return false;
	if ((flags & EXP_XX) && cur == -1)
		return false;
	if ((flags & EXP_GT) && (cur == -1 || when <= cur))
		return false;
	if ((flags & EXP_LT) && cur != -1 && when >= cur)
		return false;
	return true;
}

/*
 * EXPIRE and its three siblings (Redis's expireGenericCommand): base is now or 0, ms whether the
 * argument is in milliseconds. Logged as PEXPIREAT with the absolute time, or as DEL when the time
 * has passed already.
 */
static void expire_generic(struct client *c, int64_t base, bool ms)
{
	const struct karg *key = &c->argv[1];
	long long when;
	int flags;
	char buf[24];

	if (!expire_flags(c, &flags) || !arg_ll(c, &c->argv[2], &when))
		return;
	if (!ms) {
		if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)
			goto bad_time;
		when *= 1000;
	}
	if (when > LLONG_MAX - base)
		goto bad_time;
	when += base;
	if (!key_lookup(c, c->db, key, false) || !expire_allowed(flags, when, db_get_expire(c->db, key))) {
		reply_int(c, 0);
		return;
	}
	if (when <= kvd_now_ms() && !(c->flags & CF_AOF_LOADING)) {
		struct karg del[2] = {{"DEL", 3}, *key};
		db_delete(c->db, key);
		kvd_propagate_as(c, 2, del);
	} else {
		struct karg *argv = malloc(sizeof(*argv) * (size_t)c->argc);
		if (!argv) {
			reply_error(c, KERR_OOM);
			return;
		}
		db_set_expire(c->db, key, when);
		multi_touch_key(c->db, key);
		memcpy(argv, c->argv, sizeof(*argv) * (size_t)c->argc);
		argv[0] = (struct karg){"PEXPIREAT", 9};
		argv[2] = (struct karg){buf, (size_t)snprintf(buf, sizeof(buf), "%lld", when)};
		kvd_propagate_as(c, c->argc, argv);
		free(argv);
	}
	reply_int(c, 1);
	return;
bad_time:
	reply_errorf(c, "ERR invalid expire time in '%s' command", c->cmd ? c->cmd->name : "expire");
}

static void expire_cmd(struct client *c)
{
	expire_generic(c, kvd_now_ms(), false);
}

static void pexpire_cmd(struct client *c)
{
	expire_generic(c, kvd_now_ms(), true);
}

static void expireat_cmd(struct client *c)
{
	expire_generic(c, 0, false);
}

static void pexpireat_cmd(struct client *c)
{
	expire_generic(c, 0, true);
}

/* TTL and friends (Redis's ttlGenericCommand): -2 no key, -1 no expiry; seconds are rounded. */
static void ttl_generic(struct client *c, bool ms, bool absolute)
{
	int64_t when, ttl;

	if (!key_lookup(c, c->db, &c->argv[1], true)) {
		reply_int(c, -2);
		return;
	}
	when = db_get_expire(c->db, &c->argv[1]);
	if (when == -1) {
		reply_int(c, -1);
		return;
	}
	ttl = absolute ? when : when - kvd_now_ms();
	if (ttl < 0)
		ttl = 0;
	reply_int(c, ms ? ttl : (ttl + 500) / 1000);
}

static void ttl_cmd(struct client *c)
{
	ttl_generic(c, false, false);
}

static void pttl_cmd(struct client *c)
{
	ttl_generic(c, true, false);
}

static void expiretime_cmd(struct client *c)
{
	ttl_generic(c, false, true);
}

static void pexpiretime_cmd(struct client *c)
{
	ttl_generic(c, true, true);
}

static void persist_cmd(struct client *c)
{
	if (!key_lookup(c, c->db, &c->argv[1], false) || !db_remove_expire(c->db, &c->argv[1])) {
		reply_int(c, 0);
		return;
	}
	multi_touch_key(c->db, &c->argv[1]);
	kvd_dirty(c, 1);
	reply_int(c, 1);
}

static void keys_cmd(struct client *c)
{
	const struct karg *pat = &c->argv[1];
	bool all = pat->n == 1 && pat->p[0] == '*';
	struct dict_iter it;
	struct dict_entry *e;
	long n = 0;
	void *len = reply_defer(c);

	dict_iter_init(&c->db->keys, &it);
	while ((e = dict_iter_next(&it))) {
		if (!all && !glob_match(pat->p, pat->n, e->key, e->klen, false))
			continue;
		if (!(c->flags & CF_AOF_LOADING) && key_expired(c->db, e->key, e->klen))
			continue;
		reply_bulk(c, e->key, e->klen);
		n++;
	}
	dict_iter_done(&it);
	reply_set_deferred_array(c, len, n);
}

/* Takes key's value out of db without freeing it (RENAME, MOVE); its TTL in *when. */
static struct kobj *take(struct db *db, const struct karg *key, int64_t *when)
{
	struct dict_entry *e;
	struct kobj *o;

	*when = db_get_expire(db, key);
	db_remove_expire(db, key);
	e = dict_unlink(&db->keys, key->p, key->n);
	o = e->v.ptr;
	dict_entry_free(e);
	multi_touch_key(db, key);
	return o;
}

/* Puts o at key in db (absent: the caller checked) with expiry when (-1: none); false on ENOMEM. */
static bool put(struct db *db, const struct karg *key, struct kobj *o, int64_t when)
{
	if (db_add(db, key, o) != 0)
		return false;
	if (when != -1)
		db_set_expire(db, key, when);
	return true;
}

static void rename_generic(struct client *c, bool nx)
{
	const struct karg *src = &c->argv[1], *dst = &c->argv[2];
	struct kobj *o;
	int64_t when;

	if (!key_lookup(c, c->db, src, false)) {
		reply_error(c, KERR_NO_KEY);
		return;
	}
	if (src->n == dst->n && memcmp(src->p, dst->p, src->n) == 0) {
		if (nx)
			reply_int(c, 0);
		else
			reply_ok(c);
		return;
	}
	if (key_lookup(c, c->db, dst, false)) {
		if (nx) {
			reply_int(c, 0);
			return;
		}
		db_delete(c->db, dst);
	}
	o = take(c->db, src, &when);
	if (!put(c->db, dst, o, when)) {
		kobj_free(o);
		reply_error(c, KERR_OOM);
		return;
	}
	kvd_dirty(c, 1);
	if (nx)
		reply_int(c, 1);
	else
		reply_ok(c);
}

static void rename_cmd(struct client *c)
{
	rename_generic(c, false);
}

static void renamenx_cmd(struct client *c)
{
	rename_generic(c, true);
}

static void randomkey_cmd(struct client *c)
{
	struct db *db = c->db;

	for (;;) {
		struct dict_entry *e = dict_random(&db->keys);
		struct karg k;
		if (!e) {
			reply_null(c);
			return;
		}
		k = (struct karg){e->key, e->klen};
		if ((c->flags & CF_AOF_LOADING) || !key_expired(db, e->key, e->klen)) {
			reply_bulk(c, e->key, e->klen);
			return;
		}
		db_lookup_write(db, &k); /* expires it */
	}
}

static void dbsize_cmd(struct client *c)
{
	reply_int(c, (long long)dict_size(&c->db->keys));
}

static bool flush_args(struct client *c)
{
	if (c->argc > 2 || (c->argc == 2 && !arg_eq(&c->argv[1], "sync") && !arg_eq(&c->argv[1], "async"))) {
		reply_error(c, KERR_SYNTAX);
		return false;
	}
	return true;
}

static void flushdb_cmd(struct client *c)
{
	if (!flush_args(c))
		return;
	db_flush(c->db);
	kvd_dirty(c, 1);
	reply_ok(c);
}

static void flushall_cmd(struct client *c)
{
	if (!flush_args(c))
		return;
	db_flush(NULL);
	kvd_dirty(c, 1);
	reply_ok(c);
}

/* A db number as Redis's getIntFromObjectOrReply + selectDb check it; NULL after replying. */
static struct db *arg_db(struct client *c, const struct karg *a)
{
	long long id;

	if (!arg_ll(c, a, &id))
		return NULL;
	if (id < INT_MIN || id > INT_MAX) {
		reply_error(c, KERR_NOT_INT);
		return NULL;
	}
	if (id < 0 || id >= KVD_DBNUM) {
		reply_error(c, KERR_DB_RANGE);
		return NULL;
	}
	return db_get((int)id);
}

static void move_cmd(struct client *c)
{
	const struct karg *key = &c->argv[1];
	struct db *dst = arg_db(c, &c->argv[2]);
	struct kobj *o;
	int64_t when;

	if (!dst)
		return;
	if (dst == c->db) {
		reply_error(c, KERR_SAME_OBJ);
		return;
	}
	if (!key_lookup(c, c->db, key, false) || key_lookup(c, dst, key, false)) {
		reply_int(c, 0);
		return;
	}
	o = take(c->db, key, &when);
	if (!put(dst, key, o, when)) {
		kobj_free(o);
		reply_error(c, KERR_OOM);
		return;
	}
	kvd_dirty(c, 1);
	reply_int(c, 1);
}

static void touch_cmd(struct client *c)
{
	exists_cmd(c);
}

const struct kcmd kvd_cmds_keys[] = {
	{"del", -2, KC_WRITE, 1, -1, 1, del_cmd, "generic", "Deletes one or more keys."},
	{"unlink", -2, KC_WRITE | KC_FAST, 1, -1, 1, del_cmd, "generic", "Deletes one or more keys."},
	{"exists", -2, KC_READONLY | KC_FAST, 1, -1, 1, exists_cmd, "generic",
	 "Determines whether one or more keys exist."},
	{"type", 2, KC_READONLY | KC_FAST, 1, 1, 1, type_cmd, "generic",
	 "Determines the type of value stored at a key."},
	{"expire", -3, KC_WRITE | KC_FAST, 1, 1, 1, expire_cmd, "generic",
	 "Sets the expiration time of a key in seconds."},
	{"pexpire", -3, KC_WRITE | KC_FAST, 1, 1, 1, pexpire_cmd, "generic",
	 "Sets the expiration time of a key in milliseconds."},
	{"expireat", -3, KC_WRITE | KC_FAST, 1, 1, 1, expireat_cmd, "generic",
	 "Sets the expiration time of a key to a Unix timestamp."},
	{"pexpireat", -3, KC_WRITE | KC_FAST, 1, 1, 1, pexpireat_cmd, "generic",
	 "Sets the expiration time of a key to a Unix milliseconds timestamp."},
	{"ttl", 2, KC_READONLY | KC_FAST, 1, 1, 1, ttl_cmd, "generic",
	 "Returns the expiration time in seconds of a key."},
	{"pttl", 2, KC_READONLY | KC_FAST, 1, 1, 1, pttl_cmd, "generic",
	 "Returns the expiration time in milliseconds of a key."},
	{"expiretime", 2, KC_READONLY | KC_FAST, 1, 1, 1, expiretime_cmd, "generic",
	 "Returns the expiration time of a key as a Unix timestamp."},
	{"pexpiretime", 2, KC_READONLY | KC_FAST, 1, 1, 1, pexpiretime_cmd, "generic",
	 "Returns the expiration time of a key as a Unix milliseconds timestamp."},
	{"persist", 2, KC_WRITE | KC_FAST, 1, 1, 1, persist_cmd, "generic",
	 "Removes the expiration time of a key."},
	{"keys", 2, KC_READONLY, 0, 0, 0, keys_cmd, "generic", "Returns all key names that match a pattern."},
	{"scan", -2, KC_READONLY, 0, 0, 0, scan_cmd, "generic",
	 "Iterates over the key names in the database."},
	{"rename", 3, KC_WRITE, 1, 2, 1, rename_cmd, "generic",
	 "Renames a key and overwrites the destination."},
	{"renamenx", 3, KC_WRITE | KC_FAST, 1, 2, 1, renamenx_cmd, "generic",
	 "Renames a key only when the target key name doesn't exist."},
	{"randomkey", 1, KC_READONLY, 0, 0, 0, randomkey_cmd, "generic",
	 "Returns a random key name from the database."},
	{"dbsize", 1, KC_READONLY | KC_FAST, 0, 0, 0, dbsize_cmd, "server",
	 "Returns the number of keys in the database."},
	{"flushdb", -1, KC_WRITE, 0, 0, 0, flushdb_cmd, "server",
	 "Removes all keys from the current database."},
	{"flushall", -1, KC_WRITE, 0, 0, 0, flushall_cmd, "server", "Removes all keys from all databases."},
	{"move", 3, KC_WRITE | KC_FAST, 1, 1, 1, move_cmd, "generic", "Moves a key to another database."},
	{"touch", -2, KC_READONLY | KC_FAST, 1, -1, 1, touch_cmd, "generic",
	 "Returns the number of existing keys out of those specified after updating the time they were last "
	 "accessed."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
