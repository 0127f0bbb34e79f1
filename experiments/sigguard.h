/* SPDX-License-Identifier: MIT */
/* sigguard: a handler for the signals that end a run, set only while something a signal would leak exists. */
#ifndef SYSLAB_SIGGUARD_H
#define SYSLAB_SIGGUARD_H

#include <signal.h>

#define SIGGUARD_NSIGS 4 /* INT, TERM, HUP, QUIT: a terminal's and a service manager's ways to end us */

struct sigguard {
	struct sigaction old[SIGGUARD_NSIGS];
	int set;
};

/*
 * Installs handler for INT, TERM, HUP and QUIT, keeping the old dispositions in g. A signal that
 * was ignored (nohup, a script's background job) stays ignored. The handler must be
 * async-signal-safe, clean up, then restore the default and re-raise the signal.
 */
void sigguard_set(struct sigguard *g, void (*handler)(int));
void sigguard_clear(struct sigguard *g); /* restores what sigguard_set found; harmless when not set */

#endif
