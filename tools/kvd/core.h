/* SPDX-License-Identifier: MIT */
/*
 * core: what kvd's core files (server, net, proto, reply, cmdtable, conn, block) share and the
 * other modules do not see: a client's buffers and lists, the loop, the per-command state.
 */
#ifndef KVD_CORE_H
#define KVD_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syslab/evloop.h"
#include "kvd.h"

#define KVD_VERSION_COMPAT "7.0.15"      /* the redis_version clients see */
#define KVD_IOBUF_LEN      (16 * 1024)   /* one read (Redis's PROTO_IOBUF_LEN) */
#define KVD_INLINE_MAX     (64 * 1024)   /* inline request and count lines (PROTO_INLINE_MAX_SIZE) */
#define KVD_BIG_ARG        (32 * 1024)   /* a bulk this big is read straight into its place */
#define KVD_OBUF_INIT      1024          /* first reply buffer: small, most replies are */
#define KVD_MAX_WRITE      (1024 * 1024) /* bytes written to one client per iteration */
#define KVD_MAX_CMDS_READ  1024          /* commands run per read before the next client's turn */

/* Core-only client flags (client_core.cflags). */
enum core_flags {
	CC_PENDING_WRITE = 1u << 0, /* on the pending-write list */
	CC_PENDING_INPUT = 1u << 1, /* has whole commands left in its query buffer */
	CC_WRITE_ARMED = 1u << 2,   /* EPOLLOUT is on: the socket was full */
	CC_UNIX = 1u << 3,          /* accepted on the unix socket */
	CC_READY = 1u << 4,         /* blocked and queued to run again this iteration */
	CC_PROTO_ERR = 1u << 5,     /* a protocol error: nothing more is read or run */
};

/* A list link: clients sit on a few intrusive lists (all, pending write, pending input, blocked). */
struct clink {
	struct client *prev, *next;
};
struct clist {
	struct client *head, *tail;
	long len;
};

/* An owned command: MULTI's queue, a blocked command. */
struct owned_cmd {
	const struct kcmd *cmd;
	int argc;
	struct karg *argv; /* argv[i].p are separate allocations, each NUL-terminated */
};

struct watched_key {
	struct db *db;
	struct karg key; /* owned */
};

/* What only MULTI, WATCH, blocking, names use: allocated on first need, so an idle client is small. */
struct client_extra {
	char *name, *lib_name, *lib_ver;
	struct owned_cmd *mq; /* MULTI's queue */
	int mq_len, mq_cap;
	struct watched_key *wk;
	int wk_len, wk_cap;
	/* Blocking: the command (owned), the keys, the deadline. */
	struct owned_cmd bcmd;
	struct karg *bkeys; /* owned */
	int bnkeys;
	int64_t btimeout_ms; /* unix ms, 0: forever */
};

struct client_core {
	/*
	 * The query buffer holds only what one read could not finish: the start of an incomplete
	 * command and what follows. Whole commands run straight from the shared read buffer.
	 */
	char *qb;
	size_t qb_len, qb_cap, qb_pos; /* qb_pos: bytes already run */
	long long mb_left;             /* multibulk arguments still to come, 0: between commands */
	long long bulk_len;            /* the current bulk's length, -1: its header not read yet */
	size_t arg_pos;                /* where the next unread header is, from the command start */
	int mb_args;                   /* arguments complete so far */
	/* The reply buffer: [ob_pos, ob_len) is still to be written. */
	char *ob;
	size_t ob_len, ob_pos, ob_cap;
	int64_t obuf_soft_since; /* ms when the soft limit was first passed, 0: under it */
	int64_t ctime_ms, last_ms;
	uint32_t cflags; /* enum core_flags */
	int bad_len;     /* protocol error kept until the reply went out */
	struct clink all, pw, pin;
	struct clink blink, rlink;   /* the blocked list, the ready list */
	const struct kcmd *last_cmd; /* CLIENT LIST's cmd= */
	struct client_extra *x;
};

/* The shared state of the core. */
struct kvd_server {
	struct evloop *loop;
	int tcp_fd, unix_fd;
	int reserve_fd; /* /dev/null, given up to accept and close one client when out of fds */
	struct client **by_fd;
	int by_fd_size;
	struct clist all, pending_write, pending_input, blocked, ready;
	long long next_client_id;
	int64_t cmd_ms;         /* kvd_now_ms of the command that runs */
	int64_t loop_ms;        /* unix ms at the last iteration's start */
	struct client *current; /* the client whose command runs */
	long cur_dirty;         /* kvd_dirty of the current command */
	int cur_propagated;     /* kvd_propagate_as calls of the current command */
	bool exec_multi_fed;    /* EXEC already logged its MULTI */
	long long watched_keys; /* WATCH registrations alive (0: touching is free) */
	long long blocked_clients;
	long long cron_timer;
	long long block_timer;
	int64_t block_timer_when;
	size_t cron_cursor;
	bool shutdown;
	long long stat_numcommands_rejected, stat_expired_clients;
};
extern struct kvd_server srv;

