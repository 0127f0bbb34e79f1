/* SPDX-License-Identifier: MIT */
/* experiment: what every experiment gets from the driver, and the table of experiments. */
#ifndef SYSLAB_EXPERIMENT_H
#define SYSLAB_EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <syslab/bench.h>
#include <syslab/claim.h>
#include <syslab/clock.h>
#include <syslab/cpu.h>

#define EXP_MAX_CASES 512

struct exp;

struct experiment {
	const char *name;          /* what `syslab run NAME` takes */
	const char *title;         /* one line */
	const char *question;      /* what it asks */
	const char *shows;         /* one line for `syslab list` */
	int (*run)(struct exp *e); /* 0, or -errno when the experiment could not run at all */
};

/* One run of one experiment: the machine, the budget, and what has been measured so far. */
struct exp {
	const struct experiment *def;
	const struct cpu_topology *topo;
	const struct cpu_conditions *cond;
	const struct clock_info *clk;
	enum bench_mode mode;
	struct bench_budget budget; /* the mode's preset; an experiment may scale it */
	uint64_t seed;
	const char *file; /* syslat --file: the user's file or device, or NULL */
	bool progress;    /* show progress on stderr (it is a terminal) */
	json_t *node;     /* this experiment in results.json (owned by the document) */
	int ncases;
	struct exp_case {
		char name[64];
		struct bench_result r;
	} * cases; /* EXP_MAX_CASES, for claims; owned, freed by exp_end() */
};

extern const struct experiment *const exp_table[];
extern const int exp_table_len;
const struct experiment *exp_find(const char *name);

/* Starts/ends an experiment run inside doc. exp_begin returns 0 or -ENOMEM. */
int exp_begin(struct exp *e, const struct experiment *def, json_t *doc);
void exp_end(struct exp *e, double duration_s);

/*
 * Runs a case under e->budget (or budget when not NULL), records it in results.json under
 * group, and keeps its samples for claims. Returns the result (owned by e), or NULL on ENOMEM.
 */
const struct bench_result *exp_case(struct exp *e, const struct bench_case *c, const char *group,
				    const struct bench_budget *budget);
/*
 * Runs k cases interleaved (bench_run_interleaved: for cases that claims compare) and records
 * each like exp_case. Returns 0, or -ENOMEM.
 */
int exp_cases(struct exp *e, const struct bench_case *const *cases, size_t k, const char *group,
	      const struct bench_budget *budget);
/* Records a case that cannot run here (status unsupported) with the reason. */
void exp_case_skip(struct exp *e, const struct bench_case *c, const char *group, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Evaluates a claim on two recorded cases (not tested when either did not run) and records it. */
void exp_claim(struct exp *e, struct claim *cl);
void exp_claims(struct exp *e, struct claim *claims, size_t n); /* exp_claim of each */
/*
 * For two cases of one interleaved group (one sample of each per round): the paired claim,
 * round by round (claim_eval_paired), on a_values (a's n values, e.g. per-sample medians) or
 * a's samples when NULL. Falls back to exp_claim when either case lacks samples or rounds.
 */
void exp_claim_paired(struct exp *e, struct claim *cl, const double *a_values);
void exp_condition(struct exp *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void exp_note(struct exp *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct bench_result *exp_result(const struct exp *e, const char *case_name);

#endif
