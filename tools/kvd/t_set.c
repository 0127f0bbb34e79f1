// SPDX-License-Identifier: MIT
/* t_set: kvd's set commands (SADD, SPOP, SINTER and the algebra, SSCAN, ...), a dict of members per key. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kvd.h"

/* SPOP's members are logged as SREMs of at most this many (Redis's SPOP_MOVE_STRATEGY batch). */
#define SPOP_BATCH 1024

static bool set_has(const struct kobj *o, const char *p, size_t n)
{
	return o && dict_find(o->u.set, p, n) != NULL;
}

/* 1 added, 0 was there, -1 out of memory. */
static int set_add(struct kobj *o, const char *p, size_t n)
{
	bool created;
	return dict_upsert(o->u.set, p, n, &created) ? created : -1;
}

static void sadd_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_write_typed(c, &c->argv[1], KV_SET, &wrong);
	long long added = 0;

	if (wrong)
		return;
	if (!o) {
		o = kobj_new_set();
		if (!o || db_add(c->db, &c->argv[1], o) != 0) {
			kobj_free(o);
			reply_error(c, KERR_OOM);
			return;
		}
	}
	for (int i = 2; i < c->argc; i++) {
		int r = set_add(o, c->argv[i].p, c->argv[i].n);
		if (r < 0) {
			reply_error(c, KERR_OOM);
			return;
		}
		added += r;
	}
	if (added) {
		multi_touch_key(c->db, &c->argv[1]);
		kvd_dirty(c, added);
	}
	reply_int(c, added);
}

/* After members went: an empty set is no key at all. */
static void srem_cmd(struct client *c)
{
	db_remove_members(c, KV_SET, NULL);
}

static void sismember_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_SET, &wrong);

	if (!wrong)
		reply_int(c, set_has(o, c->argv[2].p, c->argv[2].n));
}

static void smismember_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_SET, &wrong);

	if (wrong)
		return;
	reply_array(c, c->argc - 2);
	for (int i = 2; i < c->argc; i++)
		reply_int(c, set_has(o, c->argv[i].p, c->argv[i].n));
}

static void scard_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_SET, &wrong);

	if (!wrong)
		reply_int(c, o ? (long long)dict_size(o->u.set) : 0);
}

/* Logs SREM key members... for SPOP, a batch at a time. */
struct srem_log {
	struct client *c;
	struct karg argv[2 + SPOP_BATCH];
	int argc;
};

static void srem_log_flush(struct srem_log *l)
{
	if (l->argc > 2)
		kvd_propagate_as(l->c, l->argc, l->argv);
	l->argc = 2;
}

/*
 * SPOP key count: the members are removed after being replied and logged, so their bytes are used
 * before the entries are freed. count >= size gives the whole set and deletes the key (logged as DEL).
 */
static void spop_count(struct client *c, struct kobj *o, unsigned long long count)
{
	const struct karg *key = &c->argv[1];
	size_t size = dict_size(o->u.set), n;
	struct dict_entry **picked, *e;
	struct dict_iter it;
	struct srem_log *log;

	if (count >= size) {
		struct karg argv[2] = {{"DEL", 3}, *key};
		reply_set(c, (long)size);
		dict_iter_init(o->u.set, &it);
		while ((e = dict_iter_next(&it)))
			reply_bulk(c, e->key, e->klen);
		dict_iter_done(&it);
		db_delete(c->db, key);
		kvd_propagate_as(c, 2, argv);
		return;
	}
	picked = malloc(count * sizeof(*picked));
	log = malloc(sizeof(*log));
	n = picked && log ? dict_random_unique(o->u.set, count, picked) : 0;
	if (n < count) {
		reply_error(c, KERR_OOM);
		goto out;
	}
	log->c = c;
	log->argv[0] = (struct karg){"SREM", 4};
	log->argv[1] = *key;
	log->argc = 2;
	reply_set(c, (long)n);
	for (size_t i = 0; i < n; i++) {
		reply_bulk(c, picked[i]->key, picked[i]->klen);
		log->argv[log->argc++] = (struct karg){picked[i]->key, picked[i]->klen};
		if (log->argc == 2 + SPOP_BATCH)
			srem_log_flush(log);
	}
	srem_log_flush(log);
	for (size_t i = 0; i < n; i++) {
		dict_unlink(o->u.set, picked[i]->key, picked[i]->klen);
		dict_entry_free(picked[i]);
	}
	db_drop_if_empty(c->db, key, o);
out:
	free(picked);
	free(log);
}

