// SPDX-License-Identifier: MIT
/*
 * conn: the connection and server commands (PING ... CONFIG, INFO, COMMAND) and transactions
 * (MULTI, EXEC, DISCARD, WATCH), with the replies and errors of Redis 7.0.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

bool glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool nocase) KVD_WEAK;

static bool pattern_match(const char *pat, size_t plen, const char *s)
{
	char p[256];

	if (glob_match)
		return glob_match(pat, plen, s, strlen(s), true);
	if (plen >= sizeof(p))
		return false;
	memcpy(p, pat, plen);
	p[plen] = '\0';
	return fnmatch(p, s, FNM_CASEFOLD) == 0;
}

static void reply_unknown_sub(struct client *c, const char *cmd)
{
	reply_errorf(c, "ERR unknown subcommand '%.*s'. Try %s HELP.",
		     (int)(c->argv[1].n > 128 ? 128 : c->argv[1].n), c->argv[1].p, cmd);
}

static void reply_sub_arity(struct client *c, const char *full)
{
	reply_errorf(c, "ERR wrong number of arguments for '%s' command", full);
}

/* ---- connection -------------------------------------------------------------------------- */

static void cmd_ping(struct client *c)
{
	if (c->argc > 2) {
		reply_sub_arity(c, "ping");
		return;
	}
	if (c->argc == 2)
		reply_bulk(c, c->argv[1].p, c->argv[1].n);
	else
		reply_raw(c, "+PONG\r\n", 7);
}

static void cmd_echo(struct client *c)
{
	reply_bulk(c, c->argv[1].p, c->argv[1].n);
}

static void cmd_quit(struct client *c)
{
	reply_ok(c);
	c->flags |= CF_CLOSE_AFTER_REPLY;
}

static bool password_ok(const struct karg *user, const struct karg *pass)
{
	if (user && !arg_eq(user, "default"))
		return false;
	if (!kvd_cfg.requirepass)
		return true; /* the default user has nopass */
	return pass->n == strlen(kvd_cfg.requirepass) && memcmp(pass->p, kvd_cfg.requirepass, pass->n) == 0;
}

#define WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."

static void cmd_auth(struct client *c)
{
	const struct karg *user = NULL, *pass = &c->argv[1];

	if (c->argc > 3) {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	if (c->argc == 2 && !kvd_cfg.requirepass) {
		reply_error(
			c, "ERR AUTH <password> called without any password configured for the default user. "
			   "Are you sure your configuration is correct?");
		return;
	}
	if (c->argc == 3) {
		user = &c->argv[1];
		pass = &c->argv[2];
	}
	if (!password_ok(user, pass)) {
		reply_error(c, WRONGPASS);
		return;
	}
	c->flags |= CF_AUTHENTICATED;
	reply_ok(c);
}

/* Redis's validateClientName: no spaces, newlines or other special characters. */
static bool name_ok(const struct karg *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->p[i] < '!' || a->p[i] > '~')
			return false;
	return true;
}

static void set_name(struct client *c, const struct karg *a)
{
	struct client_extra *x = client_extra(c);

	if (!x)
		return;
	free(x->name);
	x->name = a->n ? strndup(a->p, a->n) : NULL;
}

static void cmd_hello(struct client *c)
{
	const struct karg *user = NULL, *pass = NULL, *name = NULL;
	long long ver = 0;
	int j = 1;

	if (c->argc >= 2) {
		if (!str_to_ll(c->argv[1].p, c->argv[1].n, &ver)) {
			reply_error(c, "ERR Protocol version is not an integer or out of range");
			return;
		}
		j = 2;
		if (ver < 2 || ver > 3) {
			reply_error(c, "NOPROTO unsupported protocol version");
			return;
		}
	}
	for (; j < c->argc; j++) {
		int more = c->argc - 1 - j;
		if (arg_eq(&c->argv[j], "AUTH") && more >= 2) {
			user = &c->argv[j + 1];
			pass = &c->argv[j + 2];
			j += 2;
		} else if (arg_eq(&c->argv[j], "SETNAME") && more) {
			name = &c->argv[j + 1];
			if (!name_ok(name)) {
				reply_error(c, "ERR Client names cannot contain spaces, newlines or special "
					       "characters.");
				return;
			}
			j++;
		} else {
			reply_errorf(c, "ERR Syntax error in HELLO option '%.*s'", (int)c->argv[j].n,
				     c->argv[j].p);
			return;
		}
	}
	if (user) {
		if (!password_ok(user, pass)) {
			reply_error(c, WRONGPASS);
			return;
		}
		c->flags |= CF_AUTHENTICATED;
	}
	if (!(c->flags & CF_AUTHENTICATED)) {
		reply_error(
			c,
			"NOAUTH HELLO must be called with the client already authenticated, otherwise the "
			"HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
			"select the RESP protocol version at the same time");
		return;
	}
	if (name)
		set_name(c, name);
	if (ver)
		c->resp = (int)ver;
	reply_map(c, 7);
	reply_bulk_cstr(c, "server");
	reply_bulk_cstr(c, "redis");
	reply_bulk_cstr(c, "version");
	reply_bulk_cstr(c, KVD_VERSION_COMPAT);
	reply_bulk_cstr(c, "proto");
	reply_int(c, c->resp);
	reply_bulk_cstr(c, "id");
	reply_int(c, (long long)c->id);
	reply_bulk_cstr(c, "mode");
	reply_bulk_cstr(c, "standalone");
	reply_bulk_cstr(c, "role");
	reply_bulk_cstr(c, "master");
	reply_bulk_cstr(c, "modules");
	reply_array(c, 0);
}

