// SPDX-License-Identifier: MIT
/* summary: the terminal view of a results document, shared by `syslab run` and `syslab show`. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void fmt_ns(double ns, char *buf, size_t len)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = {{1, "ns"}, {1e3, "us"}, {1e6, "ms"}, {1e9, "s"}};
	if (!isfinite(ns)) {
		snprintf(buf, len, "-");
		return;
	}
	size_t u = 0;
	while (u + 1 < sizeof units / sizeof units[0] && fabs(ns) >= units[u + 1].scale)
		u++;
	double v = ns / units[u].scale;
	int decimals = fabs(v) >= 100 ? 0 : fabs(v) >= 10 ? 1 : 2;
	snprintf(buf, len, "%.*f %s", decimals, v, units[u].unit);
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
		fprintf(f, "  %-34s %-11s %s\n", str(c, "name"), status, str(c, "reason"));
		return;
	}
	json_t *s = json_object_get(c, "summary"), *ci = json_object_get(c, "ci");
	char med[24], lo[24], hi[24];
	fmt_ns(num(s, "median"), med, sizeof med);
	fmt_ns(num(ci, "lo"), lo, sizeof lo);
	fmt_ns(num(ci, "hi"), hi, sizeof hi);
	fprintf(f, "  %-34s %10s  [%s, %s]  cv %5.1f%%  n %-5.0f%s\n", str(c, "name"), med, lo, hi,
		num(s, "cv") * 100, num(s, "n"), json_is_true(json_object_get(c, "converged")) ? "" : "  (budget)");
}

static void print_claim(FILE *f, const json_t *cl)
{
	const char *verdict = str(cl, "verdict");
	json_t *ci = json_object_get(cl, "ci");
	fprintf(f, "  %-14s %s\n", verdict, str(cl, "text"));
	if (json_is_object(ci))
		fprintf(f, "  %-14s ratio %.3f  [%.3f, %.3f]  (%s / %s)\n", "", num(cl, "ratio"), num(ci, "lo"),
			num(ci, "hi"), str(cl, "a"), str(cl, "b"));
	else if (*str(cl, "reason"))
		fprintf(f, "  %-14s %s\n", "", str(cl, "reason"));
}

void summary_print(FILE *f, const json_t *doc)
{
	size_t i, j;
	json_t *e, *x;
	fprintf(f, "syslab %s, %s mode, seed %lld, started %s\n", str(json_object_get(doc, "tool"), "version"),
		str(doc, "mode"), (long long)json_integer_value(json_object_get(doc, "seed")), str(doc, "started"));
	json_array_foreach(json_object_get(doc, "experiments"), i, e)
	{
		fprintf(f, "\n== %s: %s\n", str(e, "name"), str(e, "title"));
		fprintf(f, "  %-34s %10s  %-21s\n", "case", "median", "95% CI");
		json_array_foreach(json_object_get(e, "cases"), j, x)
			print_case(f, x);
		if (json_array_size(json_object_get(e, "claims")))
			fprintf(f, "  claims:\n");
		json_array_foreach(json_object_get(e, "claims"), j, x)
			print_claim(f, x);
	}
}
