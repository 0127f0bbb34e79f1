/* SPDX-License-Identifier: MIT */
/* results: the versioned results.json document of a run (schema in docs/results.md). */
#ifndef SYSLAB_RESULTS_H
#define SYSLAB_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <syslab/bench.h>
#include <syslab/claim.h>
#include <syslab/clock.h>
#include <syslab/cpu.h>
#include <syslab/perf.h>

#define RESULTS_SCHEMA  "syslab-results"
#define RESULTS_VERSION 1

/*
 * A new document with schema, version, tool, start time, mode, seed and command; NULL on
 * ENOMEM. The caller owns it (json_decref). Every results_add_* below returns the new node
 * (borrowed: the document owns it) or NULL on ENOMEM.
 */
json_t *results_new(const char *mode, uint64_t seed, const char *command);

/*
 * The env object of a document from what the lab measured of the machine. ps may be NULL (no
 * counters) or already closed: which counters work is read from its err[].
 */
json_t *results_env(const struct cpu_topology *t, const struct cpu_conditions *c, const struct clock_info *ci,
		    const struct perf_set *ps);

json_t *results_add_experiment(json_t *doc, const char *name, const char *title, const char *question);
/* Appends a string to an experiment's "conditions" or "notes" list. */
int results_add_text(json_t *exp, const char *list, const char *text);
json_t *results_add_case(json_t *exp, const struct bench_case *c, const char *group,
			 const struct bench_result *r, unsigned resamples);
json_t *results_add_claim(json_t *exp, const struct claim *cl);
/* values[r * ncols + c]; NaN becomes null. */
json_t *results_add_matrix(json_t *exp, const char *name, const char *title, const char *unit,
			   const char *row_title, const char *col_title, size_t nrows, size_t ncols,
			   const char *const *rows, const char *const *cols, const double *values);

/* The histogram as results.json stores it ("hist" of a case). */
json_t *results_hist(const struct hist *h);

/* Writes doc to path atomically (a temporary file renamed over it). 0 or -errno with err set. */
int results_write(const json_t *doc, const char *path, char *err, size_t errlen);

/*
 * Reads and checks a results document. 0 and *doc (caller owns), or -errno with a one-line
 * reason in err: missing file, not JSON (with line:column), not a syslab document, a version
 * newer than this reader.
 */
int results_load(const char *path, json_t **doc, char *err, size_t errlen);
int results_check(const json_t *doc, char *err, size_t errlen);

/* The case named exp/name in doc, or NULL. */
json_t *results_find_case(const json_t *doc, const char *exp, const char *name);

/*
 * Copies a case's samples into a new array (*out, caller frees). Returns how many, 0 when the
 * case has none or they are not all numbers (then *out is NULL).
 */
size_t results_case_samples(const json_t *c, double **out);

#endif
