// SPDX-License-Identifier: MIT
/*
 * net: the TCP and unix listeners, accepting clients, reading requests and writing replies
 * (one read per readable event, one write per client per loop iteration).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core.h"

#define MAX_ACCEPTS_PER_CALL 1000
#define LISTEN_BACKLOG       511

/* Every read lands here first: only what is left of an incomplete command is copied out. */
static char read_buf[KVD_IOBUF_LEN];

static void client_event(struct evloop *l, int fd, void *arg, int fired);

static int listen_tcp(char *err, size_t len)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	char port[16];
	int fd = -1, one = 1, r;
	const char *what = "socket";

	snprintf(port, sizeof(port), "%d", kvd_cfg.port);
	r = getaddrinfo(kvd_cfg.bind, port, &hints, &res);
	if (r) {
		snprintf(err, len, "cannot listen on %s:%d: %s", kvd_cfg.bind, kvd_cfg.port, gai_strerror(r));
		return -EINVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	what = "bind";
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
		goto fail;
	what = "listen";
	if (listen(fd, LISTEN_BACKLOG) < 0)
		goto fail;
	freeaddrinfo(res);
	srv.tcp_fd = fd;
	return 0;
fail:
	r = -errno;
	snprintf(err, len, "cannot listen on %s:%d: %s: %s", kvd_cfg.bind, kvd_cfg.port, what,
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return r;
}

static int listen_unix(char *err, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(kvd_cfg.unixsocket) >= sizeof(sa.sun_path)) {
		snprintf(err, len, "unix socket path too long: %s", kvd_cfg.unixsocket);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, kvd_cfg.unixsocket);
	unlink(kvd_cfg.unixsocket); /* a socket left by a killed server, as Redis does */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		r = -errno;
		snprintf(err, len, "cannot listen on unix socket %s: %s", kvd_cfg.unixsocket,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	srv.unix_fd = fd;
	return 0;
}

static void reserve_fd_open(void)
{
	if (srv.reserve_fd < 0)
		srv.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * Out of file descriptors: accept() would fail forever and a level-triggered listener would spin
 * the loop. Give the spare descriptor back, take the client and close it at once, so the backlog
 * drains, and keep the spare again for the next time.
 */
static void accept_out_of_fds(int lfd)
{
	int fd;

	if (srv.reserve_fd >= 0) {
		close(srv.reserve_fd);
		srv.reserve_fd = -1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		kvd_stats.rejected_connections++;
		close(fd);
	}
	reserve_fd_open();
}

static void reject_maxclients(int fd)
{
	static const char msg[] = "-ERR max number of clients reached\r\n";

	/* Best effort, as Redis: the socket is new, its buffer is empty. */
	if (write(fd, msg, sizeof(msg) - 1) < 0) {
	}
	kvd_stats.rejected_connections++;
	close(fd);
}

static void accept_event(struct evloop *l, int lfd, void *arg, int fired)
{
	bool unix_sock = arg != NULL;

	(void)l;
	(void)fired;
	for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				kvd_log('#', "Accepting client connection: %s", strerror(errno));
				accept_out_of_fds(lfd);
			} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
				kvd_log('#', "Accepting client connection: %s", strerror(errno));
			}
			if (errno != EINTR && errno != ECONNABORTED)
				return;
			continue;
		}
		if (srv.all.len >= kvd_cfg.maxclients || fd >= srv.by_fd_size) {
			reject_maxclients(fd);
			continue;
		}
		if (!unix_sock) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		}
		if (!client_new(fd, unix_sock))
			close(fd);
	}
}

int net_listen(char *err, size_t len)
{
	int r;

	reserve_fd_open();
	if (kvd_cfg.port) {
		r = listen_tcp(err, len);
		if (r)
			return r;
		r = evloop_add(srv.loop, srv.tcp_fd, EVLOOP_READ, accept_event, NULL);
		if (r)
			goto fail;
	}
	if (kvd_cfg.unixsocket[0]) {
		r = listen_unix(err, len);
		if (r)
			return r;
		r = evloop_add(srv.loop, srv.unix_fd, EVLOOP_READ, accept_event, &srv);
		if (r)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, len, "cannot watch the listening socket: %s", strerror(-r));
	return r;
}

