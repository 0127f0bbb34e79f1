// SPDX-License-Identifier: MIT
/* jail: what starting a process isolated costs, from exec to exit, with procjail and the tools it faces. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "experiment.h"
#include "fdtext.h"
#include "jail.h"

#define MS        1000000ull
#define MAX_CASES 24
#define LIMITS    "--memory", "256M", "--pids", "64", "--cpu", "1"

enum tool { T_BARE, T_BUSYBOX, T_TINI, T_UNSHARE, T_BWRAP, T_RUNC, T_CRUN, T_PROCJAIL, T_COUNT };

/* The program of each tool, its Debian package (NULL: built here), and how it says its version. */
static const struct {
	const char *prog, *package, *version;
} tools[T_COUNT] = {
	[T_BARE] = {"/bin/true", "coreutils", NULL},
	[T_BUSYBOX] = {NULL, NULL, NULL},
	[T_TINI] = {"tini", "tini", "--version"},
	[T_UNSHARE] = {"unshare", "util-linux", "--version"},
	[T_BWRAP] = {"bwrap", "bubblewrap", "--version"},
	[T_RUNC] = {"runc", "runc", "--version"},
	[T_CRUN] = {"crun", "crun", "--version"},
	[T_PROCJAIL] = {NULL, NULL, "--version"},
};

struct jail_case {
	struct bench_case bc;
	char name[32], label[112];
	enum tool tool;
	struct jail_cmd cmd;
	int errfd;        /* memfd: stderr of the last run */
	char skip[200];   /* why the case cannot run here, "" when it can */
	char failed[200]; /* the first error line of a run that failed while measured */
};

struct jail {
	struct exp *e;
	struct jail_dir d;
	char procjail[PATH_MAX];
	struct jail_case *c; /* MAX_CASES; stable addresses, the harness keeps pointers */
	int n;
	unsigned iters; /* runs per sample */
	struct bench_budget tools_b, ns_b;
};

/* One sample: iters runs, each timed into the histogram; the tool must exit 0 every time. */
static int case_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct jail_case *c = arg;
	double total = 0;

	for (uint64_t i = 0; i < iters; i++) {
		uint64_t ns;
		int status, rc = jail_cmd_run(&c->cmd, c->errfd, &ns, &status);
		if (rc) {
			snprintf(c->failed, sizeof c->failed, "%s", strerror(-rc));
			return rc;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fdtext_line(c->errfd, false, 160, c->failed, sizeof c->failed);
			if (!c->failed[0])
				snprintf(c->failed, sizeof c->failed, "exit status %d",
					 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			return -EIO;
		}
		total += (double)ns;
		if (s->op_hist)
			hist_record(s->op_hist, (int64_t)ns);
	}
	s->ns = total;
	return 0;
}

static struct jail_case *add(struct jail *j, const char *name, const char *label, enum tool t)
{
	struct jail_case *c = &j->c[j->n++];

	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->label, sizeof c->label, "%s", label);
	c->tool = t;
	c->errfd = -1;
	jail_cmd_init(&c->cmd);
	c->bc = (struct bench_case){.name = c->name,
				    .label = c->label,
				    .cpu = -1,
				    .unit = "ns/start",
				    .fixed_iters = j->iters,
				    .want_op_hist = true,
				    .run = case_run,
				    .arg = c};
	return c;
}

/* Appends the NULL-terminated arguments; a full command line is reported when the case is checked. */
static void args(struct jail_case *c, ...)
{
	va_list ap;
	const char *a;

	va_start(ap, c);
	while ((a = va_arg(ap, const char *)))
		if (jail_cmd_add(&c->cmd, a) < 0)
			snprintf(c->skip, sizeof c->skip, "the command line is too long");
	va_end(ap);
}

/*
 * Starts c as `runc --root STATE` (or crun): every call of a runtime names our state dir, as crun
 * otherwise creates its default one (/run/crun as root) even for --version.
 */
static int runtime(const struct jail *j, enum tool t, struct jail_cmd *c)
{
	jail_cmd_init(c);
	if (jail_cmd_add(c, tools[t].prog) || jail_cmd_add(c, "--root"))
		return -E2BIG;
	return jail_cmd_add(c, t == T_RUNC ? j->d.runc_state : j->d.crun_state);
}

