/* SPDX-License-Identifier: MIT */
/* report: renders a results document as one self-contained HTML page with gnuplot SVG plots. */
#include <syslab/report.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPORT_VERSION       1
#define GP_TIMEOUT_MS        20000
#define SVG_MAX_BYTES        (32u << 20)
#define PLOT_LABEL_MAX_CHARS 56

/*
 * One palette for every plot and legend, so a group has the same colour everywhere. Tableau 10,
 * reordered so that green and red (the verdict colours) come last.
 */
static const unsigned palette[] = {0x4e79a7, 0xf28e2b, 0x76b7b2, 0xb07aa1, 0xedc948,
                                   0x9c755f, 0xff9da7, 0x59a14f, 0xe15759, 0xbab0ac};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* ---- reading the document: anything absent or of the wrong type reads as absent ---- */

static const json_t *jget(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = jget(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static double num_of(const json_t *v)
{
	double d;

	if (!json_is_number(v))
		return NAN;
	d = json_number_value(v);
	return isfinite(d) ? d : NAN;
}

/* A finite number, or NaN when absent, null or not a number. */
static double jnum(const json_t *o, const char *key)
{
	return num_of(jget(o, key));
}

/* 1 or 0, or -1 when absent or not a boolean. */
static int jbool(const json_t *o, const char *key)
{
	const json_t *v = jget(o, key);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

static const json_t *jarr(const json_t *o, const char *key)
{
	const json_t *v = jget(o, key);
	return json_is_array(v) ? v : NULL;
}

static const json_t *jobj(const json_t *o, const char *key)
{
	const json_t *v = jget(o, key);
	return json_is_object(v) ? v : NULL;
}

/* json_array_size() is 0 for NULL and non-arrays, which is what every loop here wants. */
static size_t jlen(const json_t *a)
{
	return json_array_size(a);
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
static const char *fmt_range(char *buf, size_t len, double lo, double hi, const char *unit)
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

static const char *fmt_sig3(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "—");
	else
		put_sig3(buf, len, v);
	return buf;
}

/* Cache sizes the way people say them: 32 KiB, 1.25 MiB, 32 MiB. */
static const char *fmt_bytes(char *buf, size_t len, double v)
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

static const char *fmt_duration(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "—");
	else if (s >= 120)
		snprintf(buf, len, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else
		report_fmt_value(buf, len, s, "s");
	return buf;
}

static const char *plural(double n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- HTML ---- */

/* Writes s as HTML text (also safe inside a quoted attribute); C0 controls become spaces. */
static void html(FILE *f, const char *s)
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

	anchor_part(mine, sizeof mine, jstr(json_array_get(exps, i), "name"));
	if (!mine[0]) {
		snprintf(buf, len, "x-%zu", i + 1);
		return;
	}
	for (size_t j = 0; j < i; j++) {
		anchor_part(other, sizeof other, jstr(json_array_get(exps, j), "name"));
		if (strcmp(mine, other) == 0) {
			snprintf(buf, len, "x-%s-%zu", mine, i + 1);
			return;
		}
	}
	snprintf(buf, len, "x-%s", mine);
}

static const char *verdict_class(const char *v)
{
	if (!v)
		return "unknown";
	if (strcmp(v, "holds") == 0)
		return "holds";
	if (strcmp(v, "does not hold") == 0)
		return "nothold";
	if (strcmp(v, "inconclusive") == 0)
		return "inconclusive";
	if (strcmp(v, "not tested") == 0)
		return "nottested";
	return "unknown";
}

static void badge(FILE *f, const char *verdict)
{
	fprintf(f, "<span class=\"badge %s\">", verdict_class(verdict));
	html(f, verdict ? verdict : "no verdict");
	fputs("</span>", f);
}

static void swatch(FILE *f, int color)
{
	fprintf(f, "<span class=\"sw\" style=\"background:#%06x\"></span>", palette[color % NPALETTE]);
}

/* ---- gnuplot: found once per page, run once per plot in a private directory ---- */

struct gp {
	char bin[PATH_MAX];
	char dir[PATH_MAX]; /* private temp dir, "" until the first plot makes it */
	bool usable;        /* false once gnuplot is known not to run */
	char why[320];      /* why plots are missing, for the banner at the top */
	unsigned drawn, failed, next_id;
	int timeout_ms;
};

static bool runnable(const char *path, int *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*err = errno;
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = EACCES;
		return false;
	}
	if (access(path, X_OK) < 0) {
		*err = errno;
		return false;
	}
	return true;
}

/* Looks name up in PATH the way execvp would, into buf. */
static bool search_path(const char *name, char *buf, size_t len)
{
	const char *p = getenv("PATH");
	int e;

	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (p) {
		const char *colon = strchr(p, ':');
		int n = colon ? (int)(colon - p) : (int)strlen(p);
		/* An empty PATH entry means the current directory. */
		if (snprintf(buf, len, "%.*s/%s", n ? n : 1, n ? p : ".", name) < (int)len &&
		    runnable(buf, &e))
			return true;
		p = colon ? colon + 1 : NULL;
	}
	buf[0] = '\0';
	return false;
}

static void gp_init(struct gp *gp)
{
	const char *env = getenv("SYSLAB_GNUPLOT"), *t = getenv("SYSLAB_GNUPLOT_TIMEOUT");
	bool from_env = env && *env;
	const char *name = from_env ? env : "gnuplot";
	int e = ENOENT;

	memset(gp, 0, sizeof *gp);
	gp->timeout_ms = GP_TIMEOUT_MS;
	if (t && *t) {
		double s = strtod(t, NULL);
		if (s > 0 && s <= 3600)
			gp->timeout_ms = (int)(s * 1000);
	}
	if (strchr(name, '/')) {
		if (snprintf(gp->bin, sizeof gp->bin, "%s", name) < (int)sizeof gp->bin && runnable(name, &e))
			gp->usable = true;
	} else {
		gp->usable = search_path(name, gp->bin, sizeof gp->bin);
	}
	/* gnuplot runs in the private directory: a relative path must not depend on where we are. */
	if (gp->usable && gp->bin[0] != '/') {
		char abs[PATH_MAX];
		if (realpath(gp->bin, abs))
			memcpy(gp->bin, abs, sizeof abs);
	}
	if (gp->usable)
		return;
	if (from_env)
		snprintf(gp->why, sizeof gp->why, "SYSLAB_GNUPLOT=%s cannot be run (%s).", name, strerror(e));
	else
		snprintf(
		        gp->why, sizeof gp->why,
		        "gnuplot is not on PATH; install it (gnuplot-nox) with scripts/deps.sh and re-render "
		        "with syslab report.");
}

/* Removes the private directory and everything gnuplot or we left in it. */
static void gp_cleanup(struct gp *gp)
{
	DIR *d;
	struct dirent *de;

	if (!gp->dir[0])
		return;
	d = opendir(gp->dir);
	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(gp->dir);
	gp->dir[0] = '\0';
}

static int gp_mkdir(struct gp *gp)
{
	const char *tmp = getenv("TMPDIR");
	int e;

	if (gp->dir[0])
		return 0;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(gp->dir, sizeof gp->dir, "%s/syslab-report-XXXXXX", tmp) >= (int)sizeof gp->dir)
		errno = ENAMETOOLONG;
	else if (mkdtemp(gp->dir))
		return 0;
	e = errno;
	gp->dir[0] = '\0';
	gp->usable = false;
	snprintf(gp->why, sizeof gp->why, "cannot create a temporary directory in %s (%s).", tmp,
	         strerror(e));
	return -e;
}

static FILE *gp_fopen(struct gp *gp, const char *name, const char *mode)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof p, "%s/%s", gp->dir, name);
	return fopen(p, mode);
}

/*
 * gnuplot's complaint in its stderr file name, for a message: the line `"p3.gp" line 12: ...`
 * (gnuplot echoes the failing command and a caret before it), without the file name; else the
 * last line that says anything.
 */
static void gp_error(struct gp *gp, const char *name, char *buf, size_t len)
{
	FILE *f = gp_fopen(gp, name, "r");
	char line[256];

	buf[0] = '\0';
	while (f && fgets(line, sizeof line, f)) {
		const char *at = strstr(line, "\" line ");
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '"' && at) {
			snprintf(buf, len, "%.150s", at + 2);
			break;
		}
		if (strspn(line, " ^\t") < strlen(line))
			snprintf(buf, len, "%.150s", line);
	}
	if (f)
		fclose(f);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Waits for pid, killing its process group once timeout_ms have passed. Polls, because a
 * library must not take over SIGCHLD from the program that links it.
 */
static int wait_bounded(pid_t pid, int timeout_ms, int *status, bool *timed_out)
{
	struct timespec t0, nap = {0, 1000000};

	*timed_out = false;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (elapsed_ms(&t0) >= timeout_ms) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0)
				if (errno != EINTR)
					return -errno;
			return 0;
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 20000000)
			nap.tv_nsec *= 2;
	}
}

