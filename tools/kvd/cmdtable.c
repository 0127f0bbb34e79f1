// SPDX-License-Identifier: MIT
/*
 * cmdtable: every module's commands in one case-insensitive hash table, and the path a command
 * takes to run: lookup, arity, AUTH, MULTI queueing, the call, AOF propagation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#define CMD_SLOTS    1024 /* a power of two, well above the number of commands */
#define CMD_NAME_MAX 32

static const struct kcmd *slots[CMD_SLOTS];
static const struct kcmd **all_cmds;
static size_t n_cmds;

static inline unsigned char lower(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch | 0x20) : ch;
}

/* FNV-1a over the lowercased name: commands are short, so this is a few nanoseconds. */
static inline uint32_t name_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ lower((unsigned char)p[i])) * 16777619u;
	return h;
}

static int add_table(const struct kcmd *t)
{
	for (; t && t->name; t++) {
		size_t n = strlen(t->name);
		uint32_t i = name_hash(t->name, n) & (CMD_SLOTS - 1);
		const struct kcmd **p;

		while (slots[i]) {
			if (strcmp(slots[i]->name, t->name) == 0)
				return -EEXIST;
			i = (i + 1) & (CMD_SLOTS - 1);
		}
		if (n_cmds + 1 >= CMD_SLOTS / 2)
			return -ENOSPC;
		p = realloc(all_cmds, (n_cmds + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		all_cmds = p;
		all_cmds[n_cmds++] = t;
		slots[i] = t;
	}
	return 0;
}

/* Registers every module's table that is linked in (a module still missing is skipped). */
int cmdtable_init(void)
{
	const struct kcmd *tables[] = {kvd_cmds_server, kvd_cmds_keys, kvd_cmds_string, kvd_cmds_list,
				       kvd_cmds_hash,   kvd_cmds_set,  kvd_cmds_zset,   kvd_cmds_aof};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int err = add_table(tables[i]);
		if (err)
			return err;
	}
	return 0;
}

size_t cmdtable_count(void)
{
	return n_cmds;
}

const struct kcmd *cmdtable_at(size_t i)
{
	return i < n_cmds ? all_cmds[i] : NULL;
}

const struct kcmd *kvd_lookup_command(const char *name, size_t n)
{
	uint32_t i;

	if (n == 0 || n > CMD_NAME_MAX)
		return NULL;
	i = name_hash(name, n) & (CMD_SLOTS - 1);
	for (const struct kcmd *k; (k = slots[i]); i = (i + 1) & (CMD_SLOTS - 1)) {
		size_t j;
		for (j = 0; j < n; j++)
			if (lower((unsigned char)name[j]) != (unsigned char)k->name[j])
				break;
		if (j == n && k->name[n] == '\0')
			return k;
	}
	return NULL;
}

/* Appends at most max bytes of p[0, n) as printf's "%.*s" would: stopping at a NUL. */
static size_t cat_cstr(char *out, size_t at, size_t cap, const char *p, size_t n, size_t max)
{
	size_t k = 0;

	while (k < n && k < max && p[k] && at + k < cap)
		k++;
	memcpy(out + at, p, k);
	return at + k;
}

/* Redis 7.0's "unknown command" error, with up to 128 bytes of the arguments. */
static void reply_unknown(struct client *c)
{
	char msg[512];
	size_t at = 0, args_len = 0, cap = sizeof(msg) - 8;

	at = (size_t)snprintf(msg, sizeof(msg), "ERR unknown command '");
	at = cat_cstr(msg, at, cap, c->argv[0].p, c->argv[0].n, 128);
	at += (size_t)snprintf(msg + at, sizeof(msg) - at, "', with args beginning with: ");
	for (int i = 1; i < c->argc && args_len < 128; i++) {
		size_t start = at;
		msg[at++] = '\'';
		at = cat_cstr(msg, at, cap, c->argv[i].p, c->argv[i].n, 128 - args_len);
		msg[at++] = '\'';
		msg[at++] = ' ';
		args_len += at - start;
	}
	for (size_t i = 0; i < at; i++)
		if (msg[i] == '\r' || msg[i] == '\n')
			msg[i] = ' ';
	reply_error_len(c, msg, at);
}

bool cmd_check(struct client *c, const struct kcmd **out)
{
	const struct kcmd *cmd = kvd_lookup_command(c->argv[0].p, c->argv[0].n);

	if (!cmd) {
		reply_unknown(c);
		return false;
	}
	if ((cmd->arity > 0 && c->argc != cmd->arity) || (cmd->arity < 0 && c->argc < -cmd->arity)) {
		reply_errorf(c, "ERR wrong number of arguments for '%s' command", cmd->name);
		return false;
	}
	*out = cmd;
	return true;
}

struct karg *karg_dup_array(int argc, const struct karg *argv)
{
	struct karg *a = calloc((size_t)(argc ? argc : 1), sizeof(*a));

	if (!a)
		return NULL;
	for (int i = 0; i < argc; i++) {
		char *p = malloc(argv[i].n + 1);
		if (!p) {
			karg_free_array(i, a);
			return NULL;
		}
		memcpy(p, argv[i].p, argv[i].n);
		p[argv[i].n] = '\0';
		a[i].p = p;
		a[i].n = argv[i].n;
	}
	return a;
}

void karg_free_array(int argc, struct karg *argv)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free((char *)argv[i].p);
	free(argv);
}

void owned_cmd_set(struct owned_cmd *o, const struct kcmd *cmd, int argc, const struct karg *argv)
{
	o->cmd = cmd;
	o->argv = karg_dup_array(argc, argv);
	o->argc = o->argv ? argc : 0;
}

void owned_cmd_free(struct owned_cmd *o)
{
	karg_free_array(o->argc, o->argv);
	o->argv = NULL;
	o->argc = 0;
	o->cmd = NULL;
}

