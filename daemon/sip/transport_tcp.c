// SPDX-License-Identifier: GPL-2.0-only
/*
 * transport_tcp.c - SIP over TCP: the listener and who it admits (per
 * stranger address, all strangers, the provider never refused),
 * connections accepted and opened (non-blocking connect, reuse per peer),
 * their deadlines (a stranger's first message, an unfinished message,
 * idle), stream framing by Content-Length with "\r\n\r\n" keep-alives
 * (RFC 5626) and 513 for an oversized request, write buffering, and a
 * connection's failure (closed from a defer event; the client
 * transactions waiting on it fail with 503).  With TLS (tls.c) the same
 * connections carry a session: its handshake runs on the connection's
 * events before anything queued goes out, within SIP_TLS_HANDSHAKE_MS.
 * The connection of our registration (our flow, RFC 5626) sends a CRLF
 * ping every keepalive interval; a peer that has answered one pong and
 * misses the next loses the connection (re-registration follows).
 */
#define _GNU_SOURCE		/* memmem, accept4 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sip/internal.h"

static void conn_unref(struct sip_conn *cn)
{
	if (!cn || --cn->n_ref > 0)
		return;
	tls_conn_free(cn);
	free(cn->rbuf);
	free(cn->wbuf);
	free(cn);
}

static void conn_read(struct sip_conn *cn);
static int conn_write(struct sip_conn *cn, const char *buf, size_t len);

static void conn_log(struct sip_conn *cn, int prio, const char *what)
{
	char ip[64];
	unsigned port;

	addr_to_string(&cn->peer, ip, sizeof(ip), &port);
	log_peer(cn->a, &cn->peer, prio, "%s connection %u %s %s:%u: %s",
		 cn->a->tls ? "TLS" : "TCP", cn->id,
		 cn->incoming ? "from" : "to", ip, port, what);
}

/*
 * Close now: only where libosip2 is not running (loop callbacks).  Fails
 * the client transactions that were using the connection.  The reason is
 * logged at @prio.
 */
static void conn_close_prio(struct sip_conn *cn, int prio, const char *why)
{
	struct sip_agent *a = cn->a;
	struct sip_conn **p;

	if (cn->closed)
		return;
	cn->closed = true;
	for (p = &a->conns; *p; p = &(*p)->next)
		if (*p == cn) {
			*p = cn->next;
			break;
		}
	if (cn->incoming)
		a->n_conns_in--;
	else
		a->n_conns_out--;
	cn->io = sd_event_source_disable_unref(cn->io);
	cn->timer = sd_event_source_disable_unref(cn->timer);
	if (cn->fd >= 0)
		close(cn->fd);
	cn->fd = -1;
	if (!a->freeing) {
		conn_log(cn, prio, why ? why : "closed");
		/* responses read before the end are queued: let them count */
		sip_pump(a);
		conn_fail_transactions(a, cn->id);
		if (cn->id == a->reg_conn) {
			a->reg_conn = 0;
			reg_flow_lost(a);
		}
	}
	conn_unref(cn);
}

void conn_close(struct sip_conn *cn, const char *why)
{
	conn_close_prio(cn, LOG_INFO, why);
}

/* Close later (from the defer event): safe anywhere. */
static void conn_break(struct sip_conn *cn, const char *why)
{
	if (cn->closed || cn->broken)
		return;
	cn->broken = true;
	conn_log(cn, LOG_INFO, why);
	sd_event_source_set_enabled(cn->io, SD_EVENT_OFF);
	sd_event_source_set_enabled(cn->a->conn_defer, SD_EVENT_ONESHOT);
}

int conn_defer_cb(sd_event_source *s, void *userdata)
{
	struct sip_agent *a = userdata;
	struct sip_conn *cn;

	(void)s;
again:
	for (cn = a->conns; cn; cn = cn->next)
		if (cn->broken) {
			conn_close(cn, "closed");
			goto again;
		}
	/* decrypted bytes left in a session (conn_read()'s bound) */
	for (cn = a->conns; cn; cn = cn->next)
		if (tls_pending(cn)) {
			cn->n_ref++;
			conn_read(cn);
			conn_unref(cn);
			goto again;
		}
	sip_pump(a);
	return 0;
}

