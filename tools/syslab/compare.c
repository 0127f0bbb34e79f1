// SPDX-License-Identifier: MIT
/* compare: two results documents, case by case: the ratio of medians, its CI, and significance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/results.h>
#include <syslab/stats.h>

#include "cli.h"

#define COMPARE_RESAMPLES 2000
#define COMPARE_SEED      1

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Warns about differences of machine or budget that make the comparison less meaningful. */
static void warn_env(const json_t *a, const json_t *b)
{
	static const char *const keys[] = {"cpu_model", "kernel", "hypervisor", "governor"};
	json_t *ea = json_object_get(a, "env"), *eb = json_object_get(b, "env");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!json_equal(json_object_get(ea, keys[i]), json_object_get(eb, keys[i])))
			fprintf(stderr, "syslab: note: %s differs between the two runs\n", keys[i]);
	if (strcmp(str(a, "mode"), str(b, "mode")) != 0)
		fprintf(stderr, "syslab: note: the runs used different budgets (%s, %s)\n", str(a, "mode"),
			str(b, "mode"));
}

/* One row: B relative to A. Returns the JSON row (or NULL when the case is not in both). */
static json_t *compare_case(const char *exp, const json_t *ca, const json_t *cb)
{
	const char *name = str(cb, "name");
	if (strcmp(str(ca, "status"), "ok") != 0 || strcmp(str(cb, "status"), "ok") != 0)
		return json_pack("{s:s, s:s, s:s}", "experiment", exp, "case", name, "verdict",
				 "not comparable");
	double *a = NULL, *b = NULL;
	size_t na = results_case_samples(ca, &a), nb = results_case_samples(cb, &b);
	struct stats_ci ci;
	json_t *row;
	if (!na || !nb ||
	    stats_bootstrap_ratio_ci(b, nb, a, na, 0.95, COMPARE_RESAMPLES, COMPARE_SEED, &ci)) {
		row = json_pack("{s:s, s:s, s:s}", "experiment", exp, "case", name, "verdict", "no samples");
	} else {
		/* Significant when the CI of B/A excludes 1: the change is larger than the noise. */
		const char *v = ci.lo > 1 ? "slower" : ci.hi < 1 ? "faster" : "no significant change";
		row = json_pack("{s:s, s:s, s:f, s:f, s:f, s:s}", "experiment", exp, "case", name, "ratio",
				ci.point, "lo", ci.lo, "hi", ci.hi, "verdict", v);
	}
	free(a);
	free(b);
	return row;
}

static void print_row(const json_t *row)
{
	json_t *r = json_object_get(row, "ratio");
	char id[96];
	snprintf(id, sizeof id, "%s/%s", str(row, "experiment"), str(row, "case"));
	if (json_is_number(r))
		printf("  %-40s %7.3f  [%.3f, %.3f]  %s\n", id, json_number_value(r),
		       json_number_value(json_object_get(row, "lo")),
		       json_number_value(json_object_get(row, "hi")), str(row, "verdict"));
	else
		printf("  %-40s %7s  %-16s  %s\n", id, "-", "", str(row, "verdict"));
}

int cmd_compare(int argc, char **argv)
{
	const char *files[2];
	int nfiles = 0;
	bool as_json = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			die(EXIT_USAGE, "compare: unknown option '%s' (see syslab --help)", argv[i]);
		else if (nfiles < 2)
			files[nfiles++] = argv[i];
		else
			die(EXIT_USAGE, "compare: takes two results files, A.json B.json");
	}
	if (nfiles != 2)
		die(EXIT_USAGE, "compare: takes two results files, A.json B.json");

	json_t *doc[2];
	char err[512];
	for (int i = 0; i < 2; i++)
		if (results_load(files[i], &doc[i], err, sizeof err))
			die(1, "%s", err);
	warn_env(doc[0], doc[1]);

	json_t *rows = json_array(), *e, *c;
	size_t i, j;
	json_array_foreach(json_object_get(doc[1], "experiments"), i, e)
	{
		const char *exp = str(e, "name");
		json_array_foreach(json_object_get(e, "cases"), j, c)
		{
			json_t *ca = results_find_case(doc[0], exp, str(c, "name"));
			json_t *row = ca ? compare_case(exp, ca, c)
					 : json_pack("{s:s, s:s, s:s}", "experiment", exp, "case",
						     str(c, "name"), "verdict", "only in B");
			json_array_append_new(rows, row);
		}
	}
	if (as_json) {
		json_t *out = json_pack("{s:s, s:s, s:s, s:o}", "a", files[0], "b", files[1], "ratio",
					"median(B) / median(A)", "cases", rows);
		json_dumpf(out, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
		putchar('\n');
		json_decref(out);
	} else {
		printf("B = %s vs A = %s: ratio of medians B/A with its 95%% CI (< 1: B is faster)\n",
		       files[1], files[0]);
		json_array_foreach(rows, i, c) print_row(c);
		json_decref(rows);
	}
	json_decref(doc[0]);
	json_decref(doc[1]);
	return 0;
}
