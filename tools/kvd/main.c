// SPDX-License-Identifier: MIT
/* kvd: a Redis-protocol key-value server on one epoll thread; options as redis-server takes them. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <unistd.h>

#include "core.h"

#define MIN_RESERVED_FDS 32  /* listeners, the AOF, logs: Redis's CONFIG_MIN_RESERVED_FDS */
#define FDSET_INCR       128 /* the loop's room above maxclients (Redis's CONFIG_FDSET_INCR) */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kvd [--port N] [--bind ADDR] [--unixsocket PATH] [--maxclients N] [--timeout SECS]\n"
		"           [--requirepass PASS] [--appendonly yes|no] [--appendfsync always|everysec|no]\n"
		"           [--dir DIR] [--appendfilename NAME] [--hz N] [--proto-max-bulk-len SIZE]\n"
		"           [--client-query-buffer-limit SIZE] [--busy-poll USECS]\n"
		"           [--client-output-buffer-limit \"normal HARD SOFT SECS\"]\n"
		"           [--client-output-buffer-limit-normal \"HARD SOFT SECS\"]\n"
		"       kvd --help | --version\n"
		"SIZE takes Redis's units: 1k = 1000, 1kb = 1024, m, mb, g, gb.\n"
		"--port 0 opens no TCP listener; the default is 127.0.0.1:6379.\n");
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("kvd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

bool kvd_parse_size(const char *s, size_t n, long long *out)
{
	static const struct {
		const char *unit;
		long long mul;
	} units[] = {{"", 1},
		     {"b", 1},
		     {"k", 1000},
		     {"kb", 1024},
		     {"m", 1000 * 1000},
		     {"mb", 1024 * 1024},
		     {"g", 1000LL * 1000 * 1000},
		     {"gb", 1024LL * 1024 * 1024}};
	size_t digits = 0;
	long long v;

	while (digits < n && (s[digits] == '-' || (s[digits] >= '0' && s[digits] <= '9')))
		digits++;
	if (!str_to_ll(s, digits, &v))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t ul = strlen(units[i].unit);
		if (ul == n - digits && strncasecmp(s + digits, units[i].unit, ul) == 0) {
			if (v > 0 && v > __LONG_LONG_MAX__ / units[i].mul)
				return false;
			*out = v * units[i].mul;
			return true;
		}
	}
	return false;
}

const char *const kvd_fsync_names[3] = {"no", "everysec", "always"};

int kvd_parse_fsync(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!strcasecmp(s, kvd_fsync_names[i]))
			return i;
	return -1;
}

bool kvd_parse_obuf(const char *s, long long *hard, long long *soft, int *secs)
{
	char h[64], sf[64], extra;
	long long n;

	if (sscanf(s, "%63s %63s %lld %c", h, sf, &n, &extra) != 3 || n < 0 || n > 1000000000 ||
	    !kvd_parse_size(h, strlen(h), hard) || !kvd_parse_size(sf, strlen(sf), soft) || *hard < 0 ||
	    *soft < 0)
		return false;
	*secs = (int)n;
	return true;
}

static long long parse_int(const char *opt, const char *v, long long min, long long max)
{
	long long n;

	if (!str_to_ll(v, strlen(v), &n) || n < min || n > max)
		die("invalid value for --%s: '%s' (an integer from %lld to %lld)", opt, v, min, max);
	return n;
}

static long long parse_size(const char *opt, const char *v, long long min)
{
	long long n;

	if (!kvd_parse_size(v, strlen(v), &n) || n < min)
		die("invalid value for --%s: '%s' (a size of at least %lld bytes, units k kb m mb g gb)", opt,
		    v, min);
	return n;
}

static bool parse_yesno(const char *opt, const char *v)
{
	if (!strcasecmp(v, "yes"))
		return true;
	if (!strcasecmp(v, "no"))
		return false;
	die("invalid value for --%s: '%s' (yes or no)", opt, v);
}

static void copy_str(const char *opt, char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		die("invalid value for --%s: longer than %zu bytes", opt, cap - 1);
	strcpy(dst, v);
}

/* "HARD SOFT SECS" of the normal class. */
static void parse_obuf(const char *opt, const char *v)
{
	if (!kvd_parse_obuf(v, &kvd_cfg.obuf_hard, &kvd_cfg.obuf_soft, &kvd_cfg.obuf_soft_s))
		die("invalid value for --%s: '%s' (HARD SOFT SECS: sizes with units, seconds)", opt, v);
}

