/* SPDX-License-Identifier: MIT */
/* report_plot: the plots of an experiment (medians, samples, matrices, percentiles) as gnuplot scripts. */
#include <syslab/report.h>

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/*
 * One palette for every plot and legend, so a group has the same colour everywhere. Tableau 10,
 * reordered so that green and red (the verdict colours) come last.
 */
static const unsigned palette[] = {0x4e79a7, 0xf28e2b, 0x76b7b2, 0xb07aa1, 0xedc948,
				   0x9c755f, 0xff9da7, 0x59a14f, 0xe15759, 0xbab0ac};
static_assert(sizeof palette / sizeof palette[0] == PLOT_NCOLORS, "PLOT_NCOLORS is the palette's size");

void plot_swatch(FILE *f, int color)
{
	fprintf(f, "<span class=\"sw\" style=\"background:#%06x\"></span>", palette[color % PLOT_NCOLORS]);
}

/* ---- the cases an experiment plots ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct_sorted(const double *s, size_t n, double p)
{
	double h;
	size_t lo;

	if (!n)
		return NAN;
	h = (double)(n - 1) * p / 100.0;
	lo = (size_t)h;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

int pset_color(const struct pset *ps, const char *g)
{
	for (size_t i = 0; i < ps->ngroups; i++)
		if (strcmp(ps->groups[i], g ? g : "") == 0)
			return (int)i;
	return -1;
}

/* The colour of group g, which gets the next one when it is new (the last when they run out). */
static int group_index(struct pset *ps, const char *g)
{
	int i = pset_color(ps, g);

	if (i >= 0)
		return i;
	if (ps->ngroups < sizeof ps->groups / sizeof ps->groups[0])
		ps->groups[ps->ngroups++] = g ? g : "";
	return (int)ps->ngroups - 1;
}

void pset_free(struct pset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].x);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/* Case c's label, sorted samples, median and CI into pc (its colour and row are the caller's). */
static int pcase_init(struct pcase *pc, const json_t *c)
{
	const json_t *smp = doc_arr(c, "samples");

	pc->c = c;
	pc->label = doc_case_label(c);
	pc->x = malloc((doc_len(smp) + 1) * sizeof *pc->x);
	if (!pc->x)
		return -ENOMEM;
	for (size_t k = 0; k < doc_len(smp); k++) {
		double v = doc_num_value(json_array_get(smp, k));
		if (isfinite(v))
			pc->x[pc->n++] = v;
	}
	qsort(pc->x, pc->n, sizeof *pc->x, cmp_double);
	pc->median = doc_num(doc_obj(c, "summary"), "median");
	if (!isfinite(pc->median))
		pc->median = pct_sorted(pc->x, pc->n, 50);
	pc->lo = doc_num(doc_obj(c, "ci"), "lo");
	pc->hi = doc_num(doc_obj(c, "ci"), "hi");
	return 0;
}

/* Collects the ok cases of exp, ordered by group (first seen first), then as listed. */
int pset_init(struct pset *ps, const json_t *exp)
{
	const json_t *cases = doc_arr(exp, "cases");
	size_t nc = doc_len(cases);
	double pos = 0;

	memset(ps, 0, sizeof *ps);
	if (!nc)
		return 0;
	ps->v = calloc(nc, sizeof *ps->v);
	if (!ps->v)
		return -ENOMEM;
	for (size_t i = 0; i < nc; i++)
		if (strcmp(doc_case_status(json_array_get(cases, i)), "ok") == 0)
			group_index(ps, doc_str(json_array_get(cases, i), "group"));
	for (size_t g = 0; g < ps->ngroups; g++) {
		if (g)
			pos += 0.6; /* a gap between groups */
		for (size_t i = 0; i < nc; i++) {
			const json_t *c = json_array_get(cases, i);
			struct pcase *pc;
			if (strcmp(doc_case_status(c), "ok") ||
			    group_index(ps, doc_str(c, "group")) != (int)g)
				continue;
			pc = &ps->v[ps->n++];
			pc->color = (int)g;
			pc->pos = pos++;
			if (!ps->unit)
				ps->unit = doc_str(c, "unit");
			if (pcase_init(pc, c) < 0)
				return -ENOMEM;
		}
	}
	ps->rows = pos;
	return 0;
}