static void discard(struct client *c);
static void unwatch_all(struct client *c);

static void cmd_reset(struct client *c)
{
	if (c->flags & CF_MULTI)
		discard(c);
	unwatch_all(c);
	c->resp = 2;
	c->db = db_get(0);
	if (c->core->x) {
		free(c->core->x->name);
		c->core->x->name = NULL;
	}
	if (kvd_cfg.requirepass)
		c->flags &= ~CF_AUTHENTICATED;
	reply_simple(c, "RESET");
}

static void cmd_select(struct client *c)
{
	long long id;

	if (!arg_ll(c, &c->argv[1], &id))
		return;
	if (id < 0 || id >= KVD_DBNUM) {
		reply_error(c, "ERR DB index is out of range");
		return;
	}
	c->db = db_get((int)id);
	reply_ok(c);
}

/* ---- CLIENT ------------------------------------------------------------------------------ */

static size_t client_info(struct client *c, char *buf, size_t len)
{
	struct client_core *cc = c->core;
	struct client_extra *x = cc->x;
	char addr[128], laddr[128], flags[8], *f = flags;
	int64_t now = kvd_unix_ms();

	client_peer(c, addr, sizeof(addr), false);
	client_peer(c, laddr, sizeof(laddr), true);
	if (c->flags & CF_MULTI)
		*f++ = 'x';
	if (c->flags & CF_BLOCKED)
		*f++ = 'b';
	if (c->flags & CF_DIRTY_CAS)
		*f++ = 'd';
	if (c->flags & CF_CLOSE_AFTER_REPLY)
		*f++ = 'c';
	if (f == flags)
		*f++ = 'N';
	*f = '\0';
	return (size_t)snprintf(
		buf, len,
		"id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=0 psub=0 "
		"ssub=0 "
		"multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=0 obl=%zu oll=0 omem=0 "
		"tot-mem=%zu events=r%s cmd=%s user=default lib-name=%s lib-ver=%s redir=-1 resp=%d\n",
		(unsigned long long)c->id, addr, laddr, c->fd, x && x->name ? x->name : "",
		(long long)(now - cc->ctime_ms) / 1000, (long long)(now - cc->last_ms) / 1000, flags,
		c->db->id, (c->flags & CF_MULTI) && x ? x->mq_len : -1, cc->qb_len - cc->qb_pos,
		cc->qb_cap - cc->qb_len, cc->ob_cap, cc->ob_len - cc->ob_pos,
		sizeof(*c) + sizeof(*cc) + cc->qb_cap + cc->ob_cap, (cc->cflags & CC_WRITE_ARMED) ? "w" : "",
		cc->last_cmd ? cc->last_cmd->name : "NULL", x && x->lib_name ? x->lib_name : "",
		x && x->lib_ver ? x->lib_ver : "", c->resp);
}

static void client_list(struct client *c)
{
	size_t cap = 4096, len = 0;
	char *out = malloc(cap), line[1024];

	if (!out) {
		reply_error(c, KERR_OOM);
		return;
	}
	for (struct client *o = srv.all.head; o; o = o->core->all.next) {
		size_t n = client_info(o, line, sizeof(line));
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		if (len + n > cap) {
			char *p = realloc(out, cap * 2 + n);
			if (!p)
				break;
			out = p;
			cap = cap * 2 + n;
		}
		memcpy(out + len, line, n);
		len += n;
	}
	reply_verbatim(c, out, len);
	free(out);
}

static void client_kill(struct client *c)
{
	long long n = 0, id = -1;
	const char *addr = NULL;
	size_t alen = 0;

	if (c->argc == 3) {
		addr = c->argv[2].p;
		alen = c->argv[2].n;
	} else if (c->argc == 4 && arg_eq(&c->argv[2], "ID")) {
		if (!str_to_ll(c->argv[3].p, c->argv[3].n, &id)) {
			reply_error(c, "ERR client-id should be greater than 0");
			return;
		}
	} else if (c->argc == 4 && arg_eq(&c->argv[2], "ADDR")) {
		addr = c->argv[3].p;
		alen = c->argv[3].n;
	} else {
		reply_error(c, KERR_SYNTAX);
		return;
	}
	for (struct client *o = srv.all.head; o; o = o->core->all.next) {
		char peer[128];
		if (id >= 0 && o->id != (uint64_t)id)
			continue;
		if (addr) {
			client_peer(o, peer, sizeof(peer), false);
			if (strlen(peer) != alen || memcmp(peer, addr, alen) != 0)
				continue;
		}
		/* Itself: after this reply, as Redis. */
		if (o == c)
			c->flags |= CF_CLOSE_AFTER_REPLY;
		else
			client_mark_close(o);
		n++;
	}
	if (c->argc == 3) {
		if (n)
			reply_ok(c);
		else
			reply_error(c, "ERR No such client");
	} else {
		reply_int(c, n);
	}
}