static struct sip_conn *conn_find_id(struct sip_agent *a, unsigned id)
{
	struct sip_conn *cn;

	for (cn = a->conns; cn && id; cn = cn->next)
		if (cn->id == id && !cn->broken)
			return cn;
	return NULL;
}

static struct sip_conn *conn_find_addr(struct sip_agent *a,
				       const struct sockaddr_storage *ss)
{
	struct sip_conn *cn;

	for (cn = a->conns; cn; cn = cn->next)
		if (!cn->broken && same_addr(&cn->peer, ss))
			return cn;
	return NULL;
}

/* Used by a live call or a transaction: not idle, whatever the clock. */
static bool conn_in_use(struct sip_agent *a, unsigned id)
{
	osip_list_t *lists[] = {
		&a->osip->osip_ict_transactions, &a->osip->osip_ist_transactions,
		&a->osip->osip_nict_transactions, &a->osip->osip_nist_transactions,
	};
	struct sip_call *c;
	unsigned i;
	int pos;

	if (id == a->reg_conn)
		return true;
	for (c = a->calls; c; c = c->next)
		if (c->conn == id)
			return true;
	for (i = 0; i < 4; i++)
		for (pos = 0; !osip_list_eol(lists[i], pos); pos++) {
			osip_transaction_t *tr = osip_list_get(lists[i], pos);

			if (tr->out_socket == (int)id)
				return true;
		}
	return false;
}

/* Our registration's connection, established: it gets the pings. */
static bool conn_is_flow(const struct sip_conn *cn)
{
	return !cn->incoming && !cn->connecting && !cn->handshaking &&
	       cn->id == cn->a->reg_conn;
}

/* A stranger's connection that has not yet carried a valid message. */
static bool conn_on_probation(const struct sip_conn *cn)
{
	return cn->incoming && !cn->provider && !cn->valid;
}

/*
 * When conn_timer_cb() must look at @cn next: the first message's
 * deadline (a stranger's new connection), the unfinished message's, or
 * the end of the idle time; @now + the idle time when that is past (the
 * connection was kept because it is in use).
 */
static void conn_arm(struct sip_conn *cn, uint64_t now)
{
	uint64_t idle_us = (uint64_t)SIP_TCP_IDLE_S * 1000000;
	uint64_t t = cn->last_active + idle_us;

	if (conn_on_probation(cn) && cn->opened + cn->a->tcp_msg_us < t)
		t = cn->opened + cn->a->tcp_msg_us;
	if (cn->rlen > 0 && cn->msg_start + cn->a->tcp_msg_us < t)
		t = cn->msg_start + cn->a->tcp_msg_us;
	if (cn->handshaking &&
	    cn->hs_start + SIP_TLS_HANDSHAKE_MS * 1000ULL < t)
		t = cn->hs_start + SIP_TLS_HANDSHAKE_MS * 1000ULL;
	if (conn_is_flow(cn)) {
		uint64_t k = cn->ping_out && cn->pong_seen ?
			     cn->ping_sent + SIP_PONG_MS * 1000ULL :
			     cn->ping_sent + cn->a->keepalive_us;

		if (k < t)
			t = k;
	}
	if (t <= now)
		t = now + idle_us;
	sd_event_source_set_time(cn->timer, t);
	sd_event_source_set_enabled(cn->timer, SD_EVENT_ONESHOT);
}

