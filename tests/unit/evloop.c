// SPDX-License-Identifier: MIT
/* evloop: fd events over pipes and socketpairs, timers in order, the before-sleep hook, EPOLLOUT. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "syslab/evloop.h"
#include "tap.h"

static int reads, writes, hooks, order[8], norder;
static char got[64];

static void on_read(struct evloop *l, int fd, void *arg, int fired)
{
	ssize_t n = read(fd, got, sizeof(got) - 1);

	(void)arg;
	if (n > 0)
		got[n] = '\0';
	if (fired & EVLOOP_READ)
		reads++;
	evloop_stop(l);
}

/* Removes itself: the second event of the same fd in this batch must not be delivered. */
static void on_read_remove(struct evloop *l, int fd, void *arg, int fired)
{
	(void)arg;
	(void)fired;
	reads++;
	evloop_del(l, fd, EVLOOP_READ | EVLOOP_WRITE);
}

static void on_write(struct evloop *l, int fd, void *arg, int fired)
{
	(void)fd;
	(void)arg;
	if (fired & EVLOOP_WRITE)
		writes++;
	evloop_del(l, fd, EVLOOP_WRITE);
}

static int64_t on_timer(struct evloop *l, long long id, void *arg)
{
	(void)l;
	(void)id;
	order[norder++] = (int)(intptr_t)arg;
	return EVLOOP_NOMORE;
}

static int repeats;
static int64_t on_repeat(struct evloop *l, long long id, void *arg)
{
	(void)id;
	(void)arg;
	if (++repeats == 3) {
		evloop_stop(l);
		return EVLOOP_NOMORE;
	}
	return 1;
}

static void on_hook(struct evloop *l, void *arg)
{
	(void)l;
	(void)arg;
	hooks++;
}

static void test_pipe_read(void)
{
	struct evloop *l;
	int p[2];

	is_int(evloop_new(&l, 64), 0, "a loop is made");
	ok(pipe(p) == 0, "pipe");
	is_int(evloop_add(l, p[0], EVLOOP_READ, on_read, NULL), 0, "read interest added");
	is_int(evloop_mask(l, p[0]), EVLOOP_READ, "the mask is read");
	ok(write(p[1], "hello", 5) == 5, "written");
	evloop_set_before_sleep(l, on_hook, NULL);
	is_int(evloop_run(l), 0, "the loop ran until stopped");
	is_int(reads, 1, "one read event");
	is_str(got, "hello", "the data came");
	ok(hooks >= 1, "before-sleep ran (%d)", hooks);
	is_int(evloop_add(l, 1000, EVLOOP_READ, on_read, NULL), -ERANGE, "an fd beyond setsize is refused");
	is_int(evloop_del(l, p[0], EVLOOP_READ), 0, "removed");
	is_int(evloop_mask(l, p[0]), 0, "no interest left");
	close(p[0]);
	close(p[1]);
	evloop_free(l);
}

static void test_remove_in_callback(void)
{
	struct evloop *l;
	int sv[2];

	evloop_new(&l, 64);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	reads = 0;
	/* Readable and writable at once: one callback, which removes the fd. */
	evloop_add(l, sv[0], EVLOOP_READ | EVLOOP_WRITE, on_read_remove, NULL);
	write(sv[1], "x", 1);
	ok(evloop_run_once(l, false) >= 1, "an iteration handled the event");
	is_int(reads, 1, "the callback ran once");
	is_int(evloop_mask(l, sv[0]), 0, "the fd removed itself");
	evloop_run_once(l, false);
	is_int(reads, 1, "nothing more after removal");
	close(sv[0]);
	close(sv[1]);
	evloop_free(l);
}

static void test_epollout(void)
{
	struct evloop *l;
	int sv[2], fill = 0;
	char buf[4096] = {0};

	evloop_new(&l, 64);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	while (write(sv[0], buf, sizeof(buf)) > 0)
		fill++;
	ok(fill > 0 && errno == EAGAIN, "the socket buffer is full after %d writes", fill);
	writes = 0;
	is_int(evloop_add(l, sv[0], EVLOOP_WRITE, on_write, NULL), 0, "EPOLLOUT armed");
	evloop_run_once(l, false);
	is_int(writes, 0, "not writable while full");
	while (read(sv[1], buf, sizeof(buf)) > 0)
		;
	evloop_run_once(l, true);
	is_int(writes, 1, "writable once drained");
	is_int(evloop_mask(l, sv[0]), 0, "disarmed by the callback");
	close(sv[0]);
	close(sv[1]);
	evloop_free(l);
}

