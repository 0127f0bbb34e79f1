// SPDX-License-Identifier: MIT
/*
 * server: kvd's global state, the cron (idle clients, active expiry, rehashing, the AOF's
 * timers) and the step before the loop sleeps (blocked clients, the AOF, then every reply).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

struct kvd_server srv = {.tcp_fd = -1, .unix_fd = -1, .reserve_fd = -1, .next_client_id = 1};
struct kvd_config kvd_cfg;
struct kvd_stats kvd_stats;

int64_t kvd_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kvd_now_ms(void)
{
	return srv.cmd_ms ? srv.cmd_ms : kvd_unix_ms();
}

/* Redis's log line: "pid:M 22 Nov 2025 21:55:00.123 * message", on stdout. */
void kvd_log(char level, const char *fmt, ...)
{
	char tbuf[64];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	size_t n;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(tbuf, sizeof(tbuf), "%d %b %Y %H:%M:%S", &tm);
	snprintf(tbuf + n, sizeof(tbuf) - n, ".%03d", (int)(tv.tv_usec / 1000));
	printf("%d:M %s %c ", (int)getpid(), tbuf, level);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static struct clink *link_of(struct client *c, size_t off)
{
	return (struct clink *)((char *)c->core + off);
}

void clist_push(struct clist *l, struct client *c, size_t off)
{
	struct clink *k = link_of(c, off);

	k->next = NULL;
	k->prev = l->tail;
	if (l->tail)
		link_of(l->tail, off)->next = c;
	else
		l->head = c;
	l->tail = c;
	l->len++;
}

void clist_remove(struct clist *l, struct client *c, size_t off)
{
	struct clink *k = link_of(c, off);

	if (k->prev)
		link_of(k->prev, off)->next = k->next;
	else
		l->head = k->next;
	if (k->next)
		link_of(k->next, off)->prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = NULL;
	l->len--;
}

struct client_extra *client_extra(struct client *c)
{
	if (!c->core->x)
		c->core->x = calloc(1, sizeof(*c->core->x));
	return c->core->x;
}

void client_mark_close(struct client *c)
{
	if (c->flags & CF_CLOSE_ASAP)
		return;
	c->flags |= CF_CLOSE_ASAP;
	/* The before-sleep step walks the pending-write list: that is where it is closed. */
	if (!(c->core->cflags & CC_PENDING_WRITE))
		client_queue_write(c);
}

/* Commands left in query buffers (a client's turn ran out, or it was unblocked). */
static void run_pending_input(void)
{
	struct clist batch = srv.pending_input;
	struct client *c;

	if (!batch.head)
		return;
	/* Detached: a client that runs out of turn again goes on the (fresh) list for next time. */
	srv.pending_input = (struct clist){0};
	while ((c = batch.head)) {
		clist_remove(&batch, c, CL_PIN);
		c->core->cflags &= ~CC_PENDING_INPUT;
		proto_process_pending(c);
	}
}

/* One write per client with replies; EPOLLOUT only for those whose socket is full. */
static void write_replies(void)
{
	struct clist again = {0};
	struct client *c;

	while ((c = srv.pending_write.head)) {
		clist_remove(&srv.pending_write, c, CL_PW);
		c->core->cflags &= ~CC_PENDING_WRITE;
		if (c->flags & CF_CLOSE_ASAP) {
			client_free(c);
			continue;
		}
		if (c->core->cflags & CC_WRITE_ARMED)
			continue; /* the writable event writes it */
		if (client_write(c) > 0) {
			c->core->cflags |= CC_PENDING_WRITE;
			clist_push(&again, c, CL_PW);
		}
	}
	srv.pending_write = again;
}

void server_before_sleep(struct evloop *l, void *arg)
{
	(void)arg;
	srv.loop_ms = kvd_unix_ms();
	block_run_ready();
	run_pending_input();
	/* With appendfsync always, the AOF is written and synced before the replies it covers. */
	if (kvd_cfg.appendonly && aof_flush_before_sleep)
		aof_flush_before_sleep();
	write_replies();
	if (srv.pending_input.head || srv.pending_write.head || srv.ready.head)
		evloop_no_sleep(l);
	srv.cmd_ms = 0;
}

/* Idle timeout and buffer trimming for one client; false when it was closed. */
static bool client_cron(struct client *c, int64_t now)
{
	struct client_core *cc = c->core;

	if (kvd_cfg.timeout_s && !(c->flags & CF_BLOCKED) && !(c->flags & CF_MULTI) &&
	    now - cc->last_ms > (int64_t)kvd_cfg.timeout_s * 1000) {
		kvd_log('.', "Closing idle client");
		srv.stat_expired_clients++;
		client_free(c);
		return false;
	}
	/* An idle client gives its buffers back, so that it costs only its struct. */
	if (now - cc->last_ms > 2000) {
		if (cc->ob && cc->ob_len == 0 && !(cc->cflags & CC_PENDING_WRITE)) {
			free(cc->ob);
			cc->ob = NULL;
			cc->ob_cap = 0;
		}
		if (cc->qb && cc->qb_len == 0 && cc->mb_left == 0) {
			free(cc->qb);
			cc->qb = NULL;
			cc->qb_cap = 0;
		}
	}
	/* A slow reader over the soft limit for too long, with nothing new written to it. */
	if (kvd_cfg.obuf_soft && cc->obuf_soft_since &&
	    now - cc->obuf_soft_since > (int64_t)kvd_cfg.obuf_soft_s * 1000 &&
	    cc->ob_len - cc->ob_pos >= (size_t)kvd_cfg.obuf_soft) {
		kvd_log('#',
			"Client id=%llu scheduled to be closed ASAP for overcoming of output buffer limits.",
			(unsigned long long)c->id);
		client_mark_close(c);
	}
	return true;
}

/* Visits a slice of the clients per run: all of them once a second, as Redis's clientsCron. */
static void clients_cron(int64_t now)
{
	size_t n = (size_t)srv.by_fd_size, step = n / (size_t)kvd_cfg.hz + 64;

	if (!n)
		return;
	for (size_t i = 0; i < step && i < n; i++) {
		struct client *c;
		srv.cron_cursor = (srv.cron_cursor + 1) % n;
		c = srv.by_fd[srv.cron_cursor];
		if (c)
			client_cron(c, now);
	}
}

static int64_t server_cron(struct evloop *l, long long id, void *arg)
{
	int64_t now = kvd_unix_ms(), period_us = 1000000 / kvd_cfg.hz;

	(void)l;
	(void)id;
	(void)arg;
	srv.loop_ms = now;
	srv.cmd_ms = now;
	clients_cron(now);
	/* Redis gives the slow expiry cycle 25% of a cron period. */
	db_active_expire(period_us / 4);
	db_rehash_step(1000);
	if (kvd_cfg.appendonly && aof_cron)
		aof_cron();
	srv.cmd_ms = 0;
	return 1000 / kvd_cfg.hz;
}

int server_start_cron(void)
{
	long long id = evloop_timer_add(srv.loop, 1000 / kvd_cfg.hz, server_cron, NULL);

	if (id < 0)
		return (int)id;
	srv.cron_timer = id;
	return 0;
}
