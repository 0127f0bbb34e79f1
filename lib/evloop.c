// SPDX-License-Identifier: MIT
/* evloop: the epoll event loop (level-triggered file events, ms timers, a before-sleep hook). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "syslab/evloop.h"

struct evloop_file {
	int mask; /* EVLOOP_READ | EVLOOP_WRITE, 0: not registered */
	evloop_file_fn fn;
	void *arg;
};

/* Timers are few (a server's cron, a blocking timeout): an unsorted list, scanned per iteration. */
struct evloop_timer {
	long long id;
	int64_t when_ms;
	evloop_timer_fn fn;
	void *arg;
	bool deleted; /* removed while the timer list was being walked: freed after the walk */
	struct evloop_timer *next;
};

struct evloop {
	int epfd;
	int setsize;
	struct evloop_file *files;
	struct epoll_event *events;
	struct evloop_timer *timers;
	long long next_timer_id;
	bool in_timers;
	volatile sig_atomic_t stop;
	bool no_sleep;
	evloop_hook_fn before_sleep;
	void *before_sleep_arg;
	int64_t busy_poll_ns;         /* 0: sleep at once */
	unsigned long long busy_hits; /* polls that found an event */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t evloop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int evloop_new(struct evloop **out, int setsize)
{
	struct evloop *l = calloc(1, sizeof(*l));
	int err = -ENOMEM;

	if (!l)
		return -ENOMEM;
	l->epfd = -1;
	l->setsize = setsize;
	l->next_timer_id = 1;
	l->files = calloc((size_t)setsize, sizeof(*l->files));
	l->events = calloc((size_t)setsize, sizeof(*l->events));
	if (!l->files || !l->events)
		goto fail;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err = -errno;
		goto fail;
	}
	*out = l;
	return 0;
fail:
	evloop_free(l);
	return err;
}

void evloop_free(struct evloop *l)
{
	if (!l)
		return;
	while (l->timers) {
		struct evloop_timer *t = l->timers;
		l->timers = t->next;
		free(t);
	}
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->files);
	free(l->events);
	free(l);
}

int evloop_setsize(const struct evloop *l)
{
	return l->setsize;
}

static uint32_t epoll_bits(int mask)
{
	return (mask & EVLOOP_READ ? EPOLLIN : 0) | (mask & EVLOOP_WRITE ? EPOLLOUT : 0);
}

int evloop_add(struct evloop *l, int fd, int mask, evloop_file_fn fn, void *arg)
{
	struct evloop_file *f;
	struct epoll_event ev = {0};
	int op;

	if (fd < 0 || fd >= l->setsize)
		return -ERANGE;
	f = &l->files[fd];
	op = f->mask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	ev.events = epoll_bits(f->mask | mask);
	ev.data.fd = fd;
	if ((f->mask | mask) != f->mask || op == EPOLL_CTL_ADD) {
		if (epoll_ctl(l->epfd, op, fd, &ev) < 0)
			return -errno;
	}
	f->mask |= mask;
	f->fn = fn;
	f->arg = arg;
	return 0;
}

int evloop_del(struct evloop *l, int fd, int mask)
{
	struct evloop_file *f;
	struct epoll_event ev = {0};
	int left;

	if (fd < 0 || fd >= l->setsize)
		return -ERANGE;
	f = &l->files[fd];
	if (!f->mask)
		return 0;
	left = f->mask & ~mask;
	if (left == f->mask)
		return 0;
	ev.events = epoll_bits(left);
	ev.data.fd = fd;
	/* EPOLL_CTL_DEL ignores ev, but kernels before 2.6.9 wanted it non-NULL. */
	if (epoll_ctl(l->epfd, left ? EPOLL_CTL_MOD : EPOLL_CTL_DEL, fd, &ev) < 0)
		return -errno;
	f->mask = left;
	return 0;
}

int evloop_mask(const struct evloop *l, int fd)
{
	if (fd < 0 || fd >= l->setsize)
		return 0;
	return l->files[fd].mask;
}

long long evloop_timer_add(struct evloop *l, int64_t ms, evloop_timer_fn fn, void *arg)
{
	struct evloop_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->id = l->next_timer_id++;
	t->when_ms = evloop_now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->arg = arg;
	t->next = l->timers;
	l->timers = t;
	return t->id;
}

