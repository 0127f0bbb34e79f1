// SPDX-License-Identifier: MIT
/* cgroup: limiting and accounting a group of processes through cgroup v1, v2 or hybrid hierarchies. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <syslab/cgroup.h>

#include "errbuf.h"

#define NCTRL         4
#define V2_CTRLS      (CGROUP_MEMORY | CGROUP_PIDS | CGROUP_CPU) /* cpuacct has no v2 controller */
#define MAX_HIER      (NCTRL + 1) /* one v1 mount per controller, one cgroup2 */
#define CPU_PERIOD_US 100000      /* the kernel's default CFS period (scheduler/sched-bwc.rst) */
#define ROUNDS        200 /* x 5 ms: how long destroy waits for killed processes and busy directories */
#define MAX_DEPTH     16  /* of sub-groups the jailed processes made, removed first */

static const char *const ctrl_names[NCTRL] = {"memory", "pids", "cpu", "cpuacct"}; /* bit i: CGROUP_* */

/* One mounted hierarchy holding a controller we use, or the cgroup2 mount. */
struct hier {
	char dir[PATH_MAX];  /* prefix + mount point; then the caller's cgroup in it */
	char mnt[PATH_MAX];  /* prefix + mount point */
	char root[PATH_MAX]; /* the mount's root inside the hierarchy (mountinfo field 4) */
	unsigned ctrls;
	bool v2, placed;
};

struct layout {
	enum cgroup_mode mode;
	struct hier h[MAX_HIER];
	int n, v2; /* v2: index of the cgroup2 mount in h, or -1 */
	unsigned v1_ctrls;
	const char *mountinfo;
};

static int join(char *out, const char *dir, const char *name)
{
	return snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static void nap(void)
{
	nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
}

/* Reads dir/file into buf (NUL-terminated) in one read: control files are small. Bytes or -errno. */
static int read_text(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;
	if (join(path, dir, file))
		return -ENAMETOOLONG;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return (int)n;
}

/* One write(2): the kernel parses each write of a control file as a whole and refuses it there. */
static int write_text(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	size_t n = strlen(text);
	ssize_t w;
	int fd;
	if (join(path, dir, file))
		return -ENAMETOOLONG;
	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0)
		return -errno;
	w = write(fd, text, n);
	w = w < 0 ? -errno : (size_t)w == n ? 0 : -EIO;
	close(fd);
	return (int)w;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return end == s || errno || (*end && *end != '\n' && *end != ' ') ? -EINVAL : 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];
	int n = read_text(dir, file, buf, sizeof buf);
	return n < 0 ? n : parse_u64(buf, v);
}

/* The value of the "key N" line of a flat-keyed file (memory.events, pids.events, cpu.stat...). */
static int read_key(const char *dir, const char *file, const char *key, uint64_t *v)
{
	char buf[4096];
	size_t k = strlen(key);
	int n = read_text(dir, file, buf, sizeof buf);
	if (n < 0)
		return n;
	for (const char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, key, k) == 0 && l[k] == ' ')
			return parse_u64(l + k + 1, v);
	return -ENOENT;
}

static bool has_file(const char *dir, const char *file)
{
	char path[PATH_MAX];
	return join(path, dir, file) == 0 && access(path, F_OK) == 0;
}

/* The controllers we use among the words of list ("rw,cpu,cpuacct", "cpuset cpu io memory"...). */
static unsigned ctrl_bits(const char *list, const char *seps)
{
	unsigned bits = 0;
	for (list += strspn(list, seps); *list; list += strspn(list, seps)) {
		size_t n = strcspn(list, seps);
		for (unsigned i = 0; i < NCTRL; i++)
			if (strlen(ctrl_names[i]) == n && strncmp(list, ctrl_names[i], n) == 0)
				bits |= 1u << i;
		list += n;
	}
	return bits;
}

static const char *ctrl_name(unsigned bits)
{
	for (unsigned i = 0; i < NCTRL; i++)
		if (bits & (1u << i))
			return ctrl_names[i];
	return "?";
}