static void client_setinfo(struct client *c)
{
	struct client_extra *x;
	char **slot;

	if (arg_eq(&c->argv[2], "lib-name")) {
		if (!name_ok(&c->argv[3])) {
			reply_error(c, "ERR lib-name cannot contain spaces, newlines or special characters.");
			return;
		}
	} else if (arg_eq(&c->argv[2], "lib-ver")) {
		if (!name_ok(&c->argv[3])) {
			reply_error(c, "ERR lib-ver cannot contain spaces, newlines or special characters.");
			return;
		}
	} else {
		reply_errorf(c, "ERR Unrecognized option '%.*s'", (int)c->argv[2].n, c->argv[2].p);
		return;
	}
	x = client_extra(c);
	if (!x) {
		reply_error(c, KERR_OOM);
		return;
	}
	slot = arg_eq(&c->argv[2], "lib-name") ? &x->lib_name : &x->lib_ver;
	free(*slot);
	*slot = c->argv[3].n ? strndup(c->argv[3].p, c->argv[3].n) : NULL;
	reply_ok(c);
}

struct subcmd {
	const char *name, *full;
	int arity;
};

/* A subcommand's arity check, as Redis 7 does with its subcommand table. */
static bool sub_arity(struct client *c, const struct subcmd *s)
{
	if ((s->arity > 0 && c->argc != s->arity) || (s->arity < 0 && c->argc < -s->arity)) {
		reply_sub_arity(c, s->full);
		return false;
	}
	return true;
}

static const struct subcmd client_subs[] = {
	{"setname", "client|setname", 3}, {"getname", "client|getname", 2},
	{"id", "client|id", 2},           {"list", "client|list", -2},
	{"info", "client|info", 2},       {"kill", "client|kill", -3},
	{"setinfo", "client|setinfo", 4}, {"no-evict", "client|no-evict", 3},
	{"help", "client|help", 2},       {NULL, NULL, 0},
};

static const struct subcmd *find_sub(const struct subcmd *t, const struct karg *a)
{
	for (; t->name; t++)
		if (arg_eq(a, t->name))
			return t;
	return NULL;
}

static void cmd_client(struct client *c)
{
	const struct subcmd *s = find_sub(client_subs, &c->argv[1]);
	char line[1024];

	if (!s) {
		reply_unknown_sub(c, "CLIENT");
		return;
	}
	if (!sub_arity(c, s))
		return;
	if (!strcmp(s->name, "setname")) {
		if (!name_ok(&c->argv[2])) {
			reply_error(
				c, "ERR Client names cannot contain spaces, newlines or special characters.");
			return;
		}
		set_name(c, &c->argv[2]);
		reply_ok(c);
	} else if (!strcmp(s->name, "getname")) {
		if (c->core->x && c->core->x->name)
			reply_bulk_cstr(c, c->core->x->name);
		else
			reply_null(c);
	} else if (!strcmp(s->name, "id")) {
		reply_int(c, (long long)c->id);
	} else if (!strcmp(s->name, "list")) {
		client_list(c);
	} else if (!strcmp(s->name, "info")) {
		size_t n = client_info(c, line, sizeof(line));
		reply_verbatim(c, line, n < sizeof(line) ? n : sizeof(line) - 1);
	} else if (!strcmp(s->name, "kill")) {
		client_kill(c);
	} else if (!strcmp(s->name, "setinfo")) {
		client_setinfo(c);
	} else if (!strcmp(s->name, "no-evict")) {
		if (arg_eq(&c->argv[2], "on") || arg_eq(&c->argv[2], "off"))
			reply_ok(c);
		else
			reply_error(c, KERR_SYNTAX);
	} else {
		static const char *help[] = {
			"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"GETNAME",
			"ID",
			"INFO",
			"KILL <ip:port>|ID <id>|ADDR <ip:port>",
			"LIST",
			"NO-EVICT (ON|OFF)",
			"SETINFO <LIB-NAME|LIB-VER> <value>",
			"SETNAME <name>",
			"HELP"};
		reply_array(c, (long)(sizeof(help) / sizeof(help[0])));
		for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++)
			reply_simple(c, help[i]);
	}
}

/* ---- COMMAND ----------------------------------------------------------------------------- */

static void command_flags(struct client *c, const struct kcmd *k)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{KC_WRITE, "write"},      {KC_READONLY, "readonly"}, {KC_DENYOOM, "denyoom"},
		     {KC_FAST, "fast"},        {KC_NOAUTH, "no_auth"},    {KC_BLOCKING, "blocking"},
		     {KC_NOMULTI, "no_multi"}, {KC_LOADING, "loading"},   {KC_STALE, "stale"}};
	int n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += !!(k->flags & names[i].bit);
	reply_set(c, n);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (k->flags & names[i].bit)
			reply_simple(c, names[i].name);
}

static void command_info(struct client *c, const struct kcmd *k)
{
	const char *rw;
	char cat[64];

	if (!k) {
		reply_null(c);
		return;
	}
	reply_array(c, 10);
	reply_bulk_cstr(c, k->name);
	reply_int(c, k->arity);
	command_flags(c, k);
	reply_int(c, k->first_key);
	reply_int(c, k->last_key);
	reply_int(c, k->key_step);
	snprintf(cat, sizeof(cat), "@%s", k->group ? k->group : "connection");
	rw = (k->flags & KC_WRITE) ? "@write" : (k->flags & KC_READONLY) ? "@read" : NULL;
	reply_set(c, rw ? 3 : 2);
	if (rw)
		reply_simple(c, rw);
	reply_simple(c, cat);
	reply_simple(c, (k->flags & KC_FAST) ? "@fast" : "@slow");
	reply_array(c, 0); /* tips */
	reply_array(c, 0); /* key specs */
	reply_array(c, 0); /* subcommands */
}