static void legend(FILE *out, const struct pset *ps)
{
	if (ps->ngroups < 2)
		return;
	fputs("<div class=\"legend\">", out);
	for (size_t g = 0; g < ps->ngroups; g++) {
		fputs("<span>", out);
		plot_swatch(out, (int)g);
		html_text(out, ps->groups[g][0] ? ps->groups[g] : "(no group)");
		fputs("</span>", out);
	}
	fputs("</div>\n", out);
}

static int chart_height(const struct pset *ps)
{
	double h = 96 + 30 * ps->rows;
	return h > 2400 ? 2400 : (int)h;
}

/* Code points of s up to the cut gp_field makes. */
static size_t label_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n > PLOT_LABEL_MAX_CHARS ? PLOT_LABEL_MAX_CHARS + 1 : n;
}

/*
 * The horizontal charts' common axes: on the left, room for the longest case label (gnuplot's
 * own estimate is far too wide for a proportional font) and the cases in rows top down; below,
 * the values in the cases' unit.
 */
static void gp_case_axes(FILE *gp, const struct pset *ps, int width)
{
	size_t chars = 4;
	char u[64];
	double px;

	for (size_t i = 0; i < ps->n; i++)
		if (label_chars(ps->v[i].label) > chars)
			chars = label_chars(ps->v[i].label);
	px = 24 + 7.4 * (double)chars;
	fprintf(gp,
		"set lmargin at screen %.4f\nset rmargin at screen 0.95\n"
		"set ytics scale 0 tc rgb '#24292f'\nset yrange [%g:-0.6]\n",
		fmin(px / width, 0.6), ps->rows - 0.4);
	fprintf(gp,
		"set border 1 lc rgb '#8c959f'\n"
		"set xtics out scale 0.5\n"
		"set grid xtics lc rgb '#e6e9ed' lw 1 dt solid\n"
		"set xlabel '%s' tc rgb '#57606a'\n"
		"set tmargin 1\n",
		gp_safe(u, sizeof u, ps->unit ? ps->unit : "value"));
}

/* A tic's label with an SI suffix: 300, 2k, 10k, 1M (the axis title gives the unit). */
static void gp_si_label(char *buf, size_t len, double t)
{
	static const char *const suffix[] = {"", "k", "M", "G", "T"};
	int k = 0;
	while (k < 4 && t >= 1000) {
		t /= 1000;
		k++;
	}
	snprintf(buf, len, "%.3g%s", t, suffix[k]);
}

/*
 * A log x axis over [lo, hi]. The tics thin out as the span grows, so their labels never run
 * into each other: 1, 2, 3, 5 per decade over up to two decades, 1 and 3 up to four, then only
 * the powers of ten.
 */
static void gp_log_xaxis(FILE *gp, double lo, double hi)
{
	static const double dense[] = {1, 2, 3, 5}, medium[] = {1, 3}, sparse[] = {1};
	double decades = log10(hi / lo);
	const double *m = decades <= 2 ? dense : decades <= 4 ? medium : sparse;
	size_t nm = decades <= 2 ? 4 : decades <= 4 ? 2 : 1;
	bool first = true;
	char label[16];

	fputs("set xtics (", gp);
	for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)); e++) {
		for (size_t k = 0; k < nm; k++) {
			double t = m[k] * pow(10, e);
			if (t < lo || t > hi)
				continue;
			gp_si_label(label, sizeof label, t);
			fprintf(gp, "%s'%s' %.9g", first ? "" : ", ", label, t);
			first = false;
		}
	}
	fprintf(gp, "%s) out scale 0.5\n", first ? "1" : "");
	fprintf(gp, "set logscale x\nset xrange [%.9g:%.9g]\n", lo, hi);
}

