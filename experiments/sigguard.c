// SPDX-License-Identifier: MIT
/* sigguard: a handler for the signals that end a run, set only while something a signal would leak exists. */
#include "sigguard.h"

static const int sigguard_sigs[SIGGUARD_NSIGS] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void sigguard_set(struct sigguard *g, void (*handler)(int))
{
	struct sigaction sa = {.sa_handler = handler};
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < SIGGUARD_NSIGS; i++) {
		sigaction(sigguard_sigs[i], &sa, &g->old[i]);
		if (g->old[i].sa_handler == SIG_IGN)
			sigaction(sigguard_sigs[i], &g->old[i], NULL);
	}
	g->set = 1;
}

void sigguard_clear(struct sigguard *g)
{
	if (!g->set)
		return;
	for (int i = 0; i < SIGGUARD_NSIGS; i++)
		sigaction(sigguard_sigs[i], &g->old[i], NULL);
	g->set = 0;
}