struct client *client_new(int fd, bool unix_sock)
{
	struct {
		struct client c;
		struct client_core core;
	} *p = calloc(1, sizeof(*p));
	struct client *c;

	if (!p)
		return NULL;
	c = &p->c;
	c->core = &p->core;
	c->fd = fd;
	c->id = (uint64_t)srv.next_client_id++;
	c->resp = 2;
	c->db = db_get(0);
	if (!kvd_cfg.requirepass)
		c->flags |= CF_AUTHENTICATED;
	c->core->bulk_len = -1;
	c->core->ctime_ms = c->core->last_ms = kvd_unix_ms();
	if (unix_sock)
		c->core->cflags |= CC_UNIX;
	if (evloop_add(srv.loop, fd, EVLOOP_READ, client_event, c) < 0) {
		free(p);
		return NULL;
	}
	srv.by_fd[fd] = c;
	clist_push(&srv.all, c, CL_ALL);
	kvd_stats.total_connections++;
	return c;
}

void client_free(struct client *c)
{
	struct client_core *cc = c->core;

	block_client_free(c);
	multi_client_free(c);
	if (cc->cflags & CC_PENDING_WRITE)
		clist_remove(&srv.pending_write, c, CL_PW);
	if (cc->cflags & CC_PENDING_INPUT)
		clist_remove(&srv.pending_input, c, CL_PIN);
	clist_remove(&srv.all, c, CL_ALL);
	if (c->fd >= 0) {
		evloop_del(srv.loop, c->fd, EVLOOP_READ | EVLOOP_WRITE);
		srv.by_fd[c->fd] = NULL;
		close(c->fd);
	}
	if (cc->x) {
		free(cc->x->name);
		free(cc->x->lib_name);
		free(cc->x->lib_ver);
		free(cc->x);
	}
	free(cc->qb);
	free(cc->ob);
	if (srv.current == c)
		srv.current = NULL;
	free(c); /* the core lives in the same allocation */
}

void client_queue_write(struct client *c)
{
	c->core->cflags |= CC_PENDING_WRITE;
	clist_push(&srv.pending_write, c, CL_PW);
}

/* Makes room for a read into c's own query buffer; the bytes to read, 0 when out of memory. */
static size_t qb_prepare(struct client_core *cc)
{
	size_t readlen = KVD_IOBUF_LEN, need;

	if (cc->qb_pos) {
		memmove(cc->qb, cc->qb + cc->qb_pos, cc->qb_len - cc->qb_pos);
		cc->qb_len -= cc->qb_pos;
		cc->qb_pos = 0;
	}
	/* A big argument is read straight into its final place, and no more than it (Redis). */
	if (cc->mb_left && cc->bulk_len >= KVD_BIG_ARG) {
		size_t end = cc->arg_pos + (size_t)cc->bulk_len + 2;
		if (end > cc->qb_len && end - cc->qb_len < readlen)
			readlen = end - cc->qb_len;
		need = end > cc->qb_len + readlen ? end : cc->qb_len + readlen;
	} else {
		need = cc->qb_len + readlen;
	}
	if (need > cc->qb_cap) {
		size_t cap = need;
		char *p;
		if (!(cc->mb_left && cc->bulk_len >= KVD_BIG_ARG) && cap < cc->qb_cap * 2)
			cap = cc->qb_cap * 2;
		p = realloc(cc->qb, cap + 1);
		if (!p)
			return 0;
		cc->qb = p;
		cc->qb_cap = cap;
	}
	return readlen;
}

