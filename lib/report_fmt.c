/* SPDX-License-Identifier: MIT */
/* report_fmt: the report's small vocabulary: fields read from the document, numbers, HTML text. */
#include <syslab/report.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/* ---- reading the document: anything absent or of the wrong type reads as absent ---- */

const json_t *doc_get(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const char *doc_str(const json_t *o, const char *key)
{
	const json_t *v = doc_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *doc_str_or(const json_t *o, const char *key, const char *fallback)
{
	const char *s = doc_str(o, key);
	return s ? s : fallback;
}

double doc_num_value(const json_t *v)
{
	double d;

	if (!json_is_number(v))
		return NAN;
	d = json_number_value(v);
	return isfinite(d) ? d : NAN;
}

/* A finite number, or NaN when absent, null or not a number. */
double doc_num(const json_t *o, const char *key)
{
	return doc_num_value(doc_get(o, key));
}

/* 1 or 0, or -1 when absent or not a boolean. */
int doc_bool(const json_t *o, const char *key)
{
	const json_t *v = doc_get(o, key);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

const json_t *doc_arr(const json_t *o, const char *key)
{
	const json_t *v = doc_get(o, key);
	return json_is_array(v) ? v : NULL;
}

const json_t *doc_obj(const json_t *o, const char *key)
{
	const json_t *v = doc_get(o, key);
	return json_is_object(v) ? v : NULL;
}

/* json_array_size() is 0 for NULL and non-arrays, which is what every loop here wants. */
size_t doc_len(const json_t *a)
{
	return json_array_size(a);
}

const char *doc_case_status(const json_t *c)
{
	const char *s = doc_str(c, "status");

	if (s)
		return s;
	/* No status: a case with numbers in it was measured. */
	return (isfinite(doc_num(doc_obj(c, "summary"), "median")) || doc_len(doc_arr(c, "samples")))
		       ? "ok"
		       : "unknown";
}

const char *doc_case_label(const json_t *c)
{
	const char *l = doc_str(c, "label");
	return l && *l ? l : doc_str_or(c, "name", "(unnamed case)");
}

/* ---- numbers ---- */

/* The decimal exponent of a > 0 once rounded to 3 significant digits (999.7 -> 3). */
static int exp10_sig3(double a)
{
	char t[40];
	const char *e;

	snprintf(t, sizeof t, "%.2e", a);
	e = strchr(t, 'e');
	return e ? atoi(e + 1) : 0;
}

/* v with 3 significant digits, in plain decimals, or as 2.10e-6 when it is tiny. */
static void put_sig3(char *buf, size_t len, double v)
{
	int e, dec;

	if (v == 0) {
		snprintf(buf, len, "0");
		return;
	}
	e = exp10_sig3(fabs(v));
	if (e < -3) {
		snprintf(buf, len, "%.2fe%d", v / pow(10, e), e);
		return;
	}
	dec = e >= 2 ? 0 : 2 - e;
	snprintf(buf, len, "%.*f", dec, v);
}

static const char *const time_units[] = {"ns", "µs", "ms", "s"};
static const char *const si_prefixes[] = {"", "k", "M", "G", "T"};

static bool unit_ends(const char *p)
{
	return *p == '\0' || *p == '/' || *p == ' ';
}

/* The index in time_units of unit's leading time unit (rest: what follows), or -1. */
static int time_unit(const char *unit, const char **rest)
{
	static const struct {
		const char *name;
		int idx;
	} names[] = {{"ns", 0}, {"us", 1}, {"µs", 1}, {"ms", 2}, {"s", 3}};

	if (!unit)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i].name);
		if (strncmp(unit, names[i].name, n) == 0 && unit_ends(unit + n)) {
			*rest = unit + n;
			return names[i].idx;
		}
	}
	return -1;
}

/* How many factors of 1000 to divide a by (from lo to hi) for 3 digits in [1, 1000). */
static int scale_steps(double a, int lo, int hi)
{
	int s = 0;

	if (!(a > 0))
		return 0;
	while (s < hi && exp10_sig3(a / pow(1000, s)) >= 3)
		s++;
	while (s > lo && exp10_sig3(a / pow(1000, s)) < 0)
		s--;
	return s;
}

/* The scale a value of magnitude a gets in unit: steps, and the scaled unit text. */
static int unit_scale(double a, const char *unit, char *ubuf, size_t ulen)
{
	const char *rest = "";
	int t = time_unit(unit, &rest), s;

	if (t >= 0) {
		s = scale_steps(a, -t, 3 - t);
		snprintf(ubuf, ulen, " %s%s", time_units[t + s], rest);
		return s;
	}
	s = scale_steps(a, 0, 4);
	snprintf(ubuf, ulen, "%s%s%s", si_prefixes[s], unit && *unit ? " " : "", unit ? unit : "");
	return s;
}

/* a then b into buf[len], cut to fit. */
static void cat2(char *buf, size_t len, const char *a, const char *b)
{
	size_t na = strnlen(a, len - 1), nb = strnlen(b, len - 1 - na);

	memcpy(buf, a, na);
	memcpy(buf + na, b, nb);
	buf[na + nb] = '\0';
}

const char *report_fmt_value(char *buf, size_t len, double v, const char *unit)
{
	char num[48], u[64];
	int s;

	if (!buf || !len)
		return buf;
	if (!isfinite(v)) {
		snprintf(buf, len, "—");
		return buf;
	}
	s = unit_scale(fabs(v), unit, u, sizeof u);
	put_sig3(num, sizeof num, v / pow(1000, s));
	cat2(buf, len, num, u);
	return buf;
}

/* "2.39–2.42 ns/op": both ends in the scale of the larger, the unit once. */
const char *fmt_range(char *buf, size_t len, double lo, double hi, const char *unit)
{
	char a[48], b[48], u[64];
	int s;

	if (!isfinite(lo) || !isfinite(hi)) {
		snprintf(buf, len, "—");
		return buf;
	}
	s = unit_scale(fmax(fabs(lo), fabs(hi)), unit, u, sizeof u);
	put_sig3(a, sizeof a, lo / pow(1000, s));
	put_sig3(b, sizeof b, hi / pow(1000, s));
	snprintf(buf, len, "%.24s–%.24s%.40s", a, b, u);
	return buf;
}

const char *fmt_sig3(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "—");
	else
		put_sig3(buf, len, v);
	return buf;
}

/* Cache sizes the way people say them: 32 KiB, 1.25 MiB, 32 MiB. */
const char *fmt_bytes(char *buf, size_t len, double v)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t i = 0;

	while (v >= 1024 && i + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		i++;
	}
	if (v == floor(v))
		snprintf(buf, len, "%.0f %s", v, units[i]);
	else
		snprintf(buf, len, "%.3g %s", v, units[i]);
	return buf;
}

const char *fmt_duration(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "—");
	else if (s >= 120)
		snprintf(buf, len, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else
		report_fmt_value(buf, len, s, "s");
	return buf;
}

const char *fmt_plural(double n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- HTML ---- */

/* Writes s as HTML text (also safe inside a quoted attribute); C0 controls become spaces. */
void html_text(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(c < 0x20 && c != '\n' ? ' ' : c, f);
		}
	}
}
