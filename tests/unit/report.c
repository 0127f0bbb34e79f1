/* SPDX-License-Identifier: MIT */
/* Unit tests of report: renders the fixture document and checks the page, its escaping and its failures. */
#include <syslab/report.h>
#include <syslab/tmpdir.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define FIXTURE "tests/fixtures/results-v1.json"

/* A fresh TMPDIR for the renderer, so the test can see every directory it leaves behind. */
static char tmp[64];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1))) {
		buf[fread(buf, 1, (size_t)n, f)] = '\0';
	}
	fclose(f);
	return buf;
}

/* Directories the renderer made in TMPDIR (its prefix is syslab-report-). */
static int leftover_dirs(void)
{
	DIR *d = opendir(tmp);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strncmp(de->d_name, "syslab-report-", 14) == 0;
	closedir(d);
	return n;
}

static bool gnuplot_on_path(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		const char *colon = strchr(path, ':');
		int n = colon ? (int)(colon - path) : (int)strlen(path);
		snprintf(buf, sizeof buf, "%.*s/gnuplot", n, path);
		if (access(buf, X_OK) == 0)
			return true;
		path = colon ? colon + 1 : NULL;
	}
	return false;
}

/* Renders doc to TMPDIR/NAME.html; returns the rc and, when 0, the page in *page (caller frees). */
static int render(const json_t *doc, const char *name, char **page, char *err, size_t errlen)
{
	char path[160];
	int rc;

	snprintf(path, sizeof path, "%s/%.64s.html", tmp, name);
	rc = report_write_html(doc, path, err, errlen);
	*page = rc == 0 ? slurp(path) : NULL;
	return rc;
}

static bool has(const char *page, const char *s)
{
	return page && strstr(page, s);
}

