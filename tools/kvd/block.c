// SPDX-License-Identifier: MIT
/*
 * block: clients waiting in BLPOP and friends. A blocked client's command is kept and run again
 * (CF_REEXEC) in the before-sleep step once a key it waits on is touched, or answered with a null
 * array at its timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- a key -> clients registry (blocked keys here, WATCHed keys in conn.c) ---------------- */

static void cvec_free(union dict_val *v)
{
	struct cvec *cv = v->ptr;

	if (cv) {
		free(cv->v);
		free(cv);
	}
}

int keyreg_add(struct dict *d, const struct karg *key, struct client *c)
{
	bool created;
	struct dict_entry *e = dict_upsert(d, key->p, key->n, &created);
	struct cvec *cv;

	if (!e)
		return -ENOMEM;
	cv = e->v.ptr;
	if (!cv) {
		cv = calloc(1, sizeof(*cv));
		if (!cv) {
			dict_delete(d, key->p, key->n, NULL);
			return -ENOMEM;
		}
		e->v.ptr = cv;
	}
	for (int i = 0; i < cv->n; i++)
		if (cv->v[i] == c)
			return 1;
	if (cv->n == cv->cap) {
		int cap = cv->cap ? cv->cap * 2 : 4;
		struct client **p = realloc(cv->v, (size_t)cap * sizeof(*p));
		if (!p) {
			if (cv->n == 0)
				dict_delete(d, key->p, key->n, cvec_free);
			return -ENOMEM;
		}
		cv->v = p;
		cv->cap = cap;
	}
	cv->v[cv->n++] = c;
	return 0;
}

void keyreg_del(struct dict *d, const struct karg *key, struct client *c)
{
	struct dict_entry *e = dict_find(d, key->p, key->n);
	struct cvec *cv;

	if (!e)
		return;
	cv = e->v.ptr;
	for (int i = 0; i < cv->n; i++) {
		if (cv->v[i] != c)
			continue;
		memmove(cv->v + i, cv->v + i + 1, (size_t)(cv->n - i - 1) * sizeof(*cv->v));
		cv->n--;
		break;
	}
	if (cv->n == 0)
		dict_delete(d, key->p, key->n, cvec_free);
}

struct cvec *keyreg_get(struct dict *d, const struct karg *key)
{
	struct dict_entry *e = dict_size(d) ? dict_find(d, key->p, key->n) : NULL;

	return e ? e->v.ptr : NULL;
}

/* ---- blocking ---------------------------------------------------------------------------- */

static struct dict blocking[KVD_DBNUM]; /* per db: key -> the clients blocked on it, in order */
static bool blocking_ready;

static struct dict *blocking_dict(const struct db *db)
{
	if (!blocking_ready) {
		for (int i = 0; i < KVD_DBNUM; i++)
			dict_init(&blocking[i]);
		blocking_ready = true;
	}
	return &blocking[db->id];
}

bool kvd_may_block(const struct client *c)
{
	return c->fd >= 0 && !(c->flags & (CF_IN_EXEC | CF_MULTI | CF_AOF_LOADING));
}

static int64_t block_timeouts(struct evloop *l, long long id, void *arg);

/* The timer wakes at the nearest deadline of a blocked client. */
static void block_timer_arm(int64_t when_ms)
{
	if (srv.block_timer && srv.block_timer_when <= when_ms)
		return;
	if (srv.block_timer)
		evloop_timer_del(srv.loop, srv.block_timer);
	srv.block_timer = evloop_timer_add(srv.loop, when_ms - kvd_unix_ms(), block_timeouts, NULL);
	if (srv.block_timer < 0)
		srv.block_timer = 0;
	srv.block_timer_when = when_ms;
}

void kvd_block(struct client *c, int nkeys, const struct karg *keys, int64_t timeout_ms)
{
	struct client_extra *x;
	struct karg *dup;

	if (!kvd_may_block(c) || (c->flags & CF_BLOCKED)) {
		reply_null_array(c);
		return;
	}
	x = client_extra(c);
	dup = x ? karg_dup_array(nkeys, keys) : NULL;
	if (!dup) {
		reply_error(c, KERR_OOM);
		return;
	}
	/* Run again (CF_REEXEC), the command already is the kept copy: it is not copied twice. */
	if (!(c->flags & CF_REEXEC)) {
		owned_cmd_set(&x->bcmd, c->cmd, c->argc, c->argv);
		if (!x->bcmd.argv) {
			karg_free_array(nkeys, dup);
			reply_error(c, KERR_OOM);
			return;
		}
	}
	x->bkeys = dup;
	x->bnkeys = nkeys;
	/* Run again and blocked again: the deadline stays the one the client asked for at first. */
	if (!(c->flags & CF_REEXEC))
		x->btimeout_ms = timeout_ms;
	timeout_ms = x->btimeout_ms;
	for (int i = 0; i < nkeys; i++)
		keyreg_add(blocking_dict(c->db), &dup[i], c);
	c->flags |= CF_BLOCKED;
	clist_push(&srv.blocked, c, CL_BLK);
	srv.blocked_clients++;
	if (timeout_ms)
		block_timer_arm(timeout_ms);
}