/* Runs gnuplot on script (in the private dir). 0, or -1 with why set. */
static int gp_run(struct gp *gp, const char *script, const char *errname, char *why, size_t whylen)
{
	char *argv[] = {gp->bin, (char *)script, NULL};
	int status = 0, rc;
	bool timed_out;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "cannot fork gnuplot (%s)", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Own process group, so a timeout kills whatever gnuplot started too. */
		int nul, ef;
		setpgid(0, 0);
		if (chdir(gp->dir) < 0)
			_exit(126);
		nul = open("/dev/null", O_RDWR);
		ef = open(errname, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		if (ef >= 0)
			dup2(ef, 2);
		/* Nothing of the program's own (perf fds, sockets, ...) goes to gnuplot. */
		close_range(3, ~0u, 0);
		execv(gp->bin, argv);
		_exit(127);
	}
	setpgid(pid, pid);
	rc = wait_bounded(pid, gp->timeout_ms, &status, &timed_out);
	if (timed_out) {
		/* A gnuplot that hung once would hang again: stop trying, so the page stays bounded. */
		gp->usable = false;
		snprintf(gp->why, sizeof gp->why, "%.200s took longer than %.3g s and was killed.", gp->bin,
		         gp->timeout_ms / 1000.0);
		snprintf(why, whylen, "gnuplot was killed after %.3g s", gp->timeout_ms / 1000.0);
		return -1;
	}
	/* A program that ignores SIGCHLD has its children reaped for it: judge by the SVG. */
	if (rc == -ECHILD)
		return 0;
	if (rc < 0) {
		snprintf(why, whylen, "cannot wait for gnuplot (%s)", strerror(-rc));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 126) {
		gp->usable = false;
		snprintf(gp->why, sizeof gp->why, "%.200s cannot be executed.", gp->bin);
		snprintf(why, whylen, "%.200s cannot be executed", gp->bin);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, whylen, "gnuplot was killed by signal %d", WTERMSIG(status));
	} else {
		char line[200];
		gp_error(gp, errname, line, sizeof line);
		snprintf(why, whylen, "gnuplot exited with status %d%s%s", WEXITSTATUS(status),
		         line[0] ? ": " : "", line);
	}
	return -1;
}

static int read_whole(FILE *f, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		size_t r;
		if (n + 1 >= cap) {
			char *nb;
			if (cap >= SVG_MAX_BYTES) {
				free(b);
				return -EFBIG;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Writes gnuplot's SVG inline: without the XML prolog and DOCTYPE, without its <title> (a
 * browser would show "Gnuplot" as a tooltip), and with every id prefixed, because several
 * plots on one page each define gpPt0, gpDot, textbox, ...
 */
static int inline_svg(FILE *out, const char *svg, unsigned id)
{
	const char *p = strstr(svg, "<svg"), *end;
	bool in_tag = false;

	/*
	 * gnuplot writes '<' in text as &lt;, so document text can never open an element here; a
	 * script or foreign object could only be gnuplot's own, and is never passed on.
	 */
	if (!p || strcasestr(p, "<script") || strcasestr(p, "<foreignObject"))
		return -EINVAL;
	while (*p) {
		if (!in_tag && (starts(p, "<title>") || starts(p, "<desc>"))) {
			end = strstr(p, starts(p, "<title>") ? "</title>" : "</desc>");
			if (end) {
				p = strchr(end, '>') + 1;
				continue;
			}
		}
		if (*p == '<')
			in_tag = true;
		else if (*p == '>')
			in_tag = false;
		if (in_tag && (starts(p, " id='") || starts(p, " id=\"") || starts(p, "href='#") ||
		               starts(p, "href=\"#") || starts(p, "url(#"))) {
			size_t n = starts(p, " id=") ? 5 : starts(p, "url(#") ? 5 : 7;
			fprintf(out, "%.*sg%u-", (int)n, p, id);
			p += n;
			continue;
		}
		fputc(*p++, out);
	}
	return 0;
}

/* A plot being made: its files in the private dir are named after id. */
struct plot {
	unsigned id;
	char name[32];
	FILE *gp; /* the script */
};

/* Starts plot p (script file open, terminal set); false when plots cannot be made. */
static bool plot_begin(struct gp *gp, struct plot *p, int width, int height)
{
	char n[48];

	if (!gp->usable || gp_mkdir(gp) < 0)
		return false;
	p->id = ++gp->next_id;
	snprintf(p->name, sizeof p->name, "p%u", p->id);
	snprintf(n, sizeof n, "%s.gp", p->name);
	p->gp = gp_fopen(gp, n, "w");
	if (!p->gp)
		return false;
	fprintf(p->gp,
	        "set terminal svg size %d,%d font 'Helvetica,13' noenhanced background '#ffffff'\n"
	        "set output '%s.svg'\n"
	        "set datafile separator tab\n"
	        "set datafile commentschars ''\n"
	        "set border 3 lc rgb '#8c959f' lw 1\n"
	        "set tics nomirror tc rgb '#424a53'\n"
	        "set key off\n",
	        width, height, p->name);
	return true;
}

/* Opens data file SUFFIX of plot p for writing. */
static FILE *plot_data(struct gp *gp, const struct plot *p, const char *suffix)
{
	char n[64];

	snprintf(n, sizeof n, "%s%s.dat", p->name, suffix);
	return gp_fopen(gp, n, "w");
}

/* Counts a plot that could not be drawn and says why where it would have been. */
static void plot_fail(struct gp *gp, FILE *out, const char *why)
{
	gp->failed++;
	if (!gp->why[0])
		snprintf(gp->why, sizeof gp->why, "%.300s.", why);
	fputs("<p class=\"plotnote\">Plot not drawn: ", out);
	html(out, why);
	fputs(".</p>\n", out);
}

/* Gives up on p before gnuplot runs, when its files could not be made. */
static void plot_abort(struct gp *gp, struct plot *p, FILE *out)
{
	char why[200];
	int e = errno;

	if (p->gp)
		fclose(p->gp);
	p->gp = NULL;
	if (!gp->usable) {
		fputs("<p class=\"plotnote\">Plot missing: see the note at the top of the page.</p>\n", out);
		return;
	}
	snprintf(why, sizeof why, "cannot write its files for gnuplot (%s)", strerror(e));
	plot_fail(gp, out, why);
}

/*
 * Finishes p: runs gnuplot and inlines the SVG into out, or writes a note saying why the plot
 * is missing. A failure here never fails the page.
 */
static void plot_end(struct gp *gp, struct plot *p, FILE *out)
{
	char why[400] = "", n[48], errn[48];
	char *svg = NULL;
	size_t len;
	FILE *f = p->gp;

	p->gp = NULL;
	if (fclose(f) != 0) {
		snprintf(why, sizeof why, "cannot write the gnuplot script (%s)", strerror(errno));
		goto fail;
	}
	snprintf(n, sizeof n, "%s.gp", p->name);
	snprintf(errn, sizeof errn, "%s.err", p->name);
	if (gp_run(gp, n, errn, why, sizeof why) < 0)
		goto fail;
	snprintf(n, sizeof n, "%s.svg", p->name);
	f = gp_fopen(gp, n, "r");
	if (!f || read_whole(f, &svg, &len) < 0) {
		snprintf(why, sizeof why, "gnuplot wrote no SVG");
		if (f)
			fclose(f);
		goto fail;
	}
	fclose(f);
	fputs("<div class=\"svg\">", out);
	if (inline_svg(out, svg, p->id) < 0) {
		fputs("</div>\n", out);
		snprintf(why, sizeof why, "gnuplot's SVG was not usable");
		goto fail;
	}
	fputs("</div>\n", out);
	free(svg);
	gp->drawn++;
	return;
fail:
	free(svg);
	plot_fail(gp, out, why);
}

/*
 * Writes s as one field of a tab-separated gnuplot data file. Data is never parsed as commands,
 * so this only keeps the field one field: tabs, newlines and controls become spaces, and '"'
 * (which gnuplot takes as the start of a quoted field) becomes ”. Long text is cut with "…".
 */
static void gp_field(FILE *f, const char *s)
{
	size_t chars = 0;
	bool any = false;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c & 0xc0) != 0x80 && ++chars > PLOT_LABEL_MAX_CHARS) {
			fputs("…", f);
			break;
		}
		if (c < 0x20 || c == 0x7f)
			fputc(' ', f);
		else if (c == '"')
			fputs("”", f);
		else
			fputc(c, f);
		any = any || c > ' ';
	}
	if (!any)
		fputs("?", f);
}

/*
 * Copies s for a single-quoted string in a gnuplot script, keeping only characters that mean
 * nothing to gnuplot there: no quotes, backquotes (command substitution), '@' (macros), '$',
 * backslashes or controls. So text from the document can never become a gnuplot command.
 */
static const char *gp_safe(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80 || isalnum(c) || strchr(" -_./%,:()+=[]<>*", c))
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return buf;
}

/* ---- the cases an experiment plots ---- */

struct pcase {
	const json_t *c;
	const char *label;
	int color;
	double pos;            /* row in the horizontal charts, top = 0 */
	double median, lo, hi; /* NaN when unknown */
	double *x;             /* finite samples, sorted; owned here */
	size_t n;
};

struct pset {
	struct pcase *v;
	size_t n;
	const char *groups[NPALETTE * 4];
	size_t ngroups;
	const char *unit;
	double rows; /* positions used, for the chart height */
};

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

static const char *case_status(const json_t *c)
{
	const char *s = jstr(c, "status");

	if (s)
		return s;
	/* No status: a case with numbers in it was measured. */
	return (isfinite(jnum(jobj(c, "summary"), "median")) || jlen(jarr(c, "samples"))) ? "ok" : "unknown";
}

