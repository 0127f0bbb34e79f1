// SPDX-License-Identifier: MIT
/* jail_rootfs: the busybox rootfs and OCI bundle the isolated-start cases share, made and removed whole. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "sigguard.h"

#define BUSYBOX    "/bin/busybox"
#define NO_BUSYBOX "busybox-static is not installed (Debian package busybox-static)"

void jail_guard_child(pid_t pid);

/* The applets the jails may run: true for the cases, the rest for a person looking inside one. */
static const char *const applets[] = {"true", "sh", "ls", "cat", "echo", "mount", "ps", "id", "hostname"};
static const char *const dirs[] = {"rootfs/proc", "rootfs/dev", "rootfs/sys",
				   "rootfs/tmp",  "rootfs/etc", "rootfs/run"};
#define NAPPLETS (sizeof applets / sizeof applets[0])
#define NDIRS    (sizeof dirs / sizeof dirs[0])

/*
 * A fatal signal while the cases run must not leave the directory behind. The handler lets the
 * running tool end (SIGTERM: runc forwards it to the container, then deletes it), then removes the
 * names this file made, relative to a descriptor of the directory, and dies of the signal. Only
 * async-signal-safe calls; a name a tool added (a mount point) makes its rmdir fail, best effort.
 */
static struct sigguard guard;
static volatile sig_atomic_t guard_pid;
static int guard_dirfd = -1;
static char guard_path[PATH_MAX];

void jail_guard_child(pid_t pid)
{
	guard_pid = pid;
}

static void remove_fixed(int dfd)
{
	static const char *const rest[] = {"rootfs/bin", "rootfs", "bundle/config.json",
					   "bundle",     "runc",   "crun"};
	char name[64] = "rootfs/bin/";

	for (size_t i = 0; i < NAPPLETS; i++) {
		/* strcpy is not on the async-signal-safe list; a byte loop is. */
		size_t k = 11, j = 0;
		for (; applets[i][j] && k < sizeof name - 1; j++)
			name[k++] = applets[i][j];
		name[k] = '\0';
		unlinkat(dfd, name, 0);
	}
	unlinkat(dfd, "rootfs/bin/busybox", 0);
	for (size_t i = 0; i < NDIRS; i++)
		unlinkat(dfd, dirs[i], AT_REMOVEDIR);
	for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
		unlinkat(dfd, rest[i], i == 2 ? 0 : AT_REMOVEDIR);
}

static void guard_handler(int sig)
{
	pid_t pid = guard_pid;
	struct timespec ms10 = {0, 10000000};

	if (pid > 0) {
		kill(pid, SIGTERM);
		for (int i = 0; i < 200 && waitpid(pid, NULL, WNOHANG) == 0; i++)
			nanosleep(&ms10, NULL);
		if (kill(pid, SIGKILL) == 0)
			waitpid(pid, NULL, 0);
	}
	if (guard_dirfd >= 0) {
		remove_fixed(guard_dirfd);
		rmdir(guard_path);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard_set(const char *path)
{
	snprintf(guard_path, sizeof guard_path, "%s", path);
	guard_dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	sigguard_set(&guard, guard_handler);
}

static void guard_clear(void)
{
	if (guard_dirfd < 0)
		return;
	sigguard_clear(&guard);
	close(guard_dirfd);
	guard_dirfd = -1;
	guard_path[0] = '\0';
}

/* 0 when fd is an ELF executable without a program interpreter (static), -ENOEXEC otherwise. */
static int check_static(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof ph)
		return -ENOEXEC;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph ||
		    ph.p_type == PT_INTERP)
			return -ENOEXEC;
	return 0;
}