/* Forgets the keys c waits on; the kept command stays (it may be about to run again). */
static void unregister(struct client *c)
{
	struct client_extra *x = c->core->x;

	if (!(c->flags & CF_BLOCKED))
		return;
	for (int i = 0; i < x->bnkeys; i++)
		keyreg_del(blocking_dict(c->db), &x->bkeys[i], c);
	karg_free_array(x->bnkeys, x->bkeys);
	x->bkeys = NULL;
	x->bnkeys = 0;
	c->flags &= ~CF_BLOCKED;
	clist_remove(&srv.blocked, c, CL_BLK);
	srv.blocked_clients--;
	if (c->core->cflags & CC_READY) {
		c->core->cflags &= ~CC_READY;
		clist_remove(&srv.ready, c, CL_RDY);
	}
}

/* After a client stopped waiting: what it sent meanwhile runs now. */
static void resume_input(struct client *c)
{
	struct client_core *cc = c->core;

	if (cc->qb_len > cc->qb_pos && !(cc->cflags & CC_PENDING_INPUT)) {
		cc->cflags |= CC_PENDING_INPUT;
		clist_push(&srv.pending_input, c, CL_PIN);
	}
}

void block_unblock(struct client *c)
{
	if (!(c->flags & CF_BLOCKED))
		return;
	unregister(c);
	owned_cmd_free(&c->core->x->bcmd);
	resume_input(c);
}

void block_client_free(struct client *c)
{
	if (c->flags & CF_BLOCKED)
		unregister(c);
	if (c->core->x)
		owned_cmd_free(&c->core->x->bcmd);
}

void block_key_ready(struct db *db, const struct karg *key)
{
	struct cvec *cv;

	if (!srv.blocked_clients)
		return;
	cv = keyreg_get(blocking_dict(db), key);
	if (!cv)
		return;
	/* In the order they blocked; a client waiting on several keys is queued once. */
	for (int i = 0; i < cv->n; i++) {
		struct client *c = cv->v[i];
		if (c->core->cflags & CC_READY)
			continue;
		c->core->cflags |= CC_READY;
		clist_push(&srv.ready, c, CL_RDY);
	}
}

/* Runs the commands of the clients whose keys were touched; those that find nothing block again. */
void block_run_ready(void)
{
	struct client *c;

	while ((c = srv.ready.head)) {
		struct client_extra *x = c->core->x;
		struct owned_cmd cmd = x->bcmd;

		c->core->cflags &= ~CC_READY;
		clist_remove(&srv.ready, c, CL_RDY);
		unregister(c);
		c->argc = cmd.argc;
		c->argv = cmd.argv;
		c->flags |= CF_REEXEC;
		cmd_call(c, cmd.cmd);
		c->flags &= ~CF_REEXEC;
		c->argc = 0;
		c->argv = NULL;
		if (!(c->flags & CF_BLOCKED)) {
			owned_cmd_free(&x->bcmd);
			resume_input(c);
		}
	}
}

/* Answers the blocked clients whose time is up; returns when to look again. */
static int64_t block_timeouts(struct evloop *l, long long id, void *arg)
{
	int64_t now = kvd_unix_ms(), next = 0;
	struct client *c, *nx;

	(void)l;
	(void)id;
	(void)arg;
	for (c = srv.blocked.head; c; c = nx) {
		int64_t t = c->core->x->btimeout_ms;
		nx = c->core->blink.next;
		if (!t)
			continue;
		if (t <= now) {
			reply_null_array(c);
			block_unblock(c);
		} else if (!next || t < next) {
			next = t;
		}
	}
	if (!next) {
		srv.block_timer = 0;
		return EVLOOP_NOMORE;
	}
	srv.block_timer_when = next;
	return next - now;
}