static void spop_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o;
	long long count;
	struct dict_entry *e;

	if (c->argc > 3) {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	if (c->argc == 3) {
		if (!str_to_ll(c->argv[2].p, c->argv[2].n, &count) || count < 0) {
			reply_error(c, KERR_NOT_POS);
			return;
		}
	}
	o = db_write_typed(c, &c->argv[1], KV_SET, &wrong);
	if (wrong)
		return;
	if (c->argc == 3) {
		if (!o || count == 0)
			reply_set(c, 0);
		else
			spop_count(c, o, (unsigned long long)count);
		return;
	}
	if (!o) {
		reply_null(c);
		return;
	}
	e = dict_random(o->u.set);
	struct karg argv[3] = {{"SREM", 4}, c->argv[1], {e->key, e->klen}};
	reply_bulk(c, e->key, e->klen);
	kvd_propagate_as(c, 3, argv);
	dict_unlink(o->u.set, e->key, e->klen);
	dict_entry_free(e);
	db_drop_if_empty(c->db, &c->argv[1], o);
}

static void srandmember_count(struct client *c, long long l)
{
	bool wrong, uniq = l >= 0;
	struct kobj *o = db_read_typed(c, &c->argv[1], KV_SET, &wrong);
	unsigned long long count = uniq ? (unsigned long long)l : (unsigned long long)-l, size;
	struct dict_entry **picked, *e;
	struct dict_iter it;

	if (wrong)
		return;
	if (!o || count == 0) {
		reply_array(c, 0);
		return;
	}
	size = dict_size(o->u.set);
	if (!uniq || count == 1) {
		reply_array(c, (long)count);
		for (unsigned long long i = 0; i < count; i++) {
			e = dict_random(o->u.set);
			reply_bulk(c, e->key, e->klen);
		}
	} else if (count >= size) {
		reply_array(c, (long)size);
		dict_iter_init(o->u.set, &it);
		while ((e = dict_iter_next(&it)))
			reply_bulk(c, e->key, e->klen);
		dict_iter_done(&it);
	} else {
		picked = malloc(count * sizeof(*picked));
		size_t n = picked ? dict_random_unique(o->u.set, count, picked) : 0;
		reply_array(c, (long)count);
		/* Out of memory: the promised count is still given, with repeats. */
		for (size_t i = 0; i < count; i++) {
			e = i < n ? picked[i] : dict_random(o->u.set);
			reply_bulk(c, e->key, e->klen);
		}
		free(picked);
	}
}