/* (a) Medians with their 95% CI as horizontal bars, grouped and coloured by group. */
static void plot_medians(struct gp *gp, const struct pset *ps, FILE *out)
{
	double mn = INFINITY, mx = 0;
	char v[64];
	struct plot p = {0};
	bool logx;
	size_t m = 0;
	FILE *d;

	for (size_t i = 0; i < ps->n; i++) {
		const struct pcase *c = &ps->v[i];
		if (!isfinite(c->median))
			continue;
		m++;
		mn = fmin(mn, fmin(c->median, isfinite(c->lo) ? c->lo : c->median));
		mx = fmax(mx, fmax(c->median, isfinite(c->hi) ? c->hi : c->median));
	}
	if (!m)
		return;
	fputs("<figure class=\"plot wide\"><figcaption>Median of each case, with its 95% confidence "
	      "interval</figcaption>\n",
	      out);
	/* Bars from 0 hide small values when the medians span decades: then dots on a log axis. */
	logx = mn > 0 && mx / mn > 50;
	if (!gp_begin(gp, &p, 1000, chart_height(ps)) || !(d = gp_data(gp, &p, ""))) {
		gp_abort(gp, &p, out);
		goto legend;
	}
	for (size_t i = 0; i < ps->n; i++) {
		const struct pcase *c = &ps->v[i];
		if (!isfinite(c->median))
			continue;
		fprintf(d, "%g\t%.9g\t%.9g\t%.9g\t%u\t", c->pos, c->median,
			isfinite(c->lo) ? c->lo : c->median, isfinite(c->hi) ? c->hi : c->median,
			palette[c->color % PLOT_NCOLORS]);
		gp_field(d, report_fmt_value(v, sizeof v, c->median, ps->unit));
		fputc('\t', d);
		gp_field(d, c->label);
		fputc('\n', d);
	}
	fclose(d);
	gp_case_axes(p.gp, ps, 1000);
	fputs("set style fill solid 0.88 noborder\n", p.gp);
	if (logx) {
		gp_log_xaxis(p.gp, mn / 1.5, mx * 4);
		fprintf(p.gp,
			"plot '%s.dat' using 2:1:3:4:5:ytic(7) with xerrorbars lc rgb variable lw 1.5 pt 7 "
			"ps 0.8, "
			"'' using 4:1:6 with labels left offset char 0.8,0 tc rgb '#24292f' font ',11'\n",
			p.name);
	} else {
		fprintf(p.gp,
			"set xrange [%.9g:%.9g]\n"
			"plot '%s.dat' using 2:1:(0):2:($1-0.36):($1+0.36):5 with boxxyerror lc rgb "
			"variable, "
			"'' using 2:1:3:4:ytic(7) with xerrorbars lc rgb '#24292f' lw 1.2 pt 7 ps 0.3, "
			"'' using 4:1:6 with labels left offset char 0.8,0 tc rgb '#24292f' font ',11'\n",
			fmin(0, mn * 1.2), mx > 0 ? mx * 1.2 : 1, p.name);
	}
	gp_end(gp, &p, out);
legend:
	legend(out, ps);
	fputs("</figure>\n", out);
}

/* A reproducible jitter in [-0.5, 0.5) (splitmix64), so a re-render draws the same page. */
static double jitter(uint64_t k)
{
	k += 0x9e3779b97f4a7c15ull;
	k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9ull;
	k = (k ^ (k >> 27)) * 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (double)(k >> 11) / 9007199254740992.0 - 0.5;
}

/* Case c, the i-th, in the samples plot: its box and whiskers into b, its points into d. */
static void samples_case(FILE *d, FILE *b, const struct pcase *c, size_t i)
{
	double q1 = pct_sorted(c->x, c->n, 25), q3 = pct_sorted(c->x, c->n, 75);
	double med = pct_sorted(c->x, c->n, 50), iqr = q3 - q1, wlo = q1, whi = q3;

	for (size_t k = 0; k < c->n; k++) {
		if (c->x[k] >= q1 - 1.5 * iqr && c->x[k] < wlo)
			wlo = c->x[k];
		if (c->x[k] <= q3 + 1.5 * iqr && c->x[k] > whi)
			whi = c->x[k];
	}
	fprintf(b, "%g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%u\t", c->pos, q1, q3, med, wlo, whi,
		palette[c->color % PLOT_NCOLORS]);
	gp_field(b, c->label);
	fputc('\n', b);
	/* Points at 45% opacity (gnuplot's alpha byte is transparency) so dense runs show. */
	for (size_t k = 0; k < c->n; k++)
		fprintf(d, "%.6f\t%.9g\t%u\n", c->pos + 0.5 * jitter(((uint64_t)i << 32) | k), c->x[k],
			0x8c000000u | palette[c->color % PLOT_NCOLORS]);
}