static int conn_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_conn *cn = userdata;
	struct sip_agent *a = cn->a;
	uint64_t idle_us = (uint64_t)SIP_TCP_IDLE_S * 1000000;
	uint64_t now = now_usec(a->event);
	uint64_t idle = now > cn->last_active ? now - cn->last_active : 0;
	const char *why = NULL;

	(void)s;
	(void)usec;
	if (cn->connecting)
		why = "connect timeout";
	else if (cn->handshaking &&
		 now >= cn->hs_start + SIP_TLS_HANDSHAKE_MS * 1000ULL) {
		why = "TLS handshake timeout";
		if (!cn->incoming)
			snprintf(a->tls_error, sizeof(a->tls_error), "%s (%s)",
				 why, cn->tls_name);
	} else if (conn_is_flow(cn) && cn->ping_out && cn->pong_seen &&
		   now >= cn->ping_sent + SIP_PONG_MS * 1000ULL)
		why = "no answer to the keep-alive ping";
	else if (conn_on_probation(cn) && now >= cn->opened + a->tcp_msg_us)
		why = "no complete SIP message in time, closed";
	else if (cn->rlen > 0 && now >= cn->msg_start + a->tcp_msg_us)
		why = "message not completed in time, closed";
	else if (idle >= idle_us && cn->wlen == 0 && !conn_in_use(a, cn->id))
		why = "idle";
	if (why) {
		conn_close(cn, why);
		sip_pump(a);
		return 0;
	}
	if (conn_is_flow(cn) && !(cn->ping_out && cn->pong_seen) &&
	    now >= cn->ping_sent + a->keepalive_us) {
		/* RFC 5626 4.4.1: the pong is expected only from a peer that
		 * has answered before (one that never does just keeps the
		 * NAT binding warm) */
		cn->ping_sent = now;
		cn->ping_out = true;
		conn_write(cn, "\r\n\r\n", 4);
	}
	/* in use, or a deadline still ahead: look again later */
	conn_arm(cn, now);
	return 0;
}

static void conn_set_events(struct sip_conn *cn)
{
	uint32_t ev = EPOLLIN;

	if (cn->connecting || (cn->handshaking && cn->tls_want_write) ||
	    (!cn->handshaking && cn->wlen > cn->woff))
		ev |= EPOLLOUT;
	sd_event_source_set_io_events(cn->io, ev);
}

