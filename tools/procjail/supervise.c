// SPDX-License-Identifier: MIT
/* supervise: procjail's outer process, which relays signals to the jail's init and mirrors its stops. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "supervise.h"

#define JSUP_PPID_DEPTH 64 /* how far up a process group's leader is followed to find init */
/*
 * How often, while the jail runs in the background, procjail looks whether the shell made it the
 * foreground job: bash's fg of a running job (after bg) gives the terminal without a SIGCONT.
 */
#define JSUP_FG_POLL_MS 200

struct jsup {
	const struct jsup_opts *o;
	struct jsup_result *r;
	sigset_t old_mask;
	bool mask_saved, done;
	bool jail_fg; /* the jail has, or was told to take, the terminal ("F" sent or taken at start) */
	int sfd, ctl_fd;
	pid_t self;
	uint64_t term_at_ns, kill_at_ns; /* the timeout's SIGTERM and SIGKILL, 0 when not due */
	char line[16];                   /* a partial line from init */
	size_t line_len;
};

static uint64_t jsup_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void jsup_reap(struct jsup *s)
{
	int status;
	pid_t pid = waitpid(s->o->init_pid, &status, WNOHANG);
	if (pid == s->o->init_pid) {
		s->r->wait_status = status;
		s->done = true;
	} else if (pid < 0 && errno == ECHILD) {
		fprintf(stderr, "procjail: supervise: init (pid %d) is not our child\n", (int)s->o->init_pid);
		s->done = true;
	}
}

static void jsup_ctl_write(struct jsup *s, char msg)
{
	char buf[2] = {msg, '\n'};
	ssize_t n = send(s->ctl_fd, buf, sizeof buf, MSG_NOSIGNAL);
	if (n < 0 && errno == ENOTSOCK)
		n = write(s->ctl_fd, buf, sizeof buf); /* a pipe: the SIGPIPE is ours, jsup_relay drops it */
	if (n < 0 && errno == EPIPE)
		s->ctl_fd = -1;
}

/*
 * procjail was continued (by the user's fg or bg, or a kill -CONT): continue the command the same
 * way, in the foreground if the shell gave procjail's process group the terminal.
 */
static void jsup_continued(struct jsup *s)
{
	if (s->ctl_fd < 0) {
		if (kill(s->o->init_pid, SIGCONT) == 0)
			s->r->signals_relayed++;
		return;
	}
	bool fg = s->o->tty_fd >= 0 && tcgetpgrp(s->o->tty_fd) == getpgrp();
	jsup_ctl_write(s, fg ? JINIT_CTL_FG : JINIT_CTL_BG);
	s->jail_fg = fg;
}

/* Whether to look for a silent move to the foreground: a terminal, a channel, the jail in the background. */
static bool jsup_fg_watch(const struct jsup *s)
{
	return s->o->tty_fd >= 0 && s->ctl_fd >= 0 && !s->jail_fg;
}

/* The shell made procjail the foreground job without continuing it: the jail takes the terminal. */
static void jsup_fg_check(struct jsup *s)
{
	if (jsup_fg_watch(s) && tcgetpgrp(s->o->tty_fd) == getpgrp()) {
		jsup_ctl_write(s, JINIT_CTL_FG);
		s->jail_fg = true;
	}
}

/* Whether pgrp is the jail's: its leader descends from init (inside a namespace or not). */
static bool jsup_in_jail(const struct jsup *s, pid_t pgrp)
{
	pid_t pid = pgrp;
	for (int i = 0; i < JSUP_PPID_DEPTH && pid > 1; i++) {
		if (pid == s->o->init_pid)
			return true;
		pid = jinit_ppid(pid);
	}
	return false;
}

/*
 * Takes the terminal back from the jail for procjail's process group (the user's job), when the
 * jail has it or its group is gone; never from the shell or another job (procjail in the
 * background). SIGTTOU is blocked, so a background tcsetpgrp is allowed.
 */
static void jsup_take_tty(const struct jsup *s)
{
	pid_t fg = s->o->tty_fd >= 0 ? tcgetpgrp(s->o->tty_fd) : -1;
	if (fg <= 0 || fg == getpgrp())
		return;
	if (jsup_in_jail(s, fg) || (kill(-fg, 0) != 0 && errno == ESRCH))
		tcsetpgrp(s->o->tty_fd, getpgrp());
}