/* (b) Every sample of every ok case: a box (quartiles, Tukey whiskers) and the jittered points. */
static void plot_samples(struct gp *gp, const struct pset *ps, FILE *out)
{
	double mn = INFINITY, mx = -INFINITY, mlo = INFINITY, mhi = 0;
	struct plot p = {0};
	size_t m = 0;
	FILE *d = NULL, *b = NULL;
	bool logx;

	for (size_t i = 0; i < ps->n; i++) {
		if (!ps->v[i].n)
			continue;
		m++;
		mn = fmin(mn, ps->v[i].x[0]);
		mx = fmax(mx, ps->v[i].x[ps->v[i].n - 1]);
		mlo = fmin(mlo, ps->v[i].median);
		mhi = fmax(mhi, ps->v[i].median);
	}
	if (!m)
		return;
	/*
	 * Noise is relative: when the medians differ by more than 4x, a log axis draws each case's
	 * spread at the same scale, instead of squashing the fast cases into a line.
	 */
	logx = mn > 0 && (mx / mn > 30 || mhi / mlo > 4);
	fprintf(out,
		"<figure class=\"plot wide\"><figcaption>Every sample: box from the 25th to the 75th "
		"percentile, line at the median, whiskers to the farthest sample within 1.5 "
		"IQR%s</figcaption>\n",
		logx ? " (log scale, so that every case's spread shows at the same scale)" : "");
	if (!gp_begin(gp, &p, 1000, chart_height(ps)) || !(d = gp_data(gp, &p, "")) ||
	    !(b = gp_data(gp, &p, "-box"))) {
		if (d)
			fclose(d);
		gp_abort(gp, &p, out);
		goto legend;
	}
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].n)
			samples_case(d, b, &ps->v[i], i);
	fclose(d);
	fclose(b);
	gp_case_axes(p.gp, ps, 1000);
	if (logx) {
		gp_log_xaxis(p.gp, mn / 1.2, mx * 1.2);
	} else {
		/* 5% of room either side; a case whose samples are all equal still gets an axis. */
		double pad = mx > mn ? (mx - mn) * 0.05 : mn != 0 ? fabs(mn) * 0.05 : 1;
		fprintf(p.gp, "set xrange [%.9g:%.9g]\n", mn >= 0 ? fmax(0, mn - pad) : mn - pad, mx + pad);
	}
	fprintf(p.gp,
		"plot '%s-box.dat' using (($2+$3)/2):1:2:3:($1-0.32):($1+0.32):7 with boxxyerror "
		"fs solid 0.16 border lc rgb '#8c959f' lc rgb variable, "
		"'' using 5:1:($2-$5):(0) with vectors nohead lc rgb '#57606a' lw 1.2, "
		"'' using 3:1:($6-$3):(0) with vectors nohead lc rgb '#57606a' lw 1.2, "
		"'%s.dat' using 2:1:3 with points pt 7 ps 0.42 lc rgb variable, "
		"'%s-box.dat' using 4:($1-0.32):(0):(0.64) with vectors nohead lc rgb '#24292f' lw 2.2, "
		"'' using (NaN):1:ytic(8)\n",
		p.name, p.name, p.name);
	gp_end(gp, &p, out);
legend:
	legend(out, ps);
	fputs("</figure>\n", out);
}

