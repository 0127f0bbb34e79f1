// SPDX-License-Identifier: MIT
/* experiment: runs cases through the harness, records them and their claims, shows progress. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/results.h>

#include "experiment.h"

const struct experiment *exp_find(const char *name)
{
	for (int i = 0; i < exp_table_len; i++)
		if (strcmp(exp_table[i]->name, name) == 0)
			return exp_table[i];
	return NULL;
}

int exp_begin(struct exp *e, const struct experiment *def, json_t *doc)
{
	e->def = def;
	e->ncases = 0;
	e->cases = calloc(EXP_MAX_CASES, sizeof *e->cases);
	e->node = results_add_experiment(doc, def->name, def->title, def->question);
	if (!e->cases || !e->node) {
		free(e->cases);
		e->cases = NULL;
		return -ENOMEM;
	}
	return 0;
}

void exp_end(struct exp *e, double duration_s)
{
	json_object_set_new(e->node, "duration_s", json_real(duration_s));
	for (int i = 0; i < e->ncases; i++)
		bench_result_free(&e->cases[i].r);
	free(e->cases);
	e->cases = NULL;
	e->ncases = 0;
}

static void show_progress(void *ctx, const struct bench_case *c, size_t n, double rel, double frac)
{
	struct exp *e = ctx;
	char ci[32] = "";
	if (rel >= 0)
		snprintf(ci, sizeof ci, "  ±%.2f%%", rel * 100);
	if (frac > 1)
		frac = 1;
	fprintf(stderr, "\r\033[K  %s %-28s n=%-6zu%s  [%-20.*s]", e->def->name, c->name, n, ci,
		(int)(frac * 20), "####################");
}

static struct exp_case *new_slot(struct exp *e, const char *name)
{
	if (e->ncases >= EXP_MAX_CASES)
		return NULL;
	struct exp_case *s = &e->cases[e->ncases++];
	snprintf(s->name, sizeof s->name, "%s", name);
	return s;
}

int exp_cases(struct exp *e, const struct bench_case *const *cases, size_t k, const char *group,
	      const struct bench_budget *budget)
{
	const struct bench_budget *b = budget ? budget : &e->budget;
	struct bench_result *r = calloc(k ? k : 1, sizeof *r);
	if (!r || e->ncases + (int)k > EXP_MAX_CASES) {
		free(r);
		return -ENOMEM;
	}
	if (bench_run_interleaved(cases, k, b, e->seed, e->progress ? show_progress : NULL, e, r) != 0) {
		free(r);
		return -ENOMEM;
	}
	if (e->progress)
		fprintf(stderr, "\r\033[K");
	for (size_t i = 0; i < k; i++) {
		struct exp_case *s = new_slot(e, cases[i]->name);
		s->r = r[i]; /* the slot takes over the samples and histogram */
		results_add_case(e->node, cases[i], group, &s->r, b->resamples);
	}
	free(r);
	return 0;
}

const struct bench_result *exp_case(struct exp *e, const struct bench_case *c, const char *group,
				    const struct bench_budget *budget)
{
	return exp_cases(e, &c, 1, group, budget) == 0 ? &e->cases[e->ncases - 1].r : NULL;
}

void exp_case_skip(struct exp *e, const struct bench_case *c, const char *group, const char *fmt, ...)
{
	struct exp_case *s = new_slot(e, c->name);
	struct bench_result tmp, *r = s ? &s->r : &tmp;
	va_list ap;
	memset(r, 0, sizeof *r);
	r->status = BENCH_UNSUPPORTED;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	results_add_case(e->node, c, group, r, 0);
}

const struct bench_result *exp_result(const struct exp *e, const char *case_name)
{
	for (int i = 0; i < e->ncases; i++)
		if (strcmp(e->cases[i].name, case_name) == 0)
			return &e->cases[i].r;
	return NULL;
}

void exp_claim(struct exp *e, struct claim *cl)
{
	const struct bench_result *a = exp_result(e, cl->a), *b = exp_result(e, cl->b);
	char why[320];
	if (!a || !b) {
		snprintf(why, sizeof why, "case %s was not run", !a ? cl->a : cl->b);
		claim_not_tested(cl, why);
	} else if (a->status != BENCH_OK || b->status != BENCH_OK) {
		const struct bench_result *bad = a->status != BENCH_OK ? a : b;
		snprintf(why, sizeof why, "%s: %s", a->status != BENCH_OK ? cl->a : cl->b, bad->reason);
		claim_not_tested(cl, why);
	} else {
		claim_eval(cl, a->samples, a->n, b->samples, b->n, e->budget.resamples, e->seed);
	}
	results_add_claim(e->node, cl);
}

void exp_claim_paired(struct exp *e, struct claim *cl, const double *a_values)
{
	const struct bench_result *a = exp_result(e, cl->a), *b = exp_result(e, cl->b);
	if (!a || !b || a->status != BENCH_OK || b->status != BENCH_OK || a->n != b->n) {
		exp_claim(e, cl); /* records why it was not tested, or tests it unpaired */
		return;
	}
	claim_eval_paired(cl, a_values ? a_values : a->samples, b->samples, a->n, e->budget.resamples, e->seed);
	results_add_claim(e->node, cl);
}

void exp_claims(struct exp *e, struct claim *claims, size_t n)
{
	for (size_t i = 0; i < n; i++)
		exp_claim(e, &claims[i]);
}

static void add_text(struct exp *e, const char *list, const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof buf, fmt, ap);
	results_add_text(e->node, list, buf);
}

void exp_condition(struct exp *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_text(e, "conditions", fmt, ap);
	va_end(ap);
}

void exp_note(struct exp *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_text(e, "notes", fmt, ap);
	va_end(ap);
}
