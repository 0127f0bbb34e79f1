// SPDX-License-Identifier: MIT
/* kv: kvd against redis-server under redis-benchmark, request rates, latencies and memory per connection. */
#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <syslab/results.h>

#include "experiment.h"
#include "kv.h"

#define MS         1000000ull
#define NTESTS     16
#define NCONF      3
#define MAX_KEEP   64                             /* p50/p99 of up to this many runs per case */
#define IDLE_CONN  2000                           /* connections opened for the memory count */
#define CLIENT_MAX 8                              /* redis-benchmark's CPUs (and threads) at most */
#define MAX_VALS   (NTESTS * NSERVERS * MAX_KEEP) /* values of one configuration */

/*
 * kvd and redis-server for the claims; kvd --busy-poll for what a server's sleeping costs
 * the client (unpipelined only: see server_has).
 */
enum { S_KVD, S_REDIS, S_KVD_BP, NSERVERS };
#define BUSY_POLL_US 50

/* A case's measure: req/s, the server's CPU per request, redis-benchmark's CPU per request. */
enum { M_RPS, M_CPU, M_CLIENT, NMEASURES };

/*
 * The test set. "ping" is redis-benchmark's PING_MBULK (a RESP array, as clients send it);
 * its PING_INLINE is the inline form, which no client library sends.
 */
static const struct {
	const char *name, *arg, *csv; /* ours, redis-benchmark's -t, its CSV name */
	int div1, divp;               /* requests per run divided by this, unpipelined and pipelined */
} tests[NTESTS] = {
	{"ping", "ping_mbulk", "PING_MBULK", 1, 1},
	{"set", "set", "SET", 1, 1},
	{"get", "get", "GET", 1, 1},
	{"incr", "incr", "INCR", 1, 1},
	{"lpush", "lpush", "LPUSH", 1, 1},
	{"rpush", "rpush", "RPUSH", 1, 1},
	{"lpop", "lpop", "LPOP", 1, 1},
	{"rpop", "rpop", "RPOP", 1, 1},
	{"sadd", "sadd", "SADD", 1, 1},
	{"hset", "hset", "HSET", 1, 1},
	{"spop", "spop", "SPOP", 1, 1},
	{"zadd", "zadd", "ZADD", 1, 1},
	{"zpopmin", "zpopmin", "ZPOPMIN", 1, 1},
	{"lrange_100", "lrange_100", "LRANGE_100", 1, 10},
	{"lrange_300", "lrange_300", "LRANGE_300", 2, 25},
	{"mset", "mset", "MSET", 1, 1},
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

/* What the rounds of one server, test and configuration measured. */
struct kv_vals {
	int n;
	double rps[MAX_KEEP], cpu[MAX_KEEP]; /* req/s; server CPU ns per request */
	double ccpu[MAX_KEEP];               /* redis-benchmark's CPU ns per request */
	double p50[MAX_KEEP], p99[MAX_KEEP];
	double client_busy[MAX_KEEP], server_busy[MAX_KEEP]; /* CPU time / wall time of the test */
	double ms[MAX_KEEP]; /* the run's length as redis-benchmark timed it (whole ms) */
	char failed[200];
};

struct kv;

/* A recorded case: replays the values of its kv_vals (req/s or CPU), or measures memory. */
struct kv_case {
	struct bench_case bc;
	char name[48], label[120];
	struct kv *kv;
	int server, test, conf; /* test -1: the idle-connection memory case */
	const double *vals;     /* replayed, one per round */
	int nvals, calls;
	char failed[200];
};

struct kv {
	struct exp *e;
	struct kv_server srv[NSERVERS];
	int client_cpus[CLIENT_MAX], nclient; /* redis-benchmark's CPUs, a thread on each */
	char bench_skip[200];                 /* why redis-benchmark cannot run, "" when it can */
	long n[NCONF];                        /* requests per run */
	int rounds[NCONF];                    /* 0: the configuration is not run in this mode */
	bool warm[NCONF];                     /* a discarded run (a tenth of the requests) first */
	bool conf_all[NCONF];                 /* every test, or get only */
	int mem_rounds;
	struct kv_vals v[NCONF][NTESTS][NSERVERS];
	struct kv_case c[NCONF * NTESTS * NSERVERS * NMEASURES + NSERVERS];
	int ncases;
};

/*
 * A case that replays what the rounds measured, so that the harness records it (CI, claims)
 * like any other. Its first call is the harness's calibration run, which it discards.
 */
static int replay_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct kv_case *c = arg;
	int k = c->calls++, i = k ? k - 1 : 0;

	(void)iters;
	if (c->failed[0])
		return -EIO;
	if (i >= c->nvals) {
		snprintf(c->failed, sizeof c->failed, "only %d of the rounds measured", c->nvals);
		return -EIO;
	}
	s->ns = c->vals[i];
	return 0;
}