/* The widest row of a matrix's values; mn and mx: the range of its numbers (mn > mx when none). */
static size_t matrix_extent(const json_t *vals, double *mn, double *mx)
{
	size_t nc = 0;

	*mn = INFINITY;
	*mx = -INFINITY;
	for (size_t r = 0; r < doc_len(vals); r++) {
		const json_t *row = json_array_get(vals, r);
		if (doc_len(row) > nc)
			nc = doc_len(row);
		for (size_t c = 0; c < doc_len(row); c++) {
			double x = doc_num_value(json_array_get(row, c));
			if (isfinite(x)) {
				*mn = fmin(*mn, x);
				*mx = fmax(*mx, x);
			}
		}
	}
	return nc;
}

/* A heat map's data files, one for each thing it draws, and how many cells are numbers or null. */
struct heat {
	FILE *cells, *lt, *dk, *nul; /* numbers, their text in light and dark type, null cells */
	FILE *xt, *yt;               /* the tic labels */
	size_t nnum, nnull;
};

static bool heat_open(struct gp *gp, const struct plot *p, struct heat *hm)
{
	return (hm->cells = gp_data(gp, p, "-cells")) && (hm->lt = gp_data(gp, p, "-lt")) &&
	       (hm->dk = gp_data(gp, p, "-dk")) && (hm->nul = gp_data(gp, p, "-null")) &&
	       (hm->xt = gp_data(gp, p, "-xt")) && (hm->yt = gp_data(gp, p, "-yt"));
}

static void heat_close(struct heat *hm)
{
	FILE *fs[] = {hm->cells, hm->lt, hm->dk, hm->nul, hm->xt, hm->yt};

	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if (fs[i])
			fclose(fs[i]);
}

/* Every cell of the nr x nc matrix vals, numbers scaled to [mn, mx], into the file that draws it. */
static void heat_cells(struct heat *hm, const json_t *vals, size_t nr, size_t nc, double mn, double mx)
{
	char v[64];

	for (size_t r = 0; r < nr; r++) {
		const json_t *row = json_array_get(vals, r);
		for (size_t c = 0; c < nc; c++) {
			double x = doc_num_value(json_array_get(row, c));
			if (!isfinite(x)) {
				fprintf(hm->nul, "%zu\t%zu\n", c, r);
				hm->nnull++;
				continue;
			}
			fprintf(hm->cells, "%zu\t%zu\t%.9g\n", c, r, x);
			hm->nnum++;
			/* White text on the dark end of the palette, dark text elsewhere. */
			FILE *tf = (x - mn) / (mx - mn) > 0.58 ? hm->lt : hm->dk;
			fprintf(tf, "%zu\t%zu\t%s\n", c, r, fmt_sig3(v, sizeof v, x));
		}
	}
}

/* The tic labels of n rows or columns: each one's name, or its index when it has none. */
static void heat_tics(FILE *f, const json_t *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%zu\t", i);
		if (json_is_string(json_array_get(names, i)))
			gp_field(f, json_string_value(json_array_get(names, i)));
		else
			fprintf(f, "%zu", i);
		fputc('\n', f);
	}
}