/*
 * The tools, each doing what it does to start /bin/true in isolation:
 * tini: -s (subreaper: it is not PID 1 here), no namespaces; the host's /bin/true.
 * unshare: new pid (with a fork to enter it), mount, uts, ipc, net; a fresh /proc; no new root,
 *   no cgroup namespace, no limits, loopback left down; the host's /bin/true.
 * bwrap: the namespaces procjail/full makes as root (pid, mount, uts, ipc, net, cgroup) named one by
 *   one: --unshare-all would add a user namespace (bwrap tries one even as root). The rootfs bound
 *   read-only at / of a tmpfs bwrap pivots into (procjail pivots into the directory itself), a new
 *   /proc, a minimal /dev, loopback up, bwrap as PID 1; no cgroup limits (bwrap has none).
 * runc, crun: the bundle of jail_bundle_write (the runtime's default spec, plus a cgroup namespace and
 *   procjail/full's limits), a new container id each run, state in our directory.
 */
static void tool_cases(struct jail *j)
{
	const char *r = j->d.rootfs;
	char bb[PATH_MAX + 16];
	struct jail_case *c;

	snprintf(bb, sizeof bb, "%s/bin/true", r);
	args(add(j, "bare", "spawn + exec /bin/true + wait: the floor", T_BARE), "/bin/true", NULL);
	args(add(j, "bare/busybox", "the rootfs's /bin/true (static busybox), bare", T_BUSYBOX), bb, NULL);
	args(add(j, "tini", "tini -s: an init, no namespaces", T_TINI), "tini", "-s", "--", "/bin/true",
	     NULL);
	args(add(j, "unshare", "unshare(1): pid, mount, uts, ipc, net, a new /proc", T_UNSHARE), "unshare",
	     "--pid", "--fork", "--mount", "--uts", "--ipc", "--net", "--mount-proc", "/bin/true", NULL);
	args(add(j, "bwrap", "bubblewrap: procjail/full's namespaces, the rootfs read-only", T_BWRAP),
	     "bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup",
	     "--ro-bind", r, "/", "--proc", "/proc", "--dev", "/dev", "/bin/true", NULL);
	for (enum tool t = T_RUNC; t <= T_CRUN; t++) {
		c = add(j, tools[t].prog,
			t == T_RUNC ? "runc run: an OCI container from the bundle"
				    : "crun run: the same bundle",
			t);
		if (runtime(j, t, &c->cmd) < 0)
			snprintf(c->skip, sizeof c->skip, "the command line is too long");
		args(c, "run", "--bundle", j->d.bundle, NULL);
		jail_cmd_add_id(&c->cmd, t == T_RUNC ? j->d.runc_state : j->d.crun_state);
	}
	c = add(j, "procjail/full", "procjail: every namespace, the rootfs, cgroup limits", T_PROCJAIL);
	args(c, j->procjail, "--rootfs", r, LIMITS, "--", "/bin/true", NULL);
}

/*
 * procjail one namespace at a time: every other one shared (a user namespace is only made with
 * --user, as root), against procjail/none; and the rootfs and the limits alone.
 */
static void ns_cases(struct jail *j)
{
	static const char *const ns[] = {"pid", "mount", "uts", "ipc", "net", "user", "cgroup"};
	char name[32], label[112];
	struct jail_case *c;

	for (int k = -3; k < 7; k++) {
		const char *only = k >= 0 ? ns[k] : NULL;
		if (k == -3)
			c = add(j, "procjail/none", "procjail, every namespace shared: its init alone",
				T_PROCJAIL);
		else if (k == -2)
			c = add(j, "procjail/limits", "procjail, namespaces shared, cgroup limits",
				T_PROCJAIL);
		else if (k == -1)
			c = add(j, "procjail/rootfs", "procjail, a mount namespace and the rootfs",
				T_PROCJAIL);
		else {
			snprintf(name, sizeof name, "procjail/ns-%s", only);
			snprintf(label, sizeof label, "procjail, only a new %s namespace", only);
			c = add(j, name, label, T_PROCJAIL);
		}
		if (k == -1)
			only = "mount";
		args(c, j->procjail, NULL);
		for (int i = 0; i < 7; i++)
			if (strcmp(ns[i], "user") && (!only || strcmp(ns[i], only)))
				args(c, "--share", ns[i], NULL);
		if (k == -2)
			args(c, LIMITS, NULL);
		if (k == -1)
			args(c, "--rootfs", j->d.rootfs, NULL);
		if (only && !strcmp(only, "user"))
			args(c, "--user", NULL);
		args(c, "--", "/bin/true", NULL);
	}
}

