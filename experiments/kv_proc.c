// SPDX-License-Identifier: MIT
/* kv_proc: starts kvd and redis-server, runs redis-benchmark against them and reads their memory. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "childwait.h"
#include "fdtext.h"
#include "kv.h"
#include "sigguard.h"

#define KV_GUARD_MAX 4
#define KV_START_MS  5000
#define KV_BENCH_S   300 /* a -c 10000 run spends seconds opening its connections */
#define KV_MAX_ARGS  32

/*
 * A fatal signal while servers run must not leave them running: the handler kills every process
 * group it knows (each server and redis-benchmark run in their own) and dies of the signal.
 */
static struct sigguard guard;
static volatile sig_atomic_t guard_pids[KV_GUARD_MAX];

static void guard_handler(int sig)
{
	for (int i = 0; i < KV_GUARD_MAX; i++)
		if (guard_pids[i] > 0)
			kill(-(pid_t)guard_pids[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

void kv_guard_set(void)
{
	sigguard_set(&guard, guard_handler);
}

void kv_guard_clear(void)
{
	sigguard_clear(&guard);
}

static void guard_add(pid_t pid)
{
	for (int i = 0; i < KV_GUARD_MAX; i++)
		if (!guard_pids[i]) {
			guard_pids[i] = pid;
			return;
		}
}

static void guard_del(pid_t pid)
{
	for (int i = 0; i < KV_GUARD_MAX; i++)
		if (guard_pids[i] == pid)
			guard_pids[i] = 0;
}

/*
 * In the child: its own process group, RLIMIT_NOFILE raised (as far as the hard limit allows, or
 * further as root), pinned, stdin from /dev/null, then the program. Only async-signal-safe calls:
 * the caller may have threads. A failure goes back through report as an errno.
 */
static _Noreturn void child(char *const argv[], const int *cpus, int ncpus, int out, int errfd, int report)
{
	struct rlimit rl;
	cpu_set_t set;
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC), e = 0;

	setpgid(0, 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < KV_NOFILE) {
		struct rlimit want = {KV_NOFILE, rl.rlim_max > KV_NOFILE ? rl.rlim_max : KV_NOFILE};
		if (setrlimit(RLIMIT_NOFILE, &want) < 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	CPU_ZERO(&set);
	for (int i = 0; i < ncpus; i++)
		if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE)
			CPU_SET(cpus[i], &set);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		e = errno;
	else if (CPU_COUNT(&set) && sched_setaffinity(0, sizeof set, &set) < 0)
		e = errno;
	else if (execvp(argv[0], argv) < 0)
		e = errno;
	if (write(report, &e, sizeof e) < 0)
		_exit(126);
	_exit(127);
}

/* Forks argv, pinned to cpus[ncpus] (none: not pinned); 0 with *pid once it has exec'd, or -errno. */
static int spawn(char *const argv[], const int *cpus, int ncpus, int out, int errfd, pid_t *pid)
{
	int pipefd[2], e = 0, rc;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	if ((*pid = fork()) == 0)
		child(argv, cpus, ncpus, out, errfd, pipefd[1]);
	rc = *pid < 0 ? -errno : 0;
	close(pipefd[1]);
	if (rc)
		goto out;
	setpgid(*pid, *pid);
	guard_add(*pid);
	/* The pipe closes on exec: reading 0 bytes means the program runs. */
	while ((rc = (int)read(pipefd[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	if (rc == (int)sizeof e) {
		waitpid(*pid, NULL, 0);
		guard_del(*pid);
		*pid = 0;
		rc = -e;
	} else {
		rc = 0;
	}
out:
	close(pipefd[0]);
	return rc;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &n) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port > 0 ? port : -EADDRNOTAVAIL;
}

/* A blocking loopback connection to port, or -errno. */
static int dial(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Sends PING and waits up to ms for +PONG. 0, or -errno. */
static int ping(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[64];
	size_t got = 0;

	if (write(fd, "PING\r\n", 6) != 6)
		return -EIO;
	while (got < 7) {
		ssize_t r;
		if (poll(&p, 1, ms) <= 0)
			return -ETIMEDOUT;
		if ((r = read(fd, buf + got, sizeof buf - 1 - got)) <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		got += (size_t)r;
	}
	return memcmp(buf, "+PONG\r\n", 7) ? -EPROTO : 0;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* Waits until the server on port answers PING, or it exited, or KV_START_MS passed. */
static int wait_ready(struct kv_server *s)
{
	long t0 = now_ms();
	int status;

	for (;;) {
		int fd = dial(s->port), rc = fd < 0 ? fd : ping(fd, 1000);
		if (fd >= 0)
			close(fd);
		if (rc == 0)
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			guard_del(s->pid);
			s->pid = 0;
			return -ECHILD;
		}
		if (now_ms() - t0 > KV_START_MS)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

int kv_server_start(struct kv_server *s, char *err, size_t len)
{
	char port[16], maxclients[16], poll[16];
	char *kvd[] = {s->path,        "--port",   port, "--bind", "127.0.0.1",
		       "--maxclients", maxclients, NULL, NULL,     NULL};
	char *redis[] = {s->path,    "--port",    port, "--bind",           "127.0.0.1", "--maxclients",
			 maxclients, "--save",    "",   "--appendonly",     "no",        "--daemonize",
			 "no",       "--logfile", "",   "--protected-mode", "no",        NULL};
	int out = memfd_create("kv-server", MFD_CLOEXEC), rc;

	err[0] = '\0';
	if (out < 0)
		return -errno;
	if ((rc = s->port = free_port()) < 0)
		goto out;
	snprintf(port, sizeof port, "%d", s->port);
	/* 10000 benchmark clients, the control connection and room for the idle-memory count. */
	snprintf(maxclients, sizeof maxclients, "%d", 10100);
	if (s->busy_poll_us > 0) {
		snprintf(poll, sizeof poll, "%d", s->busy_poll_us);
		kvd[7] = "--busy-poll";
		kvd[8] = poll;
	}
	if ((rc = spawn(s->is_redis ? redis : kvd, &s->cpu, s->cpu >= 0, out, out, &s->pid)) < 0) {
		snprintf(err, len, "cannot start %s: %s", s->path, strerror(-rc));
		goto out;
	}
	if ((rc = wait_ready(s)) < 0) {
		char line[200];
		fdtext_line(out, true, 160, line, sizeof line);
		if (rc == -ECHILD)
			snprintf(err, len, "%s exited at start%s%s", s->path, line[0] ? ": " : "", line);
		else
			snprintf(err, len, "%s did not answer PING on port %d within %d ms", s->path, s->port,
				 KV_START_MS);
		kv_server_stop(s);
	}
out:
	close(out);
	return rc;
}

void kv_server_stop(struct kv_server *s)
{
	if (s->pid <= 0)
		return;
	kill(-s->pid, SIGKILL);
	kill(s->pid, SIGKILL);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	guard_del(s->pid);
	s->pid = 0;
}

/* childwait_bounded, and pid is no longer the signal guard's to kill. */
static int wait_bounded(pid_t pid, int timeout_s, int *status)
{
	int rc = childwait_bounded(pid, timeout_s, status);
	guard_del(pid);
	return rc;
}

/* The CSV field at *p (quoted), copied into buf; *p moves past it and its comma. */
static void csv_field(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n = 0;
	bool quoted = *s == '"';

	s += quoted;
	while (*s && (quoted ? *s != '"' : *s != ',' && *s != '\n')) {
		if (n + 1 < len)
			buf[n++] = *s;
		s++;
	}
	buf[n] = '\0';
	s += quoted && *s == '"';
	s += *s == ',';
	*p = s;
}

/*
 * One line of redis-benchmark's CSV: "test","rps","avg_latency_ms","min_latency_ms",
 * "p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms" (redis-benchmark 7). A test's
 * name is upper case and may carry a remark: "LRANGE_100 (first 100 elements)". 0, or -ENOENT for
 * the header and anything else.
 */
static int parse_csv_line(const char *line, struct kv_bench *b)
{
	char f[8][96];
	const char *q = line;

	if (line[0] != '"')
		return -ENOENT;
	for (int i = 0; i < 8; i++)
		csv_field(&q, f[i], sizeof f[i]);
	if (!strcmp(f[0], "test"))
		return -ENOENT;
	snprintf(b->test, sizeof b->test, "%s", f[0]);
	b->rps = strtod(f[1], NULL);
	b->p50_ms = strtod(f[4], NULL);
	b->p99_ms = strtod(f[6], NULL);
	return b->rps > 0 ? 0 : -ENOENT;
}

long long kv_cpu_ns(pid_t pid)
{
	char path[64], line[128];
	long long sum = 0, ns;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if (!(dir = opendir(path)))
		return -1;
	while ((d = readdir(dir))) {
		FILE *f;
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%.20s/schedstat", (int)pid, d->d_name);
		if (!(f = fopen(path, "re")))
			continue; /* the thread exited meanwhile */
		if (fgets(line, sizeof line, f) && sscanf(line, "%lld", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The state of one run while its lines come in: the counters at the previous line. */
struct bench_reader {
	const struct kv_bench_run *run;
	pid_t client;
	long long server0, client0, t0;
	struct kv_bench *out;
	int max, n;
	char last[200]; /* the last line that was not a result, for the error */
};

/* A whole line from redis-benchmark: the counters are read now, as close to the test's end as can be. */
static void on_line(struct bench_reader *rd, char *line)
{
	long long srv = kv_cpu_ns(rd->run->server), cli = kv_cpu_ns(rd->client), t = now_ns();
	struct kv_bench b = {0};

	line[strcspn(line, "\r")] = '\0';
	if (parse_csv_line(line, &b) == 0 && rd->n < rd->max) {
		b.server_ns = srv >= 0 && rd->server0 >= 0 ? (double)(srv - rd->server0) : -1;
		b.client_ns = cli >= 0 && rd->client0 >= 0 ? (double)(cli - rd->client0) : -1;
		b.wall_ns = (double)(t - rd->t0);
		rd->out[rd->n++] = b;
	} else if (line[0] && line[0] != '"') {
		snprintf(rd->last, sizeof rd->last, "%.160s", line);
	}
	rd->server0 = srv;
	rd->client0 = cli >= 0 ? cli : rd->client0;
	rd->t0 = t;
}

/* Reads fd until EOF or the deadline, handing each line to on_line. 0 or -ETIMEDOUT. */
static int read_lines(int fd, struct bench_reader *rd, long long deadline)
{
	char buf[4096];
	size_t have = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = (deadline - now_ns()) / 1000000;
		ssize_t r;
		char *nl;
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			return -errno;
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((r = read(fd, buf + have, sizeof buf - 1 - have)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		have += (size_t)r;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			on_line(rd, buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof buf - 1) /* a line longer than anything redis-benchmark writes */
			have = 0;
	}
	if (have) {
		buf[have] = '\0';
		on_line(rd, buf);
	}
	return 0;
}

/*
 * redis-benchmark's stdout is a pipe, which stdio buffers fully: stdbuf -oL makes it write each
 * CSV line as its test ends, so that the CPU counters can be read between tests.
 */
int kv_benchmark(const struct kv_bench_run *run, struct kv_bench *out, int max, char *err, size_t len)
{
	char sport[16], sn[24], sc[16], sp[16], st[16];
	char *argv[KV_MAX_ARGS] = {"stdbuf", "-oL",       "redis-benchmark",
				   "-h",     "127.0.0.1", "-p",
				   sport,    "-t",        (char *)run->tests,
				   "-n",     sn,          "-c",
				   sc,       "--csv",     NULL};
	struct bench_reader rd = {.run = run, .out = out, .max = max};
	int pfd[2], status = 0, rc;
	pid_t pid;

	err[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	snprintf(sport, sizeof sport, "%d", run->port);
	snprintf(sn, sizeof sn, "%ld", run->n);
	snprintf(sc, sizeof sc, "%d", run->clients);
	snprintf(sp, sizeof sp, "%d", run->pipeline);
	snprintf(st, sizeof st, "%d", run->threads);
	int a = 14;
	if (run->pipeline > 1) {
		argv[a++] = "-P";
		argv[a++] = sp;
	}
	if (run->threads > 1) {
		argv[a++] = "--threads";
		argv[a++] = st;
	}
	argv[a] = NULL;
	rd.server0 = kv_cpu_ns(run->server);
	rd.t0 = now_ns();
	rc = spawn(argv, run->cpus, run->ncpus, pfd[1], pfd[1], &pid);
	close(pfd[1]);
	if (rc < 0) {
		snprintf(err, len, "cannot run stdbuf redis-benchmark: %s", strerror(-rc));
		goto out;
	}
	rd.client = pid;
	rd.client0 = 0; /* a new process: everything it spends counts */
	rc = read_lines(pfd[0], &rd, rd.t0 + KV_BENCH_S * 1000000000LL);
	if (rc < 0)
		kill(-pid, SIGKILL);
	wait_bounded(pid, rc < 0 ? 1 : KV_BENCH_S, &status);
	if (rc < 0) {
		snprintf(err, len, "redis-benchmark -t %s did not finish within %d s", run->tests,
			 KV_BENCH_S);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !rd.n) {
		snprintf(err, len, "redis-benchmark -t %s failed: %s", run->tests,
			 rd.last[0] ? rd.last : "no result line");
		rc = -EIO;
		goto out;
	}
	rc = rd.n;
out:
	close(pfd[0]);
	return rc;
}

long kv_rss(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/*
 * Connects all n first (non-blocking, so the server's backlog is the only queue), then PINGs
 * each: a server that answered has accepted and registered the connection.
 */
int kv_open_idle(int port, int n, int *fds)
{
	int i, rc = 0;

	/*
	 * One at a time, each answered before the next connect: a burst of connects would overflow
	 * the server's listen backlog (511 for redis-server), and a dropped SYN is retried after 1 s.
	 */
	for (i = 0; i < n; i++) {
		if ((fds[i] = dial(port)) < 0) {
			rc = fds[i];
			goto fail;
		}
		if ((rc = ping(fds[i], 5000)) < 0) {
			i++;
			goto fail;
		}
	}
	return 0;
fail:
	while (i-- > 0)
		close(fds[i]);
	return rc;
}

void kv_version(const char *prog, char *buf, size_t len)
{
	char *argv[] = {(char *)prog, "--version", NULL};
	int fd = memfd_create("kv-version", MFD_CLOEXEC), status;
	pid_t pid;

	buf[0] = '\0';
	if (fd < 0)
		return;
	if (spawn(argv, NULL, 0, fd, fd, &pid) == 0 && wait_bounded(pid, 10, &status) == 0)
		fdtext_line(fd, true, 160, buf, len);
	close(fd);
}
