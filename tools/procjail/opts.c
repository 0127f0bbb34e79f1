// SPDX-License-Identifier: MIT
/* opts: procjail's command line, checked whole before anything is created. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jail.h"

static const char usage[] =
	"usage: procjail [OPTIONS] -- COMMAND [ARGS...]\n"
	"Runs COMMAND isolated in new namespaces, under an init that forwards signals and reaps.\n"
	"namespaces (all new by default; user only when not root, or with --user):\n"
	"  --share NS            keep the caller's NS: pid, mount, uts, ipc, net, user, cgroup\n"
	"  --user                a user namespace even as root (the caller is root inside)\n"
	"  --hostname NAME       the jail's hostname (a new uts namespace)\n"
	"filesystem:\n"
	"  --rootfs DIR          pivot_root into DIR, with a fresh /proc and a minimal /dev\n"
	"  --bind SRC:DST        --ro-bind SRC:DST    --tmpfs DST\n"
	"limits:\n"
	"  --memory BYTES        (K, M, G suffixes)   --pids N   --cpu FRACTION (of one CPU)\n"
	"  --rlimit NAME=VALUE   e.g. NOFILE=1024, NPROC=64:128, CORE=0 (VALUE or SOFT:HARD, 'unlimited')\n"
	"privileges:\n"
	"  --cap-add CAP         --cap-drop CAP (or ALL)   --allow-new-privs (no_new_privs is on)\n"
	"  --uid N  --gid N      the ids inside the jail\n"
	"process:\n"
	"  --env NAME=VALUE      --clearenv   --cwd DIR   --die-with-parent\n"
	"  --timeout SECONDS     then TERM, the grace period, KILL\n"
	"  --grace SECONDS       after the main process exits, before the rest is killed (default 2)\n"
	"  --signal-group        forward signals to the command's process group\n"
	"  --report FILE         write exit status, signals, reaped orphans, memory, CPU as JSON\n"
	"exit status: the command's, 128+N if a signal N killed it, 126/127 if it could not be run,\n"
	"125 if procjail itself failed.\n";

void jail_die(const char *fmt, ...)
{
	va_list ap;
	fputs("procjail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(JAIL_EXIT_ERROR);
}

const char *jail_ns_name(enum jail_ns ns)
{
	static const char *const names[] = {"pid", "mount", "uts", "ipc", "net", "user", "cgroup"};
	return (unsigned)ns < NS_COUNT ? names[ns] : "?";
}

static enum jail_ns ns_from_name(const char *s)
{
	for (int i = 0; i < NS_COUNT; i++)
		if (strcmp(s, jail_ns_name(i)) == 0 || (i == NS_MOUNT && strcmp(s, "mnt") == 0))
			return i;
	jail_die("--share: unknown namespace '%s' (pid, mount, uts, ipc, net, user, cgroup)", s);
}

/* A whole number with an optional K/M/G/T suffix (powers of 1024). */
static uint64_t parse_size(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;
	if (*end)
		shift = strchr("kK", *end)   ? 10
			: strchr("mM", *end) ? 20
			: strchr("gG", *end) ? 30
			: strchr("tT", *end) ? 40
					     : -1;
	if (s[0] == '-' || end == s || errno || shift < 0 ||
	    (*end && end[1] && strcasecmp(end + 1, "iB") && strcasecmp(end + 1, "B")))
		jail_die("%s: '%s' is not a size (e.g. 268435456, 256M, 1G)", opt, s);
	if (shift && v > (UINT64_MAX >> shift))
		jail_die("%s: '%s' is too large", opt, s);
	return (uint64_t)v << shift;
}

static unsigned long parse_uint(const char *opt, const char *s, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (s[0] == '-' || end == s || *end || errno || v > max)
		jail_die("%s: '%s' is not a whole number up to %lu", opt, s, max);
	return v;
}

static double parse_seconds(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= 0) || v > 86400 * 365)
		jail_die("%s: '%s' is not a number of seconds", opt, s);
	return v;
}

static rlim_t parse_rlim_value(const char *s, const char *whole)
{
	if (strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "infinity") == 0)
		return RLIM_INFINITY;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (s[0] == '-' || end == s || *end || errno)
		jail_die("--rlimit: '%s' has no valid value (NAME=VALUE or NAME=SOFT:HARD)", whole);
	return (rlim_t)v;
}

