/* SPDX-License-Identifier: MIT */
/* bqueue: a bounded blocking FIFO on one mutex and two condition variables (docs/bqueue.md). */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "syslab/bqueue.h"

/*
 * Locking: every field of struct bq is read and written with q->lock held, so the queue's
 * state is whatever the last holder of the lock left. The condition variables carry no state
 * of their own: a waiter always re-checks the state after waking (the predicate loops below).
 *
 * Signalling happens just after unlocking, with the decision (and its count) taken under the
 * lock. Signalling under the lock would wake the waiter straight into a held mutex: glibc's
 * condition variables (since 2.25) do not requeue waiters onto the mutex ("wait morphing"), so
 * the woken thread would run, find the lock taken and sleep again on the mutex's futex. The
 * price of signalling after unlocking is a window in which a third thread can take the lock
 * and the item before the woken thread runs; the woken thread then finds nothing to do, which
 * its predicate loop handles and the stats count as a spurious wakeup. POSIX allows either
 * place (the state changes under the lock, so no wakeup is lost). It also means a signalling
 * thread still touches q after unlocking: bq_destroy() must wait until every thread is done.
 *
 * pthread_cond_wait is a cancellation point: a cancelled waiter re-acquires the mutex and runs
 * its cleanup handlers, and this code pushes none, so it would exit holding the mutex with a
 * waiting count too high. The queue is not cancellation-safe (said in the header).
 */

size_t bq_storage_size(size_t capacity, size_t elem_size)
{
	if (capacity == 0 || elem_size == 0 || capacity > SIZE_MAX / elem_size)
		return 0;
	return capacity * elem_size;
}

int bq_init(struct bq *q, void *storage, size_t capacity, size_t elem_size)
{
	pthread_condattr_t attr;
	int rc;

	if (!q || !storage || bq_storage_size(capacity, elem_size) == 0)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->slots = storage;
	q->capacity = capacity;
	q->elem_size = elem_size;

	rc = pthread_condattr_init(&attr);
	if (rc)
		return -rc;
	/* Deadlines are CLOCK_MONOTONIC so that setting the wall clock moves no timeout. */
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc)
		goto out_attr;
	rc = pthread_mutex_init(&q->lock, NULL);
	if (rc)
		goto out_attr;
	rc = pthread_cond_init(&q->not_empty, &attr);
	if (rc)
		goto out_mutex;
	rc = pthread_cond_init(&q->not_full, &attr);
	if (rc)
		goto out_not_empty;
	goto out_attr;

out_not_empty:
	pthread_cond_destroy(&q->not_empty);
out_mutex:
	pthread_mutex_destroy(&q->lock);
out_attr:
	pthread_condattr_destroy(&attr);
	return -rc;
}

void bq_destroy(struct bq *q)
{
	/* Every thread has been joined, so these plain reads race with nothing. */
	assert(q->waiting_producers == 0 && q->waiting_consumers == 0);
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->lock);
}

/*
 * One wait on cond, q->lock held; *waiting counts the threads inside it, so that the other side
 * knows whether a signal would reach anyone. Returns whether the wait timed out.
 */
static bool bq_wait(struct bq *q, pthread_cond_t *cond, unsigned *waiting, const struct timespec *deadline)
{
	int rc;

	(*waiting)++;
	if (deadline)
		rc = pthread_cond_timedwait(cond, &q->lock, deadline);
	else
		rc = pthread_cond_wait(cond, &q->lock);
	(*waiting)--;
	/* Only ETIMEDOUT can come back: the deadline was checked and the mutex is ours. */
	assert(rc == 0 || rc == ETIMEDOUT);
	q->stats.wakeups++;
	if (rc == ETIMEDOUT)
		q->stats.timeouts++;
	return rc == ETIMEDOUT;
}

/*
 * Waits, q->lock held, until a push may proceed: 0, or -EPIPE (closed), -EAGAIN (full and
 * !may_wait), -ETIMEDOUT. The state is re-checked after every wait, in a loop, because a
 * return from the wait proves nothing: POSIX allows spurious wakeups, and between the signal
 * and this thread getting the lock back another producer may have filled the freed slot.
 * A timed-out wait is checked once more too: a slot freed at the deadline is still taken.
 */
static int bq_wait_not_full(struct bq *q, bool may_wait, const struct timespec *deadline)
{
	bool timed_out = false;

	for (;;) {
		if (q->closed)
			return -EPIPE;
		if (q->count < q->capacity)
			return 0;
		if (!may_wait)
			return -EAGAIN;
		if (timed_out)
			return -ETIMEDOUT;
		q->stats.producer_waits++;
		timed_out = bq_wait(q, &q->not_full, &q->waiting_producers, deadline);
		if (!timed_out && !q->closed && q->count == q->capacity)
			q->stats.spurious_wakeups++;
	}
}

