// SPDX-License-Identifier: MIT
/* procjail: runs a command in new namespaces and cgroup limits, under an init that forwards and reaps. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <syslab/cgroup.h>

#include "init.h"
#include "jail.h"
#include "report.h"
#include "supervise.h"

#define STACK_SIZE (256 * 1024)

extern char **environ;

/* procjail's second word to the child: go on, and the cgroup to move into when there is one. */
struct jail_go {
	char go; /* 'g' */
	bool have_cg;
	struct cgroup cg;
};

/* All of len bytes from a blocking fd: 0, or -1 at EOF or an error. */
static int read_full(int fd, void *buf, size_t len)
{
	for (char *p = buf; len > 0;) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

/* What the child (the jail's init) needs, and the descriptors it shares with procjail. */
struct jail_child {
	const struct jail_opts *o;
	int sync_rd, sync_wr; /* procjail -> child: "go" once the maps and the cgroup are in place */
	int stats_wr;         /* child -> procjail: its jinit_stats at the end */
	int ctl_fd;           /* the init's end of the job-control channel */
	int tty_fd;
	bool tty_background;   /* procjail was started in the background (its group is not the terminal's) */
	sigset_t command_mask; /* procjail's mask before it blocked every signal */
};

static const struct jail_opts *g_opts; /* for child_setup, in the forked command */

/* In the command's process, just before exec: no fd above 2 survives exec, privileges dropped. */
static void child_setup(void *arg)
{
	(void)arg;
	/* CLOEXEC, not closed: init's exec-error pipe must live until the exec (runc CVE-2024-21626). */
	if (syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) != 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	int rc = jail_drop_privileges(g_opts);
	if (rc) {
		/* Between fork and exec: write(2), not stdio. */
		const char *why = strerrordesc_np(-rc);
		if (write(STDERR_FILENO, "procjail: cannot drop privileges: ", 34) > 0 && why &&
		    write(STDERR_FILENO, why, strlen(why)) > 0 && write(STDERR_FILENO, "\n", 1) > 0) {
		}
		_exit(JAIL_EXIT_ERROR);
	}
}

static void setup_env(const struct jail_opts *o)
{
	if (o->clearenv)
		clearenv();
	for (int i = 0; i < o->nenv; i++)
		putenv((char *)o->env[i]);
}

/* Everything inside the new namespaces before the init takes over. Exits 125 on failure. */
static void child_prepare(const struct jail_child *c)
{
	const struct jail_opts *o = c->o;
	char err[512];
	int rc;
	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) != 0)
		jail_die("cannot set the hostname: %s", strerror(errno));
	if (o->ns[NS_NET] && (rc = jail_loopback_up()) != 0)
		jail_die("cannot bring up lo: %s", strerror(-rc));
	if (o->ns[NS_MOUNT] && (rc = jail_setup_fs(o, err, sizeof err)) != 0)
		jail_die("%s", err);
	for (int i = 0; i < o->nrlimits; i++)
		if (setrlimit(o->rlimits[i].resource, &o->rlimits[i].lim) != 0)
			jail_die("--rlimit: the kernel refuses limit %d: %s", o->rlimits[i].resource,
				 strerror(errno));
	if (o->cwd && chdir(o->cwd) != 0)
		jail_die("--cwd %s: %s", o->cwd, strerror(errno));
	setup_env(o);
}

/* clone() makes the pid namespace (the child must be its first process) and the user namespace. */
static int clone_flags(const struct jail_opts *o)
{
	return (o->ns[NS_PID] ? CLONE_NEWPID : 0) | (o->ns[NS_USER] ? CLONE_NEWUSER : 0);
}

/* The child makes the rest with unshare(); the cgroup namespace later, once it is in its cgroup. */
static int unshare_flags(const struct jail_opts *o)
{
	return (o->ns[NS_MOUNT] ? CLONE_NEWNS : 0) | (o->ns[NS_UTS] ? CLONE_NEWUTS : 0) |
	       (o->ns[NS_IPC] ? CLONE_NEWIPC : 0) | (o->ns[NS_NET] ? CLONE_NEWNET : 0);
}

static void ns_list(const struct jail_opts *o, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int i = 0; i < NS_COUNT && at < len; i++)
		if (o->ns[i])
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? "," : "", jail_ns_name(i));
}