static void command_docs(struct client *c, const struct kcmd *k)
{
	reply_bulk_cstr(c, k->name);
	reply_map(c, 3);
	reply_bulk_cstr(c, "summary");
	reply_bulk_cstr(c, k->summary ? k->summary : "");
	reply_bulk_cstr(c, "since");
	reply_bulk_cstr(c, "1.0.0");
	reply_bulk_cstr(c, "group");
	reply_bulk_cstr(c, k->group ? k->group : "server");
}

static void cmd_command(struct client *c)
{
	size_t n = cmdtable_count();

	if (c->argc == 1) {
		reply_array(c, (long)n);
		for (size_t i = 0; i < n; i++)
			command_info(c, cmdtable_at(i));
	} else if (arg_eq(&c->argv[1], "count")) {
		if (c->argc != 2) {
			reply_sub_arity(c, "command|count");
			return;
		}
		reply_int(c, (long long)n);
	} else if (arg_eq(&c->argv[1], "info")) {
		if (c->argc == 2) {
			reply_array(c, (long)n);
			for (size_t i = 0; i < n; i++)
				command_info(c, cmdtable_at(i));
			return;
		}
		reply_array(c, c->argc - 2);
		for (int i = 2; i < c->argc; i++)
			command_info(c, kvd_lookup_command(c->argv[i].p, c->argv[i].n));
	} else if (arg_eq(&c->argv[1], "docs")) {
		if (c->argc == 2) {
			reply_map(c, (long)n);
			for (size_t i = 0; i < n; i++)
				command_docs(c, cmdtable_at(i));
			return;
		}
		void *h = reply_defer(c);
		long found = 0;
		for (int i = 2; i < c->argc; i++) {
			const struct kcmd *k = kvd_lookup_command(c->argv[i].p, c->argv[i].n);
			if (k) {
				command_docs(c, k);
				found++;
			}
		}
		reply_set_deferred_map(c, h, found);
	} else {
		reply_unknown_sub(c, "COMMAND");
	}
}

/* ---- INFO -------------------------------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *p = realloc(b->p, b->cap * 2 + (size_t)n);
		if (!p)
			return;
		b->p = p;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

static void human_bytes(char *buf, size_t len, unsigned long long n)
{
	if (n < 1024)
		snprintf(buf, len, "%lluB", n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.2fK", n / 1024.0);
	else if (n < 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.2fM", n / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.2fG", n / (1024.0 * 1024 * 1024));
}

static unsigned long long rss_bytes(void)
{
	unsigned long long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static void info_server(struct sbuf *b)
{
	struct utsname u;
	int64_t now = kvd_unix_ms(), up = (now - kvd_stats.start_ms) / 1000;
	char exe[512] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0)
		exe[n] = '\0';
	uname(&u);
	sb_printf(b,
		  "# Server\r\nredis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
		  "redis_build_id:0\r\nredis_mode:standalone\r\nkvd_version:%s\r\nos:%s %s "
		  "%s\r\narch_bits:%d\r\n"
		  "multiplexing_api:epoll\r\nprocess_id:%d\r\ntcp_port:%d\r\nserver_time_usec:%lld\r\n"
		  "uptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\nhz:%d\r\nconfigured_hz:%d\r\n"
		  "executable:%s\r\nconfig_file:\r\n",
		  KVD_VERSION_COMPAT, SYSLAB_VERSION, u.sysname, u.release, u.machine,
		  (int)(sizeof(long) * 8), (int)getpid(), kvd_cfg.port, (long long)now * 1000, (long long)up,
		  (long long)up / 86400, kvd_cfg.hz, kvd_cfg.hz, exe);
}

static void info_clients(struct sbuf *b)
{
	sb_printf(b,
		  "# Clients\r\nconnected_clients:%ld\r\ncluster_connections:0\r\nmaxclients:%d\r\n"
		  "blocked_clients:%lld\r\ntracking_clients:0\r\nclients_in_timeout_table:%lld\r\n",
		  srv.all.len, kvd_cfg.maxclients, srv.blocked_clients, srv.blocked_clients);
}

static void info_memory(struct sbuf *b)
{
	struct mallinfo2 mi = mallinfo2();
	unsigned long long used = mi.uordblks + mi.hblkhd, rss = rss_bytes();
	char h1[32], h2[32];

	human_bytes(h1, sizeof(h1), used);
	human_bytes(h2, sizeof(h2), rss);
	sb_printf(b,
		  "# Memory\r\nused_memory:%llu\r\nused_memory_human:%s\r\nused_memory_rss:%llu\r\n"
		  "used_memory_rss_human:%s\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:"
		  "noeviction\r\n"
		  "mem_allocator:libc\r\n",
		  used, h1, rss, h2);
}

static void info_stats(struct sbuf *b)
{
	sb_printf(b,
		  "# Stats\r\ntotal_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
		  "total_net_input_bytes:%lld\r\ntotal_net_output_bytes:%lld\r\nrejected_connections:%lld\r\n"
		  "expired_keys:%lld\r\nkeyspace_hits:%lld\r\nkeyspace_misses:%lld\r\n"
		  "total_commands_rejected:%lld\r\nbusy_poll_hits:%llu\r\n",
		  kvd_stats.total_connections, kvd_stats.total_commands, kvd_stats.net_input_bytes,
		  kvd_stats.net_output_bytes, kvd_stats.rejected_connections, kvd_stats.expired_keys,
		  kvd_stats.keyspace_hits, kvd_stats.keyspace_misses, srv.stat_numcommands_rejected,
		  evloop_busy_poll_hits(srv.loop));
}

static void info_persistence(struct sbuf *b)
{
	char aof[2048] = "";

	sb_printf(b,
		  "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:%lld\r\n"
		  "rdb_bgsave_in_progress:0\r\naof_enabled:%d\r\n",
		  kvd_stats.dirty, kvd_cfg.appendonly ? 1 : 0);
	if (aof_info) {
		aof_info(aof, sizeof(aof));
		sb_printf(b, "%s", aof);
	}
}

static void info_keyspace(struct sbuf *b)
{
	sb_printf(b, "# Keyspace\r\n");
	for (int i = 0; i < KVD_DBNUM; i++) {
		struct db *db = db_get(i);
		size_t keys = dict_size(&db->keys);
		if (keys)
			sb_printf(b, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys,
				  dict_size(&db->expires), (long long)db->avg_ttl);
	}
}

static const struct {
	const char *name;
	void (*fn)(struct sbuf *b);
} info_sections[] = {
	{"server", info_server}, {"clients", info_clients},         {"memory", info_memory},
	{"stats", info_stats},   {"persistence", info_persistence}, {"keyspace", info_keyspace},
};

static void cmd_info(struct client *c)
{
	struct sbuf b = {malloc(4096), 0, 4096};
	bool all = c->argc == 1;
	int shown = 0;

	if (!b.p) {
		reply_error(c, KERR_OOM);
		return;
	}
	b.p[0] = '\0';
	for (int i = 1; i < c->argc; i++)
		if (arg_eq(&c->argv[i], "all") || arg_eq(&c->argv[i], "default") ||
		    arg_eq(&c->argv[i], "everything"))
			all = true;
	for (size_t s = 0; s < sizeof(info_sections) / sizeof(info_sections[0]); s++) {
		bool want = all;
		for (int i = 1; i < c->argc && !want; i++)
			want = arg_eq(&c->argv[i], info_sections[s].name);
		if (!want)
			continue;
		if (shown++)
			sb_printf(&b, "\r\n");
		info_sections[s].fn(&b);
	}
	reply_verbatim(c, b.p, b.len);
	free(b.p);
}

/* ---- CONFIG ------------------------------------------------------------------------------ */

