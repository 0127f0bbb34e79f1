/* SPDX-License-Identifier: MIT */
/* perf: opens, reads and differences per-thread hardware and software counters with perf_event_open(2). */
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syslab/perf.h"

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} perf_counters[PERF_NCOUNTERS] = {
	[PERF_CYCLES] = {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
	[PERF_INSTRUCTIONS] = {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
	[PERF_CACHE_MISSES] = {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
	[PERF_BRANCH_MISSES] = {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
	[PERF_CONTEXT_SWITCHES] = {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
	[PERF_CPU_MIGRATIONS] = {"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
	[PERF_PAGE_FAULTS] = {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
	[PERF_TASK_CLOCK] = {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
};

static bool valid(enum perf_counter_id id)
{
	return (unsigned)id < PERF_NCOUNTERS;
}

const char *perf_counter_name(enum perf_counter_id id)
{
	return valid(id) ? perf_counters[id].name : "unknown";
}

bool perf_counter_is_hardware(enum perf_counter_id id)
{
	return valid(id) && perf_counters[id].type == PERF_TYPE_HARDWARE;
}

/* Opens one counter for the calling thread on any CPU; returns the fd or -errno. */
static int counter_open(enum perf_counter_id id, bool inherit, bool user_only)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = perf_counters[id].type;
	attr.config = perf_counters[id].config;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr.disabled = 0;
	attr.inherit = inherit;
	attr.exclude_hv = 1;
	attr.exclude_kernel = user_only;
	fd = syscall(SYS_perf_event_open, &attr, 0 /* this thread */, -1 /* any CPU */, -1 /* no group */,
		     PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

/*
 * perf_event_paranoid 2 (the default since Linux 4.6) refuses unprivileged counting of kernel
 * work with EACCES but allows user-only counting, so a refused counter is retried once with
 * exclude_kernel: its counts then leave out the kernel's share. The retry is only for counters
 * that stay meaningful that way; context switches and migrations are counted in kernel context
 * (perf_sw_event_sched() passes kernel registers), so user-only they would always read 0.
 */
static bool retry_user_only(enum perf_counter_id id)
{
	return perf_counter_is_hardware(id) || id == PERF_PAGE_FAULTS || id == PERF_TASK_CLOCK;
}

int perf_set_open(struct perf_set *ps, bool inherit)
{
	int n = 0;

	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		ps->fd[i] = -1;
		ps->err[i] = 0;
	}
	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		int fd = counter_open((enum perf_counter_id)i, inherit, false);
		if ((fd == -EACCES || fd == -EPERM) && retry_user_only((enum perf_counter_id)i)) {
			int fd2 = counter_open((enum perf_counter_id)i, inherit, true);
			if (fd2 >= 0)
				fd = fd2;
		}
		if (fd >= 0) {
			ps->fd[i] = fd;
			n++;
		} else {
			ps->err[i] = -fd;
		}
	}
	return n;
}

void perf_set_close(struct perf_set *ps)
{
	if (!ps)
		return;
	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		if (ps->fd[i] >= 0)
			close(ps->fd[i]);
		ps->fd[i] = -1;
	}
}

bool perf_supported(const struct perf_set *ps, enum perf_counter_id id)
{
	return ps && valid(id) && ps->fd[id] >= 0;
}

/*
 * Any thread may read; a read is one syscall per counter, so counters are not read at one
 * instant (they are not a group: a group would be scheduled all-or-nothing, and one refused
 * hardware counter would take the software ones with it).
 */
void perf_set_read(const struct perf_set *ps, struct perf_reading r[PERF_NCOUNTERS])
{
	for (int i = 0; i < PERF_NCOUNTERS; i++) {
		uint64_t buf[3]; /* value, time_enabled, time_running: the read_format asked for */
		memset(&r[i], 0, sizeof(r[i]));
		if (ps->fd[i] < 0 || read(ps->fd[i], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			continue;
		r[i].value = buf[0];
		r[i].enabled = buf[1];
		r[i].running = buf[2];
	}
}

/*
 * When more counters are enabled than the PMU has slots, the kernel time-multiplexes them and
 * each counts only while running; perf estimates the full count as value * enabled / running,
 * which assumes events arrive at an even rate over the interval. The cases, in deltas:
 *   running == enabled     no multiplexing: the plain difference (software counters always).
 *   0 < running < enabled  scaled up by enabled / running.
 *   running == 0 < enabled enabled but never scheduled: the count is unknown, not 0, so NaN.
 *   enabled == 0           no time passed between the readings (or both are the zeros of an
 *                          unsupported counter): the plain difference, normally 0.
 *   value or times going backwards: the readings are not of one counter in order, so NaN.
 * running > enabled cannot happen; it is treated as running == enabled.
 */
double perf_delta(const struct perf_reading *before, const struct perf_reading *after)
{
	uint64_t dv, de, dr;

	if (after->value < before->value || after->enabled < before->enabled ||
	    after->running < before->running)
		return NAN;
	dv = after->value - before->value;
	de = after->enabled - before->enabled;
	dr = after->running - before->running;
	if (de == 0 || dr >= de)
		return (double)dv;
	if (dr == 0)
		return NAN;
	return (double)dv * ((double)de / (double)dr);
}

const char *perf_reason(int err)
{
	switch (err) {
	case 0:
		return "supported";
	case ENOENT:
	case EOPNOTSUPP:
	case EINVAL:
	case ENODEV:
		return "not supported by this CPU or kernel";
	case EACCES:
	case EPERM:
		return "denied by perf_event_paranoid";
	case ENOSYS:
		return "no perf_event_open";
	default:
		/* glibc's strerror returns static text for every errno value the kernel gives here. */
		return strerror(err);
	}
}