/* mountinfo writes space, tab, newline and backslash in paths as \ooo (proc(5)). */
static void unescape(char *s)
{
	char *w = s;
	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS". */
static void add_mount(struct layout *l, char *line, const char *prefix)
{
	char *tok[64], *save = NULL, buf[512];
	int n = 0, dash = -1;
	for (char *t = strtok_r(line, " \n", &save); t && n < 64; t = strtok_r(NULL, " \n", &save)) {
		if (dash < 0 && n >= 6 && strcmp(t, "-") == 0)
			dash = n;
		tok[n++] = t;
	}
	if (dash < 0 || n < dash + 4 || l->n == MAX_HIER)
		return;
	struct hier *h = &l->h[l->n];
	h->v2 = strcmp(tok[dash + 1], "cgroup2") == 0;
	if ((!h->v2 && strcmp(tok[dash + 1], "cgroup") != 0) || (h->v2 && l->v2 >= 0))
		return;
	unescape(tok[3]);
	unescape(tok[4]);
	if (snprintf(h->dir, sizeof h->dir, "%s%s", prefix, tok[4]) >= (int)sizeof h->dir ||
	    snprintf(h->root, sizeof h->root, "%s", tok[3]) >= (int)sizeof h->root)
		return;
	memcpy(h->mnt, h->dir, sizeof h->mnt);
	if (h->v2) {
		/* What the hierarchy holds; what our own cgroup may use is read in load(). */
		h->ctrls = read_text(h->dir, "cgroup.controllers", buf, sizeof buf) >= 0
				   ? ctrl_bits(buf, " \n")
				   : 0;
		l->v2 = l->n++;
		return;
	}
	/* A v1 mount names its controllers in the superblock options; the first mount of each wins. */
	h->ctrls = ctrl_bits(tok[dash + 3], ",");
	if (h->ctrls && !(h->ctrls & l->v1_ctrls)) {
		l->v1_ctrls |= h->ctrls;
		l->n++;
	}
}

/* The caller's cgroup path in h (from /proc/self/cgroup), made relative to the mount's root. */
static int place(struct hier *h, const char *cgpath, char *err, size_t len)
{
	size_t n = strlen(h->root), d = strlen(h->dir);
	const char *rel = cgpath;
	if (strcmp(h->root, "/") != 0) {
		if (strncmp(cgpath, h->root, n) != 0 || (cgpath[n] && cgpath[n] != '/'))
			return fail(err, len, -ENOENT,
				    "our cgroup %s is outside the mount at %s (its root is %s)", cgpath,
				    h->dir, h->root);
		rel = cgpath + n;
	}
	while (d > 1 && h->dir[d - 1] == '/')
		h->dir[--d] = '\0';
	memcpy(h->mnt, h->dir, d + 1);
	if (snprintf(h->dir + d, sizeof h->dir - d, "%s", strcmp(rel, "/") ? rel : "") >=
	    (int)(sizeof h->dir - d))
		return fail(err, len, -ENAMETOOLONG, "the path of our cgroup %s is too long", cgpath);
	h->placed = true;
	return 0;
}

/* Lines "ID:CONTROLLERS:PATH" (cgroups(7)); the cgroup2 one is "0::PATH". */
static int load_self(struct layout *l, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	if (!f)
		return fail(err, len, -errno, "cannot read %s: %s", path, strerror(errno));
	while (!rc && getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2++ = '\0';
		c2[strcspn(c2, "\n")] = '\0';
		bool v2 = c1 + 1 == c2 - 1 && strncmp(line, "0:", 2) == 0;
		unsigned bits = v2 ? 0 : ctrl_bits(c1 + 1, ",");
		for (int i = 0; i < l->n && !rc; i++)
			if (!l->h[i].placed && (v2 ? l->h[i].v2 : !l->h[i].v2 && (bits & l->h[i].ctrls)))
				rc = place(&l->h[i], c2, err, len);
	}
	free(line);
	fclose(f);
	for (int i = 0; i < l->n && !rc; i++)
		if (l->h[i].ctrls && !l->h[i].placed)
			rc = fail(err, len, -ENOENT,
				  "%s names no cgroup of ours in the hierarchy mounted at %s", path,
				  l->h[i].dir);
	return rc;
}

/*
 * Reads the mount table and decides the mode; with self, also finds the caller's cgroup in each
 * hierarchy and, on cgroup2, which controllers that cgroup may hand to a child (its cgroup.controllers).
 */
static int load(struct layout *l, const struct cgroup_root *r, bool self, char *err, size_t len)
{
	const char *prefix = r && r->prefix ? r->prefix : "";
	char *line = NULL, buf[512];
	size_t cap = 0;
	FILE *f;
	memset(l, 0, sizeof *l);
	l->v2 = -1;
	l->mountinfo = r && r->mountinfo ? r->mountinfo : "/proc/self/mountinfo";
	if (!(f = fopen(l->mountinfo, "re")))
		return fail(err, len, -errno, "cannot read %s: %s", l->mountinfo, strerror(errno));
	while (getline(&line, &cap, f) > 0)
		add_mount(l, line, prefix);
	free(line);
	fclose(f);
	if (l->v1_ctrls)
		l->mode = l->v2 >= 0 ? CGROUP_HYBRID : CGROUP_V1;
	else
		l->mode = l->v2 >= 0 ? CGROUP_V2 : CGROUP_NONE;
	/* Hybrid: cgroup2 serves only what no v1 mount holds, e.g. CPU time if cpuacct is not mounted. */
	struct hier *h = l->v2 >= 0 ? &l->h[l->v2] : NULL;
	if (h) {
		h->ctrls &= V2_CTRLS & ~l->v1_ctrls;
		if (!(l->v1_ctrls & CGROUP_CPUACCT))
			h->ctrls |= CGROUP_CPUACCT; /* cpu.stat usage_usec, in every v2 cgroup */
	}
	if (!self)
		return 0;
	int rc = load_self(l, r && r->self_cgroup ? r->self_cgroup : "/proc/self/cgroup", err, len);
	if (!rc && h && h->ctrls) {
		/* What our cgroup may hand to a child (cgroup-v2.rst, "Controlling Controllers"). */
		unsigned usable = read_text(h->dir, "cgroup.controllers", buf, sizeof buf) >= 0
					  ? ctrl_bits(buf, " \n")
					  : 0;
		h->ctrls &= usable | CGROUP_CPUACCT;
	}
	return rc;
}

static int check_args(const char *name, const struct cgroup_limits *lim, char *err, size_t len)
{
	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) > NAME_MAX)
		return fail(err, len, -EINVAL, "bad group name \"%s\": one path component is needed",
			    name ? name : "(null)");
	if (!(lim->cpu >= 0 && lim->cpu <= 1e6)) /* NaN too */
		return fail(err, len, -EINVAL, "bad cpu limit %g: a number of CPUs, or 0 for none", lim->cpu);
	return 0;
}

