// SPDX-License-Identifier: MIT
/* report: procjail's --report FILE, the run as JSON. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

#include "report.h"

static json_t *opt_u64(bool have, uint64_t v)
{
	return have ? json_integer((json_int_t)v) : json_null();
}

static json_t *status_json(int code, const struct jsup_result *sr, const struct jinit_stats *ist)
{
	json_t *s = json_object();
	int ws = ist ? ist->wait_status : 0;
	json_object_set_new(s, "exit_code", json_integer(code));
	if (ist && WIFSIGNALED(ws)) {
		json_object_set_new(s, "signal", json_integer(WTERMSIG(ws)));
		json_object_set_new(
			s, "signal_name",
			json_string(sigabbrev_np(WTERMSIG(ws)) ? sigabbrev_np(WTERMSIG(ws)) : "?"));
	} else if (ist && WIFEXITED(ws)) {
		json_object_set_new(s, "exited", json_integer(WEXITSTATUS(ws)));
	}
	json_object_set_new(s, "timed_out", json_boolean(sr->timed_out));
	return s;
}

static json_t *signals_json(const struct jinit_stats *ist)
{
	json_t *o = json_object();
	char name[24];
	for (int sig = 1; ist && sig < 65; sig++) {
		if (!ist->forwarded[sig])
			continue;
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev)
			snprintf(name, sizeof name, "SIG%s", abbrev);
		else
			snprintf(name, sizeof name, "SIGRT%d", sig - SIGRTMIN);
		json_object_set_new(o, name, json_integer((json_int_t)ist->forwarded[sig]));
	}
	return o;
}

static json_t *limits_json(const struct jail_opts *o)
{
	return json_pack("{s:o, s:o, s:o}", "memory_bytes",
			 o->memory ? json_integer((json_int_t)o->memory) : json_null(), "pids",
			 o->pids ? json_integer((json_int_t)o->pids) : json_null(), "cpu",
			 o->cpu > 0 ? json_real(o->cpu) : json_null());
}

void jail_report_write(const char *path, const struct jail_opts *o, int code, const struct jsup_result *sr,
		       const struct jinit_stats *ist, const struct cgroup_stats *cst, const char *cgroup_mode,
		       double wall_s)
{
	char tmp[4200];
	bool c = cst != NULL;
	json_t *r = json_pack(
		"{s:s, s:i, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:f}", "schema",
		"procjail-report", "version", 1, "status", status_json(code, sr, ist), "signals_forwarded",
		signals_json(ist), "orphans_reaped", opt_u64(ist, ist ? ist->orphans_reaped : 0), "limits",
		limits_json(o), "cgroup", cgroup_mode, "memory_peak_bytes",
		opt_u64(c && cst->have_peak, c ? cst->peak_bytes : 0), "oom_kills",
		opt_u64(c && cst->have_oom, c ? cst->oom_kills : 0), "memory_limit_hit",
		c ? json_boolean(cst->memory_limit_hit) : json_null(), "pids_limit_hit",
		c && cst->have_pids_events ? json_boolean(cst->pids_max_events > 0) : json_null(),
		"pids_max_events", opt_u64(c && cst->have_pids_events, c ? cst->pids_max_events : 0),
		"cpu_time_s", c && cst->have_cpu ? json_real((double)cst->cpu_usec / 1e6) : json_null(),
		"wall_time_s", wall_s);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!r || json_dump_file(r, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "procjail: cannot write the report %s: %s\n", path, strerror(errno));
		remove(tmp);
	}
	json_decref(r);
}
