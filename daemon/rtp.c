// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtp.c - one RTP session (RFC 3550) on sd-event.  See rtp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "g711.h"
#include "rtp.h"

#define RTP_HEADER_SIZE		12
#define RTP_VERSION		2
#define RTP_RATE		8000	/* G.711 clock */
#define RTP_FRAME_MAX		(RTP_PTIME_MAX * RTP_RATE / 1000)
#define RTP_MAX_DROPOUT		3000	/* RFC 3550 A.1 */
#define RTP_MAX_MISORDER	100
#define RTP_SEQ_MOD		(1u << 16)
#define RTP_EPHEMERAL_TRIES	64

struct rtp_session {
	sd_event *event;
	sd_event_source *rtp_source;
	sd_event_source *rtcp_source;
	int fd;
	int rtcp_fd;
	int family;
	unsigned port;
	struct rtp_callbacks cb;
	void *userdata;

	/* the peer */
	bool have_remote;
	bool latched;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	int pt;
	int te_pt;
	unsigned frame;			/* samples per packet */

	/* sending */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	bool sent_first;
	int16_t pending[RTP_FRAME_MAX];
	size_t n_pending;

	/* receiving, RFC 3550 A.1 and A.8 */
	bool rx_init;
	uint16_t max_seq;
	uint32_t cycles;
	uint32_t base_seq;
	uint32_t bad_seq;
	uint64_t rx_received;		/* from the current source */
	int64_t transit;
	bool have_transit;
	uint32_t jitter_q4;		/* jitter * 16 */

	struct rtp_stats stats;
};

static int sockaddr_parse(int family, const char *addr, unsigned port,
			  struct sockaddr_storage *ret, socklen_t *ret_len)
{
	struct in_addr a4;
	struct in6_addr a6;

	memset(ret, 0, sizeof(*ret));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ret;

		if (addr && inet_pton(AF_INET, addr, &a4) != 1)
			return -EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = addr ? a4 : (struct in_addr){ htonl(INADDR_ANY) };
		*ret_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ret;

		if (!addr) {
			a6 = in6addr_any;
		} else if (inet_pton(AF_INET, addr, &a4) == 1) {
			/* v4-mapped, for the dual-stack socket */
			memset(&a6, 0, sizeof(a6));
			a6.s6_addr[10] = 0xff;
			a6.s6_addr[11] = 0xff;
			memcpy(&a6.s6_addr[12], &a4, 4);
		} else if (inet_pton(AF_INET6, addr, &a6) != 1) {
			return -EINVAL;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a6;
		*ret_len = sizeof(*sin6);
	}
	return 0;
}

static bool sockaddr_equal(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

static unsigned sockaddr_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
}

static int udp_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int zero = 0;

	if (fd < 0)
		return -errno;
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				 sizeof(zero));
	return fd;
}

/* Bind the pair at @port (0: ephemeral RTP port).  Returns 0, -EADDRINUSE
 * when either port is taken (both closed), or another error. */
static int bind_pair(struct rtp_session *s, const char *bind_addr,
		     unsigned port)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int fd, fd2, r;

	r = sockaddr_parse(s->family, bind_addr, port, &sa, &len);
	if (r < 0)
		return r;
	fd = udp_socket(s->family);
	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sa, len) < 0) {
		r = -errno;
		goto close_fd;
	}
	len = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		r = -errno;
		goto close_fd;
	}
	port = sockaddr_port(&sa);
	if (port % 2 || port >= 65535) {
		r = -EADDRINUSE;	/* odd ephemeral port: try another */
		goto close_fd;
	}
	fd2 = udp_socket(s->family);
	if (fd2 < 0) {
		r = fd2;
		goto close_fd;
	}
	if (s->family == AF_INET)
		((struct sockaddr_in *)&sa)->sin_port = htons(port + 1);
	else
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(port + 1);
	if (bind(fd2, (struct sockaddr *)&sa, len) < 0) {
		r = -errno;
		close(fd2);
		goto close_fd;
	}
	s->fd = fd;
	s->rtcp_fd = fd2;
	s->port = port;
	return 0;

close_fd:
	close(fd);
	return r;
}

