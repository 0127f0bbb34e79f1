/* SPDX-License-Identifier: MIT */
/* report: renders a results document (docs/results.md) as one self-contained HTML page. */
#ifndef SYSLAB_REPORT_H
#define SYSLAB_REPORT_H

#include <stddef.h>

#include <jansson.h>

/*
 * Renders doc (a results document, schema v1) as one self-contained HTML page at path.
 * Plots are SVG drawn by gnuplot and inlined; without gnuplot (not on PATH, or the env var
 * SYSLAB_GNUPLOT names a program that cannot run) the page still has every table and says
 * that plots are missing and why. Returns 0 or -errno; on error err gets a one-line message.
 *
 * gnuplot is `gnuplot` from PATH unless SYSLAB_GNUPLOT names another program; each run may
 * take SYSLAB_GNUPLOT_TIMEOUT seconds (default 20) before it is killed. Its script and data go
 * in a private directory under $TMPDIR (default /tmp), removed before returning. A gnuplot that
 * fails only drops plots. Errors: -EINVAL (doc is not a results document, or its version is
 * newer than 1), -ENOMEM, or the errno of creating or writing path. doc is only read. Forks
 * and waits for its own children only; call from one thread at a time.
 */
int report_write_html(const json_t *doc, const char *path, char *err, size_t errlen);

/*
 * Formats v with 3 significant digits and its unit into buf[len] and returns buf. Time units
 * (ns, us or µs, ms, s, with any suffix such as "ns/op") are rescaled to the largest unit that
 * keeps the number at or above 1: 2.41 ns, 63.2 ns, 1.20 µs/op, 3.50 s. Other units get a
 * k/M/G/T prefix from 1000 up; unit may be NULL or "" for a bare number. NaN and infinities
 * print as an em dash. Never fails: the text is cut to fit buf.
 */
const char *report_fmt_value(char *buf, size_t len, double v, const char *unit);

#endif