/*
 * Memory per idle connection: a fresh server each sample (an allocator keeps what a previous
 * round freed, which would hide the cost), its RSS with one connection, then with IDLE_CONN more
 * that each sent one PING, the difference divided by IDLE_CONN. Its first call, the harness's
 * calibration run, is answered without a server: each sample starts a fresh one anyway.
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
	if (!c->calls++) { /* the harness's calibration run: a fresh server needs no warm-up */
		s->ns = 0;
		free(fds);
		return 0;
	}
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

static const char *const full_names[NSERVERS] = {"kvd", "redis-server", "kvd --busy-poll 50"};

static struct kv_case *add(struct kv *kv, int server, int test, int conf, int m)
{
	static const char *const suffix[NMEASURES] = {"", "/cpu", "/client-cpu"};
	static const char *const what[NMEASURES] = {"", ": server CPU per request",
						    ": redis-benchmark's CPU per request"};
	struct kv_case *c = &kv->c[kv->ncases++];
	const char *sname = kv->srv[server].name, *full = full_names[server];

	*c = (struct kv_case){.kv = kv, .server = server, .test = test, .conf = conf};
	if (test >= 0) {
		struct kv_vals *v = &kv->v[conf][test][server];
		snprintf(c->name, sizeof c->name, "%s/%s/%s%s", sname, tests[test].name, confs[conf].name,
			 suffix[m]);
		snprintf(c->label, sizeof c->label, "%s, %s, redis-benchmark %s%s", full, tests[test].name,
			 confs[conf].label, what[m]);
		c->vals = m == M_CPU ? v->cpu : m == M_CLIENT ? v->ccpu : v->rps;
		c->nvals = v->n;
		memcpy(c->failed, v->failed, sizeof c->failed);
	} else {
		snprintf(c->name, sizeof c->name, "%s/idle-conn-memory", sname);
		snprintf(c->label, sizeof c->label, "%s: RSS per idle connection (%d connections)", full,
			 IDLE_CONN);
	}
	c->bc = (struct bench_case){.name = c->name,
				    .label = c->label,
				    .cpu = -1,
				    .unit = test < 0     ? "B/conn"
					    : m != M_RPS ? "ns/request"
							 : "req/s",
				    .fixed_iters = 1,
				    .run = test >= 0 ? replay_run : mem_run,
				    .arg = c};
	return c;
}

