/* SPDX-License-Identifier: MIT */
/* report: procjail's --report FILE, the run as JSON. */
#ifndef PROCJAIL_REPORT_H
#define PROCJAIL_REPORT_H

#include <syslab/cgroup.h>

#include "init.h"
#include "jail.h"
#include "supervise.h"

/*
 * Writes the report (to FILE.tmp, then renamed, so a reader never sees half of one). ist or cst
 * NULL when unknown; those fields are then null. Prints one line on failure; the exit status
 * stays the command's.
 */
void jail_report_write(const char *path, const struct jail_opts *o, int code, const struct jsup_result *sr,
		       const struct jinit_stats *ist, const struct cgroup_stats *cst, const char *cgroup_mode,
		       double wall_s);

#endif