static const char *const config_names[] = {
	"port",
	"bind",
	"maxclients",
	"requirepass",
	"unixsocket",
	"timeout",
	"proto-max-bulk-len",
	"client-query-buffer-limit",
	"client-output-buffer-limit",
	"appendonly",
	"appendfsync",
	"dir",
	"appendfilename",
	"hz",
	"busy-poll",
	"daemonize",
	"save",
	"databases",
	"maxmemory",
	"tcp-backlog",
	NULL,
};

static void config_value(const char *name, char *buf, size_t len)
{

	if (!strcmp(name, "port"))
		snprintf(buf, len, "%d", kvd_cfg.port);
	else if (!strcmp(name, "bind"))
		snprintf(buf, len, "%s", kvd_cfg.bind);
	else if (!strcmp(name, "maxclients"))
		snprintf(buf, len, "%d", kvd_cfg.maxclients);
	else if (!strcmp(name, "requirepass"))
		snprintf(buf, len, "%s", kvd_cfg.requirepass ? kvd_cfg.requirepass : "");
	else if (!strcmp(name, "unixsocket"))
		snprintf(buf, len, "%s", kvd_cfg.unixsocket);
	else if (!strcmp(name, "timeout"))
		snprintf(buf, len, "%d", kvd_cfg.timeout_s);
	else if (!strcmp(name, "proto-max-bulk-len"))
		snprintf(buf, len, "%lld", kvd_cfg.proto_max_bulk_len);
	else if (!strcmp(name, "client-query-buffer-limit"))
		snprintf(buf, len, "%lld", kvd_cfg.client_query_buffer_limit);
	else if (!strcmp(name, "client-output-buffer-limit"))
		snprintf(buf, len,
			 "normal %lld %lld %d slave 268435456 67108864 60 pubsub 33554432 8388608 60",
			 kvd_cfg.obuf_hard, kvd_cfg.obuf_soft, kvd_cfg.obuf_soft_s);
	else if (!strcmp(name, "appendonly"))
		snprintf(buf, len, "%s", kvd_cfg.appendonly ? "yes" : "no");
	else if (!strcmp(name, "appendfsync"))
		snprintf(buf, len, "%s", kvd_fsync_names[kvd_cfg.appendfsync % 3]);
	else if (!strcmp(name, "dir"))
		snprintf(buf, len, "%s", kvd_cfg.dir);
	else if (!strcmp(name, "appendfilename"))
		snprintf(buf, len, "%s", kvd_cfg.appendfilename);
	else if (!strcmp(name, "hz"))
		snprintf(buf, len, "%d", kvd_cfg.hz);
	else if (!strcmp(name, "busy-poll"))
		snprintf(buf, len, "%d", kvd_cfg.busy_poll_us);
	else if (!strcmp(name, "daemonize"))
		snprintf(buf, len, "no");
	else if (!strcmp(name, "save"))
		snprintf(buf, len, "%s", "");
	else if (!strcmp(name, "databases"))
		snprintf(buf, len, "%d", KVD_DBNUM);
	else if (!strcmp(name, "maxmemory"))
		snprintf(buf, len, "0");
	else if (!strcmp(name, "tcp-backlog"))
		snprintf(buf, len, "511");
}

