/* SPDX-License-Identifier: MIT */
/*
 * kvd: the contract between kvd's parts. The core (server, net, proto, reply, cmdtable, block,
 * multi) runs the event loop, parses requests and calls a command's function with the client;
 * the keyspace (db, object, dict) holds the values; the type modules (t_string, t_list, t_hash,
 * t_set, t_zset, keys) implement the commands; aof persists what changed. Everything runs on the
 * event loop's one thread, except the BGREWRITEAOF child after fork().
 */
#ifndef KVD_H
#define KVD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"

#define KVD_DBNUM 16

/* ---- values ------------------------------------------------------------------------------ */

enum kv_type { KV_STRING, KV_LIST, KV_HASH, KV_SET, KV_ZSET };

/* A binary-safe byte string with its length: hash values, list elements, zset members. */
struct blob {
	size_t len;
	char data[]; /* len bytes, then a NUL (not counted) */
};
struct blob *blob_new(const void *p, size_t n); /* NULL on ENOMEM */
void blob_free(struct blob *b);

struct klist; /* t_list.c: a deque of struct blob * */
struct zset;  /* t_zset.c: a skip list by (score, member) plus a dict member -> score */

/* A value in the keyspace. Owned by the db entry that holds it (db_free_value frees it). */
struct kobj {
	uint8_t type; /* enum kv_type */
	union {
		struct {
			size_t len, cap;
			char *ptr;  /* cap + 1 bytes, NUL-terminated, binary safe */
		} s;                /* KV_STRING */
		struct klist *list; /* KV_LIST */
		struct dict *hash;  /* KV_HASH: field -> v.ptr (struct blob *) */
		struct dict *set;   /* KV_SET: member -> nothing */
		struct zset *zset;  /* KV_ZSET */
	} u;
};
struct kobj *kobj_new_string(const void *p, size_t n); /* NULL on ENOMEM */
struct kobj *kobj_new_list(void);
struct kobj *kobj_new_hash(void);
struct kobj *kobj_new_set(void);
struct kobj *kobj_new_zset(void);
void kobj_free(struct kobj *o);                   /* NULL is fine; frees what the value owns too */
const char *kobj_type_name(const struct kobj *o); /* "string", "list", ... as TYPE says */
/* Elements (LIST), fields (HASH), members (SET, ZSET), or 1 for a string. */
size_t kobj_length(const struct kobj *o);

/*
 * Visits every element of a value for AOF rewrite (and DEBUG): strings once (a = the bytes),
 * lists in order (a = element), hashes (a = field, b = value), sets (a = member), sorted sets in
 * order (a = member, score). Implemented per type in the type's module (list_visit, zset_visit).
 */
typedef void (*kobj_visit_fn)(void *ctx, const char *a, size_t an, const char *b, size_t bn, double score);
void kobj_visit(const struct kobj *o, kobj_visit_fn fn, void *ctx);
void list_visit(const struct klist *l, kobj_visit_fn fn, void *ctx);
void zset_visit(const struct zset *z, kobj_visit_fn fn, void *ctx);
void list_free(struct klist *l);
void zset_free(struct zset *z);
struct klist *list_new(void);
struct zset *zset_new(void);
size_t list_length(const struct klist *l);
size_t zset_length(const struct zset *z);

/* ---- the request ------------------------------------------------------------------------- */

/* One argument of the current command: bytes in the query buffer, or owned copies (MULTI, blocked). */
struct karg {
	const char *p; /* p[n] is readable and is '\0' for owned copies only: use n */
	size_t n;
};

struct db;
struct kcmd;

enum client_flags {
	CF_MULTI = 1u << 0,      /* between MULTI and EXEC: commands are queued */
	CF_DIRTY_CAS = 1u << 1,  /* a WATCHed key changed: EXEC answers null */
	CF_DIRTY_EXEC = 1u << 2, /* a queued command was refused: EXEC answers EXECABORT */
	CF_BLOCKED = 1u << 3,    /* waiting in BLPOP and friends */
	CF_REEXEC = 1u << 4,     /* a blocked command run again because a key it waits on is ready */
	CF_CLOSE_AFTER_REPLY = 1u << 5,
	CF_CLOSE_ASAP = 1u << 6,    /* output limit, protocol error: closed in the before-sleep step */
	CF_AUTHENTICATED = 1u << 7, /* or no --requirepass */
	CF_IN_EXEC = 1u << 8,       /* running EXEC's queue */
	CF_AOF_LOADING = 1u << 9,   /* the fake client that replays the AOF: replies are dropped */
};