/* (c) A matrix as a heat map, the value printed in each cell; null cells grey and empty. */
static void plot_matrix(struct gp *gp, const json_t *mat, FILE *out)
{
	const json_t *vals = doc_arr(mat, "values");
	const char *unit = doc_str(mat, "unit");
	size_t nr = doc_len(vals), nc;
	double mn, mx;
	char u[64], t1[96], t2[96];
	struct heat hm = {0};
	struct plot p = {0};
	int cs, w, h;
	bool texts;

	nc = matrix_extent(vals, &mn, &mx);
	if (!nr || !nc || nr > 512 || nc > 512)
		return;
	cs = (int)(440 / (nr > nc ? nr : nc));
	cs = cs > 64 ? 64 : cs < 10 ? 10 : cs;
	texts = cs >= 34;
	w = 190 + cs * (int)nc;
	h = 90 + cs * (int)nr;
	fprintf(out, "<figure class=\"plot\" style=\"width:%dpx\"><figcaption>", w);
	html_text(out, doc_str_or(mat, "title", doc_str_or(mat, "name", "Matrix")));
	if (unit) {
		fputs(" (", out);
		html_text(out, unit);
		fputs(")", out);
	}
	fputs("</figcaption>\n", out);
	if (!gp_begin(gp, &p, w, h) || !heat_open(gp, &p, &hm)) {
		heat_close(&hm);
		gp_abort(gp, &p, out);
		fputs("</figure>\n", out);
		return;
	}
	if (!isfinite(mn)) {
		mn = 0; /* only null cells: no scale to show */
		fputs("unset colorbox\n", p.gp);
	}
	if (!(mx > mn))
		mx = mn + 1;
	heat_cells(&hm, vals, nr, nc, mn, mx);
	heat_tics(hm.xt, doc_arr(mat, "cols"), nc);
	heat_tics(hm.yt, doc_arr(mat, "rows"), nr);
	heat_close(&hm);
	fprintf(p.gp,
		"set border 0\nset tics scale 0\n"
		"set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
		"set xlabel '%s' tc rgb '#57606a'\nset ylabel '%s' tc rgb '#57606a'\n"
		"set cblabel '%s' tc rgb '#57606a'\nset cbrange [%.9g:%.9g]\nset cbtics scale 0.5\n"
		"set colorbox user origin graph 1.04,0 size graph 0.05,1 noborder\n"
		"set rmargin 12\nset tmargin 1\nset size ratio %g\n"
		"set palette defined (0 '#eef4fb', 0.35 '#9ecae1', 0.7 '#3b7fc0', 1 '#0b3c78')\n"
		"set style fill solid 1 border lc rgb '#ffffff'\n"
		"plot '%s-xt.dat' using 1:(NaN):xtic(2), '%s-yt.dat' using (NaN):1:ytic(2)",
		nc - 1, nr - 1, gp_safe(t1, sizeof t1, doc_str(mat, "col_title")),
		gp_safe(t2, sizeof t2, doc_str(mat, "row_title")), gp_safe(u, sizeof u, unit), mn, mx,
		(double)nr / (double)nc, p.name, p.name);
	if (hm.nnum)
		fprintf(p.gp, ", '%s-cells.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette", p.name);
	if (hm.nnull)
		fprintf(p.gp, ", '%s-null.dat' using 1:2:(0.5):(0.5) with boxxyerror fc rgb '#e4e7eb'",
			p.name);
	if (texts && hm.nnum)
		fprintf(p.gp,
			", '%s-dk.dat' using 1:2:3 with labels tc rgb '#1f2328' font ',%d'"
			", '%s-lt.dat' using 1:2:3 with labels tc rgb '#ffffff' font ',%d'",
			p.name, cs >= 50 ? 13 : 11, p.name, cs >= 50 ? 13 : 11);
	fputs("\n", p.gp);
	gp_end(gp, &p, out);
	fputs("</figure>\n", out);
}

/* A case's histogram, or NULL when it has no buckets to draw. */
static const json_t *case_hist(const json_t *c)
{
	const json_t *hh = doc_obj(c, "hist");
	return doc_len(doc_arr(hh, "buckets")) ? hh : NULL;
}

/* How many values histogram hh holds: its total, else what its buckets count. */
static double hist_total(const json_t *hh)
{
	const json_t *bk = doc_arr(hh, "buckets");
	double total = doc_num(hh, "total");

	if (total > 0)
		return total;
	total = 0;
	for (size_t k = 0; k < doc_len(bk); k++)
		total += fmax(0, doc_num_value(json_array_get(json_array_get(bk, k), 2)));
	return total;
}

struct hist_range {
	double ymin, ymax, xmax;
};

/*
 * Histogram hh, of total values, as a staircase in d coloured color: a bucket's upper bound
 * holds from the percentile the bucket starts at to the one it ends at. The last point is capped
 * at 1/(1-p) = total, the rank of the slowest recorded value. Widens r to what it drew.
 */
