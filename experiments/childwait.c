// SPDX-License-Identifier: MIT
/* childwait: waiting for a tool the experiment started, with a time limit. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "childwait.h"

int childwait_bounded(pid_t pid, int timeout_s, int *status)
{
	int pfd = pidfd_open(pid, 0), rc = 0;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (waitpid(pid, status, WNOHANG) == 0) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = timeout_s * 1000L - (t.tv_sec - t0.tv_sec) * 1000L - (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			rc = -ETIMEDOUT;
			break;
		}
		poll(&p, 1, (int)(pfd < 0 && ms > 10 ? 10 : ms));
	}
	if (pfd >= 0)
		close(pfd);
	return rc;
}