static void parse_rlimit(struct jail_opts *o, const char *s)
{
	static const struct {
		const char *name;
		int res;
	} names[] = {
		{"AS", RLIMIT_AS},           {"CORE", RLIMIT_CORE},         {"CPU", RLIMIT_CPU},
		{"DATA", RLIMIT_DATA},       {"FSIZE", RLIMIT_FSIZE},       {"LOCKS", RLIMIT_LOCKS},
		{"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
		{"NOFILE", RLIMIT_NOFILE},   {"NPROC", RLIMIT_NPROC},       {"RSS", RLIMIT_RSS},
		{"RTPRIO", RLIMIT_RTPRIO},   {"RTTIME", RLIMIT_RTTIME},     {"SIGPENDING", RLIMIT_SIGPENDING},
		{"STACK", RLIMIT_STACK},
	};
	char name[32], value[64];
	const char *eq = strchr(s, '=');
	if (!eq || eq == s || (size_t)(eq - s) >= sizeof name || strlen(eq + 1) >= sizeof value)
		jail_die("--rlimit: '%s' is not NAME=VALUE", s);
	snprintf(name, sizeof name, "%.*s", (int)(eq - s), s);
	snprintf(value, sizeof value, "%s", eq + 1);
	const char *n = strncasecmp(name, "RLIMIT_", 7) == 0 ? name + 7 : name;
	int res = -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(n, names[i].name) == 0)
			res = names[i].res;
	if (res < 0)
		jail_die("--rlimit: unknown limit '%s' (NOFILE, NPROC, CORE, AS, CPU, FSIZE, STACK, ...)",
			 name);
	if (o->nrlimits == JAIL_MAX_RLIM)
		jail_die("--rlimit: too many");
	char *colon = strchr(value, ':');
	struct jail_rlimit *r = &o->rlimits[o->nrlimits++];
	r->resource = res;
	if (colon)
		*colon = '\0';
	r->lim.rlim_cur = parse_rlim_value(value, s);
	r->lim.rlim_max = colon ? parse_rlim_value(colon + 1, s) : r->lim.rlim_cur;
	if (r->lim.rlim_cur > r->lim.rlim_max)
		jail_die("--rlimit: '%s': the soft limit is above the hard one", s);
}

static void add_mount(struct jail_opts *o, enum jail_mount_kind kind, const char *opt, char *arg)
{
	if (o->nmounts == JAIL_MAX_MOUNTS)
		jail_die("%s: too many mounts", opt);
	struct jail_mount *m = &o->mounts[o->nmounts++];
	m->kind = kind;
	if (kind == MNT_TMPFS) {
		m->src = NULL, m->dst = arg;
	} else {
		char *colon = strchr(arg, ':');
		if (!colon || colon == arg || !colon[1])
			jail_die("%s: '%s' is not SRC:DST", opt, arg);
		*colon = '\0';
		m->src = arg, m->dst = colon + 1;
		if (access(m->src, F_OK) != 0)
			jail_die("%s: %s: %s", opt, m->src, strerror(errno));
	}
	if (m->dst[0] != '/')
		jail_die("%s: '%s' must be an absolute path inside the jail", opt, m->dst);
}

static void cap_change(struct jail_opts *o, const char *opt, const char *name, bool add)
{
	if (strcasecmp(name, "ALL") == 0) {
		uint64_t all = jail_caps_last() >= 63 ? ~0ull : (2ull << jail_caps_last()) - 1;
		o->caps = add ? all : 0;
		return;
	}
	int cap = jail_cap_from_name(name);
	if (cap < 0)
		jail_die("%s: unknown capability '%s' (e.g. CAP_NET_ADMIN, SYS_PTRACE, ALL)", opt, name);
	if (add)
		o->caps |= 1ull << cap;
	else
		o->caps &= ~(1ull << cap);
}

enum {
	OPT_SHARE = 256,
	OPT_USER,
	OPT_HOSTNAME,
	OPT_ROOTFS,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_TMPFS,
	OPT_MEMORY,
	OPT_PIDS,
	OPT_CPU,
	OPT_RLIMIT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_ALLOW_NNP,
	OPT_UID,
	OPT_GID,
	OPT_ENV,
	OPT_CLEARENV,
	OPT_CWD,
	OPT_DIE,
	OPT_TIMEOUT,
	OPT_GRACE,
	OPT_SIGNAL_GROUP,
	OPT_REPORT,
	OPT_HELP
};

static const struct option longopts[] = {
	{"share", required_argument, NULL, OPT_SHARE},
	{"user", no_argument, NULL, OPT_USER},
	{"hostname", required_argument, NULL, OPT_HOSTNAME},
	{"rootfs", required_argument, NULL, OPT_ROOTFS},
	{"bind", required_argument, NULL, OPT_BIND},
	{"ro-bind", required_argument, NULL, OPT_RO_BIND},
	{"tmpfs", required_argument, NULL, OPT_TMPFS},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"pids", required_argument, NULL, OPT_PIDS},
	{"cpu", required_argument, NULL, OPT_CPU},
	{"rlimit", required_argument, NULL, OPT_RLIMIT},
	{"cap-add", required_argument, NULL, OPT_CAP_ADD},
	{"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	{"allow-new-privs", no_argument, NULL, OPT_ALLOW_NNP},
	{"uid", required_argument, NULL, OPT_UID},
	{"gid", required_argument, NULL, OPT_GID},
	{"env", required_argument, NULL, OPT_ENV},
	{"clearenv", no_argument, NULL, OPT_CLEARENV},
	{"cwd", required_argument, NULL, OPT_CWD},
	{"die-with-parent", no_argument, NULL, OPT_DIE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"grace", required_argument, NULL, OPT_GRACE},
	{"signal-group", no_argument, NULL, OPT_SIGNAL_GROUP},
	{"report", required_argument, NULL, OPT_REPORT},
	{"help", no_argument, NULL, OPT_HELP},
	{0, 0, 0, 0},
};

