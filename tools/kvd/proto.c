// SPDX-License-Identifier: MIT
/*
 * proto: RESP requests (multibulk and inline) parsed into argv that points into the query data,
 * with Redis's protocol errors and limits; whole commands are run as they are found.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

enum { PARSE_ERR = -1, PARSE_MORE = 0, PARSE_CMD = 1, PARSE_EMPTY = 2 };

/* The argv of the command being run: reused by every command, grown when one has more. */
static struct karg *g_argv;
static int g_argv_cap;

static bool argv_reserve(int n)
{
	struct karg *p;
	int cap = g_argv_cap ? g_argv_cap : 64;

	if (n <= g_argv_cap)
		return true;
	while (cap < n)
		cap = cap > INT_MAX / 2 ? INT_MAX : cap * 2;
	p = realloc(g_argv, (size_t)cap * sizeof(*p));
	if (!p)
		return false;
	g_argv = p;
	g_argv_cap = cap;
	return true;
}

static bool auth_required(const struct client *c)
{
	return kvd_cfg.requirepass && !(c->flags & CF_AUTHENTICATED);
}

/* The '\r' of a header line, as Redis's strchr finds it: not past a NUL byte. NULL: none yet. */
static char *find_cr(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			return p + i;
		if (p[i] == '\0')
			return NULL;
	}
	return NULL;
}

static int proto_error(struct client *c, const char *msg)
{
	if (msg)
		reply_error(c, msg);
	c->core->cflags |= CC_PROTO_ERR;
	c->flags |= CF_CLOSE_AFTER_REPLY;
	return PARSE_ERR;
}

/* Rebuilds argv of a complete multibulk command that arrived in several reads. */
static void mb_rewalk(char *cmd, int argc)
{
	char *p = cmd;

	while (*p != '\n')
		p++;
	p++;

	for (int i = 0; i < argc; i++) {
		long long n = 0;
		for (p++; *p != '\r'; p++)
			n = n * 10 + (*p - '0');
		p += 2;
		g_argv[i].p = p;
		g_argv[i].n = (size_t)n;
		p += n + 2;
	}
}

/*
 * A multibulk request at cmd (avail bytes). The parser's state lives in the client so that it
 * resumes where the last read stopped, relative to the command's start.
 */