/* Copies the static busybox into rootfs/bin. 0, or -errno with why. */
static int copy_busybox(const char *dst, char *why, size_t len)
{
	int in = open(BUSYBOX, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	struct stat st;
	off_t off = 0;

	if (in < 0) {
		rc = -errno;
		snprintf(why, len, "%s", rc == -ENOENT ? NO_BUSYBOX : strerror(-rc));
		goto out;
	}
	if (check_static(in) < 0) {
		rc = -ENOENT;
		snprintf(why, len, NO_BUSYBOX " (" BUSYBOX " is not a static executable)");
		goto out;
	}
	if (fstat(in, &st) < 0 || (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755)) < 0) {
		rc = -errno;
		snprintf(why, len, "cannot copy %s to %.120s: %s", BUSYBOX, dst, strerror(-rc));
		goto out;
	}
	while (off < st.st_size)
		if (sendfile(out, in, &off, (size_t)(st.st_size - off)) <= 0) {
			rc = -EIO;
			snprintf(why, len, "cannot copy %s to %.120s: %s", BUSYBOX, dst, strerror(errno));
			break;
		}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

static int make_rootfs(struct jail_dir *d)
{
	char p[PATH_MAX + 64];
	int rc;

	snprintf(p, sizeof p, "%s/bin", d->rootfs);
	if (mkdir(d->rootfs, 0755) < 0 || mkdir(p, 0755) < 0)
		goto fail;
	for (size_t i = 0; i < NDIRS; i++) {
		snprintf(p, sizeof p, "%s/%s", d->path, dirs[i]);
		if (mkdir(p, 0755) < 0)
			goto fail;
	}
	snprintf(p, sizeof p, "%s/bin/busybox", d->rootfs);
	if ((rc = copy_busybox(p, d->rootfs_why, sizeof d->rootfs_why)) < 0)
		return rc;
	/* Relative links: they resolve inside the jail, whatever its root is. */
	for (size_t i = 0; i < NAPPLETS; i++) {
		snprintf(p, sizeof p, "%s/bin/%s", d->rootfs, applets[i]);
		if (symlink("busybox", p) < 0)
			goto fail;
	}
	snprintf(p, sizeof p, "%s/bin/busybox", d->rootfs);
	char *argv[] = {p, NULL};
	jail_output_line(argv, d->busybox, sizeof d->busybox);
	/* "BusyBox v1.35.0 (Debian ...) multi-call binary.": the version and its build are enough. */
	char *paren = strchr(d->busybox, ')');
	if (paren)
		paren[1] = '\0';
	d->have_rootfs = true;
	return 0;
fail:
	rc = -errno;
	snprintf(d->rootfs_why, sizeof d->rootfs_why, "cannot build the rootfs at %.120s: %s", p,
		 strerror(-rc));
	return rc;
}

int jail_dir_create(struct jail_dir *d, char *err, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	memset(d, 0, sizeof *d);
	int n = snprintf(d->path, sizeof d->path, "%s/syslab-jail-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof d->path || !mkdtemp(d->path)) {
		int rc = n < 0 || (size_t)n >= sizeof d->path ? -ENAMETOOLONG : -errno;
		snprintf(err, len, "cannot create a temporary directory %s: %s", d->path, strerror(-rc));
		d->path[0] = '\0';
		return rc;
	}
	guard_set(d->path);
	snprintf(d->rootfs, sizeof d->rootfs, "%s/rootfs", d->path);
	snprintf(d->bundle, sizeof d->bundle, "%s/bundle", d->path);
	snprintf(d->runc_state, sizeof d->runc_state, "%s/runc", d->path);
	snprintf(d->crun_state, sizeof d->crun_state, "%s/crun", d->path);
	if (mkdir(d->bundle, 0755) < 0 || mkdir(d->runc_state, 0700) < 0 || mkdir(d->crun_state, 0700) < 0) {
		int rc = -errno;
		snprintf(err, len, "cannot create %s/*: %s", d->path, strerror(-rc));
		return rc;
	}
	make_rootfs(d);
	return 0;
}

/*
 * The runtimes' own default spec, with what the cases need: no terminal, /bin/true, our rootfs read
 * only, and what procjail/full has beyond it: a cgroup namespace and the same limits (256 MiB,
 * 64 pids, one CPU as a 100 ms quota per 100 ms period). Kept from the default: its extra mounts
 * (/dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup), masked paths, capabilities and rlimits.
 */
static int edit_spec(json_t *spec, const char *rootfs)
{
	json_t *process = json_object_get(spec, "process"), *linux_ = json_object_get(spec, "linux");
	json_t *ns = json_object_get(linux_, "namespaces"), *v;
	bool have_cgroup_ns = false;
	size_t i;

	if (!json_is_object(process) || !json_is_object(linux_) || !json_is_array(ns))
		return -EINVAL;
	for (i = 0; i < json_array_size(ns); i++) {
		const char *type = json_string_value(json_object_get(json_array_get(ns, i), "type"));
		have_cgroup_ns |= type && !strcmp(type, "cgroup");
	}
	if (!have_cgroup_ns)
		json_array_append_new(ns, json_pack("{s:s}", "type", "cgroup"));
	json_object_set_new(process, "terminal", json_false());
	json_object_set_new(process, "args", json_pack("[s]", "/bin/true"));
	json_object_set_new(spec, "root", json_pack("{s:s, s:b}", "path", rootfs, "readonly", 1));
	if (!json_is_object(json_object_get(linux_, "resources")))
		json_object_set_new(linux_, "resources", json_object());
	v = json_object_get(linux_, "resources");
	json_object_set_new(v, "memory", json_pack("{s:I}", "limit", (json_int_t)256 << 20));
	json_object_set_new(v, "pids", json_pack("{s:i}", "limit", 64));
	json_object_set_new(
		v, "cpu", json_pack("{s:I, s:I}", "quota", (json_int_t)100000, "period", (json_int_t)100000));
	return 0;
}

void jail_bundle_write(struct jail_dir *d)
{
	static const char *const tools[] = {"runc", "crun"};
	char path[PATH_MAX + 16], line[200] = "";
	json_error_t je;
	json_t *spec = NULL;

	snprintf(path, sizeof path, "%s/config.json", d->bundle);
	for (int i = 0; i < 2 && !spec; i++) {
		struct jail_cmd c;
		jail_cmd_init(&c);
		/* --root: crun would create its default state dir (/run/crun) even to write a spec. */
		if (jail_cmd_add(&c, tools[i]) || jail_cmd_add(&c, "--root") ||
		    jail_cmd_add(&c, i ? d->crun_state : d->runc_state) || jail_cmd_add(&c, "spec") ||
		    jail_cmd_add(&c, "--bundle") || jail_cmd_add(&c, d->bundle) ||
		    jail_cmd_try(&c, tools[i], line, sizeof line) < 0)
			continue;
		spec = json_load_file(path, 0, &je);
		if (!spec)
			snprintf(line, sizeof line, "%s spec wrote no JSON: %s", tools[i], je.text);
		d->spec_by = tools[i];
	}
	if (!spec) {
		snprintf(d->bundle_why, sizeof d->bundle_why, "no OCI bundle: %s", line);
		return;
	}
	if (edit_spec(spec, d->rootfs) < 0)
		snprintf(d->bundle_why, sizeof d->bundle_why,
			 "the spec runc/crun wrote has no process or linux.namespaces");
	else if (json_dump_file(spec, path, JSON_INDENT(2)) < 0)
		snprintf(d->bundle_why, sizeof d->bundle_why, "cannot write %.150s", path);
	else
		d->have_bundle = true;
	json_decref(spec);
}

void jail_rootfs_describe(const struct jail_dir *d, char *buf, size_t len)
{
	size_t at = 0;

	if (!d->have_rootfs) {
		snprintf(buf, len, "rootfs: none (%s)", d->rootfs_why);
		return;
	}
	at += (size_t)snprintf(buf, len,
			       "rootfs: a copy of %s (%s, static) as /bin/busybox, links to it:", BUSYBOX,
			       d->busybox[0] ? d->busybox : "version unknown");
	for (size_t i = 0; i < NAPPLETS && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, " /bin/%s", applets[i]);
	if (at < len)
		at += (size_t)snprintf(buf + at, len - at, "; empty directories");
	for (size_t i = 0; i < NDIRS && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, " %s", dirs[i] + 6);
}

/* nftw has no context argument: the first path that could not be removed. */
static char rm_left[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)f;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && !rm_left[0])
		snprintf(rm_left, sizeof rm_left, "%s (%s)", path, strerror(errno));
	return 0;
}

