/* SPDX-License-Identifier: MIT */
/* supervise: procjail's outer process, which relays signals to the jail's init and mirrors its stops. */
#ifndef PROCJAIL_SUPERVISE_H
#define PROCJAIL_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct jsup_opts {
	pid_t init_pid;     /* the jail's init: a child of the caller */
	int ctl_fd;         /* the other end of jinit_opts.ctl_fd (protocol in init.h), or -1 */
	int tty_fd;         /* the terminal given to the jail (jinit_opts.tty_fd), or -1 */
	unsigned timeout_s; /* 0: none; else then SIGTERM to init (it forwards), grace_ms later SIGKILL
			       (which, to a namespace's init, ends the whole namespace) */
	unsigned grace_ms;
	/*
	 * --die-with-parent: procjail's parent pid read at its start, before anything could race
	 * with the parent's death, or 0. jsup_run arms PR_SET_PDEATHSIG and compares getppid() with
	 * it (prctl(2)'s race, and a dying thread of the parent is not its death); once it differs,
	 * init gets SIGKILL, as bubblewrap's --die-with-parent.
	 */
	pid_t parent_pid;
};

struct jsup_result {
	int wait_status;          /* init's raw status, -1 if it could not be had */
	bool timed_out;           /* the timeout sent SIGTERM */
	bool parent_died;         /* init was killed because procjail's parent died */
	uint64_t signals_relayed; /* signals passed on to init */
	uint64_t stops;           /* times procjail stopped itself because the command was stopped */
};

/*
 * Waits for init while relaying every signal procjail gets to it, except SIGCHLD and the job
 * control ones: SIGTSTP, SIGTTIN, SIGTTOU are relayed (init's child stops, and init's "S" then
 * stops procjail, if it has a terminal); SIGCONT becomes "F" or "C". A signal the terminal sent to procjail's
 * process group is not relayed when init is in that group (it got its own). Blocks every signal for the call;
 * the caller must be single-threaded or block them in every thread. Returns the exit code procjail should
 * exit with: init's exit code, 128+N if signal N killed it, 125 if init was not our child.
 */
int jsup_run(const struct jsup_opts *o, struct jsup_result *r);

#endif