static void hist_staircase(FILE *d, const json_t *hh, double total, unsigned color, struct hist_range *r)
{
	const json_t *bk = doc_arr(hh, "buckets");
	double cum = 0;

	for (size_t k = 0; k < doc_len(bk); k++) {
		const json_t *b = json_array_get(bk, k);
		double hi = doc_num_value(json_array_get(b, 1)), n = doc_num_value(json_array_get(b, 2));
		double x0, x1;
		if (!isfinite(hi) || !(n > 0) || cum >= total)
			continue;
		x0 = 1 / (1 - cum / total);
		cum = fmin(total, cum + n);
		x1 = cum >= total ? total : 1 / (1 - cum / total);
		fprintf(d, "%.9g\t%.9g\t%u\n%.9g\t%.9g\t%u\n", x0, hi, color, x1, hi, color);
		if (hi > 0)
			r->ymin = fmin(r->ymin, hi);
		r->ymax = fmax(r->ymax, hi);
		r->xmax = fmax(r->xmax, x1);
	}
}

/*
 * The cases one percentile figure draws: those with a histogram, of group g (any group when g
 * is NULL), from the first'th such case on, at most PLOT_NCOLORS of them so no colour repeats.
 */
struct hist_pick {
	const json_t *cases;
	const char *group;
	size_t first;
};

static bool hist_picked(const struct hist_pick *hp, size_t i, size_t *seen)
{
	const json_t *c = json_array_get(hp->cases, i);
	if (!case_hist(c) || (hp->group && strcmp(doc_str_or(c, "group", ""), hp->group) != 0))
		return false;
	size_t k = (*seen)++;
	return k >= hp->first && k < hp->first + PLOT_NCOLORS;
}

/* The legend and the recorded percentiles, in the colours of the curves. */
static void hist_legend(FILE *out, const struct hist_pick *hp)
{
	static const char *const keys[] = {"p50", "p90", "p99", "p999", "max"};
	size_t nh = 0, seen = 0;
	char v[64];

	fputs("<div class=\"legend col\">", out);
	for (size_t i = 0; i < doc_len(hp->cases); i++) {
		const json_t *c = json_array_get(hp->cases, i), *hh = case_hist(c);
		if (!hist_picked(hp, i, &seen))
			continue;
		fputs("<span>", out);
		plot_swatch(out, (int)nh++);
		html_text(out, doc_case_label(c));
		fputs(" <small>", out);
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			double x = doc_num(hh, keys[k]);
			if (!isfinite(x))
				continue;
			fprintf(out, "%s%s ", k ? " · " : "", strcmp(keys[k], "p999") ? keys[k] : "p99.9");
			html_text(out, report_fmt_value(v, sizeof v, x, doc_str(hh, "unit")));
		}
		fputs("</small></span>", out);
	}
	fputs("</div>\n", out);
}

/* (d) Latency by percentile from the histograms hp picks, on HdrHistogram's 1/(1-p) axis. */
static void plot_hist_figure(struct gp *gp, const struct hist_pick *hp, const char *caption, FILE *out)
{
	struct hist_range r = {INFINITY, 0, 100};
	const char *unit = NULL;
	struct plot p = {0};
	char u[64];
	size_t nh = 0, seen = 0;
	FILE *d;

	fputs("<figure class=\"plot\" style=\"width:540px\"><figcaption>", out);
	html_text(out, caption);
	fputs("</figcaption>\n", out);
	if (!gp_begin(gp, &p, 540, 346) || !(d = gp_data(gp, &p, ""))) {
		gp_abort(gp, &p, out);
		fputs("</figure>\n", out);
		return;
	}
	for (size_t i = 0; i < doc_len(hp->cases); i++) {
		const json_t *hh = case_hist(json_array_get(hp->cases, i));
		if (!hist_picked(hp, i, &seen) || !(hist_total(hh) > 0))
			continue;
		if (nh)
			fputs("\n\n", d);
		if (!unit)
			unit = doc_str(hh, "unit");
		hist_staircase(d, hh, hist_total(hh), palette[nh % PLOT_NCOLORS], &r);
		nh++;
	}
	fclose(d);
	fprintf(p.gp,
		"set logscale x\nset xrange [1:%.9g]\n"
		/* Tic labels are formats to gnuplot: "%%%%" here is one '%' on the plot. */
		"set xtics ('0%%%%' 1, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1e3, '99.99%%%%' 1e4, "
		"'99.999%%%%' 1e5, '99.9999%%%%' 1e6, '99.99999%%%%' 1e7) out scale 0.5 font ',11'\n"
		"set grid xtics ytics lc rgb '#e6e9ed' lw 1 dt solid\n"
		"set xlabel 'percentile' tc rgb '#57606a'\nset ylabel '%s' tc rgb '#57606a'\n"
		"set ytics out scale 0.5\nset rmargin 6\nset tmargin 1\n",
		pow(10, ceil(log10(r.xmax))), gp_safe(u, sizeof u, unit ? unit : "value"));
	/* Tails run to 100x the median and more: a log axis keeps the body of the curve visible. */
	if (r.ymin > 0 && r.ymax / r.ymin > 20)
		fprintf(p.gp, "set logscale y\nset yrange [%.9g:%.9g]\n", r.ymin / 1.3, r.ymax * 1.5);
	else
		fprintf(p.gp, "set yrange [0:%.9g]\n", r.ymax > 0 ? r.ymax * 1.1 : 1);
	fprintf(p.gp, "plot for [i=0:%zu] '%s.dat' index i using 1:2:3 with lines lw 2 lc rgb variable\n",
		nh ? nh - 1 : 0, p.name);
	gp_end(gp, &p, out);
	hist_legend(out, hp);
	fputs("</figure>\n", out);
}

