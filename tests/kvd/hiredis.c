// SPDX-License-Identifier: MIT
/*
 * hiredis: kvd through a real client library (Debian's hiredis 0.14): binary values, pipelining,
 * every RESP2 reply type, a 10 MB value. RESP3 is not tested: hiredis 0.14 cannot parse it.
 * Usage: hiredis SOCKET (a unix socket kvd listens on).
 */
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static redisReply *cmd(redisContext *c, const char *fmt, ...)
{
	va_list ap;
	void *r;

	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	return r;
}

static void binary(redisContext *c)
{
	static const char v[] = "a\0b\r\nc\0\r\n\xff";
	redisReply *r;

	r = cmd(c, "SET %b %b", "bin\0key", (size_t)7, v, sizeof v - 1);
	ok(r && r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "OK"), "SET of a value with NUL and CRLF");
	freeReplyObject(r);
	r = cmd(c, "GET %b", "bin\0key", (size_t)7);
	ok(r && r->type == REDIS_REPLY_STRING && r->len == sizeof v - 1 && !memcmp(r->str, v, sizeof v - 1),
	   "GET returns the same %zu bytes", sizeof v - 1);
	freeReplyObject(r);
	r = cmd(c, "STRLEN %b", "bin\0key", (size_t)7);
	ok(r && r->type == REDIS_REPLY_INTEGER && r->integer == (long long)sizeof v - 1,
	   "STRLEN counts them");
	freeReplyObject(r);
}

static void types(redisContext *c)
{
	redisReply *r;

	freeReplyObject(cmd(c, "DEL nokey list"));
	r = cmd(c, "PING");
	ok(r && r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "PONG"), "status reply: PONG");
	freeReplyObject(r);
	r = cmd(c, "GET nokey");
	ok(r && r->type == REDIS_REPLY_NIL, "nil reply: GET of a missing key");
	freeReplyObject(r);
	r = cmd(c, "RPUSH list a bb ccc");
	ok(r && r->type == REDIS_REPLY_INTEGER && r->integer == 3, "integer reply: RPUSH");
	freeReplyObject(r);
	r = cmd(c, "LRANGE list 0 -1");
	ok(r && r->type == REDIS_REPLY_ARRAY && r->elements == 3 && !strcmp(r->element[2]->str, "ccc"),
	   "array reply: LRANGE");
	freeReplyObject(r);
	r = cmd(c, "INCR list");
	ok(r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "WRONGTYPE", 9), "error reply: WRONGTYPE");
	freeReplyObject(r);
	r = cmd(c, "NOSUCHCOMMAND x");
	ok(r && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "ERR unknown command", 19),
	   "error reply: unknown command");
	freeReplyObject(r);
	/* HELLO 3 is not sent: hiredis 0.14 takes RESP3's map reply for a protocol error. */
	r = cmd(c, "HELLO 2");
	ok(r && r->type == REDIS_REPLY_ARRAY && r->elements == 14 && !strcmp(r->element[0]->str, "server"),
	   "HELLO 2: the server's map as a RESP2 array");
	freeReplyObject(r);
}

static void pipeline(redisContext *c)
{
	enum { N = 1000 };
	redisReply *r;
	int good = 0;

	freeReplyObject(cmd(c, "DEL pipe"));
	for (int i = 0; i < N; i++)
		redisAppendCommand(c, "INCR pipe");
	redisAppendCommand(c, "GET pipe");
	for (int i = 0; i < N; i++) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			break;
		good += r->type == REDIS_REPLY_INTEGER && r->integer == i + 1;
		freeReplyObject(r);
	}
	is_int(good, N, "%d pipelined INCRs answered in order", N);
	ok(redisGetReply(c, (void **)&r) == REDIS_OK && r->type == REDIS_REPLY_STRING &&
		   !strcmp(r->str, "1000"),
	   "the GET after them sees all");
	freeReplyObject(r);
}

static void large(redisContext *c)
{
	size_t n = 10u << 20;
	char *v = malloc(n);
	redisReply *r;

	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = (char)(i * 131 + (i >> 13));
	r = cmd(c, "SET large %b", v, n);
	ok(r && r->type == REDIS_REPLY_STATUS, "SET of a 10 MB value");
	freeReplyObject(r);
	r = cmd(c, "GET large");
	ok(r && r->type == REDIS_REPLY_STRING && r->len == n && !memcmp(r->str, v, n),
	   "GET returns the 10 MB");
	freeReplyObject(r);
	freeReplyObject(cmd(c, "DEL large"));
	free(v);
}

int main(int argc, char **argv)
{
	redisContext *c;

	if (argc != 2)
		skip_all("usage: hiredis SOCKET (run by tests/integ/kvd_hiredis.sh)");
	c = redisConnectUnix(argv[1]);
	if (!c || c->err) {
		ok(0, "connect to %s: %s", argv[1], c ? c->errstr : "out of memory");
		return done_testing();
	}
	ok(1, "connect to %s", argv[1]);
	binary(c);
	types(c);
	pipeline(c);
	large(c);
	redisFree(c);
	return done_testing();
}
