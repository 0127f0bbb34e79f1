// SPDX-License-Identifier: MIT
/* aof: the append-only file: logging writes as RESP, fsync policies, replay at start, BGREWRITEAOF. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "kvd.h"

#define AOF_BATCH     64          /* elements per RPUSH, SADD, HSET, ZADD of a rewrite */
#define AOF_CHILD_BUF (64 * 1024) /* the rewrite child writes in chunks of this */
#define AOF_MAX_ARGS  (1 << 20)   /* a logged command with more arguments is garbage */

/* A growable byte buffer. */
struct abuf {
	char *p;
	size_t len, cap;
};

/* The everysec fsync thread: the loop hands it a dup()ed fd, it syncs and closes it. */
struct aof_syncer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;        /* to sync, -1 when idle; guarded by mu */
	bool busy;     /* a sync is running; guarded by mu */
	bool started;  /* loop thread only */
	int64_t last;  /* unix ms the loop last handed a sync over (loop thread only) */
	bool unsynced; /* bytes written since then (loop thread only) */
};

static struct {
	int fd;                    /* the AOF, O_APPEND; -1 when closed */
	char path[PATH_MAX + 512]; /* DIR/APPENDFILENAME */
	struct abuf buf;           /* fed, not written yet */
	int seldb;                 /* the db the file's last SELECT chose, -1: none yet */
	long long size, base_size;
	bool loading;
	bool write_err;
	struct aof_syncer sync;
	/* BGREWRITEAOF */
	pid_t child;
	char tmp[PATH_MAX + 512];
	struct abuf rbuf; /* fed since the fork: appended to the new file */
	int rseldb;
	int64_t rewrite_start_ms;
	long long last_rewrite_s;
	bool last_rewrite_ok;
	long long rewrites;
} aof = {.fd = -1,
	 .seldb = -1,
	 .rseldb = -1,
	 .last_rewrite_s = -1,
	 .last_rewrite_ok = true,
	 .sync = {.fd = -1}};

static int64_t unix_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Redis panics when it cannot grow a buffer; a lost AOF record would be silent data loss. */
static void ab_put(struct abuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			kvd_log('#', "AOF: out of memory growing a buffer to %zu bytes", cap);
			abort();
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void ab_free(struct abuf *b)
{
	free(b->p);
	*b = (struct abuf){0};
}

static void ab_hdr(struct abuf *b, char type, size_t n)
{
	char h[32];
	int k = snprintf(h, sizeof h, "%c%zu\r\n", type, n);
	ab_put(b, h, (size_t)k);
}

static void ab_bulk(struct abuf *b, const void *p, size_t n)
{
	ab_hdr(b, '$', n);
	ab_put(b, p, n);
	ab_put(b, "\r\n", 2);
}

static void ab_command(struct abuf *b, int argc, const struct karg *argv)
{
	ab_hdr(b, '*', (size_t)argc);
	for (int i = 0; i < argc; i++)
		ab_bulk(b, argv[i].p, argv[i].n);
}

static void ab_select(struct abuf *b, int dbid)
{
	char n[16];
	int k = snprintf(n, sizeof n, "%d", dbid);
	struct karg argv[2] = {{"SELECT", 6}, {n, (size_t)k}};
	ab_command(b, 2, argv);
}

void aof_feed(int dbid, int argc, const struct karg *argv)
{
	if (aof.loading || aof.fd < 0)
		return;
	if (dbid != aof.seldb) {
		ab_select(&aof.buf, dbid);
		aof.seldb = dbid;
	}
	ab_command(&aof.buf, argc, argv);
	if (aof.child > 0) {
		if (dbid != aof.rseldb) {
			ab_select(&aof.rbuf, dbid);
			aof.rseldb = dbid;
		}
		ab_command(&aof.rbuf, argc, argv);
	}
}

/* ---- fsync ------------------------------------------------------------------------------- */

static void *syncer_main(void *arg)
{
	struct aof_syncer *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->fd < 0)
			pthread_cond_wait(&s->cv, &s->mu);
		int fd = s->fd;
		s->fd = -1;
		s->busy = true;
		pthread_mutex_unlock(&s->mu);
		if (fdatasync(fd) < 0)
			kvd_log('#', "AOF: background fdatasync failed: %s", strerror(errno));
		close(fd);
		pthread_mutex_lock(&s->mu);
		s->busy = false;
	}
	return NULL;
}

static int syncer_start(struct aof_syncer *s)
{
	sigset_t all, old;
	int rc;

	if (s->started)
		return 0;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&s->thread, NULL, syncer_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!rc) {
		pthread_detach(s->thread);
		s->started = true;
	}
	return rc;
}

