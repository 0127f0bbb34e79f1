// SPDX-License-Identifier: MIT
/* caps: capability names, the default set, and dropping privileges before exec. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

static const char *const cap_names[] = {
	"CHOWN",
	"DAC_OVERRIDE",
	"DAC_READ_SEARCH",
	"FOWNER",
	"FSETID",
	"KILL",
	"SETGID",
	"SETUID",
	"SETPCAP",
	"LINUX_IMMUTABLE",
	"NET_BIND_SERVICE",
	"NET_BROADCAST",
	"NET_ADMIN",
	"NET_RAW",
	"IPC_LOCK",
	"IPC_OWNER",
	"SYS_MODULE",
	"SYS_RAWIO",
	"SYS_CHROOT",
	"SYS_PTRACE",
	"SYS_PACCT",
	"SYS_ADMIN",
	"SYS_BOOT",
	"SYS_NICE",
	"SYS_RESOURCE",
	"SYS_TIME",
	"SYS_TTY_CONFIG",
	"MKNOD",
	"LEASE",
	"AUDIT_WRITE",
	"AUDIT_CONTROL",
	"SETFCAP",
	"MAC_OVERRIDE",
	"MAC_ADMIN",
	"SYSLOG",
	"WAKE_ALARM",
	"BLOCK_SUSPEND",
	"AUDIT_READ",
	"PERFMON",
	"BPF",
	"CHECKPOINT_RESTORE",
};
#define NCAPNAMES ((int)(sizeof cap_names / sizeof cap_names[0]))

int jail_cap_from_name(const char *name)
{
	const char *n = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
	for (int i = 0; i < NCAPNAMES; i++)
		if (strcasecmp(n, cap_names[i]) == 0)
			return i <= jail_caps_last() ? i : -1;
	return -1;
}

const char *jail_cap_name(int cap)
{
	return cap >= 0 && cap < NCAPNAMES ? cap_names[cap] : "?";
}

int jail_caps_last(void)
{
	static int last = -1;
	if (last < 0) {
		FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
		if (!f || fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		if (f)
			fclose(f);
	}
	return last;
}

/* The set container engines keep by default (Docker's and Podman's default list). */
uint64_t jail_caps_default(void)
{
	static const int keep[] = {CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
				   CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
				   CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
				   CAP_KILL,    CAP_AUDIT_WRITE};
	uint64_t set = 0;
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		set |= 1ull << keep[i];
	return set;
}

/*
 * In the child, after the jail is built and just before exec: the bounding set first
 * (PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, which a change to a non-zero uid
 * clears), then the ids, then effective, permitted and inheritable to the kept set, ambient
 * cleared, and no_new_privs last (it also makes setuid binaries and file capabilities inert).
 * 0 or -errno.
 */
int jail_drop_privileges(const struct jail_opts *o)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	for (int cap = 0; cap <= jail_caps_last(); cap++)
		if (!(o->caps & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
		    errno != EINVAL)
			return -errno;
	if (o->set_gid && (setgroups(0, NULL) != 0 && errno != EPERM))
		return -errno;
	if (o->set_gid && setresgid(o->gid, o->gid, o->gid) != 0)
		return -errno;
	/* Keep the capabilities across the uid change; the sets below decide what stays. */
	if (o->set_uid && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
		return -errno;
	if (o->set_uid && setresuid(o->uid, o->uid, o->uid) != 0)
		return -errno;
	if (syscall(SYS_capget, &h, d) != 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t keep = (uint32_t)(o->caps >> (32 * i));
		d[i].permitted &= keep;
		d[i].effective = o->set_uid && o->uid != 0 ? 0 : d[i].permitted;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) != 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return -errno;
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	return 0;
}
