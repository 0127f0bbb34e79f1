/* SPDX-License-Identifier: MIT */
/* childwait: waiting for a tool the experiment started, with a time limit. */
#ifndef SYSLAB_CHILDWAIT_H
#define SYSLAB_CHILDWAIT_H

#include <sys/types.h>

/*
 * Waits for pid (the leader of its own process group) on a pidfd: the caller's SIGCHLD is left
 * alone, and nothing wakes up on the measured CPU while the tool runs (without a pidfd it polls
 * every 10 ms). After timeout_s it kills the group and pid: -ETIMEDOUT; else 0, *status set.
 */
int childwait_bounded(pid_t pid, int timeout_s, int *status);

#endif
