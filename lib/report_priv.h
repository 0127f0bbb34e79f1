/* SPDX-License-Identifier: MIT */
/* report_priv: what the files of the HTML report (lib/report*.c) share with each other only. */
#ifndef SYSLAB_REPORT_PRIV_H
#define SYSLAB_REPORT_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Labels in plots are cut to this many code points, with "…". */
#define PLOT_LABEL_MAX_CHARS 56
/* Colours in the palette every plot and legend shares (report_plot.c). */
#define PLOT_NCOLORS 10

/*
 * report_fmt.c: reading the document. Anything absent or of the wrong type reads as absent:
 * NULL, NaN, -1 or 0. Every node returned is borrowed from the document.
 */
const json_t *doc_get(const json_t *o, const char *key);
const char *doc_str(const json_t *o, const char *key);
/* The string at key, or fallback when there is none. */
const char *doc_str_or(const json_t *o, const char *key, const char *fallback);
/* A finite number, or NaN: doc_num_value of a node, doc_num of o's member key. */
double doc_num_value(const json_t *v);
double doc_num(const json_t *o, const char *key);
/* 1 or 0, or -1 when absent or not a boolean. */
int doc_bool(const json_t *o, const char *key);
const json_t *doc_arr(const json_t *o, const char *key);
const json_t *doc_obj(const json_t *o, const char *key);
/* The length of an array; 0 for NULL and for anything else. */
size_t doc_len(const json_t *a);
/* A case's status ("ok", "failed", ...), and the label the page shows for it. */
const char *doc_case_status(const json_t *c);
const char *doc_case_label(const json_t *c);

/*
 * report_fmt.c: numbers as the page shows them, into buf[len], which they return; cut to fit.
 * Beside report_fmt_value (include/syslab/report.h), and like it NaN prints as an em dash:
 */
/* "2.39–2.42 ns/op": both ends with 3 significant digits in the scale of the larger. */
const char *fmt_range(char *buf, size_t len, double lo, double hi, const char *unit);
/* 3 significant digits, without a unit. */
const char *fmt_sig3(char *buf, size_t len, double v);
/* Seconds, as "3.50 s" or, from two minutes up, "2 min 05 s". */
const char *fmt_duration(char *buf, size_t len, double s);
/* A byte count as people say it: 32 KiB, 1.25 MiB (v is finite). */
const char *fmt_bytes(char *buf, size_t len, double v);
/* one when n is 1, else many. */
const char *fmt_plural(double n, const char *one, const char *many);

/* report_fmt.c: writes s (may be NULL) as HTML text, also safe inside a quoted attribute. */
void html_text(FILE *f, const char *s);

/* report_gnuplot.c: gnuplot, found once per page, run once per plot in a private directory. */
struct gp {
	char bin[PATH_MAX];
	char dir[PATH_MAX]; /* private temp dir, "" until the first plot makes it */
	bool usable;        /* false once gnuplot is known not to run */
	char why[320];      /* why plots are missing, for the banner at the top */
	unsigned drawn, failed, next_id;
	int timeout_ms;
};

/* A plot being made: its files in the private dir are named after id. */
struct plot {
	unsigned id;
	char name[32];
	FILE *gp; /* the script */
};

/* Finds gnuplot and reads the timeout from the environment; never fails (see gp->usable). */
void gp_init(struct gp *gp);
/* Removes the private directory and everything in it. */
void gp_cleanup(struct gp *gp);
/* Starts plot p (script open, terminal set); false when plots cannot be made: then gp_abort. */
bool gp_begin(struct gp *gp, struct plot *p, int width, int height);
/* Opens data file SUFFIX of plot p for writing (p->name SUFFIX .dat in the script). */
FILE *gp_data(struct gp *gp, const struct plot *p, const char *suffix);
/* Gives up on p before gnuplot runs, with a note in out saying why. */
void gp_abort(struct gp *gp, struct plot *p, FILE *out);
/* Runs gnuplot on p and inlines its SVG into out, or writes a note saying why not. */
void gp_end(struct gp *gp, struct plot *p, FILE *out);
/* Writes s as one field of a tab-separated data file, cut to PLOT_LABEL_MAX_CHARS. */
void gp_field(FILE *f, const char *s);
/* Copies s for a single-quoted string in a gnuplot script, without anything gnuplot reads. */
const char *gp_safe(char *buf, size_t len, const char *s);

/* report_plot.c: the ok cases of an experiment, as the plots and the cases table colour them. */
struct pcase {
	const json_t *c;
	const char *label;
	int color;
	double pos;            /* row in the horizontal charts, top = 0 */
	double median, lo, hi; /* NaN when unknown */
	double *x;             /* finite samples, sorted; the pset owns them */
	size_t n;
};

struct pset {
	struct pcase *v;
	size_t n;
	const char *groups[PLOT_NCOLORS * 4];
	size_t ngroups;
	const char *unit;
	double rows; /* positions used, for the chart height */
};

/* Collects the ok cases of exp. 0 or -ENOMEM; call pset_free either way. */
int pset_init(struct pset *ps, const json_t *exp);
void pset_free(struct pset *ps);
/* The colour of group g (NULL: no group), or -1 when no ok case is in it. */
int pset_color(const struct pset *ps, const char *g);
/* A small square of colour color, in HTML. */
void plot_swatch(FILE *f, int color);
/* The plots of exp under a heading, or nothing when it has nothing to plot. */
void plot_experiment(FILE *out, struct gp *gp, const json_t *exp, const struct pset *ps);

/* report_machine.c: the Machine section, from the document's env. */
void machine_write(FILE *out, const json_t *doc);

#endif