static void delete_leftovers(const char *tool, const char *state)
{
	DIR *dir = opendir(state);
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		struct jail_cmd c;
		char why[200];
		if (de->d_name[0] == '.')
			continue;
		jail_cmd_init(&c);
		if (!jail_cmd_add(&c, tool) && !jail_cmd_add(&c, "--root") && !jail_cmd_add(&c, state) &&
		    !jail_cmd_add(&c, "delete") && !jail_cmd_add(&c, "--force") &&
		    !jail_cmd_add(&c, de->d_name))
			jail_cmd_try(&c, NULL, why, sizeof why);
	}
	if (dir)
		closedir(dir);
}

int jail_dir_remove(struct jail_dir *d, char *left, size_t len)
{
	if (len)
		left[0] = '\0';
	if (!d->path[0])
		return 0;
	delete_leftovers("runc", d->runc_state);
	delete_leftovers("crun", d->crun_state);
	rm_left[0] = '\0';
	/* FTW_MOUNT: a mount a tool left on the tree (none should be) is left alone, never emptied. */
	nftw(d->path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	guard_clear();
	snprintf(left, len, "%s", rm_left);
	d->path[0] = '\0';
	return rm_left[0] ? -ENOTEMPTY : 0;
}

/* Counts directories under dir whose name starts with prefix, down to depth levels. */
static int count_under(const char *dir, const char *prefix, int depth, char *first, size_t len)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char p[PATH_MAX];
	int n = 0;

	while (dp && (de = readdir(dp))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		if (!strncmp(de->d_name, prefix, strlen(prefix)) && n++ == 0 && first && !first[0])
			snprintf(first, len, "%s", p);
		if (depth > 1)
			n += count_under(p, prefix, depth - 1, first, len);
	}
	if (dp)
		closedir(dp);
	return n;
}