/*
 * Requests per run and rounds per mode. A -c 10000 run spends about 8 s in redis-benchmark
 * opening its connections, whatever the server (it sleeps 50 ms after every 64), so --quick runs
 * GET alone at it, once per server and without a warm-up, to stay under 30 s; the default mode
 * runs GET with 3 rounds, --full the whole set.
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
		[BENCH_QUICK] = {{3000, 70000, 10000}, {2, 2, 1}, false, 2},
		[BENCH_DEFAULT] = {{20000, 400000, 50000}, {6, 6, 3}, false, 5},
		[BENCH_FULL] = {{100000, 2000000, 100000}, {10, 10, 5}, true, 10},
	};
	int mode = kv->e->mode;

	for (int i = 0; i < NCONF; i++) {
		kv->n[i] = m[mode].n[i];
		kv->rounds[i] = m[mode].rounds[i];
		kv->conf_all[i] = i < 2 || m[mode].all10k;
		kv->warm[i] = i < 2 || mode == BENCH_FULL;
	}
	kv->mem_rounds = m[mode].mem_rounds;
}

/* A budget of exactly rounds samples per case, after the calibration run (discarded). */
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
	kv->srv[S_KVD_BP].name = "kvd-bp";
	kv->srv[S_KVD_BP].busy_poll_us = BUSY_POLL_US;
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
	memcpy(kv->srv[S_KVD_BP].path, k->path, sizeof k->path);
	memcpy(kv->srv[S_KVD_BP].skip, k->skip, sizeof k->skip);
	kv_version("redis-server", ver, sizeof ver);
	if (!ver[0])
		snprintf(r->skip, sizeof r->skip,
			 "redis-server is not installed (Debian package redis-server)");
	kv_version("redis-benchmark", ver, sizeof ver);
	if (!ver[0])
		snprintf(kv->bench_skip, sizeof kv->bench_skip,
			 "redis-benchmark is not installed (Debian package redis-tools)");
}

/*
 * Server on one CPU; redis-benchmark on every other allowed CPU that shares no core with it (up
 * to CLIENT_MAX), with a thread on each, so that on a machine with room the client is not what
 * bounds the request rate. Unpinned on a machine with one CPU.
 */
