// SPDX-License-Identifier: MIT
/* syslat_anchor: runs fio or ioping once on a file and reads back the latency of each of its reads. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <syslab/tmpdir.h>

#include "childwait.h"
#include "fdtext.h"
#include "sigguard.h"
#include "syslat_anchor.h"

#define ANCHOR_TIMEOUT_S 60
#define ANCHOR_MAX_ARGS  40

static const char *const tool_name[] = {[ANCHOR_FIO] = "fio", [ANCHOR_IOPING] = "ioping"};

/* A command line, formatted as one string of newline-separated arguments, then cut into v. */
struct anchor_argv {
	char *v[ANCHOR_MAX_ARGS + 1];
	char pool[2 * PATH_MAX + 1024];
};

/*
 * fio: --readonly and --allow_file_create=0, so it never writes, extends or creates the file.
 * --size keeps the offsets in the region; io_size = nios * bs and number_ios = nios make exactly
 * nios reads even when they outnumber the region's blocks; --norandommap draws offsets with
 * repeats, as ioping does. --invalidate=0 also for DIRECT: fio would otherwise drop the file's
 * cache at the start and undo the caller's warming. The clat log (log_avg_msec=0) has one line
 * per IO, in ns in fio 3.x. --thread: a job process calls setsid() and would outlive a timeout.
 *
 * ioping: -i 0 for back-to-back requests; -a 0 so the first request counts like the others (by
 * default it is a "(warmup)" left out of ioping's statistics); -J for each request's time in whole
 * ns (its text rounds to 3 digits). Without -C, ioping calls posix_fadvise(FADV_RANDOM) once and
 * posix_fadvise(DONTNEED) on the request's 4 KiB before each pread: its cold mode. With -D that
 * drop would only cost a syscall and evict the caller's warm pages, so DIRECT adds -C.
 */
static int build_argv(const struct anchor_run *a, const char *dir, struct anchor_argv *b)
{
	unsigned long long region = a->region, io_size = (unsigned long long)a->nios * a->bs;
	const char *mode = a->mode == ANCHOR_WARM ? "\n-C" : a->mode == ANCHOR_DIRECT ? "\n-C\n-D" : "";
	char *p = b->pool;
	int n, i = 0;

	if (a->tool == ANCHOR_FIO && a->mode == ANCHOR_COLD)
		return -ENOTSUP;
	if (a->tool == ANCHOR_FIO)
		n = snprintf(b->pool, sizeof b->pool,
			     "fio\n--name=syslat\n--thread\n--filename=%s\n--readonly\n--allow_file_create=0"
			     "\n--size=%llu\n--io_size=%llu\n--number_ios=%u\n--bs=%u\n--rw=randread\n"
			     "--norandommap\n--ioengine=psync\n--iodepth=1\n--invalidate=0\n--direct=%d\n"
			     "--write_lat_log=%s/lat\n--log_avg_msec=0\n--eta=never\n--output-format=json",
			     a->path, region, io_size, a->nios, a->bs, a->mode == ANCHOR_DIRECT, dir);
	else
		n = snprintf(b->pool, sizeof b->pool,
			     "ioping\n-c\n%u\n-i\n0\n-s\n%u\n-S\n%llu\n-a\n0\n-J%s\n--\n%s", a->nios, a->bs,
			     region, mode, a->path);
	if (n < 0 || (size_t)n >= sizeof b->pool)
		return -ENAMETOOLONG;
	for (; p && i < ANCHOR_MAX_ARGS; i++) {
		b->v[i] = p;
		if ((p = strchr(p, '\n')))
			*p++ = '\0';
	}
	b->v[i] = NULL;
	return p ? -E2BIG : 0;
}

void anchor_command(const struct anchor_run *a, char *buf, size_t len)
{
	struct anchor_argv b;
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	if (!a->path || build_argv(a, "<tmp>", &b) < 0)
		return;
	for (int i = 0; b.v[i] && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "", b.v[i]);
}

/*
 * In the child: a process group of its own (a timeout kills the group), stdin from /dev/null,
 * pinned, then the tool. Nothing that allocates or locks, as the caller may have threads (glibc's
 * execvp builds its paths on the stack). A failure goes back through report as an errno, negated
 * when pinning failed.
 */
