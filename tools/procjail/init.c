// SPDX-License-Identifier: MIT
/* init: procjail's PID 1, which runs the command, forwards signals to it and reaps every process. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

extern char **environ;

/* runc's and docker's PATH when the environment has none (glibc's execvpe would use "/bin:/usr/bin"). */
#define JINIT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/*
 * After the main child, how often the rest is looked for again: a process whose parent dies is
 * reparented to us silently (no SIGCHLD), and in subreaper mode only then can we signal it.
 */
#define JINIT_RESCAN_MS 20

enum jinit_phase {
	JINIT_MAIN, /* the main child runs: forward signals, reap orphans */
	JINIT_TERM, /* it has exited: the rest got SIGTERM, wait up to grace_ms */
	JINIT_KILL, /* SIGKILL whatever is left until nothing is */
	JINIT_DONE,
};

/* The pids already sent SIGTERM in subreaper mode, sorted: each gets one, as from kill(-1). */
struct jinit_pids {
	pid_t *v;
	size_t n, cap;
};

struct jinit {
	const struct jinit_opts *o;
	struct jinit_stats *st;
	char *const *envp;
	const char *path; /* the PATH the command is looked up in */
	sigset_t old_mask;
	bool mask_saved, restore_subreaper;
	bool pid1;          /* init of a PID namespace: kill(-1) is confined to it */
	bool children_left; /* the last waitpid said some child remains */
	bool stop_told;     /* "S" sent, no "F" or "C" since */
	int sfd, errfd, ctl_fd;
	pid_t self, child; /* the main child is also its process group's id */
	enum jinit_phase phase;
	uint64_t deadline_ns, next_scan_ns;
	struct jinit_pids termed;
};

int jinit_exit_code(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return JINIT_EXIT_SETUP;
}

static uint64_t jinit_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The one line init prints about itself; the run then ends with JINIT_EXIT_SETUP. */
static int jinit_fail(const char *what, int err)
{
	fprintf(stderr, "procjail: init: %s: %s\n", what, strerror(err));
	return -err;
}

static const char *jinit_path_of(char *const *envp)
{
	for (; envp && *envp; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	return JINIT_DEFAULT_PATH;
}

/*
 * execvpe(3) made async-signal-safe and container-like: PATH comes from the command's envp, not
 * init's (as runc looks it up), and ENOEXEC is an error, not a retry with /bin/sh (docker says
 * "exec format error" too). Errors as glibc: EACCES anywhere wins over ENOENT, and an entry that
 * is missing or not a directory is skipped. Returns the errno of the failure.
 */
static int jinit_exec(char *const *argv, char *const *envp, const char *path)
{
	const char *file = argv[0];
	size_t flen = strlen(file);
	bool eacces = false;
	if (flen == 0)
		return ENOENT;
	if (strchr(file, '/')) {
		execve(file, argv, envp);
		return errno;
	}
	if (flen > NAME_MAX)
		return ENAMETOOLONG;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		char buf[PATH_MAX];
		if (dlen + 1 + flen + 1 <= sizeof buf) {
			memcpy(buf, p, dlen); /* an empty entry is the current directory, as in glibc */
			buf[dlen] = '/';
			memcpy(buf + dlen + (dlen > 0), file, flen + 1);
			execve(buf, argv, envp);
			switch (errno) {
			case EACCES:
				eacces = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return errno;
			}
		}
		if (*end == '\0')
			break;
		p = end;
	}
	return eacces ? EACCES : ENOENT;
}

/*
 * glibc keeps signals 32 and 33 for itself and refuses sigaction() on them, but a caller (GNU make,
 * for one) can pass them on ignored, and an ignored signal stays ignored across exec: the raw
 * system call resets them too.
 */
static void jinit_default_raw(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} k = {SIG_DFL, 0, NULL, 0};
	syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask);
}

/*
 * The main child, between fork and exec: async-signal-safe calls only. Every signal is still
 * blocked (inherited), so the tcsetpgrp of a background group is allowed instead of raising
 * SIGTTOU, and nothing forwarded early is lost: it stays pending until the mask is restored.
 */
