// SPDX-License-Identifier: MIT
/* Unit tests of procjail's init in subreaper mode (not PID 1, no namespace): exit codes, signals, orphans,
 * grace. */
/*
 * The Makefile builds tests/unit/X.c against lib/ only, so init.c is included here whole; its
 * static functions (the /proc scan) are then testable too. jinit_run never uses kill(-1) when
 * it is not PID 1, which the bystander test checks: it is safe to run as a normal process.
 */
#include "../../tools/procjail/init.c"

#include <pthread.h>
#include <sys/stat.h>

#include "tap.h"

static char *const sh_env[] = {"PATH=/usr/bin:/bin", NULL};

static uint64_t ms_since(uint64_t t0)
{
	return (jinit_now_ns() - t0) / 1000000u;
}

/* Runs /bin/sh -c script under jinit_run; the elapsed milliseconds in *ms if not NULL. */
static int run_sh(const char *script, bool group, unsigned grace_ms, int ctl_fd, struct jinit_stats *st,
		  uint64_t *ms)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct jinit_opts o = {.argv = argv,
			       .envp = sh_env,
			       .signal_group = group,
			       .grace_ms = grace_ms,
			       .tty_fd = -1,
			       .ctl_fd = ctl_fd};
	uint64_t t0 = jinit_now_ns();
	int code = jinit_run(&o, st);
	if (ms)
		*ms = ms_since(t0);
	return code;
}

static bool no_child_left(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* Runs argv with stderr sent to a file, and returns what it printed there in out. */
static int run_capture(char *const *argv, char *const *envp, struct jinit_stats *st, char *out, size_t len)
{
	char path[] = "/tmp/jinit-ut-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO), code;
	struct jinit_opts o = {.argv = argv, .envp = envp, .grace_ms = 100, .tty_fd = -1, .ctl_fd = -1};
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	code = jinit_run(&o, st);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ssize_t n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(fd);
	unlink(path);
	return code;
}

static void test_exit_codes(void)
{
	static const int codes[] = {0, 1, 2, 42, 125, 126, 127, 128, 255};
	struct jinit_stats st;
	char script[32];
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		snprintf(script, sizeof script, "exit %d", codes[i]);
		is_int(run_sh(script, false, 100, -1, &st, NULL), codes[i], "exit %d comes back", codes[i]);
	}
	ok(WIFEXITED(st.wait_status) && WEXITSTATUS(st.wait_status) == 255, "the raw status is kept");
	is_int(run_sh("kill -TERM $$", false, 100, -1, &st, NULL), 128 + SIGTERM, "killed by SIGTERM: 143");
	ok(WIFSIGNALED(st.wait_status) && WTERMSIG(st.wait_status) == SIGTERM, "and the status says so");
	is_int(run_sh("kill -KILL $$", false, 100, -1, &st, NULL), 128 + SIGKILL, "killed by SIGKILL: 137");
	is_int(jinit_exit_code(0x0300), 3, "jinit_exit_code: exited 3");
	is_int(jinit_exit_code(SIGSEGV | 0x80), 128 + SIGSEGV,
	       "jinit_exit_code: a core dump of SIGSEGV is 139");
	ok(no_child_left(), "no child left");
}