/* procjail beside the syslab binary, or $SYSLAB_PROCJAIL. */
static void find_procjail(struct jail *j)
{
	const char *env = getenv("SYSLAB_PROCJAIL");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(j->procjail, sizeof j->procjail, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(j->procjail, sizeof j->procjail, "%s/procjail", n > 0 ? dirname(self) : ".");
}

/* Decides whether a case can run here: what it needs, then one untimed run that must exit 0. */
static void check(struct jail *j, struct jail_case *c)
{
	bool needs_rootfs = c->tool == T_BUSYBOX || c->tool == T_BWRAP || c->tool == T_RUNC ||
			    c->tool == T_CRUN || (c->tool == T_PROCJAIL && strstr(c->name, "full")) ||
			    !strcmp(c->name, "procjail/rootfs");
	char why[200];

	if (c->skip[0])
		return;
	if (needs_rootfs && !j->d.have_rootfs) {
		snprintf(c->skip, sizeof c->skip, "%s", j->d.rootfs_why);
		return;
	}
	/* Without a bundle, a missing runtime is still the reason to give for its own case. */
	if ((c->tool == T_RUNC || c->tool == T_CRUN) && !j->d.have_bundle) {
		struct jail_cmd v;
		if (runtime(j, c->tool, &v) || jail_cmd_add(&v, "--version") ||
		    jail_cmd_try(&v, tools[c->tool].package, why, sizeof why) == 0)
			snprintf(why, sizeof why, "%s", j->d.bundle_why);
		snprintf(c->skip, sizeof c->skip, "%s", why);
		return;
	}
	if (c->tool == T_PROCJAIL && access(j->procjail, X_OK) < 0) {
		snprintf(c->skip, sizeof c->skip,
			 "procjail is not built: no %.120s (make, or set SYSLAB_PROCJAIL)", j->procjail);
		return;
	}
	if (jail_cmd_try(&c->cmd, tools[c->tool].package, why, sizeof why) < 0)
		snprintf(c->skip, sizeof c->skip, "%s", why);
	else if ((c->errfd = memfd_create("jail-stderr", MFD_CLOEXEC)) < 0)
		snprintf(c->skip, sizeof c->skip, "memfd_create: %s", strerror(errno));
}

/* The tool's version line, once per tool. */
static void version(struct jail *j, enum tool t, char *buf, size_t len)
{
	const char *prog = t == T_PROCJAIL ? j->procjail : tools[t].prog;
	char *argv[] = {(char *)prog, (char *)tools[t].version, NULL};
	struct jail_cmd c;

	buf[0] = '\0';
	if (t == T_RUNC || t == T_CRUN) {
		if (!runtime(j, t, &c) && !jail_cmd_add(&c, "--version"))
			jail_output_line(c.v, buf, len);
	} else if (prog && tools[t].version) {
		jail_output_line(argv, buf, len);
	}
}

static void conditions(struct jail *j)
{
	char line[1024], cmd[900], ver[T_COUNT][120];
	bool seen[T_COUNT] = {0};

	jail_cgroup_mode(line, sizeof line);
	exp_condition(j->e, "%s", line);
	jail_rootfs_describe(&j->d, line, sizeof line);
	exp_condition(j->e, "%s", line);
	exp_condition(
		j->e,
		"each sample is %u runs of the case's command; a run is posix_spawnp (a CLONE_VM|CLONE_VFORK "
		"clone, execvp's search, no shell; stdout to /dev/null, stderr to a memfd) + waitpid, timed "
		"from before the spawn to waitpid()'s return; unpinned (runc is multi-threaded); as uid %d%s",
		j->iters, (int)geteuid(),
		geteuid() ? ": procjail then makes a user namespace in every case" : "");
	for (enum tool t = 0; t < T_COUNT; t++)
		version(j, t, ver[t], sizeof ver[t]);
	for (int i = 0; i < j->n; i++) {
		struct jail_case *c = &j->c[i];
		jail_cmd_format(&c->cmd, cmd, sizeof cmd);
		exp_condition(j->e, "%s%s%s%s: %s", c->name, ver[c->tool][0] && !seen[c->tool] ? " (" : "",
			      seen[c->tool] ? "" : ver[c->tool], ver[c->tool][0] && !seen[c->tool] ? ")" : "",
			      cmd);
		seen[c->tool] = true;
	}
	if (j->d.have_bundle)
		exp_condition(
			j->e,
			"runc and crun bundle: `%s spec` with process.terminal false, args [/bin/true], "
			"root the rootfs read-only, a cgroup namespace added, limits as procjail/full's "
			"(memory 256 MiB, pids 64, cpu quota 100000/100000 us); its default mounts kept",
			j->d.spec_by);
}

/* Runs the cases [from, to) interleaved under b, after recording those that cannot run here. */
static int run_group(struct jail *j, int from, int to, const char *group, struct bench_budget *b)
{
	const struct bench_case *run[MAX_CASES];
	size_t k = 0;

	for (int i = from; i < to; i++)
		if (!j->c[i].skip[0])
			k++;
	/* The group's budget is k x max_ns: what the mode allows the group, shared out. */
	if (k && j->e->mode == BENCH_QUICK)
		b->max_ns /= k;
	k = 0;
	for (int i = from; i < to; i++) {
		if (j->c[i].skip[0])
			exp_case_skip(j->e, &j->c[i].bc, group, "%s", j->c[i].skip);
		else
			run[k++] = &j->c[i].bc;
	}
	return k ? exp_cases(j->e, run, k, group, b) : 0;
}

static void claims(struct jail *j)
{
	/* The targets for procjail; whether they hold is what is measured. */
	struct claim cl[] = {
		{.text = "procjail with full isolation starts /bin/true in at most half bwrap's time",
		 .a = "procjail/full",
		 .b = "bwrap",
		 .kind = CLAIM_AT_MOST,
		 .threshold = 0.5,
		 .expect = "appear"},
		{.text = "procjail with full isolation starts /bin/true in at most a tenth of runc's time",
		 .a = "procjail/full",
		 .b = "runc",
		 .kind = CLAIM_AT_MOST,
		 .threshold = 0.1,
		 .expect = "appear"},
		{.text = "a new uts namespace costs nothing measurable: procjail/ns-uts within 10% of "
			 "procjail/none",
		 .a = "procjail/ns-uts",
		 .b = "procjail/none",
		 .kind = CLAIM_EQUIVALENT,
		 .threshold = 0.1,
		 .expect = "vanish"},
	};
	for (size_t i = 0; i < sizeof cl / sizeof cl[0]; i++)
		exp_claim_paired(j->e, &cl[i], NULL);
}

static void notes(struct jail *j)
{
	const struct bench_result *bare = exp_result(j->e, "bare"), *none = exp_result(j->e, "procjail/none");
	bool have_bare = bare && bare->status == BENCH_OK, have_none = none && none->status == BENCH_OK;

	for (int i = 0; i < j->n; i++) {
		const struct jail_case *c = &j->c[i];
		const struct bench_result *r = exp_result(j->e, c->name);
		char extra[96] = "";
		if (!r || r->status != BENCH_OK) {
			if (r && r->status == BENCH_FAILED && c->failed[0])
				exp_note(j->e, "%s failed while measured: %s", c->name, c->failed);
			continue;
		}
		if (have_none && !strncmp(c->name, "procjail/", 9) && strcmp(c->name, "procjail/none"))
			snprintf(extra, sizeof extra, ", %+.2f ms over procjail/none",
				 (r->summary.median - none->summary.median) / 1e6);
		if (have_bare)
			exp_note(j->e, "%s: median %.2f ms a start, %.2fx bare%s", c->name,
				 r->summary.median / 1e6, r->summary.median / bare->summary.median, extra);
		else
			exp_note(j->e, "%s: median %.2f ms a start%s", c->name, r->summary.median / 1e6,
				 extra);
	}
}

static void budgets(struct jail *j)
{
	static const unsigned iters[] = {
		[BENCH_SMOKE] = 2, [BENCH_QUICK] = 5, [BENCH_DEFAULT] = 10, [BENCH_FULL] = 10};

	j->iters = iters[j->e->mode];
	j->tools_b = j->e->budget;
	/* A sample is iters process starts, milliseconds each: the first sample warms up enough. */
	j->tools_b.warmup_ns = 0;
	/* quick: the whole experiment under 30 s; each group's total, shared out by run_group. */
	if (j->e->mode == BENCH_QUICK) {
		j->tools_b.max_ns = 12000 * MS;
		j->tools_b.min_samples = 10;
	}
	j->ns_b = j->tools_b;
	if (j->e->mode == BENCH_QUICK)
		j->ns_b.max_ns = 7000 * MS;
}

/* Counts what a run may leave in the cgroup trees, before and after it. */
static void leftovers(struct jail *j, int cg_before, const char *left)
{
	char first[PATH_MAX], prefix[48];
	int cg_after = jail_cgroup_count("procjail-", first, sizeof first), runc;

	snprintf(prefix, sizeof prefix, "syslab-jail-%d-", (int)getpid());
	runc = jail_cgroup_count(prefix, first, sizeof first);
	if (left[0])
		exp_note(j->e, "left behind: %s could not be removed", left);
	if (runc)
		exp_note(j->e, "left behind: %d cgroup(s) of runc/crun containers, e.g. %s", runc, first);
	if (cg_after > cg_before)
		exp_note(
			j->e,
			"left behind: %d procjail-* cgroup(s) more than before the run (or made meanwhile by "
			"another procjail)",
			cg_after - cg_before);
	if (!left[0] && !runc && cg_after <= cg_before)
		exp_note(j->e, "left behind: nothing (the temporary directory and runc's and crun's state "
			       "in it removed; no syslab-jail-* cgroup, no new procjail-* cgroup)");
}

static int jail_run(struct exp *e)
{
	struct jail j = {.e = e, .c = calloc(MAX_CASES, sizeof(struct jail_case))};
	int rc = j.c ? 0 : -ENOMEM, from, cg_before = jail_cgroup_count("procjail-", NULL, 0);
	char err[300], left[PATH_MAX + 64] = "";

	if (rc)
		goto out;
	if ((rc = jail_dir_create(&j.d, err, sizeof err)) < 0) {
		fprintf(stderr, "syslab: jail: %s\n", err);
		exp_note(e, "could not run: %s", err);
		goto out;
	}
	if (j.d.have_rootfs)
		jail_bundle_write(&j.d);
	find_procjail(&j);
	budgets(&j);
	tool_cases(&j);
	from = j.n;
	ns_cases(&j);
	for (int i = 0; i < j.n; i++)
		check(&j, &j.c[i]);
	conditions(&j);
	if ((rc = run_group(&j, 0, from, "the tools", &j.tools_b)) ||
	    (rc = run_group(&j, from, j.n, "procjail, one namespace at a time", &j.ns_b)))
		goto out;
	claims(&j);
	notes(&j);
out:
	jail_dir_remove(&j.d, left, sizeof left);
	if (j.c)
		leftovers(&j, cg_before, left);
	for (int i = 0; j.c && i < j.n; i++)
		if (j.c[i].errfd >= 0)
			close(j.c[i].errfd);
	free(j.c);
	return rc;
}

const struct experiment exp_jail = {
	.name = "jail",
	.title = "isolated process start: procjail vs tini, unshare, bwrap, runc, crun",
	.question = "What does it cost to start a process isolated, from exec to exit, with each tool?",
	.shows = "start-to-exit of /bin/true: bare, tini, unshare, bwrap, runc, crun, procjail and its "
		 "namespaces",
	.run = jail_run,
};