static int child_main(void *arg)
{
	const struct jail_child *c = arg;
	char go, err[400];
	/* Set before waiting: if procjail is already gone, the read below sees EOF (the getppid race). */
	if (c->o->die_with_parent)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	close(c->sync_wr);
	/* "m": the id maps are written (a user namespace's files and mounts need them). */
	if (read(c->sync_rd, &go, 1) != 1)
		_exit(JAIL_EXIT_ERROR); /* procjail failed or died: it has said why */
	/*
	 * The namespaces but pid and user are made here, not by clone(): a network namespace alone
	 * costs ~0.5 ms of kernel time, which on another CPU now overlaps procjail's cgroup work
	 * instead of coming before it. Made after "m", so a user namespace owns them.
	 */
	if (unshare(unshare_flags(c->o)) != 0) {
		char ns[80];
		ns_list(c->o, ns, sizeof ns);
		jail_die("cannot create the namespaces (%s): %s", ns, strerror(errno));
	}
	/*
	 * "g": procjail has made the cgroup, meanwhile. We move ourselves in: a process moving itself
	 * on v1 skips the kernel's global lock that moving another one takes. Before the mounts (the
	 * host's cgroup tree is out of reach after pivot_root); only then the cgroup namespace.
	 */
	static struct jail_go g; /* a cgroup is large for the clone()'s stack */
	if (read_full(c->sync_rd, &g, offsetof(struct jail_go, cg)) != 0 || g.go != 'g' ||
	    (g.have_cg && read_full(c->sync_rd, &g.cg, sizeof g.cg) != 0))
		_exit(JAIL_EXIT_ERROR);
	close(c->sync_rd);
	if (g.have_cg && cgroup_attach(&g.cg, 0, err, sizeof err) != 0)
		jail_die("%s", err);
	child_prepare(c);
	if (c->o->ns[NS_CGROUP] && unshare(CLONE_NEWCGROUP) != 0)
		jail_die("cannot make a cgroup namespace: %s", strerror(errno));
	g_opts = c->o;
	jail_caps_last(); /* read /proc now: child_setup runs between fork and exec */
	struct jinit_opts io = {.argv = c->o->argv,
				.envp = environ,
				.signal_group = c->o->signal_group,
				.grace_ms = c->o->grace_ms,
				.tty_fd = c->tty_fd,
				.tty_background = c->tty_background,
				.command_mask = &c->command_mask,
				.ctl_fd = c->ctl_fd,
				.child_setup = child_setup};
	struct jinit_stats st;
	memset(&st, 0, sizeof st);
	int code = jinit_run(&io, &st);
	if (write(c->stats_wr, &st, sizeof st) != (ssize_t)sizeof st) {
		/* The report lacks the counts; the exit status is what matters. */
	}
	_exit(code);
}

static pid_t start_child(struct jail_child *c, void **stack)
{
	*stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1,
		      0);
	if (*stack == MAP_FAILED)
		jail_die("cannot map a stack: %s", strerror(errno));
	pid_t pid = clone(child_main, (char *)*stack + STACK_SIZE, clone_flags(c->o) | SIGCHLD, c);
	if (pid < 0) {
		char ns[80];
		ns_list(c->o, ns, sizeof ns);
		jail_die("cannot create the namespaces (%s): %s%s", ns, strerror(errno),
			 errno == EPERM || errno == ENOSPC ? " (user namespaces disabled or limited here?)"
							   : "");
	}
	return pid;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The cgroup, when a limit or the report needs one: 1 made, 0 not needed (or only the report
 * wanted it and it cannot be had: the report then says the counts are unknown), -1 with err.
 */
static int make_cgroup(const struct jail_opts *o, struct cgroup *cg, char *err, size_t len)
{
	struct cgroup_limits lim = {
		.memory = o->memory, .pids = o->pids, .cpu = o->cpu, .limits_only = !o->report};
	char name[48];
	bool limits = o->memory || o->pids || o->cpu > 0;
	if (!limits && !o->report)
		return 0;
	snprintf(name, sizeof name, "procjail-%d", (int)getpid());
	if (cgroup_create(cg, NULL, name, &lim, err, len) == 0)
		return 1;
	return limits ? -1 : 0;
}