void client_read(struct client *c)
{
	struct client_core *cc = c->core;
	bool shared = cc->qb_len == cc->qb_pos && cc->mb_left == 0;
	char *buf = read_buf;
	size_t readlen = sizeof(read_buf);
	ssize_t n;

	if (!shared) {
		readlen = qb_prepare(cc);
		if (!readlen) {
			client_free(c);
			return;
		}
		buf = cc->qb + cc->qb_len;
	}
	n = read(c->fd, buf, readlen);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		client_free(c);
		return;
	}
	kvd_stats.net_input_bytes += n;
	cc->last_ms = srv.loop_ms;
	if (shared) {
		proto_process(c, read_buf, (size_t)n, true);
	} else {
		cc->qb_len += (size_t)n;
		proto_process(c, cc->qb, cc->qb_len, false);
	}
	if (cc->qb_len - cc->qb_pos > (size_t)kvd_cfg.client_query_buffer_limit) {
		kvd_log('#', "Closing client that reached max query buffer length (qbuf=%zu)",
			cc->qb_len - cc->qb_pos);
		client_mark_close(c);
	}
	if ((c->flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSE_ASAP)) || (cc->cflags & CC_PROTO_ERR))
		evloop_del(srv.loop, c->fd, EVLOOP_READ); /* nothing more is read; the reply still goes */
}

/*
 * Writes what is pending, up to KVD_MAX_WRITE bytes. 0: done or waiting for EPOLLOUT; 1: more
 * to write and the socket takes it (next iteration); -1: the client was freed.
 */
int client_write(struct client *c)
{
	struct client_core *cc = c->core;
	size_t n = cc->ob_len - cc->ob_pos;
	ssize_t w;

	if (n > KVD_MAX_WRITE)
		n = KVD_MAX_WRITE;
	w = n ? write(c->fd, cc->ob + cc->ob_pos, n) : 0;
	if (w < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			client_free(c);
			return -1;
		}
		w = 0;
	}
	kvd_stats.net_output_bytes += w;
	cc->ob_pos += (size_t)w;
	if (cc->ob_pos == cc->ob_len) {
		cc->ob_pos = cc->ob_len = 0;
		cc->obuf_soft_since = 0;
		if (cc->ob_cap > 1024 * 1024) {
			free(cc->ob);
			cc->ob = NULL;
			cc->ob_cap = 0;
		}
		if (cc->cflags & CC_WRITE_ARMED) {
			evloop_del(srv.loop, c->fd, EVLOOP_WRITE);
			cc->cflags &= ~CC_WRITE_ARMED;
		}
		if (c->flags & CF_CLOSE_AFTER_REPLY) {
			client_free(c);
			return -1;
		}
		return 0;
	}
	if (cc->ob_pos > cc->ob_cap / 2) {
		memmove(cc->ob, cc->ob + cc->ob_pos, cc->ob_len - cc->ob_pos);
		cc->ob_len -= cc->ob_pos;
		cc->ob_pos = 0;
	}
	if ((size_t)w < n) {
		/* The socket is full: the loop tells us when it drains. */
		if (!(cc->cflags & CC_WRITE_ARMED) &&
		    evloop_add(srv.loop, c->fd, EVLOOP_WRITE, client_event, c) == 0)
			cc->cflags |= CC_WRITE_ARMED;
		return 0;
	}
	return 1;
}

static void client_event(struct evloop *l, int fd, void *arg, int fired)
{
	struct client *c = arg;

	(void)l;
	(void)fd;
	if (fired & EVLOOP_WRITE) {
		if (c->flags & CF_CLOSE_ASAP) {
			client_free(c);
			return;
		}
		if (client_write(c) < 0)
			return;
	}
	if ((fired & EVLOOP_READ) && (evloop_mask(srv.loop, c->fd) & EVLOOP_READ))
		client_read(c);
}

void client_peer(const struct client *c, char *buf, size_t len, bool local)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0, r;

	if (c->core->cflags & CC_UNIX) {
		snprintf(buf, len, "%s:0", kvd_cfg.unixsocket);
		return;
	}
	r = local ? getsockname(c->fd, (struct sockaddr *)&ss, &sl)
		  : getpeername(c->fd, (struct sockaddr *)&ss, &sl);
	if (r == 0 && ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	} else if (r == 0 && ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, len, "%s:%d", host, port);
}