static void test_cannot_run(void)
{
	struct jinit_stats st;
	char out[256], dir[] = "/tmp/jinit-ut-XXXXXX", path[300], env_path[320];
	char *missing[] = {"/nonexistent/cmd", NULL}, *unknown[] = {"no-such-command-jinit", NULL};
	is_int(run_capture(missing, sh_env, &st, out, sizeof out), JINIT_EXIT_NOT_FOUND,
	       "a missing file: 127");
	is_str(out, "procjail: cannot run /nonexistent/cmd: No such file or directory", "with one line");
	is_int(st.exec_errno, ENOENT, "exec_errno ENOENT");
	is_int(run_capture(unknown, sh_env, &st, out, sizeof out), JINIT_EXIT_NOT_FOUND, "not in PATH: 127");
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/noexec", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && write(fd, "#!/bin/sh\nexit 9\n", 17) == 17, "a script without x");
	close(fd);
	char *noexec[] = {path, NULL};
	is_int(run_capture(noexec, sh_env, &st, out, sizeof out), JINIT_EXIT_CANNOT_RUN,
	       "not executable: 126");
	ok(strstr(out, "Permission denied") != NULL, "EACCES said (%s)", out);
	char *isdir[] = {dir, NULL};
	is_int(run_capture(isdir, sh_env, &st, out, sizeof out), JINIT_EXIT_CANNOT_RUN, "a directory: 126");
	snprintf(path, sizeof path, "%s/badfmt", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ok(fd >= 0 && write(fd, "\177ELF\1\1junk", 10) == 10, "an executable in no known format");
	close(fd);
	char *badfmt[] = {path, NULL};
	is_int(run_capture(badfmt, sh_env, &st, out, sizeof out), JINIT_EXIT_CANNOT_RUN,
	       "ENOEXEC: 126, no /bin/sh retry");
	is_int(st.exec_errno, ENOEXEC, "exec_errno ENOEXEC");
	chmod(path, 0644);
	snprintf(path, sizeof path, "%s/only-here", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ok(fd >= 0 && write(fd, "#!/bin/sh\nexit 9\n", 17) == 17, "a script found by PATH alone");
	close(fd);
	snprintf(env_path, sizeof env_path, "PATH=/nonexistent:%s", dir);
	char *env[] = {env_path, NULL}, *only[] = {"only-here", NULL};
	is_int(run_capture(only, env, &st, out, sizeof out), 9, "looked up in envp's PATH, not init's");
	unlink(path);
	snprintf(path, sizeof path, "%s/badfmt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/noexec", dir);
	unlink(path);
	rmdir(dir);
	char *none[] = {NULL};
	struct jinit_opts o = {.argv = none, .tty_fd = -1, .ctl_fd = -1};
	fflush(stderr);
	int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, STDERR_FILENO);
	is_int(jinit_run(&o, &st), JINIT_EXIT_SETUP, "no command: 125");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(devnull);
}

static void fail_setup(void *arg)
{
	(void)arg;
	_exit(JINIT_EXIT_SETUP);
}

/* In the child: every signal blocked, every disposition default; 99 tells the test otherwise. */
static void check_setup(void *arg)
{
	sigset_t cur;
	struct sigaction sa;
	(void)arg;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	sigaction(SIGPIPE, NULL, &sa);
	if (!sigismember(&cur, SIGTERM) || !sigismember(&cur, SIGCHLD) || sa.sa_handler != SIG_DFL)
		_exit(99);
	if (getpgrp() != getpid())
		_exit(98);
}

static void test_child_setup(void)
{
	struct jinit_stats st;
	sigset_t before, after;
	/*
	 * awk, exec'd straight from init's child, reads its own status. Not a shell: dash blocks
	 * every signal for a moment around its waits, and a grep of the shell's status caught that
	 * one run in ten.
	 */
	char *argv[] = {"awk", "/^Sig(Ign|Blk):/ { if ($2 !~ /^0+$/) bad = 1 } END { exit bad }",
			"/proc/self/status", NULL};
	struct jinit_opts o = {
		.argv = argv, .envp = sh_env, .tty_fd = -1, .ctl_fd = -1, .child_setup = fail_setup};
	is_int(jinit_run(&o, &st), JINIT_EXIT_SETUP, "child_setup's _exit(125) is the exit code");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&before);
	sigprocmask(SIG_SETMASK, &before, NULL);
	o.child_setup = check_setup;
	is_int(jinit_run(&o, &st), 0,
	       "child_setup runs blocked, SIG_DFL, in its own group; the command gets no ignored signal "
	       "(SIGPIPE was) and the caller's empty mask");
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, NULL, &after);
	ok(sigisemptyset(&after), "the caller's mask is restored");
	int sub = -1;
	prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0);
	is_int(sub, 0, "and the subreaper flag cleared again");
}

