// SPDX-License-Identifier: GPL-2.0-only
/* metrics.c - the metrics endpoint's socket side, see metrics.h */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "ctl/metrics.h"
#include "ctl/openmetrics.h"
#include "log.h"

struct metrics_conn {
	struct metrics_server *server;
	int fd;
	sd_event_source *io;
	sd_event_source *timer;
	char in[METRICS_REQUEST_MAX];
	size_t in_len;
	char *out;		/* the response, once the request is read */
	size_t out_len, out_pos;
	bool lingering;		/* sent, reading what the peer still sends */
	struct metrics_conn *next;
};

struct metrics_server {
	sd_event *event;
	int fd;
	bool passed;		/* systemd's socket */
	char listen[CONFIG_LISTEN_MAX + 1];
	sd_event_source *accept_source;
	const struct metrics_ops *ops;
	void *ud;
	struct metrics_conn *conns;
	unsigned n_conns;
};

static void conn_free(struct metrics_conn *c)
{
	struct metrics_server *m = c->server;
	struct metrics_conn **p;

	for (p = &m->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	m->n_conns--;
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timer);
	close(c->fd);
	free(c->out);
	free(c);
	/* a slot is free: take the next connection from the backlog */
	if (m->accept_source)
		sd_event_source_set_enabled(m->accept_source, SD_EVENT_ON);
}


/* The body of a 200: every port's metrics. */
static char *render(struct metrics_server *m, bool om, size_t *ret_len)
{
	size_t i, n = m->ops->n_lines(m->ud);
	struct line_metrics *ports = calloc(n ? n : 1, sizeof(*ports));
	const char *reg_names[_SIP_REG_STATE_MAX];
	char *text;

	if (!ports)
		return NULL;
	for (i = 0; i < _SIP_REG_STATE_MAX; i++)
		reg_names[i] = sip_reg_state_to_string(i);
	for (i = 0; i < n; i++)
		line_get_metrics(m->ops->line_at(m->ud, i), &ports[i]);
	text = metrics_format(ports, n, reg_names, _SIP_REG_STATE_MAX, om,
			      ret_len);
	free(ports);
	return text;
}

/* Build the whole response into c->out. */
static int conn_respond(struct metrics_conn *c, const struct metrics_request *rq)
{
	char *body = NULL, *out = NULL;
	size_t body_len = 0;
	int status = rq->status, n;
	const char *type = "text/plain; charset=utf-8";

	if (status == 200) {
		body = render(c->server, rq->openmetrics, &body_len);
		if (!body)
			status = 503;
		else
			type = rq->openmetrics ? METRICS_CONTENT_TYPE_OPENMETRICS :
			       METRICS_CONTENT_TYPE_TEXT;
	}
	if (status != 200) {
		n = asprintf(&body, "%d %s\n", status, metrics_status_text(status));
		if (n < 0)
			return -ENOMEM;
		body_len = n;
	}
	n = asprintf(&out,
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n%.*s",
		     status, metrics_status_text(status), type, body_len,
		     status == 405 ? "Allow: GET, HEAD\r\n" : "",
		     rq->head ? 0 : (int)body_len, body);
	free(body);
	if (n < 0)
		return -ENOMEM;
	c->out = out;
	c->out_len = n;
	return 0;
}

static int conn_io(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct metrics_conn *c = ud;
	struct metrics_request rq;
	ssize_t k;

	(void)s;
	if (c->lingering) {
		char sink[512];

		k = recv(fd, sink, sizeof(sink), 0);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
			conn_free(c);
		return 0;
	}
	if (c->out) {
		if (revents & (EPOLLERR | EPOLLHUP) && !(revents & EPOLLOUT)) {
			conn_free(c);
			return 0;
		}
		k = send(fd, c->out + c->out_pos, c->out_len - c->out_pos,
			 MSG_NOSIGNAL);
		if (k < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_free(c);
			return 0;
		}
		c->out_pos += k;
		if (c->out_pos < c->out_len)
			return 0;
		/* all sent: close once the peer has, so that what it still
		 * sends does not reset the connection under our answer */
		shutdown(fd, SHUT_WR);
		c->lingering = true;
		if (sd_event_source_set_io_events(c->io, EPOLLIN) < 0)
			conn_free(c);
		return 0;
	}
	k = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (k < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_free(c);
		return 0;
	}
	if (k == 0) {		/* the peer left before a whole request */
		conn_free(c);
		return 0;
	}
	c->in_len += k;
	if (!metrics_parse_request(c->in, c->in_len, &rq))
		return 0;
	if (rq.status != 200)
		log_debug("Metrics: answering %d to a request", rq.status);
	if (conn_respond(c, &rq) < 0 ||
	    sd_event_source_set_io_events(c->io, EPOLLOUT) < 0)
		conn_free(c);
	return 0;
}

static int conn_timeout(sd_event_source *s, uint64_t usec, void *ud)
{
	(void)s;
	(void)usec;
	conn_free(ud);
	return 0;
}