/* All of buf to a blocking fd (a pipe takes it in pieces when it is larger than PIPE_BUF). */
static int write_full(int fd, const void *buf, size_t len)
{
	for (const char *p = buf; len > 0;) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

/* The parent's part of the start, while the child builds its namespaces: maps, then the cgroup. */
static int start_parent(const struct jail_opts *o, pid_t pid, int sync_wr, struct cgroup *cg, bool *have_cg,
			char *err, size_t len)
{
	int rc = o->ns[NS_USER] ? jail_write_id_maps(pid, getuid(), getgid()) : 0;
	if (rc) {
		snprintf(err, len, "cannot write the user namespace's id maps: %s", strerror(-rc));
		return rc;
	}
	/* A child that failed already has said why; its exit status is collected below. */
	if (write(sync_wr, "m", 1) != 1)
		return 0;
	int made = make_cgroup(o, cg, err, len);
	if (made < 0)
		return -EINVAL;
	*have_cg = made > 0;
	/* "g", and the group for the child to move into: the child moves itself (cgroup_attach). */
	struct jail_go go = {.go = 'g', .have_cg = *have_cg};
	if (*have_cg)
		go.cg = *cg;
	/* The group's ~16 KiB only when there is one. */
	if (write_full(sync_wr, &go, *have_cg ? sizeof go : offsetof(struct jail_go, cg)) != 0)
		return 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct jail_opts o;
	struct cgroup cg;
	struct jail_child c = {.o = &o, .tty_fd = isatty(STDIN_FILENO) ? STDIN_FILENO : -1};
	int sync[2], stats[2], ctl[2];
	char err[400];
	void *stack;

	pid_t parent = getppid(); /* before anything could race with the parent's death */
	bool have_cg = false;
	jail_opts_parse(argc, argv, &o);
	double t0 = now_s();
	memset(&cg, 0, sizeof cg);
	cg.v2_fd = -1;
	/* A write to a child that failed must be an error, not a death that leaves the cgroup behind. */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(sync, O_CLOEXEC) != 0 || pipe2(stats, O_CLOEXEC) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) != 0)
		jail_die("cannot make pipes: %s", strerror(errno));
	c.sync_rd = sync[0], c.sync_wr = sync[1], c.stats_wr = stats[1], c.ctl_fd = ctl[1];
	/* From inside a new PID namespace init cannot tell: every outside process group reads as 0. */
	c.tty_background = c.tty_fd >= 0 && tcgetpgrp(c.tty_fd) != getpgrp();
	/*
	 * Every signal blocked from before the clone: procjail's wait for jsup_run (which takes them
	 * from a signalfd), so one that comes early cannot kill procjail and leave the cgroup behind;
	 * and the init's, so one relayed to it before jinit_run is pending, not dropped (the kernel
	 * discards a SIG_DFL signal to a namespace's init). The command gets the mask we had.
	 */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &c.command_mask);
	pid_t pid = start_child(&c, &stack);
	close(sync[0]), close(stats[1]), close(ctl[1]);
	if (start_parent(&o, pid, sync[1], &cg, &have_cg, err, sizeof err) != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		cgroup_destroy(&cg);
		jail_die("%s", err);
	}
	close(sync[1]);

	struct jsup_opts so = {.init_pid = pid,
			       .ctl_fd = ctl[0],
			       .tty_fd = c.tty_fd,
			       .timeout_s = o.timeout_s,
			       .grace_ms = o.grace_ms,
			       .parent_pid = o.die_with_parent ? parent : 0};
	struct jsup_result sr;
	memset(&sr, 0, sizeof sr);
	int code = jsup_run(&so, &sr);

	struct jinit_stats ist;
	bool have_ist = read(stats[0], &ist, sizeof ist) == (ssize_t)sizeof ist;
	struct cgroup_stats cst;
	bool have_cst = o.report && have_cg && cgroup_stats(&cg, &cst) == 0;
	if (o.report)
		jail_report_write(o.report, &o, code, &sr, have_ist ? &ist : NULL, have_cst ? &cst : NULL,
				  have_cg ? cgroup_mode_name(cg.mode) : "none", now_s() - t0);
	if (have_cg && cgroup_destroy(&cg) != 0)
		fprintf(stderr, "procjail: cannot remove the cgroup: %s\n", cg.err);
	munmap(stack, STACK_SIZE);
	return code;
}
