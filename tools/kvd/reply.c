// SPDX-License-Identifier: MIT
/* reply: RESP2/RESP3 replies into a client's output buffer, and Redis's number parsing and printing. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

/* Grows the output buffer to take n more bytes; false when out of memory (the client closes). */
static bool ob_reserve(struct client_core *cc, size_t n)
{
	size_t want = cc->ob_len + n, cap;
	char *p;

	if (want <= cc->ob_cap)
		return true;
	cap = cc->ob_cap ? cc->ob_cap : KVD_OBUF_INIT;
	while (cap < want)
		cap *= 2;
	p = realloc(cc->ob, cap);
	if (!p)
		return false;
	cc->ob = p;
	cc->ob_cap = cap;
	return true;
}

/* The space for n more bytes at the end of c's reply, or NULL (a fake or closing client). */
static inline char *ob_tail(struct client *c, size_t n)
{
	struct client_core *cc = c->core;

	if (c->fd < 0 || (c->flags & CF_CLOSE_ASAP))
		return NULL;
	if (cc->ob_len + n > cc->ob_cap && !ob_reserve(cc, n)) {
		client_mark_close(c);
		return NULL;
	}
	if (!(cc->cflags & CC_PENDING_WRITE))
		client_queue_write(c);
	return cc->ob + cc->ob_len;
}

void reply_raw(struct client *c, const char *p, size_t n)
{
	char *t = ob_tail(c, n);

	if (!t)
		return;
	memcpy(t, p, n);
	c->core->ob_len += n;
}

/* Writes v in decimal at p; returns the length (at most 20). */
static inline int ll_to_str(char *p, long long v)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[len++] = '-';
	while (n)
		p[len++] = tmp[--n];
	return len;
}

/* "<prefix><v>\r\n" */
static void reply_header(struct client *c, char prefix, long long v)
{
	char *t = ob_tail(c, 24);
	int n;

	if (!t)
		return;
	t[0] = prefix;
	n = 1 + ll_to_str(t + 1, v);
	t[n++] = '\r';
	t[n++] = '\n';
	c->core->ob_len += (size_t)n;
}

void reply_ok(struct client *c)
{
	reply_raw(c, "+OK\r\n", 5);
}

void reply_simple(struct client *c, const char *s)
{
	size_t n = strlen(s);
	char *t = ob_tail(c, n + 3);

	if (!t)
		return;
	t[0] = '+';
	memcpy(t + 1, s, n);
	memcpy(t + 1 + n, "\r\n", 2);
	c->core->ob_len += n + 3;
}

void reply_error_len(struct client *c, const char *p, size_t n)
{
	if (n == 0 || p[0] != '-')
		reply_raw(c, "-", 1);
	reply_raw(c, p, n);
	reply_raw(c, "\r\n", 2);
}

void reply_error(struct client *c, const char *msg)
{
	reply_error_len(c, msg, strlen(msg));
}

void reply_errorf(struct client *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* Arguments come from clients: a newline inside would break the protocol (Redis maps them too). */
	for (int i = 0; i < n; i++)
		if (buf[i] == '\r' || buf[i] == '\n')
			buf[i] = ' ';
	reply_error_len(c, buf, (size_t)n);
}

void reply_int(struct client *c, long long v)
{
	if (v == 0) {
		reply_raw(c, ":0\r\n", 4);
		return;
	}
	if (v == 1) {
		reply_raw(c, ":1\r\n", 4);
		return;
	}
	reply_header(c, ':', v);
}

void reply_bulk(struct client *c, const void *p, size_t n)
{
	char *t = ob_tail(c, n + 26);
	int h;

	if (!t)
		return;
	t[0] = '$';
	h = 1 + ll_to_str(t + 1, (long long)n);
	t[h++] = '\r';
	t[h++] = '\n';
	t += h;
	memcpy(t, p, n);
	t[n] = '\r';
	t[n + 1] = '\n';
	c->core->ob_len += (size_t)h + n + 2;
}

void reply_bulk_cstr(struct client *c, const char *s)
{
	if (!s) {
		reply_null(c);
		return;
	}
	reply_bulk(c, s, strlen(s));
}