static int server_accept(sd_event_source *s, int fd, uint32_t revents,
			 void *ud)
{
	struct metrics_server *m = ud;
	struct metrics_conn *c;
	int cfd;

	(void)revents;
	while (m->n_conns < METRICS_CONN_MAX) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warning("Metrics: accept failed: %m");
			return 0;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			return 0;
		}
		c->server = m;
		c->fd = cfd;
		c->next = m->conns;
		m->conns = c;
		m->n_conns++;
		if (sd_event_add_io(m->event, &c->io, cfd, EPOLLIN, conn_io, c) < 0 ||
		    sd_event_add_time_relative(m->event, &c->timer,
					       CLOCK_MONOTONIC,
					       METRICS_TIMEOUT_USEC, 0,
					       conn_timeout, c) < 0) {
			conn_free(c);
			return 0;
		}
	}
	/* full: the rest waits in the backlog until a slot frees */
	sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

static int server_start(sd_event *event, int fd, bool passed,
			const char *listen, const struct metrics_ops *ops,
			void *ud, struct metrics_server **ret)
{
	struct metrics_server *m = calloc(1, sizeof(*m));
	int r, fl;

	if (!m) {
		close(fd);
		return -ENOMEM;
	}
	m->event = sd_event_ref(event);
	m->fd = fd;
	m->passed = passed;
	m->ops = ops;
	m->ud = ud;
	snprintf(m->listen, sizeof(m->listen), "%s", listen);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		r = -errno;
		metrics_free(m);
		return r;
	}
	r = sd_event_add_io(event, &m->accept_source, fd, EPOLLIN,
			    server_accept, m);
	if (r < 0) {
		metrics_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

/* A listening socket on @where; -errno. */
static int listen_on(const char *where)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	if (config_listen_parse(where, &ss, &sl) < 0)
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int metrics_new(sd_event *event, const struct fxsd_config *cfg,
		const struct metrics_ops *ops, void *ud,
		struct metrics_server **ret)
{
	char **names = NULL;
	int n, i, fd = -1, r;

	*ret = NULL;
	n = sd_listen_fds_with_names(1, &names);
	for (i = 0; i < n; i++) {
		int f = SD_LISTEN_FDS_START + i;

		if (fd < 0 && names && !strcmp(names[i], METRICS_FD_NAME) &&
		    sd_is_socket(f, AF_UNSPEC, SOCK_STREAM, 1) > 0)
			fd = f;
		else
			close(f);	/* nothing else is ours to serve */
	}
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	if (fd >= 0) {
		r = server_start(event, fd, true, "", ops, ud, ret);
		if (r < 0)
			log_error("Metrics: cannot serve the socket systemd passed: %s",
				  strerror(-r));
		else
			log_info("Metrics: serving the socket systemd passed (%s)",
				 METRICS_FD_NAME);
		return r;
	}
	if (!cfg->metrics.listen[0])
		return 0;
	fd = listen_on(cfg->metrics.listen);
	if (fd < 0) {
		log_error("%s:%u: [metrics] listen = %s: %s; no metrics endpoint",
			  cfg->path, cfg->metrics.line, cfg->metrics.listen,
			  strerror(-fd));
		return fd;
	}
	r = server_start(event, fd, false, cfg->metrics.listen, ops, ud, ret);
	if (r >= 0)
		log_info("Metrics: listening on %s", cfg->metrics.listen);
	return r;
}

/* The port of an address:port (network order), 0 when it is none. */
static unsigned listen_port(const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (config_listen_parse(listen, &ss, &sl) < 0)
		return 0;
	return ss.ss_family == AF_INET ?
	       ((struct sockaddr_in *)&ss)->sin_port :
	       ((struct sockaddr_in6 *)&ss)->sin6_port;
}

int metrics_reconfigure(struct metrics_server **m, sd_event *event,
			const struct fxsd_config *cfg,
			const struct metrics_ops *ops, void *ud)
{
	struct metrics_server *fresh = NULL;
	int fd, r;

	if (*m && ((*m)->passed || !strcmp((*m)->listen, cfg->metrics.listen)))
		return 0;
	if (!*m && !cfg->metrics.listen[0])
		return 0;
	if (!cfg->metrics.listen[0]) {
		*m = metrics_free(*m);
		log_info("Metrics: endpoint off");
		return 0;
	}
	/* the same port on another address: ours is in the way, free it */
	if (*m && listen_port((*m)->listen) == listen_port(cfg->metrics.listen))
		*m = metrics_free(*m);
	fd = listen_on(cfg->metrics.listen);
	if (fd < 0) {
		log_error("%s:%u: [metrics] listen = %s: %s; %s%s",
			  cfg->path, cfg->metrics.line, cfg->metrics.listen,
			  strerror(-fd), *m ? "still listening on " : "no metrics endpoint",
			  *m ? (*m)->listen : "");
		return fd;
	}
	r = server_start(event, fd, false, cfg->metrics.listen, ops, ud, &fresh);
	if (r < 0)
		return r;
	metrics_free(*m);
	*m = fresh;
	log_info("Metrics: listening on %s", cfg->metrics.listen);
	return 0;
}

struct metrics_server *metrics_free(struct metrics_server *m)
{
	if (!m)
		return NULL;
	sd_event_source_disable_unref(m->accept_source);
	m->accept_source = NULL;
	while (m->conns)
		conn_free(m->conns);
	if (m->fd >= 0)
		close(m->fd);
	sd_event_unref(m->event);
	free(m);
	return NULL;
}