static void test_timers(void)
{
	struct evloop *l;
	long long a, b, c, d;

	evloop_new(&l, 16);
	norder = 0;
	c = evloop_timer_add(l, 30, on_timer, (void *)3);
	a = evloop_timer_add(l, 1, on_timer, (void *)1);
	b = evloop_timer_add(l, 15, on_timer, (void *)2);
	d = evloop_timer_add(l, 5, on_timer, (void *)4);
	ok(a > 0 && b > 0 && c > 0 && d > 0, "timers added");
	is_int(evloop_timer_del(l, d), 0, "a timer deleted");
	is_int(evloop_timer_del(l, d), -ENOENT, "not twice");
	while (norder < 3)
		evloop_run_once(l, true);
	is_int(order[0], 1, "first the 1 ms timer");
	is_int(order[1], 2, "then 15 ms");
	is_int(order[2], 3, "then 30 ms");
	is_int(norder, 3, "the deleted one never fired");
	repeats = 0;
	evloop_timer_add(l, 1, on_repeat, NULL);
	evloop_run(l);
	is_int(repeats, 3, "a timer re-arms itself until it says no more");
	evloop_free(l);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *write_later(void *arg)
{
	int fd = *(int *)arg;
	struct timespec d = {0, 5 * 1000 * 1000};

	nanosleep(&d, NULL);
	if (write(fd, "late", 4) != 4)
		return (void *)1;
	return NULL;
}

/*
 * Busy polling: an event that comes while the loop polls is taken from the poll (counted as a
 * hit); a poll ends at the nearest timer, not at the end of its window; 0 turns it off.
 */
static void test_busy_poll(void)
{
	struct evloop *l;
	pthread_t th;
	int p[2];
	int64_t t0;

	evloop_new(&l, 16);
	ok(pipe(p) == 0, "busy poll: pipe");
	evloop_add(l, p[0], EVLOOP_READ, on_read, NULL);
	evloop_set_busy_poll(l, 1000000);
	is_int((int)evloop_busy_poll_hits(l), 0, "busy poll: no hit yet");
	reads = 0;
	ok(pthread_create(&th, NULL, write_later, &p[1]) == 0, "busy poll: a writer 5 ms later");
	is_int(evloop_run(l), 0, "busy poll: the loop ran until the read stopped it");
	pthread_join(th, NULL);
	is_int(reads, 1, "busy poll: the late write was read");
	is_str(got, "late", "busy poll: its data");
	is_int((int)evloop_busy_poll_hits(l), 1, "busy poll: the poll found it (a hit, no sleep)");

	norder = 0;
	evloop_timer_add(l, 20, on_timer, (void *)7);
	t0 = mono_ms();
	while (norder < 1 && mono_ms() - t0 < 5000)
		evloop_run_once(l, true);
	is_int(norder, 1, "busy poll: a 20 ms timer fires while the loop polls");
	ok(mono_ms() - t0 < 900, "busy poll: the poll ended at the timer, not at its 1 s window (%lld ms)",
	   (long long)(mono_ms() - t0));

	evloop_set_busy_poll(l, 0);
	reads = 0;
	ok(pthread_create(&th, NULL, write_later, &p[1]) == 0, "no busy poll: a writer 5 ms later");
	evloop_run(l);
	pthread_join(th, NULL);
	is_int(reads, 1, "no busy poll: the write was read after a sleep");
	is_int((int)evloop_busy_poll_hits(l), 0, "no busy poll: no hit counted");
	close(p[0]);
	close(p[1]);
	evloop_free(l);
}

int main(void)
{
	test_pipe_read();
	test_remove_in_callback();
	test_epollout();
	test_timers();
	test_busy_poll();
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}