static int bind_range(struct rtp_session *s, const char *bind_addr,
		      unsigned port_min, unsigned port_max)
{
	unsigned first = (port_min + 1) & ~1u, n, start, i;
	uint32_t rnd = 0;
	int r;

	if (port_min == 0 && port_max == 0) {
		for (i = 0; i < RTP_EPHEMERAL_TRIES; i++) {
			r = bind_pair(s, bind_addr, 0);
			if (r != -EADDRINUSE)
				return r;
		}
		return -EADDRINUSE;
	}
	if (port_min == 0 || port_max > 65534 || first > port_max)
		return -EINVAL;
	n = (port_max - first) / 2 + 1;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	start = rnd % n;
	for (i = 0; i < n; i++) {
		r = bind_pair(s, bind_addr, first + 2 * ((start + i) % n));
		if (r != -EADDRINUSE && r != -EACCES)
			return r;
	}
	return -EADDRINUSE;
}

/* ---- receiving ---- */

static void rx_reset(struct rtp_session *s)
{
	s->rx_init = false;
	s->have_transit = false;
	s->jitter_q4 = 0;
	s->rx_received = 0;
	s->stats.expected = 0;
	s->stats.lost = 0;
	s->stats.last_seq = 0;
	s->stats.jitter = 0;
	s->stats.remote_ssrc = 0;
}

static void rx_init_seq(struct rtp_session *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1;	/* so seq == bad_seq is false */
	s->cycles = 0;
	s->rx_received = 0;
	s->have_transit = false;
}

/* RFC 3550 A.1, without probation.  False: drop the packet. */
static bool rx_update_seq(struct rtp_session *s, uint16_t seq)
{
	uint16_t udelta = seq - s->max_seq;

	if (udelta < RTP_MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;	/* wrapped */
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		/* A very large jump: believe it on the second packet. */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
		rx_init_seq(s, seq);
	}
	/* else a duplicate or reordered packet: accepted */
	s->rx_received++;
	return true;
}

static void rx_update_stats(struct rtp_session *s)
{
	uint32_t ext_max = s->cycles + s->max_seq;

	s->stats.last_seq = ext_max;
	s->stats.expected = (uint64_t)ext_max - s->base_seq + 1;
	s->stats.lost = (int64_t)s->stats.expected - (int64_t)s->rx_received;
}

/* RFC 3550 A.8: arrival and RTP timestamps in the same units. */
static void rx_update_jitter(struct rtp_session *s, uint32_t ts)
{
	struct timespec now;
	int64_t arrival, transit, d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	arrival = (int64_t)now.tv_sec * RTP_RATE +
		  (int64_t)now.tv_nsec * RTP_RATE / 1000000000;
	/* transit modulo 2^32, as RTP timestamps wrap */
	transit = (int32_t)((uint32_t)arrival - ts);
	if (s->have_transit) {
		d = (int32_t)((uint32_t)transit - (uint32_t)s->transit);
		if (d < 0)
			d = -d;
		s->jitter_q4 += (uint32_t)d - ((s->jitter_q4 + 8) >> 4);
	}
	s->transit = transit;
	s->have_transit = true;
	s->stats.jitter = s->jitter_q4 >> 4;
}

static void rx_packet(struct rtp_session *s, const uint8_t *p, size_t len,
		      const struct sockaddr_storage *from)
{
	int16_t pcm[RTP_PACKET_MAX];
	size_t hdr, payload;
	uint32_t ts, ssrc;
	uint16_t seq;
	int pt;

	/* Validate (RFC 3550 A.1 header checks). */
	if (len < RTP_HEADER_SIZE || p[0] >> 6 != RTP_VERSION)
		goto invalid;
	hdr = RTP_HEADER_SIZE + 4 * (size_t)(p[0] & 0x0f);
	if (hdr > len)
		goto invalid;
	if (p[0] & 0x10) {		/* header extension */
		if (hdr + 4 > len)
			goto invalid;
		hdr += 4 + 4 * (size_t)((p[hdr + 2] << 8) | p[hdr + 3]);
		if (hdr > len)
			goto invalid;
	}
	payload = len - hdr;
	if (p[0] & 0x20) {		/* padding */
		size_t pad = p[len - 1];

		if (pad == 0 || pad > payload)
			goto invalid;
		payload -= pad;
	}
	pt = p[1] & 0x7f;
	seq = (uint16_t)((p[2] << 8) | p[3]);
	ts = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	     (uint32_t)p[6] << 8 | p[7];
	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
	       (uint32_t)p[10] << 8 | p[11];

	if (!s->have_remote || (pt != s->pt && pt != s->te_pt))
		goto ignored;
	if (s->latched && !sockaddr_equal(from, &s->remote))
		goto ignored;

	/* A new source (or the first): start its statistics over. */
	if (!s->rx_init || ssrc != s->stats.remote_ssrc) {
		rx_init_seq(s, seq);
		s->rx_received = 1;
		s->jitter_q4 = 0;
		s->stats.jitter = 0;
		s->stats.remote_ssrc = ssrc;
		s->rx_init = true;
	} else if (!rx_update_seq(s, seq)) {
		goto ignored;
	}
	rx_update_stats(s);

	if (!s->latched) {
		s->remote = *from;
		s->remote_len = from->ss_family == AF_INET ?
				sizeof(struct sockaddr_in) :
				sizeof(struct sockaddr_in6);
		s->latched = true;
	}
	s->stats.packets_received++;
	s->stats.octets_received += payload;

	if (pt != s->pt)
		return;			/* telephone-event: later */
	rx_update_jitter(s, ts);
	if (payload == 0 || !s->cb.on_audio)
		return;
	(void)g711_decode(s->pt, p + hdr, pcm, payload);
	s->cb.on_audio(s->userdata, pcm, payload);
	return;

invalid:
	s->stats.packets_invalid++;
	return;
ignored:
	s->stats.packets_ignored++;
}

