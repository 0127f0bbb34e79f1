// SPDX-License-Identifier: MIT
/* summary: the terminal view of a results document, shared by `syslab run` and `syslab show`. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/report.h>

#include "cli.h"

void die(int code, const char *fmt, ...)
{
	va_list ap;
	fputs("syslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static double num(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void print_case(FILE *f, const json_t *c)
{
	const char *status = str(c, "status");
	if (strcmp(status, "ok") != 0) {
		fprintf(f, "  %-24s %13s  %s\n", str(c, "name"), status, str(c, "reason"));
		return;
	}
	json_t *s = json_object_get(c, "summary"), *ci = json_object_get(c, "ci");
	char med[32], lo[32], hi[32];
	const char *unit = *str(c, "unit") ? str(c, "unit") : "ns/op";
	report_fmt_value(med, sizeof med, num(s, "median"), unit);
	report_fmt_value(lo, sizeof lo, num(ci, "lo"), unit);
	report_fmt_value(hi, sizeof hi, num(ci, "hi"), unit);
	char ci_text[80];
	snprintf(ci_text, sizeof ci_text, "[%s, %s]", lo, hi);
	fprintf(f, "  %-24s %13s  %-28s cv %5.1f%%  n %-5.0f%s\n", str(c, "name"), med, ci_text,
		num(s, "cv") * 100, num(s, "n"),
		json_is_true(json_object_get(c, "converged")) ? "" : "  (budget)");
}

static void print_claim(FILE *f, const json_t *cl)
{
	const char *verdict = str(cl, "verdict");
	json_t *ci = json_object_get(cl, "ci");
	fprintf(f, "  %-14s %s\n", verdict, str(cl, "text"));
	if (json_is_object(ci))
		fprintf(f, "  %-14s ratio %.3f  [%.3f, %.3f]  (%s / %s)\n", "", num(cl, "ratio"),
			num(ci, "lo"), num(ci, "hi"), str(cl, "a"), str(cl, "b"));
	else if (*str(cl, "reason"))
		fprintf(f, "  %-14s %s\n", "", str(cl, "reason"));
}

void summary_print(FILE *f, const json_t *doc)
{
	size_t i, j;
	json_t *e, *x;
	fprintf(f, "syslab %s, %s mode, seed %lld, started %s\n",
		str(json_object_get(doc, "tool"), "version"), str(doc, "mode"),
		(long long)json_integer_value(json_object_get(doc, "seed")), str(doc, "started"));
	json_array_foreach(json_object_get(doc, "experiments"), i, e)
	{
		fprintf(f, "\n== %s: %s\n", str(e, "name"), str(e, "title"));
		fprintf(f, "  %-24s %13s  %-28s\n", "case", "median", "95% CI of the median");
		json_array_foreach(json_object_get(e, "cases"), j, x) print_case(f, x);
		if (json_array_size(json_object_get(e, "claims")))
			fprintf(f, "  claims:\n");
		json_array_foreach(json_object_get(e, "claims"), j, x) print_claim(f, x);
	}
}