static void test_forward(void)
{
	struct jinit_stats st;
	uint64_t ms;
	is_int(run_sh("trap 'exit 7' USR1; kill -USR1 $PPID; while :; do sleep 0.01; done", false, 100, -1,
		      &st, NULL),
	       7, "a USR1 sent to init reaches the child's trap");
	is_int(st.forwarded[SIGUSR1], 1, "forwarded[SIGUSR1] 1");
	/* One at a time: blocked standard signals pending at init would merge. */
	is_int(run_sh("n=0; trap 'n=$((n+1))' USR2; for i in 1 2 3; do kill -USR2 $PPID; "
		      "while [ $n -lt $i ]; do sleep 0.01; done; done; exit $n",
		      false, 100, -1, &st, NULL),
	       3, "three USR2, three traps");
	is_int(st.forwarded[SIGUSR2], 3, "forwarded[SIGUSR2] 3");
	is_int(run_sh("trap 'exit 11' HUP; trap 'exit 12' INT; kill -HUP $PPID; while :; do sleep 0.01; done",
		      false, 100, -1, &st, NULL),
	       11, "HUP");
	is_int(run_sh("sleep 5 & kill -TERM $PPID; wait", false, 1000, -1, &st, &ms), 128 + SIGTERM,
	       "TERM kills the shell: 143");
	ok(st.orphans_reaped == 1 && st.term_sent >= 1 && !st.grace_expired && ms < 900,
	   "its orphaned sleep got SIGTERM after it (%llu orphans, %llu TERM, %llu ms)",
	   (unsigned long long)st.orphans_reaped, (unsigned long long)st.term_sent, (unsigned long long)ms);
	/* The sleep ignores SIGTERM: only the USR1 sent to the group can end it before the grace does. */
	is_int(run_sh("(trap '' TERM; exec sleep 5) & sleep 0.05; kill -USR1 $PPID; wait", true, 1000, -1,
		      &st, &ms),
	       128 + SIGUSR1, "signal_group: USR1 to the group");
	ok(!st.grace_expired && ms < 900, "the background sleep died of it too (%llu ms)",
	   (unsigned long long)ms);
	ok(no_child_left(), "no child left");
}

static void test_orphans(void)
{
	struct jinit_stats st;
	uint64_t ms;
	is_int(run_sh("for i in $(seq 100); do (sleep 0.1 &); done; sleep 0.3", false, 1000, -1, &st, &ms), 0,
	       "an orphan storm");
	ok(st.orphans_reaped >= 100, "%llu orphans reaped", (unsigned long long)st.orphans_reaped);
	ok(no_child_left(), "no zombie, no child left");
	is_int(run_sh("sleep 100 & sleep 100 & exit 3", false, 3000, -1, &st, &ms), 3,
	       "background children outlive the main child: its exit code");
	ok(st.term_sent == 2 && st.orphans_reaped == 2 && !st.grace_expired && ms < 1000,
	   "they got SIGTERM and died at once (%llu TERM, %llu orphans, %llu ms)",
	   (unsigned long long)st.term_sent, (unsigned long long)st.orphans_reaped, (unsigned long long)ms);
	is_int(run_sh("(trap '' TERM; exec sleep 100) & sleep 0.1; exit 4", false, 300, -1, &st, &ms), 4,
	       "a child ignoring SIGTERM");
	ok(st.grace_expired && st.kill_sent >= 1 && ms >= 380 && ms < 2000,
	   "is SIGKILLed when the 300 ms grace ends (%llu ms, %llu KILL)", (unsigned long long)ms,
	   (unsigned long long)st.kill_sent);
	is_int(run_sh("(trap '' TERM; exec sleep 100) & sleep 0.1; exit 4", false, 0, -1, &st, &ms), 4,
	       "grace 0");
	ok(st.term_sent == 0 && st.kill_sent >= 1 && ms < 300, "SIGKILL at once (%llu ms)",
	   (unsigned long long)ms);
	is_int(run_sh("sh -c 'sleep 100 & sleep 100' & sleep 0.05; exit 0", false, 2000, -1, &st, &ms), 0,
	       "a grandchild");
	ok(st.orphans_reaped == 3 && !st.grace_expired && ms < 1000,
	   "reparented once its parent got SIGTERM, then SIGTERMed (%llu orphans, %llu ms)",
	   (unsigned long long)st.orphans_reaped, (unsigned long long)ms);
	ok(no_child_left(), "no child left");
}