/*
 * everysec: hands a sync to the thread when a second has passed and it is idle (a slow disk then
 * costs durability of at most about two seconds, never the loop's time). The thread gets its own
 * dup of the fd, so a rewrite may close and replace aof.fd meanwhile.
 */
static void syncer_maybe(struct aof_syncer *s)
{
	int64_t now = unix_ms();
	bool handed = false;

	if (!s->started || !s->unsynced || now - s->last < 1000)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->fd < 0 && !s->busy) {
		s->fd = fcntl(aof.fd, F_DUPFD_CLOEXEC, 0);
		handed = s->fd >= 0;
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	if (handed) {
		s->last = now;
		s->unsynced = false;
	}
}

static bool syncer_busy(struct aof_syncer *s)
{
	bool busy;

	if (!s->started)
		return false;
	pthread_mutex_lock(&s->mu);
	busy = s->busy || s->fd >= 0;
	pthread_mutex_unlock(&s->mu);
	return busy;
}

/* Writes all of p; 0 or -errno. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int aof_flush_before_sleep(void)
{
	int rc;

	if (aof.fd < 0 || !aof.buf.len) {
		if (aof.fd >= 0 && kvd_cfg.appendfsync == 1)
			syncer_maybe(&aof.sync);
		return 0;
	}
	if ((rc = write_all(aof.fd, aof.buf.p, aof.buf.len)) < 0) {
		/* A partial record would make the file unreadable past it: cut it back. */
		if (ftruncate(aof.fd, aof.size) < 0)
			kvd_log('#', "AOF: cannot cut a partial write back: %s", strerror(errno));
		aof.write_err = true;
		kvd_log('#', "AOF: write to %s failed: %s", aof.path, strerror(-rc));
		if (kvd_cfg.appendfsync == 2) {
			/* The replies of these writes must not go out, and they cannot be made durable. */
			kvd_log('#', "Can't recover from AOF write error when the AOF fsync policy is "
				     "'always'. Exiting...");
			exit(1);
		}
		return rc; /* kept in the buffer, tried again at the next iteration */
	}
	aof.size += (long long)aof.buf.len;
	aof.buf.len = 0;
	aof.write_err = false;
	if (kvd_cfg.appendfsync == 2) {
		if (fdatasync(aof.fd) < 0) {
			kvd_log('#', "AOF: fdatasync of %s failed: %s. Exiting...", aof.path,
				strerror(errno));
			exit(1);
		}
	} else if (kvd_cfg.appendfsync == 1) {
		aof.sync.unsynced = true;
		syncer_maybe(&aof.sync);
	}
	return 0;
}

/* ---- open, load ------------------------------------------------------------------------- */

static void set_path(void)
{
	snprintf(aof.path, sizeof aof.path, "%s/%s", kvd_cfg.dir[0] ? kvd_cfg.dir : ".",
		 kvd_cfg.appendfilename[0] ? kvd_cfg.appendfilename : "appendonly.aof");
}