static const char *case_label(const json_t *c)
{
	const char *l = jstr(c, "label");
	return l && *l ? l : jstr(c, "name") ? jstr(c, "name") : "(unnamed case)";
}

static int group_index(struct pset *ps, const char *g)
{
	if (!g)
		g = "";
	for (size_t i = 0; i < ps->ngroups; i++)
		if (strcmp(ps->groups[i], g) == 0)
			return (int)i;
	if (ps->ngroups < sizeof ps->groups / sizeof ps->groups[0])
		ps->groups[ps->ngroups++] = g;
	return (int)ps->ngroups - 1;
}

static void pset_free(struct pset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].x);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

/* Collects the ok cases of exp, ordered by group (first seen first), then as listed. */
static int pset_init(struct pset *ps, const json_t *exp)
{
	const json_t *cases = jarr(exp, "cases");
	size_t nc = jlen(cases);
	double pos = 0;

	memset(ps, 0, sizeof *ps);
	if (!nc)
		return 0;
	ps->v = calloc(nc, sizeof *ps->v);
	if (!ps->v)
		return -ENOMEM;
	for (size_t i = 0; i < nc; i++)
		if (strcmp(case_status(json_array_get(cases, i)), "ok") == 0)
			group_index(ps, jstr(json_array_get(cases, i), "group"));
	for (size_t g = 0; g < ps->ngroups; g++) {
		if (g)
			pos += 0.6; /* a gap between groups */
		for (size_t i = 0; i < nc; i++) {
			const json_t *c = json_array_get(cases, i), *smp = jarr(c, "samples");
			struct pcase *pc;
			if (strcmp(case_status(c), "ok") || group_index(ps, jstr(c, "group")) != (int)g)
				continue;
			pc = &ps->v[ps->n++];
			pc->c = c;
			pc->label = case_label(c);
			pc->color = (int)g;
			pc->pos = pos++;
			if (!ps->unit)
				ps->unit = jstr(c, "unit");
			pc->x = malloc((jlen(smp) + 1) * sizeof *pc->x);
			if (!pc->x)
				return -ENOMEM;
			for (size_t k = 0; k < jlen(smp); k++) {
				double v = num_of(json_array_get(smp, k));
				if (isfinite(v))
					pc->x[pc->n++] = v;
			}
			qsort(pc->x, pc->n, sizeof *pc->x, cmp_double);
			pc->median = jnum(jobj(c, "summary"), "median");
			if (!isfinite(pc->median))
				pc->median = pct_sorted(pc->x, pc->n, 50);
			pc->lo = jnum(jobj(c, "ci"), "lo");
			pc->hi = jnum(jobj(c, "ci"), "hi");
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
		swatch(out, (int)g);
		html(out, ps->groups[g][0] ? ps->groups[g] : "(no group)");
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
 * The horizontal charts' common left side: room for the longest case label (gnuplot's own
 * estimate is far too wide for a proportional font), and the y axis with rows top down.
 */
static void gp_case_axis(FILE *gp, const struct pset *ps, int width)
{
	size_t chars = 4;
	double px;

	for (size_t i = 0; i < ps->n; i++)
		if (label_chars(ps->v[i].label) > chars)
			chars = label_chars(ps->v[i].label);
	px = 24 + 7.4 * (double)chars;
	fprintf(gp,
	        "set lmargin at screen %.4f\nset rmargin at screen 0.95\n"
	        "set ytics scale 0 tc rgb '#24292f'\nset yrange [%g:-0.6]\n",
	        fmin(px / width, 0.6), ps->rows - 0.4);
}

/* Tics at 1, 2, 3 and 5 times the powers of 10 in [lo, hi], for a log axis. */
static void gp_log_tics(FILE *gp, const char *axis, double lo, double hi)
{
	static const double m[] = {1, 2, 3, 5};
	bool first = true;

	fprintf(gp, "set %s (", axis);
	for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)); e++) {
		for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
			double t = m[k] * pow(10, e);
			if (t < lo || t > hi)
				continue;
			fprintf(gp, "%s%.9g", first ? "" : ", ", t);
			first = false;
		}
	}
	fprintf(gp, "%s) out scale 0.5\n", first ? "1" : "");
}