static void propagate(struct client *c, int argc, const struct karg *argv)
{
	static const struct karg multi = {"MULTI", 5};

	if (!kvd_cfg.appendonly || !aof_feed || (c->flags & CF_AOF_LOADING))
		return;
	/* Commands of a transaction are logged inside MULTI/EXEC, as Redis does, so a replay
	 * applies all of them or (a torn tail) none. */
	if ((c->flags & CF_IN_EXEC) && !srv.exec_multi_fed) {
		aof_feed(c->db->id, 1, &multi);
		srv.exec_multi_fed = true;
	}
	aof_feed(c->db->id, argc, argv);
}

void kvd_dirty(struct client *c, long n)
{
	(void)c;
	srv.cur_dirty += n;
}

void kvd_propagate_as(struct client *c, int argc, const struct karg *argv)
{
	if (!c)
		c = srv.current;
	if (!c)
		return;
	srv.cur_propagated++;
	kvd_stats.dirty++;
	propagate(c, argc, argv);
}

/* Output buffer limits for a slow reader, as Redis's checkClientOutputBufferLimits. */
static void check_obuf_limits(struct client *c)
{
	struct client_core *cc = c->core;
	size_t pending = cc->ob_len - cc->ob_pos;
	bool hard, soft;

	if (c->fd < 0 || (c->flags & CF_CLOSE_ASAP))
		return;
	hard = kvd_cfg.obuf_hard && pending >= (size_t)kvd_cfg.obuf_hard;
	soft = kvd_cfg.obuf_soft && pending >= (size_t)kvd_cfg.obuf_soft;
	if (soft) {
		if (!cc->obuf_soft_since) {
			cc->obuf_soft_since = srv.loop_ms;
			soft = false;
		} else if (srv.loop_ms - cc->obuf_soft_since <= (int64_t)kvd_cfg.obuf_soft_s * 1000) {
			soft = false;
		}
	} else {
		cc->obuf_soft_since = 0;
	}
	if (hard || soft) {
		char peer[64];
		client_peer(c, peer, sizeof(peer), false);
		printf("%d:M # Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output "
		       "buffer limits.\n",
		       (int)getpid(), (unsigned long long)c->id, peer);
		fflush(stdout);
		client_mark_close(c);
	}
}

/* Runs cmd on c and logs it when it changed the keyspace. */
void cmd_call(struct client *c, const struct kcmd *cmd)
{
	struct client *prev = srv.current;
	long prev_dirty = srv.cur_dirty;
	int prev_prop = srv.cur_propagated;

	if (!(c->flags & CF_IN_EXEC))
		srv.cmd_ms = kvd_unix_ms();
	c->cmd = cmd;
	if (c->core)
		c->core->last_cmd = cmd;
	srv.current = c;
	srv.cur_dirty = 0;
	srv.cur_propagated = 0;
	cmd->fn(c);
	kvd_stats.total_commands++;
	if (srv.cur_dirty > 0) {
		kvd_stats.dirty += srv.cur_dirty;
		if ((cmd->flags & KC_WRITE) && !srv.cur_propagated)
			propagate(c, c->argc, c->argv);
	}
	srv.current = prev;
	srv.cur_dirty = prev_dirty;
	srv.cur_propagated = prev_prop;
	if (kvd_cfg.obuf_hard | kvd_cfg.obuf_soft)
		check_obuf_limits(c);
}

static void queue_command(struct client *c, const struct kcmd *cmd)
{
	struct client_extra *x = client_extra(c);
	struct owned_cmd *q;

	if (!x)
		goto oom;
	if (x->mq_len == x->mq_cap) {
		int cap = x->mq_cap ? x->mq_cap * 2 : 8;
		q = realloc(x->mq, (size_t)cap * sizeof(*q));
		if (!q)
			goto oom;
		x->mq = q;
		x->mq_cap = cap;
	}
	q = &x->mq[x->mq_len];
	owned_cmd_set(q, cmd, c->argc, c->argv);
	if (!q->argv)
		goto oom;
	x->mq_len++;
	reply_raw(c, "+QUEUED\r\n", 9);
	return;
oom:
	c->flags |= CF_DIRTY_EXEC;
	reply_error(c, KERR_OOM);
}

/* Refuses the command; inside MULTI, EXEC will then abort (Redis's flagTransaction). */
static void reject(struct client *c, const char *msg)
{
	if (msg)
		reply_error(c, msg);
	if (c->flags & CF_MULTI)
		c->flags |= CF_DIRTY_EXEC;
	srv.stat_numcommands_rejected++;
}

void cmd_process(struct client *c)
{
	const struct kcmd *cmd;

	if (!cmd_check(c, &cmd)) {
		reject(c, NULL);
		return;
	}
	if (kvd_cfg.requirepass && !(c->flags & CF_AUTHENTICATED) && !(cmd->flags & KC_NOAUTH)) {
		reject(c, "NOAUTH Authentication required.");
		return;
	}
	if (c->flags & CF_MULTI) {
		if (cmd->flags & KC_NOMULTI) {
			reject(c, "ERR Command not allowed inside a transaction");
			return;
		}
		if (!(cmd->flags & KC_NOQUEUE)) {
			queue_command(c, cmd);
			return;
		}
	}
	cmd_call(c, cmd);
}

void kvd_call(struct client *c)
{
	cmd_process(c);
}

struct client *kvd_fake_client(void)
{
	static struct client fake;
	static struct client_core core;

	if (!fake.core) {
		fake.core = &core;
		fake.fd = -1;
		fake.resp = 2;
		fake.flags = CF_AOF_LOADING | CF_AUTHENTICATED;
		fake.db = db_get(0);
	}
	return &fake;
}