struct client {
	int fd;            /* -1 for the AOF's fake client */
	uint64_t id;       /* CLIENT ID */
	uint32_t flags;    /* enum client_flags */
	int resp;          /* 2 or 3 (HELLO) */
	struct db *db;     /* SELECT */
	int argc;          /* the current command */
	struct karg *argv; /* argc entries, valid while the command runs */
	const struct kcmd *cmd;
	/* The rest is the core's: buffers, names, times, MULTI queue, blocking state. */
	struct client_core *core;
};

/* ---- the command table ------------------------------------------------------------------- */

enum kcmd_flags {
	KC_WRITE = 1u << 0, /* may change the keyspace: propagated to the AOF when it does */
	KC_READONLY = 1u << 1,
	KC_DENYOOM = 1u << 2,
	KC_FAST = 1u << 3,
	KC_NOAUTH = 1u << 4,   /* allowed before AUTH: AUTH, HELLO, QUIT */
	KC_NOQUEUE = 1u << 5,  /* run even inside MULTI: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET */
	KC_BLOCKING = 1u << 6, /* may block the client */
	KC_NOMULTI = 1u << 7,  /* refused inside MULTI (WATCH: "ERR WATCH inside MULTI is not allowed") */
	KC_LOADING = 1u << 8,
	KC_STALE = 1u << 9,
};

struct kcmd {
	const char *name; /* lowercase */
	int arity;        /* Redis's meaning: n exactly n arguments (name counted), -n at least n */
	uint32_t flags;   /* enum kcmd_flags */
	int first_key, last_key, key_step; /* COMMAND INFO's key positions (last -1: to the end) */
	void (*fn)(struct client *c);
	const char *group;   /* COMMAND DOCS: "string", "list", "hash", "set", "sorted-set", ... */
	const char *summary; /* COMMAND DOCS: one line */
};

/* Each module's commands, ended by an entry with name NULL; cmdtable.c registers them all. */
extern const struct kcmd kvd_cmds_server[]; /* server.c, conn.c: PING ... MULTI EXEC */
extern const struct kcmd kvd_cmds_keys[];   /* keys.c */
extern const struct kcmd kvd_cmds_string[]; /* t_string.c */
extern const struct kcmd kvd_cmds_list[];   /* t_list.c */
extern const struct kcmd kvd_cmds_hash[];   /* t_hash.c */
extern const struct kcmd kvd_cmds_set[];    /* t_set.c */
extern const struct kcmd kvd_cmds_zset[];   /* t_zset.c */
extern const struct kcmd kvd_cmds_aof[];    /* aof.c: BGREWRITEAOF */

/* ---- replies (reply.c) ------------------------------------------------------------------- */
/*
 * Appended to the client's output buffer and written before the loop sleeps. Each builds one RESP
 * value in the client's protocol (2 or 3). Replies to the AOF's fake client are dropped.
 */
