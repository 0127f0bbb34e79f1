// SPDX-License-Identifier: MIT
/* t_hash: kvd's hash commands (HSET, HGET, HINCRBY, HRANDFIELD, HSCAN, ...), a dict of field -> blob per key.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvd.h"

/* Hashes this small are answered whole by HSCAN, as Redis answers a listpack-encoded one. */
#define HASH_SMALL 128

static void free_blob_val(union dict_val *v)
{
	blob_free(v->ptr);
}

/* The hash at key, made when absent; NULL after replying (WRONGTYPE, OOM). */
static struct kobj *hash_for_write(struct client *c, const struct karg *key)
{
	bool wrong;
	struct kobj *o = db_write_typed(c, key, KV_HASH, &wrong);

	if (o || wrong)
		return o;
	o = kobj_new_hash();
	if (!o || db_add(c->db, key, o) != 0) {
		kobj_free(o);
		reply_error(c, KERR_OOM);
		return NULL;
	}
	return o;
}

/* Sets field to value; 1 when the field is new, 0 when replaced, -1 out of memory. */
static int hash_set(struct kobj *o, const struct karg *f, const char *v, size_t vn)
{
	bool created;
	struct blob *b = blob_new(v, vn);
	struct dict_entry *e = b ? dict_upsert(o->u.hash, f->p, f->n, &created) : NULL;

	if (!e) {
		blob_free(b);
		return -1;
	}
	if (!created)
		blob_free(e->v.ptr);
	e->v.ptr = b;
	return created;
}

static const struct blob *hash_get(struct kobj *o, const struct karg *f)
{
	struct dict_entry *e = o ? dict_find(o->u.hash, f->p, f->n) : NULL;
	return e ? e->v.ptr : NULL;
}

/* After fields went: an empty hash is no key at all. */
static void hset_generic(struct client *c, bool hmset)
{
	struct kobj *o;
	long long created = 0;

	if (c->argc % 2 == 1) {
		reply_errorf(c, "ERR wrong number of arguments for '%s' command", hmset ? "hmset" : "hset");
		return;
	}
	if (!(o = hash_for_write(c, &c->argv[1])))
		return;
	for (int i = 2; i < c->argc; i += 2) {
		int r = hash_set(o, &c->argv[i], c->argv[i + 1].p, c->argv[i + 1].n);
		if (r < 0) {
			reply_error(c, KERR_OOM);
			return;
		}
		created += r;
	}
	multi_touch_key(c->db, &c->argv[1]);
	kvd_dirty(c, (c->argc - 2) / 2);
	if (hmset)
		reply_ok(c);
	else
		reply_int(c, created);
}

static void hset_cmd(struct client *c)
{
	hset_generic(c, false);
}

static void hmset_cmd(struct client *c)
{
	hset_generic(c, true);
}

static void hsetnx_cmd(struct client *c)
{
	struct kobj *o = hash_for_write(c, &c->argv[1]);

	if (!o)
		return;
	if (hash_get(o, &c->argv[2])) {
		reply_int(c, 0);
		return;
	}
	if (hash_set(o, &c->argv[2], c->argv[3].p, c->argv[3].n) < 0) {
		reply_error(c, KERR_OOM);
		return;
	}
	multi_touch_key(c->db, &c->argv[1]);
	kvd_dirty(c, 1);
	reply_int(c, 1);
}

static void hget_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);
	const struct blob *v;

	if (wrong)
		return;
	if ((v = hash_get(o, &c->argv[2])))
		reply_bulk(c, v->data, v->len);
	else
		reply_null(c);
}

static void hmget_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);

	if (wrong)
		return;
	reply_array(c, c->argc - 2);
	for (int i = 2; i < c->argc; i++) {
		const struct blob *v = hash_get(o, &c->argv[i]);
		if (v)
			reply_bulk(c, v->data, v->len);
		else
			reply_null(c);
	}
}

static void hdel_cmd(struct client *c)
{
	db_remove_members(c, KV_HASH, free_blob_val);
}

static void hlen_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);

	if (!wrong)
		reply_int(c, o ? (long long)dict_size(o->u.hash) : 0);
}

static void hstrlen_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);
	const struct blob *v;

	if (wrong)
		return;
	v = hash_get(o, &c->argv[2]);
	reply_int(c, v ? (long long)v->len : 0);
}

static void hexists_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);

	if (!wrong)
		reply_int(c, hash_get(o, &c->argv[2]) != NULL);
}

enum { H_KEYS = 1, H_VALS = 2 };

