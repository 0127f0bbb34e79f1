/* SPDX-License-Identifier: MIT */
/* cgroup: limiting and accounting a group of processes through cgroup v1, v2 or hybrid hierarchies. */
#ifndef SYSLAB_CGROUP_H
#define SYSLAB_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How the host mounts cgroups, as found at run time by cgroup_detect. */
enum cgroup_mode {
	CGROUP_NONE,   /* no cgroup filesystem with a controller or a cgroup2 mount: nothing to use */
	CGROUP_V1,     /* controllers on cgroup v1 mounts, no cgroup2 mount */
	CGROUP_V2,     /* a cgroup2 mount, and no v1 mount holds memory, pids, cpu or cpuacct */
	CGROUP_HYBRID, /* v1 controllers plus a cgroup2 mount holding few or none (systemd's "hybrid") */
};

struct cgroup_limits {
	uint64_t memory;  /* bytes, 0: none; swap is held to the same limit where the host accounts it */
	uint64_t pids;    /* processes and threads, 0: none */
	double cpu;       /* CPUs (0.5: half of one, 2: two), 0: none; a 100 ms CFS period */
	bool limits_only; /* only the hierarchies the limits need; else also those cgroup_stats reads */
};

/* What cgroup_stats could read; a have_ flag is false when the host does not say. */
struct cgroup_stats {
	bool have_peak; /* v2 memory.peak (Linux 5.19) or v1 memory.max_usage_in_bytes */
	uint64_t peak_bytes;
	bool have_oom;         /* v2 memory.events or v1 memory.oom_control (Linux 4.13) "oom_kill" */
	uint64_t oom_kills;    /* processes the OOM killer killed in the group */
	bool memory_limit_hit; /* limit reached (v2 "max" events, v1 failcnt) or OOM kill; false if unknown */
	bool have_pids_events; /* pids.events */
	uint64_t pids_max_events; /* forks refused by pids.max */
	bool have_cpu;            /* v2 cpu.stat usage_usec, or v1 cpuacct.usage */
	uint64_t cpu_usec;        /* user + system CPU time of the group's processes, dead ones included */
};

/*
 * Where to look: NULL, or NULL members, mean the host ("/proc/self/mountinfo", "/proc/self/cgroup",
 * ""). Tests point them at a fixture tree and set prefix to its directory.
 */
struct cgroup_root {
	const char *mountinfo;   /* the caller's mount table */
	const char *self_cgroup; /* the caller's cgroups: the new group goes under them */
	const char *prefix;      /* prepended to every mount point read from mountinfo */
};

enum { CGROUP_MEMORY = 1, CGROUP_PIDS = 2, CGROUP_CPU = 4, CGROUP_CPUACCT = 8 }; /* cgroup_dir.ctrls */
#define CGROUP_MAX_DIRS 4

/* The group's directory in one hierarchy. */
struct cgroup_dir {
	char path[PATH_MAX];
	unsigned ctrls; /* what it is used for; on v2 CGROUP_CPUACCT means cpu.stat */
	bool v2;        /* in the cgroup2 hierarchy */
	bool cgroupfs;  /* on a real cgroup filesystem; false on a test fixture (see cgroup_create) */
	bool created;   /* made by cgroup_create and not yet removed */
};

/* A group: read-only for callers. */
struct cgroup {
	enum cgroup_mode mode;
	size_t ndirs;
	struct cgroup_dir dirs[CGROUP_MAX_DIRS];
	int v2_fd;     /* see cgroup_v2_fd */
	char err[320]; /* why the last cgroup_destroy failed */
};

/* Reads the mount table and says how cgroups are mounted. 0 or -errno (err: the file unread). */
int cgroup_detect(const struct cgroup_root *r, enum cgroup_mode *mode, char *err, size_t len);
const char *cgroup_mode_name(enum cgroup_mode m); /* "none", "v1", "v2", "hybrid" */

/*
 * Creates the group `name` (one path component, e.g. "procjail-PID") under the caller's own cgroup
 * in each hierarchy it needs: on v2 one directory, after enabling memory and pids (and cpu, for a
 * cpu limit) in the parent's cgroup.subtree_control if needed; on v1 and hybrid one per v1 hierarchy
 * holding memory, pids, cpu or cpuacct (cpu,cpuacct co-mounted: one), and the cgroup2 one only if it
 * holds a controller no v1 mount does. It then writes the limits. The group is made for accounting
 * even with no limits. Fails with -ENOTSUP when a limit needs a controller the caller cannot use
 * (CGROUP_NONE with no limits succeeds, making nothing), -EEXIST when the group exists, -EBUSY on v2
 * when the parent holds processes, -errno of the kernel's refusal of a limit, with one line in err
 * naming the file and value. On failure, whatever was made is removed again.
 * Fixture mode: where the parent is not a cgroup filesystem (statfs), a new directory is given, like a
 * real cgroup, the names of the parent's files (as empty files; symlinks copied as such), and
 * cgroup_destroy unlinks them and kills nothing.
 */
int cgroup_create(struct cgroup *cg, const struct cgroup_root *r, const char *name,
		  const struct cgroup_limits *lim, char *err, size_t len);

/*
 * Moves process pid into the group, in every hierarchy. 0 or -errno with err. pid 0 is the
 * caller, which must be single-threaded: on v1 it moves itself through "tasks" (the calling
 * thread), which the kernel does without the global threadgroup lock that a move of another
 * process takes (cgroup_procs_write_start; that lock's write side waits for an RCU grace period).
 */
int cgroup_attach(struct cgroup *cg, pid_t pid, char *err, size_t len);

/* An O_PATH directory descriptor of the group for clone3's CLONE_INTO_CGROUP, or -1 when not v2. */
int cgroup_v2_fd(const struct cgroup *cg);

/* Reads the counters (before cgroup_destroy, once the processes exited). 0; what is unreadable is unknown. */
int cgroup_stats(const struct cgroup *cg, struct cgroup_stats *st);

/* The directories cgroup_destroy would remove: how many, the first max of them stored in paths. */
size_t cgroup_dirs(const struct cgroup *cg, const char **paths, size_t max);

/*
 * Kills every process left in the group (v2 cgroup.kill, else SIGKILL each pid of cgroup.procs until
 * none is left, bounded), then removes its directories, sub-groups the processes made first. 0 or the
 * first -errno (cg->err says which directory and why); -EBUSY when the caller itself is in the group
 * (it is not killed) or processes outlived about a second. Safe twice, after a failed create, and on a
 * zero-initialised struct; closes the v2 descriptor.
 */
int cgroup_destroy(struct cgroup *cg);

#endif