/* As bq_wait_not_full for a pop: -EPIPE when aborted, or closed and empty. */
static int bq_wait_not_empty(struct bq *q, bool may_wait, const struct timespec *deadline)
{
	bool timed_out = false;

	for (;;) {
		if (q->aborted)
			return -EPIPE;
		if (q->count > 0)
			return 0;
		if (q->closed)
			return -EPIPE;
		if (!may_wait)
			return -EAGAIN;
		if (timed_out)
			return -ETIMEDOUT;
		q->stats.consumer_waits++;
		timed_out = bq_wait(q, &q->not_empty, &q->waiting_consumers, deadline);
		if (!timed_out && !q->closed && q->count == 0)
			q->stats.spurious_wakeups++;
	}
}

static bool bq_deadline_valid(const struct timespec *deadline)
{
	return !deadline || (deadline->tv_nsec >= 0 && deadline->tv_nsec < 1000000000L);
}

/*
 * The one push. Each element signals not_empty once, and only when a consumer waits: one
 * element can satisfy one consumer, so waking more would only make them fight for the lock and
 * go back to sleep (a thundering herd). With no consumer waiting, nobody needs waking.
 */
static int bq_push_common(struct bq *q, const void *elem, bool may_wait, const struct timespec *deadline)
{
	bool wake = false;
	size_t tail;
	int rc;

	if (!bq_deadline_valid(deadline))
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	rc = bq_wait_not_full(q, may_wait, deadline);
	if (rc == 0) {
		tail = q->head + q->count;
		if (tail >= q->capacity)
			tail -= q->capacity;
		memcpy(q->slots + tail * q->elem_size, elem, q->elem_size);
		q->count++;
		q->stats.pushes++;
		wake = q->waiting_consumers > 0;
		q->stats.signals += wake;
	}
	pthread_mutex_unlock(&q->lock);
	if (wake)
		pthread_cond_signal(&q->not_empty);
	return rc;
}

/* The one pop: one freed slot signals not_full once, and only when a producer waits. */
static int bq_pop_common(struct bq *q, void *elem, bool may_wait, const struct timespec *deadline)
{
	bool wake = false;
	int rc;

	if (!bq_deadline_valid(deadline))
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	rc = bq_wait_not_empty(q, may_wait, deadline);
	if (rc == 0) {
		memcpy(elem, q->slots + q->head * q->elem_size, q->elem_size);
		if (++q->head == q->capacity)
			q->head = 0;
		q->count--;
		q->stats.pops++;
		wake = q->waiting_producers > 0;
		q->stats.signals += wake;
	}
	pthread_mutex_unlock(&q->lock);
	if (wake)
		pthread_cond_signal(&q->not_full);
	return rc;
}

int bq_push(struct bq *q, const void *elem)
{
	return bq_push_common(q, elem, true, NULL);
}

int bq_pop(struct bq *q, void *elem)
{
	return bq_pop_common(q, elem, true, NULL);
}

int bq_push_try(struct bq *q, const void *elem)
{
	return bq_push_common(q, elem, false, NULL);
}

int bq_pop_try(struct bq *q, void *elem)
{
	return bq_pop_common(q, elem, false, NULL);
}

int bq_push_timed(struct bq *q, const void *elem, const struct timespec *deadline)
{
	return bq_push_common(q, elem, true, deadline);
}

int bq_pop_timed(struct bq *q, void *elem, const struct timespec *deadline)
{
	return bq_pop_common(q, elem, true, deadline);
}

/*
 * Close and abort change what every waiter is waiting for, not one slot's worth, so they
 * broadcast: each blocked thread must wake to see the flag and return -EPIPE. Only the call
 * that changes the state broadcasts, and only to a side with waiters.
 */
static void bq_shut(struct bq *q, bool abort)
{
	bool changed, wake_consumers, wake_producers;

	pthread_mutex_lock(&q->lock);
	changed = !q->closed || (abort && !q->aborted);
	q->closed = true;
	if (abort && !q->aborted) {
		q->aborted = true;
		q->head = 0;
		q->count = 0;
	}
	wake_consumers = changed && q->waiting_consumers > 0;
	wake_producers = changed && q->waiting_producers > 0;
	q->stats.broadcasts += (uint64_t)wake_consumers + wake_producers;
	pthread_mutex_unlock(&q->lock);
	if (wake_consumers)
		pthread_cond_broadcast(&q->not_empty);
	if (wake_producers)
		pthread_cond_broadcast(&q->not_full);
}

void bq_close(struct bq *q)
{
	bq_shut(q, false);
}

void bq_abort(struct bq *q)
{
	bq_shut(q, true);
}

void bq_stats_read(struct bq *q, struct bq_stats *out)
{
	pthread_mutex_lock(&q->lock);
	*out = q->stats;
	pthread_mutex_unlock(&q->lock);
}

size_t bq_count(struct bq *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
