// SPDX-License-Identifier: MIT
/* kv: kvd against redis-server under redis-benchmark, request rates, latencies and memory per connection. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment.h"
#include "kv.h"

#define MS        1000000ull
#define NTESTS    16
#define NCONF     3
#define MAX_KEEP  64   /* p50/p99 of up to this many runs per case */
#define IDLE_CONN 2000 /* connections opened for the memory count */

enum { S_KVD, S_REDIS, NSERVERS };

/*
 * The test set. "ping" is redis-benchmark's PING_MBULK (a RESP array, as clients send it);
 * its PING_INLINE is the inline form, which no client library sends.
 */
static const struct {
	const char *name, *arg;
	int cost; /* requests per run divided by this: an LRANGE_300 reply is 300 elements */
} tests[NTESTS] = {
	{"ping", "ping_mbulk", 1},
	{"set", "set", 1},
	{"get", "get", 1},
	{"incr", "incr", 1},
	{"lpush", "lpush", 1},
	{"rpush", "rpush", 1},
	{"lpop", "lpop", 1},
	{"rpop", "rpop", 1},
	{"sadd", "sadd", 1},
	{"hset", "hset", 1},
	{"spop", "spop", 1},
	{"zadd", "zadd", 1},
	{"zpopmin", "zpopmin", 1},
	{"lrange_100", "lrange_100", 4},
	{"lrange_300", "lrange_300", 10},
	{"mset", "mset", 2},
};

/* The three configurations; requests per run and rounds come from the mode (see budgets()). */
static const struct {
	const char *name, *label;
	int clients, pipeline;
} confs[NCONF] = {
	{"c50", "-c 50", 50, 1},
	{"c50-P32", "-c 50 -P 32", 50, 32},
	{"c10000", "-c 10000", 10000, 1},
};

struct kv;

struct kv_case {
	struct bench_case bc;
	char name[48], label[96];
	struct kv *kv;
	int server, test, conf; /* test -1: the idle-connection memory case */
	int nkeep;
	double p50[MAX_KEEP], p99[MAX_KEEP];
	char failed[200];
};

struct kv {
	struct exp *e;
	struct kv_server srv[NSERVERS];
	int client_cpu;
	char bench_skip[200]; /* why redis-benchmark cannot run, "" when it can */
	long n[NCONF];        /* requests per run */
	int rounds[NCONF];    /* 0: the configuration is not run in this mode */
	bool conf_all[NCONF]; /* every test, or ping, set and get only */
	int mem_rounds;
	struct kv_case c[NCONF * NTESTS * NSERVERS + NSERVERS];
	int ncases;
};

/* One redis-benchmark run of the case's test: the sample is its requests per second. */
static int case_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct kv_case *c = arg;
	struct kv *kv = c->kv;
	struct kv_bench b;
	char err[200];
	int rc;

	(void)iters;
	rc = kv_benchmark(kv->srv[c->server].port, kv->client_cpu, tests[c->test].arg,
			  kv->n[c->conf] / tests[c->test].cost, confs[c->conf].clients,
			  confs[c->conf].pipeline, &b, err, sizeof err);
	if (rc < 0) {
		snprintf(c->failed, sizeof c->failed, "%s", err);
		return rc;
	}
	if (c->nkeep < MAX_KEEP) {
		c->p50[c->nkeep] = b.p50_ms;
		c->p99[c->nkeep++] = b.p99_ms;
	}
	s->ns = b.rps;
	return 0;
}

/*
 * Memory per idle connection: a fresh server each sample (an allocator keeps what a previous
 * round freed, which would hide the cost), its RSS with one connection, then with IDLE_CONN more
 * that each sent one PING, the difference divided by IDLE_CONN.
 */
