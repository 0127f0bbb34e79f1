/* SPDX-License-Identifier: MIT */
/* Unit tests of perf: opening counters, software counter deltas, unsupported counters and the scaling math.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syslab/clock.h"
#include "syslab/perf.h"
#include "tap.h"

static void test_names(void)
{
	static const char *const want[PERF_NCOUNTERS] = {
		"cycles",           "instructions",   "cache-misses", "branch-misses",
		"context-switches", "cpu-migrations", "page-faults",  "task-clock",
	};

	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		is_str(perf_counter_name((enum perf_counter_id)i), want[i], "counter %d is named %s", i,
		       want[i]);
		is_int(perf_counter_is_hardware((enum perf_counter_id)i), i < PERF_CONTEXT_SWITCHES,
		       "%s is %s", want[i], i < PERF_CONTEXT_SWITCHES ? "hardware" : "software");
	}
	is_str(perf_counter_name(PERF_NCOUNTERS), "unknown", "name of an out-of-range id");
	ok(!perf_counter_is_hardware((enum perf_counter_id) - 1), "out-of-range id is not hardware");
}

static void test_delta_math(void)
{
	struct perf_reading b = {100, 1000, 1000}, a;

	a = (struct perf_reading){300, 2000, 2000};
	is_near(perf_delta(&b, &a), 200, 0, "no multiplexing: plain difference");
	a = (struct perf_reading){300, 2000, 1500};
	is_near(perf_delta(&b, &a), 400, 1e-9, "ran half the time: doubled");
	a = (struct perf_reading){400, 4000, 2000};
	is_near(perf_delta(&b, &a), 900, 1e-9, "ran a third of the time: 300 tripled");
	a = (struct perf_reading){100, 2000, 1000};
	ok(isnan(perf_delta(&b, &a)), "enabled but never running: NaN");
	a = (struct perf_reading){100, 1000, 1000};
	is_near(perf_delta(&b, &a), 0, 0, "no time between readings: 0");
	a = (struct perf_reading){0, 0, 0};
	is_near(perf_delta(&a, &a), 0, 0, "unsupported counter's zeros: 0");
	a = (struct perf_reading){50, 2000, 2000};
	ok(isnan(perf_delta(&b, &a)), "value going backwards: NaN");
	a = (struct perf_reading){300, 2000, 3000};
	is_near(perf_delta(&b, &a), 200, 0, "running beyond enabled is not scaled down");
}

/* Every counter the machine refuses reads as unsupported, with a reason, and reads as zeros. */
static void test_unsupported(const struct perf_set *ps)
{
	struct perf_set fake;
	struct perf_reading r[PERF_NCOUNTERS];
	int refused = 0;

	for (int i = 0; i < PERF_NCOUNTERS; i++)
		if (!perf_supported(ps, (enum perf_counter_id)i)) {
			refused++;
			ok(ps->fd[i] == -1 && ps->err[i] != 0, "%s unsupported: fd -1, err %d (%s)",
			   perf_counter_name((enum perf_counter_id)i), ps->err[i], perf_reason(ps->err[i]));
		}
	if (refused == 0)
		diag("every counter is supported here; the refused path is tested with a fake set only");
	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		fake.fd[i] = -1;
		fake.err[i] = ENOENT;
	}
	memset(r, 0xff, sizeof(r));
	perf_set_read(&fake, r);
	ok(r[PERF_CYCLES].value == 0 && r[PERF_CYCLES].enabled == 0 && r[PERF_TASK_CLOCK].running == 0,
	   "an unsupported counter reads as zeros");
	ok(!perf_supported(&fake, PERF_CYCLES), "fake set: cycles unsupported");
	perf_set_close(&fake);
	perf_set_close(NULL);
	ok(!perf_supported(NULL, PERF_CYCLES), "perf_supported(NULL) is false");
	is_str(perf_reason(ENOENT), "not supported by this CPU or kernel", "reason for ENOENT");
	is_str(perf_reason(EOPNOTSUPP), "not supported by this CPU or kernel", "reason for EOPNOTSUPP");
	is_str(perf_reason(EINVAL), "not supported by this CPU or kernel", "reason for EINVAL");
	is_str(perf_reason(EACCES), "denied by perf_event_paranoid", "reason for EACCES");
	is_str(perf_reason(EPERM), "denied by perf_event_paranoid", "reason for EPERM");
	is_str(perf_reason(ENOSYS), "no perf_event_open", "reason for ENOSYS");
	is_str(perf_reason(EMFILE), strerror(EMFILE), "reason for EMFILE is strerror");
}

/*
 * Spins until this thread has run for 20 ms of CPU time (CLOCK_THREAD_CPUTIME_ID), which is what
 * task-clock counts; a wall-clock spin gets less CPU on a loaded machine. Gives up after 10 s.
 */
static void spin_cpu_20ms(void)
{
	struct timespec ts;
	uint64_t wall = clock_now_ns(), start, now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	start = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	do {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	} while (now - start < 20 * 1000 * 1000 && clock_now_ns() - wall < 10000000000u);
}