static _Noreturn void jinit_child(const struct jinit *j, int errfd)
{
	const struct jinit_opts *o = j->o;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	int err;
	/* Its own process group (as tini's and a shell's jobs): the terminal's signals go to it alone. */
	setpgid(0, 0);
	if (o->tty_fd >= 0 && !o->tty_background)
		tcsetpgrp(o->tty_fd, getpid()); /* ENOTTY when it is not our terminal: run without */
	/*
	 * Every disposition to SIG_DFL, the ignored ones too: a SIGPIPE or SIGINT that procjail's
	 * caller ignored must not leak into the jail (exec resets only the handled ones). The mask
	 * goes back to the caller's, as tini does; dumb-init empties it.
	 */
	int reserved[4], nreserved = 0;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &dfl, NULL) != 0 && nreserved < 4)
			reserved[nreserved++] = sig;
	if (o->child_setup)
		o->child_setup(o->arg);
	/* After child_setup: glibc needs its own signal to change the ids of a threaded process. */
	for (int i = 0; i < nreserved; i++)
		jinit_default_raw(reserved[i]);
	sigprocmask(SIG_SETMASK, o->command_mask ? o->command_mask : &j->old_mask, NULL);
	err = jinit_exec(o->argv, j->envp, j->path);
	if (write(errfd, &err, sizeof err) < 0) {
		/* init still gets the exit code; only the message is lost */
	}
	_exit(err == ENOENT ? JINIT_EXIT_NOT_FOUND : JINIT_EXIT_CANNOT_RUN);
}

/* Blocks every signal before the fork, so none is lost between it and the loop, and opens the signalfd. */
static int jinit_setup(struct jinit *j)
{
	sigset_t all;
	int prev = 0;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &j->old_mask) != 0)
		return jinit_fail("sigprocmask", errno);
	j->mask_saved = true;
	/*
	 * Not a namespace's init: become the subreaper of our subtree (PR_SET_CHILD_SUBREAPER, Linux
	 * 3.4), before the fork, so the command's orphans are reparented to us and not to the system's init.
	 */
	if (!j->pid1 && prctl(PR_GET_CHILD_SUBREAPER, &prev, 0, 0, 0) == 0 && !prev) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
			return jinit_fail("PR_SET_CHILD_SUBREAPER", errno);
		j->restore_subreaper = true;
	}
	j->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (j->sfd < 0)
		return jinit_fail("signalfd", errno);
	return 0;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define JINIT_VFORK 0 /* the sanitizers' runtimes know fork(), not a child sharing their memory */
#else
#define JINIT_VFORK 1
#endif

#if JINIT_VFORK
struct jinit_spawn_arg {
	const struct jinit *j;
	int errfd;
};

static int jinit_child_entry(void *arg)
{
	const struct jinit_spawn_arg *a = arg;
	jinit_child(a->j, a->errfd);
}
#endif

/*
 * The main child, as posix_spawn makes one: CLONE_VM | CLONE_VFORK, on a stack of its own, init
 * suspended until the exec. No page table is copied and none is marked copy-on-write (whose TLB
 * flush reaches every CPU the init ran on): ~0.13 ms less per start on a 2-vCPU guest. The child
 * writes only its own stack and the kernel's state of its own process until the exec.
 */
static pid_t jinit_fork(const struct jinit *j, int errfd)
{
#if JINIT_VFORK
	static char stack[128 * 1024] __attribute__((aligned(64)));
	struct jinit_spawn_arg a = {j, errfd};
	return clone(jinit_child_entry, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
#else
	pid_t pid = fork();
	if (pid == 0)
		jinit_child(j, errfd);
	return pid;
#endif
}

/* Starts the main child; its exec failure comes back as an errno through a close-on-exec pipe. */
static int jinit_spawn(struct jinit *j)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
		return jinit_fail("pipe", errno);
	pid_t pid = jinit_fork(j, p[1]);
	if (pid < 0) {
		int err = errno;
		close(p[0]);
		close(p[1]);
		return jinit_fail("fork", err);
	}
	close(p[1]);
	j->errfd = p[0];
	j->child = j->st->child_pid = pid;
	/* From this side too, as shells do: whichever runs first, the group exists before any kill(-pgid). */
	setpgid(pid, pid);
	return 0;
}

/* Reads the exec errno, if the child sent one, and says it: the run's one line about the command. */
static void jinit_exec_report(struct jinit *j)
{
	int err;
	if (j->errfd < 0)
		return;
	ssize_t n = read(j->errfd, &err, sizeof err);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == (ssize_t)sizeof err) {
		j->st->exec_errno = err;
		fprintf(stderr, "procjail: cannot run %s: %s\n", j->o->argv[0], strerror(err));
	}
	close(j->errfd);
	j->errfd = -1;
}

