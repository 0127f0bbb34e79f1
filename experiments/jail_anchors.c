// SPDX-License-Identifier: MIT
/* jail_anchors: starts a tool's command line once, timed from spawn to waitpid(), and reads its errors. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <syslab/clock.h>

#include "fdtext.h"
#include "jail.h"

#define RUN_TIMEOUT_MS 30000

extern char **environ;

void jail_guard_child(pid_t pid); /* jail_rootfs.c: the child a fatal signal must wait for */

void jail_cmd_init(struct jail_cmd *c)
{
	memset(c, 0, sizeof *c);
	c->id_arg = -1;
}

int jail_cmd_add(struct jail_cmd *c, const char *arg)
{
	size_t n = strlen(arg) + 1;

	if (c->argc >= JAIL_MAX_ARGS || c->used + n > sizeof c->pool)
		return -E2BIG;
	c->v[c->argc++] = memcpy(c->pool + c->used, arg, n);
	c->used += n;
	c->v[c->argc] = NULL;
	return 0;
}

int jail_cmd_add_id(struct jail_cmd *c, const char *state)
{
	int rc = jail_cmd_add(c, "ID");

	if (!rc) {
		c->id_arg = c->argc - 1;
		c->state = state;
	}
	return rc;
}

void jail_cmd_format(const struct jail_cmd *c, char *buf, size_t len)
{
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < c->argc && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "",
				       i == c->id_arg ? "ID" : c->v[i]);
}

/*
 * Waits for pid: poll() on a pidfd first, so that a tool that hangs is killed after the timeout
 * rather than hanging the experiment; then waitpid(). 0, or -ETIMEDOUT.
 */
static int wait_child(pid_t pid, int *status)
{
	int pfd = pidfd_open(pid, 0), rc = 0;
	struct pollfd p = {.fd = pfd, .events = POLLIN};

	if (pfd >= 0) {
		while ((rc = poll(&p, 1, RUN_TIMEOUT_MS)) < 0 && errno == EINTR)
			;
		close(pfd);
		if (rc == 0)
			kill(pid, SIGKILL);
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return pfd >= 0 && rc == 0 ? -ETIMEDOUT : 0;
}

/*
 * Starts argv (execvp's search, no shell) with stdin and stdout on /dev/null (stdout on out when
 * >= 0) and stderr on errfd (or /dev/null), and waits for it; *ns is the time from before the spawn
 * to waitpid()'s return. posix_spawnp rather than fork(): glibc clones with CLONE_VM|CLONE_VFORK,
 * so a start does not copy the page tables of this process, whose size is not the tool's cost
 * (here a fork + exec + wait of /bin/true took 0.6 ms from a 1 MiB process and 2.5 ms from a 50 MiB
 * one; spawned, 0.8 ms from both). The tool stays in our process group: a Ctrl-C reaches it too.
 */
static int spawn(char *const argv[], int out, int errfd, uint64_t *ns, int *status)
{
	posix_spawn_file_actions_t fa;
	uint64_t t0, t1;
	pid_t pid;
	int rc;

	if (errfd >= 0 && (ftruncate(errfd, 0) < 0 || lseek(errfd, 0, SEEK_SET) < 0))
		return -errno;
	if (out >= 0 && (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0))
		return -errno;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return -rc;
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!rc)
		rc = out >= 0 ? posix_spawn_file_actions_adddup2(&fa, out, 1)
			      : posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!rc)
		rc = errfd >= 0 ? posix_spawn_file_actions_adddup2(&fa, errfd, 2)
				: posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (rc)
		goto out;
	t0 = clock_now_ns();
	if ((rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) != 0)
		goto out;
	jail_guard_child(pid);
	rc = -wait_child(pid, status);
	t1 = clock_now_ns();
	jail_guard_child(0);
	if (ns)
		*ns = t1 - t0;
out:
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

/* runc and crun keep a container that did not run to its end: delete it, quietly and untimed. */
static void delete_container(const struct jail_cmd *c)
{
	char *argv[] = {c->v[0],
			(char *)"--root",
			(char *)c->state,
			(char *)"delete",
			(char *)"--force",
			(char *)c->id,
			NULL};
	int status;

	spawn(argv, -1, -1, NULL, &status);
}

int jail_cmd_run(struct jail_cmd *c, int errfd, uint64_t *ns, int *status)
{
	static unsigned long seq;
	int rc;

	if (c->id_arg >= 0) {
		snprintf(c->id, sizeof c->id, "syslab-jail-%d-%lu", (int)getpid(), ++seq);
		c->v[c->id_arg] = c->id;
	}
	rc = spawn(c->v, -1, errfd, ns, status);
	if (c->id_arg >= 0 && rc != -ENOENT && (rc || !WIFEXITED(*status) || WEXITSTATUS(*status)))
		delete_container(c);
	return rc;
}

int jail_cmd_try(struct jail_cmd *c, const char *package, char *why, size_t len)
{
	int out = memfd_create("jail-out", MFD_CLOEXEC), errfd = memfd_create("jail-err", MFD_CLOEXEC);
	int status = 0, rc;
	char line[200];

	why[0] = '\0';
	if (out < 0 || errfd < 0) {
		rc = -errno;
		snprintf(why, len, "memfd_create: %s", strerror(-rc));
		goto out;
	}
	if (c->id_arg >= 0) {
		snprintf(c->id, sizeof c->id, "syslab-jail-%d-try", (int)getpid());
		c->v[c->id_arg] = c->id;
	}
	rc = spawn(c->v, out, errfd, NULL, &status);
	if (rc == -ENOENT && package)
		snprintf(why, len, "%s is not installed (Debian package %s)", c->v[0], package);
	else if (rc == -ETIMEDOUT)
		snprintf(why, len, "%s did not finish within %d s", c->v[0], RUN_TIMEOUT_MS / 1000);
	else if (rc)
		snprintf(why, len, "cannot run %s: %s", c->v[0], strerror(-rc));
	if (rc || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
		goto out;
	fdtext_line(errfd, false, 160, line, sizeof line);
	if (!line[0])
		fdtext_line(out, false, 160, line, sizeof line);
	if (WIFEXITED(status) && line[0])
		snprintf(why, len, "%s", line);
	else if (WIFEXITED(status))
		snprintf(why, len, "%s exited with status %d and said nothing", c->v[0], WEXITSTATUS(status));
	else
		snprintf(why, len, "killed by signal %d: %s", WTERMSIG(status), line);
	rc = -EIO;
out:
	if (c->id_arg >= 0 && rc != -ENOENT && rc)
		delete_container(c);
	if (out >= 0)
		close(out);
	if (errfd >= 0)
		close(errfd);
	return rc;
}

void jail_output_line(char *const argv[], char *buf, size_t len)
{
	int out = memfd_create("jail-version", MFD_CLOEXEC), status = 0;

	buf[0] = '\0';
	if (out < 0)
		return;
	if (spawn(argv, out, out, NULL, &status) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		fdtext_line(out, false, 160, buf, len);
	close(out);
}
