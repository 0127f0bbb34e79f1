/* SPDX-License-Identifier: MIT */
/* jail: procjail's options and the steps that build a jail from them. */
#ifndef PROCJAIL_JAIL_H
#define PROCJAIL_JAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define JAIL_EXIT_ERROR 125 /* procjail's own failures, as docker/podman/runc's wrappers use */
#define JAIL_MAX_MOUNTS 64
#define JAIL_MAX_ENV    256
#define JAIL_MAX_RLIM   16

enum jail_ns { NS_PID, NS_MOUNT, NS_UTS, NS_IPC, NS_NET, NS_USER, NS_CGROUP, NS_COUNT };

enum jail_mount_kind { MNT_BIND, MNT_RO_BIND, MNT_TMPFS };

struct jail_mount {
	enum jail_mount_kind kind;
	const char *src, *dst; /* src NULL for tmpfs */
};

struct jail_rlimit {
	int resource;
	struct rlimit lim;
};

struct jail_opts {
	bool ns[NS_COUNT]; /* which namespaces are new */
	const char *hostname;
	const char *rootfs;
	struct jail_mount mounts[JAIL_MAX_MOUNTS];
	int nmounts;
	uint64_t memory, pids; /* 0: no limit */
	double cpu;            /* CPUs, 0: no limit */
	struct jail_rlimit rlimits[JAIL_MAX_RLIM];
	int nrlimits;
	uint64_t caps; /* capabilities kept (bit n = capability n) */
	bool no_new_privs;
	bool die_with_parent;
	bool clearenv;
	const char *env[JAIL_MAX_ENV]; /* NAME=VALUE, in order, applied after clearenv */
	int nenv;
	const char *cwd;
	bool set_uid, set_gid;
	uid_t uid;
	gid_t gid;
	unsigned timeout_s;
	unsigned grace_ms;
	bool signal_group;
	const char *report;
	char **argv; /* the command */
};

/* Parses the command line into o, or prints one line and exits 125 (--help: usage, exit 0). */
void jail_opts_parse(int argc, char **argv, struct jail_opts *o);
const char *jail_ns_name(enum jail_ns ns);

/* caps.c: names and the default set; the drop that runs in the child before exec. */
int jail_cap_from_name(const char *name); /* CAP_NET_ADMIN, net_admin, NET_ADMIN -> 12; -1 unknown */
const char *jail_cap_name(int cap);
uint64_t jail_caps_default(void);
int jail_caps_last(void); /* the kernel's last capability */
int jail_drop_privileges(
	const struct jail_opts *o); /* uid/gid, bounding set, capsets, ambient, no_new_privs */

/* ns.c: inside the new namespaces. */
int jail_write_id_maps(pid_t child, uid_t outer_uid, gid_t outer_gid); /* from the parent */
int jail_loopback_up(void);

/* fs.c: the filesystem view, in the child, in its new mount namespace. */
int jail_setup_fs(const struct jail_opts *o, char *err, size_t len);

/* Prints "procjail: MESSAGE" and exits 125. */
_Noreturn void jail_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