static void config_get(struct client *c)
{
	void *h = reply_defer(c);
	long n = 0;
	char val[4200];

	for (const char *const *p = config_names; *p; p++) {
		for (int i = 2; i < c->argc; i++) {
			if (!pattern_match(c->argv[i].p, c->argv[i].n, *p))
				continue;
			config_value(*p, val, sizeof(val));
			reply_bulk_cstr(c, *p);
			reply_bulk_cstr(c, val);
			n++;
			break;
		}
	}
	reply_set_deferred_map(c, h, n);
}

static const char unknown_option[] = "unknown option";

/*
 * CONFIG SET client-output-buffer-limit: one or more "CLASS HARD SOFT SECS", as CONFIG GET gives
 * them. Every group is checked; kvd keeps the normal class's (it has no replica or pub/sub
 * clients). false, and nothing changed, when any group is malformed.
 */
static bool set_obuf(const char *s)
{
	char cls[16], h[32], sf[32], secs[32], text[100];
	long long hard, soft, nh = 0, ns = 0;
	int used, sec, nsec = 0;
	bool normal = false, any = false;

	while (sscanf(s, " %15s %31s %31s %31s%n", cls, h, sf, secs, &used) == 4) {
		snprintf(text, sizeof text, "%s %s %s", h, sf, secs);
		if (!kvd_parse_obuf(text, &hard, &soft, &sec) ||
		    (strcasecmp(cls, "normal") && strcasecmp(cls, "replica") && strcasecmp(cls, "slave") &&
		     strcasecmp(cls, "pubsub")))
			return false;
		if (!strcasecmp(cls, "normal"))
			normal = true, nh = hard, ns = soft, nsec = sec;
		any = true;
		s += used;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (!any || *s)
		return false;
	if (normal)
		kvd_cfg.obuf_hard = nh, kvd_cfg.obuf_soft = ns, kvd_cfg.obuf_soft_s = nsec;
	return true;
}

/* Applies one CONFIG SET pair: NULL, or why it failed (unknown_option: no such parameter). */
static const char *config_set_one(const struct karg *name, const struct karg *val)
{
	long long v;
	char buf[256];

	if (val->n >= sizeof(buf))
		return "argument too long";
	memcpy(buf, val->p, val->n);
	buf[val->n] = '\0';
	if (arg_eq(name, "busy-poll")) {
		if (!str_to_ll(val->p, val->n, &v) || v < 0 || v > KVD_BUSY_POLL_MAX)
			return "argument must be a number of microseconds from 0 to 1000000";
		kvd_cfg.busy_poll_us = (int)v;
		evloop_set_busy_poll(srv.loop, (unsigned)v);
	} else if (arg_eq(name, "timeout") || arg_eq(name, "maxclients") || arg_eq(name, "hz")) {
		if (!str_to_ll(val->p, val->n, &v) || v < 0 || v > 2147483647)
			return "argument couldn't be parsed into an integer";
		if (arg_eq(name, "timeout"))
			kvd_cfg.timeout_s = (int)v;
		else if (arg_eq(name, "maxclients"))
			kvd_cfg.maxclients =
				(int)(v < 1                                ? 1
				      : v > evloop_setsize(srv.loop) - 128 ? evloop_setsize(srv.loop) - 128
									   : v);
		else
			kvd_cfg.hz = (int)(v < 1 ? 1 : v > 500 ? 500 : v);
	} else if (arg_eq(name, "proto-max-bulk-len") || arg_eq(name, "client-query-buffer-limit")) {
		if (!kvd_parse_size(val->p, val->n, &v) || v < 1024 * 1024)
			return "argument must be a memory value of at least 1mb";
		if (arg_eq(name, "proto-max-bulk-len"))
			kvd_cfg.proto_max_bulk_len = v;
		else
			kvd_cfg.client_query_buffer_limit = v;
	} else if (arg_eq(name, "requirepass")) {
		free(kvd_cfg.requirepass);
		kvd_cfg.requirepass = val->n ? strdup(buf) : NULL;
	} else if (arg_eq(name, "appendfsync")) {
		int f = kvd_parse_fsync(buf);
		if (f < 0)
			return "argument(s) must be one of the following: always, everysec, no";
		kvd_cfg.appendfsync = f;
	} else if (arg_eq(name, "client-output-buffer-limit")) {
		if (!set_obuf(buf))
			return "Wrong number of arguments in buffer limit configuration.";
	} else {
		return unknown_option; /* the caller words it */
	}
	return NULL;
}

static void config_set(struct client *c)
{
	if (c->argc < 4 || c->argc % 2) {
		reply_sub_arity(c, "config|set");
		return;
	}
	for (int i = 2; i < c->argc; i += 2) {
		const char *err = config_set_one(&c->argv[i], &c->argv[i + 1]);
		if (err == unknown_option) {
			reply_errorf(c, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
				     (int)c->argv[i].n, c->argv[i].p);
			return;
		}
		if (err) {
			reply_errorf(c, "ERR CONFIG SET failed (possibly related to argument '%.*s') - %s",
				     (int)c->argv[i].n, c->argv[i].p, err);
			return;
		}
	}
	reply_ok(c);
}

static void cmd_config(struct client *c)
{
	if (arg_eq(&c->argv[1], "get")) {
		if (c->argc < 3) {
			reply_sub_arity(c, "config|get");
			return;
		}
		config_get(c);
	} else if (arg_eq(&c->argv[1], "set")) {
		config_set(c);
	} else if (arg_eq(&c->argv[1], "resetstat")) {
		if (c->argc != 2) {
			reply_sub_arity(c, "config|resetstat");
			return;
		}
		int64_t start = kvd_stats.start_ms;
		long long dirty = kvd_stats.dirty;
		memset(&kvd_stats, 0, sizeof(kvd_stats));
		kvd_stats.start_ms = start;
		kvd_stats.dirty = dirty;
		srv.stat_numcommands_rejected = 0;
		reply_ok(c);
	} else {
		reply_unknown_sub(c, "CONFIG");
	}
}

/* ---- TIME, DEBUG ------------------------------------------------------------------------- */

static void cmd_time(struct client *c)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	reply_array(c, 2);
	reply_bulk_ll(c, tv.tv_sec);
	reply_bulk_ll(c, tv.tv_usec);
}