static int mem_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct kv_case *c = arg;
	struct kv_server srv = c->kv->srv[c->server];
	int *fds = calloc(IDLE_CONN, sizeof *fds), rc;
	long before, after;
	char err[200];

	(void)iters;
	srv.pid = 0;
	if (!fds)
		return -ENOMEM;
	if ((rc = kv_server_start(&srv, err, sizeof err)) < 0) {
		snprintf(c->failed, sizeof c->failed, "%s", err);
		goto out;
	}
	before = kv_rss(srv.pid);
	if ((rc = kv_open_idle(srv.port, IDLE_CONN, fds)) < 0) {
		snprintf(c->failed, sizeof c->failed, "opening %d connections: %s", IDLE_CONN, strerror(-rc));
		goto out;
	}
	after = kv_rss(srv.pid);
	for (int i = 0; i < IDLE_CONN; i++)
		close(fds[i]);
	if (before < 0 || after < 0) {
		snprintf(c->failed, sizeof c->failed, "cannot read VmRSS of pid %d", (int)srv.pid);
		rc = -EIO;
		goto out;
	}
	s->ns = (double)(after - before) / IDLE_CONN;
out:
	kv_server_stop(&srv);
	free(fds);
	return rc;
}

static struct kv_case *add(struct kv *kv, int server, int test, int conf)
{
	struct kv_case *c = &kv->c[kv->ncases++];
	const char *sname = kv->srv[server].name;

	*c = (struct kv_case){.kv = kv, .server = server, .test = test, .conf = conf};
	if (test >= 0) {
		snprintf(c->name, sizeof c->name, "%s/%s/%s", sname, tests[test].name, confs[conf].name);
		snprintf(c->label, sizeof c->label, "%s, %s, redis-benchmark %s",
			 server == S_KVD ? "kvd" : "redis-server", tests[test].name, confs[conf].label);
	} else {
		snprintf(c->name, sizeof c->name, "%s/idle-conn-memory", sname);
		snprintf(c->label, sizeof c->label, "%s: RSS per idle connection (%d connections)",
			 server == S_KVD ? "kvd" : "redis-server", IDLE_CONN);
	}
	c->bc = (struct bench_case){.name = c->name,
				    .label = c->label,
				    .cpu = -1,
				    .unit = test >= 0 ? "req/s" : "B/conn",
				    .fixed_iters = 1,
				    .run = test >= 0 ? case_run : mem_run,
				    .arg = c};
	return c;
}

/*
 * Requests per run and rounds per mode. A -c 10000 run spends seconds in redis-benchmark opening
 * its 10000 connections, whatever the server (about 0.9 ms a connection here), so --quick leaves
 * that configuration out to stay under 30 s, the default mode runs ping, set and get at it, and
 * --full the whole set.
 */
static void budgets(struct kv *kv)
{
	static const struct {
		long n[NCONF];
		int rounds[NCONF];
		bool all10k;
		int mem_rounds;
	} m[] = {
		[BENCH_SMOKE] = {{1000, 10000, 0}, {2, 2, 0}, false, 2},
		[BENCH_QUICK] = {{4000, 40000, 0}, {3, 3, 0}, false, 2},
		[BENCH_DEFAULT] = {{20000, 200000, 50000}, {6, 6, 3}, false, 5},
		[BENCH_FULL] = {{100000, 1000000, 100000}, {10, 10, 5}, true, 10},
	};
	int mode = kv->e->mode;

	for (int i = 0; i < NCONF; i++) {
		kv->n[i] = m[mode].n[i];
		kv->rounds[i] = m[mode].rounds[i];
		kv->conf_all[i] = i < 2 || m[mode].all10k;
	}
	kv->mem_rounds = m[mode].mem_rounds;
}

/* A budget of exactly rounds samples per case, after one discarded run (the warm-up). */
static struct bench_budget rounds_budget(const struct kv *kv, int rounds)
{
	struct bench_budget b = kv->e->budget;

	b.warmup_ns = 0;
	b.min_samples = b.max_samples = (size_t)rounds;
	b.max_ns = 3600 * 1000 * MS;
	b.target_rel_ci = 0;
	return b;
}