/* DIR must take new files (a read-only mount or a missing dir is caught at start, not at the first write). */
static int check_dir(char *err, size_t len)
{
	char probe[PATH_MAX + 64];
	const char *dir = kvd_cfg.dir[0] ? kvd_cfg.dir : ".";
	int fd;

	snprintf(probe, sizeof probe, "%s/.kvd-probe-%d", dir, (int)getpid());
	if ((fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		int e = errno;
		snprintf(err, len, "the AOF directory %s is not writable: %s", dir, strerror(e));
		return -e;
	}
	close(fd);
	unlink(probe);
	return 0;
}

int aof_open(char *err, size_t len)
{
	struct stat st;
	int rc;

	set_path();
	if ((aof.fd = open(aof.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		rc = -errno;
		snprintf(err, len, "cannot open %s: %s", aof.path, strerror(-rc));
		return rc;
	}
	aof.size = fstat(aof.fd, &st) == 0 ? (long long)st.st_size : 0;
	aof.base_size = aof.size;
	aof.seldb = -1;
	if (kvd_cfg.appendfsync == 1 && (rc = syncer_start(&aof.sync)) < 0) {
		snprintf(err, len, "cannot start the AOF fsync thread: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

/* A parser over the mapped file: each step either succeeds, runs out (a torn tail) or fails. */
enum parse { P_OK, P_SHORT, P_BAD };

static enum parse parse_num(const char *p, size_t n, size_t *at, char type, long long *v)
{
	size_t i = *at;
	const char *nl;

	if (i >= n)
		return P_SHORT;
	if (p[i] != type)
		return P_BAD;
	if (!(nl = memchr(p + i, '\r', n - i)) || (size_t)(nl - p) + 1 >= n)
		return nl || n - i < 32 ? P_SHORT : P_BAD;
	if (nl[1] != '\n' || !str_to_ll(p + i + 1, (size_t)(nl - p) - i - 1, v) || *v < 0)
		return P_BAD;
	*at = (size_t)(nl - p) + 2;
	return P_OK;
}

/* One command at *at into argv (pointing into p); *argc set. */
static enum parse parse_command(const char *p, size_t n, size_t *at, struct karg **argv, int *argc, int *cap)
{
	long long count, blen;
	size_t i = *at;
	enum parse r;

	if ((r = parse_num(p, n, &i, '*', &count)) != P_OK)
		return r;
	if (count < 1 || count > AOF_MAX_ARGS)
		return P_BAD;
	if (count > *cap) {
		struct karg *q = realloc(*argv, (size_t)count * sizeof *q);
		if (!q)
			return P_BAD;
		*argv = q;
		*cap = (int)count;
	}
	for (long long k = 0; k < count; k++) {
		if ((r = parse_num(p, n, &i, '$', &blen)) != P_OK)
			return r;
		if ((unsigned long long)blen + 2 > n - i)
			return P_SHORT;
		if (p[i + blen] != '\r' || p[i + blen + 1] != '\n')
			return P_BAD;
		(*argv)[k] = (struct karg){p + i, (size_t)blen};
		i += (size_t)blen + 2;
	}
	*argc = (int)count;
	*at = i;
	return P_OK;
}

/* Cuts the file at off: what follows is a command (or a transaction) a crash left unfinished. */
static int cut_tail(int fd, size_t off, size_t size, const char *what, char *err, size_t len)
{
	if (ftruncate(fd, (off_t)off) < 0 || fsync(fd) < 0) {
		int e = errno;
		snprintf(err, len, "cannot truncate %s to %zu bytes: %s", aof.path, off, strerror(e));
		return -e;
	}
	kvd_log('#',
		"!!! Warning: short read while loading the AOF file %s!!! %s: truncated the AOF at "
		"offset %zu, %zu bytes cut",
		aof.path, what, off, size - off);
	return 0;
}

static int replay(int fd, const char *p, size_t n, char *err, size_t len)
{
	struct client *c = kvd_fake_client();
	struct karg *argv = NULL;
	size_t at = 0, multi_at = 0, cmd_at;
	int argc = 0, cap = 0, rc = 0;
	long long count = 0;
	enum parse r = P_OK;

	while (at < n) {
		cmd_at = at;
		if ((r = parse_command(p, n, &at, &argv, &argc, &cap)) != P_OK)
			break;
		if (!kvd_lookup_command(argv[0].p, argv[0].n)) {
			snprintf(err, len, "unknown command '%.*s' reading the AOF %s at offset %zu",
				 (int)(argv[0].n < 64 ? argv[0].n : 64), argv[0].p, aof.path, cmd_at);
			rc = -EINVAL;
			goto out;
		}
		if (argv[0].n == 5 && arg_eq(&argv[0], "multi"))
			multi_at = cmd_at;
		c->argc = argc;
		c->argv = argv;
		kvd_call(c);
		count++;
	}
	if (r == P_BAD) {
		snprintf(err, len, "bad file format reading the AOF %s at offset %zu (of %zu bytes)",
			 aof.path, at, n);
		rc = -EINVAL;
		goto out;
	}
	if (r == P_SHORT)
		rc = cut_tail(fd, cmd_at, n, "an incomplete command at the end", err, len);
	if (!rc && (c->flags & CF_MULTI)) {
		/* The file ends inside MULTI: as Redis, the unfinished transaction is reverted. */
		struct karg d = {"DISCARD", 7};
		c->argc = 1;
		c->argv = &d;
		kvd_call(c);
		rc = cut_tail(fd, multi_at, r == P_SHORT ? cmd_at : n, "an unfinished MULTI/EXEC", err, len);
	}
	if (!rc)
		kvd_log('*', "DB loaded from append only file: %lld commands", count);
out:
	c->argc = 0;
	c->argv = NULL;
	c->db = db_get(0);
	free(argv);
	return rc;
}

int aof_load(char *err, size_t len)
{
	struct stat st;
	char *map = NULL;
	int fd, rc;

	set_path();
	if ((rc = check_dir(err, len)) < 0)
		return rc;
	if ((fd = open(aof.path, O_RDWR | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, len, "cannot open %s: %s", aof.path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, len, "cannot stat %s: %s", aof.path, strerror(-rc));
		goto out;
	}
	if (st.st_size == 0)
		goto out;
	if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		map = NULL;
		rc = -errno;
		snprintf(err, len, "cannot map %s: %s", aof.path, strerror(-rc));
		goto out;
	}
	aof.loading = true;
	rc = replay(fd, map, (size_t)st.st_size, err, len);
	aof.loading = false;
out:
	if (map)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return rc;
}

/* ---- BGREWRITEAOF ------------------------------------------------------------------------ */

/* The child's writer: commands into a buffer, flushed to fd in chunks; any error sticks. */
struct rw {
	int fd, err;
	struct abuf b;
	const struct dict_entry *key;
	const char *cmd; /* RPUSH, HSET, SADD, ZADD */
	int nargs;       /* arguments of the batch being built, key and name included */
	struct karg argv[2 + 2 * AOF_BATCH];
	char scores[AOF_BATCH][32];
};

static void rw_flush(struct rw *w, bool all)
{
	if (w->b.len && (all || w->b.len >= AOF_CHILD_BUF)) {
		int rc = write_all(w->fd, w->b.p, w->b.len);
		if (rc && !w->err)
			w->err = rc;
		w->b.len = 0;
	}
}

static void rw_command(struct rw *w, int argc, const struct karg *argv)
{
	ab_command(&w->b, argc, argv);
	rw_flush(w, false);
}

static void rw_batch_end(struct rw *w)
{
	if (w->nargs > 2)
		rw_command(w, w->nargs, w->argv);
	w->nargs = 2;
}

/* kobj_visit's callback: one element into the batch, written every AOF_BATCH elements. */
static void rw_visit(void *ctx, const char *a, size_t an, const char *b, size_t bn, double score)
{
	struct rw *w = ctx;

	if (!strcmp(w->cmd, "SET")) {
		struct karg argv[3] = {{"SET", 3}, {w->key->key, w->key->klen}, {a, an}};
		rw_command(w, 3, argv);
		return;
	}
	if (!strcmp(w->cmd, "ZADD")) {
		char *s = w->scores[(w->nargs - 2) / 2];
		int k = fmt_double(s, sizeof w->scores[0], score);
		w->argv[w->nargs++] = (struct karg){s, (size_t)k};
	}
	w->argv[w->nargs++] = (struct karg){a, an};
	if (!strcmp(w->cmd, "HSET"))
		w->argv[w->nargs++] = (struct karg){b, bn};
	if (w->nargs >= 2 + AOF_BATCH || (w->nargs - 2) / 2 >= AOF_BATCH)
		rw_batch_end(w);
}

static void rw_key(struct rw *w, struct db *db, const struct dict_entry *e)
{
	static const char *const cmds[] = {[KV_STRING] = "SET",
					   [KV_LIST] = "RPUSH",
					   [KV_HASH] = "HSET",
					   [KV_SET] = "SADD",
					   [KV_ZSET] = "ZADD"};
	const struct kobj *o = e->v.ptr;
	struct dict_entry *ex = dict_find(&db->expires, e->key, e->klen);

	w->key = e;
	w->cmd = cmds[o->type];
	w->argv[0] = (struct karg){w->cmd, strlen(w->cmd)};
	w->argv[1] = (struct karg){e->key, e->klen};
	w->nargs = 2;
	kobj_visit(o, rw_visit, w);
	if (o->type != KV_STRING)
		rw_batch_end(w);
	if (ex) {
		char ms[24];
		int k = snprintf(ms, sizeof ms, "%lld", (long long)ex->v.i);
		struct karg argv[3] = {{"PEXPIREAT", 9}, {e->key, e->klen}, {ms, (size_t)k}};
		rw_command(w, 3, argv);
	}
}

/* In the child: the dataset as commands into tmp, synced. Returns the exit status. */
static int rewrite_child(const char *tmp)
{
	struct rw w = {.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};

	if (w.fd < 0)
		return 1;
	for (int i = 0; i < KVD_DBNUM && !w.err; i++) {
		struct db *db = db_get(i);
		struct dict_iter it;
		struct dict_entry *e;
		if (!dict_size(&db->keys))
			continue;
		ab_select(&w.b, i);
		dict_iter_init(&db->keys, &it);
		while ((e = dict_iter_next(&it)) && !w.err)
			rw_key(&w, db, e);
		dict_iter_done(&it);
	}
	rw_flush(&w, true);
	if (!w.err && fsync(w.fd) < 0)
		w.err = -errno;
	close(w.fd);
	return w.err ? 1 : 0;
}

/* Starts the child; 0, or -errno. */
static int rewrite_start(void)
{
	pid_t pid;

	aof_flush_before_sleep(); /* what the file holds before the fork is the child's business */
	snprintf(aof.tmp, sizeof aof.tmp, "%s/temp-rewriteaof-bg-%d.aof", kvd_cfg.dir[0] ? kvd_cfg.dir : ".",
		 (int)getpid());
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0)
		_exit(rewrite_child(aof.tmp));
	aof.child = pid;
	aof.rbuf.len = 0;
	aof.rseldb = -1;
	aof.rewrite_start_ms = unix_ms();
	kvd_log('*', "Background append only file rewriting started by pid %d", (int)pid);
	return 0;
}

/* fsyncs the directory holding path, so the rename survives a crash. */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX + 512];
	char *slash;
	int fd;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The child succeeded: what was fed meanwhile goes after its dataset, then the new file takes over. */
static int rewrite_finish(void)
{
	struct stat st;
	int fd = open(aof.tmp, O_WRONLY | O_APPEND | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	aof_flush_before_sleep();
	if ((rc = write_all(fd, aof.rbuf.p, aof.rbuf.len)) < 0 || fsync(fd) < 0 ||
	    rename(aof.tmp, aof.path) < 0) {
		rc = rc ? rc : -errno;
		close(fd);
		return rc;
	}
	sync_dir(aof.path);
	close(aof.fd);
	aof.fd = fd;
	aof.size = aof.base_size = fstat(fd, &st) == 0 ? (long long)st.st_size : 0;
	aof.seldb = aof.rseldb;
	return 0;
}

static void rewrite_done(int status)
{
	int rc = -ECHILD;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = rewrite_finish();
	aof.last_rewrite_ok = rc == 0;
	aof.last_rewrite_s = (unix_ms() - aof.rewrite_start_ms + 500) / 1000;
	aof.rewrites++;
	if (rc == 0) {
		kvd_stats.dirty = 0;
		kvd_log('*', "Background AOF rewrite finished successfully: %lld bytes", aof.size);
	} else {
		unlink(aof.tmp);
		kvd_log('#', "Background AOF rewrite failed: %s",
			rc == -ECHILD ? "the child did not exit 0" : strerror(-rc));
	}
	aof.child = 0;
	ab_free(&aof.rbuf);
}

void aof_cron(void)
{
	int status;

	if (aof.child > 0 && waitpid(aof.child, &status, WNOHANG) == aof.child)
		rewrite_done(status);
	if (aof.fd >= 0 && kvd_cfg.appendfsync == 1)
		syncer_maybe(&aof.sync);
}

static void cmd_bgrewriteaof(struct client *c)
{
	int rc;

	if (aof.child > 0) {
		reply_error(c, "ERR Background append only file rewriting already in progress");
		return;
	}
	if (aof.fd < 0) {
		reply_error(c, "ERR kvd rewrites the AOF only when it runs with --appendonly yes");
		return;
	}
	if ((rc = rewrite_start()) < 0) {
		reply_errorf(c, "ERR Can't rewrite append only file in background: fork: %s", strerror(-rc));
		return;
	}
	reply_simple(c, "Background append only file rewriting started");
}

static void cmd_nordb(struct client *c)
{
	reply_error(c, "ERR kvd has no RDB snapshots: its persistence is the AOF (--appendonly yes)");
}

void aof_info(char *buf, size_t len)
{
	int64_t cur = aof.child > 0 ? (unix_ms() - aof.rewrite_start_ms) / 1000 : -1;

	snprintf(buf, len,
		 "aof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:%lld\r\n"
		 "aof_current_rewrite_time_sec:%lld\r\naof_last_bgrewrite_status:%s\r\naof_rewrites:%lld\r\n"
		 "aof_last_write_status:%s\r\naof_current_size:%lld\r\naof_base_size:%lld\r\n"
		 "aof_buffer_length:%zu\r\naof_pending_bio_fsync:%d\r\n",
		 aof.child > 0, aof.last_rewrite_s, (long long)cur, aof.last_rewrite_ok ? "ok" : "err",
		 aof.rewrites, aof.write_err ? "err" : "ok", aof.size, aof.base_size, aof.buf.len,
		 syncer_busy(&aof.sync) ? 1 : 0);
}

const struct kcmd kvd_cmds_aof[] = {
	{"bgrewriteaof", 1, KC_NOMULTI, 0, 0, 0, cmd_bgrewriteaof, "server",
	 "Asynchronously rewrites the append-only file to disk."},
	{"bgsave", -1, KC_NOMULTI, 0, 0, 0, cmd_nordb, "server", "kvd has no RDB: an error."},
	{"save", 1, KC_NOMULTI, 0, 0, 0, cmd_nordb, "server", "kvd has no RDB: an error."},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