static void jinit_ctl_write(struct jinit *j, const char *msg, size_t len)
{
	/* MSG_NOSIGNAL on a socket; on a pipe the SIGPIPE is ours and jinit_forward drops it. */
	ssize_t n = send(j->ctl_fd, msg, len, MSG_NOSIGNAL);
	if (n < 0 && errno == ENOTSOCK)
		n = write(j->ctl_fd, msg, len);
	if (n < 0 && errno == EPIPE)
		j->ctl_fd = -1;
}

/*
 * The main child was stopped (WUNTRACED). A stop caused by the terminal (Ctrl-Z, or a background
 * read or write) reaches only the child's group, so the supervisor must stop itself too for the
 * user's shell to see the job stopped: tell it. Any stop signal, SIGSTOP included, as a shell
 * would report for its own child.
 */
static void jinit_stopped(struct jinit *j, int sig)
{
	char msg[16];
	j->st->stops++;
	if (j->ctl_fd < 0)
		return;
	int n = snprintf(msg, sizeof msg, "%c%d\n", JINIT_CTL_STOPPED, sig);
	jinit_ctl_write(j, msg, (size_t)n);
	j->stop_told = true;
}

/*
 * The main child was continued by someone else (a kill -CONT) after procjail stopped itself for
 * it (it does with a terminal): procjail must run again, or it would stay stopped, unable to reap
 * init. It is in our process group (procjail's clone does not change it), which kill(0) reaches
 * from inside a PID namespace too; it then answers "C" or "F" like after any continue.
 */
static void jinit_continued(struct jinit *j)
{
	if (!j->stop_told || j->o->tty_fd < 0)
		return;
	j->stop_told = false;
	kill(0, SIGCONT);
}

/* "F" or "C" from the supervisor: the user continued the job, in the foreground or not. */
static void jinit_resume(struct jinit *j, bool fg)
{
	if (j->phase != JINIT_MAIN)
		return;
	j->stop_told = false;
	if (fg && j->o->tty_fd >= 0)
		tcsetpgrp(j->o->tty_fd, j->child); /* SIGTTOU is blocked: allowed from the background */
	/* The whole group, as a shell's fg and bg do: Ctrl-Z stopped all of it. */
	if (kill(-j->child, SIGCONT) != 0)
		kill(j->child, SIGCONT);
	j->st->resumes++;
}

static void jinit_ctl_read(struct jinit *j)
{
	char buf[64];
	ssize_t n = read(j->ctl_fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		j->ctl_fd = -1; /* the supervisor is gone: SIGCONT is forwarded like any signal again */
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == JINIT_CTL_FG || buf[i] == JINIT_CTL_BG)
			jinit_resume(j, buf[i] == JINIT_CTL_FG);
}

static void jinit_main_exited(struct jinit *j, int status)
{
	j->st->wait_status = status;
	j->st->exit_code = jinit_exit_code(status);
	jinit_exec_report(j); /* the errno was written before the child's _exit */
	j->phase = j->o->grace_ms ? JINIT_TERM : JINIT_KILL;
	j->deadline_ns = jinit_now_ns() + (uint64_t)j->o->grace_ms * 1000000u;
	j->next_scan_ns = 0;
}

static size_t jinit_pids_find(const struct jinit_pids *s, pid_t pid)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds pid; false if it was there already. Out of memory, it says "new" (a second SIGTERM is harmless). */
static bool jinit_pids_add(struct jinit_pids *s, pid_t pid)
{
	size_t at = jinit_pids_find(s, pid);
	if (at < s->n && s->v[at] == pid)
		return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		pid_t *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return true;
		s->v = v, s->cap = cap;
	}
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
	s->v[at] = pid;
	s->n++;
	return true;
}

/* A reaped pid may be reused by a new process, which must get its own SIGTERM. */
static void jinit_pids_del(struct jinit_pids *s, pid_t pid)
{
	size_t at = jinit_pids_find(s, pid);
	if (at < s->n && s->v[at] == pid) {
		memmove(s->v + at, s->v + at + 1, (s->n - at - 1) * sizeof *s->v);
		s->n--;
	}
}

/*
 * Reaps every child that changed state. Orphans count once, when they end; the main child's
 * stops go to the supervisor and its end starts the shutdown.
 */
