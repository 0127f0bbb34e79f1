// SPDX-License-Identifier: MIT
/* Unit tests of cgroup: detection, create, attach, stats and destroy on v1, v2 and hybrid fixture trees
 * copied to a temporary directory, the error paths, and, as root, a run on the host's own cgroups. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <syslab/cgroup.h>

#include "tap.h"

/* ThreadSanitizer runs a background thread in every process, and pids.max counts threads. */
#if defined(__SANITIZE_THREAD__)
#define TASKS_PER_PROC 2
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TASKS_PER_PROC 2
#endif
#endif
#ifndef TASKS_PER_PROC
#define TASKS_PER_PROC 1
#endif

#define MiB (1024u * 1024u)

static char err[512];
static char fixtures[PATH_MAX];

/* A fixture tree copied to a temporary directory, and a root pointing into it. */
struct env {
	char dir[512], mountinfo[600], self[600];
	struct cgroup_root root;
};

static const char *copy_from, *copy_to;

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[4096];
	ssize_t n = 0;
	int in = open(src, O_RDONLY | O_CLOEXEC),
	    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

static int copy_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char dst[PATH_MAX + 64], target[PATH_MAX];
	ssize_t n;
	(void)ftw;
	snprintf(dst, sizeof dst, "%s%s", copy_to, path + strlen(copy_from));
	if (type == FTW_D)
		return mkdir(dst, 0755) != 0 && errno != EEXIST ? -1 : 0;
	if (type == FTW_SL) {
		if ((n = readlink(path, target, sizeof target - 1)) < 0)
			return -1;
		target[n] = '\0';
		return symlink(target, dst);
	}
	return type == FTW_F ? copy_file(path, dst, st->st_mode & 0777) : -1;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

