/* SPDX-License-Identifier: MIT */
/* report_gnuplot: runs gnuplot for the report's plots, bounded and sandboxed, and inlines its SVG. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <syslab/tmpdir.h>

#include "report_priv.h"

#define GP_TIMEOUT_MS 20000
#define SVG_MAX_BYTES (32u << 20)

/* ---- gnuplot: found once per page, run once per plot in a private directory ---- */

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

void gp_init(struct gp *gp)
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
void gp_cleanup(struct gp *gp)
{
	if (!gp->dir[0])
		return;
	tmpdir_remove(gp->dir);
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

/*
 * In the child: gnuplot on script, in the private dir, in its own process group (so that a
 * timeout kills whatever it started too), stderr into errname.
 */
static _Noreturn void gp_exec(const struct gp *gp, const char *script, const char *errname)
{
	char *argv[] = {(char *)gp->bin, (char *)script, NULL};
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

/* Runs gnuplot on script (in the private dir). 0, or -1 with why set. */
static int gp_run(struct gp *gp, const char *script, const char *errname, char *why, size_t whylen)
{
	int status = 0, rc;
	bool timed_out;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "cannot fork gnuplot (%s)", strerror(errno));
		return -1;
	}
	if (pid == 0)
		gp_exec(gp, script, errname);
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

/* ---- one plot: its script and data files, gnuplot run on them, the SVG inlined ---- */

/* Starts plot p (script file open, terminal set); false when plots cannot be made. */
bool gp_begin(struct gp *gp, struct plot *p, int width, int height)
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
FILE *gp_data(struct gp *gp, const struct plot *p, const char *suffix)
{
	char n[64];

	snprintf(n, sizeof n, "%s%s.dat", p->name, suffix);
	return gp_fopen(gp, n, "w");
}

/* Counts a plot that could not be drawn and says why where it would have been. */
static void gp_fail(struct gp *gp, FILE *out, const char *why)
{
	gp->failed++;
	if (!gp->why[0])
		snprintf(gp->why, sizeof gp->why, "%.300s.", why);
	fputs("<p class=\"plotnote\">Plot not drawn: ", out);
	html_text(out, why);
	fputs(".</p>\n", out);
}

/* Gives up on p before gnuplot runs, when its files could not be made. */
void gp_abort(struct gp *gp, struct plot *p, FILE *out)
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
	gp_fail(gp, out, why);
}

/*
 * Finishes p: runs gnuplot and inlines the SVG into out, or writes a note saying why the plot
 * is missing. A failure here never fails the page.
 */
void gp_end(struct gp *gp, struct plot *p, FILE *out)
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
	gp_fail(gp, out, why);
}

/* ---- text from the document in gnuplot's files ---- */

/*
 * Writes s as one field of a tab-separated gnuplot data file. Data is never parsed as commands,
 * so this only keeps the field one field: tabs, newlines and controls become spaces, and '"'
 * (which gnuplot takes as the start of a quoted field) becomes ”. Long text is cut with "…".
 */
void gp_field(FILE *f, const char *s)
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
const char *gp_safe(char *buf, size_t len, const char *s)
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