static void set_defaults(void)
{
	kvd_cfg.port = 6379;
	strcpy(kvd_cfg.bind, "127.0.0.1");
	kvd_cfg.maxclients = 10000;
	kvd_cfg.proto_max_bulk_len = 512LL * 1024 * 1024;
	kvd_cfg.client_query_buffer_limit = 1024LL * 1024 * 1024;
	kvd_cfg.appendfsync = 1;
	strcpy(kvd_cfg.dir, ".");
	strcpy(kvd_cfg.appendfilename, "appendonly.aof");
	kvd_cfg.hz = 10;
	kvd_cfg.daemonize_never = true;
}

/* Every option apply_option takes, each with a value. */
static const char *const option_names[] = {"port",
					   "bind",
					   "maxclients",
					   "timeout",
					   "requirepass",
					   "unixsocket",
					   "appendonly",
					   "appendfsync",
					   "dir",
					   "appendfilename",
					   "hz",
					   "busy-poll",
					   "proto-max-bulk-len",
					   "client-query-buffer-limit",
					   "client-output-buffer-limit-normal",
					   "client-output-buffer-limit",
					   "save",
					   "loglevel",
					   "daemonize",
					   NULL};

static bool option_known(const char *opt)
{
	for (int i = 0; option_names[i]; i++)
		if (!strcmp(opt, option_names[i]))
			return true;
	return false;
}

static void apply_option(const char *opt, const char *v)
{
	if (!strcmp(opt, "port"))
		kvd_cfg.port = (int)parse_int(opt, v, 0, 65535);
	else if (!strcmp(opt, "bind"))
		copy_str(opt, kvd_cfg.bind, sizeof(kvd_cfg.bind), v);
	else if (!strcmp(opt, "maxclients"))
		kvd_cfg.maxclients = (int)parse_int(opt, v, 1, 1000000);
	else if (!strcmp(opt, "timeout"))
		kvd_cfg.timeout_s = (int)parse_int(opt, v, 0, 2147483647);
	else if (!strcmp(opt, "requirepass"))
		kvd_cfg.requirepass = *v ? strdup(v) : NULL;
	else if (!strcmp(opt, "unixsocket"))
		copy_str(opt, kvd_cfg.unixsocket, sizeof(kvd_cfg.unixsocket), v);
	else if (!strcmp(opt, "appendonly"))
		kvd_cfg.appendonly = parse_yesno(opt, v);
	else if (!strcmp(opt, "appendfsync")) {
		if ((kvd_cfg.appendfsync = kvd_parse_fsync(v)) < 0)
			die("invalid value for --appendfsync: '%s' (always, everysec or no)", v);
	} else if (!strcmp(opt, "dir"))
		copy_str(opt, kvd_cfg.dir, sizeof(kvd_cfg.dir), v);
	else if (!strcmp(opt, "appendfilename"))
		copy_str(opt, kvd_cfg.appendfilename, sizeof(kvd_cfg.appendfilename), v);
	else if (!strcmp(opt, "hz"))
		kvd_cfg.hz = (int)parse_int(opt, v, 1, 500);
	else if (!strcmp(opt, "busy-poll"))
		kvd_cfg.busy_poll_us = (int)parse_int(opt, v, 0, KVD_BUSY_POLL_MAX);
	else if (!strcmp(opt, "proto-max-bulk-len"))
		kvd_cfg.proto_max_bulk_len = parse_size(opt, v, 1024 * 1024);
	else if (!strcmp(opt, "client-query-buffer-limit"))
		kvd_cfg.client_query_buffer_limit = parse_size(opt, v, 1024 * 1024);
	else if (!strcmp(opt, "client-output-buffer-limit-normal"))
		parse_obuf(opt, v);
	else if (!strcmp(opt, "client-output-buffer-limit")) {
		if (strncasecmp(v, "normal ", 7))
			die("invalid value for --%s: '%s' (normal HARD SOFT SECS)", opt, v);
		parse_obuf(opt, v + 7);
	} else if (!strcmp(opt, "save") || !strcmp(opt, "loglevel"))
		; /* accepted for redis-server's command lines: kvd has no RDB and one log level */
	else if (!strcmp(opt, "daemonize")) {
		if (parse_yesno(opt, v))
			die("--daemonize yes is not supported: kvd runs in the foreground");
	} else
		die("unknown option --%s (see --help)", opt);
}

static void parse_options(int argc, char **argv)
{
	set_defaults();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--version") || !strcmp(a, "-v")) {
			printf("kvd v=%s (Redis protocol %s)\n", SYSLAB_VERSION, KVD_VERSION_COMPAT);
			exit(0);
		}
		if (strncmp(a, "--", 2) || !a[2])
			die("unexpected argument '%s' (see --help)", a);
		if (!option_known(a + 2))
			die("unknown option %s (see --help)", a);
		if (i + 1 >= argc)
			die("option %s needs a value", a);
		apply_option(a + 2, argv[++i]);
	}
}

