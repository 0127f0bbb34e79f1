// SPDX-License-Identifier: MIT
/* db: kvd's 16 keyspaces, with lazy and active expiry and the hooks that WATCH and blocking pops see. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvd.h"

#define DB_INIT(n)                                                                                           \
	{                                                                                                    \
		.id = (n), .keys = {.rehash_idx = -1}, .expires = {.rehash_idx = -1 }                        \
	}

static struct db dbs[KVD_DBNUM] = {
	DB_INIT(0), DB_INIT(1), DB_INIT(2),  DB_INIT(3),  DB_INIT(4),  DB_INIT(5),  DB_INIT(6),  DB_INIT(7),
	DB_INIT(8), DB_INIT(9), DB_INIT(10), DB_INIT(11), DB_INIT(12), DB_INIT(13), DB_INIT(14), DB_INIT(15),
};

/* Active expiry: keys sampled per round, and the share found expired that calls for another round. */
#define EXPIRE_SAMPLE    20
#define EXPIRE_AGAIN_PCT 25

struct db *db_get(int id)
{
	return id >= 0 && id < KVD_DBNUM ? &dbs[id] : NULL;
}

static void free_kobj_val(union dict_val *v)
{
	kobj_free(v->ptr);
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Deletes a key whose time has passed: WATCH sees it, the AOF gets a DEL (the log must not depend
 * on when a replay runs), and INFO counts it. key may point into the entry being freed: it is
 * used before the delete only.
 */
static void expire_now(struct db *db, const char *key, size_t klen)
{
	struct karg argv[2] = {{"DEL", 3}, {key, klen}};

	if (kvd_cfg.appendonly)
		aof_feed(db->id, 2, argv);
	multi_touch_key(db, &argv[1]);
	kvd_stats.expired_keys++;
	struct dict_entry *e = dict_unlink(&db->keys, key, klen);
	dict_delete(&db->expires, e ? e->key : key, klen, NULL);
	if (e) {
		kobj_free(e->v.ptr);
		dict_entry_free(e);
	}
}

/* True when key was there with its time passed, and is gone now. */
static bool expire_if_needed(struct db *db, const struct karg *key)
{
	struct dict_entry *e;

	if (dict_size(&db->expires) == 0)
		return false;
	e = dict_find(&db->expires, key->p, key->n);
	if (!e || e->v.i >= kvd_now_ms())
		return false;
	expire_now(db, key->p, key->n);
	return true;
}

/* The lookup every other one is built on; an AOF replay never expires (the log has the DELs). */
static struct kobj *lookup(struct db *db, const struct karg *key, bool loading)
{
	struct dict_entry *e;

	if (!loading)
		expire_if_needed(db, key);
	e = dict_find(&db->keys, key->p, key->n);
	return e ? e->v.ptr : NULL;
}

struct kobj *db_lookup_read(struct db *db, const struct karg *key)
{
	struct kobj *o = lookup(db, key, false);

	if (o)
		kvd_stats.keyspace_hits++;
	else
		kvd_stats.keyspace_misses++;
	return o;
}

struct kobj *db_lookup_write(struct db *db, const struct karg *key)
{
	return lookup(db, key, false);
}

static struct kobj *typed(struct client *c, struct kobj *o, int type, bool *wrong)
{
	*wrong = o && o->type != type;
	if (*wrong) {
		reply_error(c, KERR_WRONGTYPE);
		return NULL;
	}
	return o;
}

struct kobj *db_read_typed(struct client *c, const struct karg *key, int type, bool *wrong)
{
	struct kobj *o = lookup(c->db, key, c->flags & CF_AOF_LOADING);

	if (o)
		kvd_stats.keyspace_hits++;
	else
		kvd_stats.keyspace_misses++;
	return typed(c, o, type, wrong);
}

struct kobj *db_write_typed(struct client *c, const struct karg *key, int type, bool *wrong)
{
	return typed(c, lookup(c->db, key, c->flags & CF_AOF_LOADING), type, wrong);
}

/* What adding or replacing a value signals: WATCH always, blocked pops when it is a list or zset. */
static void signal_new_value(struct db *db, const struct karg *key, const struct kobj *o)
{
	multi_touch_key(db, key);
	if (o->type == KV_LIST || o->type == KV_ZSET)
		block_key_ready(db, key);
}

int db_add(struct db *db, const struct karg *key, struct kobj *o)
{
	bool created;
	struct dict_entry *e = dict_upsert(&db->keys, key->p, key->n, &created);

	if (!e)
		return -ENOMEM;
	if (!created)
		kobj_free(e->v.ptr);
	e->v.ptr = o;
	signal_new_value(db, key, o);
	return 0;
}

int db_set(struct db *db, const struct karg *key, struct kobj *o, bool keep_ttl)
{
	bool created;
	struct dict_entry *e = dict_upsert(&db->keys, key->p, key->n, &created);

	if (!e)
		return -ENOMEM;
	if (!created) {
		if (e->v.ptr != o)
			kobj_free(e->v.ptr);
		if (!keep_ttl && dict_size(&db->expires))
			dict_delete(&db->expires, key->p, key->n, NULL);
	}
	e->v.ptr = o;
	signal_new_value(db, key, o);
	return 0;
}

bool db_delete(struct db *db, const struct karg *key)
{
	if (dict_size(&db->expires))
		dict_delete(&db->expires, key->p, key->n, NULL);
	if (!dict_delete(&db->keys, key->p, key->n, free_kobj_val))
		return false;
	multi_touch_key(db, key);
	return true;
}

int64_t db_get_expire(struct db *db, const struct karg *key)
{
	struct dict_entry *e;

	if (dict_size(&db->expires) == 0)
		return -1;
	e = dict_find(&db->expires, key->p, key->n);
	return e ? e->v.i : -1;
}

void db_set_expire(struct db *db, const struct karg *key, int64_t when_ms)
{
	bool created;
	struct dict_entry *e = dict_upsert(&db->expires, key->p, key->n, &created);

	if (e)
		e->v.i = when_ms;
}

bool db_remove_expire(struct db *db, const struct karg *key)
{
	return dict_size(&db->expires) && dict_delete(&db->expires, key->p, key->n, NULL);
}

static void flush_one(struct db *db)
{
	dict_destroy(&db->expires, NULL);
	dict_destroy(&db->keys, free_kobj_val);
	db->avg_ttl = 0;
	multi_touch_db(db);
}

void db_flush(struct db *db)
{
	if (db) {
		flush_one(db);
		return;
	}
	for (int i = 0; i < KVD_DBNUM; i++)
		flush_one(&dbs[i]);
}

void db_drop_if_empty(struct db *db, const struct karg *key, const struct kobj *o)
{
	if (kobj_length(o) == 0)
		db_delete(db, key);
	else
		multi_touch_key(db, key);
}

void db_remove_members(struct client *c, int type, void (*free_val)(union dict_val *v))
{
	bool wrong;
	struct kobj *o = db_write_typed(c, &c->argv[1], type, &wrong);
	struct dict *d;
	long long n = 0;

	if (!o) {
		if (!wrong)
			reply_int(c, 0);
		return;
	}
	d = type == KV_HASH ? o->u.hash : o->u.set;
	for (int i = 2; i < c->argc && dict_size(d); i++)
		n += dict_delete(d, c->argv[i].p, c->argv[i].n, free_val);
	if (n) {
		db_drop_if_empty(c->db, &c->argv[1], o);
		kvd_dirty(c, n);
	}
	reply_int(c, n);
}

void db_touch(struct db *db, const struct karg *key)
{
	multi_touch_key(db, key);
	block_key_ready(db, key);
}

/*
 * One db's share of the cycle, Redis's adaptive sampling: EXPIRE_SAMPLE random keys with a TTL,
 * the expired ones deleted, again while more than EXPIRE_AGAIN_PCT percent of a sample were
 * expired (many more are likely), until the deadline. Returns false when the deadline passed.
 */
static bool expire_db(struct db *db, int64_t now, int64_t deadline_us)
{
	for (;;) {
		size_t n = dict_size(&db->expires), sampled = 0, expired = 0;
		int64_t ttl_sum = 0;

		if (n == 0)
			return true;
		if (n > EXPIRE_SAMPLE)
			n = EXPIRE_SAMPLE;
		while (sampled < n) {
			struct dict_entry *e = dict_random(&db->expires);
			sampled++;
			if (e->v.i < now) {
				expire_now(db, e->key, e->klen);
				expired++;
			} else {
				ttl_sum += e->v.i - now;
			}
		}
		/* INFO keyspace's avg_ttl: a running average, as Redis keeps it. */
		if (sampled > expired) {
			int64_t avg = ttl_sum / (int64_t)(sampled - expired);
			db->avg_ttl = db->avg_ttl ? (db->avg_ttl / 50) * 49 + avg / 50 : avg;
		}
		if (mono_us() >= deadline_us)
			return false;
		if (expired * 100 <= sampled * EXPIRE_AGAIN_PCT)
			return true;
	}
}

void db_active_expire(int64_t budget_us)
{
	static int next_db;
	int64_t deadline = mono_us() + budget_us, now = wall_ms();

	/* Each call starts where the last one stopped, so that no db starves the later ones. */
	for (int i = 0; i < KVD_DBNUM; i++) {
		struct db *db = &dbs[next_db];
		next_db = (next_db + 1) % KVD_DBNUM;
		if (!expire_db(db, now, deadline))
			break;
	}
}

void db_rehash_step(int64_t budget_us)
{
	int64_t deadline = mono_us() + budget_us;

	for (int i = 0; i < KVD_DBNUM; i++) {
		int64_t left = deadline - mono_us();
		if (left <= 0)
			return;
		dict_rehash_for(&dbs[i].keys, left);
		left = deadline - mono_us();
		if (left <= 0)
			return;
		dict_rehash_for(&dbs[i].expires, left);
	}
}
