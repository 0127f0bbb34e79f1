/* SPDX-License-Identifier: MIT */
/* report: renders a results document as one self-contained HTML page with gnuplot SVG plots. */
#include <syslab/report.h>
#include <syslab/results.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_priv.h"

/* ---- anchors and verdicts ---- */

/* An id for an HTML anchor: letters, digits, '-' and '_' only. */
static void anchor_part(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;
		buf[n++] = (c < 0x80 && (isalnum(c) || c == '-' || c == '_')) ? (char)c : '-';
	}
	buf[n] = '\0';
}

/* The anchor of experiment i: x-NAME, made unique when two experiments share a name. */
static void exp_anchor(const json_t *exps, size_t i, char *buf, size_t len)
{
	char mine[96], other[96];

	anchor_part(mine, sizeof mine, doc_str(json_array_get(exps, i), "name"));
	if (!mine[0]) {
		snprintf(buf, len, "x-%zu", i + 1);
		return;
	}
	for (size_t j = 0; j < i; j++) {
		anchor_part(other, sizeof other, doc_str(json_array_get(exps, j), "name"));
		if (strcmp(mine, other) == 0) {
			snprintf(buf, len, "x-%s-%zu", mine, i + 1);
			return;
		}
	}
	snprintf(buf, len, "x-%s", mine);
}

/* The verdicts a claim can have, each with its CSS class; any other reads as "unknown". */
static const struct {
	const char *name, *cls;
} verdicts[] = {
	{"holds", "holds"},
	{"does not hold", "nothold"},
	{"inconclusive", "inconclusive"},
	{"not tested", "nottested"},
};
#define NVERDICTS (sizeof verdicts / sizeof verdicts[0])

/* The index of v in verdicts, or NVERDICTS when v (may be NULL) is none of them. */
static size_t verdict_index(const char *v)
{
	size_t j = 0;

	while (j < NVERDICTS && !(v && strcmp(v, verdicts[j].name) == 0))
		j++;
	return j;
}

static const char *verdict_class(const char *v)
{
	size_t j = verdict_index(v);
	return j < NVERDICTS ? verdicts[j].cls : "unknown";
}

static void badge(FILE *f, const char *verdict)
{
	fprintf(f, "<span class=\"badge %s\">", verdict_class(verdict));
	html_text(f, verdict ? verdict : "no verdict");
	fputs("</span>", f);
}

/* ---- claims ---- */

/* The ratios that satisfy cl: [lo, hi]. False when its kind or threshold is unknown. */
static bool claim_bounds(const json_t *cl, double *lo, double *hi)
{
	const char *kind = doc_str(cl, "kind");
	double t = doc_num(cl, "threshold");

	if (!kind || !isfinite(t))
		return false;
	if (strcmp(kind, "at_least") == 0) {
		*lo = t;
		*hi = INFINITY;
	} else if (strcmp(kind, "at_most") == 0) {
		*lo = 0;
		*hi = t;
	} else if (strcmp(kind, "equivalent") == 0 && t > -1) {
		*lo = 1 / (1 + t);
		*hi = 1 + t;
	} else {
		return false;
	}
	return true;
}

static void claim_needs(FILE *out, const json_t *cl)
{
	const char *kind = doc_str(cl, "kind");
	char a[48], b[48];
	double lo, hi;

	if (!claim_bounds(cl, &lo, &hi)) {
		if (kind) {
			fputs("kind ", out);
			html_text(out, kind);
		}
		if (isfinite(doc_num(cl, "threshold")))
			fprintf(out, ", threshold %s", fmt_sig3(a, sizeof a, doc_num(cl, "threshold")));
		return;
	}
	if (strcmp(kind, "at_least") == 0)
		fprintf(out, "needs ratio ≥ %s", fmt_sig3(a, sizeof a, lo));
	else if (strcmp(kind, "at_most") == 0)
		fprintf(out, "needs ratio ≤ %s", fmt_sig3(a, sizeof a, hi));
	else
		fprintf(out, "needs %s ≤ ratio ≤ %s", fmt_sig3(a, sizeof a, lo), fmt_sig3(b, sizeof b, hi));
}

/*
 * A small picture of the claim: the ratios that satisfy it shaded green, the threshold(s) as
 * ticks, the 95% CI as a bar and the ratio as a dot, on a log axis. Plain HTML and CSS, so it is
 * there with or without gnuplot.
 */