static int on_rtp_io(sd_event_source *es, int fd, uint32_t revents,
		     void *userdata)
{
	struct rtp_session *s = userdata;
	uint8_t buf[RTP_PACKET_MAX + 1];

	(void)es;
	(void)revents;
	for (unsigned i = 0; i < RTP_RECV_BURST; i++) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		ssize_t n;

		memset(&from, 0, sizeof(from));
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
			     (struct sockaddr *)&from, &len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN, or an ICMP error reported late: not fatal */
			break;
		}
		if ((size_t)n > RTP_PACKET_MAX) {
			s->stats.packets_invalid++;
			continue;
		}
		rx_packet(s, buf, (size_t)n, &from);
	}
	return 0;
}

static int on_rtcp_io(sd_event_source *es, int fd, uint32_t revents,
		      void *userdata)
{
	uint8_t buf[RTP_PACKET_MAX];

	(void)es;
	(void)revents;
	(void)userdata;
	/* RTCP is not interpreted yet: drain the socket. */
	for (unsigned i = 0; i < RTP_RECV_BURST; i++)
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR)
			break;
	return 0;
}

/* ---- the session ---- */

int rtp_session_new(sd_event *e, const char *bind_addr, unsigned port_min,
		    unsigned port_max, const struct rtp_callbacks *cb,
		    void *userdata, struct rtp_session **ret)
{
	struct rtp_session *s;
	struct in6_addr a6;
	uint32_t rnd[3];
	int r;

	if (!e || !ret || port_min > port_max)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->rtcp_fd = -1;
	s->pt = -1;
	s->te_pt = -1;
	s->frame = RTP_PTIME_DEFAULT * RTP_RATE / 1000;
	if (cb)
		s->cb = *cb;
	s->userdata = userdata;
	s->event = sd_event_ref(e);

	if (bind_addr && inet_pton(AF_INET6, bind_addr, &a6) == 1) {
		s->family = AF_INET6;
	} else if (bind_addr) {
		s->family = AF_INET;	/* sockaddr_parse() validates it */
	} else {
		/* any: dual-stack IPv6 unless the host has no IPv6 */
		r = udp_socket(AF_INET6);
		s->family = r >= 0 ? AF_INET6 : AF_INET;
		if (r >= 0)
			close(r);
	}
	r = bind_range(s, bind_addr, port_min, port_max);
	if (r < 0)
		goto fail;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		r = -errno;
		goto fail;
	}
	s->ssrc = rnd[0];
	s->seq = (uint16_t)rnd[1];
	s->ts = rnd[2];
	s->stats.ssrc = s->ssrc;

	r = sd_event_add_io(e, &s->rtp_source, s->fd, EPOLLIN, on_rtp_io, s);
	if (r < 0)
		goto fail;
	r = sd_event_add_io(e, &s->rtcp_source, s->rtcp_fd, EPOLLIN,
			    on_rtcp_io, s);
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;

fail:
	rtp_session_free(s);
	return r;
}

