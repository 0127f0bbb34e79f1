/* SPDX-License-Identifier: MIT */
/* perf: per-sample hardware and software counters through perf_event_open(2). */
#ifndef SYSLAB_PERF_H
#define SYSLAB_PERF_H

#include <stdbool.h>
#include <stdint.h>

enum perf_counter_id {
	PERF_CYCLES,
	PERF_INSTRUCTIONS,
	PERF_CACHE_MISSES,
	PERF_BRANCH_MISSES,
	PERF_CONTEXT_SWITCHES,
	PERF_CPU_MIGRATIONS,
	PERF_PAGE_FAULTS,
	PERF_TASK_CLOCK,
	PERF_NCOUNTERS
};

/* Stable names used in results.json: "cycles", "instructions", "cache-misses", ... */
const char *perf_counter_name(enum perf_counter_id id);
bool perf_counter_is_hardware(enum perf_counter_id id);

/* A raw reading of one counter: its value and the times it was enabled and running. */
struct perf_reading {
	uint64_t value, enabled, running;
};

struct perf_set {
	int fd[PERF_NCOUNTERS];  /* -1 when unsupported */
	int err[PERF_NCOUNTERS]; /* the errno perf_event_open gave, 0 when supported */
};

/*
 * Opens every counter for the calling thread and, with inherit, for threads it creates
 * afterwards (open before starting a case's workers). A counter the machine or its settings
 * refuse is marked unsupported (fd -1, err set), never an error. Counters start enabled.
 * Returns the number of supported counters (0 is fine). Close with perf_set_close().
 */
int perf_set_open(struct perf_set *ps, bool inherit);
void perf_set_close(struct perf_set *ps);
bool perf_supported(const struct perf_set *ps, enum perf_counter_id id);

/* Reads every supported counter into r[PERF_NCOUNTERS] (unsupported ones read 0). */
void perf_set_read(const struct perf_set *ps, struct perf_reading r[PERF_NCOUNTERS]);

/*
 * The count between two readings, scaled for multiplexing by enabled/running time
 * (perf's own estimate). NaN when the counter never ran in between.
 */
double perf_delta(const struct perf_reading *before, const struct perf_reading *after);

/* Why a counter is unsupported, as text ("not supported by this CPU", "perf_event_paranoid", ...). */
const char *perf_reason(int err);

#endif