void reply_bulk_ll(struct client *c, long long v)
{
	char buf[24];
	int n = ll_to_str(buf, v);

	reply_bulk(c, buf, (size_t)n);
}

int fmt_double(char *buf, size_t len, double d)
{
	if (isinf(d))
		return snprintf(buf, len, "%s", d > 0 ? "inf" : "-inf");
	return snprintf(buf, len, "%.17g", d);
}

bool kvd_clamp_range(long long start, long long end, size_t len, size_t *from, size_t *to)
{
	long long llen = (long long)len;
	if (start < 0)
		start += llen;
	if (end < 0)
		end += llen;
	if (start < 0)
		start = 0;
	if (start > end || start >= llen)
		return false;
	if (end >= llen)
		end = llen - 1;
	*from = (size_t)start;
	*to = (size_t)end;
	return true;
}

int add_long_double(struct client *c, long double v, long double incr, char *buf, size_t len)
{
	v += incr;
	if (isnan(v) || isinf(v)) {
		reply_error(c, "ERR increment would produce NaN or Infinity");
		return -1;
	}
	return fmt_long_double(buf, len, v);
}

int fmt_long_double(char *buf, size_t len, long double d)
{
	int l;

	if (isinf(d))
		return snprintf(buf, len, "%s", d > 0 ? "inf" : "-inf");
	l = snprintf(buf, len, "%.17Lf", d);
	if (l < 0 || (size_t)l + 1 > len)
		return 0;
	/* Redis's ld2string(LD_STR_HUMAN): trailing zeros, then a bare point, go; "-0" is "0". */
	if (strchr(buf, '.')) {
		char *p = buf + l - 1;
		while (*p == '0') {
			p--;
			l--;
		}
		if (*p == '.')
			l--;
	}
	if (l == 2 && buf[0] == '-' && buf[1] == '0') {
		buf[0] = '0';
		l = 1;
	}
	buf[l] = '\0';
	return l;
}

void reply_double(struct client *c, double d)
{
	char buf[64];
	int n;

	if (c->resp == 3) {
		buf[0] = ',';
		n = 1 + fmt_double(buf + 1, sizeof(buf) - 3, d);
		memcpy(buf + n, "\r\n", 2);
		reply_raw(c, buf, (size_t)n + 2);
		return;
	}
	n = fmt_double(buf, sizeof(buf), d);
	reply_bulk(c, buf, (size_t)n);
}

void reply_null(struct client *c)
{
	if (c->resp == 3)
		reply_raw(c, "_\r\n", 3);
	else
		reply_raw(c, "$-1\r\n", 5);
}

void reply_null_array(struct client *c)
{
	if (c->resp == 3)
		reply_raw(c, "_\r\n", 3);
	else
		reply_raw(c, "*-1\r\n", 5);
}

void reply_bool(struct client *c, bool b)
{
	if (c->resp == 3)
		reply_raw(c, b ? "#t\r\n" : "#f\r\n", 4);
	else
		reply_raw(c, b ? ":1\r\n" : ":0\r\n", 4);
}

void reply_array(struct client *c, long n)
{
	reply_header(c, '*', n);
}

void reply_map(struct client *c, long n)
{
	if (c->resp == 3)
		reply_header(c, '%', n);
	else
		reply_header(c, '*', 2 * n);
}

void reply_set(struct client *c, long n)
{
	reply_header(c, c->resp == 3 ? '~' : '*', n);
}

void reply_verbatim(struct client *c, const char *p, size_t n)
{
	if (c->resp != 3) {
		reply_bulk(c, p, n);
		return;
	}
	reply_header(c, '=', (long long)n + 4);
	reply_raw(c, "txt:", 4);
	reply_raw(c, p, n);
	reply_raw(c, "\r\n", 2);
}

/*
 * A deferred length is a place in the output buffer: the header is inserted there once known.
 * The buffer only moves its contents when written, never while a command runs, so the offset
 * stays good. The handle is the offset + 1 (NULL: replies dropped).
 */