/* The controllers lim's limits need. */
static unsigned limit_ctrls(const struct cgroup_limits *lim)
{
	return (lim->memory ? CGROUP_MEMORY : 0) | (lim->pids ? CGROUP_PIDS : 0) |
	       (lim->cpu > 0 ? CGROUP_CPU : 0);
}

static int check_support(const struct layout *l, const struct cgroup_limits *lim, char *err, size_t len)
{
	unsigned have = 0, miss;
	for (int i = 0; i < l->n; i++)
		have |= l->h[i].ctrls;
	miss = limit_ctrls(lim) & ~have;
	if (!miss)
		return 0;
	if (l->mode == CGROUP_NONE)
		return fail(err, len, -ENOTSUP, "a %s limit needs cgroups, and %s shows no cgroup filesystem",
			    ctrl_name(miss), l->mountinfo);
	if (l->v2 >= 0 && !(l->v1_ctrls & miss))
		return fail(err, len, -ENOTSUP,
			    "a %s limit needs the %s controller, which %s/cgroup.controllers does not offer "
			    "to us",
			    ctrl_name(miss), ctrl_name(miss), l->h[l->v2].dir);
	return fail(err, len, -ENOTSUP,
		    "a %s limit needs the %s controller, which no cgroup mount holds (%s)", ctrl_name(miss),
		    ctrl_name(miss), cgroup_mode_name(l->mode));
}