/* Calls fn with each cgroup (v1) or cgroup2 mount: its mount point and super options. */
static void each_cgroup_mount(void (*fn)(void *, const char *, bool, const char *), void *ctx)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[PATH_MAX], type[32], opts[1024];

	while (f && fgets(line, sizeof line, f)) {
		const char *dash = strstr(line, " - ");
		/* id parent major:minor root mount-point options [optional...] - type source super-options */
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%31s %*s %1023s", type, opts) != 2)
			continue;
		if (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2"))
			fn(ctx, mnt, !strcmp(type, "cgroup2"), opts);
	}
	if (f)
		fclose(f);
}

struct count_ctx {
	const char *prefix;
	char *first;
	size_t len;
	int n;
};

static void count_mount(void *ctx, const char *mnt, bool v2, const char *opts)
{
	struct count_ctx *c = ctx;
	(void)v2, (void)opts;
	c->n += count_under(mnt, c->prefix, 6, c->first, c->len);
}

int jail_cgroup_count(const char *prefix, char *first, size_t len)
{
	struct count_ctx c = {.prefix = prefix, .first = first, .len = len};

	if (first && len)
		first[0] = '\0';
	each_cgroup_mount(count_mount, &c);
	return c.n;
}

struct mode_ctx {
	int v1, v2;
	char v1_memory[PATH_MAX], v2_at[PATH_MAX], v2_ctrls[256];
};

static bool has_opt(const char *opts, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = opts; (p = strstr(p, name)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void mode_mount(void *ctx, const char *mnt, bool v2, const char *opts)
{
	struct mode_ctx *m = ctx;
	char p[PATH_MAX + 32];
	FILE *f;

	if (!v2) {
		m->v1++;
		if (has_opt(opts, "memory"))
			snprintf(m->v1_memory, sizeof m->v1_memory, "%s", mnt);
		return;
	}
	if (m->v2++)
		return;
	snprintf(m->v2_at, sizeof m->v2_at, "%s", mnt);
	snprintf(p, sizeof p, "%s/cgroup.controllers", mnt);
	if ((f = fopen(p, "re"))) {
		if (fgets(m->v2_ctrls, sizeof m->v2_ctrls, f))
			m->v2_ctrls[strcspn(m->v2_ctrls, "\n")] = '\0';
		fclose(f);
	}
}

void jail_cgroup_mode(char *buf, size_t len)
{
	struct mode_ctx m = {0};

	each_cgroup_mount(mode_mount, &m);
	const char *mode = !m.v1 && !m.v2    ? "none"
			   : !m.v2           ? "v1"
			   : !m.v1_memory[0] ? "v2 (unified)"
					     : "hybrid";
	snprintf(buf, len, "cgroups: %s; memory controller %s%s; cgroup2 %s%s%s%s", mode,
		 m.v1_memory[0]                 ? "on cgroup v1 at "
		 : strstr(m.v2_ctrls, "memory") ? "on cgroup2"
						: "not mounted",
		 m.v1_memory, m.v2 ? "at " : "not mounted", m.v2_at, m.v2 ? " holds: " : "",
		 m.v2 ? (m.v2_ctrls[0] ? m.v2_ctrls : "no controller") : "");
}