static void claim_chart(FILE *out, const json_t *cl)
{
	const json_t *ci = doc_obj(cl, "ci");
	double r = doc_num(cl, "ratio"), lo = doc_num(ci, "lo"), hi = doc_num(ci, "hi"), blo = NAN, bhi = NAN;
	double vals[6], lmin = INFINITY, lmax = -INFINITY, pad;
	size_t nv = 0;
	bool bounded = claim_bounds(cl, &blo, &bhi);

	if (!(r > 0))
		return;
	vals[nv++] = r;
	vals[nv++] = 1;
	if (lo > 0 && hi >= lo) {
		vals[nv++] = lo;
		vals[nv++] = hi;
	}
	if (bounded && blo > 0)
		vals[nv++] = blo;
	if (bounded && isfinite(bhi) && bhi > 0)
		vals[nv++] = bhi;
	for (size_t i = 0; i < nv; i++) {
		lmin = fmin(lmin, log(vals[i]));
		lmax = fmax(lmax, log(vals[i]));
	}
	pad = fmax(0.18 * (lmax - lmin), log(1.08));
	lmin -= pad;
	lmax += pad;
#define X(v) (100 * (fmin(fmax(log(v), lmin), lmax) - lmin) / (lmax - lmin))
	fputs("<span class=\"rc\">", out);
	if (bounded) {
		double a = blo > 0 ? X(blo) : 0, b = isfinite(bhi) ? X(bhi) : 100;
		fprintf(out, "<span class=\"okz\" style=\"left:%.1f%%;width:%.1f%%\"></span>", a, b - a);
		if (blo > 0)
			fprintf(out, "<span class=\"thr\" style=\"left:%.1f%%\"></span>", a);
		if (isfinite(bhi))
			fprintf(out, "<span class=\"thr\" style=\"left:%.1f%%\"></span>", b);
	}
	fprintf(out, "<span class=\"one\" style=\"left:%.1f%%\"></span>", X(1.0));
	if (lo > 0 && hi >= lo)
		fprintf(out, "<span class=\"cib %s\" style=\"left:%.1f%%;width:%.1f%%\"></span>",
			verdict_class(doc_str(cl, "verdict")), X(lo), fmax(X(hi) - X(lo), 0.8));
	fprintf(out, "<span class=\"pt\" style=\"left:%.1f%%\"></span></span>", X(r));
#undef X
}

/* What claim cl expects to happen, and the cases whose ratio it tests. */
static void claim_detail(FILE *out, const json_t *cl)
{
	const char *expect = doc_str(cl, "expect");

	fputs("<div class=\"sub\">", out);
	if (expect && strcmp(expect, "appear") == 0)
		fputs("the effect must <b>appear</b>", out);
	else if (expect && strcmp(expect, "vanish") == 0)
		fputs("the effect must <b>vanish</b>", out);
	else if (expect) {
		fputs("expect ", out);
		html_text(out, expect);
	}
	if (doc_str(cl, "a") || doc_str(cl, "b")) {
		fputs(expect ? " · " : "", out);
		bool paired = json_is_true(doc_get(cl, "paired"));
		fputs(paired ? "ratio = median over rounds of <code>" : "ratio = median(<code>", out);
		html_text(out, doc_str_or(cl, "a", "?"));
		fputs(paired ? "</code> ÷ <code>" : "</code>) ÷ median(<code>", out);
		html_text(out, doc_str_or(cl, "b", "?"));
		fputs(paired ? "</code>, sampled in the same round" : "</code>)", out);
	}
	fputs("</div>", out);
}

/* One claim as a table row; detailed rows also say what must happen and which cases. */
static void claim_row(FILE *out, const json_t *cl, const char *anchor, bool detailed)
{
	const json_t *ci = doc_obj(cl, "ci");
	const char *verdict = doc_str(cl, "verdict"), *reason = doc_str(cl, "reason");
	char v[64];

	fputs("<tr><td>", out);
	badge(out, verdict);
	fputs("</td><td class=\"claim\">", out);
	if (anchor)
		fprintf(out, "<a href=\"#%s\">", anchor);
	html_text(out, doc_str_or(cl, "text", "(claim without text)"));
	if (anchor)
		fputs("</a>", out);
	if (detailed)
		claim_detail(out, cl);
	if (reason) {
		fputs("<div class=\"why\">", out);
		html_text(out, reason);
		fputs("</div>", out);
	}
	fputs("</td>", out);
	fprintf(out, "<td class=\"n\">%s", isfinite(doc_num(cl, "ratio")) ? "" : "—");
	if (isfinite(doc_num(cl, "ratio")))
		fprintf(out, "%s×", fmt_sig3(v, sizeof v, doc_num(cl, "ratio")));
	fprintf(out, "</td><td class=\"n\">%s</td><td class=\"chart\">",
		fmt_range(v, sizeof v, doc_num(ci, "lo"), doc_num(ci, "hi"), NULL));
	claim_chart(out, cl);
	fputs("</td><td class=\"needs\">", out);
	claim_needs(out, cl);
	fputs("</td></tr>\n", out);
}

/* The head of a table of claims; claim_rows writes its rows. */
static void claims_head(FILE *out)
{
	fputs("<table class=\"claims\"><thead><tr><th>verdict</th><th>claim</th><th class=\"n\">ratio</th>"
	      "<th class=\"n\">95% CI</th><th class=\"chart\">where the CI falls</th><th>needs</th>"
	      "</tr></thead><tbody>\n",
	      out);
}