/* kvd beside the syslab binary, or $SYSLAB_KVD; redis-server from PATH. */
static void find_servers(struct kv *kv)
{
	const char *env = getenv("SYSLAB_KVD");
	struct kv_server *k = &kv->srv[S_KVD], *r = &kv->srv[S_REDIS];
	char self[PATH_MAX], ver[200];
	ssize_t n;

	k->name = "kvd";
	r->name = "redis";
	r->is_redis = true;
	snprintf(r->path, sizeof r->path, "redis-server");
	if (env && *env) {
		snprintf(k->path, sizeof k->path, "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof self - 1);
		self[n > 0 ? n : 0] = '\0';
		snprintf(k->path, sizeof k->path, "%s/kvd", n > 0 ? dirname(self) : ".");
	}
	if (access(k->path, X_OK) < 0)
		snprintf(k->skip, sizeof k->skip, "kvd is not built: no %.120s (make, or set SYSLAB_KVD)",
			 k->path);
	kv_version("redis-server", ver, sizeof ver);
	if (!ver[0])
		snprintf(r->skip, sizeof r->skip,
			 "redis-server is not installed (Debian package redis-server)");
	kv_version("redis-benchmark", ver, sizeof ver);
	if (!ver[0])
		snprintf(kv->bench_skip, sizeof kv->bench_skip,
			 "redis-benchmark is not installed (Debian package redis-tools)");
}

/* Server on one CPU, client on another; unpinned on a machine with one CPU. */
static void placement(struct kv *kv)
{
	int a = -1, b = -1;

	if (cpu_pick_pair(kv->e->topo, CPU_PAIR_CORES, &a, &b) < 0 &&
	    cpu_pick_pair(kv->e->topo, CPU_PAIR_SMT, &a, &b) < 0)
		a = b = -1;
	kv->srv[S_KVD].cpu = kv->srv[S_REDIS].cpu = a;
	kv->client_cpu = b;
}

static void start_servers(struct kv *kv)
{
	for (int s = 0; s < NSERVERS; s++) {
		char err[200];
		if (kv->srv[s].skip[0])
			continue;
		if (kv_server_start(&kv->srv[s], err, sizeof err) < 0)
			snprintf(kv->srv[s].skip, sizeof kv->srv[s].skip, "%s", err);
	}
}

static void conditions(struct kv *kv)
{
	char v[200];

	for (int s = 0; s < NSERVERS; s++) {
		struct kv_server *srv = &kv->srv[s];
		if (srv->skip[0])
			continue;
		kv_version(srv->path, v, sizeof v);
		exp_condition(kv->e, "%s: %s (%s), port %d on 127.0.0.1, %s%s", srv->name, srv->path, v,
			      srv->port, srv->is_redis ? "--save '' --appendonly no, " : "no AOF, ",
			      "--maxclients 10100");
	}
	kv_version("redis-benchmark", v, sizeof v);
	if (kv->srv[S_KVD].cpu >= 0)
		exp_condition(kv->e,
			      "servers pinned to CPU %d, redis-benchmark (%s) to CPU %d; RLIMIT_NOFILE %d "
			      "for both",
			      kv->srv[S_KVD].cpu, v, kv->client_cpu, KV_NOFILE);
	else
		exp_condition(kv->e, "one CPU: servers and redis-benchmark (%s) unpinned", v);
	for (int i = 0; i < NCONF; i++) {
		if (!kv->rounds[i]) {
			exp_condition(kv->e,
				      "%s: not run in this mode (redis-benchmark opens 10000 connections "
				      "for every test, seconds each); the default mode and --full run it",
				      confs[i].label);
			continue;
		}
		exp_condition(
			kv->e,
			"%s: `redis-benchmark -h 127.0.0.1 -p PORT -t TEST -n %ld %s --csv` (-n a quarter of "
			"that for lrange_100, a tenth for lrange_300, half for mset), %s; one "
			"discarded run, then %d rounds alternating kvd and redis-server",
			confs[i].label, kv->n[i], confs[i].label,
			kv->conf_all[i] ? "every test" : "ping, set and get", kv->rounds[i]);
	}
	exp_condition(kv->e, "ping is redis-benchmark's PING_MBULK; the sample is the run's requests/s, "
			     "p50 and p99 are redis-benchmark's (medians over the rounds)");
	exp_condition(kv->e,
		      "memory per idle connection: a fresh server, VmRSS with one connection, then "
		      "with %d more that sent one PING each; (after - before) / %d, %d rounds",
		      IDLE_CONN, IDLE_CONN, kv->mem_rounds);
}

static void run_pair(struct kv *kv, struct kv_case *a, struct kv_case *b, const char *group, int rounds)
{
	const struct bench_case *run[2];
	struct bench_budget bb = rounds_budget(kv, rounds);
	size_t k = 0;

	for (struct kv_case *c = a; c; c = c == a ? b : NULL) {
		const char *why = kv->srv[c->server].skip[0] ? kv->srv[c->server].skip
				  : c->test >= 0             ? kv->bench_skip
							     : "";
		if (why[0])
			exp_case_skip(kv->e, &c->bc, group, "%s", why);
		else
			run[k++] = &c->bc;
	}
	if (k)
		exp_cases(kv->e, run, k, group, &bb);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The median of the last n of v's values (the measured runs; the first was the warm-up). */
static double tail_median(const double *v, int have, size_t n)
{
	double t[MAX_KEEP];
	size_t m = n < (size_t)have ? n : (size_t)have;

	if (!m)
		return 0;
	memcpy(t, v + have - m, m * sizeof *t);
	qsort(t, m, sizeof *t, cmp_double);
	return m % 2 ? t[m / 2] : (t[m / 2 - 1] + t[m / 2]) / 2;
}

/* "SET, -c 50: kvd 152k req/s (p50 0.28 ms, p99 0.41 ms), redis-server ...: 1.03x". */
static void note_pair(struct kv *kv, const struct kv_case *kc, const struct kv_case *rc)
{
	const struct bench_result *a = exp_result(kv->e, kc->name), *b = exp_result(kv->e, rc->name);
	bool ha = a && a->status == BENCH_OK, hb = b && b->status == BENCH_OK;
	char sa[120] = "not measured", sb[120] = "not measured", ratio[32] = "";

	if (ha)
		snprintf(sa, sizeof sa, "%.0fk req/s (p50 %.3f ms, p99 %.3f ms)", a->summary.median / 1e3,
			 tail_median(kc->p50, kc->nkeep, a->n), tail_median(kc->p99, kc->nkeep, a->n));
	if (hb)
		snprintf(sb, sizeof sb, "%.0fk req/s (p50 %.3f ms, p99 %.3f ms)", b->summary.median / 1e3,
			 tail_median(rc->p50, rc->nkeep, b->n), tail_median(rc->p99, rc->nkeep, b->n));
	if (ha && hb)
		snprintf(ratio, sizeof ratio, ": %.2fx", a->summary.median / b->summary.median);
	exp_note(kv->e, "%s, %s: kvd %s, redis-server %s%s", tests[kc->test].name, confs[kc->conf].label, sa,
		 sb, ratio);
	for (const struct kv_case *c = kc; c; c = c == kc ? rc : NULL) {
		const struct bench_result *r = exp_result(kv->e, c->name);
		if (r && r->status == BENCH_FAILED && c->failed[0])
			exp_note(kv->e, "%s failed while measured: %s", c->name, c->failed);
	}
}

/*
 * One paired claim per test and configuration: the target is "every test of the set",
 * so a summary over tests would hide the one that misses it. The ratio is the median of the
 * per-round ratios (the rounds alternate the servers, so a drift of the machine cancels).
 */
static void claim_pair(struct kv *kv, const struct kv_case *kc, const struct kv_case *rc)
{
	static char text[NCONF * NTESTS][128];
	char *t = text[kc->conf * NTESTS + kc->test];
	struct claim cl = {.text = t,
			   .a = kc->name,
			   .b = rc->name,
			   .kind = CLAIM_AT_LEAST,
			   .threshold = 1.0,
			   .expect = "appear"};

	snprintf(t, sizeof text[0], "kvd serves %s at %s at least as many requests/s as redis-server",
		 tests[kc->test].name, confs[kc->conf].label);
	exp_claim_paired(kv->e, &cl, NULL);
}

static void memory(struct kv *kv)
{
	struct kv_case *k = add(kv, S_KVD, -1, 0), *r = add(kv, S_REDIS, -1, 0);
	const struct bench_result *a, *b;
	struct claim cl = {.text = "kvd uses no more memory per idle connection than redis-server",
			   .a = k->name,
			   .b = r->name,
			   .kind = CLAIM_AT_MOST,
			   .threshold = 1.0,
			   .expect = "appear"};

	run_pair(kv, k, r, "memory per idle connection", kv->mem_rounds);
	exp_claim_paired(kv->e, &cl, NULL);
	a = exp_result(kv->e, k->name);
	b = exp_result(kv->e, r->name);
	if (a && b && a->status == BENCH_OK && b->status == BENCH_OK)
		exp_note(kv->e, "memory per idle connection: kvd %.0f B, redis-server %.0f B (%.2fx)",
			 a->summary.median, b->summary.median,
			 b->summary.median > 0 ? a->summary.median / b->summary.median : 0);
	for (struct kv_case *c = k; c; c = c == k ? r : NULL) {
		const struct bench_result *x = exp_result(kv->e, c->name);
		if (x && x->status == BENCH_FAILED && c->failed[0])
			exp_note(kv->e, "%s failed while measured: %s", c->name, c->failed);
	}
}

static void throughput(struct kv *kv)
{
	char group[NCONF][64];

	for (int f = 0; f < NCONF; f++) {
		if (!kv->rounds[f])
			continue;
		snprintf(group[f], sizeof group[f], "redis-benchmark %s", confs[f].label);
		for (int t = 0; t < NTESTS; t++) {
			struct kv_case *k, *r;
			if (!kv->conf_all[f] && strcmp(tests[t].name, "ping") &&
			    strcmp(tests[t].name, "set") && strcmp(tests[t].name, "get"))
				continue;
			k = add(kv, S_KVD, t, f);
			r = add(kv, S_REDIS, t, f);
			run_pair(kv, k, r, group[f], kv->rounds[f]);
			claim_pair(kv, k, r);
			note_pair(kv, k, r);
		}
	}
}

static int kv_run(struct exp *e)
{
	struct kv *kv = calloc(1, sizeof *kv);

	if (!kv)
		return -ENOMEM;
	kv->e = e;
	budgets(kv);
	find_servers(kv);
	placement(kv);
	kv_guard_set();
	start_servers(kv);
	conditions(kv);
	throughput(kv);
	for (int s = 0; s < NSERVERS; s++)
		kv_server_stop(&kv->srv[s]);
	memory(kv);
	kv_guard_clear();
	free(kv);
	return 0;
}

const struct experiment exp_kv = {
	.name = "kv",
	.title = "kvd against redis-server: redis-benchmark requests/s, latency and memory per connection",
	.question = "Does kvd, one epoll thread like Redis, serve redis-benchmark's tests at least as fast "
		    "as redis-server, with no more memory per idle connection?",
	.shows = "redis-benchmark req/s, p50, p99 of kvd and redis-server at -c 50, -P 32 and -c 10000; "
		 "bytes per idle connection",
	.run = kv_run,
};