static int parse_multibulk(struct client *c, char *cmd, size_t avail, size_t *used)
{
	struct client_core *cc = c->core;
	bool fresh = cc->mb_left == 0;
	size_t pos = cc->arg_pos;
	long long ll;
	char *nl;

	if (fresh) {
		nl = find_cr(cmd, avail);
		if (!nl) {
			if (avail > KVD_INLINE_MAX)
				return proto_error(c, "ERR Protocol error: too big mbulk count string");
			return PARSE_MORE;
		}
		if ((size_t)(nl - cmd) + 2 > avail)
			return PARSE_MORE;
		if (!str_to_ll(cmd + 1, (size_t)(nl - cmd - 1), &ll) || ll > INT_MAX)
			return proto_error(c, "ERR Protocol error: invalid multibulk length");
		if (ll > 10 && auth_required(c))
			return proto_error(c, "ERR Protocol error: unauthenticated multibulk length");
		pos = (size_t)(nl - cmd) + 2;
		if (ll <= 0) {
			*used = pos;
			return PARSE_EMPTY;
		}
		cc->mb_left = ll;
		cc->mb_args = 0;
		cc->bulk_len = -1;
	}
	while (cc->mb_left) {
		if (cc->bulk_len < 0) {
			nl = find_cr(cmd + pos, avail - pos);
			if (!nl) {
				if (avail - pos > KVD_INLINE_MAX)
					return proto_error(c,
							   "ERR Protocol error: too big bulk count string");
				break;
			}
			if ((size_t)(nl - cmd) + 2 > avail)
				break;
			if (cmd[pos] != '$') {
				reply_errorf(c, "ERR Protocol error: expected '$', got '%c'", cmd[pos]);
				return proto_error(c, NULL);
			}
			if (!str_to_ll(cmd + pos + 1, (size_t)(nl - cmd - (long)pos - 1), &ll) || ll < 0 ||
			    ll > kvd_cfg.proto_max_bulk_len)
				return proto_error(c, "ERR Protocol error: invalid bulk length");
			if (ll > 16384 && auth_required(c))
				return proto_error(c, "ERR Protocol error: unauthenticated bulk length");
			pos = (size_t)(nl - cmd) + 2;
			cc->bulk_len = ll;
		}
		if (avail - pos < (size_t)cc->bulk_len + 2)
			break;
		if (fresh) {
			if (!argv_reserve(cc->mb_args + 1)) {
				client_mark_close(c);
				return PARSE_ERR;
			}
			g_argv[cc->mb_args].p = cmd + pos;
			g_argv[cc->mb_args].n = (size_t)cc->bulk_len;
		}
		/* Like Redis, the two bytes after the data are taken as CRLF without a look. */
		pos += (size_t)cc->bulk_len + 2;
		cc->mb_args++;
		cc->mb_left--;
		cc->bulk_len = -1;
	}
	cc->arg_pos = pos;
	if (cc->mb_left)
		return PARSE_MORE;
	if (!fresh) {
		if (!argv_reserve(cc->mb_args)) {
			client_mark_close(c);
			return PARSE_ERR;
		}
		mb_rewalk(cmd, cc->mb_args);
	}
	c->argc = cc->mb_args;
	c->argv = g_argv;
	cc->arg_pos = 0;
	*used = pos;
	return PARSE_CMD;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Redis's sdssplitargs, in place: line is NUL-terminated and every unescaped argument is no
 * longer than its source, so it is written over it. The number of arguments, or -1 for
 * unbalanced quotes.
 */
static int split_args(char *line)
{
	char *p = line, *w;
	int argc = 0;

	for (;;) {
		bool inq = false, insq = false, done = false;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			return argc;
		w = p;
		if (!argv_reserve(argc + 1))
			return -1;
		g_argv[argc].p = w;
		while (!done) {
			if (inq) {
				if (p[0] == '\\' && p[1] == 'x' && hex_val(p[2]) >= 0 && hex_val(p[3]) >= 0) {
					*w++ = (char)(hex_val(p[2]) * 16 + hex_val(p[3]));
					p += 3;
				} else if (p[0] == '\\' && p[1]) {
					char ch;
					p++;
					switch (*p) {
					case 'n':
						ch = '\n';
						break;
					case 'r':
						ch = '\r';
						break;
					case 't':
						ch = '\t';
						break;
					case 'b':
						ch = '\b';
						break;
					case 'a':
						ch = '\a';
						break;
					default:
						ch = *p;
						break;
					}
					*w++ = ch;
				} else if (*p == '"') {
					/* A closing quote must be followed by a space or nothing at all. */
					if (p[1] && !isspace((unsigned char)p[1]))
						return -1;
					done = true;
				} else if (!*p) {
					return -1;
				} else {
					*w++ = *p;
				}
			} else if (insq) {
				if (p[0] == '\\' && p[1] == '\'') {
					p++;
					*w++ = '\'';
				} else if (*p == '\'') {
					if (p[1] && !isspace((unsigned char)p[1]))
						return -1;
					done = true;
				} else if (!*p) {
					return -1;
				} else {
					*w++ = *p;
				}
			} else {
				switch (*p) {
				case ' ':
				case '\n':
				case '\r':
				case '\t':
				case '\0':
					done = true;
					break;
				case '"':
					inq = true;
					break;
				case '\'':
					insq = true;
					break;
				default:
					*w++ = *p;
					break;
				}
			}
			if (*p)
				p++;
		}
		g_argv[argc].n = (size_t)(w - g_argv[argc].p);
		argc++;
	}
}

/* An inline request: one line, split as redis-cli's users type it. */
static int parse_inline(struct client *c, char *cmd, size_t avail, size_t *used)
{
	char *nl = NULL;
	size_t qlen;
	int argc;

	/* Redis looks for the newline with strchr: a NUL byte before it hides it. */
	for (size_t i = 0; i < avail && cmd[i]; i++) {
		if (cmd[i] == '\n') {
			nl = cmd + i;
			break;
		}
	}
	if (!nl) {
		if (avail > KVD_INLINE_MAX)
			return proto_error(c, "ERR Protocol error: too big inline request");
		return PARSE_MORE;
	}
	*used = (size_t)(nl - cmd) + 1;
	qlen = (size_t)(nl - cmd);
	if (qlen && cmd[qlen - 1] == '\r')
		qlen--;
	cmd[qlen] = '\0';
	argc = split_args(cmd);
	if (argc < 0)
		return proto_error(c, "ERR Protocol error: unbalanced quotes in request");
	if (argc == 0)
		return PARSE_EMPTY;
	c->argc = argc;
	c->argv = g_argv;
	return PARSE_CMD;
}

static bool client_stopped(const struct client *c)
{
	return (c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP | CF_BLOCKED)) ||
	       (c->core->cflags & CC_PROTO_ERR);
}