int evloop_timer_del(struct evloop *l, long long id)
{
	for (struct evloop_timer **pp = &l->timers; *pp; pp = &(*pp)->next) {
		struct evloop_timer *t = *pp;
		if (t->id != id || t->deleted)
			continue;
		if (l->in_timers) {
			/* The walk in run_timers holds pointers into the list: unlink it there. */
			t->deleted = true;
		} else {
			*pp = t->next;
			free(t);
		}
		return 0;
	}
	return -ENOENT;
}

void evloop_set_before_sleep(struct evloop *l, evloop_hook_fn fn, void *arg)
{
	l->before_sleep = fn;
	l->before_sleep_arg = arg;
}

void evloop_no_sleep(struct evloop *l)
{
	l->no_sleep = true;
}

void evloop_set_busy_poll(struct evloop *l, unsigned usec)
{
	l->busy_poll_ns = (int64_t)(usec > 1000000 ? 1000000 : usec) * 1000;
	l->busy_hits = 0;
}

unsigned long long evloop_busy_poll_hits(const struct evloop *l)
{
	return l->busy_hits;
}

/*
 * Polls (epoll_wait with no timeout) for up to the loop's busy-poll time, but not beyond
 * timeout_ms (-1: no timer): the number of events, 0 when none came, or -1 with errno.
 */
static int busy_poll(struct evloop *l, int timeout_ms)
{
	int64_t end = now_ns(), spin = l->busy_poll_ns;
	int n;

	if (timeout_ms >= 0 && (int64_t)timeout_ms * 1000000 < spin)
		spin = (int64_t)timeout_ms * 1000000;
	end += spin;
	do {
		n = epoll_wait(l->epfd, l->events, l->setsize, 0);
		if (n)
			break;
	} while (!l->stop && now_ns() < end);
	if (n > 0)
		l->busy_hits++;
	return n;
}

/* Milliseconds until the nearest timer, -1 when there is none. */
static int next_timeout(const struct evloop *l)
{
	int64_t now = evloop_now_ms(), best = -1;

	for (const struct evloop_timer *t = l->timers; t; t = t->next) {
		int64_t d = t->when_ms - now;
		if (t->deleted)
			continue;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > 1000000 ? 1000000 : (int)best;
}

/*
 * Runs every due timer once; timers added by a callback wait for the next iteration (their id is
 * above max_id), so a timer re-adding itself with 0 ms cannot starve the loop.
 */
static int run_timers(struct evloop *l)
{
	long long max_id = l->next_timer_id - 1;
	int64_t now = evloop_now_ms();
	int ran = 0;

	l->in_timers = true;
	for (struct evloop_timer *t = l->timers; t; t = t->next) {
		int64_t again;
		if (t->deleted || t->id > max_id || t->when_ms > now)
			continue;
		again = t->fn(l, t->id, t->arg);
		ran++;
		if (again == EVLOOP_NOMORE)
			t->deleted = true;
		else
			t->when_ms = evloop_now_ms() + again;
	}
	l->in_timers = false;
	for (struct evloop_timer **pp = &l->timers; *pp;) {
		struct evloop_timer *t = *pp;
		if (t->deleted) {
			*pp = t->next;
			free(t);
		} else {
			pp = &t->next;
		}
	}
	return ran;
}

int evloop_run_once(struct evloop *l, bool block)
{
	int n, timeout, handled = 0;

	if (l->before_sleep)
		l->before_sleep(l, l->before_sleep_arg);
	timeout = (block && !l->no_sleep && !l->stop) ? next_timeout(l) : 0;
	l->no_sleep = false;
	n = timeout && l->busy_poll_ns ? busy_poll(l, timeout) : 0;
	if (n == 0)
		n = epoll_wait(l->epfd, l->events, l->setsize, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		int fd = l->events[i].data.fd;
		uint32_t e = l->events[i].events;
		struct evloop_file *f = &l->files[fd];
		int fired = 0;

		if (e & EPOLLIN)
			fired |= EVLOOP_READ;
		if (e & EPOLLOUT)
			fired |= EVLOOP_WRITE;
		if (e & (EPOLLERR | EPOLLHUP))
			fired |= EVLOOP_READ | EVLOOP_WRITE;
		/* An earlier callback of this batch may have removed fd (or part of its interest). */
		fired &= f->mask;
		if (!fired)
			continue;
		f->fn(l, fd, f->arg, fired);
		handled++;
	}
	return handled + run_timers(l);
}

int evloop_run(struct evloop *l)
{
	l->stop = 0;
	while (!l->stop) {
		int r = evloop_run_once(l, true);
		if (r < 0)
			return r;
	}
	return 0;
}

void evloop_stop(struct evloop *l)
{
	l->stop = 1;
}