/* (a) Medians with their 95% CI as horizontal bars, grouped and coloured by group. */
static void plot_medians(struct gp *gp, const struct pset *ps, FILE *out)
{
	double mn = INFINITY, mx = 0;
	char u[64], v[64];
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
	if (!plot_begin(gp, &p, 1000, chart_height(ps)) || !(d = plot_data(gp, &p, ""))) {
		plot_abort(gp, &p, out);
		goto legend;
	}
	for (size_t i = 0; i < ps->n; i++) {
		const struct pcase *c = &ps->v[i];
		if (!isfinite(c->median))
			continue;
		fprintf(d, "%g\t%.9g\t%.9g\t%.9g\t%u\t", c->pos, c->median,
		        isfinite(c->lo) ? c->lo : c->median, isfinite(c->hi) ? c->hi : c->median,
		        palette[c->color % NPALETTE]);
		gp_field(d, report_fmt_value(v, sizeof v, c->median, ps->unit));
		fputc('\t', d);
		gp_field(d, c->label);
		fputc('\n', d);
	}
	fclose(d);
	gp_case_axis(p.gp, ps, 1000);
	fprintf(p.gp,
	        "set border 1 lc rgb '#8c959f'\n"
	        "set xtics out scale 0.5\n"
	        "set grid xtics lc rgb '#e6e9ed' lw 1 dt solid\n"
	        "set xlabel '%s' tc rgb '#57606a'\n"
	        "set tmargin 1\n"
	        "set style fill solid 0.88 noborder\n",
	        gp_safe(u, sizeof u, ps->unit ? ps->unit : "value"));
	if (logx) {
		gp_log_tics(p.gp, "xtics", mn / 1.5, mx * 4);
		fprintf(p.gp,
		        "set logscale x\nset xrange [%.9g:%.9g]\n"
		        "plot '%s.dat' using 2:1:3:4:5:ytic(7) with xerrorbars lc rgb variable lw 1.5 pt 7 "
		        "ps 0.8, "
		        "'' using 4:1:6 with labels left offset char 0.8,0 tc rgb '#24292f' font ',11'\n",
		        mn / 1.5, mx * 4, p.name);
	} else {
		fprintf(p.gp,
		        "set xrange [%.9g:%.9g]\n"
		        "plot '%s.dat' using 2:1:(0):2:($1-0.36):($1+0.36):5 with boxxyerror lc rgb "
		        "variable, "
		        "'' using 2:1:3:4:ytic(7) with xerrorbars lc rgb '#24292f' lw 1.2 pt 7 ps 0.3, "
		        "'' using 4:1:6 with labels left offset char 0.8,0 tc rgb '#24292f' font ',11'\n",
		        fmin(0, mn * 1.2), mx > 0 ? mx * 1.2 : 1, p.name);
	}
	plot_end(gp, &p, out);
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

/* (b) Every sample of every ok case: a box (quartiles, Tukey whiskers) and the jittered points. */
static void plot_samples(struct gp *gp, const struct pset *ps, FILE *out)
{
	double mn = INFINITY, mx = -INFINITY, mlo = INFINITY, mhi = 0;
	struct plot p = {0};
	char u[64];
	size_t m = 0;
	FILE *d = NULL, *b = NULL;
	bool logx;

	for (size_t i = 0; i < ps->n; i++) {
		if (!ps->v[i].n)
			continue;
		m++;
		mn = fmin(mn, ps->v[i].x[0]);
		mx = fmax(mx, ps->v[i].x[ps->v[i].n - 1]);
	}
	if (!m)
		return;
	/*
	 * Noise is relative: when the medians differ by more than 4x, a log axis draws each case's
	 * spread at the same scale, instead of squashing the fast cases into a line.
	 */
	for (size_t i = 0; i < ps->n; i++) {
		if (!ps->v[i].n)
			continue;
		mlo = fmin(mlo, ps->v[i].median);
		mhi = fmax(mhi, ps->v[i].median);
	}
	logx = mn > 0 && (mx / mn > 30 || mhi / mlo > 4);
	fprintf(out,
	        "<figure class=\"plot wide\"><figcaption>Every sample: box from the 25th to the 75th "
	        "percentile, line at the median, whiskers to the farthest sample within 1.5 "
	        "IQR%s</figcaption>\n",
	        logx ? " (log scale, so that every case's spread shows at the same scale)" : "");
	if (!plot_begin(gp, &p, 1000, chart_height(ps)) || !(d = plot_data(gp, &p, "")) ||
	    !(b = plot_data(gp, &p, "-box"))) {
		if (d)
			fclose(d);
		plot_abort(gp, &p, out);
		goto legend;
	}
	for (size_t i = 0; i < ps->n; i++) {
		const struct pcase *c = &ps->v[i];
		double q1, q3, med, wlo, whi, iqr;
		if (!c->n)
			continue;
		q1 = pct_sorted(c->x, c->n, 25);
		q3 = pct_sorted(c->x, c->n, 75);
		med = pct_sorted(c->x, c->n, 50);
		iqr = q3 - q1;
		wlo = q1;
		whi = q3;
		for (size_t k = 0; k < c->n; k++) {
			if (c->x[k] >= q1 - 1.5 * iqr && c->x[k] < wlo)
				wlo = c->x[k];
			if (c->x[k] <= q3 + 1.5 * iqr && c->x[k] > whi)
				whi = c->x[k];
		}
		fprintf(b, "%g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%u\t", c->pos, q1, q3, med, wlo, whi,
		        palette[c->color % NPALETTE]);
		gp_field(b, c->label);
		fputc('\n', b);
		/* Points at 45% opacity (gnuplot's alpha byte is transparency) so dense runs show. */
		for (size_t k = 0; k < c->n; k++)
			fprintf(d, "%.6f\t%.9g\t%u\n", c->pos + 0.5 * jitter(((uint64_t)i << 32) | k),
			        c->x[k], 0x8c000000u | palette[c->color % NPALETTE]);
	}
	fclose(d);
	fclose(b);
	gp_case_axis(p.gp, ps, 1000);
	fprintf(p.gp,
	        "set border 1 lc rgb '#8c959f'\n"
	        "set xtics out scale 0.5\n"
	        "set grid xtics lc rgb '#e6e9ed' lw 1 dt solid\n"
	        "set xlabel '%s' tc rgb '#57606a'\n"
	        "set tmargin 1\n",
	        gp_safe(u, sizeof u, ps->unit ? ps->unit : "value"));
	if (logx) {
		gp_log_tics(p.gp, "xtics", mn / 1.2, mx * 1.2);
		fprintf(p.gp, "set logscale x\nset xrange [%.9g:%.9g]\n", mn / 1.2, mx * 1.2);
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
	plot_end(gp, &p, out);
legend:
	legend(out, ps);
	fputs("</figure>\n", out);
}

/* (c) A matrix as a heat map, the value printed in each cell; null cells grey and empty. */
static void plot_matrix(struct gp *gp, const json_t *mat, FILE *out)
{
	const json_t *rows = jarr(mat, "rows"), *cols = jarr(mat, "cols"), *vals = jarr(mat, "values");
	size_t nr = jlen(vals), nc = 0, nnum = 0, nnull = 0;
	double mn = INFINITY, mx = -INFINITY;
	const char *unit = jstr(mat, "unit"), *title = jstr(mat, "title");
	char u[64], t1[96], t2[96], v[64];
	FILE *cells = NULL, *lt = NULL, *dk = NULL, *nul = NULL, *xt = NULL, *yt = NULL;
	struct plot p = {0};
	int cs, w, h;
	bool texts;

	for (size_t r = 0; r < nr; r++) {
		const json_t *row = json_array_get(vals, r);
		if (jlen(row) > nc)
			nc = jlen(row);
		for (size_t c = 0; c < jlen(row); c++) {
			double x = num_of(json_array_get(row, c));
			if (isfinite(x)) {
				mn = fmin(mn, x);
				mx = fmax(mx, x);
			}
		}
	}
	if (!nr || !nc || nr > 512 || nc > 512)
		return;
	cs = (int)(440 / (nr > nc ? nr : nc));
	cs = cs > 64 ? 64 : cs < 10 ? 10 : cs;
	texts = cs >= 34;
	w = 190 + cs * (int)nc;
	h = 90 + cs * (int)nr;
	fprintf(out, "<figure class=\"plot\" style=\"width:%dpx\"><figcaption>", w);
	html(out, title ? title : jstr(mat, "name") ? jstr(mat, "name") : "Matrix");
	if (unit) {
		fputs(" (", out);
		html(out, unit);
		fputs(")", out);
	}
	fputs("</figcaption>\n", out);
	if (!plot_begin(gp, &p, w, h) || !(cells = plot_data(gp, &p, "-cells")) ||
	    !(lt = plot_data(gp, &p, "-lt")) || !(dk = plot_data(gp, &p, "-dk")) ||
	    !(nul = plot_data(gp, &p, "-null")) || !(xt = plot_data(gp, &p, "-xt")) ||
	    !(yt = plot_data(gp, &p, "-yt"))) {
		FILE *fs[] = {cells, lt, dk, nul, xt, yt};
		for (size_t i = 0; i < 6; i++)
			if (fs[i])
				fclose(fs[i]);
		plot_abort(gp, &p, out);
		fputs("</figure>\n", out);
		return;
	}
	if (!isfinite(mn)) {
		mn = 0; /* only null cells: no scale to show */
		fputs("unset colorbox\n", p.gp);
	}
	if (!(mx > mn))
		mx = mn + 1;
	for (size_t r = 0; r < nr; r++) {
		const json_t *row = json_array_get(vals, r);
		for (size_t c = 0; c < nc; c++) {
			double x = num_of(json_array_get(row, c));
			if (!isfinite(x)) {
				fprintf(nul, "%zu\t%zu\n", c, r);
				nnull++;
				continue;
			}
			fprintf(cells, "%zu\t%zu\t%.9g\n", c, r, x);
			nnum++;
			/* White text on the dark end of the palette, dark text elsewhere. */
			FILE *tf = (x - mn) / (mx - mn) > 0.58 ? lt : dk;
			fprintf(tf, "%zu\t%zu\t%s\n", c, r, fmt_sig3(v, sizeof v, x));
		}
	}
	for (size_t c = 0; c < nc; c++) {
		fprintf(xt, "%zu\t", c);
		if (json_is_string(json_array_get(cols, c)))
			gp_field(xt, json_string_value(json_array_get(cols, c)));
		else
			fprintf(xt, "%zu", c);
		fputc('\n', xt);
	}
	for (size_t r = 0; r < nr; r++) {
		fprintf(yt, "%zu\t", r);
		if (json_is_string(json_array_get(rows, r)))
			gp_field(yt, json_string_value(json_array_get(rows, r)));
		else
			fprintf(yt, "%zu", r);
		fputc('\n', yt);
	}
	fclose(cells);
	fclose(lt);
	fclose(dk);
	fclose(nul);
	fclose(xt);
	fclose(yt);
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
	        nc - 1, nr - 1, gp_safe(t1, sizeof t1, jstr(mat, "col_title")),
	        gp_safe(t2, sizeof t2, jstr(mat, "row_title")), gp_safe(u, sizeof u, unit), mn, mx,
	        (double)nr / (double)nc, p.name, p.name);
	if (nnum)
		fprintf(p.gp, ", '%s-cells.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette", p.name);
	if (nnull)
		fprintf(p.gp, ", '%s-null.dat' using 1:2:(0.5):(0.5) with boxxyerror fc rgb '#e4e7eb'",
		        p.name);
	if (texts && nnum)
		fprintf(p.gp,
		        ", '%s-dk.dat' using 1:2:3 with labels tc rgb '#1f2328' font ',%d'"
		        ", '%s-lt.dat' using 1:2:3 with labels tc rgb '#ffffff' font ',%d'",
		        p.name, cs >= 50 ? 13 : 11, p.name, cs >= 50 ? 13 : 11);
	fputs("\n", p.gp);
	plot_end(gp, &p, out);
	fputs("</figure>\n", out);
}

/* (d) Latency by percentile from each case's histogram, on HdrHistogram's 1/(1-p) axis. */
static void plot_hists(struct gp *gp, const json_t *exp, FILE *out)
{
	const json_t *cases = jarr(exp, "cases");
	double ymin = INFINITY, ymax = 0, xmax = 100;
	const char *unit = NULL;
	struct plot p = {0};
	char u[64];
	size_t nh = 0;
	FILE *d;

	for (size_t i = 0; i < jlen(cases); i++) {
		const json_t *hh = jobj(json_array_get(cases, i), "hist");
		if (jlen(jarr(hh, "buckets"))) {
			nh++;
			if (!unit)
				unit = jstr(hh, "unit");
		}
	}
	if (!nh)
		return;
	fputs("<figure class=\"plot\" style=\"width:540px\"><figcaption>Latency by percentile, from each "
	      "case's "
	      "histogram"
	      "</figcaption>\n",
	      out);
	if (!plot_begin(gp, &p, 540, 346) || !(d = plot_data(gp, &p, ""))) {
		plot_abort(gp, &p, out);
		fputs("</figure>\n", out);
		return;
	}
	nh = 0;
	for (size_t i = 0; i < jlen(cases); i++) {
		const json_t *hh = jobj(json_array_get(cases, i), "hist"), *bk = jarr(hh, "buckets");
		double total = jnum(hh, "total"), cum = 0;
		if (!jlen(bk))
			continue;
		if (!(total > 0)) {
			total = 0;
			for (size_t k = 0; k < jlen(bk); k++)
				total += fmax(0, num_of(json_array_get(json_array_get(bk, k), 2)));
		}
		if (!(total > 0))
			continue;
		if (nh)
			fputs("\n\n", d);
		/*
		 * A staircase: the bucket's upper bound holds from the percentile the bucket starts
		 * at to the one it ends at. The last point is capped at 1/(1-p) = total, the rank
		 * of the slowest recorded value.
		 */
		for (size_t k = 0; k < jlen(bk); k++) {
			const json_t *b = json_array_get(bk, k);
			double hi = num_of(json_array_get(b, 1)), n = num_of(json_array_get(b, 2));
			double x0, x1;
			if (!isfinite(hi) || !(n > 0) || cum >= total)
				continue;
			x0 = 1 / (1 - cum / total);
			cum = fmin(total, cum + n);
			x1 = cum >= total ? total : 1 / (1 - cum / total);
			fprintf(d, "%.9g\t%.9g\t%u\n%.9g\t%.9g\t%u\n", x0, hi, palette[nh % NPALETTE], x1, hi,
			        palette[nh % NPALETTE]);
			if (hi > 0)
				ymin = fmin(ymin, hi);
			ymax = fmax(ymax, hi);
			xmax = fmax(xmax, x1);
		}
		nh++;
	}
	fclose(d);
	xmax = pow(10, ceil(log10(xmax)));
	fprintf(p.gp,
	        "set logscale x\nset xrange [1:%.9g]\n"
	        /* Tic labels are formats to gnuplot: "%%%%" here is one '%' on the plot. */
	        "set xtics ('0%%%%' 1, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1e3, '99.99%%%%' 1e4, "
	        "'99.999%%%%' 1e5, '99.9999%%%%' 1e6, '99.99999%%%%' 1e7) out scale 0.5 font ',11'\n"
	        "set grid xtics ytics lc rgb '#e6e9ed' lw 1 dt solid\n"
	        "set xlabel 'percentile' tc rgb '#57606a'\nset ylabel '%s' tc rgb '#57606a'\n"
	        "set ytics out scale 0.5\nset rmargin 6\nset tmargin 1\n",
	        xmax, gp_safe(u, sizeof u, unit ? unit : "value"));
	/* Tails run to 100x the median and more: a log axis keeps the body of the curve visible. */
	if (ymin > 0 && ymax / ymin > 20)
		fprintf(p.gp, "set logscale y\nset yrange [%.9g:%.9g]\n", ymin / 1.3, ymax * 1.5);
	else
		fprintf(p.gp, "set yrange [0:%.9g]\n", ymax > 0 ? ymax * 1.1 : 1);
	fprintf(p.gp, "plot for [i=0:%zu] '%s.dat' index i using 1:2:3 with lines lw 2 lc rgb variable\n",
	        nh - 1, p.name);
	plot_end(gp, &p, out);
	/* The legend and the recorded percentiles, in the colours of the curves. */
	fputs("<div class=\"legend col\">", out);
	nh = 0;
	for (size_t i = 0; i < jlen(cases); i++) {
		const json_t *c = json_array_get(cases, i), *hh = jobj(c, "hist");
		const char *hu = jstr(hh, "unit");
		static const char *const keys[] = {"p50", "p90", "p99", "p999", "max"};
		char v[64];
		if (!jlen(jarr(hh, "buckets")))
			continue;
		fputs("<span>", out);
		swatch(out, (int)nh++);
		html(out, case_label(c));
		fputs(" <small>", out);
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			double x = jnum(hh, keys[k]);
			if (!isfinite(x))
				continue;
			fprintf(out, "%s%s ", k ? " · " : "", strcmp(keys[k], "p999") ? keys[k] : "p99.9");
			html(out, report_fmt_value(v, sizeof v, x, hu));
		}
		fputs("</small></span>", out);
	}
	fputs("</div>\n</figure>\n", out);
}