/* Redis's adjustOpenFilesLimit: room for maxclients, else fewer clients (logged). */
static void raise_fd_limit(void)
{
	rlim_t want = (rlim_t)kvd_cfg.maxclients + MIN_RESERVED_FDS;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	for (rlim_t best = want; best > rl.rlim_cur; best -= best > 16 ? 16 : best) {
		struct rlimit nl = {best, rl.rlim_max > best ? rl.rlim_max : best};
		if (setrlimit(RLIMIT_NOFILE, &nl) == 0) {
			if (best < want)
				goto reduced;
			kvd_log('*',
				"Increased maximum number of open files to %llu (it was originally set to "
				"%llu).",
				(unsigned long long)best, (unsigned long long)rl.rlim_cur);
			return;
		}
		if (errno != EPERM && errno != EINVAL)
			break;
	}
reduced:
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur <= MIN_RESERVED_FDS)
		die("the open files limit (%llu) is too low for any client", (unsigned long long)rl.rlim_cur);
	kvd_log('#', "You requested maxclients of %d requiring at least %llu max file descriptors.",
		kvd_cfg.maxclients, (unsigned long long)want);
	kvd_cfg.maxclients = (int)(rl.rlim_cur - MIN_RESERVED_FDS);
	kvd_log('#',
		"Current maximum open files is %llu. maxclients has been reduced to %d to compensate for low "
		"ulimit. If you need higher maxclients increase 'ulimit -n'.",
		(unsigned long long)rl.rlim_cur, kvd_cfg.maxclients);
}

static void on_signal(int sig)
{
	srv.shutdown = true;
	(void)sig;
	if (srv.loop)
		evloop_stop(srv.loop);
}

static void setup_signals(void)
{
	struct sigaction sa = {0};

	signal(SIGPIPE, SIG_IGN);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void setup_server(void)
{
	uint8_t seed[16] = {0};
	int setsize = kvd_cfg.maxclients + MIN_RESERVED_FDS + FDSET_INCR;
	int r;

	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		die("getrandom: %s", strerror(errno));
	dict_seed(seed);
	r = evloop_new(&srv.loop, setsize);
	if (r)
		die("cannot create the event loop: %s", strerror(-r));
	srv.by_fd = calloc((size_t)setsize, sizeof(*srv.by_fd));
	if (!srv.by_fd)
		die("out of memory");
	srv.by_fd_size = setsize;
	r = cmdtable_init();
	if (r)
		die("cannot build the command table: %s", strerror(-r));
	kvd_stats.start_ms = kvd_unix_ms();
}

static void load_aof(void)
{
	char err[512] = "";

	if (!kvd_cfg.appendonly)
		return;
	if (!aof_load || !aof_open)
		die("--appendonly yes: this kvd was built without the AOF");
	if (aof_load(err, sizeof(err)) < 0)
		die("cannot load the AOF: %s", err);
	if (aof_open(err, sizeof(err)) < 0)
		die("cannot open the AOF: %s", err);
}

static void open_listeners(void)
{
	char err[512];

	if (net_listen(err, sizeof(err)) < 0)
		die("%s", err);
	if (srv.tcp_fd < 0 && srv.unix_fd < 0)
		kvd_log('#', "No TCP port and no unix socket: nobody can connect.");
	if (srv.tcp_fd >= 0)
		kvd_log('*', "Ready to accept connections tcp on %s:%d", kvd_cfg.bind, kvd_cfg.port);
	if (srv.unix_fd >= 0)
		kvd_log('*', "Ready to accept connections unix on %s", kvd_cfg.unixsocket);
}

static int run_loop(void)
{
	int r;

	r = server_start_cron();
	if (r)
		die("cannot start the cron: %s", strerror(-r));
	evloop_set_before_sleep(srv.loop, server_before_sleep, NULL);
	evloop_set_busy_poll(srv.loop, (unsigned)kvd_cfg.busy_poll_us);
	r = evloop_run(srv.loop);
	if (r < 0)
		kvd_log('#', "event loop failed: %s", strerror(-r));
	return r < 0 ? 1 : 0;
}

static void shutdown_server(void)
{
	kvd_log('#', "User requested shutdown...");
	if (kvd_cfg.appendonly && aof_flush_before_sleep) {
		kvd_log('*', "Calling fsync() on the AOF file.");
		aof_flush_before_sleep();
	}
	if (srv.unix_fd >= 0)
		unlink(kvd_cfg.unixsocket);
	kvd_log('#', "kvd is now ready to exit, bye bye...");
}

int main(int argc, char **argv)
{
	int rc;

	parse_options(argc, argv);
	raise_fd_limit();
	setup_signals();
	setup_server();
	load_aof();
	open_listeners();
	rc = run_loop();
	shutdown_server();
	return rc;
}