static int count(const char *page, const char *s)
{
	int n = 0;

	for (const char *p = page; p && (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* True when the figure whose caption contains caption holds an inline SVG. */
static bool figure_has_svg(const char *page, const char *caption)
{
	const char *p = page ? strstr(page, caption) : NULL, *svg, *end;

	if (!p)
		return false;
	svg = strstr(p, "<svg");
	end = strstr(p, "</figure>");
	return svg && end && svg < end;
}

static void test_format(void)
{
	char b[64];

	is_str(report_fmt_value(b, sizeof b, 2.4137, "ns"), "2.41 ns", "2.41 ns");
	is_str(report_fmt_value(b, sizeof b, 63.24, "ns"), "63.2 ns", "63.2 ns");
	is_str(report_fmt_value(b, sizeof b, 1203, "ns"), "1.20 µs", "1203 ns is 1.20 µs");
	is_str(report_fmt_value(b, sizeof b, 999.7, "ns"), "1.00 µs", "999.7 ns rounds up into µs");
	is_str(report_fmt_value(b, sizeof b, 17.76, "ns/op"), "17.8 ns/op", "the unit's suffix is kept");
	is_str(report_fmt_value(b, sizeof b, 3.5e9, "ns"), "3.50 s", "seconds");
	is_str(report_fmt_value(b, sizeof b, 0.412, "ns"), "0.412 ns", "below 1 ns stays in ns");
	is_str(report_fmt_value(b, sizeof b, 0.25, "s"), "250 ms", "s scales down");
	is_str(report_fmt_value(b, sizeof b, 0, "ns"), "0 ns", "zero");
	is_str(report_fmt_value(b, sizeof b, 123456, "ops/s"), "123k ops/s", "other units get k/M/G");
	is_str(report_fmt_value(b, sizeof b, 0.00123, NULL), "0.00123", "bare number");
	is_str(report_fmt_value(b, sizeof b, NAN, "ns"), "—", "NaN is a dash");
}

static void test_fixture(const json_t *doc, bool gnuplot)
{
	static const char *const want[] = {
		"False sharing: packed vs padded counters",
		"Core-to-core latency",
		"packed counters, both threads on CPU 0",
		"padded to 64 B, both threads on CPU 0",
		"padded to 128 B, both threads on CPU 0",
		"packed counters, CPUs 0 and 1",
		"padded to 64 B, CPUs 0 and 1",
		"padded to 128 B, CPUs 0 and 1",
		"packed counters, SMT siblings",
		"no SMT siblings on this machine (smt control: notsupported)",
		"ping-pong, CPU 0 and CPU 1 (one way)",
		"ping-pong, CPU 0 and CPU 2 (one way)",
		"Packed counters on two cores are at least 1.5x slower than counters padded to 128 B",
		"On one CPU, padding makes no difference (within 5%)",
		"SMT siblings share L1, so packed vs padded shows little effect between them",
		"Crossing to the other CCX (CPU 0 to CPU 2) costs at least 1.35x the latency within one (CPU "
		"0 "
		"to CPU 1)",
		"CPU 0 to CPU 2 is no slower than CPU 0 to CPU 1",
		"class=\"badge holds\">holds<",
		"class=\"badge nothold\">does not hold<",
		"class=\"badge inconclusive\">inconclusive<",
		"class=\"badge nottested\">not tested<",
		"AMD EPYC 7B13 64-Core Processor",
		"syslab run --quick --seed 42 -o build/report falseshare c2c",
		"needs ratio ≥ 1.50",
		"needs 0.952 ≤ ratio ≤ 1.05",
		"17.8 ns",
		"id=\"x-falseshare\"",
		"href=\"#x-c2c\"",
	};
	char err[256] = "", *page = NULL;
	int rc = render(doc, "fixture", &page, err, sizeof err);

	is_int(rc, 0, "the fixture renders (%s)", err);
	ok(page && strncmp(page, "<!DOCTYPE html>", 15) == 0, "the page starts with <!DOCTYPE html>");
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ok(has(page, want[i]), "the page has: %s", want[i]);
	ok(!has(page, "<?xml") && !has(page, "<!DOCTYPE svg"), "no XML prolog or SVG DOCTYPE inlined");
	ok(page && !strcasestr(page, "<script"), "no script element anywhere");
	ok(!has(page, "http://") || !has(page, "<link"), "no external stylesheet");
	if (gnuplot) {
		ok(has(page, "<svg"), "gnuplot's SVG is inlined");
		is_int(count(page, "<div class=\"svg\"><svg"), 6, "2 plots for falseshare, 4 for c2c");
		ok(figure_has_svg(page, "One-way latency, median of samples"), "c2c has its heat map");
		ok(figure_has_svg(page, "Latency by percentile"), "c2c has its percentile plot");
		ok(figure_has_svg(page, "Median of each case"), "medians are plotted");
		ok(figure_has_svg(page, "Every sample"), "samples are plotted");
		ok(!has(page, "Plot not drawn") && !has(page, "Plots are missing"), "every plot was drawn");
		ok(has(page, "id='g1-gpPt0'") && has(page, "id='g2-gpPt0'"),
		   "each plot's SVG ids are its own");
	} else {
		diag("gnuplot is not on PATH: the SVG checks are left out");
	}
	free(page);
}

static json_t *case_of(json_t *doc, size_t exp, size_t c)
{
	return json_array_get(
		json_object_get(json_array_get(json_object_get(doc, "experiments"), exp), "cases"), c);
}

static void test_html_escaping(const json_t *fixture)
{
	json_t *doc = json_deep_copy(fixture);
	json_t *exp0 = json_array_get(json_object_get(doc, "experiments"), 0);
	char err[256] = "", *page = NULL;

	json_object_set_new(case_of(doc, 0, 0), "label", json_string("<script>x</script>"));
	json_object_set_new(exp0, "title", json_string("Tom & \"Jerry\" <b>bold</b>"));
	json_object_set_new(case_of(doc, 0, 1), "unit", json_string("ns<img src=x onerror=alert(1)>"));
	is_int(render(doc, "escape", &page, err, sizeof err), 0, "a document with markup in it renders (%s)",
	       err);
	ok(has(page, "&lt;script&gt;x&lt;/script&gt;"), "the label comes out as text");
	ok(!has(page, "<script>x</script>"), "the label is not markup");
	ok(page && !strcasestr(page, "<script"), "no script element, not even from gnuplot's SVG");
	ok(has(page, "Tom &amp; &quot;Jerry&quot; &lt;b&gt;bold&lt;/b&gt;"), "the title is escaped");
	ok(!has(page, "<img"), "the unit is escaped");
	free(page);
	json_decref(doc);
}

static void test_gnuplot_injection(const json_t *fixture, bool gnuplot)
{
	json_t *doc = json_deep_copy(fixture), *mat;
	char pwn[4][96], s[512], err[256] = "", *page = NULL;

	for (int i = 0; i < 4; i++) {
		snprintf(pwn[i], sizeof pwn[i], "%s/pwned_%d", tmp, i);
		unlink(pwn[i]);
	}
	snprintf(s, sizeof s, "\"; system \"touch %s\"; \"", pwn[0]);
	json_object_set_new(case_of(doc, 0, 0), "label", json_string(s));
	snprintf(s, sizeof s, "`touch %s`, a;b \"c\"\n#d", pwn[1]);
	json_object_set_new(case_of(doc, 1, 0), "label", json_string(s));
	snprintf(s, sizeof s, "ns'; system 'touch %s'; '", pwn[2]);
	json_object_set_new(case_of(doc, 0, 1), "unit", json_string(s));
	json_object_set_new(case_of(doc, 0, 2), "group", json_string(s));
	mat = json_array_get(
		json_object_get(json_array_get(json_object_get(doc, "experiments"), 1), "matrices"), 0);
	snprintf(s, sizeof s, "'\n!touch %s\n@x `touch %s`", pwn[3], pwn[3]);
	json_object_set_new(mat, "row_title", json_string(s));
	json_object_set_new(mat, "unit", json_string(s));
	json_array_set_new(json_object_get(mat, "rows"), 1, json_string(s));
	json_array_set_new(json_object_get(mat, "cols"), 2, json_string("100% \"load\"\t%s %d"));
	is_int(render(doc, "inject", &page, err, sizeof err), 0,
	       "a document with gnuplot syntax in it renders (%s)", err);
	for (int i = 0; i < 4; i++)
		ok(access(pwn[i], F_OK) < 0, "no gnuplot command ran from the document (%s)", pwn[i]);
	if (gnuplot)
		ok(!has(page, "Plot not drawn"), "the labels did not break any gnuplot script");
	free(page);
	json_decref(doc);
}

static void test_no_gnuplot(const json_t *doc)
{
	char err[256] = "", *page = NULL;

	setenv("SYSLAB_GNUPLOT", "/nonexistent", 1);
	is_int(render(doc, "nognuplot", &page, err, sizeof err), 0, "renders without gnuplot (%s)", err);
	ok(has(page, "Plots are missing.") && has(page, "SYSLAB_GNUPLOT=/nonexistent cannot be run"),
	   "the page says plots are missing and why");
	ok(has(page, "<table class=\"cases\">") && has(page, "packed counters, CPUs 0 and 1") &&
		   has(page, "<table class=\"claims\">"),
	   "the tables are all there");
	ok(!has(page, "<svg"), "no SVG at all");
	free(page);

	setenv("SYSLAB_GNUPLOT", "/bin/false", 1);
	is_int(render(doc, "falsegnuplot", &page, err, sizeof err), 0, "renders when gnuplot fails (%s)",
	       err);
	ok(has(page, "Plot not drawn: gnuplot exited with status 1"), "each plot says gnuplot failed");
	ok(has(page, "Plots are missing."), "the banner says plots are missing");
	ok(!has(page, "<svg"), "no SVG from a failing gnuplot");
	free(page);
	unsetenv("SYSLAB_GNUPLOT");
}

static void test_gnuplot_hangs(const json_t *doc)
{
	char fake[128], err[256] = "", *page = NULL;
	struct timespec t0, t1;
	FILE *f;
	double s;

	snprintf(fake, sizeof fake, "%s/hanging-gnuplot", tmp);
	f = fopen(fake, "w");
	if (!f || fputs("#!/bin/sh\nwhile :; do :; done\n", f) < 0 || fclose(f) != 0 ||
	    chmod(fake, 0755) < 0) {
		ok(0, "cannot write %s", fake);
		return;
	}
	setenv("SYSLAB_GNUPLOT", fake, 1);
	setenv("SYSLAB_GNUPLOT_TIMEOUT", "0.5", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(render(doc, "hang", &page, err, sizeof err), 0, "renders when gnuplot hangs (%s)", err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(s < 10, "a hanging gnuplot is killed, and not waited for again (%.1f s)", s);
	ok(has(page, "was killed"), "the page says gnuplot was killed");
	free(page);
	unlink(fake);
	unsetenv("SYSLAB_GNUPLOT");
	unsetenv("SYSLAB_GNUPLOT_TIMEOUT");
}

static void test_bad_documents(void)
{
	static const struct {
		const char *file, *msg;
	} bad[] = {
		{"tests/fixtures/results-bad-schema.json", "not a syslab results document"},
		{"tests/fixtures/results-bad-version.json",
		 "results version 2 is newer than this syslab reads (1)"},
		{"tests/fixtures/results-bad-notobject.json", "not a syslab results document"},
	};
	char err[256], path[160], *page;
	json_error_t je;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *doc = json_load_file(bad[i].file, 0, &je);
		err[0] = '\0';
		ok(doc, "%s loads", bad[i].file);
		is_int(render(doc, "bad", &page, err, sizeof err), -EINVAL, "%s is refused", bad[i].file);
		ok(strstr(err, bad[i].msg), "with the message \"%s\" (got \"%s\")", bad[i].msg, err);
		json_decref(doc);
	}
	snprintf(path, sizeof path, "%s/bad.html", tmp);
	ok(access(path, F_OK) < 0, "a refused document writes no page");
	ok(!json_load_file("tests/fixtures/results-bad-truncated.json", 0, &je),
	   "the truncated fixture is bad JSON");
	err[0] = '\0';
	is_int(report_write_html(NULL, path, err, sizeof err), -EINVAL, "a NULL document is refused");
	ok(err[0], "with a message (%s)", err);
	json_t *ok_doc = json_pack("{s:s, s:i}", "schema", "syslab-results", "version", 1);
	snprintf(path, sizeof path, "%s/no/such/dir/r.html", tmp);
	err[0] = '\0';
	is_int(report_write_html(ok_doc, path, err, sizeof err), -ENOENT, "an unwritable path is -ENOENT");
	ok(strstr(err, "cannot write"), "with a message (%s)", err);
	json_decref(ok_doc);
}

/* Fields missing, of the wrong type, or nonsense: all read as absent, and the page still renders. */
static const char sparse_doc[] =
	"{\"schema\": \"syslab-results\", \"version\": 1, \"seed\": \"x\", \"tool\": 3,"
	" \"env\": {\"caches\": [{\"level\": \"1\"}, 5], \"perf\": {\"cycles\": 5}, \"smt\": \"x\","
	"          \"mitigations\": {\"a\": 1}, \"timer\": {}, \"hypervisor\": null, \"cpus_online\": \"2\"},"
	" \"experiments\": ["
	"  {\"name\": \"m\", \"cases\": ["
	"     {\"name\": \"a\"},"
	"     {\"name\": \"b\", \"status\": \"ok\", \"samples\": [1, 2, \"x\", null, 3], \"unit\": 7},"
	"     {\"name\": \"c\", \"status\": \"ok\", \"samples\": [], \"summary\": 5, \"ci\": [1, 2],"
	"      \"hist\": {\"buckets\": [[1], [\"a\", 2, 3], [1, 2, -4], 7], \"total\": \"n\"}},"
	"     {\"name\": \"d\", \"status\": \"ok\", \"group\": 4, \"summary\": {\"median\": 0},"
	"      \"hist\": {\"buckets\": [[0, 0, 10]], \"total\": 10}, \"outliers\": {\"low_mild\": \"x\"},"
	"      \"counters\": {\"cycles\": 1, \"x\": {\"per_op\": \"y\"}}},"
	"     {\"label\": 5, \"status\": \"failed\"}, 7],"
	"   \"claims\": [{\"text\": \"t\", \"ratio\": \"big\", \"ci\": [1, 2], \"kind\": \"at_least\"},"
	"               {\"verdict\": \"holds\", \"ratio\": 2, \"ci\": {\"lo\": 3, \"hi\": 1},"
	"                \"kind\": \"equivalent\", \"threshold\": -5},"
	"               {\"verdict\": \"weird\", \"ratio\": -1, \"kind\": \"at_most\", \"threshold\": 0}, 3],"
	"   \"matrices\": [{\"values\": [[1, null], [2]]}, {\"values\": \"no\"}, {\"values\": [[]]},"
	"                  {\"values\": [[null, null], [null]]}, 9],"
	"   \"conditions\": \"none\", \"notes\": [1, \"a note\"]},"
	"  \"not an experiment\","
	"  {\"cases\": \"nope\", \"claims\": {}, \"matrices\": null},"
	"  {\"name\": \"m\", \"title\": \"same name again\"}]}";

static void test_sparse_documents(bool gnuplot)
{
	json_error_t je;
	json_t *doc = json_loads(sparse_doc, 0, &je), *bare;
	char err[256] = "", *page = NULL;

	ok(doc, "the sparse document parses (%s)", doc ? "" : je.text);
	is_int(render(doc, "sparse", &page, err, sizeof err), 0, "a document of odd types renders (%s)", err);
	ok(page && strncmp(page, "<!DOCTYPE html>", 15) == 0 && has(page, "</html>"), "into a whole page");
	ok(has(page, "id=\"x-m\"") && has(page, "id=\"x-m-4\""),
	   "experiments that share a name get their own anchors");
	if (gnuplot)
		ok(!has(page, "Plot not drawn"), "gnuplot accepted every plot made of what was usable");
	free(page);
	json_decref(doc);

	bare = json_pack("{s:s, s:i}", "schema", "syslab-results", "version", 1);
	is_int(render(bare, "bare", &page, err, sizeof err), 0,
	       "a document with nothing but its schema renders (%s)", err);
	ok(has(page, "This run has no experiments"), "and says there is nothing in it");
	free(page);
	json_decref(bare);
}

static void remove_tmp(void)
{
	tmpdir_remove(tmp);
}

int main(void)
{
	json_error_t je;
	json_t *doc;
	bool gnuplot;

	snprintf(tmp, sizeof tmp, "/tmp/t-report-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("Bail out! cannot create a temporary directory: %s\n", strerror(errno));
		return 1;
	}
	setenv("TMPDIR", tmp, 1);
	unsetenv("SYSLAB_GNUPLOT");
	unsetenv("SYSLAB_GNUPLOT_TIMEOUT");
	doc = json_load_file(FIXTURE, 0, &je);
	if (!doc) {
		printf("Bail out! %s: %s (run from the repository root)\n", FIXTURE, je.text);
		remove_tmp();
		return 1;
	}
	gnuplot = gnuplot_on_path();

	test_format();
	test_fixture(doc, gnuplot);
	test_html_escaping(doc);
	test_gnuplot_injection(doc, gnuplot);
	test_no_gnuplot(doc);
	test_gnuplot_hangs(doc);
	test_bad_documents();
	test_sparse_documents(gnuplot);
	is_int(leftover_dirs(), 0, "no temporary directory is left behind in TMPDIR");

	json_decref(doc);
	remove_tmp();
	return done_testing();
}