/* A row for each claim in cls, linked to anchor when it is not NULL. */
static void claim_rows(FILE *out, const json_t *cls, const char *anchor, bool detailed)
{
	for (size_t k = 0; k < doc_len(cls); k++)
		if (json_is_object(json_array_get(cls, k)))
			claim_row(out, json_array_get(cls, k), anchor, detailed);
}

/* "5 claims: 3 holds 1 inconclusive ...", with count[j] claims of verdicts[j] (the last: others). */
static void claims_tally(FILE *out, const size_t *count, size_t total)
{
	fprintf(out, "<p class=\"tally\"><b>%zu</b> %s:", total,
		fmt_plural((double)total, "claim", "claims"));
	for (size_t j = 0; j <= NVERDICTS; j++) {
		if (!count[j])
			continue;
		fprintf(out, " <span class=\"badge %s\">%zu %s</span>",
			j < NVERDICTS ? verdicts[j].cls : "unknown", count[j],
			j < NVERDICTS ? verdicts[j].name : "without verdict");
	}
	fputs("</p>\n", out);
}

/* The Claims section: the claims of every experiment in one table, after a tally of verdicts. */
static void write_summary(FILE *out, const json_t *doc)
{
	const json_t *exps = doc_arr(doc, "experiments");
	size_t count[NVERDICTS + 1] = {0}, total = 0;

	for (size_t i = 0; i < doc_len(exps); i++) {
		const json_t *cls = doc_arr(json_array_get(exps, i), "claims");
		for (size_t k = 0; k < doc_len(cls); k++) {
			if (!json_is_object(json_array_get(cls, k)))
				continue;
			count[verdict_index(doc_str(json_array_get(cls, k), "verdict"))]++;
			total++;
		}
	}
	fputs("<section id=\"claims\"><h2>Claims</h2>\n", out);
	if (!total) {
		fputs("<p class=\"muted\">This run states no claims.</p></section>\n", out);
		return;
	}
	claims_tally(out, count, total);
	claims_head(out);
	for (size_t i = 0; i < doc_len(exps); i++) {
		const json_t *e = json_array_get(exps, i), *cls = doc_arr(e, "claims");
		char anchor[128];
		if (!doc_len(cls))
			continue;
		exp_anchor(exps, i, anchor, sizeof anchor);
		fprintf(out, "<tr class=\"grp\"><td colspan=\"6\"><a href=\"#%s\">", anchor);
		html_text(out, doc_str_or(e, "title", doc_str_or(e, "name", "experiment")));
		fputs("</a>", out);
		if (doc_str(e, "name")) {
			fputs(" <code>", out);
			html_text(out, doc_str(e, "name"));
			fputs("</code>", out);
		}
		fputs("</td></tr>\n", out);
		claim_rows(out, cls, anchor, false);
	}
	fputs("</tbody></table></section>\n", out);
}

/* ---- experiments ---- */

/* "0-3, 6" from [0,1,2,3,6]. */
static void cpu_list(FILE *out, const json_t *cpus)
{
	size_t n = doc_len(cpus), i = 0;
	bool any = false;

	while (i < n) {
		const json_t *v = json_array_get(cpus, i);
		json_int_t a, b;
		size_t j = i + 1;
		if (!json_is_integer(v)) {
			i++;
			continue;
		}
		a = b = json_integer_value(v);
		while (j < n && json_is_integer(json_array_get(cpus, j)) &&
		       json_integer_value(json_array_get(cpus, j)) == b + 1)
			b = json_integer_value(json_array_get(cpus, j++));
		fprintf(out, "%s%" JSON_INTEGER_FORMAT, any ? ", " : "", a);
		if (b > a)
			fprintf(out, "%s%" JSON_INTEGER_FORMAT, b == a + 1 ? ", " : "–", b);
		any = true;
		i = j;
	}
	if (!any)
		fputs("—", out);
}

static bool per_op(const char *unit)
{
	size_t n = unit ? strlen(unit) : 0;
	return n > 3 && strcmp(unit + n - 3, "/op") == 0;
}

/* True when every ok case of exp counts per operation: the table then says so once. */
static bool all_per_op(const json_t *exp)
{
	const json_t *cases = doc_arr(exp, "cases");
	size_t n = 0;

	for (size_t i = 0; i < doc_len(cases); i++) {
		const json_t *c = json_array_get(cases, i);
		if (strcmp(doc_case_status(c), "ok"))
			continue;
		if (!per_op(doc_str(c, "unit")))
			return false;
		n++;
	}
	return n > 0;
}

/* A count of outliers, 0 when the document has none. */
static double outlier_count(const json_t *o, const char *key)
{
	double n = doc_num(o, key);
	return isfinite(n) ? n : 0;
}

/* "mild / severe", with the low and high ones in a tooltip. */
static void outliers_cell(FILE *out, const json_t *o)
{
	double lm = outlier_count(o, "low_mild"), hm = outlier_count(o, "high_mild");
	double ls = outlier_count(o, "low_severe"), hs = outlier_count(o, "high_severe");
	double mild = lm + hm, sev = ls + hs;

	if (!o) {
		fputs("<td class=\"n\">—</td>", out);
		return;
	}
	fprintf(out,
		"<td class=\"n%s\" title=\"low: %.0f mild, %.0f severe; high: %.0f mild, %.0f severe\">"
		"%.0f / %.0f</td>",
		mild + sev ? "" : " muted", lm, ls, hm, hs, mild, sev);
}

