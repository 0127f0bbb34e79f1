/* SPDX-License-Identifier: MIT */
/* init: procjail's PID 1, which runs the command, forwards signals to it and reaps every process. */
#ifndef PROCJAIL_INIT_H
#define PROCJAIL_INIT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define JINIT_NSIG 65 /* signal numbers 1..64 index jinit_stats.forwarded */

/* Exit codes of procjail's own making, as docker, podman and the shells use them. */
#define JINIT_EXIT_SETUP      125 /* procjail failed before the command ran (child_setup says why) */
#define JINIT_EXIT_CANNOT_RUN 126 /* the command was found but could not be executed */
#define JINIT_EXIT_NOT_FOUND  127 /* the command was not found (ENOENT) */

/*
 * The job-control channel between init and the supervisor (ctl_fd), one ASCII line per message:
 *   init -> supervisor  "S<signo>\n"  the main child was stopped by signal signo (TSTP, TTIN, TTOU, STOP)
 *   supervisor -> init  "F\n"         continue it in the foreground: init first gives it the terminal
 *                       "C\n"         continue it in the background
 */
#define JINIT_CTL_STOPPED 'S'
#define JINIT_CTL_FG      'F'
#define JINIT_CTL_BG      'C'

struct jinit_opts {
	char *const *argv; /* the command; argv[0] without a '/' is looked up in envp's PATH */
	char *const *envp; /* its environment; NULL: environ */
	bool signal_group; /* forward signals to the child's process group, not just the child */
	unsigned grace_ms; /* after the main child exits: SIGTERM to the rest, this long, then SIGKILL */
	/*
	 * A terminal to give to the child's process group, or -1. It must be the controlling terminal
	 * of init's session (no setsid() between the caller's shell and init).
	 */
	int tty_fd;
	bool tty_background; /* procjail was started in the background: the child takes the terminal
				only when the supervisor says "F" (from inside a new PID namespace init
				cannot tell, every outside process group reads as 0) */
	int ctl_fd;          /* the job-control channel to the supervisor (above), or -1; the caller's */
	/*
	 * Runs in the child after fork, before exec, with every signal blocked and every disposition
	 * at SIG_DFL; async-signal-safe code only. On failure it writes one line to stderr and calls
	 * _exit(JINIT_EXIT_SETUP).
	 */
	void (*child_setup)(void *arg);
	void *arg;
	/*
	 * The signal mask the command starts with; NULL: the one jinit_run was called with. A caller
	 * that blocked every signal early (so none sent to it as a namespace's init is dropped: the
	 * kernel discards an unblocked SIG_DFL signal to init) passes the mask it had before.
	 */
	const sigset_t *command_mask;
};

struct jinit_stats {
	uint64_t forwarded[JINIT_NSIG]; /* per signal number, signals forwarded to the child */
	uint64_t orphans_reaped;        /* processes reaped that were not the main child */
	uint64_t stops;                 /* job-control stops of the main child */
	uint64_t resumes;               /* "F" and "C" obeyed */
	int wait_status;                /* the main child's raw status, -1 if it never ran */
	int exit_code;                  /* what init exits with (see jinit_run) */
	int exec_errno;                 /* why the command could not be executed, or 0 */
	pid_t child_pid;                /* the main child, as init sees it */
	uint64_t term_sent, kill_sent;  /* after the main child: SIGTERMs and SIGKILLs sent (kill(-1): 1) */
	bool grace_expired;             /* some process outlived the grace period and was killed */
};

/*
 * Runs argv as the main child and supervises it until it and every other process it can reach
 * are gone; returns the exit code: the child's exit status, 128+N if signal N killed it, 126 or
 * 127 (with "procjail: cannot run CMD: REASON" on stderr) if it could not be executed, 125 if
 * child_setup failed or init could not start it (one line on stderr).
 *
 * As PID 1 of a PID namespace it ends the rest with kill(-1, ...). Anywhere else ("subreaper
 * mode") it becomes a child subreaper for the call and signals only its own children, found in
 * /proc. Either way it reaps every child of the calling process, and every thread of the caller
 * must have every signal blocked (jinit_run blocks them in its own) or signals may be lost.
 * The command starts with the signal mask jinit_run was called with (as tini does) and every
 * disposition at SIG_DFL: do not call it with signals blocked. The mask is restored on return.
 */
int jinit_run(const struct jinit_opts *o, struct jinit_stats *st);

/* A wait status as a shell reports it: the exit status, or 128+N for signal N. */
int jinit_exit_code(int wait_status);

/* pid's parent as /proc/PID/stat says, or -1 (gone, or no /proc). */
pid_t jinit_ppid(pid_t pid);

#endif