struct rtp_session *rtp_session_free(struct rtp_session *s)
{
	if (!s)
		return NULL;
	sd_event_source_disable_unref(s->rtp_source);
	sd_event_source_disable_unref(s->rtcp_source);
	if (s->fd >= 0)
		close(s->fd);
	if (s->rtcp_fd >= 0)
		close(s->rtcp_fd);
	sd_event_unref(s->event);
	free(s);
	return NULL;
}

unsigned rtp_session_local_port(const struct rtp_session *s)
{
	return s ? s->port : 0;
}

int rtp_session_set_remote(struct rtp_session *s, const char *addr,
			   unsigned port, int payload_type, int te_payload_type,
			   unsigned ptime_ms)
{
	struct sockaddr_storage sa;
	socklen_t len;
	unsigned frame;

	if (!s || !addr || port == 0 || port > 65535)
		return -EINVAL;
	if (payload_type != RTP_PT_PCMU && payload_type != RTP_PT_PCMA)
		return -EINVAL;
	if (te_payload_type != -1 &&
	    (te_payload_type < 0 || te_payload_type > 127 ||
	     te_payload_type == payload_type))
		return -EINVAL;
	if (ptime_ms == 0)
		ptime_ms = RTP_PTIME_DEFAULT;
	if (ptime_ms % 5 || ptime_ms > RTP_PTIME_MAX)
		return -EINVAL;
	if (sockaddr_parse(s->family, addr, port, &sa, &len) < 0)
		return -EINVAL;

	frame = ptime_ms * RTP_RATE / 1000;
	if (frame != s->frame)
		s->n_pending = 0;
	s->frame = frame;
	s->remote = sa;
	s->remote_len = len;
	s->have_remote = true;
	s->latched = false;
	s->pt = payload_type;
	s->te_pt = te_payload_type;
	rx_reset(s);
	return 0;
}

static int send_frame(struct rtp_session *s, const int16_t *pcm)
{
	uint8_t pkt[RTP_HEADER_SIZE + RTP_FRAME_MAX];
	ssize_t n;
	int r = 0;

	pkt[0] = RTP_VERSION << 6;
	pkt[1] = (uint8_t)s->pt | (s->sent_first ? 0 : 0x80);
	pkt[2] = s->seq >> 8;
	pkt[3] = s->seq & 0xff;
	pkt[4] = s->ts >> 24;
	pkt[5] = (s->ts >> 16) & 0xff;
	pkt[6] = (s->ts >> 8) & 0xff;
	pkt[7] = s->ts & 0xff;
	pkt[8] = s->ssrc >> 24;
	pkt[9] = (s->ssrc >> 16) & 0xff;
	pkt[10] = (s->ssrc >> 8) & 0xff;
	pkt[11] = s->ssrc & 0xff;
	(void)g711_encode(s->pt, pcm, pkt + RTP_HEADER_SIZE, s->frame);

	n = sendto(s->fd, pkt, RTP_HEADER_SIZE + s->frame, MSG_NOSIGNAL,
		   (const struct sockaddr *)&s->remote, s->remote_len);
	if (n < 0) {
		r = -errno;
		s->stats.send_errors++;
	} else {
		s->stats.packets_sent++;
		s->stats.octets_sent += s->frame;
	}
	s->sent_first = true;
	s->seq++;
	s->ts += s->frame;
	return r;
}

int rtp_session_send(struct rtp_session *s, const int16_t *pcm, size_t n)
{
	int r, ret = 0;

	if (!s)
		return -EINVAL;
	if (!s->have_remote)
		return -ENOTCONN;
	while (n > 0) {
		size_t take = s->frame - s->n_pending;

		if (s->n_pending == 0 && n >= s->frame) {
			/* whole frames straight from the caller's buffer */
			r = send_frame(s, pcm);
			take = s->frame;
		} else {
			if (take > n)
				take = n;
			memcpy(s->pending + s->n_pending, pcm,
			       take * sizeof(*pcm));
			s->n_pending += take;
			r = 0;
			if (s->n_pending == s->frame) {
				r = send_frame(s, s->pending);
				s->n_pending = 0;
			}
		}
		if (r < 0 && ret == 0)
			ret = r;
		pcm += take;
		n -= take;
	}
	return ret;
}

void rtp_session_get_stats(const struct rtp_session *s, struct rtp_stats *ret)
{
	*ret = s->stats;
}