static void parse_one(struct jail_opts *o, int c, char *arg, bool *user_forced)
{
	const char *opt = c >= OPT_SHARE && c <= OPT_HELP ? longopts[c - OPT_SHARE].name : "?";
	char optname[40];
	snprintf(optname, sizeof optname, "--%s", opt);
	switch (c) {
	case OPT_SHARE:
		o->ns[ns_from_name(arg)] = false;
		break;
	case OPT_USER:
		*user_forced = true;
		break;
	case OPT_HOSTNAME:
		if (!*arg || strlen(arg) > 64)
			jail_die("--hostname: '%s' is not 1 to 64 characters", arg);
		o->hostname = arg;
		break;
	case OPT_ROOTFS:
		o->rootfs = arg;
		break;
	case OPT_BIND:
		add_mount(o, MNT_BIND, optname, arg);
		break;
	case OPT_RO_BIND:
		add_mount(o, MNT_RO_BIND, optname, arg);
		break;
	case OPT_TMPFS:
		add_mount(o, MNT_TMPFS, optname, arg);
		break;
	case OPT_MEMORY:
		o->memory = parse_size(optname, arg);
		break;
	case OPT_PIDS:
		o->pids = parse_uint(optname, arg, 4194304);
		break;
	case OPT_CPU: {
		char *end;
		errno = 0;
		o->cpu = strtod(arg, &end);
		if (end == arg || *end || errno || !(o->cpu > 0) || o->cpu > 4096)
			jail_die("--cpu: '%s' is not a positive number of CPUs (e.g. 0.5)", arg);
		break;
	}
	case OPT_RLIMIT:
		parse_rlimit(o, arg);
		break;
	case OPT_CAP_ADD:
		cap_change(o, optname, arg, true);
		break;
	case OPT_CAP_DROP:
		cap_change(o, optname, arg, false);
		break;
	case OPT_ALLOW_NNP:
		o->no_new_privs = false;
		break;
	case OPT_UID:
		o->set_uid = true, o->uid = (uid_t)parse_uint(optname, arg, 4294967294ul);
		break;
	case OPT_GID:
		o->set_gid = true, o->gid = (gid_t)parse_uint(optname, arg, 4294967294ul);
		break;
	case OPT_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			jail_die("--env: '%s' is not NAME=VALUE", arg);
		if (o->nenv == JAIL_MAX_ENV)
			jail_die("--env: too many");
		o->env[o->nenv++] = arg;
		break;
	case OPT_CLEARENV:
		o->clearenv = true;
		break;
	case OPT_CWD:
		o->cwd = arg;
		break;
	case OPT_DIE:
		o->die_with_parent = true;
		break;
	case OPT_TIMEOUT: {
		double t = parse_seconds(optname, arg);
		if (t < 1 && t != 0)
			t = 1;
		o->timeout_s = (unsigned)t;
		break;
	}
	case OPT_GRACE:
		o->grace_ms = (unsigned)(parse_seconds(optname, arg) * 1000);
		break;
	case OPT_SIGNAL_GROUP:
		o->signal_group = true;
		break;
	case OPT_REPORT:
		o->report = arg;
		break;
	case OPT_HELP:
		fputs(usage, stdout);
		exit(0);
	}
}

void jail_opts_parse(int argc, char **argv, struct jail_opts *o)
{
	bool user_forced = false;
	int c;
	memset(o, 0, sizeof *o);
	for (int i = 0; i < NS_COUNT; i++)
		o->ns[i] = true;
	o->caps = jail_caps_default();
	o->no_new_privs = true;
	o->grace_ms = 2000;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h')
			c = OPT_HELP;
		if (c == '?') {
			if (optopt)
				jail_die("option '%s' needs a value (see procjail --help)", argv[optind - 1]);
			jail_die("unknown option '%s' (see procjail --help)", argv[optind - 1]);
		}
		parse_one(o, c, optarg, &user_forced);
	}
	/* A user namespace is what lets an unprivileged caller make the others. */
	if (o->ns[NS_USER])
		o->ns[NS_USER] = user_forced || geteuid() != 0;
	if (o->hostname && !o->ns[NS_UTS])
		jail_die("--hostname needs a new uts namespace (drop --share uts)");
	if ((o->rootfs || o->nmounts) && !o->ns[NS_MOUNT])
		jail_die("--rootfs, --bind and --tmpfs need a new mount namespace (drop --share mount)");
	if (o->rootfs && access(o->rootfs, X_OK) != 0)
		jail_die("--rootfs: %s: %s", o->rootfs, strerror(errno));
	if (optind >= argc)
		jail_die("no command given (procjail [OPTIONS] -- COMMAND [ARGS...])");
	o->argv = argv + optind;
}
