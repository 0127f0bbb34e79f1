// SPDX-License-Identifier: MIT
/* anchors: pipe(2) and POSIX message queues as xfer backends, the peers the lab's queues face. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xfer.h"

/*
 * pipe(2): 8-byte writes and reads. Writes of at most PIPE_BUF bytes are atomic, and every read
 * asks for 8 bytes of a pipe that only ever holds whole 8-byte items, so several writers and
 * readers never see a torn item. Capacity is the pipe's buffer (F_SETPIPE_SZ, at least a page).
 */
struct pipe_q {
	int fd[2][2]; /* [0]: producers -> consumers (or ping -> pong); [1]: pong -> ping */
};

static void pipe_close_all(struct pipe_q *p)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (p->fd[i][j] >= 0)
				close(p->fd[i][j]);
}

static int pipe_open(struct xfer *x)
{
	struct pipe_q *p = malloc(sizeof *p);
	if (!p)
		return -ENOMEM;
	for (int i = 0; i < 2; i++)
		p->fd[i][0] = p->fd[i][1] = -1;
	for (int i = 0; i < (x->rtt ? 2 : 1); i++) {
		if (pipe2(p->fd[i], O_CLOEXEC) != 0) {
			int e = errno;
			pipe_close_all(p);
			free(p);
			return -e;
		}
		/* The buffer the queue is compared at; the kernel rounds up to a power-of-two pages. */
		fcntl(p->fd[i][1], F_SETPIPE_SZ, (int)(x->capacity * sizeof(uint64_t)));
	}
	x->q = p;
	return 0;
}

static void pipe_close(struct xfer *x)
{
	pipe_close_all(x->q);
	free(x->q);
	x->q = NULL;
}

static int put(int fd, uint64_t v)
{
	ssize_t w;
	while ((w = write(fd, &v, sizeof v)) < 0 && errno == EINTR)
		;
	return w == sizeof v ? 0 : w < 0 ? -errno : -EIO;
}

static int get(int fd, uint64_t *v)
{
	ssize_t r;
	while ((r = read(fd, v, sizeof *v)) < 0 && errno == EINTR)
		;
	return r == sizeof *v ? 0 : r < 0 ? -errno : -EIO;
}

static int pipe_produce(struct xfer *x, int id, uint64_t n)
{
	struct pipe_q *p = x->q;
	for (uint64_t i = 0; i < n; i++) {
		int rc = put(p->fd[0][1], xfer_item(id, i));
		if (rc)
			return rc;
	}
	return 0;
}

static int pipe_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct pipe_q *p = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		int rc = get(p->fd[0][0], &v);
		if (rc)
			return rc;
		s += v;
	}
	*sum = s;
	return 0;
}

static int pipe_ping(struct xfer *x, uint64_t n)
{
	struct pipe_q *p = x->q;
	uint64_t v;
	for (uint64_t i = 0; i < n; i++) {
		int rc = put(p->fd[0][1], i);
		if (!rc)
			rc = get(p->fd[1][0], &v);
		if (rc)
			return rc;
	}
	return 0;
}

static int pipe_pong(struct xfer *x, uint64_t n)
{
	struct pipe_q *p = x->q;
	uint64_t v;
	for (uint64_t i = 0; i < n; i++) {
		int rc = get(p->fd[0][0], &v);
		if (!rc)
			rc = put(p->fd[1][1], v);
		if (rc)
			return rc;
	}
	return 0;
}

const struct xfer_ops xfer_pipe_ops = {pipe_open, pipe_close, pipe_produce, pipe_consume, pipe_ping, pipe_pong};

/*
 * POSIX message queues of 8-byte messages. Unlinked as soon as they are open, so a run that is
 * killed leaves nothing in /dev/mqueue. The depth asked for is x->capacity; without
 * CAP_SYS_RESOURCE the kernel caps it at /proc/sys/fs/mqueue/msg_max (10 by default), and the
 * queue then runs at that depth (x->capacity is updated, so the report says so).
 */
