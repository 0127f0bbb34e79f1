/* SPDX-License-Identifier: MIT */
/* jail: the rootfs and OCI bundle the isolated-start cases share, and the runs of the tools they time. */
#ifndef SYSLAB_JAIL_H
#define SYSLAB_JAIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JAIL_MAX_ARGS 40

/*
 * The experiment's temporary directory (mkdtemp in $TMPDIR or /tmp): rootfs/ (busybox-static and
 * its applets), bundle/config.json (runc's and crun's), runc/ and crun/ (their --root state dirs).
 */
struct jail_dir {
	char path[PATH_MAX - 64]; /* "" when there is none; room left for the names under it */
	char rootfs[PATH_MAX], bundle[PATH_MAX], runc_state[PATH_MAX], crun_state[PATH_MAX];
	bool have_rootfs;
	char rootfs_why[200]; /* why there is no rootfs */
	bool have_bundle;
	const char *spec_by; /* "runc" or "crun": whose `spec` the bundle's config.json started from */
	char bundle_why[200];
	char busybox[96]; /* busybox's version line */
};

/*
 * Creates the directory, the rootfs (when busybox-static is installed: else have_rootfs is false
 * with the reason) and the state dirs, and sets a guard that removes them on SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT. 0, or -errno with err when there is no directory at all.
 */
int jail_dir_create(struct jail_dir *d, char *err, size_t len);

/* Writes bundle/config.json from `runc spec` (else `crun spec`), edited for the cases (jail_rootfs.c). */
void jail_bundle_write(struct jail_dir *d);

/* What the rootfs holds, one line for the report. */
void jail_rootfs_describe(const struct jail_dir *d, char *buf, size_t len);

/*
 * Deletes what runc or crun left in their state dirs (`runc delete --force`), removes the tree
 * (never crossing a mount) and clears the guard. Returns 0, or -errno when something is left,
 * with its path in left. Safe on a zeroed struct and twice.
 */
int jail_dir_remove(struct jail_dir *d, char *left, size_t len);

/*
 * The cgroup directories (to a depth of 6 in every cgroup and cgroup2 mount) whose name starts with
 * prefix: how many, and the first one's path into first. For the check that nothing is left behind.
 */
int jail_cgroup_count(const char *prefix, char *first, size_t len);

/* How cgroups are mounted, from /proc/self/mountinfo, one line for the report. */
void jail_cgroup_mode(char *buf, size_t len);

/* A command line a case runs; runc and crun get a new container id for every run. */
struct jail_cmd {
	char *v[JAIL_MAX_ARGS + 1];
	int argc;
	int id_arg;        /* index in v of the container id, -1 when the tool takes none */
	const char *state; /* runc or crun --root, for the delete after a failed run */
	char id[64];
	char pool[4 * PATH_MAX];
	size_t used;
};

void jail_cmd_init(struct jail_cmd *c);
/* Appends an argument (copied). 0, or -E2BIG when the command line is full. */
int jail_cmd_add(struct jail_cmd *c, const char *arg);
/* Appends the container id's place (a new id each run) and says which state dir it lives in. */
int jail_cmd_add_id(struct jail_cmd *c, const char *state);
/* The command line, space-separated, with "ID" for the container id. */
void jail_cmd_format(const struct jail_cmd *c, char *buf, size_t len);

/*
 * Runs the command once: posix_spawnp (execvp's search), waitpid. stdin and stdout are /dev/null,
 * stderr goes to errfd (truncated first; -1: /dev/null). *ns is the time from just before the spawn
 * to waitpid()'s return.
 * A run longer than 30 s is killed (-ETIMEDOUT). Returns 0 with *status, or -errno; -ENOENT when
 * the program is not installed. After a runc or crun run that did not exit 0, the container is
 * deleted (untimed) so that nothing is left. Not thread-safe (the signal guard tracks one child).
 */
int jail_cmd_run(struct jail_cmd *c, int errfd, uint64_t *ns, int *status);

/*
 * One untimed run that must exit 0: 0, or -errno with why: "X is not installed (Debian package P)",
 * or the tool's first line on stderr (else stdout).
 */
int jail_cmd_try(struct jail_cmd *c, const char *package, char *why, size_t len);

/* The first line `argv[0] argv[1]...` prints (stdout, else stderr), e.g. a --version. "" on failure. */
void jail_output_line(char *const argv[], char *buf, size_t len);

#endif