/*
 * Stops procjail with sig by its default action, so the user's shell sees the job stopped as if
 * it were the command (bash says "Stopped", or "Stopped (tty input)"...). sig is blocked and may
 * be ignored: made pending, then unblocked with SIG_DFL, it stops us inside sigprocmask.
 */
static void jsup_stop_self(int sig)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigset_t one;
	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
		kill(getpid(), SIGSTOP);
		return;
	}
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigaction(sig, &dfl, &old);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	sigprocmask(SIG_BLOCK, &one, NULL);
	sigaction(sig, &old, NULL);
}

/*
 * "S<n>": the command was stopped by signal n. With a terminal, procjail gives it back to its own
 * group and stops the same way, for the user's shell to see the job stopped. Without one no
 * shell's job control is watching, and a stopped procjail could only hang: it goes on, and its
 * next SIGCONT continues the command.
 */
static void jsup_stopped(struct jsup *s, int sig)
{
	sigset_t pending;
	if (s->o->tty_fd < 0)
		return;
	jsup_take_tty(s);
	s->r->stops++;
	jsup_stop_self(sig);
	/*
	 * A continued stop leaves SIGCONT pending (blocked; the stop signal flushed any older one),
	 * read next from the signalfd. Without it, the kernel discarded the stop: a process group
	 * with no parent in the session to continue it is orphaned (POSIX, the kernel's
	 * is_current_pgrp_orphaned), so the command is continued at once as it would be there.
	 */
	if (sigpending(&pending) == 0 && !sigismember(&pending, SIGCONT))
		jsup_continued(s);
}

static void jsup_ctl_line(struct jsup *s, const char *line)
{
	char *end;
	if (line[0] != JINIT_CTL_STOPPED)
		return;
	long sig = strtol(line + 1, &end, 10);
	if (end != line + 1 && sig > 0 && sig < NSIG)
		jsup_stopped(s, (int)sig);
}

static void jsup_ctl_read(struct jsup *s)
{
	char buf[64];
	ssize_t n = read(s->ctl_fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		s->ctl_fd = -1; /* init is gone, or closed it: SIGCONT is relayed like any signal */
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (s->line_len < sizeof s->line - 1)
				s->line[s->line_len++] = buf[i];
			continue;
		}
		s->line[s->line_len] = '\0';
		s->line_len = 0;
		jsup_ctl_line(s, s->line);
	}
}

/* --die-with-parent: true once procjail's parent is gone, and init then gets SIGKILL. */
static bool jsup_orphaned(struct jsup *s)
{
	if (!s->o->parent_pid || getppid() == s->o->parent_pid)
		return false;
	if (!s->r->parent_died) {
		s->r->parent_died = true;
		kill(s->o->init_pid, SIGKILL);
	}
	return true;
}

static void jsup_relay(struct jsup *s, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	/* Our own doing: the SIGPIPE of a write to a gone init. */
	if ((pid_t)si->ssi_pid == s->self && (si->ssi_code == SI_USER || si->ssi_code == SI_TKILL))
		return;
	if (jsup_orphaned(s))
		return;
	/*
	 * The terminal signals (Ctrl-C, Ctrl-\, Ctrl-Z, SIGWINCH...) go to the whole foreground
	 * group: when init shares ours, it has its own copy, and a relayed one would be a second.
	 */
	if (si->ssi_code == SI_KERNEL && getpgid(s->o->init_pid) == getpgrp())
		return;
	if (kill(s->o->init_pid, sig) == 0)
		s->r->signals_relayed++;
}

static void jsup_signals(struct jsup *s)
{
	struct signalfd_siginfo si[16];
	for (;;) {
		ssize_t n = read(s->sfd, si, sizeof si);
		if (n <= 0)
			return;
		for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
			if (si[i].ssi_signo == SIGCHLD)
				jsup_reap(s);
			else if (si[i].ssi_signo == SIGCONT)
				jsup_continued(s);
			else
				jsup_relay(s, &si[i]);
		}
	}
}

