/* SPDX-License-Identifier: MIT */
/* kv: the servers and the redis-benchmark runs of the kv experiment. */
#ifndef SYSLAB_KV_H
#define SYSLAB_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KV_NOFILE 16384 /* RLIMIT_NOFILE for the servers and the client: 10000 clients and room */

/* A server to measure: kvd or redis-server, started by kv_server_start. */
struct kv_server {
	const char *name; /* "kvd", "redis" */
	char path[4096];  /* the program */
	bool is_redis;    /* redis-server's options (--save '' --appendonly no) */
	int busy_poll_us; /* kvd's --busy-poll, 0: not given */
	int cpu;          /* pinned there, or -1 */
	int port;         /* loopback TCP, a free port */
	pid_t pid;        /* 0 when not running */
	char skip[200];   /* why it cannot be measured here, "" when it can */
};

/* One redis-benchmark run: `-t tests -n n -c clients [-P pipeline] [--threads N] --csv`. */
struct kv_bench_run {
	int port;        /* the server's */
	pid_t server;    /* its process, whose CPU time is read between the tests */
	const int *cpus; /* redis-benchmark pinned to these CPUs; none: not pinned */
	int ncpus;
	int threads;       /* its --threads, 0 or 1: one thread (its default) */
	const char *tests; /* redis-benchmark's -t list: "set,get" */
	long n;            /* requests per test */
	int clients, pipeline;
};

/* One test's line of a run, with the CPU time each side spent from the previous line to this one. */
struct kv_bench {
	char test[96]; /* redis-benchmark's name: "GET", "LRANGE_100 (first 100 elements)" */
	double rps, p50_ms, p99_ms;
	double server_ns; /* the server's on-CPU time (all its threads), -1 when unreadable */
	double client_ns; /* redis-benchmark's, -1 when unreadable */
	double wall_ns;
};

/*
 * Starts s on a free loopback port, pinned to s->cpu, RLIMIT_NOFILE raised, and waits until it
 * answers PING. 0, or -errno with why in err (its first line of stderr when it exited).
 */
int kv_server_start(struct kv_server *s, char *err, size_t len);
/* Kills s (SIGKILL to its process group) and reaps it; harmless when it is not running. */
void kv_server_stop(struct kv_server *s);

/*
 * Runs redis-benchmark as run says, reading the server's and its own CPU time (schedstat) as each
 * CSV line arrives. Returns the number of lines in out[max] (in redis-benchmark's order, which may
 * hold lines of tests not asked for: LRANGE's LPUSH), or -errno with why in err.
 */
int kv_benchmark(const struct kv_bench_run *run, struct kv_bench *out, int max, char *err, size_t len);

/* The on-CPU nanoseconds of all pid's threads so far (/proc/PID/task/TID/schedstat), or -1. */
long long kv_cpu_ns(pid_t pid);

/* The server's resident memory in bytes (VmRSS), or -1. */
long kv_rss(pid_t pid);
/*
 * Opens n idle connections to port and makes sure the server served each (a PING each); returns
 * 0 with the fds in fds[n] (the caller closes them), or -errno.
 */
int kv_open_idle(int port, int n, int *fds);

/* The first line of `prog --version` (e.g. "Redis server v=7.0.15 ..."), or "". */
void kv_version(const char *prog, char *buf, size_t len);

/* A Ctrl-C, TERM, HUP or QUIT while servers run: they and the running client are killed. */
void kv_guard_set(void);
void kv_guard_clear(void);

#endif