/* Processes in the group at path: sends sig (0: none) to each but the caller. How many, or -errno. */
static int scan_procs(const char *path, int sig, bool *me)
{
	char file[PATH_MAX];
	FILE *f;
	int pid, n = 0;
	if (join(file, path, "cgroup.procs"))
		return -ENAMETOOLONG;
	if (!(f = fopen(file, "re")))
		return errno == ENOENT ? 0 : -errno;
	while (fscanf(f, "%d", &pid) == 1) {
		if (pid == getpid()) {
			*me = true;
		} else {
			n++;
			if (sig)
				kill(pid, sig);
		}
	}
	fclose(f);
	return n;
}

/*
 * Enables the controllers use needs in the parent's cgroup.subtree_control (cgroup-v2.rst,
 * "Top-down Constraint"). A non-root cgroup may only do so while it has no processes of its own
 * ("No Internal Process Constraint"): else the kernel says EBUSY.
 */
static int enable_controllers(const char *parent, unsigned use, char *err, size_t len)
{
	char on[512], want[64] = "";
	bool me = false;
	int rc = read_text(parent, "cgroup.subtree_control", on, sizeof on);
	if (rc < 0)
		return fail(err, len, rc, "cannot read %s/cgroup.subtree_control: %s", parent, strerror(-rc));
	use &= V2_CTRLS & ~ctrl_bits(on, " +\n"); /* "+" too: a fixture keeps what was written */
	for (unsigned i = 0; i < NCTRL; i++)
		if (use & (1u << i))
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s+%s", *want ? " " : "",
				 ctrl_names[i]);
	if (!*want)
		return 0;
	rc = write_text(parent, "cgroup.subtree_control", want);
	if (rc == -EBUSY) {
		int n = scan_procs(parent, 0, &me);
		n = n < 0 ? 0 : n + me;
		return fail(
			err, len, rc,
			"cannot write \"%s\" to %s/cgroup.subtree_control: EBUSY: that cgroup holds %d "
			"process(es)%s, and cgroup v2 lets a cgroup give controllers to its children only "
			"when it has none of its own; move them to a leaf cgroup first",
			want, parent, n, me ? ", the caller among them" : "");
	}
	if (rc)
		return fail(err, len, rc, "cannot write \"%s\" to %s/cgroup.subtree_control: %s", want,
			    parent, strerror(-rc));
	return 0;
}

/* Fixture mode: a plain mkdir grows no control files, so copy the parent's names, as empty files. */
static int populate(const char *from, const char *to)
{
	char dst[PATH_MAX], target[PATH_MAX];
	DIR *d = opendir(from);
	struct dirent *de;
	struct stat st;
	ssize_t n;
	int rc = 0, fd;
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
			continue;
		if ((rc = join(dst, to, de->d_name)))
			break;
		if (S_ISREG(st.st_mode)) {
			if ((fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
				rc = -errno;
			else
				close(fd);
		} else if (S_ISLNK(st.st_mode)) {
			/* Kept: a test points one at /dev/full to make a write fail as the kernel would. */
			n = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1);
			if (n >= 0)
				target[n] = '\0';
			if (n < 0 || symlink(target, dst) != 0)
				rc = -errno;
		}
	}
	closedir(d);
	return rc;
}

/*
 * The parent of the group in a v2 hierarchy: our own cgroup, unless the group needs controllers
 * and our cgroup holds processes (on a real system it holds at least us). cgroup v2 lets a cgroup
 * other than the root give controllers to its children only while it has no processes of its own
 * (cgroup-v2.rst, "No Internal Process Constraint"), so writing its subtree_control would fail
 * with EBUSY. The root is exempt: the group goes there, as runc's cgroupfs driver puts its
 * containers, when the mount shows the whole hierarchy and the root's subtree_control is ours to
 * write (root, on a host that delegated nothing to us).
 */
static int v2_parent(const struct hier *h, unsigned use, const char **parent, char *err, size_t len)
{
	char procs[32], path[PATH_MAX];
	*parent = h->dir;
	if (!(use & V2_CTRLS) || !strcmp(h->dir, h->mnt) ||
	    read_text(h->dir, "cgroup.procs", procs, sizeof procs) <= 0 || !strpbrk(procs, "0123456789"))
		return 0;
	if (!strcmp(h->root, "/") && !join(path, h->mnt, "cgroup.subtree_control") &&
	    access(path, W_OK) == 0) {
		*parent = h->mnt;
		return 0;
	}
	return fail(err, len, -EBUSY,
		    "our cgroup %s holds processes (this one among them), and cgroup v2 lets a cgroup "
		    "give controllers to its children only when it has none of its own; the "
		    "hierarchy's root, which may, is %s: run as root on the host for cgroup limits",
		    h->dir, strcmp(h->root, "/") ? "outside this mount" : "not ours to write");
}