/* Bytes sent (through the TLS session, if any), or -errno (-EAGAIN). */
static ssize_t conn_send(struct sip_conn *cn, const char *buf, size_t len)
{
	ssize_t n;

	if (cn->ssl)
		return tls_write(cn, buf, len);
	n = send(cn->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return n;
}

/* Bytes read, 0 at the end of the stream, or -errno (-EAGAIN). */
static ssize_t conn_recv(struct sip_conn *cn, char *buf, size_t len)
{
	ssize_t n;

	if (cn->ssl)
		return tls_read(cn, buf, len);
	n = recv(cn->fd, buf, len, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return n;
}

/* Send what is queued; 0, or a negative errno (the connection is dead). */
static int conn_flush(struct sip_conn *cn)
{
	ssize_t n;

	while (!cn->handshaking && cn->woff < cn->wlen) {
		n = conn_send(cn, cn->wbuf + cn->woff, cn->wlen - cn->woff);
		if (n == -EAGAIN)
			break;
		if (n < 0)
			return n;
		cn->woff += n;
	}
	if (cn->woff == cn->wlen)
		cn->woff = cn->wlen = 0;
	conn_set_events(cn);
	return 0;
}

static int conn_write(struct sip_conn *cn, const char *buf, size_t len)
{
	size_t need;
	ssize_t n;

	if (cn->closed || cn->broken)
		return -ENOTCONN;
	if (!cn->connecting && !cn->handshaking && cn->wlen == 0) {
		n = conn_send(cn, buf, len);
		if (n < 0 && n != -EAGAIN) {
			conn_break(cn, strerror(-n));
			return n;
		}
		if (n > 0) {
			buf += n;
			len -= n;
		}
		cn->last_active = now_usec(cn->a->event);
		if (len == 0)
			return 0;
	}
	/* queue the rest: connect or handshake in progress, or the socket
	 * buffer is full */
	if (cn->woff > 0) {
		memmove(cn->wbuf, cn->wbuf + cn->woff, cn->wlen - cn->woff);
		cn->wlen -= cn->woff;
		cn->woff = 0;
	}
	need = cn->wlen + len;
	if (need > SIP_TCP_WBUF_MAX) {
		conn_break(cn, "peer does not read, output buffer full");
		return -ENOBUFS;
	}
	if (need > cn->walloc) {
		size_t na = cn->walloc ? cn->walloc : 4096;
		char *p;

		while (na < need)
			na *= 2;
		p = realloc(cn->wbuf, na);
		if (!p)
			return -ENOMEM;
		cn->wbuf = p;
		cn->walloc = na;
	}
	memcpy(cn->wbuf + cn->wlen, buf, len);
	cn->wlen += len;
	conn_set_events(cn);
	return 0;
}

/*
 * Content-Length of the header block @h (@n bytes, start line included,
 * ending with the empty line): the value, -1 when absent, -2 when invalid
 * (not a number, or two different values).  "l" is its compact form.
 */
static long stream_content_length(const char *h, size_t n)
{
	const char *end = h + n, *p, *eol;
	long val = -1;

	p = memmem(h, n, "\r\n", 2);
	if (!p)
		return -2;
	for (p += 2; p < end; p = eol + 2) {
		const char *colon, *q;
		size_t nl;
		long v = 0;
		int digits = 0;

		eol = memmem(p, end - p, "\r\n", 2);
		if (!eol || eol == p)
			break;
		colon = memchr(p, ':', eol - p);
		if (!colon)
			continue;
		for (q = colon; q > p && (q[-1] == ' ' || q[-1] == '\t'); q--)
			;
		nl = q - p;
		if (!(nl == 14 && strncasecmp(p, "Content-Length", 14) == 0) &&
		    !(nl == 1 && (*p == 'l' || *p == 'L')))
			continue;
		for (q = colon + 1; q < eol && (*q == ' ' || *q == '\t'); q++)
			;
		for (; q < eol && isdigit((unsigned char)*q); q++) {
			if (++digits > 9)
				return -2;
			v = v * 10 + (*q - '0');
		}
		for (; q < eol && (*q == ' ' || *q == '\t'); q++)
			;
		if (!digits || q != eol || (val >= 0 && v != val))
			return -2;
		val = v;
	}
	return val;
}

/*
 * The message starting the read buffer, with a header block of @hlen
 * bytes, is over max_message_size: a request gets 513 Message Too Large
 * (RFC 3261 21.5.14) before the connection closes (its framing is lost).
 */
static void conn_too_large(struct sip_conn *cn, size_t hlen,
			   const struct sip_peer *src)
{
	osip_event_t *ev;
	char save = cn->rbuf[hlen];

	cn->rbuf[hlen] = '\0';
	ev = osip_parse(cn->rbuf, hlen);
	cn->rbuf[hlen] = save;
	if (!ev)
		return;
	if (ev->sip && MSG_IS_REQUEST(ev->sip) && !MSG_IS_ACK(ev->sip) &&
	    ev->sip->call_id && ev->sip->cseq && ev->sip->from && ev->sip->to) {
		add_received(ev->sip, &src->addr);
		respond_stateless(cn->a, ev->sip, 513, src);
	}
	osip_event_free(ev);
}

/* Take the complete messages out of the read buffer. */
static void conn_parse(struct sip_conn *cn)
{
	struct sip_agent *a = cn->a;
	struct sip_peer src = {
		.addr = cn->peer, .len = cn->peerlen, .tcp = true, .conn = cn->id,
	};

	while (cn->rlen > 0 && !cn->closed && !cn->broken) {
		const char *eoh;
		size_t hlen, total;
		long clen;
		char save;

		/* keep-alive: CRLFCRLF ping gets a CRLF pong (RFC 5626) */
		if (cn->rbuf[0] == '\r' || cn->rbuf[0] == '\n') {
			static const char ping[] = "\r\n\r\n";
			size_t k;

			if (cn->ping_out && cn->rlen >= 2 &&
			    memcmp(cn->rbuf, "\r\n", 2) == 0 &&
			    (cn->rlen < 4 || memcmp(cn->rbuf, ping, 4) != 0)) {
				/* the pong of our ping */
				cn->ping_out = false;
				cn->pong_seen = true;
				memmove(cn->rbuf, cn->rbuf + 2, cn->rlen - 2);
				cn->rlen -= 2;
				continue;
			}
			if (cn->rlen < 4 && memcmp(cn->rbuf, ping, cn->rlen) == 0)
				return;		/* perhaps a ping: wait */
			if (cn->rlen >= 4 && memcmp(cn->rbuf, ping, 4) == 0)
				k = 4;
			else if (cn->rlen >= 2 && cn->rbuf[0] == '\r' &&
				 cn->rbuf[1] == '\n')
				k = 2;
			else
				k = 1;
			if (k == 4)
				conn_write(cn, "\r\n", 2);
			memmove(cn->rbuf, cn->rbuf + k, cn->rlen - k);
			cn->rlen -= k;
			continue;
		}
		eoh = memmem(cn->rbuf, cn->rlen, "\r\n\r\n", 4);
		if (!eoh)
			return;		/* the size limit is checked by the reader */
		hlen = eoh + 4 - cn->rbuf;
		clen = stream_content_length(cn->rbuf, hlen);
		if (clen < 0) {
			conn_close(cn, clen == -1 ? "message without Content-Length" :
				       "invalid Content-Length");
			return;
		}
		total = hlen + (size_t)clen;
		if (total > a->max_msg) {
			conn_too_large(cn, hlen, &src);
			conn_close(cn, "message over the size limit");
			return;
		}
		if (cn->rlen < total)
			return;
		save = cn->rbuf[total];
		cn->rbuf[total] = '\0';
		cn->last_active = now_usec(a->event);
		cn->msg_start = cn->last_active;	/* of what follows */
		if (handle_message(a, cn->rbuf, total, &src))
			cn->valid = true;
		if (cn->closed)
			return;
		cn->rbuf[total] = save;
		memmove(cn->rbuf, cn->rbuf + total, cn->rlen - total);
		cn->rlen -= total;
	}
}

static void conn_read(struct sip_conn *cn)
{
	struct sip_agent *a = cn->a;
	ssize_t n;
	int i;

	for (i = 0; i < 8 && !cn->closed && !cn->broken; i++) {
		if (cn->rlen >= a->max_msg) {
			conn_close(cn, "message over the size limit");
			return;
		}
		n = conn_recv(cn, cn->rbuf + cn->rlen, a->max_msg - cn->rlen);
		if (n == 0) {
			conn_close(cn, "closed by the peer");
			return;
		}
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			conn_close(cn, strerror(-n));
			return;
		}
		if (cn->rlen == 0)
			cn->msg_start = now_usec(a->event);
		cn->rlen += n;
		conn_parse(cn);
	}
	if (!cn->closed && !cn->connecting)
		conn_arm(cn, now_usec(a->event));
	if (i == 8 && tls_pending(cn))
		sd_event_source_set_enabled(a->conn_defer, SD_EVENT_ONESHOT);
}

/*
 * One step of the TLS handshake; true when it is done (what waited may
 * go), false while it goes on or when it failed (@cn closed).
 */
static bool conn_handshake(struct sip_conn *cn)
{
	char why[300];
	int r = tls_handshake(cn, why, sizeof(why));

	if (r < 0) {
		/* a refused certificate: one line, at warning */
		conn_close_prio(cn, cn->incoming ? LOG_INFO : LOG_WARNING, why);
		return false;
	}
	if (r == 0) {
		conn_set_events(cn);
		return false;
	}
	cn->last_active = cn->ping_sent = now_usec(cn->a->event);
	conn_log(cn, LOG_DEBUG, "TLS established");
	conn_arm(cn, cn->last_active);
	return true;
}

void conn_rearm(struct sip_agent *a, unsigned id)
{
	struct sip_conn *cn = conn_find_id(a, id);

	if (cn && !cn->connecting && !cn->closed)
		conn_arm(cn, now_usec(a->event));
}

static int conn_io_cb(sd_event_source *s, int fd, uint32_t revents,
		      void *userdata)
{
	struct sip_conn *cn = userdata;
	struct sip_agent *a = cn->a;

	(void)s;
	cn->n_ref++;
	if (cn->connecting) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (!(revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			goto out;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			conn_close(cn, strerror(err));
			goto out;
		}
		cn->connecting = false;
		cn->last_active = cn->ping_sent = now_usec(a->event);
		cn->hs_start = cn->last_active;
		conn_log(cn, LOG_DEBUG, "connected");
		conn_arm(cn, cn->last_active);
		revents |= EPOLLOUT;
	}
	if (cn->handshaking) {
		if (!conn_handshake(cn))
			goto out;
		/* done: what was queued goes, what came is read */
		revents |= EPOLLOUT | EPOLLIN;
	}
	if ((revents & EPOLLOUT) || (cn->ssl && cn->wlen > cn->woff)) {
		int r = conn_flush(cn);

		if (r < 0) {
			conn_close(cn, strerror(-r));
			goto out;
		}
	}
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(cn);
out:
	conn_unref(cn);
	sip_pump(a);
	return 0;
}

static void tcp_tune(int fd)
{
	int one = 1, idle = 60, intvl = 10, cnt = 3;

	/* notice a dead peer (registrar rebooted, NAT lost) in ~90 s */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Wrap @fd (taken in all cases). */
static struct sip_conn *conn_new(struct sip_agent *a, int fd,
				 const struct sockaddr_storage *peer,
				 bool incoming, bool connecting)
{
	struct sip_conn *cn = calloc(1, sizeof(*cn));
	uint64_t now = now_usec(a->event);

	if (!cn) {
		close(fd);
		return NULL;
	}
	cn->a = a;
	cn->n_ref = 1;
	cn->fd = fd;
	cn->incoming = incoming;
	cn->connecting = connecting;
	cn->peer = *peer;
	cn->peerlen = ss_len(peer);
	cn->last_active = cn->opened = cn->hs_start = cn->ping_sent = now;
	cn->provider = incoming && source_is_provider(a, peer);
	if (++a->next_conn_id >= INT_MAX)
		a->next_conn_id = 1;
	cn->id = a->next_conn_id;
	cn->rbuf = malloc(a->max_msg + 1);
	if (!cn->rbuf ||
	    sd_event_add_io(a->event, &cn->io, fd,
			    EPOLLIN | (connecting ? EPOLLOUT : 0), conn_io_cb,
			    cn) < 0 ||
	    sd_event_add_time(a->event, &cn->timer, CLOCK_MONOTONIC,
			      now + (connecting ? SIP_TCP_CONNECT_MS * 1000ULL :
					 SIP_TCP_IDLE_S * 1000000ULL),
			      a->tcp_msg_us / 8 < 1000000 ? a->tcp_msg_us / 8 :
			      1000000, conn_timer_cb, cn) < 0 ||
	    (a->tls && tls_conn_start(cn) < 0)) {
		sd_event_source_disable_unref(cn->io);
		sd_event_source_disable_unref(cn->timer);
		tls_conn_free(cn);
		close(fd);
		free(cn->rbuf);
		free(cn);
		return NULL;
	}
	cn->next = a->conns;
	a->conns = cn;
	if (incoming)
		a->n_conns_in++;
	else
		a->n_conns_out++;

	conn_log(cn, LOG_DEBUG, incoming ? "accepted" :
		 connecting ? "connecting" : "connected");
	if (!connecting) {
		conn_arm(cn, now);
		conn_set_events(cn);
	}
	return cn;
}

static int conn_connect(struct sip_agent *a, const struct sockaddr_storage *to,
			struct sip_conn **ret)
{
	struct sip_conn *cn;
	int fd, r;

	if (a->n_conns_out >= SIP_TCP_MAX_OUT) {
		log_a(a, LOG_WARNING, "Too many TCP connections, not sent");
		return -EMFILE;
	}
	fd = socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* the source address Via and Contact announce */
	if (a->bind_sl && a->bind_ss.ss_family == to->ss_family &&
	    bind(fd, (void *)&a->bind_ss, a->bind_sl) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	tcp_tune(fd);
	r = connect(fd, (const void *)to, ss_len(to));
	if (r < 0 && errno != EINPROGRESS) {
		char ip[64];
		unsigned port;

		r = -errno;
		addr_to_string(to, ip, sizeof(ip), &port);
		log_a(a, LOG_WARNING, "TCP connection to %s:%u failed: %s", ip,
		      port, strerror(-r));
		close(fd);
		return r;
	}
	cn = conn_new(a, fd, to, false, r < 0);
	if (!cn)
		return -ENOMEM;
	*ret = cn;
	return 0;
}

/*
 * Over TCP to @to: the connection @to->conn if it is open and leads to
 * the same host, else one to the address, else a new one.
 */
int tcp_send(struct sip_agent *a, const char *buf, size_t len,
	     const struct sip_peer *to, unsigned *ret_conn)
{
	struct sip_conn *cn = conn_find_id(a, to->conn);
	int r;

	if (cn && !same_ip(&cn->peer, &to->addr))
		cn = NULL;
	if (!cn)
		cn = conn_find_addr(a, &to->addr);
	if (!cn) {
		r = conn_connect(a, &to->addr, &cn);
		if (r < 0)
			return r;
	}
	r = conn_write(cn, buf, len);
	if (r == 0 && ret_conn)
		*ret_conn = cn->id;
	return r;
}

/*
 * Room for one more connection from @ss?  A stranger address gets at most
 * SIP_TCP_PER_SOURCE, strangers together SIP_TCP_STRANGERS, so the
 * provider always finds SIP_TCP_MAX_IN - SIP_TCP_STRANGERS free; when the
 * provider needs more, the stranger connection idle the longest (not used
 * by a call or transaction) is closed to make room.  NULL, or the reason
 * for refusing.
 */
static const char *tcp_admit(struct sip_agent *a,
			     const struct sockaddr_storage *ss)
{
	struct sip_conn *cn, *victim = NULL;
	unsigned n_src = 0, n_strangers = 0;

	for (cn = a->conns; cn; cn = cn->next) {
		if (!cn->incoming || cn->provider || cn->broken)
			continue;
		n_strangers++;
		if (same_ip(&cn->peer, ss))
			n_src++;
		if (!conn_in_use(a, cn->id) &&
		    (!victim || cn->last_active < victim->last_active))
			victim = cn;
	}
	if (!source_is_provider(a, ss)) {
		if (n_src >= SIP_TCP_PER_SOURCE)
			return "too many connections from that address";
		if (n_strangers >= SIP_TCP_STRANGERS ||
		    a->n_conns_in >= SIP_TCP_MAX_IN)
			return "too many connections";
		return NULL;
	}
	if (a->n_conns_in < SIP_TCP_MAX_IN)
		return NULL;
	if (!victim)
		return "too many connections";
	conn_close(victim, "closed to make room for the provider");
	return NULL;
}

int tcp_accept_cb(sd_event_source *s, int fd, uint32_t revents,
		  void *userdata)
{
	struct sip_agent *a = userdata;
	struct sockaddr_storage ss;
	const char *why;
	socklen_t sl;
	int i, cfd;

	(void)s;
	(void)revents;
	for (i = 0; i < 16; i++) {
		sl = sizeof(ss);
		cfd = accept4(fd, (void *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			break;
		why = tcp_admit(a, &ss);
		if (why) {
			char ip[64];
			unsigned port;

			addr_to_string(&ss, ip, sizeof(ip), &port);
			log_peer(a, &ss, LOG_WARNING,
				 "TCP connection from %s:%u refused: %s", ip,
				 port, why);
			close(cfd);
			continue;
		}
		tcp_tune(cfd);
		conn_new(a, cfd, &ss, true, false);
	}
	sip_pump(a);
	return 0;
}