/* list.c-like helpers for the intrusive lists (server.c). */
#define CLINK(c, member) (&(c)->core->member)
void clist_push(struct clist *l, struct client *c, size_t off);
void clist_remove(struct clist *l, struct client *c, size_t off);
#define CL_ALL offsetof(struct client_core, all)
#define CL_PW  offsetof(struct client_core, pw)
#define CL_PIN offsetof(struct client_core, pin)
#define CL_BLK offsetof(struct client_core, blink)
#define CL_RDY offsetof(struct client_core, rlink)

/* block.c: a key -> clients registry, in the order they came (blocked keys, WATCHed keys). */
struct cvec {
	struct client **v;
	int n, cap;
};
int keyreg_add(struct dict *d, const struct karg *key, struct client *c); /* 0, 1 already, -ENOMEM */
void keyreg_del(struct dict *d, const struct karg *key, struct client *c);
struct cvec *keyreg_get(struct dict *d, const struct karg *key);

/* server.c */
void kvd_log(char level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t kvd_unix_ms(void);
void server_before_sleep(struct evloop *l, void *arg);
int server_start_cron(void);
struct client_extra *client_extra(struct client *c); /* NULL on ENOMEM */
void client_mark_close(struct client *c);            /* closed in the before-sleep step */

/* main.c: a size with Redis's units (1k = 1000, 1kb = 1024, m, mb, g, gb). */
bool kvd_parse_size(const char *s, size_t n, long long *out);
/* main.c, for the command line and CONFIG SET alike: */
#define KVD_BUSY_POLL_MAX 1000000            /* --busy-poll's microseconds at most */
extern const char *const kvd_fsync_names[3]; /* by appendfsync's value: no, everysec, always */
int kvd_parse_fsync(const char *s);          /* a name of kvd_fsync_names (any case): its value, else -1 */
/* client-output-buffer-limit's "HARD SOFT SECS" (sizes with units, none negative, SECS up to 1e9). */
bool kvd_parse_obuf(const char *s, long long *hard, long long *soft, int *secs);

/* net.c */
int net_listen(char *err, size_t len);
struct client *client_new(int fd, bool unix_sock);
void client_free(struct client *c);
void client_read(struct client *c);
void client_queue_write(struct client *c);
int client_write(struct client *c); /* 0 kept, -1 freed */
void client_peer(const struct client *c, char *buf, size_t len, bool local);

/* proto.c: runs whole commands in the query data; false when the client was closed. */
bool proto_process(struct client *c, char *buf, size_t len, bool shared);
void proto_process_pending(struct client *c);

/* cmdtable.c */
int cmdtable_init(void);
void cmd_process(struct client *c); /* the network path: checks, MULTI queueing, call */
void cmd_call(struct client *c, const struct kcmd *cmd);
bool cmd_check(struct client *c, const struct kcmd **out); /* lookup + arity; false after reply */
size_t cmdtable_count(void);
const struct kcmd *cmdtable_at(size_t i);
void owned_cmd_set(struct owned_cmd *o, const struct kcmd *cmd, int argc, const struct karg *argv);
void owned_cmd_free(struct owned_cmd *o);
struct karg *karg_dup_array(int argc, const struct karg *argv); /* NULL on ENOMEM */
void karg_free_array(int argc, struct karg *argv);

/* conn.c */
void multi_client_free(struct client *c); /* UNWATCH + DISCARD for a closing client */
void conn_info(struct client *c, const char *section);

/* block.c */
void block_run_ready(void);
void block_client_free(struct client *c);
void block_unblock(struct client *c); /* forgets the keys and the command */

/* reply.c */
void reply_raw(struct client *c, const char *p, size_t n);
void reply_error_len(struct client *c, const char *p, size_t n);

/* Weak references to the modules written beside the core: absent ones are skipped. */
#define KVD_WEAK __attribute__((weak))
extern const struct kcmd kvd_cmds_keys[] KVD_WEAK;
extern const struct kcmd kvd_cmds_string[] KVD_WEAK;
extern const struct kcmd kvd_cmds_list[] KVD_WEAK;
extern const struct kcmd kvd_cmds_hash[] KVD_WEAK;
extern const struct kcmd kvd_cmds_set[] KVD_WEAK;
extern const struct kcmd kvd_cmds_zset[] KVD_WEAK;
extern const struct kcmd kvd_cmds_aof[] KVD_WEAK;
int aof_load(char *err, size_t len) KVD_WEAK;
int aof_open(char *err, size_t len) KVD_WEAK;
void aof_feed(int dbid, int argc, const struct karg *argv) KVD_WEAK;
int aof_flush_before_sleep(void) KVD_WEAK;
void aof_cron(void) KVD_WEAK;
void aof_info(char *buf, size_t len) KVD_WEAK;

#endif