static void test_busy(const struct perf_set *ps)
{
	struct perf_reading r0[PERF_NCOUNTERS], r1[PERF_NCOUNTERS];
	double task, cs;

	perf_set_read(ps, r0);
	spin_cpu_20ms();
	perf_set_read(ps, r1);
	task = perf_delta(&r0[PERF_TASK_CLOCK], &r1[PERF_TASK_CLOCK]);
	cs = perf_delta(&r0[PERF_CONTEXT_SWITCHES], &r1[PERF_CONTEXT_SWITCHES]);
	diag("20 ms CPU busy loop: task-clock %.0f ns, context-switches %.0f", task, cs);
	ok(task >= 10e6 && task <= 1e9, "task-clock delta of a 20 ms CPU busy loop is between 10 ms and 1 s");
	if (perf_supported(ps, PERF_CONTEXT_SWITCHES))
		ok(cs >= 0, "context-switch delta is >= 0");
}

static void test_page_faults(const struct perf_set *ps)
{
	struct perf_reading r0[PERF_NCOUNTERS], r1[PERF_NCOUNTERS];
	long page = sysconf(_SC_PAGESIZE);
	size_t len = 256 * (size_t)page;
	volatile char *mem;
	double faults;

	if (!perf_supported(ps, PERF_PAGE_FAULTS)) {
		diag("page-faults unsupported (%s); skipped", perf_reason(ps->err[PERF_PAGE_FAULTS]));
		return;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		diag("mmap: %s; page-fault test skipped", strerror(errno));
		return;
	}
	/* One fault per page only with small pages: keep (m)THP from backing several at once. */
	madvise((void *)mem, len, MADV_NOHUGEPAGE);
	perf_set_read(ps, r0);
	for (size_t off = 0; off < len; off += (size_t)page)
		mem[off] = 1;
	perf_set_read(ps, r1);
	faults = perf_delta(&r0[PERF_PAGE_FAULTS], &r1[PERF_PAGE_FAULTS]);
	diag("256 fresh pages touched: %.0f page faults", faults);
	ok(faults >= 256, "page-faults delta >= 256 after touching 256 fresh pages");
	munmap((void *)mem, len);
}

static void *spin_20ms(void *arg)
{
	(void)arg;
	spin_cpu_20ms();
	return NULL;
}

/* With inherit, a thread created after the open is counted too (its counts join at its exit). */
static void test_inherit(void)
{
	struct perf_reading r0[PERF_NCOUNTERS], r1[PERF_NCOUNTERS];
	struct perf_set ps;
	pthread_t th;
	double task;
	int n = perf_set_open(&ps, true);

	ok(n >= 1 && perf_supported(&ps, PERF_TASK_CLOCK), "inherit: %d counters, task-clock among them", n);
	perf_set_read(&ps, r0);
	if (pthread_create(&th, NULL, spin_20ms, NULL) != 0) {
		diag("pthread_create failed; inherit not tested");
		perf_set_close(&ps);
		return;
	}
	pthread_join(th, NULL);
	perf_set_read(&ps, r1);
	task = perf_delta(&r0[PERF_TASK_CLOCK], &r1[PERF_TASK_CLOCK]);
	diag("inherit: task-clock %.0f ns while a thread spun 20 ms and this one waited", task);
	ok(task >= 10e6, "inherit: the worker thread's 20 ms busy loop is counted");
	perf_set_close(&ps);
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int level = -99;

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = -99;
		fclose(f);
	}
	return level;
}

/*
 * As root, checks the perf_event_paranoid = 2 path: a child dropped to nobody is refused kernel
 * counting (EACCES) and must get task-clock through the user-only retry.
 */
static void test_unprivileged(void)
{
	int level = paranoid_level(), status;
	pid_t pid;

	if (geteuid() != 0 || level != 2) {
		diag("not root or perf_event_paranoid is %d, not 2; user-only retry not tested", level);
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct perf_set ps;
		if (setgid(65534) || setuid(65534))
			_exit(3);
		perf_set_open(&ps, false);
		/* 0: retried to user-only; 1: task-clock refused; 2: context switches not refused. */
		_exit(!perf_supported(&ps, PERF_TASK_CLOCK)        ? 1
		      : perf_supported(&ps, PERF_CONTEXT_SWITCHES) ? 2
								   : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		diag("fork/wait failed; user-only retry not tested");
		return;
	}
	if (WEXITSTATUS(status) == 3) {
		diag("could not drop to uid 65534; user-only retry not tested");
		return;
	}
	is_int(WEXITSTATUS(status), 0,
	       "uid 65534 under paranoid 2: task-clock opened user-only, context-switches refused");
}

int main(void)
{
	struct perf_set ps;
	int n, fds = 0, denied = 0;
	bool closed = true;

	test_names();
	test_delta_math();

	n = perf_set_open(&ps, false);
	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		fds += ps.fd[i] >= 0;
		denied += ps.err[i] == ENOSYS || ps.err[i] == EACCES || ps.err[i] == EPERM;
		diag("%-16s %s", perf_counter_name((enum perf_counter_id)i), perf_reason(ps.err[i]));
	}
	if (denied == PERF_NCOUNTERS)
		skip_all("perf_event_open refused every counter: %s", perf_reason(ps.err[0]));
	is_int(n, fds, "perf_set_open returns the number of open fds (%d)", n);
	ok(perf_supported(&ps, PERF_TASK_CLOCK), "software task-clock is supported");
	test_busy(&ps);
	test_page_faults(&ps);
	test_unsupported(&ps);
	perf_set_close(&ps);
	for (int i = 0; i < PERF_NCOUNTERS; i++)
		closed &= ps.fd[i] == -1;
	ok(closed, "a closed set has every fd -1");

	test_inherit();
	test_unprivileged();
	return done_testing();
}