static void jinit_reap(struct jinit *j)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | WUNTRACED | WCONTINUED);
		if (pid == 0) {
			j->children_left = true;
			return;
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			j->children_left = false; /* ECHILD: nobody left */
			return;
		}
		if (pid == j->child && j->phase == JINIT_MAIN) {
			if (WIFSTOPPED(status))
				jinit_stopped(j, WSTOPSIG(status));
			else if (WIFCONTINUED(status))
				jinit_continued(j);
			else
				jinit_main_exited(j, status);
		} else if (WIFEXITED(status) || WIFSIGNALED(status)) {
			j->st->orphans_reaped++;
			jinit_pids_del(&j->termed, pid);
		}
	}
}

/* A signal for the main child. During the shutdown, another TERM, INT, HUP or QUIT cuts the grace short. */
static void jinit_forward(struct jinit *j, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	pid_t target = j->o->signal_group ? -j->child : j->child;
	/* Our own doing (the SIGPIPE of a write to a gone supervisor), not the user's. */
	if ((pid_t)si->ssi_pid == j->self && (si->ssi_code == SI_USER || si->ssi_code == SI_TKILL))
		return;
	if (j->phase != JINIT_MAIN) {
		if (j->phase == JINIT_TERM &&
		    (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)) {
			j->phase = JINIT_KILL;
			j->next_scan_ns = 0;
		}
		return;
	}
	/*
	 * With a supervisor, SIGCONT reaches init only because it shares the job's process group
	 * when the user's shell continues the job; the supervisor's "F" or "C" says how to continue.
	 */
	if (sig == SIGCONT && j->ctl_fd >= 0)
		return;
	if (kill(target, sig) == 0 || (target < 0 && errno == ESRCH && kill(j->child, sig) == 0))
		if (sig > 0 && sig < JINIT_NSIG)
			j->st->forwarded[sig]++;
}

static void jinit_signals(struct jinit *j)
{
	struct signalfd_siginfo si[16];
	for (;;) {
		ssize_t n = read(j->sfd, si, sizeof si);
		if (n <= 0)
			return; /* EAGAIN: all read */
		for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
			if (si[i].ssi_signo == SIGCHLD)
				jinit_reap(j);
			else
				jinit_forward(j, &si[i]);
		}
	}
}

/* Sends sig to one child of ours: SIGTERM once each, and SIGCONT so that a stopped one can act on it. */
static void jinit_signal_child(struct jinit *j, pid_t pid, int sig)
{
	if (sig == SIGTERM) {
		if (!jinit_pids_add(&j->termed, pid))
			return;
		if (kill(pid, SIGTERM) == 0)
			j->st->term_sent++;
		kill(pid, SIGCONT);
	} else if (kill(pid, sig) == 0) {
		j->st->kill_sent++;
	}
}

/* Our children from /proc/self/task/ * /children (needs CONFIG_PROC_CHILDREN); -ENOENT without it. */
static int jinit_children_proc(struct jinit *j, int sig)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int rc = -ENOENT;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char path[64];
		long tid = isdigit((unsigned char)e->d_name[0]) ? atol(e->d_name) : 0;
		if (tid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%ld/children", tid);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		rc = 0;
		long pid;
		while (fscanf(f, "%ld", &pid) == 1)
			jinit_signal_child(j, (pid_t)pid, sig);
		fclose(f);
	}
	closedir(d);
	return rc;
}

/* The parent pid in /proc/PID/stat, after the command name (which may hold spaces and parentheses). */
pid_t jinit_ppid(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	long ppid;
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Without CONFIG_PROC_CHILDREN: every /proc/PID/stat whose parent is us. */
static int jinit_children_scan(struct jinit *j, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid_t pid = isdigit((unsigned char)e->d_name[0]) ? (pid_t)atol(e->d_name) : 0;
		if (pid > 0 && jinit_ppid(pid) == j->self)
			jinit_signal_child(j, pid, sig);
	}
	closedir(d);
	return 0;
}

/*
 * Signals everything left after the main child. PID 1 of a namespace: kill(-1), which reaches
 * every process of the namespace but init (pid_namespaces(7), kill(2)). Elsewhere kill(-1) would
 * reach every process the user owns, so only our children: they cannot be reaped (and their pid
 * reused) by anyone but us, between the listing and the kill. Their children come later, when
 * reparented to us. -errno when they cannot be listed.
 */