void reply_ok(struct client *c);                     /* +OK */
void reply_simple(struct client *c, const char *s);  /* +s */
void reply_error(struct client *c, const char *msg); /* -msg; msg starts with its code: "ERR ..." */
void reply_errorf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct client *c, long long v);              /* :v */
void reply_bulk(struct client *c, const void *p, size_t n); /* $n bytes */
void reply_bulk_cstr(struct client *c, const char *s);
void reply_bulk_ll(struct client *c, long long v); /* a number as a bulk string */
void reply_double(struct client *c, double d);     /* RESP3 ",d"; RESP2 a bulk string, as Redis prints it */
void reply_null(struct client *c);                 /* RESP2 "$-1"; RESP3 "_" */
void reply_null_array(struct client *c);           /* RESP2 "*-1"; RESP3 "_" */
void reply_bool(struct client *c, bool b);         /* RESP3 "#t"/"#f"; RESP2 :1/:0 */
void reply_array(struct client *c, long n);        /* "*n", then n values */
void reply_map(struct client *c, long n);          /* RESP3 "%n"; RESP2 "*2n", then 2n values */
void reply_set(struct client *c, long n);          /* RESP3 "~n"; RESP2 "*n" */
void reply_verbatim(struct client *c, const char *p, size_t n); /* RESP3 "=n txt:..."; RESP2 bulk */
/* A length not known yet: a handle, then reply_set_deferred_* once the values are appended. */
void *reply_defer(struct client *c);
void reply_set_deferred_array(struct client *c, void *handle, long n);
void reply_set_deferred_map(struct client *c, void *handle, long n); /* n pairs */
void reply_set_deferred_set(struct client *c, void *handle, long n);

/* Redis's error strings, shared so that every module says them the same way. */
#define KERR_WRONGTYPE   "WRONGTYPE Operation against a key holding the wrong kind of value"
#define KERR_NOT_INT     "ERR value is not an integer or out of range"
#define KERR_NOT_FLOAT   "ERR value is not a valid float"
#define KERR_SYNTAX      "ERR syntax error"
#define KERR_OVERFLOW    "ERR increment or decrement would overflow"
#define KERR_NO_KEY      "ERR no such key"
#define KERR_OUT_RANGE   "ERR index out of range"
#define KERR_NOT_POS     "ERR value is out of range, must be positive"
#define KERR_OOM         "OOM command not allowed when used memory > 'maxmemory'."
#define KERR_TIMEOUT     "ERR timeout is not a float or out of range"
#define KERR_TIMEOUT_NEG "ERR timeout is negative"

/* Argument parsing as Redis does it (string2ll / strtold rules): true, or false after replying. */
bool arg_ll(struct client *c, const struct karg *a, long long *v); /* KERR_NOT_INT */
/*
 * Clamps start..end (negative: from the end) to a sequence of len as LRANGE, LTRIM, ZRANGE and
 * ZREMRANGEBYRANK do: the first and last index in *from, *to; false when the range is empty.
 */
bool kvd_clamp_range(long long start, long long end, size_t len, size_t *from, size_t *to);
bool arg_double(struct client *c, const struct karg *a,
		double *v);                             /* KERR_NOT_FLOAT; "inf" ok, nan refused */
bool arg_eq(const struct karg *a, const char *word);    /* case-insensitive */
bool str_to_ll(const char *p, size_t n, long long *v);  /* no reply: exact Redis string2ll */
bool str_to_double(const char *p, size_t n, double *v); /* no reply */
/* Formats d as Redis does for replies and INCRBYFLOAT (%.17g; "inf", "-inf"). Returns the length. */
int fmt_double(char *buf, size_t len, double d);
int fmt_long_double(char *buf, size_t len, long double d); /* INCRBYFLOAT, HINCRBYFLOAT (%.17Lf trimmed) */
/* INCRBYFLOAT, HINCRBYFLOAT: v + incr formatted into buf, its length; -1 after the error reply
 * when the sum is NaN or infinite. */
int add_long_double(struct client *c, long double v, long double incr, char *buf, size_t len);

/* ---- the keyspace (db.c) ----------------------------------------------------------------- */

struct db {
	int id;
	struct dict keys;    /* key -> v.ptr (struct kobj *) */
	struct dict expires; /* key -> v.i, the absolute expiry in unix milliseconds */
	int64_t avg_ttl;
};

/* The time commands see: fixed for the duration of one command (Redis's cached mstime). */
int64_t kvd_now_ms(void);

/*
 * Lookup, expiring the key first when its time has passed (a DEL is propagated to the AOF).
 * NULL when absent. lookup_read counts keyspace hits and misses; lookup_write does not.
 */
struct kobj *db_lookup_read(struct db *db, const struct karg *key);
struct kobj *db_lookup_write(struct db *db, const struct karg *key);
/*
 * Typed lookups for commands: the value, or NULL when absent (*wrong false) or of another type
 * (*wrong true, KERR_WRONGTYPE already replied).
 */