static void srandmember_cmd(struct client *c)
{
	bool wrong;
	struct kobj *o;
	long long l;
	struct dict_entry *e;

	if (c->argc > 3) {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	if (c->argc == 3) {
		if (!arg_ll(c, &c->argv[2], &l))
			return;
		if (l < -LLONG_MAX) {
			reply_errorf(c, "ERR value is out of range, value must between %lld and %lld",
				     -LLONG_MAX, LLONG_MAX);
			return;
		}
		srandmember_count(c, l);
		return;
	}
	o = db_read_typed(c, &c->argv[1], KV_SET, &wrong);
	if (wrong)
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	e = dict_random(o->u.set);
	reply_bulk(c, e->key, e->klen);
}

static void smove_cmd(struct client *c)
{
	const struct karg *src = &c->argv[1], *dst = &c->argv[2], *m = &c->argv[3];
	struct kobj *so = db_lookup_write(c->db, src), *dso = db_lookup_write(c->db, dst);

	if (!so) {
		reply_int(c, 0);
		return;
	}
	if (so->type != KV_SET || (dso && dso->type != KV_SET)) {
		reply_error(c, KERR_WRONGTYPE);
		return;
	}
	if (so == dso) {
		reply_int(c, set_has(so, m->p, m->n));
		return;
	}
	if (!dict_delete(so->u.set, m->p, m->n, NULL)) {
		reply_int(c, 0);
		return;
	}
	db_drop_if_empty(c->db, src, so);
	if (!dso) {
		dso = kobj_new_set();
		if (!dso || db_add(c->db, dst, dso) != 0) {
			kobj_free(dso);
			reply_error(c, KERR_OOM);
			return;
		}
	}
	if (set_add(dso, m->p, m->n) < 0) {
		reply_error(c, KERR_OOM);
		return;
	}
	multi_touch_key(c->db, dst);
	kvd_dirty(c, 1);
	reply_int(c, 1);
}

/* ---- set algebra ---------------------------------------------------------------------------- */

enum set_op { OP_INTER, OP_UNION, OP_DIFF };

/* The sets at keys (NULL where absent); false after a WRONGTYPE reply. */
static bool load_sets(struct client *c, const struct karg *keys, int n, struct kobj **sets)
{
	for (int i = 0; i < n; i++) {
		struct kobj *o = db_lookup_read(c->db, &keys[i]);
		if (o && o->type != KV_SET) {
			reply_error(c, KERR_WRONGTYPE);
			return false;
		}
		sets[i] = o;
	}
	return true;
}

static bool in_all_others(struct kobj **sets, int n, int skip, const struct dict_entry *e)
{
	for (int j = 0; j < n; j++)
		if (j != skip && !set_has(sets[j], e->key, e->klen))
			return false;
	return true;
}

static bool in_any_after_first(struct kobj **sets, int n, const struct dict_entry *e)
{
	for (int j = 1; j < n; j++)
		if (sets[j] && set_has(sets[j], e->key, e->klen))
			return true;
	return false;
}

/*
 * Computes op over sets into out (a new set object). Intersection walks the smallest set and
 * probes the others; difference walks the first. false on ENOMEM. limit > 0 stops an
 * intersection after that many members (SINTERCARD).
 */
static bool set_compute(enum set_op op, struct kobj **sets, int n, struct kobj *out, size_t limit)
{
	struct dict_iter it;
	struct dict_entry *e;
	int from = 0;
	bool ok = true;

	if (op == OP_INTER) {
		for (int j = 0; j < n; j++)
			if (!sets[j])
				return true;
		for (int j = 1; j < n; j++)
			if (dict_size(sets[j]->u.set) < dict_size(sets[from]->u.set))
				from = j;
	}
	for (int j = 0; j < n && ok; j++) {
		if (!sets[j] || (op != OP_UNION && j != from))
			continue;
		if (op == OP_DIFF && j > 0)
			break;
		dict_iter_init(sets[j]->u.set, &it);
		while ((e = dict_iter_next(&it))) {
			if (op == OP_INTER && !in_all_others(sets, n, from, e))
				continue;
			if (op == OP_DIFF && in_any_after_first(sets, n, e))
				continue;
			if (set_add(out, e->key, e->klen) < 0) {
				ok = false;
				break;
			}
			if (limit && dict_size(out->u.set) >= limit)
				break;
		}
		dict_iter_done(&it);
	}
	return ok;
}

/* SINTER SUNION SDIFF (dst NULL: replied as a set) and their STORE forms (dst: the count). */
static void set_op_generic(struct client *c, enum set_op op, const struct karg *keys, int n,
			   const struct karg *dst)
{
	struct kobj **sets = calloc((size_t)n, sizeof(*sets)), *out = NULL;
	struct dict_iter it;
	struct dict_entry *e;

	if (!sets || !(out = kobj_new_set())) {
		reply_error(c, KERR_OOM);
		goto out;
	}
	if (!load_sets(c, keys, n, sets))
		goto out;
	if (!set_compute(op, sets, n, out, 0)) {
		reply_error(c, KERR_OOM);
		goto out;
	}
	if (!dst) {
		reply_set(c, (long)dict_size(out->u.set));
		dict_iter_init(out->u.set, &it);
		while ((e = dict_iter_next(&it)))
			reply_bulk(c, e->key, e->klen);
		dict_iter_done(&it);
		goto out;
	}
	long long size = (long long)dict_size(out->u.set);
	if (size > 0) {
		if (db_set(c->db, dst, out, false) != 0) {
			reply_error(c, KERR_OOM);
			goto out;
		}
		out = NULL;
		kvd_dirty(c, 1);
	} else if (db_delete(c->db, dst)) {
		kvd_dirty(c, 1);
	}
	reply_int(c, size);
out:
	kobj_free(out);
	free(sets);
}

static void smembers_cmd(struct client *c)
{
	set_op_generic(c, OP_INTER, &c->argv[1], 1, NULL);
}

static void sinter_cmd(struct client *c)
{
	set_op_generic(c, OP_INTER, &c->argv[1], c->argc - 1, NULL);
}

static void sunion_cmd(struct client *c)
{
	set_op_generic(c, OP_UNION, &c->argv[1], c->argc - 1, NULL);
}

static void sdiff_cmd(struct client *c)
{
	set_op_generic(c, OP_DIFF, &c->argv[1], c->argc - 1, NULL);
}

static void sinterstore_cmd(struct client *c)
{
	set_op_generic(c, OP_INTER, &c->argv[2], c->argc - 2, &c->argv[1]);
}

static void sunionstore_cmd(struct client *c)
{
	set_op_generic(c, OP_UNION, &c->argv[2], c->argc - 2, &c->argv[1]);
}

static void sdiffstore_cmd(struct client *c)
{
	set_op_generic(c, OP_DIFF, &c->argv[2], c->argc - 2, &c->argv[1]);
}

static void sintercard_cmd(struct client *c)
{
	long long numkeys, limit = 0;
	struct kobj **sets = NULL, *out = NULL;

	if (!str_to_ll(c->argv[1].p, c->argv[1].n, &numkeys) || numkeys < 1) {
		reply_error(c, "ERR numkeys should be greater than 0");
		return;
	}
	if (numkeys > c->argc - 2) {
		reply_error(c, "ERR Number of keys can't be greater than number of args");
		return;
	}
	for (int j = 2 + (int)numkeys; j < c->argc; j++) {
		if (arg_eq(&c->argv[j], "limit") && j < c->argc - 1) {
			j++;
			if (!str_to_ll(c->argv[j].p, c->argv[j].n, &limit) || limit < 0) {
				reply_error(c, "ERR LIMIT can't be negative");
				return;
			}
		} else {
			reply_error(c, KERR_SYNTAX);
			return;
		}
	}
	sets = calloc((size_t)numkeys, sizeof(*sets));
	if (!sets || !(out = kobj_new_set())) {
		reply_error(c, KERR_OOM);
		goto out;
	}
	if (!load_sets(c, &c->argv[2], (int)numkeys, sets))
		goto out;
	if (!set_compute(OP_INTER, sets, (int)numkeys, out, (size_t)limit)) {
		reply_error(c, KERR_OOM);
		goto out;
	}
	reply_int(c, (long long)dict_size(out->u.set));
out:
	kobj_free(out);
	free(sets);
}

static void sscan_cmd(struct client *c)
{
	struct scan_args a;
	struct kobj *o;

	if (!(o = scan_lookup(c, KV_SET, &a)))
		return;
	scan_dict_reply(c, o->u.set, &a, 0);
}

const struct kcmd kvd_cmds_set[] = {
	{"sadd", -3, KC_WRITE | KC_DENYOOM | KC_FAST, 1, 1, 1, sadd_cmd, "set",
	 "Adds one or more members to a set. Creates the key if it doesn't exist."},
	{"srem", -3, KC_WRITE | KC_FAST, 1, 1, 1, srem_cmd, "set",
	 "Removes one or more members from a set. Deletes the set if the last member was removed."},
	{"sismember", 3, KC_READONLY | KC_FAST, 1, 1, 1, sismember_cmd, "set",
	 "Determines whether a member belongs to a set."},
	{"smismember", -3, KC_READONLY | KC_FAST, 1, 1, 1, smismember_cmd, "set",
	 "Determines whether multiple members belong to a set."},
	{"smembers", 2, KC_READONLY, 1, 1, 1, smembers_cmd, "set", "Returns all members of a set."},
	{"scard", 2, KC_READONLY | KC_FAST, 1, 1, 1, scard_cmd, "set",
	 "Returns the number of members in a set."},
	{"spop", -2, KC_WRITE | KC_FAST, 1, 1, 1, spop_cmd, "set",
	 "Returns one or more random members from a set after removing them. Deletes the set if the last "
	 "member "
	 "was popped."},
	{"srandmember", -2, KC_READONLY, 1, 1, 1, srandmember_cmd, "set",
	 "Get one or multiple random members from a set"},
	{"smove", 4, KC_WRITE | KC_FAST, 1, 2, 1, smove_cmd, "set",
	 "Moves a member from one set to another."},
	{"sinter", -2, KC_READONLY, 1, -1, 1, sinter_cmd, "set", "Returns the intersect of multiple sets."},
	{"sunion", -2, KC_READONLY, 1, -1, 1, sunion_cmd, "set", "Returns the union of multiple sets."},
	{"sdiff", -2, KC_READONLY, 1, -1, 1, sdiff_cmd, "set", "Returns the difference of multiple sets."},
	{"sinterstore", -3, KC_WRITE | KC_DENYOOM, 1, -1, 1, sinterstore_cmd, "set",
	 "Stores the intersect of multiple sets in a key."},
	{"sunionstore", -3, KC_WRITE | KC_DENYOOM, 1, -1, 1, sunionstore_cmd, "set",
	 "Stores the union of multiple sets in a key."},
	{"sdiffstore", -3, KC_WRITE | KC_DENYOOM, 1, -1, 1, sdiffstore_cmd, "set",
	 "Stores the difference of multiple sets in a key."},
	{"sintercard", -3, KC_READONLY, 0, 0, 0, sintercard_cmd, "set",
	 "Returns the number of members of the intersect of multiple sets."},
	{"sscan", -3, KC_READONLY, 1, 1, 1, sscan_cmd, "set", "Iterates over members of a set."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