static _Noreturn void child(char *const argv[], int cpu, int out, int errfd, int report)
{
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC), e = 0;
	cpu_set_t set;

	setpgid(0, 0);
	CPU_ZERO(&set);
	if (cpu >= 0 && cpu < CPU_SETSIZE)
		CPU_SET(cpu, &set);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		e = errno;
	else if (cpu >= 0 && sched_setaffinity(0, sizeof set, &set) < 0)
		e = -errno;
	else if (execvp(argv[0], argv) < 0)
		e = errno;
	if (write(report, &e, sizeof e) < 0)
		_exit(126);
	_exit(127);
}

/*
 * A fatal signal while a tool runs (Ctrl-C reaches only our process group: the tool has its own)
 * must not leave the tool running or its directory behind. The handler kills the tool's group,
 * unlinks the files fio writes, removes the directory and dies of the signal as it would have.
 * Only async-signal-safe calls; the names are fixed when the guard is set.
 */
static struct sigguard guard;
static volatile sig_atomic_t guard_pid;
static char guard_files[4][PATH_MAX]; /* fio's three latency logs, then the directory */

static void guard_handler(int sig)
{
	if (guard_pid > 0)
		kill(-(pid_t)guard_pid, SIGKILL);
	for (int i = 0; i < 3; i++)
		if (guard_files[i][0])
			unlink(guard_files[i]);
	if (guard_files[3][0])
		rmdir(guard_files[3]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_set(const char *dir)
{
	static const char *const logs[] = {"/lat_clat.1.log", "/lat_lat.1.log", "/lat_slat.1.log"};
	for (int i = 0; i < 3; i++)
		snprintf(guard_files[i], sizeof guard_files[i], "%s%s", dir, logs[i]);
	snprintf(guard_files[3], sizeof guard_files[3], "%s", dir);
	sigguard_set(&guard, guard_handler);
}

static void guard_clear(void)
{
	sigguard_clear(&guard);
	guard_pid = 0;
	for (int i = 0; i < 4; i++)
		guard_files[i][0] = '\0';
}

/* Runs argv with stdout and stderr into out and errfd: 0 with *status, or -errno with err. */
static int spawn(char *const argv[], int cpu, int timeout_s, int out, int errfd, int *status, char *err,
		 size_t len)
{
	int pipefd[2], e = 0, rc;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) == 0)
		child(argv, cpu, out, errfd, pipefd[1]);
	rc = pid < 0 ? -errno : 0;
	close(pipefd[1]);
	if (rc) {
		snprintf(err, len, "cannot fork %s: %s", argv[0], strerror(-rc));
		goto out;
	}
	setpgid(pid, pid);
	guard_pid = pid;
	/* The pipe closes on exec: reading 0 bytes means the tool runs. */
	while ((rc = (int)read(pipefd[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	if (rc == (int)sizeof e) {
		waitpid(pid, status, 0);
		rc = e < 0 ? e : -e;
		if (e == ENOENT)
			snprintf(err, len, "%s is not installed (Debian package %s)", argv[0], argv[0]);
		else if (e < 0)
			snprintf(err, len, "cannot pin %s to CPU %d: %s", argv[0], cpu, strerror(-e));
		else
			snprintf(err, len, "cannot run %s: %s", argv[0], strerror(e));
		goto out;
	}
	if ((rc = childwait_bounded(pid, timeout_s, status)) < 0)
		snprintf(err, len, "%s did not finish within %d s and was killed", argv[0], timeout_s);
out:
	close(pipefd[0]);
	return rc;
}

/* Starts "tool --version" (ioping: -v) as a run would: 0 with its first line in ver, or -errno with why. */
static int probe(enum anchor_tool t, char *ver, size_t vlen, char *why, size_t len)
{
	char *argv[] = {(char *)tool_name[t & 1], (char *)(t == ANCHOR_FIO ? "--version" : "-v"), NULL};
	int out, status, rc;

	if ((unsigned)t > ANCHOR_IOPING) {
		snprintf(why, len, "no such tool");
		return -EINVAL;
	}
	if ((out = memfd_create("anchor-version", MFD_CLOEXEC)) < 0)
		return -errno;
	rc = spawn(argv, -1, 10, out, out, &status, why, len);
	if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		snprintf(why, len, "%s %s failed", argv[0], argv[1]);
		rc = -EIO;
	}
	fdtext_line(out, false, 200, ver, vlen);
	close(out);
	return rc;
}

int anchor_available(enum anchor_tool t, char *why, size_t len)
{
	char ver[64];

	return probe(t, ver, sizeof ver, why, len);
}

const char *anchor_version(enum anchor_tool t)
{
	static char ver[2][64];
	static bool done[2];
	char why[256];

	if ((unsigned)t > ANCHOR_IOPING)
		return "";
	if (!done[t] && probe(t, ver[t], sizeof ver[t], why, sizeof why) < 0)
		ver[t][0] = '\0';
	done[t] = true;
	return ver[t];
}

/* The JSON document in text from the first line opening with c (fio may print notes before it). */
static json_t *json_from(const char *text, char c)
{
	const char *p = text;

	while (p && *p != c)
		p = (p = strchr(p, '\n')) ? p + 1 : NULL;
	return p ? json_loads(p, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
}

/* fio's JSON report (on stdout) and its clat log in dir. */
static int fio_results(int out, const char *dir, struct hist *h, double *p50_ns, char *err, size_t len)
{
	char path[PATH_MAX + 32], line[256], *text = fdtext_slurp(out);
	json_t *root = text ? json_from(text, '{') : NULL, *p50;
	unsigned long n = 0;
	FILE *log = NULL;
	int rc = -EIO;

	p50 = json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "read");
	p50 = json_object_get(json_object_get(json_object_get(p50, "clat_ns"), "percentile"), "50.000000");
	if (!json_is_number(p50)) {
		snprintf(err, len, "fio's JSON output has no clat_ns percentile 50");
		goto out;
	}
	if (p50_ns)
		*p50_ns = json_number_value(p50);
	snprintf(path, sizeof path, "%s/lat_clat.1.log", dir);
	if (!(log = fopen(path, "re"))) {
		snprintf(err, len, "fio wrote no latency log: %s", strerror(errno));
		goto out;
	}
	/* A line per IO: time (ms), latency (ns), direction, block size, then offset or priority. */
	for (long long t, v; fgets(line, sizeof line, log);)
		if (sscanf(line, "%lld, %lld", &t, &v) == 2 && ++n && h)
			hist_record(h, v);
	rc = n ? 0 : -EIO;
	if (!n)
		snprintf(err, len, "fio's latency log is empty");
out:
	if (log)
		fclose(log);
	json_decref(root);
	free(text);
	return rc;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* ioping -J prints an array: an object per request ("io": "time" in ns, "ignored"), then statistics. */
static int ioping_results(int out, struct hist *h, double *p50_ns, char *err, size_t len)
{
	char *text = fdtext_slurp(out);
	json_t *root = text ? json_from(text, '[') : NULL;
	size_t n = 0, total = json_array_size(root);
	int64_t *t = malloc((total + 1) * sizeof *t);
	int rc = -EIO;

	for (size_t i = 0; t && i < total; i++) {
		json_t *io = json_object_get(json_array_get(root, i), "io");
		json_t *time = json_object_get(io, "time");
		if (json_is_integer(time) && !json_is_true(json_object_get(io, "ignored")))
			t[n++] = json_integer_value(time);
	}
	if (!n) {
		snprintf(err, len, "ioping printed no request times");
		goto out;
	}
	qsort(t, n, sizeof *t, cmp_i64);
	for (size_t i = 0; h && i < n; i++)
		hist_record(h, t[i]);
	if (p50_ns)
		*p50_ns = n % 2 ? (double)t[n / 2] : ((double)t[n / 2 - 1] + (double)t[n / 2]) / 2;
	rc = 0;
out:
	free(t);
	json_decref(root);
	free(text);
	return rc;
}

/* Why a run cannot be made, found before any process starts: 0 or -errno with err. */
static int check_run(const struct anchor_run *a, char *err, size_t len)
{
	uint64_t size;
	struct stat st;
	int e, fd = -1;

	if ((unsigned)a->tool > ANCHOR_IOPING || (unsigned)a->mode > ANCHOR_DIRECT || !a->path || !a->bs ||
	    !a->nios || a->region < a->bs || a->region % a->bs) {
		snprintf(err, len, "bad anchor run: region must be a non-zero multiple of bs, nios non-zero");
		return -EINVAL;
	}
	if (a->tool == ANCHOR_FIO && a->mode == ANCHOR_COLD) {
		snprintf(err, len, "fio drops the cache only once per job, not before each read");
		return -ENOTSUP;
	}
	/* A newline would split the path in build_argv (and the report's line). */
	if (strchr(a->path, '\n')) {
		snprintf(err, len, "the path has a newline in it");
		return -EINVAL;
	}
	if (a->tool == ANCHOR_FIO && strchr(a->path, ':')) {
		snprintf(err, len, "fio cannot read %s: it takes ':' in a file name as a separator", a->path);
		return -EINVAL;
	}
	if (stat(a->path, &st) < 0) {
		e = errno;
		snprintf(err, len, "cannot stat %s: %s", a->path, strerror(e));
		return -e;
	}
	size = (uint64_t)st.st_size;
	/* A block device's st_size is 0: ask the device. */
	if (S_ISBLK(st.st_mode) &&
	    ((fd = open(a->path, O_RDONLY | O_CLOEXEC)) < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0))
		size = 0;
	if (fd >= 0)
		close(fd);
	/* Given a directory, ioping would write a file of its own there. */
	if (!(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) || size < a->region) {
		snprintf(err, len, "%s is not a file or block device of at least %llu bytes", a->path,
			 (unsigned long long)a->region);
		return -EINVAL;
	}
	return 0;
}

/* Before an ioping COLD run (see anchor_mode); dirty pages cannot be dropped, hence fdatasync first. */
static int drop_region(const struct anchor_run *a, char *err, size_t len)
{
	int fd = open(a->path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fdatasync(fd) < 0)
		rc = -errno;
	else
		rc = -posix_fadvise(fd, 0, (off_t)a->region, POSIX_FADV_DONTNEED);
	if (rc)
		snprintf(err, len, "cannot drop %s from the page cache: %s", a->path, strerror(-rc));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The tool's exit status as an error line, with its first words on stderr (else on stdout). */
static void failure(const char *tool, int status, int out, int errfd, char *err, size_t len)
{
	char msg[256];

	fdtext_line(errfd, false, 200, msg, sizeof msg);
	if (!msg[0])
		fdtext_line(out, false, 200, msg, sizeof msg);
	if (WIFEXITED(status))
		snprintf(err, len, "%s exited with status %d: %s", tool, WEXITSTATUS(status), msg);
	else
		snprintf(err, len, "%s was killed by signal %d: %s", tool, WTERMSIG(status), msg);
}

int anchor_run(const struct anchor_run *a, struct hist *h, double *p50_ns, char *err, size_t len)
{
	const char *tmp = getenv("TMPDIR"), *env = getenv("SYSLAB_ANCHOR_TIMEOUT");
	int out = -1, errfd = -1, status = 0, rc, timeout_s = env ? atoi(env) : 0;
	char dir[PATH_MAX] = "";
	struct anchor_argv b;

	err[0] = '\0';
	if (timeout_s <= 0 || timeout_s > 3600)
		timeout_s = ANCHOR_TIMEOUT_S;
	if ((rc = check_run(a, err, len)) < 0)
		goto out;
	snprintf(dir, sizeof dir, "%s/syslat-anchor-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		rc = -errno;
		snprintf(err, len, "cannot create a temporary directory %s: %s", dir, strerror(-rc));
		dir[0] = '\0';
		goto out;
	}
	guard_set(dir);
	if ((rc = build_argv(a, dir, &b)) < 0) {
		snprintf(err, len, "the %s command line is too long", tool_name[a->tool]);
		goto out;
	}
	/* memfds rather than pipes: the tool never blocks on a full pipe, and nothing is left on disk. */
	out = memfd_create("anchor-stdout", MFD_CLOEXEC);
	errfd = memfd_create("anchor-stderr", MFD_CLOEXEC);
	if (out < 0 || errfd < 0) {
		rc = -errno;
		snprintf(err, len, "memfd_create: %s", strerror(-rc));
		goto out;
	}
	if (a->mode == ANCHOR_COLD && (rc = drop_region(a, err, len)) < 0)
		goto out;
	if ((rc = spawn(b.v, a->cpu, timeout_s, out, errfd, &status, err, len)) < 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		failure(b.v[0], status, out, errfd, err, len);
		rc = -EIO;
		goto out;
	}
	if (a->tool == ANCHOR_FIO)
		rc = fio_results(out, dir, h, p50_ns, err, len);
	else
		rc = ioping_results(out, h, p50_ns, err, len);
out:
	if (dir[0])
		tmpdir_remove(dir);
	if (dir[0])
		guard_clear();
	if (out >= 0)
		close(out);
	if (errfd >= 0)
		close(errfd);
	return rc;
}