struct mq_q {
	mqd_t q[2];
};

static mqd_t mq_make(long depth, long *got)
{
	static atomic_uint counter;
	char name[64];
	struct mq_attr attr = {.mq_maxmsg = depth, .mq_msgsize = sizeof(uint64_t)};
	snprintf(name, sizeof name, "/syslab-%d-%u", (int)getpid(), atomic_fetch_add(&counter, 1));
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1 && errno == EINVAL) {
		FILE *f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
		long max = 10;
		if (f) {
			if (fscanf(f, "%ld", &max) != 1)
				max = 10;
			fclose(f);
		}
		attr.mq_maxmsg = depth < max ? depth : max;
		q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	}
	if (q != (mqd_t)-1) {
		mq_unlink(name);
		*got = attr.mq_maxmsg;
	}
	return q;
}

static int mqueue_open(struct xfer *x)
{
	struct mq_q *m = malloc(sizeof *m);
	long got = 0;
	if (!m)
		return -ENOMEM;
	m->q[0] = m->q[1] = (mqd_t)-1;
	for (int i = 0; i < (x->rtt ? 2 : 1); i++) {
		if ((m->q[i] = mq_make(x->capacity, &got)) == (mqd_t)-1) {
			int e = errno;
			if (i)
				mq_close(m->q[0]);
			free(m);
			return e == ENOSYS ? -ENOTSUP : -e;
		}
	}
	x->capacity = (uint32_t)got;
	x->q = m;
	return 0;
}

static void mqueue_close(struct xfer *x)
{
	struct mq_q *m = x->q;
	for (int i = 0; i < 2; i++)
		if (m->q[i] != (mqd_t)-1)
			mq_close(m->q[i]);
	free(m);
	x->q = NULL;
}

static int mq_put(mqd_t q, uint64_t v)
{
	int rc;
	while ((rc = mq_send(q, (const char *)&v, sizeof v, 0)) < 0 && errno == EINTR)
		;
	return rc ? -errno : 0;
}

static int mq_get(mqd_t q, uint64_t *v)
{
	ssize_t r;
	while ((r = mq_receive(q, (char *)v, sizeof *v, NULL)) < 0 && errno == EINTR)
		;
	return r == sizeof *v ? 0 : r < 0 ? -errno : -EIO;
}

static int mqueue_produce(struct xfer *x, int id, uint64_t n)
{
	struct mq_q *m = x->q;
	for (uint64_t i = 0; i < n; i++) {
		int rc = mq_put(m->q[0], xfer_item(id, i));
		if (rc)
			return rc;
	}
	return 0;
}

static int mqueue_consume(struct xfer *x, int id, uint64_t n, uint64_t *sum)
{
	struct mq_q *m = x->q;
	uint64_t v, s = 0;
	(void)id;
	for (uint64_t i = 0; i < n; i++) {
		int rc = mq_get(m->q[0], &v);
		if (rc)
			return rc;
		s += v;
	}
	*sum = s;
	return 0;
}

static int mqueue_ping(struct xfer *x, uint64_t n)
{
	struct mq_q *m = x->q;
	uint64_t v;
	for (uint64_t i = 0; i < n; i++) {
		int rc = mq_put(m->q[0], i);
		if (!rc)
			rc = mq_get(m->q[1], &v);
		if (rc)
			return rc;
	}
	return 0;
}

static int mqueue_pong(struct xfer *x, uint64_t n)
{
	struct mq_q *m = x->q;
	uint64_t v;
	for (uint64_t i = 0; i < n; i++) {
		int rc = mq_get(m->q[0], &v);
		if (!rc)
			rc = mq_put(m->q[1], v);
		if (rc)
			return rc;
	}
	return 0;
}

const struct xfer_ops xfer_mqueue_ops = {mqueue_open,	 mqueue_close, mqueue_produce,
					 mqueue_consume, mqueue_ping,  mqueue_pong};