void *reply_defer(struct client *c)
{
	if (c->fd < 0 || (c->flags & CF_CLOSE_ASAP))
		return NULL;
	if (!(c->core->cflags & CC_PENDING_WRITE))
		client_queue_write(c);
	return (void *)(uintptr_t)(c->core->ob_len + 1);
}

static void set_deferred(struct client *c, void *handle, char prefix, long n)
{
	struct client_core *cc = c->core;
	size_t off = (size_t)(uintptr_t)handle - 1;
	char hdr[32];
	int h;

	if (!handle || c->fd < 0 || (c->flags & CF_CLOSE_ASAP) || off > cc->ob_len)
		return;
	hdr[0] = prefix;
	h = 1 + ll_to_str(hdr + 1, n);
	hdr[h++] = '\r';
	hdr[h++] = '\n';
	if (!ob_reserve(cc, (size_t)h)) {
		client_mark_close(c);
		return;
	}
	memmove(cc->ob + off + h, cc->ob + off, cc->ob_len - off);
	memcpy(cc->ob + off, hdr, (size_t)h);
	cc->ob_len += (size_t)h;
}

void reply_set_deferred_array(struct client *c, void *handle, long n)
{
	set_deferred(c, handle, '*', n);
}

void reply_set_deferred_map(struct client *c, void *handle, long n)
{
	if (c->resp == 3)
		set_deferred(c, handle, '%', n);
	else
		set_deferred(c, handle, '*', 2 * n);
}

void reply_set_deferred_set(struct client *c, void *handle, long n)
{
	set_deferred(c, handle, c->resp == 3 ? '~' : '*', n);
}

/* ---- arguments --------------------------------------------------------------------------- */

/* Redis's string2ll: no spaces, no '+', no leading zeros, fits in a long long. */
bool str_to_ll(const char *p, size_t n, long long *v)
{
	unsigned long long u;
	size_t i = 0;
	bool neg = false;

	if (n == 0 || n >= 21)
		return false;
	if (n == 1 && p[0] == '0') {
		*v = 0;
		return true;
	}
	if (p[0] == '-') {
		neg = true;
		if (++i == n)
			return false;
	}
	if (p[i] < '1' || p[i] > '9')
		return false;
	u = (unsigned long long)(p[i++] - '0');
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		unsigned d = (unsigned)(p[i] - '0');
		if (u > ULLONG_MAX / 10)
			return false;
		u *= 10;
		if (u > ULLONG_MAX - d)
			return false;
		u += d;
	}
	if (i < n)
		return false;
	if (neg) {
		if (u > (unsigned long long)LLONG_MAX + 1)
			return false;
		*v = (long long)(0ULL - u);
	} else {
		if (u > (unsigned long long)LLONG_MAX)
			return false;
		*v = (long long)u;
	}
	return true;
}

/* Redis's getDoubleFromObject: strtod over the whole string, no leading space, no nan. */
bool str_to_double(const char *p, size_t n, double *v)
{
	char small[128], *buf = small, *end;
	bool ok;
	double d;

	if (n == 0 || isspace((unsigned char)p[0]))
		return false;
	if (n >= sizeof(small)) {
		buf = malloc(n + 1);
		if (!buf)
			return false;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	d = strtod(buf, &end);
	ok = (size_t)(end - buf) == n && !isnan(d) &&
	     !(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL || fpclassify(d) == FP_ZERO));
	if (buf != small)
		free(buf);
	if (ok)
		*v = d;
	return ok;
}

bool arg_ll(struct client *c, const struct karg *a, long long *v)
{
	if (str_to_ll(a->p, a->n, v))
		return true;
	reply_error(c, KERR_NOT_INT);
	return false;
}

bool arg_double(struct client *c, const struct karg *a, double *v)
{
	if (str_to_double(a->p, a->n, v))
		return true;
	reply_error(c, KERR_NOT_FLOAT);
	return false;
}

bool arg_eq(const struct karg *a, const char *word)
{
	size_t n = strlen(word);

	return a->n == n && strncasecmp(a->p, word, n) == 0;
}
