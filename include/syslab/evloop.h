/* SPDX-License-Identifier: MIT */
/*
 * evloop: a single-threaded epoll event loop for the lab's servers: level-triggered read/write
 * interest per file descriptor, millisecond timers and a hook run before the loop sleeps.
 */
#ifndef SYSLAB_EVLOOP_H
#define SYSLAB_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#define EVLOOP_READ  1
#define EVLOOP_WRITE 2

/* A timer callback's return value that removes the timer; any other value >= 0 re-arms it. */
#define EVLOOP_NOMORE (-1)

struct evloop;

/* Called with the events that fired (EVLOOP_READ | EVLOOP_WRITE; errors and hangups as both). */
typedef void (*evloop_file_fn)(struct evloop *l, int fd, void *arg, int fired);
/* Returns EVLOOP_NOMORE, or the milliseconds until it runs again. */
typedef int64_t (*evloop_timer_fn)(struct evloop *l, long long id, void *arg);
typedef void (*evloop_hook_fn)(struct evloop *l, void *arg);

/*
 * A loop for file descriptors 0 .. setsize-1. 0 and *out set, or -errno (-ENOMEM, epoll_create1's
 * errors). The caller frees it with evloop_free (NULL is fine). Every function below must be
 * called from the thread that runs the loop.
 */
int evloop_new(struct evloop **out, int setsize);
void evloop_free(struct evloop *l);
int evloop_setsize(const struct evloop *l);

/*
 * Adds interest in mask (EVLOOP_READ, EVLOOP_WRITE or both) for fd, keeping what fd had; fn and
 * arg replace the previous ones. 0, -ERANGE (fd >= setsize) or epoll_ctl's -errno.
 */
int evloop_add(struct evloop *l, int fd, int mask, evloop_file_fn fn, void *arg);
/*
 * Removes interest in mask; with nothing left, fd leaves the epoll set (do it before close()).
 * Safe inside fd's own callback: events of fd not yet delivered in this iteration are dropped.
 */
int evloop_del(struct evloop *l, int fd, int mask);
int evloop_mask(const struct evloop *l, int fd); /* the interest of fd, 0 when none */

/* A timer that fires after ms milliseconds: its id (> 0), or -ENOMEM. */
long long evloop_timer_add(struct evloop *l, int64_t ms, evloop_timer_fn fn, void *arg);
int evloop_timer_del(struct evloop *l, long long id); /* 0, or -ENOENT */

/* fn runs each iteration just before the loop waits for events (NULL: none). */
void evloop_set_before_sleep(struct evloop *l, evloop_hook_fn fn, void *arg);

/*
 * Before sleeping, poll for events for up to usec microseconds (0, the default: sleep at once;
 * at most 1 s), never past the nearest timer. A thread asleep in epoll_wait must be woken by
 * whoever makes its fd ready, and that one pays for the wake-up: on loopback, the client. Polling
 * spends this thread's idle CPU to spare them that. Clears the loop's poll count.
 */
void evloop_set_busy_poll(struct evloop *l, unsigned usec);
/* How many of the loop's polls found an event before it would have slept. */
unsigned long long evloop_busy_poll_hits(const struct evloop *l);
/* The next wait does not sleep (the before-sleep hook left work for the next iteration). */
void evloop_no_sleep(struct evloop *l);

/*
 * One iteration: before-sleep hook, wait (up to the nearest timer; not at all when block is
 * false), file events, due timers. The number of events handled, or -errno from epoll_wait
 * (EINTR is not an error: 0).
 */
int evloop_run_once(struct evloop *l, bool block);
/* Iterates until evloop_stop. 0. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l); /* safe in any callback; also from a signal handler */

/* Monotonic milliseconds, as the timers count them. */
int64_t evloop_now_ms(void);

#endif