/* The timeout: SIGTERM to init, then grace_ms later SIGKILL. */
static void jsup_tick(struct jsup *s)
{
	uint64_t now = jsup_now_ns();
	if (s->term_at_ns && now >= s->term_at_ns) {
		kill(s->o->init_pid, SIGTERM);
		s->r->timed_out = true;
		s->term_at_ns = 0;
		s->kill_at_ns = now + (uint64_t)s->o->grace_ms * 1000000u;
	}
	if (s->kill_at_ns && now >= s->kill_at_ns) {
		kill(s->o->init_pid, SIGKILL);
		s->kill_at_ns = 0;
	}
}

static int jsup_timeout_ms(const struct jsup *s)
{
	uint64_t at = s->term_at_ns ? s->term_at_ns : s->kill_at_ns, now;
	int ms;
	if (!at)
		return jsup_fg_watch(s) ? JSUP_FG_POLL_MS : -1;
	now = jsup_now_ns();
	ms = at <= now ? 0 : (int)((at - now + 999999) / 1000000);
	return jsup_fg_watch(s) && ms > JSUP_FG_POLL_MS ? JSUP_FG_POLL_MS : ms;
}

/*
 * A terminal left to a process group that no longer exists would keep a parent without job
 * control (sh -c, script) from reading it: give it back to procjail's group, which is the
 * parent's there. A job-control shell takes it back itself anyway.
 */
static void jsup_restore_tty(const struct jsup *s)
{
	pid_t fg = s->o->tty_fd >= 0 ? tcgetpgrp(s->o->tty_fd) : -1;
	if (fg > 0 && fg != getpgrp() && kill(-fg, 0) != 0 && errno == ESRCH)
		tcsetpgrp(s->o->tty_fd, getpgrp());
}

static int jsup_setup(struct jsup *s)
{
	sigset_t all;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &s->old_mask) != 0)
		return -errno;
	s->mask_saved = true;
	s->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sfd < 0)
		return -errno;
	if (s->o->parent_pid) {
		/* Any signal wakes us; jsup_orphaned then compares getppid(). */
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		jsup_orphaned(s);
	}
	if (s->o->timeout_s)
		s->term_at_ns = jsup_now_ns() + (uint64_t)s->o->timeout_s * 1000000000u;
	/* In the foreground now, the jail takes the terminal (jinit_opts.tty_background false). */
	if (s->o->tty_fd >= 0) {
		pid_t fg = tcgetpgrp(s->o->tty_fd);
		s->jail_fg = fg == getpgrp() || (fg > 0 && jsup_in_jail(s, fg));
	}
	return 0;
}

static void jsup_cleanup(struct jsup *s)
{
	struct signalfd_siginfo si[16];
	if (s->sfd >= 0) {
		/* Signals still queued were for init, now gone: they must not act on procjail once unblocked.
		 */
		while (read(s->sfd, si, sizeof si) > 0)
			;
		close(s->sfd);
	}
	if (s->o->parent_pid)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (s->mask_saved)
		sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
}

int jsup_run(const struct jsup_opts *o, struct jsup_result *r)
{
	struct jsup s = {.o = o, .r = r, .sfd = -1, .ctl_fd = o->ctl_fd, .self = getpid()};
	int rc;
	memset(r, 0, sizeof *r);
	r->wait_status = -1;
	rc = jsup_setup(&s);
	if (rc != 0) {
		/* Cannot relay: still wait, so the exit code is init's. */
		fprintf(stderr, "procjail: supervise: cannot relay signals: %s\n", strerror(-rc));
		if (waitpid(o->init_pid, &r->wait_status, 0) < 0)
			r->wait_status = -1;
		goto out;
	}
	/* Before the signalfd, a SIGCHLD was discarded (SIG_DFL ignores it): init may be gone already. */
	jsup_reap(&s);
	while (!s.done) {
		struct pollfd p[2] = {{.fd = s.sfd, .events = POLLIN}, {.fd = s.ctl_fd, .events = POLLIN}};
		jsup_tick(&s);
		jsup_fg_check(&s);
		if (poll(p, 2, jsup_timeout_ms(&s)) < 0)
			continue;
		if (p[0].revents)
			jsup_signals(&s);
		if (p[1].revents && s.ctl_fd >= 0)
			jsup_ctl_read(&s);
	}
	jsup_restore_tty(&s);
out:
	jsup_cleanup(&s);
	return r->wait_status < 0 ? JINIT_EXIT_SETUP : jinit_exit_code(r->wait_status);
}