static void hgetall_generic(struct client *c, int what)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);
	long n = o ? (long)dict_size(o->u.hash) : 0;
	struct dict_iter it;
	struct dict_entry *e;

	if (wrong)
		return;
	if (what == (H_KEYS | H_VALS))
		reply_map(c, n);
	else
		reply_array(c, n);
	if (!o)
		return;
	dict_iter_init(o->u.hash, &it);
	while ((e = dict_iter_next(&it))) {
		const struct blob *v = e->v.ptr;
		if (what & H_KEYS)
			reply_bulk(c, e->key, e->klen);
		if (what & H_VALS)
			reply_bulk(c, v->data, v->len);
	}
	dict_iter_done(&it);
}

static void hgetall_cmd(struct client *c)
{
	hgetall_generic(c, H_KEYS | H_VALS);
}

static void hkeys_cmd(struct client *c)
{
	hgetall_generic(c, H_KEYS);
}

static void hvals_cmd(struct client *c)
{
	hgetall_generic(c, H_VALS);
}

static void hincrby_cmd(struct client *c)
{
	long long incr, v = 0;
	struct kobj *o;
	const struct blob *cur;
	char buf[24];

	if (!arg_ll(c, &c->argv[3], &incr) || !(o = hash_for_write(c, &c->argv[1])))
		return;
	if ((cur = hash_get(o, &c->argv[2])) && !str_to_ll(cur->data, cur->len, &v)) {
		reply_error(c, "ERR hash value is not an integer");
		return;
	}
	if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) || (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
		reply_error(c, KERR_OVERFLOW);
		return;
	}
	v += incr;
	if (hash_set(o, &c->argv[2], buf, (size_t)snprintf(buf, sizeof(buf), "%lld", v)) < 0) {
		reply_error(c, KERR_OOM);
		return;
	}
	multi_touch_key(c->db, &c->argv[1]);
	kvd_dirty(c, 1);
	reply_int(c, v);
}

/* Logged as HSET key field value, so that a replay does not depend on float formatting. */
static void hincrbyfloat_cmd(struct client *c)
{
	long double incr, v = 0;
	struct kobj *o;
	const struct blob *cur;
	char buf[5 * 1024];
	int n;

	if (!str_to_long_double(c->argv[3].p, c->argv[3].n, &incr)) {
		reply_error(c, KERR_NOT_FLOAT);
		return;
	}
	if (isnan(incr) || isinf(incr)) {
		reply_error(c, "ERR value is NaN or Infinity");
		return;
	}
	if (!(o = hash_for_write(c, &c->argv[1])))
		return;
	if ((cur = hash_get(o, &c->argv[2])) && !str_to_long_double(cur->data, cur->len, &v)) {
		reply_error(c, "ERR hash value is not a float");
		return;
	}
	if ((n = add_long_double(c, v, incr, buf, sizeof(buf))) < 0)
		return;
	if (hash_set(o, &c->argv[2], buf, (size_t)n) < 0) {
		reply_error(c, KERR_OOM);
		return;
	}
	multi_touch_key(c->db, &c->argv[1]);
	struct karg argv[4] = {{"HSET", 4}, c->argv[1], c->argv[2], {buf, (size_t)n}};
	kvd_propagate_as(c, 4, argv);
	reply_bulk(c, buf, (size_t)n);
}

static void reply_field(struct client *c, const struct dict_entry *e, bool withvalues)
{
	const struct blob *v = e->v.ptr;

	if (withvalues && c->resp > 2)
		reply_array(c, 2);
	reply_bulk(c, e->key, e->klen);
	if (withvalues)
		reply_bulk(c, v->data, v->len);
}

/* Redis's hrandfieldWithCountCommand: a negative count may repeat fields, a positive one not. */
static void hrandfield_count(struct client *c, long long l, bool withvalues)
{
	bool wrong, uniq = l >= 0;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);
	unsigned long long count = uniq ? (unsigned long long)l : (unsigned long long)-l, size;
	struct dict_entry **picked;
	struct dict_iter it;
	struct dict_entry *e;

	if (wrong)
		return;
	if (!o || count == 0) {
		reply_array(c, 0);
		return;
	}
	size = dict_size(o->u.hash);
	if (uniq && count > size)
		count = size;
	reply_array(c, (long)(withvalues && c->resp == 2 ? count * 2 : count));
	if (!uniq || count == 1) {
		for (unsigned long long i = 0; i < count; i++)
			reply_field(c, dict_random(o->u.hash), withvalues);
	} else if (count == size) {
		dict_iter_init(o->u.hash, &it);
		while ((e = dict_iter_next(&it)))
			reply_field(c, e, withvalues);
		dict_iter_done(&it);
	} else {
		picked = malloc(count * sizeof(*picked));
		size_t n = picked ? dict_random_unique(o->u.hash, count, picked) : 0;
		/* Out of memory: the promised count is still given, with repeats. */
		for (size_t i = 0; i < count; i++)
			reply_field(c, i < n ? picked[i] : dict_random(o->u.hash), withvalues);
		free(picked);
	}
}