/* Makes the group in hierarchy h, after enabling controllers in its parent on v2. */
static int make_dir(struct cgroup *cg, const struct hier *h, unsigned use, const char *name, char *err,
		    size_t len)
{
	struct cgroup_dir *d = &cg->dirs[cg->ndirs];
	const char *parent = h->dir;
	struct statfs sf;
	int rc;
	if (statfs(h->dir, &sf) != 0)
		return fail(err, len, -errno, "cannot reach our cgroup %s: %s", h->dir, strerror(errno));
	d->cgroupfs = sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC;
	d->v2 = h->v2;
	d->ctrls = use;
	if (h->v2 &&
	    ((rc = v2_parent(h, use, &parent, err, len)) || (rc = enable_controllers(parent, use, err, len))))
		return rc;
	if (join(d->path, parent, name))
		return fail(err, len, -ENAMETOOLONG, "the path %s/%s is too long", parent, name);
	if (mkdir(d->path, 0755) != 0)
		return fail(err, len, -errno, "cannot create %s: %s", d->path, strerror(errno));
	d->created = true;
	cg->ndirs++;
	if (!d->cgroupfs && (rc = populate(parent, d->path)))
		return fail(err, len, rc, "cannot fill the fixture group %s: %s", d->path, strerror(-rc));
	if (cg->mode == CGROUP_V2 && (cg->v2_fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail(err, len, -errno, "cannot open %s: %s", d->path, strerror(errno));
	return 0;
}

static const struct cgroup_dir *dir_of(const struct cgroup *cg, unsigned ctrl)
{
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg->dirs[i].created && (cg->dirs[i].ctrls & ctrl))
			return &cg->dirs[i];
	return NULL;
}

static int put(const struct cgroup_dir *d, const char *file, uint64_t v, const char *suffix, char *err,
	       size_t len)
{
	char text[64];
	snprintf(text, sizeof text, "%" PRIu64 "%s", v, suffix);
	int rc = write_text(d->path, file, text);
	if (rc)
		return fail(err, len, rc, "cannot set %s/%s to \"%s\": %s", d->path, file, text,
			    strerror(-rc));
	return 0;
}

/* The limits; check_support made sure each has its controller. */
static int write_limits(const struct cgroup *cg, const struct cgroup_limits *lim, char *err, size_t len)
{
	const struct cgroup_dir *m = dir_of(cg, CGROUP_MEMORY), *p = dir_of(cg, CGROUP_PIDS);
	const struct cgroup_dir *c = dir_of(cg, CGROUP_CPU);
	uint64_t quota = (uint64_t)(lim->cpu * CPU_PERIOD_US + 0.5);
	int rc = 0;
	if (lim->memory && m->v2) {
		/* memory.swap.max exists only with swap accounting; 0 keeps the group from swapping past max.
		 */
		rc = put(m, "memory.max", lim->memory, "", err, len);
		if (!rc && has_file(m->path, "memory.swap.max"))
			rc = put(m, "memory.swap.max", 0, "", err, len);
	} else if (lim->memory) {
		/* cgroup-v1/memory.rst: memsw is memory+swap, so the same value allows no swap; it must be
		 * set after limit_in_bytes, which may not exceed it. Absent without swap accounting. */
		rc = put(m, "memory.limit_in_bytes", lim->memory, "", err, len);
		if (!rc && has_file(m->path, "memory.memsw.limit_in_bytes"))
			rc = put(m, "memory.memsw.limit_in_bytes", lim->memory, "", err, len);
	}
	if (!rc && lim->pids)
		rc = put(p, "pids.max", lim->pids, "", err, len);
	if (rc || !(lim->cpu > 0))
		return rc;
	if (c->v2) {
		char period[24];
		snprintf(period, sizeof period, " %d", CPU_PERIOD_US);
		return put(c, "cpu.max", quota, period, err, len);
	}
	rc = put(c, "cpu.cfs_period_us", CPU_PERIOD_US, "", err, len);
	return rc ? rc : put(c, "cpu.cfs_quota_us", quota, "", err, len);
}

static void init(struct cgroup *cg)
{
	memset(cg, 0, sizeof *cg);
	cg->v2_fd = -1;
}

int cgroup_detect(const struct cgroup_root *r, enum cgroup_mode *mode, char *err, size_t len)
{
	struct layout *l = malloc(sizeof *l);
	int rc;
	if (!l)
		return fail(err, len, -ENOMEM, "out of memory");
	rc = load(l, r, false, err, len);
	*mode = rc ? CGROUP_NONE : l->mode;
	free(l);
	return rc;
}

const char *cgroup_mode_name(enum cgroup_mode m)
{
	static const char *const names[] = {"none", "v1", "v2", "hybrid"};
	return (unsigned)m < 4 ? names[m] : "none";
}

int cgroup_create(struct cgroup *cg, const struct cgroup_root *r, const char *name,
		  const struct cgroup_limits *lim, char *err, size_t len)
{
	static const struct cgroup_limits none;
	struct layout *l = malloc(sizeof *l);
	int rc;
	init(cg);
	lim = lim ? lim : &none;
	if (!l)
		return fail(err, len, -ENOMEM, "out of memory");
	if ((rc = check_args(name, lim, err, len)) || (rc = load(l, r, true, err, len)))
		goto out;
	cg->mode = l->mode;
	if ((rc = check_support(l, lim, err, len)))
		goto out;
	for (int i = 0; i < l->n && !rc; i++) {
		/* A cpu-only hierarchy serves nothing without a cpu limit: CPU time is read elsewhere. */
		unsigned use = l->h[i].ctrls & (lim->cpu > 0 ? ~0u : ~(unsigned)CGROUP_CPU);
		if (lim->limits_only)
			use &= limit_ctrls(lim);
		if (use)
			rc = make_dir(cg, &l->h[i], use, name, err, len);
	}
	if (!rc)
		rc = write_limits(cg, lim, err, len);
out:
	free(l);
	if (rc)
		cgroup_destroy(cg);
	return rc;
}

int cgroup_attach(struct cgroup *cg, pid_t pid, char *err, size_t len)
{
	char text[24];
	snprintf(text, sizeof text, "%d", (int)pid);
	for (size_t i = 0; i < cg->ndirs; i++) {
		const char *file = pid == 0 && !cg->dirs[i].v2 ? "tasks" : "cgroup.procs";
		int rc = cg->dirs[i].created ? write_text(cg->dirs[i].path, file, text) : 0;
		if (rc)
			return fail(err, len, rc, "cannot move %s%s into %s: %s", pid ? "pid " : "",
				    pid ? text : "the caller", cg->dirs[i].path, strerror(-rc));
	}
	return 0;
}

int cgroup_v2_fd(const struct cgroup *cg)
{
	return cg->mode == CGROUP_V2 ? cg->v2_fd : -1;
}

int cgroup_stats(const struct cgroup *cg, struct cgroup_stats *st)
{
	const struct cgroup_dir *m = dir_of(cg, CGROUP_MEMORY), *p = dir_of(cg, CGROUP_PIDS);
	const struct cgroup_dir *c = dir_of(cg, CGROUP_CPUACCT);
	uint64_t v;
	memset(st, 0, sizeof *st);
	if (m && m->v2) {
		/* cgroup-v2.rst: memory.events "max" counts reclaim at the limit, "oom_kill" the kills. */
		st->have_peak = read_u64(m->path, "memory.peak", &st->peak_bytes) == 0;
		st->have_oom = read_key(m->path, "memory.events", "oom_kill", &st->oom_kills) == 0;
		st->memory_limit_hit = read_key(m->path, "memory.events", "max", &v) == 0 && v > 0;
	} else if (m) {
		/* cgroup-v1/memory.rst: failcnt counts charges that hit limit_in_bytes. */
		st->have_peak = read_u64(m->path, "memory.max_usage_in_bytes", &st->peak_bytes) == 0;
		st->have_oom = read_key(m->path, "memory.oom_control", "oom_kill", &st->oom_kills) == 0;
		st->memory_limit_hit = read_u64(m->path, "memory.failcnt", &v) == 0 && v > 0;
	}
	st->memory_limit_hit |= st->oom_kills > 0;
	/* pids.rst: pids.events "max" counts forks refused because of pids.max. */
	st->have_pids_events = p && read_key(p->path, "pids.events", "max", &st->pids_max_events) == 0;
	if (c && c->v2) {
		st->have_cpu = read_key(c->path, "cpu.stat", "usage_usec", &st->cpu_usec) == 0;
	} else if (c && read_u64(c->path, "cpuacct.usage", &v) == 0) { /* nanoseconds */
		st->have_cpu = true;
		st->cpu_usec = v / 1000;
	}
	return 0;
}

size_t cgroup_dirs(const struct cgroup *cg, const char **paths, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cg->ndirs; i++)
		if (cg->dirs[i].created && n++ < max)
			paths[n - 1] = cg->dirs[i].path;
	return n;
}