/* ---- claims ---- */

/* The ratios that satisfy cl: [lo, hi]. False when its kind or threshold is unknown. */
static bool claim_bounds(const json_t *cl, double *lo, double *hi)
{
	const char *kind = jstr(cl, "kind");
	double t = jnum(cl, "threshold");

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
	const char *kind = jstr(cl, "kind");
	char a[48], b[48];
	double lo, hi;

	if (!claim_bounds(cl, &lo, &hi)) {
		if (kind) {
			fputs("kind ", out);
			html(out, kind);
		}
		if (isfinite(jnum(cl, "threshold")))
			fprintf(out, ", threshold %s", fmt_sig3(a, sizeof a, jnum(cl, "threshold")));
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
	const json_t *ci = jobj(cl, "ci");
	double r = jnum(cl, "ratio"), lo = jnum(ci, "lo"), hi = jnum(ci, "hi"), blo = NAN, bhi = NAN;
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
		        verdict_class(jstr(cl, "verdict")), X(lo), fmax(X(hi) - X(lo), 0.8));
	fprintf(out, "<span class=\"pt\" style=\"left:%.1f%%\"></span></span>", X(r));
#undef X
}

/* One claim as a table row; detailed rows also say what must happen and which cases. */
static void claim_row(FILE *out, const json_t *cl, const char *anchor, bool detailed)
{
	const json_t *ci = jobj(cl, "ci");
	const char *verdict = jstr(cl, "verdict"), *expect = jstr(cl, "expect"), *reason = jstr(cl, "reason");
	char v[64];

	fputs("<tr><td>", out);
	badge(out, verdict);
	fputs("</td><td class=\"claim\">", out);
	if (anchor)
		fprintf(out, "<a href=\"#%s\">", anchor);
	html(out, jstr(cl, "text") ? jstr(cl, "text") : "(claim without text)");
	if (anchor)
		fputs("</a>", out);
	if (detailed) {
		fputs("<div class=\"sub\">", out);
		if (expect && strcmp(expect, "appear") == 0)
			fputs("the effect must <b>appear</b>", out);
		else if (expect && strcmp(expect, "vanish") == 0)
			fputs("the effect must <b>vanish</b>", out);
		else if (expect) {
			fputs("expect ", out);
			html(out, expect);
		}
		if (jstr(cl, "a") || jstr(cl, "b")) {
			fputs(expect ? " · " : "", out);
			fputs("ratio = median(<code>", out);
			html(out, jstr(cl, "a") ? jstr(cl, "a") : "?");
			fputs("</code>) ÷ median(<code>", out);
			html(out, jstr(cl, "b") ? jstr(cl, "b") : "?");
			fputs("</code>)", out);
		}
		fputs("</div>", out);
	}
	if (reason) {
		fputs("<div class=\"why\">", out);
		html(out, reason);
		fputs("</div>", out);
	}
	fputs("</td>", out);
	fprintf(out, "<td class=\"n\">%s", isfinite(jnum(cl, "ratio")) ? "" : "—");
	if (isfinite(jnum(cl, "ratio")))
		fprintf(out, "%s×", fmt_sig3(v, sizeof v, jnum(cl, "ratio")));
	fprintf(out, "</td><td class=\"n\">%s</td><td class=\"chart\">",
	        fmt_range(v, sizeof v, jnum(ci, "lo"), jnum(ci, "hi"), NULL));
	claim_chart(out, cl);
	fputs("</td><td class=\"needs\">", out);
	claim_needs(out, cl);
	fputs("</td></tr>\n", out);
}

static const char *const verdicts[] = {"holds", "does not hold", "inconclusive", "not tested"};

static void write_summary(FILE *out, const json_t *doc)
{
	const json_t *exps = jarr(doc, "experiments");
	size_t count[5] = {0}, total = 0;

	for (size_t i = 0; i < jlen(exps); i++) {
		const json_t *cls = jarr(json_array_get(exps, i), "claims");
		for (size_t k = 0; k < jlen(cls); k++) {
			const char *v = jstr(json_array_get(cls, k), "verdict");
			if (!json_is_object(json_array_get(cls, k)))
				continue;
			size_t j = 0;
			while (j < 4 && !(v && strcmp(v, verdicts[j]) == 0))
				j++;
			count[j]++;
			total++;
		}
	}
	fputs("<section id=\"claims\"><h2>Claims</h2>\n", out);
	if (!total) {
		fputs("<p class=\"muted\">This run states no claims.</p></section>\n", out);
		return;
	}
	fprintf(out, "<p class=\"tally\"><b>%zu</b> %s:", total, plural((double)total, "claim", "claims"));
	for (size_t j = 0; j < 5; j++) {
		if (!count[j])
			continue;
		fprintf(out, " <span class=\"badge %s\">%zu %s</span>",
		        verdict_class(j < 4 ? verdicts[j] : NULL), count[j],
		        j < 4 ? verdicts[j] : "without verdict");
	}
	fputs("</p>\n<table class=\"claims\"><thead><tr><th>verdict</th><th>claim</th><th "
	      "class=\"n\">ratio</th>"
	      "<th class=\"n\">95% CI</th><th class=\"chart\">where the CI falls</th><th>needs</th>"
	      "</tr></thead>\n<tbody>\n",
	      out);
	for (size_t i = 0; i < jlen(exps); i++) {
		const json_t *e = json_array_get(exps, i), *cls = jarr(e, "claims");
		char anchor[128];
		if (!jlen(cls))
			continue;
		exp_anchor(exps, i, anchor, sizeof anchor);
		fprintf(out, "<tr class=\"grp\"><td colspan=\"6\"><a href=\"#%s\">", anchor);
		html(out, jstr(e, "title")  ? jstr(e, "title")
		          : jstr(e, "name") ? jstr(e, "name")
		                            : "experiment");
		fputs("</a>", out);
		if (jstr(e, "name")) {
			fputs(" <code>", out);
			html(out, jstr(e, "name"));
			fputs("</code>", out);
		}
		fputs("</td></tr>\n", out);
		for (size_t k = 0; k < jlen(cls); k++)
			if (json_is_object(json_array_get(cls, k)))
				claim_row(out, json_array_get(cls, k), anchor, false);
	}
	fputs("</tbody></table></section>\n", out);
}