static void hrandfield_cmd(struct client *c)
{
	long long l;
	bool wrong;
	struct kobj *o;

	if (c->argc >= 3) {
		if (!str_to_ll(c->argv[2].p, c->argv[2].n, &l)) {
			reply_error(c, KERR_NOT_INT);
			return;
		}
		if (l < -LLONG_MAX) {
			reply_errorf(c, "ERR value is out of range, value must between %lld and %lld",
				     -LLONG_MAX, LLONG_MAX);
			return;
		}
		if (c->argc > 4 || (c->argc == 4 && !arg_eq(&c->argv[3], "withvalues"))) {
			reply_error(c, KERR_SYNTAX);
			return;
		}
		if (c->argc == 4 && (l < -LLONG_MAX / 2 || l > LLONG_MAX / 2)) {
			reply_error(c, "ERR value is out of range");
			return;
		}
		hrandfield_count(c, l, c->argc == 4);
		return;
	}
	o = db_read_typed(c, &c->argv[1], KV_HASH, &wrong);
	if (wrong)
		return;
	if (!o)
		reply_null(c);
	else
		reply_field(c, dict_random(o->u.hash), false);
}

static void hscan_cmd(struct client *c)
{
	struct scan_args a;
	struct kobj *o;

	if (!(o = scan_lookup(c, KV_HASH, &a)))
		return;
	if (dict_size(o->u.hash) <= HASH_SMALL) {
		a.cursor = 0;
		a.count = LONG_MAX / 10;
	}
	scan_dict_reply(c, o->u.hash, &a, 1);
}

const struct kcmd kvd_cmds_hash[] = {
	{"hset", -4, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, hset_cmd, "hash",
	 "Creates or modifies the value of a field in a hash."},
	{"hmset", -4, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, hmset_cmd, "hash",
	 "Sets the values of multiple fields."},
	{"hsetnx", 4, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, hsetnx_cmd, "hash",
	 "Sets the value of a field in a hash only when the field doesn't exist."},
	{"hget", 3, KC_READONLY | KC_FAST, 1, 1, 1, hget_cmd, "hash",
	 "Returns the value of a field in a hash."},
	{"hmget", -3, KC_READONLY | KC_FAST, 1, 1, 1, hmget_cmd, "hash",
	 "Returns the values of all fields in a hash."},
	{"hdel", -3, KC_WRITE | KC_FAST, 1, 1, 1, hdel_cmd, "hash",
	 "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain."},
	{"hlen", 2, KC_READONLY | KC_FAST, 1, 1, 1, hlen_cmd, "hash",
	 "Returns the number of fields in a hash."},
	{"hstrlen", 3, KC_READONLY | KC_FAST, 1, 1, 1, hstrlen_cmd, "hash",
	 "Returns the length of the value of a field."},
	{"hexists", 3, KC_READONLY | KC_FAST, 1, 1, 1, hexists_cmd, "hash",
	 "Determines whether a field exists in a hash."},
	{"hgetall", 2, KC_READONLY, 1, 1, 1, hgetall_cmd, "hash", "Returns all fields and values in a hash."},
	{"hkeys", 2, KC_READONLY, 1, 1, 1, hkeys_cmd, "hash", "Returns all fields in a hash."},
	{"hvals", 2, KC_READONLY, 1, 1, 1, hvals_cmd, "hash", "Returns all values in a hash."},
	{"hincrby", 4, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, hincrby_cmd, "hash",
	 "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the "
	 "field "
	 "doesn't exist."},
	{"hincrbyfloat", 4, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, hincrbyfloat_cmd, "hash",
	 "Increments the floating point value of a field by a number. Uses 0 as initial value if the field "
	 "doesn't exist."},
	{"hrandfield", -2, KC_READONLY, 1, 1, 1, hrandfield_cmd, "hash",
	 "Returns one or more random fields from a hash."},
	{"hscan", -3, KC_READONLY, 1, 1, 1, hscan_cmd, "hash", "Iterates over fields and values of a hash."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