/* The cells of a case that did not run: its status and why. */
static void case_off_cells(FILE *out, const json_t *c, const char *status)
{
	fprintf(out, "<td colspan=\"7\"><span class=\"badge st-%s\">",
		strcmp(status, "failed") == 0 ? "failed" : "unsupported");
	html_text(out, status);
	fputs("</span> ", out);
	html_text(out, doc_str_or(c, "reason", "no reason given"));
	fputs("</td>", out);
}

/* The cells of a measured case: median, CIs, spread, n, outliers and whether it converged. */
static void case_ok_cells(FILE *out, const json_t *c, const char *unit)
{
	const json_t *s = doc_obj(c, "summary"), *ci = doc_obj(c, "ci");
	double n = doc_num(s, "n"), cv = doc_num(s, "cv");
	int conv = doc_bool(c, "converged");
	char v[160];

	if (!isfinite(n) && doc_arr(c, "samples"))
		n = (double)doc_len(doc_arr(c, "samples"));
	/* The unit comes from the document: it is escaped like any other text. */
	fputs("<td class=\"n med\">", out);
	html_text(out, report_fmt_value(v, sizeof v, doc_num(s, "median"), unit));
	fputs("</td><td class=\"n\">", out);
	html_text(out, fmt_range(v, sizeof v, doc_num(ci, "lo"), doc_num(ci, "hi"), unit));
	fputs("</td><td class=\"n\">", out);
	html_text(out, fmt_range(v, sizeof v, doc_num(s, "p5"), doc_num(s, "p95"), unit));
	fputs("</td>", out);
	fprintf(out, "<td class=\"n\">%s%s</td>", fmt_sig3(v, sizeof v, cv * 100), isfinite(cv) ? " %" : "");
	if (isfinite(n))
		fprintf(out, "<td class=\"n\">%.0f</td>", n);
	else
		fputs("<td class=\"n\">—</td>", out);
	outliers_cell(out, doc_obj(c, "outliers"));
	fprintf(out, "<td>%s</td>",
		conv == 1   ? "yes"
		: conv == 0 ? "<span class=\"warn\" title=\"stopped by the time budget, not by a narrow "
			      "enough CI\">no</span>"
			    : "—");
}

/* One case as a row of the cases table; strip_op drops "/op" from the unit (the head says it). */
static void case_row(FILE *out, const json_t *c, const struct pset *ps, bool strip_op)
{
	const char *status = doc_case_status(c), *name = doc_str(c, "name");
	int color = pset_color(ps, doc_str(c, "group"));
	bool ok = strcmp(status, "ok") == 0;
	char unit[64];

	snprintf(unit, sizeof unit, "%s", doc_str_or(c, "unit", ""));
	if (strip_op && per_op(unit))
		unit[strlen(unit) - 3] = '\0';
	fprintf(out, "<tr%s><td class=\"case\">", ok ? "" : " class=\"off\"");
	if (color >= 0 && ok)
		plot_swatch(out, color);
	html_text(out, doc_case_label(c));
	if (name && doc_str(c, "label")) {
		fputs("<div class=\"sub\"><code>", out);
		html_text(out, name);
		fputs("</code></div>", out);
	}
	fputs("</td><td>", out);
	cpu_list(out, doc_arr(c, "cpus"));
	fputs("</td>", out);
	if (ok)
		case_ok_cells(out, c, unit);
	else
		case_off_cells(out, c, status);
	fputs("</tr>\n", out);
}

/* Up to 16 distinct names, in the order first seen. */
struct names {
	const char *v[16];
	size_t n;
};

static bool names_has(const struct names *l, const char *s)
{
	for (size_t k = 0; k < l->n; k++)
		if (strcmp(l->v[k], s) == 0)
			return true;
	return false;
}

static void names_add(struct names *l, const char *s)
{
	if (!names_has(l, s) && l->n < sizeof l->v / sizeof l->v[0])
		l->v[l->n++] = s;
}

/* The counters of the ok cases: those some case has per operation (on), and the others (off). */
static void counter_names(const json_t *cases, struct names *on, struct names *off)
{
	for (size_t i = 0; i < doc_len(cases); i++) {
		const json_t *c = json_array_get(cases, i), *v;
		const char *name;
		if (strcmp(doc_case_status(c), "ok"))
			continue;
		json_object_foreach((json_t *)doc_obj(c, "counters"), name, v)
		{
			names_add(isfinite(doc_num(v, "per_op")) ? on : off, name);
		}
	}
}

/* Counters no case could read: said once, rather than columns full of n/a. */
static void counters_missing(FILE *out, const struct names *on, const struct names *off)
{
	bool first = true;

	for (size_t k = 0; k < off->n; k++) {
		if (names_has(on, off->v[k]))
			continue;
		fputs(first ? "<p class=\"muted small\">Not counted on this machine: " : ", ", out);
		html_text(out, off->v[k]);
		first = false;
	}
	if (!first)
		fputs(".</p>\n", out);
}