static void cmd_debug(struct client *c)
{
	if (arg_eq(&c->argv[1], "sleep") && c->argc == 3) {
		double secs;
		if (!arg_double(c, &c->argv[2], &secs))
			return;
		if (secs > 0) {
			struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
			nanosleep(&ts, NULL);
		}
		reply_ok(c);
		return;
	}
	reply_unknown_sub(c, "DEBUG");
}

/* ---- MULTI, EXEC, DISCARD, WATCH --------------------------------------------------------- */

static struct dict watching[KVD_DBNUM]; /* per db: key -> the clients watching it */
static bool watching_ready;

static struct dict *watch_dict(const struct db *db)
{
	if (!watching_ready) {
		for (int i = 0; i < KVD_DBNUM; i++)
			dict_init(&watching[i]);
		watching_ready = true;
	}
	return &watching[db->id];
}

static void unwatch_all(struct client *c)
{
	struct client_extra *x = c->core->x;

	if (x) {
		for (int i = 0; i < x->wk_len; i++) {
			keyreg_del(watch_dict(x->wk[i].db), &x->wk[i].key, c);
			free((char *)x->wk[i].key.p);
			srv.watched_keys--;
		}
		free(x->wk);
		x->wk = NULL;
		x->wk_len = x->wk_cap = 0;
	}
	c->flags &= ~CF_DIRTY_CAS;
}

static void discard(struct client *c)
{
	struct client_extra *x = c->core->x;

	if (x) {
		for (int i = 0; i < x->mq_len; i++)
			owned_cmd_free(&x->mq[i]);
		free(x->mq);
		x->mq = NULL;
		x->mq_len = x->mq_cap = 0;
	}
	c->flags &= ~(CF_MULTI | CF_DIRTY_EXEC | CF_DIRTY_CAS);
}

void multi_client_free(struct client *c)
{
	discard(c);
	unwatch_all(c);
}

static void cmd_multi(struct client *c)
{
	if (c->flags & CF_MULTI) {
		reply_error(c, "ERR MULTI calls can not be nested");
		return;
	}
	c->flags |= CF_MULTI;
	reply_ok(c);
}

static void cmd_discard(struct client *c)
{
	if (!(c->flags & CF_MULTI)) {
		reply_error(c, "ERR DISCARD without MULTI");
		return;
	}
	discard(c);
	unwatch_all(c);
	reply_ok(c);
}

static void cmd_exec(struct client *c)
{
	struct client_extra *x = c->core->x;
	struct owned_cmd *q;
	int n, argc = c->argc;
	struct karg *argv = c->argv;
	const struct kcmd *self = c->cmd;

	if (!(c->flags & CF_MULTI)) {
		reply_error(c, "ERR EXEC without MULTI");
		return;
	}
	if (c->flags & CF_DIRTY_EXEC) {
		reply_error(c, "EXECABORT Transaction discarded because of previous errors.");
		discard(c);
		unwatch_all(c);
		return;
	}
	if (c->flags & CF_DIRTY_CAS) {
		reply_null_array(c);
		discard(c);
		unwatch_all(c);
		return;
	}
	/* The queue is taken out of the client: a command inside may not touch it. */
	q = x ? x->mq : NULL;
	n = x ? x->mq_len : 0;
	if (x) {
		x->mq = NULL;
		x->mq_len = x->mq_cap = 0;
	}
	unwatch_all(c);
	c->flags &= ~CF_MULTI;
	c->flags |= CF_IN_EXEC;
	srv.exec_multi_fed = false;
	reply_array(c, n);
	for (int i = 0; i < n; i++) {
		c->argc = q[i].argc;
		c->argv = q[i].argv;
		cmd_call(c, q[i].cmd);
	}
	c->argc = argc;
	c->argv = argv;
	c->cmd = self;
	c->flags &= ~CF_IN_EXEC;
	if (srv.exec_multi_fed && kvd_cfg.appendonly && aof_feed) {
		static const struct karg exec = {"EXEC", 4};
		aof_feed(c->db->id, 1, &exec);
	}
	srv.exec_multi_fed = false;
	for (int i = 0; i < n; i++)
		owned_cmd_free(&q[i]);
	free(q);
}