static int jinit_signal_rest(struct jinit *j, int sig)
{
	int rc;
	if (j->pid1) {
		if (sig == SIGTERM && j->st->term_sent)
			return 0; /* once: processes forked since are the rest's cleanup */
		if (kill(-1, sig) == 0)
			*(sig == SIGTERM ? &j->st->term_sent : &j->st->kill_sent) += 1;
		if (sig == SIGTERM)
			kill(-1, SIGCONT); /* as systemd.kill(5): a stopped process cannot act on SIGTERM */
		return 0;
	}
	rc = jinit_children_proc(j, sig);
	if (rc == -ENOENT)
		rc = jinit_children_scan(j, sig);
	return rc;
}

/* After the main child: SIGTERM, the grace period, SIGKILL until no child is left. */
static void jinit_tick(struct jinit *j)
{
	uint64_t now;
	if (j->phase == JINIT_MAIN || j->phase == JINIT_DONE)
		return;
	if (!j->children_left) {
		j->phase = JINIT_DONE;
		return;
	}
	now = jinit_now_ns();
	if (j->phase == JINIT_TERM && now >= j->deadline_ns) {
		j->phase = JINIT_KILL;
		j->next_scan_ns = 0;
	}
	if (now < j->next_scan_ns)
		return;
	j->next_scan_ns = now + JINIT_RESCAN_MS * 1000000u;
	if (j->phase == JINIT_KILL)
		j->st->grace_expired = true;
	/* Without /proc nothing left can be reached: give up rather than wait forever. */
	if (jinit_signal_rest(j, j->phase == JINIT_TERM ? SIGTERM : SIGKILL) < 0 && j->phase == JINIT_KILL)
		j->phase = JINIT_DONE;
}

static int jinit_timeout_ms(const struct jinit *j)
{
	uint64_t now, at = j->next_scan_ns;
	if (j->phase == JINIT_MAIN)
		return -1;
	if (j->phase == JINIT_TERM && j->deadline_ns < at)
		at = j->deadline_ns;
	now = jinit_now_ns();
	return at <= now ? 0 : (int)((at - now + 999999) / 1000000);
}

static void jinit_loop(struct jinit *j)
{
	while (j->phase != JINIT_DONE) {
		struct pollfd p[3] = {
			{.fd = j->sfd, .events = POLLIN},
			{.fd = j->errfd, .events = POLLIN},
			{.fd = j->ctl_fd, .events = POLLIN}, /* poll skips negative fds */
		};
		jinit_tick(j);
		if (j->phase == JINIT_DONE)
			break;
		if (poll(p, 3, jinit_timeout_ms(j)) < 0)
			continue; /* EINTR cannot happen (all blocked); ENOMEM: try again */
		if (p[0].revents)
			jinit_signals(j);
		if (p[1].revents)
			jinit_exec_report(j);
		if (p[2].revents && j->ctl_fd >= 0)
			jinit_ctl_read(j);
	}
}

/*
 * Drops the signals still queued (they were for the child, now gone, not for the caller, and
 * would act on it once unblocked) and gives the caller back its mask and subreaper setting.
 */
static void jinit_cleanup(struct jinit *j)
{
	struct signalfd_siginfo si[16];
	if (j->sfd >= 0) {
		while (read(j->sfd, si, sizeof si) > 0)
			;
		close(j->sfd);
	}
	if (j->errfd >= 0)
		close(j->errfd);
	free(j->termed.v);
	if (j->restore_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	if (j->mask_saved)
		sigprocmask(SIG_SETMASK, &j->old_mask, NULL);
}

int jinit_run(const struct jinit_opts *o, struct jinit_stats *st)
{
	struct jinit_stats local;
	struct jinit j = {.o = o, .sfd = -1, .errfd = -1, .ctl_fd = o->ctl_fd, .self = getpid()};
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	st->wait_status = -1;
	st->exit_code = JINIT_EXIT_SETUP;
	j.st = st;
	j.pid1 = j.self == 1;
	j.children_left = true;
	j.envp = o->envp ? o->envp : environ;
	j.path = jinit_path_of(j.envp);
	if (!o->argv || !o->argv[0]) {
		jinit_fail("no command", EINVAL);
		goto out;
	}
	if (jinit_setup(&j) != 0 || jinit_spawn(&j) != 0)
		goto out;
	jinit_loop(&j);
out:
	jinit_cleanup(&j);
	return st->exit_code;
}