/* The per-operation counters of the ok cases, one column per counter that any of them has. */
static void counters_table(FILE *out, const json_t *exp)
{
	const json_t *cases = doc_arr(exp, "cases");
	struct names on = {0}, off = {0};
	char v[48];

	counter_names(cases, &on, &off);
	if (!on.n)
		return;
	fputs("<h3>Counters per operation</h3>\n<table class=\"counters\"><thead><tr><th>case</th>", out);
	for (size_t k = 0; k < on.n; k++) {
		fputs("<th class=\"n\">", out);
		html_text(out, on.v[k]);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < doc_len(cases); i++) {
		const json_t *c = json_array_get(cases, i), *cnt = doc_obj(c, "counters");
		if (strcmp(doc_case_status(c), "ok"))
			continue;
		fputs("<tr><td>", out);
		html_text(out, doc_case_label(c));
		fputs("</td>", out);
		for (size_t k = 0; k < on.n; k++) {
			const json_t *x = doc_obj(cnt, on.v[k]);
			double per = doc_num(x, "per_op");
			if (isfinite(per))
				fprintf(out, "<td class=\"n\">%s</td>", fmt_sig3(v, sizeof v, per));
			else
				fprintf(out, "<td class=\"n muted\">%s</td>", x ? "n/a" : "—");
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	counters_missing(out, &on, &off);
}

/* The strings in a as a list of class cls; nothing when it has none. */
static void string_list(FILE *out, const json_t *a, const char *cls)
{
	size_t n = 0;

	for (size_t i = 0; i < doc_len(a); i++)
		n += json_is_string(json_array_get(a, i));
	if (!n)
		return;
	fprintf(out, "<ul class=\"%s\">\n", cls);
	for (size_t i = 0; i < doc_len(a); i++) {
		if (!json_is_string(json_array_get(a, i)))
			continue;
		fputs("<li>", out);
		html_text(out, json_string_value(json_array_get(a, i)));
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

/* A list of exp under heading head, when it has one. */
static void exp_list(FILE *out, const json_t *exp, const char *key, const char *head)
{
	if (!doc_len(doc_arr(exp, key)))
		return;
	fprintf(out, "<h3>%s</h3>\n", head);
	string_list(out, doc_arr(exp, key), key);
}

/* An experiment's heading: its title, name and duration, and the question it answers. */
static void exp_heading(FILE *out, const json_t *e, const char *anchor)
{
	const char *name = doc_str(e, "name"), *q = doc_str(e, "question");
	char d[48];

	fprintf(out, "<section class=\"exp\" id=\"%s\">\n<h2>", anchor);
	html_text(out, doc_str_or(e, "title", name ? name : "Experiment"));
	if (name) {
		fputs(" <code class=\"tag\">", out);
		html_text(out, name);
		fputs("</code>", out);
	}
	if (isfinite(doc_num(e, "duration_s")))
		fprintf(out, " <span class=\"dur\">%s</span>",
			fmt_duration(d, sizeof d, doc_num(e, "duration_s")));
	fputs("</h2>\n", out);
	if (q) {
		fputs("<p class=\"question\">", out);
		html_text(out, q);
		fputs("</p>\n", out);
	}
}

/* The cases table of e, and its counters, coloured as the plots of ps. */
static void exp_cases(FILE *out, const json_t *e, const struct pset *ps)
{
	const json_t *cases = doc_arr(e, "cases");
	bool strip = all_per_op(e);

	if (!doc_len(cases))
		return;
	fprintf(out,
		"<h3>Cases</h3>\n<table class=\"cases\"><thead><tr><th>case</th><th>CPUs</th>"
		"<th class=\"n\">median%s</th><th class=\"n\">95%% CI</th><th class=\"n\">p5–p95</th>"
		"<th class=\"n\">CV</th><th class=\"n\">n</th><th class=\"n\" title=\"Tukey fences: mild "
		"beyond 1.5 IQR, severe beyond 3 IQR; counted, not dropped\">outliers<br>mild / severe</th>"
		"<th>converged</th></tr></thead><tbody>\n",
		strip ? " per op" : "");
	for (size_t k = 0; k < doc_len(cases); k++)
		if (json_is_object(json_array_get(cases, k)))
			case_row(out, json_array_get(cases, k), ps, strip);
	fputs("</tbody></table>\n", out);
	counters_table(out, e);
}

/* The section of experiment i of exps. 0, or -ENOMEM. */
static int write_experiment(FILE *out, struct gp *gp, const json_t *exps, size_t i)
{
	const json_t *e = json_array_get(exps, i), *claims = doc_arr(e, "claims");
	char anchor[128];
	struct pset ps;
	int rc;

	if (!json_is_object(e))
		return 0;
	exp_anchor(exps, i, anchor, sizeof anchor);
	rc = pset_init(&ps, e);
	if (rc < 0) {
		pset_free(&ps);
		return rc;
	}
	exp_heading(out, e, anchor);
	exp_list(out, e, "conditions", "Conditions");
	if (doc_len(claims)) {
		fputs("<h3>Claims</h3>\n", out);
		claims_head(out);
		claim_rows(out, claims, NULL, true);
		fputs("</tbody></table>\n", out);
	}
	plot_experiment(out, gp, e, &ps);
	exp_cases(out, e, &ps);
	exp_list(out, e, "notes", "Notes");
	fputs("</section>\n", out);
	pset_free(&ps);
	return 0;
}

/* ---- the page ---- */

static const char css[] =
	":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--link:#0969da}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"body{margin:0;background:#fff;color:var(--fg);font:15px/1.5 system-ui,-apple-system,'Segoe UI',"
	"Roboto,'Helvetica Neue','Noto Sans','Liberation Sans',Arial,sans-serif}\n"
	"main{max-width:1120px;margin:0 auto;padding:32px 32px 56px}\n"
	"a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}\n"
	"h1{font-size:30px;line-height:1.2;margin:0 0 6px;letter-spacing:-.01em}\n"
	"h2{font-size:22px;line-height:1.3;margin:44px 0 10px;padding-bottom:8px;border-bottom:1px solid "
	"var(--line)}\n"
	"h3{font-size:12px;font-weight:650;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);"
	"margin:26px 0 8px}\n"
	"code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace;"
	"font-size:.86em}\n"
	"pre.cmd{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:9px 14px;"
	"margin:14px 0 0;white-space:pre-wrap;word-break:break-all}\n"
	".meta{display:flex;flex-wrap:wrap;gap:6px 22px;color:var(--muted);font-size:14px}"
	".meta b{color:var(--fg);font-weight:600}\n"
	"nav{margin:18px 0 0;font-size:14px;display:flex;flex-wrap:wrap;gap:4px 18px}\n"
	".muted{color:var(--muted)}.small{font-size:13px}\n"
	".banner{margin:22px 0 0;padding:11px 16px;border-radius:6px;background:#fff8c5;border:1px solid "
	"#eed888;color:#4d2d00}\n"
	"table{border-collapse:collapse;width:100%;font-size:14px}\n"
	"th{font-size:12px;font-weight:600;color:var(--muted);text-align:left;padding:6px 10px;"
	"border-bottom:1px solid var(--line);vertical-align:bottom}\n"
	"td{padding:7px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"td.med{font-weight:600}\n"
	"tr.grp td{background:var(--soft);font-weight:600;padding-top:6px;padding-bottom:6px}\n"
	"tr.grp code{font-weight:400;color:var(--muted)}\n"
	"tr.off td{color:var(--muted);background:#fbfcfd}\n"
	".sub{font-size:12px;color:var(--muted);margin-top:1px}.sub code{font-size:12px}\n"
	".why{font-size:13px;color:var(--muted);margin-top:2px}\n"
	".badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;"
	"white-space:nowrap;border:1px solid;line-height:1.5}\n"
	".holds{background:#dafbe1;color:#116329;border-color:#aceebb}\n"
	".nothold{background:#ffebe9;color:#a40e26;border-color:#ffcecb}\n"
	".inconclusive{background:#fff8c5;color:#7d4e00;border-color:#eed888}\n"
	".nottested,.unknown,.st-unsupported{background:#eff2f5;color:#59636e;border-color:#d1d9e0}\n"
	".st-failed{background:#ffebe9;color:#a40e26;border-color:#ffcecb}\n"
	".tally{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:4px 0 14px}\n"
	"td.claim{min-width:260px}td.needs{white-space:nowrap;color:var(--muted);font-size:13px}\n"
	".sub b{color:var(--fg);font-weight:600}\n"
	"th.chart,td.chart{width:170px}\n"
	".rc{position:relative;display:inline-block;width:160px;height:18px;vertical-align:middle}\n"
	".rc::before{content:'';position:absolute;left:0;right:0;top:8.5px;height:1px;background:#d1d9e0}\n"
	".rc span{position:absolute;display:block}\n"
	".rc .okz{top:2px;height:14px;background:#dafbe1;border-radius:2px}\n"
	".rc .thr{top:0;height:18px;width:1.5px;margin-left:-.75px;background:#1a7f37}\n"
	".rc .one{top:4px;height:10px;width:1px;background:#8c959f}\n"
	".rc .cib{top:6.5px;height:5px;border-radius:3px;background:#57606a}\n"
	".rc .cib.holds{background:#1a7f37}.rc .cib.nothold{background:#cf222e}"
	".rc .cib.inconclusive{background:#bf8700}\n"
	".rc .pt{top:5px;width:8px;height:8px;margin-left:-4px;border-radius:50%;background:#fff;"
	"border:2px solid #1f2328}\n"
	".machine{display:grid;grid-template-columns:1fr 1fr;gap:0 36px}\n"
	"table.kv th{width:120px;text-align:left;font-size:13px;font-weight:600;color:var(--muted);"
	"border-bottom:1px solid #eaeef2;vertical-align:top;padding:7px 10px 7px 0}\n"
	"table.kv td{padding-left:0}\n"
	".yes{color:#1a7f37;font-weight:700}.no{color:#cf222e;font-weight:700}.warn{color:#9a6700;"
	"font-weight:600}\n"
	"details.mit{margin-top:12px;font-size:14px}details.mit summary{cursor:pointer;color:var(--muted)}\n"
	"details.mit table{margin-top:6px}details.mit th{width:210px}\n"
	"h2 .tag{font-size:13px;font-weight:500;color:var(--muted);background:var(--soft);border:1px solid "
	"var(--line);border-radius:5px;padding:1px 7px;vertical-align:3px;margin-left:6px}\n"
	"h2 .dur{font-size:13px;font-weight:400;color:var(--muted);margin-left:6px;vertical-align:2px}\n"
	".question{font-size:17px;line-height:1.5;color:#31363c;margin:6px 0 0;max-width:52em}\n"
	"ul.conditions,ul.notes{margin:0;padding-left:20px}ul li{margin:2px 0}\n"
	".plots{display:flex;flex-wrap:wrap;gap:18px 28px;align-items:flex-start}\n"
	"figure.plot{margin:0;max-width:100%}figure.wide{flex-basis:100%}\n"
	"figure.plot figcaption{font-size:13px;color:var(--muted);margin:0 0 4px}\n"
	".svg svg{display:block;max-width:100%;height:auto}\n"
	".svg svg text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue','Noto Sans',"
	"'Liberation Sans',Arial,sans-serif}\n"
	".plotnote{font-size:13px;color:#7d4e00;background:#fff8c5;border:1px dashed "
	"#eed888;border-radius:6px;"
	"padding:10px 14px;margin:0}\n"
	".legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px;color:#31363c;margin:4px 0 0}\n"
	".legend.col{flex-direction:column}.legend small{display:block;color:var(--muted);margin-left:16px}\n"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;"
	"vertical-align:0}\n"
	"td.case .sw{margin-right:8px}td.case{min-width:290px}\n"
	"footer{margin-top:48px;padding-top:12px;border-top:1px solid var(--line);font-size:13px;"
	"color:var(--muted)}\n"
	"@media (max-width:760px){.machine{grid-template-columns:1fr}main{padding:20px 14px}}\n"
	"@media print{main{max-width:none;padding:0}body{font-size:12px}h2{break-after:avoid}"
	"figure,tr{break-inside:avoid}a{color:inherit}nav{display:none}}\n";

static void write_header(FILE *out, const json_t *doc)
{
	const json_t *tool = doc_obj(doc, "tool"), *seed = doc_get(doc, "seed");
	const char *started = doc_str(doc, "started"), *mode = doc_str(doc, "mode"),
		   *cmd = doc_str(doc, "command");
	char d[48];

	fputs("<header><h1>syslab report</h1>\n<div class=\"meta\">", out);
	if (started) {
		/* 2026-11-22T17:03:12Z reads better as 2026-11-22 17:03:12 UTC. */
		size_t n = strlen(started);
		fputs("<span><b>", out);
		if (n == 20 && started[10] == 'T' && started[19] == 'Z')
			fprintf(out, "%.10s %.8s UTC", started, started + 11);
		else
			html_text(out, started);
		fputs("</b></span>", out);
	}
	if (mode) {
		fputs("<span>mode <b>", out);
		html_text(out, mode);
		fputs("</b></span>", out);
	}
	if (json_is_integer(seed))
		fprintf(out, "<span>seed <b>%" JSON_INTEGER_FORMAT "</b></span>", json_integer_value(seed));
	else if (isfinite(doc_num_value(seed)))
		fprintf(out, "<span>seed <b>%.0f</b></span>", doc_num_value(seed));
	if (isfinite(doc_num(doc, "duration_s")))
		fprintf(out, "<span>ran <b>%s</b></span>",
			fmt_duration(d, sizeof d, doc_num(doc, "duration_s")));
	if (tool) {
		fputs("<span>", out);
		html_text(out, doc_str_or(tool, "name", "syslab"));
		fputs(" <b>", out);
		html_text(out, doc_str_or(tool, "version", "?"));
		fputs("</b></span>", out);
	}
	fputs("</div>\n", out);
	if (cmd) {
		fputs("<pre class=\"cmd\">$ ", out);
		html_text(out, cmd);
		fputs("</pre>\n", out);
	}
	fputs("</header>\n", out);
}

static void write_nav(FILE *out, const json_t *doc)
{
	const json_t *exps = doc_arr(doc, "experiments");

	fputs("<nav><a href=\"#claims\">Claims</a><a href=\"#machine\">Machine</a>", out);
	for (size_t i = 0; i < doc_len(exps); i++) {
		const json_t *e = json_array_get(exps, i);
		char anchor[128];
		if (!json_is_object(e))
			continue;
		exp_anchor(exps, i, anchor, sizeof anchor);
		fprintf(out, "<a href=\"#%s\">", anchor);
		html_text(out, doc_str_or(e, "name", doc_str_or(e, "title", "experiment")));
		fputs("</a>", out);
	}
	fputs("</nav>\n", out);
}

static void write_banner(FILE *out, const struct gp *gp)
{
	if (!gp->failed && (gp->usable || !gp->why[0]))
		return;
	fputs("<div class=\"banner\"><b>", out);
	if (!gp->drawn)
		fputs("Plots are missing.", out);
	else
		fprintf(out, "%u of %u plots are missing.", gp->failed, gp->failed + gp->drawn);
	fputs("</b> ", out);
	html_text(out, gp->why);
	fputs(" Every table is complete.</div>\n", out);
}

/* 0, or -EINVAL with a message when doc is not a results document this code can read. */
static int check_doc(const json_t *doc, char *err, size_t errlen)
{
	const char *schema = doc_str(doc, "schema");
	const json_t *ver = doc_get(doc, "version");
	json_int_t v;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "not a syslab results document (not a JSON object)");
		return -EINVAL;
	}
	if (!schema || strcmp(schema, RESULTS_SCHEMA)) {
		snprintf(err, errlen, "not a syslab results document (schema is not \"%s\")", RESULTS_SCHEMA);
		return -EINVAL;
	}
	if (!json_is_integer(ver)) {
		snprintf(err, errlen, "not a syslab results document (no integer version)");
		return -EINVAL;
	}
	v = json_integer_value(ver);
	if (v > RESULTS_VERSION) {
		snprintf(err, errlen,
			 "results version %" JSON_INTEGER_FORMAT " is newer than this syslab reads (%d)", v,
			 RESULTS_VERSION);
		return -EINVAL;
	}
	if (v < 1) {
		snprintf(err, errlen, "results version %" JSON_INTEGER_FORMAT " is not valid", v);
		return -EINVAL;
	}
	return 0;
}

/* Writes buf[len] to path, which is removed again when it could not be written whole. */
static int write_file(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	int e = 0;

	if (!f) {
		e = errno;
		goto fail;
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f) != 0)
		e = errno ? errno : EIO;
	if (fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e)
		return 0;
	unlink(path);
fail:
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
	return -e;
}

/* Closes a memory stream f: rc, or -ENOMEM when rc is 0 and the stream ran out of memory. */
static int close_memstream(FILE *f, int rc)
{
	if (ferror(f) && !rc)
		rc = -ENOMEM;
	if (fclose(f) != 0 && !rc)
		rc = -ENOMEM;
	return rc;
}

/* The experiments go first into their own buffer: the banner at the top depends on the plots. */
static int render_experiments(const json_t *doc, struct gp *gp, char **buf, size_t *len)
{
	const json_t *exps = doc_arr(doc, "experiments");
	FILE *f = open_memstream(buf, len);
	int rc = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < doc_len(exps) && !rc; i++)
		rc = write_experiment(f, gp, exps, i);
	if (!doc_len(exps))
		fputs("<p class=\"muted\">This run has no experiments.</p>\n", f);
	return close_memstream(f, rc);
}

/* The whole page into *buf (caller frees), around the experiments already rendered. */
static int render_page(const json_t *doc, const struct gp *gp, const char *exps, size_t nexps, char **buf,
		       size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		return -ENOMEM;
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>syslab report</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
		css);
	write_header(f, doc);
	write_nav(f, doc);
	write_banner(f, gp);
	write_summary(f, doc);
	machine_write(f, doc);
	fwrite(exps, 1, nexps, f);
	fprintf(f, "<footer>Rendered by syslab from a results document (schema %s, version %d). ",
		RESULTS_SCHEMA, RESULTS_VERSION);
	fputs(gp->drawn ? "Plots drawn by gnuplot." : "No plots: gnuplot did not draw any.", f);
	fputs("</footer>\n</main>\n</body>\n</html>\n", f);
	return close_memstream(f, 0);
}

int report_write_html(const json_t *doc, const char *path, char *err, size_t errlen)
{
	char *exps = NULL, *page = NULL, dummy[8];
	size_t nexps = 0, npage = 0;
	struct gp *gp = NULL;
	int rc;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	rc = check_doc(doc, err, errlen);
	if (rc)
		return rc;
	if (!path || !*path) {
		snprintf(err, errlen, "no path to write the report to");
		return -EINVAL;
	}
	gp = malloc(sizeof *gp);
	if (!gp) {
		rc = -ENOMEM;
		goto out;
	}
	gp_init(gp);
	rc = render_experiments(doc, gp, &exps, &nexps);
	if (!rc)
		rc = render_page(doc, gp, exps, nexps, &page, &npage);
	if (!rc)
		rc = write_file(path, page, npage, err, errlen);
out:
	if (rc == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory while rendering the report");
	if (gp)
		gp_cleanup(gp);
	free(gp);
	free(exps);
	free(page);
	return rc;
}