struct kobj *db_read_typed(struct client *c, const struct karg *key, int type, bool *wrong);
struct kobj *db_write_typed(struct client *c, const struct karg *key, int type, bool *wrong);
/* Adds key (absent: the caller checked) with value o (owned by the db from here). 0 or -ENOMEM. */
int db_add(struct db *db, const struct karg *key, struct kobj *o);
/* Sets key to o, replacing and freeing any old value; the TTL is removed unless keep_ttl. */
int db_set(struct db *db, const struct karg *key, struct kobj *o, bool keep_ttl);
/* Deletes key (value and TTL). True when it existed. */
bool db_delete(struct db *db, const struct karg *key);
int64_t db_get_expire(struct db *db, const struct karg *key); /* unix ms, or -1 */
void db_set_expire(struct db *db, const struct karg *key, int64_t when_ms);
bool db_remove_expire(struct db *db, const struct karg *key);
/* Every key of db, or of every db: freed values, removed TTLs; watched keys touched. */
void db_flush(struct db *db);
struct db *db_get(int id); /* 0 <= id < KVD_DBNUM */
/*
 * After a command changed key: WATCH sees it (signalModifiedKey), and a list or sorted set that
 * got elements wakes the clients blocked on it (signalKeyAsReady). Every writing command calls
 * db_touch for each key it changed; db_set/db_add/db_delete already do it.
 */
void db_touch(struct db *db, const struct karg *key);
/*
 * After a command removed elements of o, the value at key: deletes the key when o is left empty
 * (an empty container is no key, as in Redis), else marks it changed for WATCH.
 */
void db_drop_if_empty(struct db *db, const struct karg *key, const struct kobj *o);
/*
 * HDEL and SREM: removes the fields or members argv[2..] of the hash or set (type) at argv[1],
 * freeing each value with free_val (may be NULL); replies how many were there.
 */
void db_remove_members(struct client *c, int type, void (*free_val)(union dict_val *v));
/* The core's side of db_touch and db_flush (multi.c, block.c). */
void multi_touch_key(struct db *db, const struct karg *key);
void multi_touch_db(struct db *db); /* FLUSHDB, FLUSHALL: every watched key of db is dirty */
void block_key_ready(struct db *db, const struct karg *key);

/* keys.c: Redis's glob match (stringmatchlen) and the SCAN family's arguments. */
bool glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool nocase);
struct scan_args {
	uint64_t cursor;
	const char *match; /* NULL: every element */
	size_t matchlen;
	long count; /* COUNT, 10 by default */
	int type;   /* SCAN's TYPE: an enum kv_type, or -1 for any */
};
/* Parses the cursor at argv[cursor_idx] and the options after it; false after replying an error. */
bool scan_parse(struct client *c, int cursor_idx, bool allow_type, struct scan_args *a);
/*
 * HSCAN and SSCAN's first steps, in Redis's order: the cursor, then the key, then the options. The
 * value at argv[1] (of type) with *a parsed, or NULL when the reply is made: an error, or the
 * empty scan of a missing key.
 */
struct kobj *scan_lookup(struct client *c, int type, struct scan_args *a);

/*
 * keys.c: the reply of HSCAN and SSCAN (and ZSCAN if it likes): [next cursor, elements] from one
 * dict_scan pass over d as SCAN does it (COUNT buckets' worth, MATCH on the key). vals: 0 keys
 * only (SSCAN), 1 key then its v.ptr blob (HSCAN), 2 key then its v.d score (ZSCAN).
 */
void scan_dict_reply(struct client *c, struct dict *d, const struct scan_args *a, int vals);
/*
 * object.c: count distinct random entries of d (count < dict_size(d)) into out, for HRANDFIELD,
 * SRANDMEMBER and SPOP with a positive count. Returns how many (count, or fewer on ENOMEM).
 */
size_t dict_random_unique(struct dict *d, size_t count, struct dict_entry **out);
/* t_string.c: Redis's string2ld (INCRBYFLOAT, HINCRBYFLOAT): strtold on all n bytes, no NaN. */
bool str_to_long_double(const char *p, size_t n, long double *v);