/* The percentile figures: one per group that has histograms (one in all when only one group has). */
static void plot_hists(struct gp *gp, const json_t *exp, FILE *out)
{
	const json_t *cases = doc_arr(exp, "cases");
	const char *groups[64];
	size_t ng = 0, count[64] = {0};
	char caption[160];

	for (size_t i = 0; i < doc_len(cases); i++) {
		const json_t *c = json_array_get(cases, i);
		const char *g = doc_str_or(c, "group", "");
		size_t k = 0;
		if (!case_hist(c))
			continue;
		while (k < ng && strcmp(groups[k], g) != 0)
			k++;
		if (k == ng && ng < 64)
			groups[ng++] = g;
		if (k < ng)
			count[k]++;
	}
	for (size_t k = 0; k < ng; k++)
		for (size_t first = 0; first < count[k]; first += PLOT_NCOLORS) {
			struct hist_pick hp = {cases, ng > 1 ? groups[k] : NULL, first};
			int n = snprintf(caption, sizeof caption,
					 "Latency by percentile, from each case's histogram");
			if (ng > 1 && n > 0)
				n += snprintf(caption + n, sizeof caption - (size_t)n, ": %s", groups[k]);
			if (count[k] > PLOT_NCOLORS && n > 0)
				snprintf(caption + n, sizeof caption - (size_t)n, " (%zu of %zu)",
					 first / PLOT_NCOLORS + 1,
					 (count[k] + PLOT_NCOLORS - 1) / PLOT_NCOLORS);
			plot_hist_figure(gp, &hp, caption, out);
		}
}

/* The Plots heading and every plot of exp, or nothing when it has nothing to plot. */
void plot_experiment(FILE *out, struct gp *gp, const json_t *exp, const struct pset *ps)
{
	const json_t *mats = doc_arr(exp, "matrices");
	size_t nmat = 0, nhist = 0;

	for (size_t i = 0; i < doc_len(mats); i++)
		nmat += doc_len(doc_arr(json_array_get(mats, i), "values")) > 0;
	for (size_t i = 0; i < doc_len(doc_arr(exp, "cases")); i++)
		nhist += case_hist(json_array_get(doc_arr(exp, "cases"), i)) != NULL;
	if (!ps->n && !nmat && !nhist)
		return;
	fputs("<h3>Plots</h3>\n", out);
	if (!gp->usable) {
		/* One line instead of an empty frame per plot: the banner at the top says why. */
		fputs("<p class=\"plotnote\">No plots: see the note at the top of the page.</p>\n", out);
		return;
	}
	fputs("<div class=\"plots\">\n", out);
	plot_medians(gp, ps, out);
	plot_samples(gp, ps, out);
	for (size_t i = 0; i < doc_len(mats); i++)
		plot_matrix(gp, json_array_get(mats, i), out);
	plot_hists(gp, exp, out);
	fputs("</div>\n", out);
}