/* Keeps the bytes [from, len) of the shared read buffer in c's own query buffer. */
static bool keep_rest(struct client *c, const char *from, size_t n)
{
	struct client_core *cc = c->core;

	if (cc->qb_cap < n) {
		size_t cap = n < KVD_IOBUF_LEN ? KVD_IOBUF_LEN : n;
		char *p = realloc(cc->qb, cap + 1);
		if (!p) {
			client_mark_close(c);
			return false;
		}
		cc->qb = p;
		cc->qb_cap = cap;
	}
	memcpy(cc->qb, from, n);
	cc->qb_len = n;
	cc->qb_pos = 0;
	return true;
}

/*
 * Runs the whole commands in buf[0, len). With shared, buf is the loop's read buffer and what is
 * left (an incomplete command, or commands beyond this turn's share) moves into c's own query
 * buffer; otherwise buf is c->core->qb and qb_pos advances. False when c must close.
 */
bool proto_process(struct client *c, char *buf, size_t len, bool shared)
{
	struct client_core *cc = c->core;
	size_t pos = shared ? 0 : cc->qb_pos;
	int ncmds = 0;

	while (pos < len && !client_stopped(c)) {
		size_t used = 0;
		int r;

		if (ncmds >= KVD_MAX_CMDS_READ) {
			/* This client's share of the iteration is used up: the rest waits its turn. */
			if (!(cc->cflags & CC_PENDING_INPUT)) {
				cc->cflags |= CC_PENDING_INPUT;
				clist_push(&srv.pending_input, c, CL_PIN);
			}
			break;
		}
		if (cc->mb_left || buf[pos] == '*')
			r = parse_multibulk(c, buf + pos, len - pos, &used);
		else
			r = parse_inline(c, buf + pos, len - pos, &used);
		if (r == PARSE_MORE || r == PARSE_ERR)
			break;
		pos += used;
		if (r == PARSE_EMPTY)
			continue;
		ncmds++;
		cmd_process(c);
		c->argc = 0;
		c->argv = NULL;
	}
	if (cc->cflags & CC_PROTO_ERR) {
		cc->qb_len = cc->qb_pos = 0;
		cc->mb_left = 0;
		return true;
	}
	if (shared) {
		if (pos < len)
			return keep_rest(c, buf + pos, len - pos);
		return true;
	}
	cc->qb_pos = pos;
	if (cc->qb_pos == cc->qb_len) {
		cc->qb_pos = cc->qb_len = 0;
		/* A buffer that grew for a big request is not kept; the usual one is reused. */
		if (cc->qb_cap > 4 * KVD_IOBUF_LEN) {
			free(cc->qb);
			cc->qb = NULL;
			cc->qb_cap = 0;
		}
	}
	return true;
}

/* The commands a client still has in its query buffer (its turn was over, or it was blocked). */
void proto_process_pending(struct client *c)
{
	struct client_core *cc = c->core;

	if (cc->qb_len > cc->qb_pos)
		proto_process(c, cc->qb, cc->qb_len, false);
}