/* The active expiry cycle, bounded in time; called by the server's cron. */
void db_active_expire(int64_t budget_us);
/* Incremental rehash of every db's dicts in idle time; called by the server's cron. */
void db_rehash_step(int64_t budget_us);

/* ---- the server core --------------------------------------------------------------------- */

/*
 * Counts a change to the keyspace: the core propagates the current command to the AOF when a
 * write command called it at least once. A command that must be logged differently (relative TTL
 * to absolute, SPOP to SREM, a blocking pop to its plain form, INCRBYFLOAT to SET KEEPTTL) calls
 * kvd_propagate_as instead, once per command it wants logged, and then kvd_dirty is not needed.
 */
void kvd_dirty(struct client *c, long n);
void kvd_propagate_as(struct client *c, int argc, const struct karg *argv);

/*
 * Blocks c (a BLPOP-like command found nothing): the core keeps a copy of the command and runs
 * it again (with CF_REEXEC set) when one of keys is touched, or replies null array at timeout_ms
 * (unix ms; 0: forever). Inside MULTI or EXEC the command must not block: it replies null array
 * at once instead (the core checks c->flags & CF_IN_EXEC for the caller: use kvd_may_block).
 */
void kvd_block(struct client *c, int nkeys, const struct karg *keys, int64_t timeout_ms);
bool kvd_may_block(const struct client *c);

/*
 * Runs the command in c->argc/argv on c: lookup (case-insensitive), arity, then the function;
 * errors become error replies. The AOF loader runs every logged command through it on its fake
 * client (kvd_fake_client: fd -1, CF_AOF_LOADING, replies dropped, db 0).
 */
void kvd_call(struct client *c);
struct client *kvd_fake_client(void);
const struct kcmd *kvd_lookup_command(const char *name, size_t n);

/* The server's configuration and counters, read by INFO, CONFIG and the modules. */
struct kvd_config {
	int port;
	char bind[64];
	char unixsocket[108];
	int maxclients;
	char *requirepass;                   /* NULL: none */
	int timeout_s;                       /* idle clients, 0: never */
	long long proto_max_bulk_len;        /* 512 MB */
	long long client_query_buffer_limit; /* 1 GB */
	long long obuf_hard, obuf_soft;      /* client-output-buffer-limit normal: 0 0 0 as Redis's default */
	int obuf_soft_s;
	bool appendonly;
	int appendfsync; /* 0 no, 1 everysec, 2 always */
	char dir[4096];
	char appendfilename[256];
	int hz;
	int busy_poll_us;     /* poll this long before the loop sleeps, 0: never (evloop_set_busy_poll) */
	bool daemonize_never; /* kvd never daemonizes; for CONFIG GET daemonize */
};
extern struct kvd_config kvd_cfg;

struct kvd_stats {
	long long total_connections, total_commands, rejected_connections;
	long long keyspace_hits, keyspace_misses, expired_keys;
	long long net_input_bytes, net_output_bytes;
	long long dirty; /* changes since the last AOF rewrite */
	int64_t start_ms;
};
extern struct kvd_stats kvd_stats;

/* ---- AOF (aof.c) ------------------------------------------------------------------------- */

/* Loads the AOF at start (before the listener opens): 0, or -errno with why (kvd exits). */
int aof_load(char *err, size_t len);
/* Opens the AOF for appending; 0 or -errno. */
int aof_open(char *err, size_t len);
/* Appends one command in RESP to the AOF buffer (db switches as SELECT). */
void aof_feed(int dbid, int argc, const struct karg *argv);
/*
 * The before-sleep step: writes the AOF buffer; with appendfsync always, fsyncs it and only then
 * may the replies of the commands it covers be written (the core calls this first, then writes
 * replies). everysec: fsync at most once a second, in the background.
 */
int aof_flush_before_sleep(void);
void aof_cron(void);                  /* rewrite child reaping, everysec fsync */
void aof_info(char *buf, size_t len); /* INFO persistence lines */

#endif