/* A process that is not ours (reparented away at once): kill(-1) would reach it. */
static pid_t bystander(void)
{
	int p[2];
	pid_t pid = -1;
	if (pipe(p) != 0)
		return -1;
	pid_t mid = fork();
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			close(p[0]);
			close(p[1]);
			for (;;)
				pause();
		}
		if (write(p[1], &gc, sizeof gc) != sizeof gc)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &pid, sizeof pid) != sizeof pid)
		pid = -1;
	close(p[0]);
	waitpid(mid, NULL, 0);
	return pid;
}

static void test_bystander(void)
{
	struct jinit_stats st;
	pid_t by = bystander();
	ok(by > 0 && kill(by, 0) == 0, "a bystander runs (pid %d, not our child)", (int)by);
	is_int(run_sh("(trap '' TERM; exec sleep 100) & sleep 0.1; exit 0", false, 200, -1, &st, NULL), 0,
	       "a shutdown with SIGTERM and SIGKILL");
	ok(st.term_sent >= 1 && st.kill_sent >= 1, "both sent");
	ok(by > 0 && kill(by, 0) == 0, "the bystander was not touched: no kill(-1) in subreaper mode");
	if (by > 0)
		kill(by, SIGKILL);
}

/* The /proc/PID/stat scan, used when /proc/self/task/TID/children is missing (no CONFIG_PROC_CHILDREN). */
static void test_scan(void)
{
	struct jinit_stats st;
	struct jinit j = {.st = &st, .self = getpid()};
	pid_t kids[3];
	int killed = 0;
	memset(&st, 0, sizeof st);
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			for (;;)
				pause();
		}
	}
	is_int(jinit_children_scan(&j, SIGKILL), 0, "scan /proc for our children");
	for (int i = 0; i < 3; i++) {
		int status = 0;
		if (kids[i] > 0 && waitpid(kids[i], &status, 0) == kids[i] && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL)
			killed++;
	}
	is_int(killed, 3, "all three got SIGKILL");
	is_int(st.kill_sent, 3, "counted");
	int rc = jinit_children_proc(&j, SIGKILL);
	ok(rc == 0 || rc == -ENOENT, "the children files are read or missing (%d)", rc);
	is_int(jinit_ppid(getpid()), getppid(), "jinit_ppid");
	free(j.termed.v);
}

struct ctl_peer {
	int fd;
	char got[32];
};

/* The supervisor's part: read "S<n>", answer "C". */
static void *ctl_peer_main(void *arg)
{
	struct ctl_peer *p = arg;
	size_t len = 0;
	while (len < sizeof p->got - 1) {
		ssize_t n = read(p->fd, p->got + len, sizeof p->got - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(p->got, '\n', len))
			break;
	}
	p->got[len] = '\0';
	if (write(p->fd, "C\n", 2) != 2)
		return NULL;
	return NULL;
}

static void test_job_control(void)
{
	struct jinit_stats st;
	struct ctl_peer peer = {.fd = -1};
	sigset_t all, old;
	pthread_t th;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		ok(0, "socketpair: %s", strerror(errno));
		return;
	}
	peer.fd = sv[0];
	/* The thread blocks every signal (init.h): else it could take a SIGCHLD meant for the signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ok(pthread_create(&th, NULL, ctl_peer_main, &peer) == 0, "a supervisor thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	is_int(run_sh("kill -TSTP $$; exit 5", false, 100, sv[1], &st, NULL), 5,
	       "a child that stops itself with SIGTSTP is continued on \"C\"");
	pthread_join(th, NULL);
	is_str(peer.got, "S20\n", "init said S20");
	ok(st.stops == 1 && st.resumes == 1, "one stop, one resume");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	if (getpid() == 1)
		skip_all("running as PID 1: jinit_run would use kill(-1)");
	test_exit_codes();
	test_cannot_run();
	test_child_setup();
	test_forward();
	test_orphans();
	test_bystander();
	test_scan();
	test_job_control();
	return done_testing();
}