/* ---- machine ---- */

static void kv_begin(FILE *out, const char *key)
{
	fprintf(out, "<tr><th>%s</th><td>", key);
}

static void kv_str(FILE *out, const char *key, const char *val)
{
	if (!val)
		return;
	kv_begin(out, key);
	html(out, val);
	fputs("</td></tr>\n", out);
}

static void sep(FILE *out, bool *first)
{
	if (!*first)
		fputs(" · ", out);
	*first = false;
}

static void count_item(FILE *out, bool *first, const json_t *env, const char *key, const char *one,
                       const char *many)
{
	double n = jnum(env, key);

	if (!isfinite(n))
		return;
	sep(out, first);
	fprintf(out, "%.0f %s", n, plural(n, one, many));
}

static void machine_topology(FILE *out, const json_t *env)
{
	bool first = true;

	kv_begin(out, "Topology");
	count_item(out, &first, env, "cpus_online", "CPU online", "CPUs online");
	count_item(out, &first, env, "cores", "core", "cores");
	count_item(out, &first, env, "packages", "package", "packages");
	count_item(out, &first, env, "numa_nodes", "NUMA node", "NUMA nodes");
	if (first)
		fputs("—", out);
	fputs("</td></tr>\n", out);
}

static void machine_smt(FILE *out, const json_t *env)
{
	const json_t *smt = jobj(env, "smt");
	const char *control = jstr(smt, "control");
	int active = jbool(smt, "active"), seen = jbool(smt, "siblings_seen");

	if (!smt)
		return;
	kv_begin(out, "SMT");
	if (control && strcmp(control, "notsupported") == 0)
		fputs("not supported", out);
	else
		fputs(active == 1 ? "on" : active == 0 ? "off" : "unknown", out);
	if (control) {
		fputs(" <span class=\"muted\">(control: ", out);
		html(out, control);
		if (seen >= 0)
			fprintf(out, "; siblings seen: %s", seen ? "yes" : "no");
		fputs(")</span>", out);
	}
	fputs("</td></tr>\n", out);
}

static void machine_caches(FILE *out, const json_t *env)
{
	const json_t *caches = jarr(env, "caches");
	double line = jnum(env, "line_size");
	bool first = true;
	char b[48];

	if (!jlen(caches) && !isfinite(line))
		return;
	kv_begin(out, "Caches");
	for (size_t i = 0; i < jlen(caches); i++) {
		const json_t *c = json_array_get(caches, i);
		const char *type = jstr(c, "type");
		double level = jnum(c, "level"), size = jnum(c, "size");
		if (!isfinite(level) || !isfinite(size))
			continue;
		sep(out, &first);
		fprintf(out, "<b>L%.0f%s</b> %s", level,
		        type && strcmp(type, "Data") == 0          ? "d"
		        : type && strcmp(type, "Instruction") == 0 ? "i"
		                                                   : "",
		        fmt_bytes(b, sizeof b, size));
		if (!isfinite(line))
			line = jnum(c, "line_size");
	}
	if (isfinite(line)) {
		sep(out, &first);
		fprintf(out, "line %.0f B", line);
	}
	fputs(first ? "—</td></tr>\n" : "</td></tr>\n", out);
}

static void machine_freq(FILE *out, const json_t *env)
{
	const char *gov = jstr(env, "governor"), *drv = jstr(env, "cpufreq_driver");
	int boost = jbool(env, "boost");

	kv_begin(out, "Frequency");
	if (gov) {
		fputs("governor ", out);
		html(out, gov);
		if (drv) {
			fputs(" <span class=\"muted\">(", out);
			html(out, drv);
			fputs(")</span>", out);
		}
	} else {
		fputs("no cpufreq <span class=\"muted\">(typical in a VM)</span>", out);
	}
	fprintf(out, " · boost %s</td></tr>\n", boost == 1 ? "on" : boost == 0 ? "off" : "unknown");
}

static void machine_virt(FILE *out, const json_t *env)
{
	const json_t *hv = jget(env, "hypervisor");
	int tsc = jbool(env, "tsc_invariant");

	if (hv) {
		kv_begin(out, "Hypervisor");
		if (json_is_string(hv))
			html(out, json_string_value(hv));
		else
			fputs("none (bare metal)", out);
		fputs("</td></tr>\n", out);
	}
	if (tsc >= 0)
		kv_str(out, "Invariant TSC", tsc ? "yes" : "no");
}

static void machine_isolation(FILE *out, const json_t *env)
{
	const char *iso = jstr(env, "isolated"), *nohz = jstr(env, "nohz_full");

	if (!iso && !nohz)
		return;
	kv_begin(out, "Isolation");
	fputs("isolated CPUs: ", out);
	html(out, iso && *iso ? iso : "none");
	fputs(" · nohz_full: ", out);
	html(out, nohz && *nohz ? nohz : "none");
	fputs("</td></tr>\n", out);
}

static void machine_kernel(FILE *out, const json_t *env)
{
	const char *k = jstr(env, "kernel"), *arch = jstr(env, "arch"), *host = jstr(env, "hostname");

	if (!k && !arch && !host)
		return;
	kv_begin(out, "Kernel");
	html(out, k ? k : "?");
	if (arch) {
		fputs(" ", out);
		html(out, arch);
	}
	if (host) {
		fputs(" <span class=\"muted\">on ", out);
		html(out, host);
		fputs("</span>", out);
	}
	fputs("</td></tr>\n", out);
}

static void machine_timer(FILE *out, const json_t *env)
{
	const json_t *t = jobj(env, "timer");
	char a[48], b[48];

	if (!t)
		return;
	kv_begin(out, "Timer");
	html(out, jstr(t, "source") ? jstr(t, "source") : "?");
	if (isfinite(jnum(t, "tsc_ghz")))
		fprintf(out, " <span class=\"muted\">(TSC %s GHz)</span>",
		        fmt_sig3(a, sizeof a, jnum(t, "tsc_ghz")));
	fprintf(out, "<br>clock_gettime: %s overhead, %s resolution",
	        report_fmt_value(a, sizeof a, jnum(t, "mono_overhead_ns"), "ns"),
	        report_fmt_value(b, sizeof b, jnum(t, "mono_resolution_ns"), "ns"));
	if (isfinite(jnum(t, "tsc_overhead_ns")) || isfinite(jnum(t, "tsc_resolution_ns")))
		fprintf(out, "<br>TSC: %s overhead, %s resolution",
		        report_fmt_value(a, sizeof a, jnum(t, "tsc_overhead_ns"), "ns"),
		        report_fmt_value(b, sizeof b, jnum(t, "tsc_resolution_ns"), "ns"));
	fputs("</td></tr>\n", out);
}

/* Which perf counters work: the working ones in one line, the others grouped by reason. */
static void machine_perf(FILE *out, const json_t *env)
{
	const json_t *perf = jobj(env, "perf");
	const char *name, *reasons[16];
	const json_t *v;
	size_t nr = 0;
	bool first = true;

	if (!perf)
		return;
	kv_begin(out, "Perf counters");
	json_object_foreach((json_t *)perf, name, v)
	{
		if (jbool(v, "supported") != 1)
			continue;
		fputs(first ? "<span class=\"yes\">✓</span> " : ", ", out);
		html(out, name);
		first = false;
	}
	if (first)
		fputs("<span class=\"no\">✗</span> none work", out);
	json_object_foreach((json_t *)perf, name, v)
	{
		const char *r = jstr(v, "reason") ? jstr(v, "reason") : "not supported";
		size_t i = 0;
		bool firstname = true;
		const json_t *w;
		const char *n2;
		if (jbool(v, "supported") == 1)
			continue;
		while (i < nr && strcmp(reasons[i], r))
			i++;
		if (i < nr || nr == sizeof reasons / sizeof reasons[0])
			continue;
		reasons[nr++] = r;
		fputs("<br><span class=\"no\">✗</span> ", out);
		json_object_foreach((json_t *)perf, n2, w)
		{
			const char *r2 = jstr(w, "reason") ? jstr(w, "reason") : "not supported";
			if (jbool(w, "supported") == 1 || strcmp(r2, r))
				continue;
			fputs(firstname ? "" : ", ", out);
			html(out, n2);
			firstname = false;
		}
		fputs(" <span class=\"muted\">— ", out);
		html(out, r);
		fputs("</span>", out);
	}
	fputs("</td></tr>\n", out);
}

static void machine_mitigations(FILE *out, const json_t *env)
{
	const json_t *mit = jobj(env, "mitigations"), *v;
	size_t n = 0, vuln = 0, fine = 0;
	const char *name;

	if (!mit || !json_object_size(mit))
		return;
	json_object_foreach((json_t *)mit, name, v)
	{
		const char *s = json_string_value(v);
		n++;
		if (s && strncmp(s, "Vulnerable", 10) == 0)
			vuln++;
		else if (s && strcmp(s, "Not affected") == 0)
			fine++;
	}
	fprintf(out,
	        "<details class=\"mit\"><summary>CPU vulnerabilities and mitigations: %zu not affected, %zu "
	        "mitigated%s",
	        fine, n - fine - vuln, vuln ? ", <b class=\"no\">" : "");
	if (vuln)
		fprintf(out, "%zu vulnerable</b>", vuln);
	fputs("</summary>\n<table class=\"kv\">\n", out);
	json_object_foreach((json_t *)mit, name, v)
	{
		const char *s = json_string_value(v);
		fputs("<tr><th>", out);
		html(out, name);
		fprintf(out, "</th><td%s>", s && strncmp(s, "Vulnerable", 10) == 0 ? " class=\"no\"" : "");
		html(out, s ? s : "—");
		fputs("</td></tr>\n", out);
	}
	fputs("</table></details>\n", out);
}