/* Copies fixture `name` (NULL: an empty tree) to a new temporary directory. */
static int env_open(struct env *e, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char src[PATH_MAX + 64];
	snprintf(e->dir, sizeof e->dir, "%s/cgroup-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->mountinfo, sizeof e->mountinfo, "%s/mountinfo", e->dir);
	snprintf(e->self, sizeof e->self, "%s/self_cgroup", e->dir);
	e->root = (struct cgroup_root){.mountinfo = e->mountinfo, .self_cgroup = e->self, .prefix = e->dir};
	if (!name)
		return 0;
	snprintf(src, sizeof src, "%s/cgroup/%s", fixtures, name);
	copy_from = src;
	copy_to = e->dir;
	return nftw(src, copy_one, 16, FTW_PHYS);
}

static void env_close(struct env *e)
{
	nftw(e->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir/rel, in one of four rotating buffers. */
static const char *at(const char *dir, const char *rel)
{
	static char bufs[4][PATH_MAX + 64];
	static int next;
	char *b = bufs[next++ % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
	return b;
}

/* The contents of dir/rel without the final newline, "(missing)" when unreadable; four rotating buffers. */
static const char *slurp(const char *dir, const char *rel)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];
	FILE *f = fopen(at(dir, rel), "re");
	size_t n = f ? fread(b, 1, sizeof bufs[0] - 1, f) : 0;
	if (!f)
		return "(missing)";
	fclose(f);
	b[n] = '\0';
	if (n && b[n - 1] == '\n')
		b[n - 1] = '\0';
	return b;
}

static void put_file(const char *dir, const char *rel, const char *text)
{
	FILE *f = fopen(at(dir, rel), "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool exists(const char *dir, const char *rel)
{
	return access(at(dir, rel), F_OK) == 0;
}

/* Replaces dir/rel by a symlink to /dev/full: its writes fail with ENOSPC, even as root. */
static void make_full(const char *dir, const char *rel)
{
	const char *path = at(dir, rel);
	unlink(path);
	if (symlink("/dev/full", path) != 0)
		diag("symlink %s: %s", path, strerror(errno));
}

#define V2_SCOPE "sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/procjail.scope"
#define V1_MEM   "sys/fs/cgroup/memory/user.slice"
#define V1_PIDS  "sys/fs/cgroup/pids/user.slice/user-0.slice/session-3.scope"
#define V1_CPU   "sys/fs/cgroup/cpu,cpuacct/user.slice/user-0.slice"
#define HY_MEM   "sys/fs/cgroup/memory/process_api/12f765eb5c5d0e1a54408d37f5298ef7"

static const struct cgroup_limits lim_all = {.memory = 100 * MiB, .pids = 16, .cpu = 0.5};

static void test_detect(void)
{
	static const struct {
		const char *name;
		enum cgroup_mode mode;
	} cases[] = {{"v1", CGROUP_V1}, {"v2", CGROUP_V2}, {"hybrid", CGROUP_HYBRID}};
	enum cgroup_mode mode;
	struct env e;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (!ok(env_open(&e, cases[i].name) == 0, "copy fixture %s", cases[i].name))
			continue;
		mode = CGROUP_NONE;
		is_int(cgroup_detect(&e.root, &mode, err, sizeof err), 0, "detect %s (%s)", cases[i].name,
		       err);
		is_str(cgroup_mode_name(mode), cgroup_mode_name(cases[i].mode), "the %s fixture is %s",
		       cases[i].name, cgroup_mode_name(cases[i].mode));
		env_close(&e);
	}
	/* Only a named v1 hierarchy (name=systemd, as in a CentOS 7 container on a v2 host): still v2. */
	if (env_open(&e, "v2") == 0) {
		FILE *f = fopen(e.mountinfo, "ae");
		if (f) {
			fputs("40 26 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
			      "rw,name=systemd\n",
			      f);
			fclose(f);
		}
		is_int(cgroup_detect(&e.root, &mode, err, sizeof err), 0, "detect v2 + name=systemd (%s)",
		       err);
		is_int(mode, CGROUP_V2, "a v1 mount without controllers does not make a host v1 or hybrid");
		env_close(&e);
	}
	if (env_open(&e, NULL) == 0) {
		put_file(e.dir, "mountinfo",
			 "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
			 "23 22 0:21 / /proc rw,relatime shared:12 - proc proc rw\n"
			 "31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n");
		is_int(cgroup_detect(&e.root, &mode, err, sizeof err), 0, "detect without cgroups (%s)", err);
		is_int(mode, CGROUP_NONE, "no cgroup mount: none");
		e.root.mountinfo = "/nonexistent/mountinfo";
		is_int(cgroup_detect(&e.root, &mode, err, sizeof err), -ENOENT,
		       "a missing mountinfo: -ENOENT");
		ok(strstr(err, "/nonexistent/mountinfo") != NULL, "and the message names it: %s", err);
		env_close(&e);
	}
	is_str(cgroup_mode_name(CGROUP_NONE), "none", "mode name none");
	is_str(cgroup_mode_name(CGROUP_HYBRID), "hybrid", "mode name hybrid");
}

static void test_v2(void)
{
	char scope[PATH_MAX], group[PATH_MAX + 32];
	struct cgroup_stats st;
	struct cgroup cg;
	struct stat a, b;
	const char *paths[4];
	struct env e;
	if (!ok(env_open(&e, "v2") == 0, "copy fixture v2"))
		return;
	snprintf(scope, sizeof scope, "%s/" V2_SCOPE, e.dir);
	snprintf(group, sizeof group, "%s/procjail-1234", scope);
	is_int(cgroup_create(&cg, &e.root, "procjail-1234", &lim_all, err, sizeof err), 0, "v2: create (%s)",
	       err);
	is_int(cg.mode, CGROUP_V2, "mode v2");
	is_int(cg.ndirs, 1, "one directory");
	is_str(cg.dirs[0].path, group, "under the caller's own cgroup");
	ok(cg.dirs[0].v2 && !cg.dirs[0].cgroupfs, "v2, fixture mode");
	is_str(slurp(scope, "cgroup.subtree_control"), "+memory +pids +cpu",
	       "controllers enabled in the parent");
	is_str(slurp(group, "memory.max"), "104857600", "memory.max");
	is_str(slurp(group, "memory.swap.max"), "0", "memory.swap.max");
	is_str(slurp(group, "pids.max"), "16", "pids.max");
	is_str(slurp(group, "cpu.max"), "50000 100000", "cpu.max");
	int fd = cgroup_v2_fd(&cg);
	ok(fd >= 0 && fstat(fd, &a) == 0 && stat(group, &b) == 0 && a.st_ino == b.st_ino &&
		   S_ISDIR(a.st_mode),
	   "cgroup_v2_fd is the group's directory");
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH), "opened O_PATH");
	is_int(cgroup_attach(&cg, 4242, err, sizeof err), 0, "attach (%s)", err);
	is_str(slurp(group, "cgroup.procs"), "4242", "the pid is in cgroup.procs");

	put_file(group, "memory.peak", "73400320\n");
	put_file(group, "memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n");
	put_file(group, "pids.events", "max 3\n");
	put_file(group, "cpu.stat", "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\nnr_periods 0\n");
	is_int(cgroup_stats(&cg, &st), 0, "stats");
	ok(st.have_peak && st.peak_bytes == 73400320, "peak %llu", (unsigned long long)st.peak_bytes);
	ok(st.have_oom && st.oom_kills == 2 && st.memory_limit_hit, "oom_kill 2 (%llu)",
	   (unsigned long long)st.oom_kills);
	ok(st.have_pids_events && st.pids_max_events == 3, "pids max events 3");
	ok(st.have_cpu && st.cpu_usec == 1234, "cpu usage_usec 1234 (%llu)", (unsigned long long)st.cpu_usec);
	unlink(at(group, "memory.peak"));
	put_file(group, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
	cgroup_stats(&cg, &st);
	ok(!st.have_peak && st.have_oom && !st.oom_kills && !st.memory_limit_hit,
	   "no memory.peak (before 5.19): peak unknown; no event: limit not hit");

	/* A sub-group the jailed processes made goes too. */
	ok(mkdir(at(group, "inner"), 0755) == 0, "a sub-group");
	put_file(group, "inner/cgroup.procs", "");
	is_int(cgroup_dirs(&cg, paths, 4), 1, "destroy would remove one directory");
	is_str(paths[0], group, "the group");
	is_int(cgroup_destroy(&cg), 0, "destroy (%s)", cg.err);
	ok(!exists(group, ""), "no directory remains");
	ok(exists(scope, "cgroup.procs"), "the parent is untouched");
	is_int(cgroup_v2_fd(&cg), -1, "no descriptor after destroy");
	is_int(cgroup_destroy(&cg), 0, "destroy twice");
	is_int(cgroup_dirs(&cg, paths, 4), 0, "nothing left to remove");
	cgroup_stats(&cg, &st);
	ok(!st.have_peak && !st.have_oom && !st.have_pids_events && !st.have_cpu,
	   "after destroy: all unknown");
	env_close(&e);
}

static void test_v2_controllers(void)
{
	char scope[PATH_MAX];
	const struct cgroup_limits mem = {.memory = 1 * MiB};
	struct cgroup cg;
	struct env e;
	if (env_open(&e, "v2") == 0) {
		snprintf(scope, sizeof scope, "%s/" V2_SCOPE, e.dir);
		put_file(scope, "cgroup.subtree_control", "cpu memory pids\n");
		is_int(cgroup_create(&cg, &e.root, "g", &lim_all, err, sizeof err), 0, "enabled already (%s)",
		       err);
		is_str(slurp(scope, "cgroup.subtree_control"), "cpu memory pids",
		       "subtree_control not written");
		cgroup_destroy(&cg);
		put_file(scope, "cgroup.subtree_control", "pids\n");
		is_int(cgroup_create(&cg, &e.root, "g", &mem, err, sizeof err), 0, "memory only (%s)", err);
		is_str(slurp(scope, "cgroup.subtree_control"), "+memory", "only what is missing is enabled");
		ok(!(cg.dirs[0].ctrls & CGROUP_CPU), "no cpu controller without a cpu limit");
		is_str(slurp(cg.dirs[0].path, "cpu.max"), "", "cpu.max untouched");
		cgroup_destroy(&cg);
		env_close(&e);
	}
	if (env_open(&e, "v2") == 0) {
		snprintf(scope, sizeof scope, "%s/" V2_SCOPE, e.dir);
		put_file(scope, "cgroup.controllers", "memory pids\n");
		is_int(cgroup_create(&cg, &e.root, "g", &lim_all, err, sizeof err), -ENOTSUP,
		       "cpu not delegated, cpu limit: -ENOTSUP");
		ok(strstr(err, "cpu") && strstr(err, "cgroup.controllers"), "says so: %s", err);
		ok(!exists(scope, "g"), "nothing made");
		is_int(cgroup_create(&cg, &e.root, "g", &mem, err, sizeof err), 0,
		       "without a cpu limit: fine (%s)", err);
		is_str(slurp(scope, "cgroup.subtree_control"), "+memory +pids", "memory and pids enabled");
		cgroup_destroy(&cg);
		put_file(scope, "cgroup.controllers", "\n");
		is_int(cgroup_create(&cg, &e.root, "g", NULL, err, sizeof err), 0,
		       "nothing delegated, no limit (%s)", err);
		ok(cg.ndirs == 1 && cg.dirs[0].ctrls == CGROUP_CPUACCT, "still a group, for cpu.stat");
		cgroup_destroy(&cg);
		env_close(&e);
	}
}

/*
 * A real v2 host: our cgroup (a session scope) holds processes, so it cannot give controllers to
 * a child; the group goes under the hierarchy's root, which may, and which is ours to write.
 */
static void test_v2_busy_scope(void)
{
	char scope[PATH_MAX], top[PATH_MAX], group[PATH_MAX + 32];
	struct cgroup cg;
	struct env e;
	if (env_open(&e, "v2") != 0)
		return;
	snprintf(scope, sizeof scope, "%s/" V2_SCOPE, e.dir);
	snprintf(top, sizeof top, "%s/sys/fs/cgroup", e.dir);
	snprintf(group, sizeof group, "%s/procjail-9", top);
	put_file(scope, "cgroup.procs", "4242\n4243\n");
	is_int(cgroup_create(&cg, &e.root, "procjail-9", &lim_all, err, sizeof err), 0,
	       "busy scope: create (%s)", err);
	is_str(cg.ndirs ? cg.dirs[0].path : "", group, "busy scope: the group is under the hierarchy's root");
	is_str(slurp(scope, "cgroup.subtree_control"), "", "busy scope: its subtree_control is not touched");
	is_str(slurp(top, "cgroup.subtree_control"), "cpuset cpu io memory pids",
	       "busy scope: the root delegates the controllers already: not written");
	is_str(slurp(group, "memory.max"), "104857600", "busy scope: memory.max in the group");
	is_str(slurp(group, "pids.max"), "16", "busy scope: pids.max in the group");
	is_int(cgroup_destroy(&cg), 0, "busy scope: destroy (%s)", cg.err);
	ok(!exists(group, "") && exists(top, "cgroup.procs"),
	   "busy scope: the group is gone, the root stays");

	put_file(top, "cgroup.subtree_control", "cpuset io\n");
	is_int(cgroup_create(&cg, &e.root, "procjail-9", &lim_all, err, sizeof err), 0,
	       "busy scope, root without the controllers: create (%s)", err);
	is_str(slurp(top, "cgroup.subtree_control"), "+memory +pids +cpu",
	       "busy scope: the root is given the controllers (the root may have processes)");
	cgroup_destroy(&cg);

	put_file(scope, "cgroup.controllers", "\n");
	is_int(cgroup_create(&cg, &e.root, "procjail-9", NULL, err, sizeof err), 0,
	       "busy scope, nothing delegated, no limit: create (%s)", err);
	ok(cg.ndirs == 1 && cg.dirs[0].ctrls == CGROUP_CPUACCT &&
		   !strncmp(cg.dirs[0].path, scope, strlen(scope)),
	   "busy scope: a group for cpu.stat alone needs no controller, so it stays under our cgroup (%s)",
	   cg.ndirs ? cg.dirs[0].path : "");
	cgroup_destroy(&cg);
	env_close(&e);
}

static void test_v2_errors(void)
{
	char scope[PATH_MAX];
	struct cgroup cg;
	struct env e;
	if (env_open(&e, "v2") != 0)
		return;
	snprintf(scope, sizeof scope, "%s/" V2_SCOPE, e.dir);
	make_full(scope, "cgroup.subtree_control");
	is_int(cgroup_create(&cg, &e.root, "g", &lim_all, err, sizeof err), -ENOSPC,
	       "subtree_control cannot be written: its error");
	ok(strstr(err, "cgroup.subtree_control") && strstr(err, "+memory +pids +cpu"),
	   "names file and value: %s", err);
	ok(!exists(scope, "g"), "no group made");
	unlink(at(scope, "cgroup.subtree_control"));
	put_file(scope, "cgroup.subtree_control", "cpu memory pids\n");
	make_full(scope, "cpu.max");
	is_int(cgroup_create(&cg, &e.root, "g", &lim_all, err, sizeof err), -ENOSPC, "cpu.max refused");
	ok(strstr(err, "cpu.max") && strstr(err, "\"50000 100000\""), "names file and value: %s", err);
	ok(!exists(scope, "g"), "the group made is removed again");
	is_int(cgroup_destroy(&cg), 0, "destroy after a failed create");
	ok(mkdir(at(scope, "g"), 0755) == 0, "a group g exists");
	is_int(cgroup_create(&cg, &e.root, "g", NULL, err, sizeof err), -EEXIST,
	       "create over it: -EEXIST (%s)", err);
	ok(exists(scope, "g"), "and it is left alone");
	static const char *const bad[] = {"", "a/b", "..", "."};
	for (size_t i = 0; i < 4; i++)
		is_int(cgroup_create(&cg, &e.root, bad[i], NULL, err, sizeof err), -EINVAL,
		       "name '%s' refused", bad[i]);
	const struct cgroup_limits neg = {.cpu = -1}, nan = {.cpu = 0.0 / 0.0};
	is_int(cgroup_create(&cg, &e.root, "h", &neg, err, sizeof err), -EINVAL, "cpu -1 refused (%s)", err);
	is_int(cgroup_create(&cg, &e.root, "h", &nan, err, sizeof err), -EINVAL, "cpu NaN refused");
	env_close(&e);
}

static void test_v1(void)
{
	char mem[PATH_MAX], pids[PATH_MAX], cpu[PATH_MAX];
	const struct cgroup_limits big = {.cpu = 6.5};
	struct cgroup_stats st;
	struct cgroup cg;
	struct env e;
	if (!ok(env_open(&e, "v1") == 0, "copy fixture v1"))
		return;
	snprintf(mem, sizeof mem, "%s/" V1_MEM "/procjail-77", e.dir);
	snprintf(pids, sizeof pids, "%s/" V1_PIDS "/procjail-77", e.dir);
	snprintf(cpu, sizeof cpu, "%s/" V1_CPU "/procjail-77", e.dir);
	is_int(cgroup_create(&cg, &e.root, "procjail-77", &lim_all, err, sizeof err), 0, "v1: create (%s)",
	       err);
	is_int(cg.mode, CGROUP_V1, "mode v1");
	is_int(cg.ndirs, 3, "memory, cpu,cpuacct (co-mounted: one) and pids");
	is_str(cg.dirs[0].path, mem, "memory under our memory cgroup");
	is_str(cg.dirs[1].path, cpu, "cpu,cpuacct under our cpu cgroup");
	is_str(cg.dirs[2].path, pids, "pids under our pids cgroup");
	is_int(cg.dirs[1].ctrls, CGROUP_CPU | CGROUP_CPUACCT, "the co-mounted one serves both");
	is_str(slurp(mem, "memory.limit_in_bytes"), "104857600", "memory.limit_in_bytes");
	is_str(slurp(mem, "memory.memsw.limit_in_bytes"), "104857600", "memsw: swap cannot dodge the limit");
	is_str(slurp(pids, "pids.max"), "16", "pids.max");
	is_str(slurp(cpu, "cpu.cfs_quota_us"), "50000", "cpu.cfs_quota_us");
	is_str(slurp(cpu, "cpu.cfs_period_us"), "100000", "cpu.cfs_period_us");
	is_int(cgroup_v2_fd(&cg), -1, "no v2 descriptor");
	is_int(cgroup_attach(&cg, 4242, err, sizeof err), 0, "attach (%s)", err);
	ok(!strcmp(slurp(mem, "cgroup.procs"), "4242") && !strcmp(slurp(pids, "cgroup.procs"), "4242") &&
		   !strcmp(slurp(cpu, "cgroup.procs"), "4242"),
	   "in every hierarchy");
	put_file(mem, "memory.max_usage_in_bytes", "1048576\n");
	put_file(mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	put_file(mem, "memory.failcnt", "5\n");
	put_file(pids, "pids.events", "max 3\n");
	put_file(cpu, "cpuacct.usage", "2000000000\n");
	is_int(cgroup_stats(&cg, &st), 0, "stats");
	ok(st.have_peak && st.peak_bytes == 1048576, "peak from max_usage_in_bytes");
	ok(st.have_oom && st.oom_kills == 1 && st.memory_limit_hit, "oom_kill 1 from oom_control");
	ok(st.have_pids_events && st.pids_max_events == 3, "pids.events max 3");
	ok(st.have_cpu && st.cpu_usec == 2000000, "cpuacct.usage ns -> %llu us",
	   (unsigned long long)st.cpu_usec);
	put_file(mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	put_file(mem, "memory.failcnt", "5\n");
	cgroup_stats(&cg, &st);
	ok(!st.have_oom && st.memory_limit_hit,
	   "before 4.13 (no oom_kill line): unknown; failcnt 5: limit hit");
	is_int(cgroup_destroy(&cg), 0, "destroy (%s)", cg.err);
	ok(!exists(mem, "") && !exists(pids, "") && !exists(cpu, ""), "no directory remains");

	is_int(cgroup_create(&cg, &e.root, "big", &big, err, sizeof err), 0, "6.5 CPUs (%s)", err);
	is_str(slurp(cg.dirs[1].path, "cpu.cfs_quota_us"), "650000", "quota 650000");
	cgroup_destroy(&cg);
	is_int(cgroup_create(&cg, &e.root, "acct", NULL, err, sizeof err), 0, "no limits (%s)", err);
	is_int(cg.ndirs, 3, "still made, for accounting");
	is_str(slurp(cg.dirs[0].path, "memory.limit_in_bytes"), "", "no limit written");
	cgroup_destroy(&cg);

	/* limits_only: the memory limit's hierarchy alone, no accounting groups. */
	const struct cgroup_limits mem_only = {.memory = 1 << 20, .limits_only = true};
	is_int(cgroup_create(&cg, &e.root, "lean", &mem_only, err, sizeof err), 0, "limits only (%s)", err);
	ok(cg.ndirs == 1 && cg.dirs[0].ctrls == CGROUP_MEMORY, "one group, memory's (%zu)", cg.ndirs);
	/* pid 0 on v1: the caller moves itself through "tasks", without the global threadgroup lock. */
	is_int(cgroup_attach(&cg, 0, err, sizeof err), 0, "attach the caller (%s)", err);
	is_str(slurp(cg.dirs[0].path, "tasks"), "0", "\"0\" written to tasks");
	is_str(slurp(cg.dirs[0].path, "cgroup.procs"), "", "cgroup.procs untouched");
	cgroup_destroy(&cg);
	const struct cgroup_limits none_only = {.limits_only = true};
	is_int(cgroup_create(&cg, &e.root, "empty", &none_only, err, sizeof err), 0,
	       "no limits, limits only");
	is_int(cg.ndirs, 0, "no group at all");
	cgroup_destroy(&cg);
	env_close(&e);
}

static void test_v1_refused(void)
{
	char base[PATH_MAX];
	struct cgroup cg;
	struct env e;
	if (env_open(&e, "v1") != 0)
		return;
	snprintf(base, sizeof base, "%s/" V1_MEM, e.dir);
	make_full(base, "memory.limit_in_bytes");
	is_int(cgroup_create(&cg, &e.root, "g", &lim_all, err, sizeof err), -ENOSPC,
	       "a refused memory limit");
	ok(strstr(err, "memory.limit_in_bytes") && strstr(err, "104857600"), "names file and value: %s", err);
	ok(!exists(base, "g") && !exists(e.dir, V1_PIDS "/g") && !exists(e.dir, V1_CPU "/g"),
	   "no group remains in any hierarchy");
	is_int(cgroup_destroy(&cg), 0, "destroy after it");
	/* The third mkdir fails: the two groups made before are removed, the one in the way is not. */
	ok(mkdir(at(e.dir, V1_PIDS "/h"), 0755) == 0, "pids/h exists");
	is_int(cgroup_create(&cg, &e.root, "h", NULL, err, sizeof err), -EEXIST,
	       "a partial create fails (%s)", err);
	ok(!exists(base, "h") && !exists(e.dir, V1_CPU "/h"), "what it made is gone");
	ok(exists(e.dir, V1_PIDS "/h"), "what it did not make is there");
	is_int(cgroup_destroy(&cg), 0, "destroy after a partial create");
	is_int(cgroup_destroy(&cg), 0, "and twice");
	env_close(&e);
}

static void test_hybrid(void)
{
	struct cgroup_stats st;
	struct cgroup cg;
	struct env e;
	if (!ok(env_open(&e, "hybrid") == 0, "copy fixture hybrid"))
		return;
	is_int(cgroup_create(&cg, &e.root, "j", &lim_all, err, sizeof err), 0, "hybrid: create (%s)", err);
	is_int(cg.mode, CGROUP_HYBRID, "mode hybrid");
	is_int(cg.ndirs, 4, "cpu, cpuacct, memory, pids: all v1");
	ok(!exists(e.dir, "sys/fs/cgroup/unified/j"),
	   "nothing in the cgroup2 mount, which holds none of them");
	ok(exists(e.dir, HY_MEM "/j") && exists(e.dir, "sys/fs/cgroup/pids/j") &&
		   exists(e.dir, "sys/fs/cgroup/cpu/j") && exists(e.dir, "sys/fs/cgroup/cpuacct/j"),
	   "groups under our cgroup of each hierarchy");
	is_str(slurp(e.dir, HY_MEM "/j/memory.limit_in_bytes"), "104857600", "memory.limit_in_bytes");
	ok(!exists(e.dir, HY_MEM "/j/memory.memsw.limit_in_bytes"), "no memsw without swap accounting");
	is_str(slurp(e.dir, "sys/fs/cgroup/cpu/j/cpu.cfs_quota_us"), "50000", "quota in the cpu hierarchy");
	is_int(cgroup_v2_fd(&cg), -1, "no v2 descriptor in hybrid mode");
	put_file(e.dir, "sys/fs/cgroup/cpuacct/j/cpuacct.usage", "5000");
	cgroup_stats(&cg, &st);
	ok(st.have_cpu && st.cpu_usec == 5, "cpu time from the cpuacct hierarchy");
	is_int(cgroup_destroy(&cg), 0, "destroy (%s)", cg.err);
	ok(!exists(e.dir, HY_MEM "/j") && !exists(e.dir, "sys/fs/cgroup/cpu/j"), "gone");
	const struct cgroup_limits mem = {.memory = 1 * MiB};
	is_int(cgroup_create(&cg, &e.root, "k", &mem, err, sizeof err), 0, "no cpu limit (%s)", err);
	ok(cg.ndirs == 3 && !exists(e.dir, "sys/fs/cgroup/cpu/k"), "the cpu-only hierarchy is left out");
	cgroup_destroy(&cg);
	env_close(&e);
}

static void test_none(void)
{
	const struct cgroup_limits mem = {.memory = 1 * MiB};
	struct cgroup_stats st;
	struct cgroup cg, zero = {0};
	struct env e;
	if (env_open(&e, NULL) != 0)
		return;
	put_file(e.dir, "mountinfo", "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
	put_file(e.dir, "self_cgroup", "");
	is_int(cgroup_create(&cg, &e.root, "g", NULL, err, sizeof err), 0, "none, no limits: fine (%s)", err);
	ok(cg.mode == CGROUP_NONE && cg.ndirs == 0, "and does nothing");
	is_int(cgroup_attach(&cg, 1, err, sizeof err), 0, "attach: nothing to do");
	cgroup_stats(&cg, &st);
	ok(!st.have_peak && !st.have_oom && !st.have_pids_events && !st.have_cpu, "stats all unknown");
	is_int(cgroup_v2_fd(&cg), -1, "no descriptor");
	is_int(cgroup_destroy(&cg), 0, "destroy");
	is_int(cgroup_create(&cg, &e.root, "g", &mem, err, sizeof err), -ENOTSUP, "none, a limit: -ENOTSUP");
	ok(strstr(err, "memory") && strstr(err, "no cgroup"), "says so: %s", err);
	is_int(cgroup_destroy(&zero), 0, "destroy of a zeroed struct");
	env_close(&e);
}

/* Mount points with escapes, a mount whose root is not the hierarchy's (a container's bind mount). */
static void test_mount_root(void)
{
	const struct cgroup_limits mem = {.memory = 1 * MiB};
	struct cgroup cg;
	struct env e;
	if (env_open(&e, NULL) != 0)
		return;
	put_file(e.dir, "mountinfo",
		 "30 25 0:26 /lxc/c1 /cg\\040root rw,relatime shared:4 master:1 - cgroup2 none rw\n");
	put_file(e.dir, "self_cgroup", "0::/lxc/c1/inner\n");
	ok(mkdir(at(e.dir, "cg root"), 0755) == 0 && mkdir(at(e.dir, "cg root/inner"), 0755) == 0, "tree");
	put_file(e.dir, "cg root/cgroup.controllers", "cpu memory pids\n");
	put_file(e.dir, "cg root/inner/cgroup.controllers", "cpu memory pids\n");
	put_file(e.dir, "cg root/inner/cgroup.subtree_control", "");
	put_file(e.dir, "cg root/inner/memory.max", "max\n");
	is_int(cgroup_create(&cg, &e.root, "j", &mem, err, sizeof err), 0, "create (%s)", err);
	is_str(slurp(e.dir, "cg root/inner/j/memory.max"), "1048576", "at mount point + path below its root");
	cgroup_destroy(&cg);
	/* Processes in our cgroup, and the mount a sub-tree (a cgroup namespace): nowhere to go. */
	put_file(e.dir, "cg root/inner/cgroup.procs", "77\n");
	is_int(cgroup_create(&cg, &e.root, "j", &mem, err, sizeof err), -EBUSY,
	       "our cgroup has processes, the hierarchy's root is not in the mount: -EBUSY");
	ok(strstr(err, "holds processes") && strstr(err, "outside this mount"), "says why: %s", err);
	ok(!exists(e.dir, "cg root/inner/j") && !exists(e.dir, "cg root/j"), "nothing made");
	put_file(e.dir, "self_cgroup", "0::/elsewhere\n");
	is_int(cgroup_create(&cg, &e.root, "j", &mem, err, sizeof err), -ENOENT,
	       "our cgroup outside the mount");
	ok(strstr(err, "/elsewhere") && strstr(err, "/lxc/c1"), "says so: %s", err);
	env_close(&e);
}

/* ---- On the host, as root. ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The CPU time the calling process has used: spinners count it, so a loaded machine can't cut them short. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child that moves itself in, then touches 256 MiB. Its wait status. */
static int run_hog(struct cgroup *cg)
{
	int status = -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (cgroup_attach(cg, 0, err, sizeof err) != 0)
			_exit(3);
		size_t n = 256u * MiB;
		char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(4);
		for (size_t i = 0; i < n; i += 4096)
			p[i] = 1;
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

/* A child, moved in by the parent, spinning until it has used `secs` of CPU time. */
static void run_spin(struct cgroup *cg, double secs)
{
	int go[2], status;
	char c = 0;
	if (pipe(go) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		while (cpu_now() < secs)
			;
		_exit(0);
	}
	close(go[0]);
	is_int(cgroup_attach(cg, pid, err, sizeof err), 0, "the parent moves a child in (%s)", err);
	if (write(go[1], &c, 1) != 1)
		diag("write: %s", strerror(errno));
	close(go[1]);
	waitpid(pid, &status, 0);
}

/* A child that forks 20 sleepers: how many forks worked, and the errno of the first that did not. */
static void run_forker(struct cgroup *cg, int *forks, int *first_errno)
{
	int res[2], out[2] = {0, 0}, status;
	if (pipe(res) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(res[0]);
		if (cgroup_attach(cg, 0, err, sizeof err) != 0)
			_exit(3);
		for (int i = 0; i < 20; i++) {
			pid_t k = fork();
			if (k == 0) {
				alarm(60); /* whatever happens to the test */
				pause();
				_exit(0);
			}
			if (k > 0)
				out[0]++;
			else if (!out[1])
				out[1] = errno;
		}
		_exit(write(res[1], out, sizeof out) == sizeof out ? 0 : 4);
	}
	close(res[1]);
	if (read(res[0], out, sizeof out) != sizeof out)
		diag("no result from the forking child");
	close(res[0]);
	waitpid(pid, &status, 0);
	*forks = out[0];
	*first_errno = out[1];
}

static void check_gone(char copies[][PATH_MAX], size_t n)
{
	size_t left = 0;
	for (size_t i = 0; i < n; i++)
		if (access(copies[i], F_OK) == 0 || errno != ENOENT) {
			diag("still there: %s", copies[i]);
			left++;
		}
	is_int(left, 0, "no directory remains in any hierarchy (%zu checked)", n);
}

/*
 * The v2 paths for real on a hybrid host: its cgroup2 mount alone (a mountinfo holding just that line)
 * is a v2 host without controllers. A child started there by clone3(CLONE_INTO_CGROUP) runs, forks
 * three sleepers and exits; cpu.stat has its time; destroy kills the sleepers with cgroup.kill.
 */
static void test_live_v2_mount(const char *name)
{
	char line[4096], own[80], path[PATH_MAX] = "";
	int go[2], status, reaped = 0;
	struct cgroup_stats st;
	struct cgroup cg;
	struct env e;
	FILE *in = fopen("/proc/self/mountinfo", "re"), *out = NULL;
	if (env_open(&e, NULL) == 0 && in)
		out = fopen(e.mountinfo, "we");
	while (out && fgets(line, sizeof line, in))
		if (strstr(line, " - cgroup2 "))
			fputs(line, out);
	if (in)
		fclose(in);
	if (!out)
		return;
	fclose(out);
	e.root = (struct cgroup_root){
		.mountinfo = e.mountinfo, .self_cgroup = "/proc/self/cgroup", .prefix = ""};
	if (cgroup_create(&cg, &e.root, name, NULL, err, sizeof err) != 0) {
		diag("host cgroup2 mount: no group there (%s): its test is skipped", err);
		env_close(&e);
		return;
	}
	is_int(cg.mode, CGROUP_V2, "host cgroup2 mount alone: v2, group %s", cg.dirs[0].path);
	snprintf(path, sizeof path, "%s", cg.dirs[0].path);
	struct clone_args ca = {
		.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup_v2_fd(&cg)};
	pid_t pid = pipe(go) == 0 ? (pid_t)syscall(SYS_clone3, &ca, sizeof ca) : -1;
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		while (cpu_now() < 0.2)
			;
		for (int i = 0; i < 3; i++)
			if (fork() == 0) {
				alarm(60);
				pause();
				_exit(0);
			}
		_exit(0);
	}
	if (!ok(pid > 0, "clone3(CLONE_INTO_CGROUP) with the O_PATH descriptor: %s",
		pid > 0 ? "" : strerror(errno))) {
		cgroup_destroy(&cg);
		env_close(&e);
		return;
	}
	close(go[0]);
	snprintf(line, sizeof line, "/proc/%d/cgroup", (int)pid);
	snprintf(own, sizeof own, "0::/%s\n", name);
	in = fopen(line, "re");
	bool found = false;
	while (in && fgets(line, sizeof line, in))
		found |= strlen(line) >= strlen(own) && !strcmp(line + strlen(line) - strlen(own), own);
	if (in)
		fclose(in);
	ok(found, "the child starts in the group");
	if (write(go[1], "x", 1) != 1)
		diag("write: %s", strerror(errno));
	close(go[1]);
	waitpid(pid, &status, 0);
	cgroup_stats(&cg, &st);
	ok(st.have_cpu && st.cpu_usec >= 150000, "cpu.stat usage_usec %llu", (unsigned long long)st.cpu_usec);
	ok(!st.have_peak && !st.have_oom && !st.have_pids_events, "no memory or pids controller: unknown");
	is_int(cgroup_destroy(&cg), 0, "destroy, three sleepers left (%s)", cg.err);
	ok(access(path, F_OK) != 0 && errno == ENOENT, "%s is gone", path);
	while (waitpid(-1, &status, 0) > 0)
		reaped += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	is_int(reaped, 3, "cgroup.kill killed them");
	env_close(&e);
}

static void test_live(void)
{
	const struct cgroup_limits lim = {.memory = 64 * MiB, .pids = 16, .cpu = 0.5};
	char name[64], copies[CGROUP_MAX_DIRS][PATH_MAX];
	const char *paths[CGROUP_MAX_DIRS];
	struct cgroup_stats st, st0;
	enum cgroup_mode mode;
	struct cgroup cg;
	int rc, forks = 0, first_errno = 0;
	if (geteuid() != 0) {
		diag("not root: the host test is skipped");
		return;
	}
	if (cgroup_detect(NULL, &mode, err, sizeof err) != 0 || mode == CGROUP_NONE) {
		diag("host: no cgroups (%s): the host test is skipped", err);
		return;
	}
	diag("host: cgroup mode %s", cgroup_mode_name(mode));
	snprintf(name, sizeof name, "syslab-test-%d", (int)getpid());
	rc = cgroup_create(&cg, NULL, name, &lim, err, sizeof err);
	if (rc == -EACCES || rc == -EPERM || rc == -EROFS || rc == -ENOTSUP || rc == -EBUSY ||
	    rc == -ENOENT) {
		diag("host: cannot make a group here (%s): the host test is skipped", err);
		return;
	}
	if (!ok(rc == 0, "host: create %s, 64 MiB, 16 pids, 0.5 CPU: %d (%s)", name, rc, rc ? err : ""))
		return;
	size_t n = cgroup_dirs(&cg, paths, CGROUP_MAX_DIRS);
	for (size_t i = 0; i < n; i++) {
		snprintf(copies[i], PATH_MAX, "%s", paths[i]);
		diag("host group: %s", paths[i]);
	}
	ok(n >= 1 && cg.dirs[0].cgroupfs, "on a real cgroup filesystem");
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	int status = run_hog(&cg);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a 256 MiB hog is killed (status 0x%x)",
	   status);
	is_int(cgroup_stats(&cg, &st), 0, "stats");
	ok((st.have_oom && st.oom_kills >= 1) || st.memory_limit_hit,
	   "the OOM kill is seen: oom_kill %llu, limit hit %d", (unsigned long long)st.oom_kills,
	   st.memory_limit_hit);
	if (st.have_peak)
		ok(st.peak_bytes <= 64 * MiB, "peak %llu <= the limit", (unsigned long long)st.peak_bytes);

	cgroup_stats(&cg, &st0);
	double t0 = now();
	run_spin(&cg, 1.0);
	double wall = now() - t0;
	cgroup_stats(&cg, &st);
	double used = (double)(st.cpu_usec - st0.cpu_usec) / 1e6;
	/* Throttled to half a CPU, 1 s of CPU time takes 2 s: never much less, however idle the machine. */
	ok(st.have_cpu && used >= 0.9 && used < 0.7 * wall, "0.5 CPU: a spinner used %.2f s in %.2f s", used,
	   wall);

	run_forker(&cg, &forks, &first_errno);
	if (TASKS_PER_PROC == 1)
		is_int(forks, 15, "pids.max 16: the forker and 15 children, the 16th fork fails");
	else /* the sanitizer's threads come and go with fork: the count of processes is not exact */
		ok(forks >= 16 / TASKS_PER_PROC - 1 && forks < 15,
		   "pids.max 16: %d children, then a fork fails", forks);
	is_int(first_errno, EAGAIN, "with EAGAIN");
	cgroup_stats(&cg, &st);
	ok(st.have_pids_events && st.pids_max_events >= 1, "pids.events max %llu",
	   (unsigned long long)st.pids_max_events);

	/* The sleepers are still in the group: destroy kills them. */
	is_int(cgroup_destroy(&cg), 0, "destroy with %d processes left (%s)", forks, cg.err);
	check_gone(copies, n);
	int reaped = 0, killed = 0;
	while (waitpid(-1, &status, 0) > 0) {
		reaped++;
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	}
	ok(reaped == forks && killed == forks, "the sleepers were SIGKILLed (%d of %d)", killed, reaped);
	is_int(cgroup_destroy(&cg), 0, "destroy twice");

	/* Limits the kernel refuses: a quota under its 1 ms minimum, pids over PID_MAX_LIMIT. */
	const struct cgroup_limits tiny = {.cpu = 0.001}, many = {.pids = 1u << 23};
	is_int(cgroup_create(&cg, NULL, name, &tiny, err, sizeof err), -EINVAL, "cpu 0.001: -EINVAL (%s)",
	       err);
	ok(strstr(err, "\"100\"") != NULL, "the message has the value");
	for (size_t i = 0; i < cg.ndirs; i++)
		snprintf(copies[i], PATH_MAX, "%s", cg.dirs[i].path);
	check_gone(copies, cg.ndirs);
	is_int(cgroup_create(&cg, NULL, name, &many, err, sizeof err), -EINVAL, "pids 8388608: -EINVAL (%s)",
	       err);
	ok(strstr(err, "pids.max") != NULL, "the message names pids.max");
	for (size_t i = 0; i < cg.ndirs; i++)
		snprintf(copies[i], PATH_MAX, "%s", cg.dirs[i].path);
	check_gone(copies, cg.ndirs);
	if (mode == CGROUP_HYBRID) {
		snprintf(name, sizeof name, "syslab-test-v2-%d", (int)getpid());
		test_live_v2_mount(name);
	}
}

int main(void)
{
	const char *src = getenv("SYSLAB_SRC");
	if (snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures", src && *src ? src : ".") >=
	    (int)sizeof fixtures)
		skip_all("SYSLAB_SRC is too long");
	/* A missing fixture tree is a broken checkout, not a missing feature: fail, don't skip. */
	if (ok(access(fixtures, F_OK) == 0, "fixtures at %s (run from the repository root or set SYSLAB_SRC)",
	       fixtures)) {
		test_detect();
		test_v2();
		test_v2_controllers();
		test_v2_busy_scope();
		test_v2_errors();
		test_v1();
		test_v1_refused();
		test_hybrid();
		test_mount_root();
	}
	test_none();
	test_live();
	return done_testing();
}