static void cmd_watch(struct client *c)
{
	struct client_extra *x;

	if (c->flags & CF_MULTI) {
		reply_error(c, "ERR WATCH inside MULTI is not allowed");
		return;
	}
	x = client_extra(c);
	if (!x) {
		reply_error(c, KERR_OOM);
		return;
	}
	for (int i = 1; i < c->argc; i++) {
		struct karg *k = &c->argv[i];
		bool dup = false;
		for (int j = 0; j < x->wk_len && !dup; j++)
			dup = x->wk[j].db == c->db && x->wk[j].key.n == k->n &&
			      !memcmp(x->wk[j].key.p, k->p, k->n);
		if (dup)
			continue;
		if (x->wk_len == x->wk_cap) {
			int cap = x->wk_cap ? x->wk_cap * 2 : 4;
			struct watched_key *p = realloc(x->wk, (size_t)cap * sizeof(*p));
			if (!p)
				goto oom;
			x->wk = p;
			x->wk_cap = cap;
		}
		char *copy = malloc(k->n + 1);
		if (!copy)
			goto oom;
		memcpy(copy, k->p, k->n);
		copy[k->n] = '\0';
		x->wk[x->wk_len] = (struct watched_key){c->db, {copy, k->n}};
		if (keyreg_add(watch_dict(c->db), &x->wk[x->wk_len].key, c) < 0) {
			free(copy);
			goto oom;
		}
		x->wk_len++;
		srv.watched_keys++;
	}
	reply_ok(c);
	return;
oom:
	reply_error(c, KERR_OOM);
}

static void cmd_unwatch(struct client *c)
{
	unwatch_all(c);
	reply_ok(c);
}

void multi_touch_key(struct db *db, const struct karg *key)
{
	struct cvec *cv;

	if (!srv.watched_keys)
		return;
	cv = keyreg_get(watch_dict(db), key);
	if (!cv)
		return;
	for (int i = 0; i < cv->n; i++)
		cv->v[i]->flags |= CF_DIRTY_CAS;
}

void multi_touch_db(struct db *db)
{
	struct dict *d;
	struct dict_iter it;
	struct dict_entry *e;

	if (!srv.watched_keys)
		return;
	d = watch_dict(db);
	/* Every watcher of the db: whether its key existed is not known here any more. */
	dict_iter_init(d, &it);
	while ((e = dict_iter_next(&it))) {
		struct cvec *cv = e->v.ptr;
		for (int i = 0; i < cv->n; i++)
			cv->v[i]->flags |= CF_DIRTY_CAS;
	}
	dict_iter_done(&it);
}

/* ---- the table --------------------------------------------------------------------------- */

#define CONN "connection"
#define SRV  "server"
#define TX   "transactions"

const struct kcmd kvd_cmds_server[] = {
	{"ping", -1, KC_FAST | KC_STALE, 0, 0, 0, cmd_ping, CONN,
	 "Returns the server's liveliness response."},
	{"echo", 2, KC_FAST, 0, 0, 0, cmd_echo, CONN, "Returns the given string."},
	{"quit", -1, KC_NOAUTH | KC_NOQUEUE | KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_quit, CONN,
	 "Closes the connection."},
	{"reset", 1, KC_NOAUTH | KC_NOQUEUE | KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_reset, CONN,
	 "Resets the connection."},
	{"hello", -1, KC_NOAUTH | KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_hello, CONN,
	 "Handshakes with the Redis server."},
	{"auth", -2, KC_NOAUTH | KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_auth, CONN,
	 "Authenticates the connection."},
	{"select", 2, KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_select, CONN,
	 "Changes the selected database."},
	{"client", -2, KC_LOADING | KC_STALE, 0, 0, 0, cmd_client, CONN,
	 "A container for client connection commands."},
	{"command", -1, KC_LOADING | KC_STALE, 0, 0, 0, cmd_command, SRV,
	 "Returns detailed information about all commands."},
	{"info", -1, KC_LOADING | KC_STALE, 0, 0, 0, cmd_info, SRV,
	 "Returns information and statistics about the server."},
	{"config", -2, KC_LOADING | KC_STALE, 0, 0, 0, cmd_config, SRV,
	 "A container for server configuration commands."},
	{"time", 1, KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_time, SRV, "Returns the server time."},
	{"debug", -2, KC_LOADING | KC_STALE, 0, 0, 0, cmd_debug, SRV, "A container for debugging commands."},
	{"multi", 1, KC_NOQUEUE | KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_multi, TX,
	 "Starts a transaction."},
	{"exec", 1, KC_NOQUEUE | KC_LOADING | KC_STALE, 0, 0, 0, cmd_exec, TX,
	 "Executes all commands in a transaction."},
	{"discard", 1, KC_NOQUEUE | KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_discard, TX,
	 "Discards a transaction."},
	{"watch", -2, KC_NOQUEUE | KC_FAST | KC_LOADING | KC_STALE, 1, -1, 1, cmd_watch, TX,
	 "Monitors changes to keys to determine the execution of a transaction."},
	{"unwatch", 1, KC_FAST | KC_LOADING | KC_STALE, 0, 0, 0, cmd_unwatch, TX,
	 "Forgets about watched keys of a transaction."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