static void write_machine(FILE *out, const json_t *doc)
{
	const json_t *env = jobj(doc, "env");

	fputs("<section id=\"machine\"><h2>Machine</h2>\n", out);
	if (!env) {
		fputs("<p class=\"muted\">The document does not describe the machine.</p></section>\n", out);
		return;
	}
	fputs("<div class=\"machine\"><table class=\"kv\">\n", out);
	kv_str(out, "CPU", jstr(env, "cpu_model"));
	machine_topology(out, env);
	machine_smt(out, env);
	machine_caches(out, env);
	machine_freq(out, env);
	machine_virt(out, env);
	fputs("</table><table class=\"kv\">\n", out);
	machine_kernel(out, env);
	machine_isolation(out, env);
	machine_timer(out, env);
	machine_perf(out, env);
	fputs("</table></div>\n", out);
	machine_mitigations(out, env);
	fputs("</section>\n", out);
}

/* ---- experiments ---- */

/* "0-3, 6" from [0,1,2,3,6]. */
static void cpu_list(FILE *out, const json_t *cpus)
{
	size_t n = jlen(cpus), i = 0;
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

static int group_color(const struct pset *ps, const char *g)
{
	for (size_t i = 0; i < ps->ngroups; i++)
		if (strcmp(ps->groups[i], g ? g : "") == 0)
			return (int)i;
	return -1;
}

static bool per_op(const char *unit)
{
	size_t n = unit ? strlen(unit) : 0;
	return n > 3 && strcmp(unit + n - 3, "/op") == 0;
}

/* True when every ok case of exp counts per operation: the table then says so once. */
static bool all_per_op(const json_t *exp)
{
	const json_t *cases = jarr(exp, "cases");
	size_t n = 0;

	for (size_t i = 0; i < jlen(cases); i++) {
		const json_t *c = json_array_get(cases, i);
		if (strcmp(case_status(c), "ok"))
			continue;
		if (!per_op(jstr(c, "unit")))
			return false;
		n++;
	}
	return n > 0;
}

static void case_row(FILE *out, const json_t *c, const struct pset *ps, bool strip_op)
{
	const json_t *s = jobj(c, "summary"), *ci = jobj(c, "ci"), *o = jobj(c, "outliers");
	const char *status = case_status(c), *name = jstr(c, "name");
	int color = group_color(ps, jstr(c, "group")), conv = jbool(c, "converged");
	double n = jnum(s, "n"), cv = jnum(s, "cv");
	char v[160], unit[64];

	snprintf(unit, sizeof unit, "%s", jstr(c, "unit") ? jstr(c, "unit") : "");
	if (strip_op && per_op(unit))
		unit[strlen(unit) - 3] = '\0';

	fprintf(out, "<tr%s><td class=\"case\">", strcmp(status, "ok") ? " class=\"off\"" : "");
	if (color >= 0 && strcmp(status, "ok") == 0)
		swatch(out, color);
	html(out, case_label(c));
	if (name && jstr(c, "label")) {
		fputs("<div class=\"sub\"><code>", out);
		html(out, name);
		fputs("</code></div>", out);
	}
	fputs("</td><td>", out);
	cpu_list(out, jarr(c, "cpus"));
	fputs("</td>", out);
	if (strcmp(status, "ok")) {
		const char *reason = jstr(c, "reason");
		fprintf(out, "<td colspan=\"7\"><span class=\"badge st-%s\">",
		        strcmp(status, "failed") == 0 ? "failed" : "unsupported");
		html(out, status);
		fputs("</span> ", out);
		html(out, reason ? reason : "no reason given");
		fputs("</td></tr>\n", out);
		return;
	}
	if (!isfinite(n) && jarr(c, "samples"))
		n = (double)jlen(jarr(c, "samples"));
	/* The unit comes from the document: it is escaped like any other text. */
	fputs("<td class=\"n med\">", out);
	html(out, report_fmt_value(v, sizeof v, jnum(s, "median"), unit));
	fputs("</td><td class=\"n\">", out);
	html(out, fmt_range(v, sizeof v, jnum(ci, "lo"), jnum(ci, "hi"), unit));
	fputs("</td><td class=\"n\">", out);
	html(out, fmt_range(v, sizeof v, jnum(s, "p5"), jnum(s, "p95"), unit));
	fputs("</td>", out);
	fprintf(out, "<td class=\"n\">%s%s</td>", fmt_sig3(v, sizeof v, cv * 100), isfinite(cv) ? " %" : "");
	if (isfinite(n))
		fprintf(out, "<td class=\"n\">%.0f</td>", n);
	else
		fputs("<td class=\"n\">—</td>", out);
	if (o) {
		double lm = jnum(o, "low_mild"), hm = jnum(o, "high_mild");
		double ls = jnum(o, "low_severe"), hs = jnum(o, "high_severe");
		double mild = (isfinite(lm) ? lm : 0) + (isfinite(hm) ? hm : 0);
		double sev = (isfinite(ls) ? ls : 0) + (isfinite(hs) ? hs : 0);
		fprintf(out,
		        "<td class=\"n%s\" title=\"low: %.0f mild, %.0f severe; high: %.0f mild, %.0f "
		        "severe\">"
		        "%.0f / %.0f</td>",
		        mild + sev ? "" : " muted", isfinite(lm) ? lm : 0, isfinite(ls) ? ls : 0,
		        isfinite(hm) ? hm : 0, isfinite(hs) ? hs : 0, mild, sev);
	} else {
		fputs("<td class=\"n\">—</td>", out);
	}
	fprintf(out, "<td>%s</td></tr>\n",
	        conv == 1   ? "yes"
	        : conv == 0 ? "<span class=\"warn\" title=\"stopped by the time budget, not by a narrow "
	                      "enough CI\">no</span>"
	                    : "—");
}

/* The per-operation counters of the ok cases, one column per counter that any of them has. */
static void counters_table(FILE *out, const json_t *exp)
{
	const json_t *cases = jarr(exp, "cases");
	const char *names[16], *off[16];
	size_t nn = 0, no = 0;

	for (size_t i = 0; i < jlen(cases); i++) {
		const json_t *c = json_array_get(cases, i), *cnt = jobj(c, "counters"), *v;
		const char *name;
		if (strcmp(case_status(c), "ok"))
			continue;
		json_object_foreach((json_t *)cnt, name, v)
		{
			bool has = isfinite(jnum(v, "per_op"));
			const char **list = has ? names : off;
			size_t *len = has ? &nn : &no, k = 0;
			while (k < *len && strcmp(list[k], name))
				k++;
			if (k == *len && *len < 16)
				list[(*len)++] = name;
		}
	}
	if (!nn)
		return;
	fputs("<h3>Counters per operation</h3>\n<table class=\"counters\"><thead><tr><th>case</th>", out);
	for (size_t k = 0; k < nn; k++) {
		fputs("<th class=\"n\">", out);
		html(out, names[k]);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < jlen(cases); i++) {
		const json_t *c = json_array_get(cases, i), *cnt = jobj(c, "counters");
		char v[48];
		if (strcmp(case_status(c), "ok"))
			continue;
		fputs("<tr><td>", out);
		html(out, case_label(c));
		fputs("</td>", out);
		for (size_t k = 0; k < nn; k++) {
			const json_t *x = jobj(cnt, names[k]);
			double per = jnum(x, "per_op");
			if (isfinite(per))
				fprintf(out, "<td class=\"n\">%s</td>", fmt_sig3(v, sizeof v, per));
			else
				fprintf(out, "<td class=\"n muted\">%s</td>", x ? "n/a" : "—");
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	/* Counters no case could read: say so once rather than fill columns with n/a. */
	bool first = true;
	for (size_t k = 0; k < no; k++) {
		size_t j = 0;
		while (j < nn && strcmp(names[j], off[k]))
			j++;
		if (j < nn)
			continue;
		fputs(first ? "<p class=\"muted small\">Not counted on this machine: " : ", ", out);
		html(out, off[k]);
		first = false;
	}
	if (!first)
		fputs(".</p>\n", out);
}

static void string_list(FILE *out, const json_t *a, const char *cls)
{
	size_t n = 0;

	for (size_t i = 0; i < jlen(a); i++)
		n += json_is_string(json_array_get(a, i));
	if (!n)
		return;
	fprintf(out, "<ul class=\"%s\">\n", cls);
	for (size_t i = 0; i < jlen(a); i++) {
		if (!json_is_string(json_array_get(a, i)))
			continue;
		fputs("<li>", out);
		html(out, json_string_value(json_array_get(a, i)));
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

static void write_plots(FILE *out, struct gp *gp, const json_t *exp, const struct pset *ps)
{
	const json_t *mats = jarr(exp, "matrices");
	size_t nmat = 0, nhist = 0;

	for (size_t i = 0; i < jlen(mats); i++)
		nmat += jlen(jarr(json_array_get(mats, i), "values")) > 0;
	for (size_t i = 0; i < jlen(jarr(exp, "cases")); i++)
		nhist += jlen(jarr(jobj(json_array_get(jarr(exp, "cases"), i), "hist"), "buckets")) > 0;
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
	for (size_t i = 0; i < jlen(mats); i++)
		plot_matrix(gp, json_array_get(mats, i), out);
	plot_hists(gp, exp, out);
	fputs("</div>\n", out);
}

static int write_experiment(FILE *out, struct gp *gp, const json_t *exps, size_t i)
{
	const json_t *e = json_array_get(exps, i), *cases = jarr(e, "cases"), *claims = jarr(e, "claims");
	const char *title = jstr(e, "title"), *name = jstr(e, "name"), *q = jstr(e, "question");
	char anchor[128], d[48];
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
	fprintf(out, "<section class=\"exp\" id=\"%s\">\n<h2>", anchor);
	html(out, title ? title : name ? name : "Experiment");
	if (name) {
		fputs(" <code class=\"tag\">", out);
		html(out, name);
		fputs("</code>", out);
	}
	if (isfinite(jnum(e, "duration_s")))
		fprintf(out, " <span class=\"dur\">%s</span>",
		        fmt_duration(d, sizeof d, jnum(e, "duration_s")));
	fputs("</h2>\n", out);
	if (q) {
		fputs("<p class=\"question\">", out);
		html(out, q);
		fputs("</p>\n", out);
	}
	if (jlen(jarr(e, "conditions"))) {
		fputs("<h3>Conditions</h3>\n", out);
		string_list(out, jarr(e, "conditions"), "conditions");
	}
	if (jlen(claims)) {
		fputs("<h3>Claims</h3>\n<table class=\"claims\"><thead><tr><th>verdict</th><th>claim</th>"
		      "<th class=\"n\">ratio</th><th class=\"n\">95% CI</th><th class=\"chart\">"
		      "where the CI falls</th><th>needs</th></tr></thead><tbody>\n",
		      out);
		for (size_t k = 0; k < jlen(claims); k++)
			if (json_is_object(json_array_get(claims, k)))
				claim_row(out, json_array_get(claims, k), NULL, true);
		fputs("</tbody></table>\n", out);
	}
	write_plots(out, gp, e, &ps);
	if (jlen(cases)) {
		bool strip = all_per_op(e);
		fprintf(out,
		        "<h3>Cases</h3>\n<table class=\"cases\"><thead><tr><th>case</th><th>CPUs</th>"
		        "<th class=\"n\">median%s</th><th class=\"n\">95%% CI</th><th class=\"n\">p5–p95</th>"
		        "<th class=\"n\">CV</th><th class=\"n\">n</th><th class=\"n\" title=\"Tukey fences: "
		        "mild "
		        "beyond 1.5 IQR, severe beyond 3 IQR; counted, not dropped\">outliers<br>mild / "
		        "severe</th>"
		        "<th>converged</th></tr></thead><tbody>\n",
		        strip ? " per op" : "");
		for (size_t k = 0; k < jlen(cases); k++)
			if (json_is_object(json_array_get(cases, k)))
				case_row(out, json_array_get(cases, k), &ps, strip);
		fputs("</tbody></table>\n", out);
		counters_table(out, e);
	}
	if (jlen(jarr(e, "notes"))) {
		fputs("<h3>Notes</h3>\n", out);
		string_list(out, jarr(e, "notes"), "notes");
	}
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
	const json_t *tool = jobj(doc, "tool"), *seed = jget(doc, "seed");
	const char *started = jstr(doc, "started"), *mode = jstr(doc, "mode"), *cmd = jstr(doc, "command");
	char d[48];

	fputs("<header><h1>syslab report</h1>\n<div class=\"meta\">", out);
	if (started) {
		/* 2026-11-22T17:03:12Z reads better as 2026-11-22 17:03:12 UTC. */
		size_t n = strlen(started);
		fputs("<span><b>", out);
		if (n == 20 && started[10] == 'T' && started[19] == 'Z')
			fprintf(out, "%.10s %.8s UTC", started, started + 11);
		else
			html(out, started);
		fputs("</b></span>", out);
	}
	if (mode) {
		fputs("<span>mode <b>", out);
		html(out, mode);
		fputs("</b></span>", out);
	}
	if (json_is_integer(seed))
		fprintf(out, "<span>seed <b>%" JSON_INTEGER_FORMAT "</b></span>", json_integer_value(seed));
	else if (isfinite(num_of(seed)))
		fprintf(out, "<span>seed <b>%.0f</b></span>", num_of(seed));
	if (isfinite(jnum(doc, "duration_s")))
		fprintf(out, "<span>ran <b>%s</b></span>",
		        fmt_duration(d, sizeof d, jnum(doc, "duration_s")));
	if (tool) {
		fputs("<span>", out);
		html(out, jstr(tool, "name") ? jstr(tool, "name") : "syslab");
		fputs(" <b>", out);
		html(out, jstr(tool, "version") ? jstr(tool, "version") : "?");
		fputs("</b></span>", out);
	}
	fputs("</div>\n", out);
	if (cmd) {
		fputs("<pre class=\"cmd\">$ ", out);
		html(out, cmd);
		fputs("</pre>\n", out);
	}
	fputs("</header>\n", out);
}

static void write_nav(FILE *out, const json_t *doc)
{
	const json_t *exps = jarr(doc, "experiments");

	fputs("<nav><a href=\"#claims\">Claims</a><a href=\"#machine\">Machine</a>", out);
	for (size_t i = 0; i < jlen(exps); i++) {
		const json_t *e = json_array_get(exps, i);
		char anchor[128];
		if (!json_is_object(e))
			continue;
		exp_anchor(exps, i, anchor, sizeof anchor);
		fprintf(out, "<a href=\"#%s\">", anchor);
		html(out, jstr(e, "name")    ? jstr(e, "name")
		          : jstr(e, "title") ? jstr(e, "title")
		                             : "experiment");
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
	html(out, gp->why);
	fputs(" Every table is complete.</div>\n", out);
}

/* 0, or -EINVAL with a message when doc is not a results document this code can read. */
static int check_doc(const json_t *doc, char *err, size_t errlen)
{
	const char *schema = jstr(doc, "schema");
	const json_t *ver = jget(doc, "version");
	json_int_t v;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "not a syslab results document (not a JSON object)");
		return -EINVAL;
	}
	if (!schema || strcmp(schema, "syslab-results")) {
		snprintf(err, errlen, "not a syslab results document (schema is not \"syslab-results\")");
		return -EINVAL;
	}
	if (!json_is_integer(ver)) {
		snprintf(err, errlen, "not a syslab results document (no integer version)");
		return -EINVAL;
	}
	v = json_integer_value(ver);
	if (v > REPORT_VERSION) {
		snprintf(err, errlen,
		         "results version %" JSON_INTEGER_FORMAT " is newer than this syslab reads (%d)", v,
		         REPORT_VERSION);
		return -EINVAL;
	}
	if (v < 1) {
		snprintf(err, errlen, "results version %" JSON_INTEGER_FORMAT " is not valid", v);
		return -EINVAL;
	}
	return 0;
}

static int write_file(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	int e;

	if (!f) {
		e = errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f) != 0) {
		e = errno ? errno : EIO;
		fclose(f);
		unlink(path);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	if (fclose(f) != 0) {
		e = errno;
		unlink(path);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

/* The experiments go first into their own buffer: the banner at the top depends on the plots. */
static int render_experiments(const json_t *doc, struct gp *gp, char **buf, size_t *len)
{
	const json_t *exps = jarr(doc, "experiments");
	FILE *f = open_memstream(buf, len);
	int rc = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < jlen(exps) && !rc; i++)
		rc = write_experiment(f, gp, exps, i);
	if (!jlen(exps))
		fputs("<p class=\"muted\">This run has no experiments.</p>\n", f);
	if (ferror(f) && !rc)
		rc = -ENOMEM;
	if (fclose(f) != 0 && !rc)
		rc = -ENOMEM;
	return rc;
}

int report_write_html(const json_t *doc, const char *path, char *err, size_t errlen)
{
	char *exps = NULL, *page = NULL, dummy[8];
	size_t nexps = 0, npage = 0;
	struct gp *gp = NULL;
	FILE *f;
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
	if (rc)
		goto out;
	f = open_memstream(&page, &npage);
	if (!f) {
		rc = -ENOMEM;
		goto out;
	}
	fprintf(f,
	        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	        "<title>syslab report</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
	        css);
	write_header(f, doc);
	write_nav(f, doc);
	write_banner(f, gp);
	write_summary(f, doc);
	write_machine(f, doc);
	fwrite(exps, 1, nexps, f);
	fputs("<footer>Rendered by syslab from a results document (schema syslab-results, version 1). ", f);
	fputs(gp->drawn ? "Plots drawn by gnuplot." : "No plots: gnuplot did not draw any.", f);
	fputs("</footer>\n</main>\n</body>\n</html>\n", f);
	rc = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0 && !rc)
		rc = -ENOMEM;
	if (rc)
		goto out;
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