static void placement(struct kv *kv)
{
	int a = -1, b = -1, n = 0;

	if (cpu_pick_pair(kv->e->topo, CPU_PAIR_CORES, &a, &b) == 0)
		n = cpu_others(kv->e->topo, a, kv->client_cpus, CLIENT_MAX);
	else if (cpu_pick_pair(kv->e->topo, CPU_PAIR_SMT, &a, &b) == 0)
		kv->client_cpus[n++] = b; /* SMT siblings only: the client gets the server's sibling */
	else
		a = -1;
	for (int s = 0; s < NSERVERS; s++)
		kv->srv[s].cpu = a;
	kv->nclient = n > 0 ? n : 0;
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

static bool conf_has(const struct kv *kv, int f, int t)
{
	return kv->conf_all[f] || !strcmp(tests[t].name, "get");
}

/*
 * Whether server s runs test t at f: kvd --busy-poll only unpipelined, where there are rounds,
 * and in --quick only GET.
 */
static bool server_has(const struct kv *kv, int s, int f, int t)
{
	return conf_has(kv, f, t) &&
	       (s != S_KVD_BP || (confs[f].pipeline == 1 && kv->rounds[f] >= 2 &&
				  (kv->e->mode > BENCH_QUICK || !strcmp(tests[t].name, "get"))));
}

static int divisor(int f, int t)
{
	return confs[f].pipeline > 1 ? tests[t].divp : tests[t].div1;
}

static void conditions(struct kv *kv)
{
	char v[200];

	for (int s = 0; s < NSERVERS; s++) {
		struct kv_server *srv = &kv->srv[s];
		if (srv->skip[0])
			continue;
		kv_version(srv->path, v, sizeof v);
		exp_condition(kv->e, "%s: %s (%s), port %d on 127.0.0.1, %s%s%s", srv->name, srv->path, v,
			      srv->port, srv->is_redis ? "--save '' --appendonly no, " : "no AOF, ",
			      "--maxclients 10100",
			      srv->busy_poll_us
				      ? " --busy-poll 50 (unpipelined where there are rounds, "
					"GET only in --quick: what the server's sleeping costs the client)"
				      : "");
	}
	kv_version("redis-benchmark", v, sizeof v);
	if (kv->srv[S_KVD].cpu >= 0) {
		char list[CLIENT_MAX * 6] = "";
		for (int i = 0; i < kv->nclient; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", i ? "," : "",
				 kv->client_cpus[i]);
		exp_condition(kv->e,
			      "servers pinned to CPU %d, redis-benchmark (%s) to CPU%s %s%s; RLIMIT_NOFILE "
			      "%d for both",
			      kv->srv[S_KVD].cpu, v, kv->nclient > 1 ? "s" : "", list,
			      kv->nclient > 1 ? " with --threads, one per CPU"
					      : " (one thread: no other CPU is free of the servers' core)",
			      KV_NOFILE);
	} else
		exp_condition(kv->e, "one CPU: servers and redis-benchmark (%s) unpinned", v);
	for (int f = 0; f < NCONF; f++) {
		if (!kv->rounds[f]) {
			exp_condition(kv->e, "%s: not run in this mode", confs[f].label);
			continue;
		}
		if (!kv->conf_all[f]) {
			exp_condition(
				kv->e,
				"%s: `redis-benchmark -t get -n %ld %s --csv`, %d round%s alternating "
				"kvd and redis-server%s; get only, as redis-benchmark sleeps 50 ms after "
				"every 64 connections it opens (153 sleeps, 7.8 s of every run, whatever "
				"the server)%s",
				confs[f].label, kv->n[f], confs[f].label, kv->rounds[f],
				kv->rounds[f] > 1 ? "s" : "", kv->warm[f] ? " after a discarded run" : "",
				kv->rounds[f] < 2 ? "; one round, so its claims are not tested" : "");
			continue;
		}
		exp_condition(kv->e,
			      "%s: `redis-benchmark -t TEST -n %ld %s --csv`, one run per test and server "
			      "(-n / %d for lrange_100, / %d for lrange_300, so that no run is much longer "
			      "than the others); %s%d rounds; in a round each test runs on the servers back "
			      "to back, the order flipped from test to test and round to round",
			      confs[f].label, kv->n[f], confs[f].label, divisor(f, 13), divisor(f, 14),
			      kv->warm[f] ? "a discarded run with a tenth of the requests, then " : "",
			      kv->rounds[f]);
	}
	exp_condition(kv->e,
		      "redis-benchmark runs under `stdbuf -oL`, so each CSV line arrives as its test "
		      "ends; the server's and redis-benchmark's CPU time (schedstat, all threads) are "
		      "read at the start and at each line: CPU per request = that time / the test's "
		      "requests (with the run's connects, and for redis-benchmark its start; at -c 10000 "
		      "the 10000 connects and accepts)");
	exp_condition(kv->e, "ping is redis-benchmark's PING_MBULK; lrange's LPUSH, which redis-benchmark "
			     "runs first, is left out of the lrange figures; req/s, p50 and p99 are "
			     "redis-benchmark's (medians over the rounds in the notes)");
	exp_condition(kv->e,
		      "memory per idle connection: a fresh server, VmRSS with one connection, then "
		      "with %d more that sent one PING each; (after - before) / %d, %d rounds",
		      IDLE_CONN, IDLE_CONN, kv->mem_rounds);
}

/* redis-benchmark's line for test t: its name, maybe with a remark ("MSET (10 keys)"). */
static bool line_is(const struct kv_bench *b, int t)
{
	size_t n = strlen(tests[t].csv);
	return !strncmp(b->test, tests[t].csv, n) && (!b->test[n] || b->test[n] == ' ') &&
	       !strstr(b->test, "needed to benchmark");
}

/* One redis-benchmark run of test t of conf f on server s; keep: a round (else a warm-up). */
static void run_one(struct kv *kv, int f, int s, int t, bool keep)
{
	struct kv_server *srv = &kv->srv[s];
	struct kv_bench b[4];
	struct kv_vals *v = &kv->v[f][t][s];
	char err[200];
	long n = kv->n[f] / divisor(f, t) / (keep ? 1 : 10);
	struct kv_bench_run run = {.port = srv->port,
				   .server = srv->pid,
				   .cpus = kv->client_cpus,
				   .ncpus = kv->nclient,
				   .threads = kv->nclient,
				   .tests = tests[t].arg,
				   .n = n,
				   .clients = confs[f].clients,
				   .pipeline = confs[f].pipeline};
	int nb, i;

	if (v->failed[0])
		return;
	nb = kv_benchmark(&run, b, 4, err, sizeof err);
	for (i = 0; i < nb && !line_is(&b[i], t); i++)
		;
	if (i >= nb || nb < 0) {
		snprintf(v->failed, sizeof v->failed, "%s",
			 nb < 0 ? err : "no line for the test in redis-benchmark's output");
		return;
	}
	if (!keep || v->n >= MAX_KEEP)
		return;
	v->rps[v->n] = b[i].rps;
	v->cpu[v->n] = b[i].server_ns / (double)n;
	v->ccpu[v->n] = b[i].client_ns / (double)n;
	v->p50[v->n] = b[i].p50_ms;
	v->p99[v->n] = b[i].p99_ms;
	/* a share of the CPUs it was given: 100% is all of them busy */
	v->client_busy[v->n] = b[i].client_ns / b[i].wall_ns / (kv->nclient > 1 ? kv->nclient : 1);
	v->server_busy[v->n] = b[i].server_ns / b[i].wall_ns;
	v->ms[v->n++] = (double)n * 1e3 / b[i].rps;
}

/*
 * The rounds of configuration f. Within a round each test runs on every server back to back, in
 * an order that flips from one test to the next and from one round to the next (ABBA), so that
 * the runs a ratio compares are a fraction of a second apart: this machine's speed wanders by
 * 10-20% over seconds. kvd sits between the two servers it is compared with.
 */
static void measure(struct kv *kv, int f)
{
	static const int order[NSERVERS] = {S_KVD_BP, S_KVD, S_REDIS};

	if (kv->bench_skip[0])
		return;
	for (int r = kv->warm[f] ? -1 : 0; r < kv->rounds[f]; r++)
		for (int t = 0; t < NTESTS; t++)
			for (int j = 0; j < NSERVERS; j++) {
				int s = order[(r + 1 + t) % 2 ? NSERVERS - 1 - j : j];
				if (!kv->srv[s].skip[0] && server_has(kv, s, f, t))
					run_one(kv, f, s, t, r >= 0);
			}
}

/* Records cases cs[n] (replays of what the rounds measured) as one group of the results. */
static void run_cases(struct kv *kv, struct kv_case *const *cs, size_t n, const char *group, int rounds)
{
	const struct bench_case *run[NMEASURES * NSERVERS];
	struct bench_budget bb = rounds_budget(kv, rounds);
	size_t k = 0;

	for (size_t i = 0; i < n && k < sizeof run / sizeof run[0]; i++) {
		struct kv_case *c = cs[i];
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

/* The median of v[n] (0 when empty), and its extremes in lo and hi when not NULL. */
static double median(const double *v, int n, double *lo, double *hi)
{
	double t[MAX_VALS];

	if (n <= 0 || n > MAX_VALS)
		return 0;
	memcpy(t, v, (size_t)n * sizeof *t);
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	if (lo)
		*lo = t[0];
	if (hi)
		*hi = t[n - 1];
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void note_failures(struct kv *kv, const struct kv_case *a, const struct kv_case *b)
{
	for (const struct kv_case *c = a; c; c = c == a ? b : NULL) {
		const struct bench_result *r = exp_result(kv->e, c->name);
		if (r && r->status == BENCH_FAILED && c->failed[0])
			exp_note(kv->e, "%s failed while measured: %s", c->name, c->failed);
	}
}

/* "get, -c 50: kvd 66k req/s (p50 0.37 ms, p99 0.61 ms), 4105 ns CPU/request; redis-server ...". */
static void note_pair(struct kv *kv, int f, int t)
{
	char side[NSERVERS][160], ratio[96] = "";
	double rps[NSERVERS] = {0}, cpu[NSERVERS] = {0};

	for (int s = 0; s < NSERVERS; s++) {
		const struct kv_vals *v = &kv->v[f][t][s];
		if (!v->n) {
			snprintf(side[s], sizeof side[s], "not measured");
			continue;
		}
		rps[s] = median(v->rps, v->n, NULL, NULL);
		cpu[s] = median(v->cpu, v->n, NULL, NULL);
		snprintf(side[s], sizeof side[s],
			 "%.0fk req/s (p50 %.3f ms, p99 %.3f ms), %.0f ns CPU/request", rps[s] / 1e3,
			 median(v->p50, v->n, NULL, NULL), median(v->p99, v->n, NULL, NULL), cpu[s]);
	}
	if (rps[S_KVD] > 0 && rps[S_REDIS] > 0 && cpu[S_REDIS] > 0)
		snprintf(ratio, sizeof ratio, ": req/s %.2fx, CPU per request %.2fx",
			 rps[S_KVD] / rps[S_REDIS], cpu[S_KVD] / cpu[S_REDIS]);
	exp_note(kv->e, "%s, %s: kvd %s; redis-server %s%s", tests[t].name, confs[f].label, side[S_KVD],
		 side[S_REDIS], ratio);
}

/*
 * What bounds the request rate at f, measured: the share of each test's wall time that
 * redis-benchmark and the servers spent on CPU (at -c 10000 the wall time is mostly the client's
 * sleeping while it connects, so the shares say nothing there and are left out). Plus how coarse
 * redis-benchmark's req/s is: it times a test in whole milliseconds.
 */
static void note_bound(struct kv *kv, int f)
{
	static double cl[MAX_VALS], sv[NSERVERS][NTESTS * MAX_KEEP];
	double clo, chi, slo[NSERVERS], shi[NSERVERS], smed[NSERVERS], ms_min = 1e30;
	int ncl = 0, nsv[NSERVERS] = {0};

	for (int t = 0; t < NTESTS; t++)
		for (int s = 0; s < NSERVERS; s++) {
			const struct kv_vals *v = &kv->v[f][t][s];
			for (int i = 0; i < v->n; i++) {
				cl[ncl++] = v->client_busy[i];
				sv[s][nsv[s]++] = v->server_busy[i];
				ms_min = v->ms[i] < ms_min ? v->ms[i] : ms_min;
			}
		}
	if (!ncl)
		return;
	exp_note(kv->e,
		 "%s: redis-benchmark times each test in whole milliseconds; the shortest run lasted %.0f "
		 "ms, so a req/s figure is within %.1f%% of the truth",
		 confs[f].label, ms_min, 100.0 / ms_min);
	if (confs[f].clients > 64)
		return;
	double cmed = median(cl, ncl, &clo, &chi);
	for (int s = 0; s < NSERVERS; s++)
		smed[s] = median(sv[s], nsv[s], &slo[s], &shi[s]);
	exp_note(kv->e,
		 "%s: on-CPU share of each test's wall time: redis-benchmark %.0f%% (median of %d runs, "
		 "%.0f-%.0f%%), kvd %.0f%% (%.0f-%.0f%%), redis-server %.0f%% (%.0f-%.0f%%)%s",
		 confs[f].label, cmed * 100, ncl, clo * 100, chi * 100, smed[S_KVD] * 100, slo[S_KVD] * 100,
		 shi[S_KVD] * 100, smed[S_REDIS] * 100, slo[S_REDIS] * 100, shi[S_REDIS] * 100,
		 cmed >= 0.9 ? ": redis-benchmark is the bottleneck, so req/s depends on the client's work "
			       "per reply as much as on the server; server CPU per request is the server's "
			       "own cost"
			     : "");
}

/*
 * One paired claim per test and configuration and per measure: the target is "every
 * test of the set", so a summary over tests would hide the one that misses it. The ratio is the
 * median of the per-round ratios (the rounds alternate the servers, so a drift cancels).
 */
/*
 * A claim on the median of the per-round ratios a/b against 1.0 (at most, or at least), paired:
 * the rounds alternate the servers, so a drift cancels. Not tested with one round at conf.
 */
static void claim_ratio(struct kv *kv, int conf, const char *a, const char *b, bool at_most, const char *fmt,
			...) __attribute__((format(printf, 6, 7)));
static void claim_ratio(struct kv *kv, int conf, const char *a, const char *b, bool at_most, const char *fmt,
			...)
{
	static char text[NCONF * NTESTS * 3 + 8][128]; /* the results keep pointers to the texts */
	static size_t used;
	char *t = text[used < sizeof text / sizeof text[0] - 1 ? used++ : used];
	struct claim cl = {.text = t,
			   .a = a,
			   .b = b,
			   .kind = at_most ? CLAIM_AT_MOST : CLAIM_AT_LEAST,
			   .threshold = 1.0,
			   .expect = "appear"};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof text[0], fmt, ap);
	va_end(ap);
	if (kv->rounds[conf] < 2) {
		/* One pair of runs has no spread: a verdict on it would be a coin toss shown as sure. */
		claim_not_tested(&cl, "one round in this mode (the default mode runs 3)");
		results_add_claim(kv->e->node, &cl);
		return;
	}
	exp_claim_paired(kv->e, &cl, NULL);
}

/*
 * One claim per test, configuration and measure: the target is "every test of the set",
 * so a summary over tests would hide the one that misses it.
 */
static void claim_pair(struct kv *kv, const struct kv_case *kc, const struct kv_case *rc, bool cpu)
{
	const char *test = tests[kc->test].name, *conf = confs[kc->conf].label;

	if (cpu)
		claim_ratio(kv, kc->conf, kc->name, rc->name, true,
			    "kvd uses no more CPU per request than redis-server on %s at %s", test, conf);
	else
		claim_ratio(kv, kc->conf, kc->name, rc->name, false,
			    "kvd serves %s at %s at least as many requests/s as redis-server", test, conf);
}

/*
 * kvd --busy-poll beside kvd and redis-server on test t at f. A server asleep in epoll_wait is
 * woken by the client's write, on the client's CPU; one that polls is not. When the client is
 * what bounds the rate, polling should lower the client's CPU per request and raise req/s, at
 * the price of the server's idle CPU. GET carries the claims on the mechanism (the client's CPU
 * per request against each server); every test, the claim against redis-server.
 */
static void busy_poll_cases(struct kv *kv, int f, int t)
{
	static char group[NCONF][80];
	bool get = !strcmp(tests[t].name, "get");
	struct kv_case *cs[5] = {add(kv, S_KVD_BP, t, f, M_RPS), add(kv, S_KVD_BP, t, f, M_CPU)};
	size_t n = 2;
	const char *test = tests[t].name, *conf = confs[f].label;
	const struct kv_vals *vb = &kv->v[f][t][S_KVD_BP], *vk = &kv->v[f][t][S_KVD];
	char kvd_rps[48], redis_rps[48];

	if (get) {
		cs[n++] = add(kv, S_KVD_BP, t, f, M_CLIENT);
		cs[n++] = add(kv, S_KVD, t, f, M_CLIENT);
		cs[n++] = add(kv, S_REDIS, t, f, M_CLIENT);
	}
	snprintf(group[f], sizeof group[f], "kvd --busy-poll %d, %s", BUSY_POLL_US, conf);
	run_cases(kv, cs, n, group[f], kv->rounds[f]);
	snprintf(kvd_rps, sizeof kvd_rps, "kvd/%s/%s", test, confs[f].name);
	snprintf(redis_rps, sizeof redis_rps, "redis/%s/%s", test, confs[f].name);
	if (get) {
		claim_ratio(kv, f, cs[0]->name, kvd_rps, false,
			    "polling before sleep raises kvd's requests/s on %s at %s", test, conf);
		claim_ratio(kv, f, cs[2]->name, cs[3]->name, true,
			    "redis-benchmark spends less CPU per request on %s at %s when kvd polls", test,
			    conf);
	}
	claim_ratio(kv, f, cs[0]->name, redis_rps, false,
		    "kvd --busy-poll %d serves %s at %s at least as many requests/s as redis-server",
		    BUSY_POLL_US, test, conf);
	note_failures(kv, cs[0], cs[1]);
	if (vb->n && vk->n)
		exp_note(kv->e,
			 "%s, %s, kvd --busy-poll %d: %.0fk req/s, server %.0f ns and redis-benchmark %.0f "
			 "ns CPU/request; kvd: %.0fk req/s, %.0f and %.0f ns (medians)",
			 test, conf, BUSY_POLL_US, median(vb->rps, vb->n, NULL, NULL) / 1e3,
			 median(vb->cpu, vb->n, NULL, NULL), median(vb->ccpu, vb->n, NULL, NULL),
			 median(vk->rps, vk->n, NULL, NULL) / 1e3, median(vk->cpu, vk->n, NULL, NULL),
			 median(vk->ccpu, vk->n, NULL, NULL));
}

static void memory(struct kv *kv)
{
	struct kv_case *k = add(kv, S_KVD, -1, 0, M_RPS), *r = add(kv, S_REDIS, -1, 0, M_RPS);
	struct kv_case *cs[] = {k, r};
	const struct bench_result *a, *b;
	struct claim cl = {.text = "kvd uses no more memory per idle connection than redis-server",
			   .a = k->name,
			   .b = r->name,
			   .kind = CLAIM_AT_MOST,
			   .threshold = 1.0,
			   .expect = "appear"};

	run_cases(kv, cs, 2, "memory per idle connection", kv->mem_rounds);
	exp_claim_paired(kv->e, &cl, NULL);
	a = exp_result(kv->e, k->name);
	b = exp_result(kv->e, r->name);
	if (a && b && a->status == BENCH_OK && b->status == BENCH_OK)
		exp_note(kv->e, "memory per idle connection: kvd %.0f B, redis-server %.0f B (%.2fx)",
			 a->summary.median, b->summary.median,
			 b->summary.median > 0 ? a->summary.median / b->summary.median : 0);
	note_failures(kv, k, r);
}

static void throughput(struct kv *kv)
{
	static char group[NCONF][2][64];

	for (int f = 0; f < NCONF; f++) {
		if (!kv->rounds[f])
			continue;
		snprintf(group[f][0], sizeof group[f][0], "redis-benchmark %s", confs[f].label);
		snprintf(group[f][1], sizeof group[f][1], "server CPU per request, %s", confs[f].label);
		measure(kv, f);
		for (int t = 0; t < NTESTS; t++) {
			if (!conf_has(kv, f, t))
				continue;
			for (int cpu = 0; cpu < 2; cpu++) {
				struct kv_case *k = add(kv, S_KVD, t, f, cpu ? M_CPU : M_RPS),
					       *r = add(kv, S_REDIS, t, f, cpu ? M_CPU : M_RPS);
				struct kv_case *cs[] = {k, r};
				run_cases(kv, cs, 2, group[f][cpu], kv->rounds[f]);
				claim_pair(kv, k, r, cpu);
				if (cpu)
					note_pair(kv, f, t);
				else
					note_failures(kv, k, r);
			}
			if (server_has(kv, S_KVD_BP, f, t))
				busy_poll_cases(kv, f, t);
		}
		note_bound(kv, f);
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
	.title = "kvd against redis-server: redis-benchmark requests/s, server CPU per request, latency "
		 "and memory per connection",
	.question = "Does kvd, one epoll thread like Redis, serve redis-benchmark's tests at least as fast "
		    "as redis-server, with no more CPU per request and no more memory per idle "
		    "connection?",
	.shows = "redis-benchmark req/s, p50, p99 and server CPU per request of kvd and redis-server at "
		 "-c 50, -P 32 and -c 10000; bytes per idle connection",
	.run = kv_run,
};