/* Like fail(), but the first failure of a destroy stays: the later ones follow from it. */
#define note(err, len, rc, ...) (*(err) ? (rc) : fail(err, len, rc, __VA_ARGS__))

/* Kills the processes of one group: cgroup.kill (Linux 5.14, v2) wins any race with fork at once. */
static int kill_all(const char *path, char *err, size_t len)
{
	bool me = false;
	int n = scan_procs(path, 0, &me);
	if (n < 0)
		return note(err, len, n, "cannot read %s/cgroup.procs: %s", path, strerror(-n));
	if (me)
		return note(err, len, -EBUSY, "the caller (pid %d) is in %s: move it out first",
			    (int)getpid(), path);
	bool killed = n > 0 && write_text(path, "cgroup.kill", "1") == 0;
	for (int i = 0; n > 0 && i < ROUNDS; i++) {
		nap();
		n = scan_procs(path, killed ? 0 : SIGKILL, &me);
	}
	return n <= 0 ? 0 : note(err, len, -EBUSY, "%d process(es) in %s outlived SIGKILL", n, path);
}

/* Removes the group at path and any sub-groups, depth first. */
static int remove_tree(const char *path, bool cgroupfs, int depth, char *err, size_t len)
{
	char sub[PATH_MAX];
	/* The common case, an empty group without sub-groups, in one call; the walk is for the rest. */
	if (cgroupfs && (rmdir(path) == 0 || errno == ENOENT))
		return 0;
	DIR *d = opendir(path);
	struct dirent *de;
	struct stat st;
	int rc = 0, r;
	if (!d)
		return errno == ENOENT ? 0
				       : note(err, len, -errno, "cannot open %s: %s", path, strerror(errno));

	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		bool dir =
			de->d_type == DT_DIR ||
			(de->d_type == DT_UNKNOWN &&
			 fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode));
		if (dir && depth < MAX_DEPTH && join(sub, path, de->d_name) == 0)
			r = remove_tree(sub, cgroupfs, depth + 1, err, len);
		else if (!dir && !cgroupfs) /* fixture mode: the files populate() made, or the test wrote */
			r = unlinkat(dirfd(d), de->d_name, 0) ? -errno : 0;
		else
			r = 0;
		rc = rc ? rc : r;
	}
	closedir(d);
	if (cgroupfs && (r = kill_all(path, err, len)))
		return r;
	/* A killed process leaves its cgroup a little after it dies: EBUSY until then. */
	for (int i = 0; (r = rmdir(path) ? -errno : 0) == -EBUSY && i < ROUNDS; i++)
		nap();
	if (r && r != -ENOENT)
		return note(err, len, r, "cannot remove %s: %s", path, strerror(-r));
	return rc;
}

int cgroup_destroy(struct cgroup *cg)
{
	int rc = 0;
	if (cg->mode == CGROUP_V2 && cg->v2_fd >= 0)
		close(cg->v2_fd);
	cg->v2_fd = -1;
	cg->err[0] = '\0';
	for (size_t i = cg->ndirs; i-- > 0;) {
		struct cgroup_dir *d = &cg->dirs[i];
		int r = d->created ? remove_tree(d->path, d->cgroupfs, 0, cg->err, sizeof cg->err) : 0;
		if (r == 0)
			d->created = false;
		rc = rc ? rc : r;
	}
	return rc;
}
