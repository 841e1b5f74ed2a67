// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtp.c - one RTP session (RFC 3550) on sd-event.  See rtp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsp/emodel.h"
#include "dsp/rfc4733.h"
#include "media/codec.h"
#include "media/jitter.h"
#include "media/rtcpxr.h"
#include "media/rtp.h"
#include "media/srtp.h"

#define RTP_HEADER_SIZE		12
#define RTP_VERSION		2
#define RTP_RATE		8000	/* the audio we take and give */
#define RTP_FRAME_MAX		(RTP_PTIME_MAX * RTP_RATE / 1000)
#define RTP_MAX_DROPOUT		3000	/* RFC 3550 A.1 */
#define RTP_MAX_MISORDER	100
#define RTP_SEQ_MOD		(1u << 16)
#define RTP_EPHEMERAL_TRIES	64
#define RTP_LATCH_SEQ_GAP	10	/* a candidate's next packet: seq + 1..10 */

#define RTCP_SR			200
#define RTCP_RR			201
#define RTCP_SDES		202
#define RTCP_SDES_CNAME		1
#define RTCP_SR_SIZE		28	/* header, SSRC, sender info */
#define RTCP_RR_SIZE		8	/* header, SSRC */
#define RTCP_BLOCK_SIZE		24
#define NTP_UNIX_OFFSET		2208988800u	/* 1900 to 1970, s */
#define USEC_PER_SEC_		1000000ull

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
	bool latched;			/* remote is a source other than the SDP's */
	bool no_latch;			/* symmetric RTP off */
	bool remote_heard;		/* a packet came from remote since set_remote */
	struct sockaddr_storage remote;	/* where we send, whose packets we take */
	socklen_t remote_len;
	struct sockaddr_storage signalled;	/* the address the SDP named */
	/* a source that is not remote, on probation (symmetric RTP) */
	struct sockaddr_storage cand;
	uint32_t cand_ssrc;
	uint16_t cand_seq;
	unsigned cand_count;
	int codec;			/* enum codec_id */
	struct codec_params params;	/* what the remote's fmtp asked */
	struct codec *cs;		/* its encoder and decoder */
	unsigned clock;			/* its RTP clock, Hz */
	int pt;				/* its payload type on the wire */
	int te_pt;
	bool send_enabled;
	struct rfc4733_receiver rx_event;	/* telephone-events received */
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
	/* the remote's timestamps at 8 kHz for the jitter buffer (Opus) */
	bool rx_ts_have;
	uint32_t rx_ts_last;
	uint32_t rx_ts8_last;

	/* playout (on_audio NULL) */
	struct jitter *jb;

	struct srtp_channel *srtp;	/* the caller's; NULL: plain RTP */

	/* UDPTL (T.38) in place of RTP: datagrams to it, not parsed */
	rtp_datagram_fn udptl_fn;
	void *udptl_opaque;

	/* RTCP */
	sd_event_source *rtcp_timer;
	unsigned rtcp_interval;		/* ms; 0: no reports */
	struct sockaddr_storage rtcp_remote;	/* set or latched */
	socklen_t rtcp_remote_len;
	bool rtcp_explicit;		/* rtcp_remote from set_remote_rtcp */
	bool rtcp_latched;
	char cname[RTP_CNAME_MAX + 1];
	bool xr_on;			/* append an XR VoIP Metrics block */
	struct rtcp_xr_voip xr;
	/* what the playout saw, for rtp_session_xr_fill() */
	struct rtcp_xr_burst xr_burst;
	struct rtcp_xr_level xr_level;
	unsigned xr_frame_ms;
	unsigned xr_jb_max_ms;
	uint64_t xr_concealed;		/* the jitter buffer's frames_concealed */
	bool xr_data;			/* a data call: fixed buffer, no PLC */
	uint32_t rnd;			/* xorshift32 for the intervals */
	bool sent_since_report;
	uint64_t last_send_usec;	/* CLOCK_MONOTONIC */
	uint32_t last_send_ts;
	bool rx_since_report;
	uint64_t expected_prior;
	uint64_t received_prior;
	bool have_lsr;
	uint32_t lsr;			/* middle of the remote's last SR NTP */
	uint64_t lsr_usec;		/* when it came, CLOCK_MONOTONIC */
	double rtt_ms;
	bool remote_report;
	uint8_t remote_fraction_lost;
	int32_t remote_lost;
	uint32_t remote_jitter;

	struct rtp_stats stats;
};

static uint64_t now_usec(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (uint64_t)t.tv_sec * USEC_PER_SEC_ + (uint64_t)t.tv_nsec / 1000;
}

/* The NTP timestamp (RFC 3550 4) of the wall clock now. */
static uint64_t ntp_now(void)
{
	struct timespec t;
	uint64_t frac;

	clock_gettime(CLOCK_REALTIME, &t);
	frac = ((uint64_t)t.tv_nsec << 32) / 1000000000u;
	return ((uint64_t)(uint32_t)(t.tv_sec + NTP_UNIX_OFFSET) << 32) | frac;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

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

/* Same IP address, whatever the port. */
static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr,
		      sizeof(struct in6_addr)) == 0;
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
	s->rx_ts_have = false;
	s->rx_since_report = false;
	s->expected_prior = 0;
	s->received_prior = 0;
}

static void rx_init_seq(struct rtp_session *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1;	/* so seq == bad_seq is false */
	s->cycles = 0;
	s->rx_received = 0;
	s->have_transit = false;
	s->expected_prior = 0;
	s->received_prior = 0;
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
	arrival = (int64_t)now.tv_sec * s->clock +
		  (int64_t)now.tv_nsec * s->clock / 1000000000;
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

/*
 * A valid packet of ours from @from, which is not the remote.  Symmetric
 * RTP (a far end behind NAT sends from another address than its SDP
 * names): while nothing has come from the remote since set_remote, a
 * source that sends RTP_LATCH_PACKETS consistent packets in a row (one
 * SSRC, each sequence number 1..RTP_LATCH_SEQ_GAP above the last) becomes
 * the remote, and this packet is its first accepted.  Never away from a
 * remote that has been heard, and only once per set_remote.  True: the
 * packet is now the remote's.
 */
static bool latch_candidate(struct rtp_session *s,
			    const struct sockaddr_storage *from,
			    uint32_t ssrc, uint16_t seq)
{
	uint16_t d = seq - s->cand_seq;

	if (s->remote_heard || s->latched || s->no_latch)
		return false;
	if (s->cand_count && sockaddr_equal(from, &s->cand) &&
	    ssrc == s->cand_ssrc && d >= 1 && d <= RTP_LATCH_SEQ_GAP) {
		s->cand_count++;
	} else {
		s->cand = *from;
		s->cand_ssrc = ssrc;
		s->cand_count = 1;
	}
	s->cand_seq = seq;
	if (s->cand_count < RTP_LATCH_PACKETS)
		return false;
	s->remote = *from;
	s->remote_len = from->ss_family == AF_INET ?
			sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	s->latched = true;
	s->cand_count = 0;
	/* RTCP follows to the new address (RTP port + 1) unless set */
	s->rtcp_latched = false;
	return true;
}

/*
 * The remote's RTP timestamp @ts in 8 kHz units, continuous across the
 * 32-bit wrap, for the jitter buffer (which counts the board's samples):
 * the identity at 8000 Hz, steps of clock / 8000 otherwise (Opus).
 */
static uint32_t rx_ts8(struct rtp_session *s, uint32_t ts)
{
	int32_t ratio = s->clock / RTP_RATE;

	if (ratio <= 1)
		return ts;
	if (!s->rx_ts_have) {
		s->rx_ts8_last = ts / ratio;
		s->rx_ts_have = true;
	} else {
		s->rx_ts8_last += (int32_t)(ts - s->rx_ts_last) / ratio;
	}
	s->rx_ts_last = ts;
	return s->rx_ts8_last;
}

/* Opus in-band FEC: the packet before @seq was lost; recover it from this
 * one's redundancy (when it has any: else the jitter buffer conceals). */
static void rx_fec(struct rtp_session *s, const uint8_t *payload, size_t len,
		   uint32_t ssrc, uint16_t seq, uint32_t ts8)
{
	int16_t pcm[JITTER_SPAN_MAX];
	int n, k;

	if (codec_id(s->cs) != CODEC_OPUS)
		return;
	n = codec_packet_samples(s->cs, payload, len);
	if (n <= 0 || n > JITTER_SPAN_MAX)
		return;
	k = codec_decode_fec(s->cs, payload, len, pcm, n);
	if (k > 0) {
		(void)jitter_put(s->jb, ssrc, (uint16_t)(seq - 1), ts8 - k, pcm,
				 k);
		s->stats.fec_recovered++;
	}
}

static void rx_packet(struct rtp_session *s, const uint8_t *p, size_t len,
		      const struct sockaddr_storage *from)
{
	int16_t pcm[JITTER_SPAN_MAX];
	size_t hdr, payload;
	uint32_t ts, ssrc;
	uint16_t seq;
	bool one_lost = false;
	int pt, k;

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
	if (!sockaddr_equal(from, &s->remote) &&
	    !latch_candidate(s, from, ssrc, seq))
		goto ignored;
	s->remote_heard = true;

	/* A new source (or the first): start its statistics over. */
	if (!s->rx_init || ssrc != s->stats.remote_ssrc) {
		rx_init_seq(s, seq);
		s->rx_ts_have = false;
		s->rx_received = 1;
		s->jitter_q4 = 0;
		s->stats.jitter = 0;
		s->stats.remote_ssrc = ssrc;
		s->rx_init = true;
	} else {
		/* the packet just before this one is missing (FEC) */
		one_lost = (uint16_t)(seq - s->max_seq) == 2;
		if (!rx_update_seq(s, seq))
			goto ignored;
	}
	rx_update_stats(s);

	s->stats.packets_received++;
	s->stats.octets_received += payload;
	s->rx_since_report = true;

	if (pt != s->pt) {		/* telephone-event (RFC 4733) */
		struct rfc4733_rx_event evs[RFC4733_RX_MAX];
		int k, i;

		if (!s->cb.on_event)
			return;
		k = rfc4733_receiver_packet(&s->rx_event, ts, p[1] & 0x80,
					    p + hdr, payload, evs);
		for (i = 0; i < k; i++)
			s->cb.on_event(s->userdata, (unsigned char)evs[i].digit,
				       evs[i].end, evs[i].duration);
		return;
	}
	rx_update_jitter(s, ts);
	if (payload == 0)
		return;
	if (s->jb) {
		uint32_t ts8 = rx_ts8(s, ts);

		if (one_lost)
			rx_fec(s, p + hdr, payload, ssrc, seq, ts8);
		k = codec_decode(s->cs, p + hdr, payload, pcm, JITTER_SPAN_MAX);
		if (k > 0)
			(void)jitter_put(s->jb, ssrc, seq, ts8, pcm, k);
		return;
	}
	if (!s->cb.on_audio)
		return;
	k = codec_decode(s->cs, p + hdr, payload, pcm, JITTER_SPAN_MAX);
	if (k > 0)
		s->cb.on_audio(s->userdata, pcm, k);
	return;

invalid:
	s->stats.packets_invalid++;
	return;
ignored:
	s->stats.packets_ignored++;
}

/*
 * Up to RTP_RECV_BURST datagrams from @fd, each (with its length as sent,
 * which may exceed RTP_PACKET_MAX: MSG_TRUNC) to @take.
 */
static void rx_burst(struct rtp_session *s, int fd,
		     void (*take)(struct rtp_session *s, const uint8_t *buf,
				  size_t n, const struct sockaddr_storage *from,
				  socklen_t len))
{
	uint8_t buf[RTP_PACKET_MAX + 1];

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
		take(s, buf, (size_t)n, &from, len);
	}
}

/*
 * With SRTP: authenticate and decrypt @buf into @plain (RTP_PACKET_MAX
 * bytes); false (counted) when it is to be dropped.
 */
static bool rx_unprotect(struct rtp_session *s, const uint8_t *buf,
			 size_t *n, uint8_t *plain, bool rtcp)
{
	int r;

	memcpy(plain, buf, *n);
	r = srtp_channel_unprotect(s->srtp, plain, n, rtcp);
	if (r == -EALREADY)
		s->stats.srtp_replayed++;
	else if (r < 0)
		s->stats.srtp_auth_failed++;
	return r == 0;
}

/* UDPTL: from the remote (or, with symmetric RTP, its host from another
 * port, which then becomes the remote: a NAT's mapping). */
static void rx_udptl(struct rtp_session *s, const uint8_t *buf, size_t n,
		     const struct sockaddr_storage *from)
{
	if (n > RTP_PACKET_MAX) {
		s->stats.packets_invalid++;
		return;
	}
	if (!sockaddr_equal(from, &s->remote)) {
		if (s->no_latch || s->remote_heard || !same_host(from, &s->remote)) {
			s->stats.packets_ignored++;
			return;
		}
		s->remote = *from;
		s->remote_len = from->ss_family == AF_INET ?
			sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		s->latched = true;
	}
	s->remote_heard = true;
	s->stats.packets_received++;
	s->stats.octets_received += n;
	s->udptl_fn(s->udptl_opaque, buf, n);
}

static void rx_rtp(struct rtp_session *s, const uint8_t *buf, size_t n,
		   const struct sockaddr_storage *from, socklen_t len)
{
	uint8_t plain[RTP_PACKET_MAX];

	(void)len;
	if (s->udptl_fn) {
		rx_udptl(s, buf, n, from);
		return;
	}
	if (n > RTP_PACKET_MAX) {
		s->stats.packets_invalid++;
		return;
	}
	if (s->srtp) {
		if (!rx_unprotect(s, buf, &n, plain, false))
			return;
		buf = plain;
	}
	rx_packet(s, buf, n, from);
}

static int on_rtp_io(sd_event_source *es, int fd, uint32_t revents,
		     void *userdata)
{
	(void)es;
	(void)revents;
	rx_burst(userdata, fd, rx_rtp);
	return 0;
}

/* ---- RTCP ---- */

static uint32_t rnd_next(struct rtp_session *s)
{
	uint32_t x = s->rnd ? s->rnd : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->rnd = x;
	return x;
}

/* @ms randomised to 0.5-1.5 times, in us. */
static uint64_t rtcp_jitter_interval(struct rtp_session *s, unsigned ms)
{
	uint64_t us = (uint64_t)ms * 1000;

	return us / 2 + (uint64_t)((double)us * (rnd_next(s) / 4294967296.0));
}

static void rtcp_dest(const struct rtp_session *s,
		      struct sockaddr_storage *sa, socklen_t *len)
{
	unsigned port;

	if (s->rtcp_latched || s->rtcp_explicit) {
		*sa = s->rtcp_remote;
		*len = s->rtcp_remote_len;
		return;
	}
	*sa = s->remote;
	*len = s->remote_len;
	port = sockaddr_port(&s->remote) + 1;
	if (sa->ss_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

/* Our report block about the remote source (RFC 3550 6.4.1, A.3). */
static size_t rtcp_block(struct rtp_session *s, uint8_t *p)
{
	uint64_t exp_int, rec_int;
	int64_t lost_int, lost = s->stats.lost;
	uint32_t fraction = 0, dlsr = 0;

	exp_int = s->stats.expected - s->expected_prior;
	rec_int = s->rx_received - s->received_prior;
	s->expected_prior = s->stats.expected;
	s->received_prior = s->rx_received;
	lost_int = (int64_t)exp_int - (int64_t)rec_int;
	if (exp_int > 0 && lost_int > 0)
		fraction = (uint32_t)(((uint64_t)lost_int << 8) / exp_int);
	if (fraction > 255)
		fraction = 255;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	if (s->have_lsr)
		dlsr = (uint32_t)(((now_usec(CLOCK_MONOTONIC) - s->lsr_usec) << 16) /
				  USEC_PER_SEC_);
	put32(p, s->stats.remote_ssrc);
	put32(p + 4, fraction << 24 | ((uint32_t)lost & 0xffffff));
	put32(p + 8, s->stats.last_seq);
	put32(p + 12, s->stats.jitter);
	put32(p + 16, s->have_lsr ? s->lsr : 0);
	put32(p + 20, s->have_lsr ? dlsr : 0);
	return RTCP_BLOCK_SIZE;
}

/* Build the compound report (SR or RR, SDES CNAME) into @p. */
static size_t rtcp_build(struct rtp_session *s, uint8_t *p)
{
	bool sr = s->sent_since_report;
	bool block = s->rx_init && s->rx_since_report;
	size_t n, clen = strlen(s->cname), sdes;

	p[0] = RTP_VERSION << 6 | (block ? 1 : 0);
	p[1] = sr ? RTCP_SR : RTCP_RR;
	put32(p + 4, s->ssrc);
	n = RTCP_RR_SIZE;
	if (sr) {
		uint64_t ntp = ntp_now(), now = now_usec(CLOCK_MONOTONIC);
		uint32_t ts = s->last_send_ts +
			      (uint32_t)((now - s->last_send_usec) * s->clock /
					 USEC_PER_SEC_);

		put32(p + 8, (uint32_t)(ntp >> 32));
		put32(p + 12, (uint32_t)ntp);
		put32(p + 16, ts);
		put32(p + 20, (uint32_t)s->stats.packets_sent);
		put32(p + 24, (uint32_t)s->stats.octets_sent);
		n = RTCP_SR_SIZE;
	}
	if (block)
		n += rtcp_block(s, p + n);
	put16(p + 2, (uint16_t)(n / 4 - 1));

	/* SDES: one chunk, CNAME, then a null item padded to 32 bits */
	sdes = 4 + 4 + 2 + clen + 1;
	sdes = (sdes + 3) & ~(size_t)3;
	memset(p + n, 0, sdes);
	p[n] = RTP_VERSION << 6 | 1;
	p[n + 1] = RTCP_SDES;
	put16(p + n + 2, (uint16_t)(sdes / 4 - 1));
	put32(p + n + 4, s->ssrc);
	p[n + 8] = RTCP_SDES_CNAME;
	p[n + 9] = (uint8_t)clen;
	memcpy(p + n + 10, s->cname, clen);
	n += sdes;
	if (s->xr_on) {
		struct rtcp_xr_voip m = s->xr;

		m.ssrc = s->stats.remote_ssrc;
		n += rtcp_xr_voip_packet(&m, s->ssrc, p + n);
	}
	return n;
}

static int rtcp_send(struct rtp_session *s)
{
	uint8_t pkt[RTCP_SR_SIZE + RTCP_BLOCK_SIZE + 12 + RTP_CNAME_MAX +
		    RTCP_XR_PKT_SIZE + SRTP_CHANNEL_OVERHEAD];
	struct sockaddr_storage sa;
	socklen_t len;
	size_t n;

	if (!s->have_remote || s->udptl_fn)
		return -ENOTCONN;
	n = rtcp_build(s, pkt);
	if (s->srtp && srtp_channel_protect(s->srtp, pkt, &n, true) < 0)
		return -EIO;
	s->sent_since_report = false;
	s->rx_since_report = false;
	rtcp_dest(s, &sa, &len);
	if (sendto(s->rtcp_fd, pkt, n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   len) < 0)
		return -errno;
	s->stats.rtcp_sent++;
	return 0;
}

static int on_rtcp_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct rtp_session *s = userdata;

	(void)usec;
	(void)rtcp_send(s);
	if (s->rtcp_interval > 0) {
		sd_event_source_set_time_relative(es,
				rtcp_jitter_interval(s, s->rtcp_interval));
		sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
	}
	return 0;
}

/* (Re)start the report timer: the next report after @ms (randomised). */
static int rtcp_arm(struct rtp_session *s, unsigned ms)
{
	uint64_t us;
	int r;

	if (s->rtcp_interval == 0 || !s->have_remote) {
		if (s->rtcp_timer)
			sd_event_source_set_enabled(s->rtcp_timer, SD_EVENT_OFF);
		return 0;
	}
	us = rtcp_jitter_interval(s, ms);
	if (!s->rtcp_timer) {
		r = sd_event_add_time_relative(s->event, &s->rtcp_timer,
					       CLOCK_MONOTONIC, us, 1000,
					       on_rtcp_timer, s);
		return r < 0 ? r : 0;
	}
	r = sd_event_source_set_time_relative(s->rtcp_timer, us);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->rtcp_timer, SD_EVENT_ONESHOT);
	return r < 0 ? r : 0;
}

/* One report block of a received SR/RR. */
static void rtcp_parse_block(struct rtp_session *s, const uint8_t *b)
{
	uint32_t lsr, dlsr, a, rtt, lost;

	if (get32(b) != s->ssrc)
		return;
	s->remote_report = true;
	s->remote_fraction_lost = b[4];
	lost = get32(b + 4) & 0xffffff;
	s->remote_lost = lost & 0x800000 ? (int32_t)lost - 0x1000000 :
		       (int32_t)lost;
	s->remote_jitter = get32(b + 12);
	lsr = get32(b + 16);
	dlsr = get32(b + 20);
	if (lsr == 0)
		return;
	a = (uint32_t)(ntp_now() >> 16);
	rtt = a - lsr - dlsr;
	if ((int32_t)rtt < 0)
		rtt = 0;	/* the clocks disagree a little */
	if (a - lsr < 0x80000000u)
		s->rtt_ms = rtt * 1000.0 / 65536.0;
}

/* Validate (RFC 3550 A.2) and take in a compound RTCP packet. */
static bool rtcp_packet(struct rtp_session *s, const uint8_t *p, size_t len)
{
	size_t off;

	if (len < RTCP_RR_SIZE || (p[0] & 0xe0) != RTP_VERSION << 6 ||
	    (p[1] != RTCP_SR && p[1] != RTCP_RR))
		return false;
	for (off = 0; off < len;) {
		size_t plen;

		if (len - off < 4 || p[off] >> 6 != RTP_VERSION)
			return false;
		plen = ((size_t)(p[off + 2] << 8 | p[off + 3]) + 1) * 4;
		if (plen > len - off)
			return false;
		off += plen;
	}
	for (off = 0; off < len;) {
		const uint8_t *q = p + off;
		size_t plen = ((size_t)(q[2] << 8 | q[3]) + 1) * 4, first;
		unsigned rc = q[0] & 0x1f;

		off += plen;
		if (q[1] == RTCP_SR) {
			if (plen < RTCP_SR_SIZE)
				continue;
			if (!s->rx_init || get32(q + 4) == s->stats.remote_ssrc) {
				s->lsr = get32(q + 10);
				s->lsr_usec = now_usec(CLOCK_MONOTONIC);
				s->have_lsr = true;
			}
			first = RTCP_SR_SIZE;
		} else if (q[1] == RTCP_RR) {
			first = RTCP_RR_SIZE;
		} else {
			continue;
		}
		for (unsigned i = 0; i < rc; i++)
			if (first + (i + 1) * RTCP_BLOCK_SIZE <= plen)
				rtcp_parse_block(s, q + first +
						 i * RTCP_BLOCK_SIZE);
	}
	return true;
}

static void rx_rtcp(struct rtp_session *s, const uint8_t *buf, size_t n,
		    const struct sockaddr_storage *from, socklen_t len)
{
	uint8_t plain[RTP_PACKET_MAX];

	if (!s->have_remote || !same_host(from, &s->remote)) {
		s->stats.rtcp_ignored++;
		return;
	}
	if (n > RTP_PACKET_MAX) {
		s->stats.rtcp_invalid++;
		return;
	}
	if (s->srtp) {
		if (!rx_unprotect(s, buf, &n, plain, true))
			return;
		buf = plain;
	}
	if (!rtcp_packet(s, buf, n)) {
		s->stats.rtcp_invalid++;
		return;
	}
	s->stats.rtcp_received++;
	if (!s->rtcp_latched) {
		s->rtcp_remote = *from;
		s->rtcp_remote_len = len;
		s->rtcp_latched = true;
	}
}

static int on_rtcp_io(sd_event_source *es, int fd, uint32_t revents,
		      void *userdata)
{
	(void)es;
	(void)revents;
	rx_burst(userdata, fd, rx_rtcp);
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
	s->codec = -1;
	s->te_pt = -1;
	s->frame = RTP_PTIME_DEFAULT * RTP_RATE / 1000;
	s->clock = RTP_RATE;
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
	s->rnd = rnd[0] ^ rnd[1] << 7 ^ rnd[2];
	s->rtcp_interval = RTP_RTCP_INTERVAL;
	s->rtt_ms = -1.0;
	if (getrandom(rnd, 8, 0) != 8) {
		r = -errno;
		goto fail;
	}
	snprintf(s->cname, sizeof(s->cname), "fxsd-%08x%08x", rnd[0], rnd[1]);
	if (!s->cb.on_audio) {
		s->jb = jitter_new();
		if (!s->jb) {
			r = -ENOMEM;
			goto fail;
		}
	}

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
	sd_event_source_disable_unref(s->rtcp_timer);
	jitter_free(s->jb);
	codec_free(s->cs);
	if (s->fd >= 0)
		close(s->fd);
	if (s->rtcp_fd >= 0)
		close(s->rtcp_fd);
	sd_event_unref(s->event);
	free(s);
	return NULL;
}

void rtp_session_set_srtp(struct rtp_session *s, struct srtp_channel *c)
{
	if (s)
		s->srtp = c;
}

unsigned rtp_session_local_port(const struct rtp_session *s)
{
	return s ? s->port : 0;
}

void rtp_session_set_symmetric(struct rtp_session *s, bool on)
{
	if (s)
		s->no_latch = !on;
}

/*
 * Take codec @codec with @params (NULL: its defaults): a new encoder and
 * decoder when either changed, the old state otherwise (a session
 * refresh must not reset Opus).  0 or a negative errno (nothing changed).
 */
static int rtp_switch_codec(struct rtp_session *s, int codec,
			    const struct codec_params *params)
{
	struct codec_params p;
	struct codec *cs;
	int r;

	if (params)
		p = *params;
	else
		codec_params_default(codec, &p);
	if (s->cs && s->codec == codec && memcmp(&p, &s->params, sizeof(p)) == 0)
		return 0;
	r = codec_new(codec, &p, &cs);
	if (r < 0)
		return r;
	codec_free(s->cs);
	s->cs = cs;
	if (codec_clock(codec) != s->clock) {
		/* a new timestamp clock: our timestamps go on in its units,
		 * the remote's are mapped afresh (the jitter buffer rebases) */
		s->clock = codec_clock(codec);
		s->rx_ts_have = false;
		s->have_transit = false;
		s->jitter_q4 = 0;
		s->stats.jitter = 0;
	}
	s->codec = codec;
	s->params = p;
	s->n_pending = 0;
	return 0;
}

int rtp_session_set_remote(struct rtp_session *s, const char *addr,
			   unsigned port, int payload_type, int te_payload_type,
			   unsigned ptime_ms)
{
	if (payload_type != RTP_PT_PCMU && payload_type != RTP_PT_PCMA)
		return -EINVAL;
	return rtp_session_set_remote_codec(s, addr, port,
					    payload_type == RTP_PT_PCMU ?
					    CODEC_PCMU : CODEC_PCMA,
					    payload_type, NULL,
					    te_payload_type, ptime_ms);
}

int rtp_session_set_remote_codec(struct rtp_session *s, const char *addr,
				 unsigned port, int codec, int payload_type,
				 const struct codec_params *params,
				 int te_payload_type, unsigned ptime_ms)
{
	struct sockaddr_storage sa;
	socklen_t len;
	unsigned frame;
	int r;

	if (!s || !addr || port == 0 || port > 65535)
		return -EINVAL;
	if (codec_clock(codec) == 0 || payload_type < 0 || payload_type > 127)
		return -EINVAL;
	/* a static type names its own codec (RFC 3551): no 0 for A-law */
	if (payload_type < 96 && payload_type != codec_static_pt(codec))
		return -EINVAL;
	if (te_payload_type != -1 &&
	    (te_payload_type < 0 || te_payload_type > 127 ||
	     te_payload_type == payload_type))
		return -EINVAL;
	if (ptime_ms == 0)
		ptime_ms = RTP_PTIME_DEFAULT;
	if (ptime_ms % 5 || ptime_ms > RTP_PTIME_MAX)
		return -EINVAL;
	/* a packet time the codec cannot do (Opus 30 ms): the default */
	if (!codec_ptime_ok(codec, ptime_ms))
		ptime_ms = RTP_PTIME_DEFAULT;
	if (sockaddr_parse(s->family, addr, port, &sa, &len) < 0)
		return -EINVAL;
	r = rtp_switch_codec(s, codec, params);
	if (r < 0)
		return r;
	s->udptl_fn = NULL;	/* back from T.38 to audio */

	frame = ptime_ms * RTP_RATE / 1000;
	if (frame != s->frame)
		s->n_pending = 0;
	s->frame = frame;
	s->pt = payload_type;
	s->te_pt = te_payload_type;
	s->send_enabled = true;
	if (s->have_remote && sockaddr_equal(&sa, &s->signalled) &&
	    (s->latched || s->remote_heard)) {
		/* the same peer (a session refresh, hold): keep the source
		 * found and its statistics */
		s->rtcp_explicit = false;
		if (!s->rtcp_timer ||
		    sd_event_source_get_enabled(s->rtcp_timer, NULL) <= 0)
			(void)rtcp_arm(s, s->rtcp_interval / 2);
		return 0;
	}
	s->signalled = sa;
	s->remote = sa;
	s->remote_len = len;
	s->have_remote = true;
	s->latched = false;
	s->remote_heard = false;
	s->cand_count = 0;
	rfc4733_receiver_init(&s->rx_event);
	s->rtcp_explicit = false;
	s->rtcp_latched = false;
	rx_reset(s);
	if (!s->rtcp_timer || sd_event_source_get_enabled(s->rtcp_timer, NULL) <= 0)
		(void)rtcp_arm(s, s->rtcp_interval / 2);
	return 0;
}

/* The 12-byte RTP header of our next packet (sequence number s->seq). */
static void rtp_header(const struct rtp_session *s, uint8_t *pkt, int pt,
		       bool marker, uint32_t ts)
{
	pkt[0] = RTP_VERSION << 6;
	pkt[1] = (uint8_t)pt | (marker ? 0x80 : 0);
	pkt[2] = s->seq >> 8;
	pkt[3] = s->seq & 0xff;
	pkt[4] = ts >> 24;
	pkt[5] = (ts >> 16) & 0xff;
	pkt[6] = (ts >> 8) & 0xff;
	pkt[7] = ts & 0xff;
	pkt[8] = s->ssrc >> 24;
	pkt[9] = (s->ssrc >> 16) & 0xff;
	pkt[10] = (s->ssrc >> 8) & 0xff;
	pkt[11] = s->ssrc & 0xff;
}

/* @n samples at 8 kHz in RTP timestamp units (48 kHz for Opus). */
static uint32_t ts_units(const struct rtp_session *s, size_t n)
{
	return (uint32_t)(n * (s->clock / RTP_RATE));
}

static int send_frame(struct rtp_session *s, const int16_t *pcm)
{
	uint8_t pkt[RTP_HEADER_SIZE + RTP_FRAME_MAX + SRTP_CHANNEL_OVERHEAD];
	size_t plen;
	ssize_t n;
	int r = 0, k;

	if (!s->send_enabled || !s->cs || s->udptl_fn) {
		/* on hold (or T.38): time passes, nothing goes out */
		s->ts += ts_units(s, s->frame);
		return 0;
	}
	rtp_header(s, pkt, s->pt, !s->sent_first, s->ts);
	k = codec_encode(s->cs, pcm, s->frame, pkt + RTP_HEADER_SIZE,
			 RTP_FRAME_MAX);
	if (k <= 0) {
		/* DTX / Annex B silence (or an encoder error): nothing to
		 * send; the next packet starts a talkspurt (marker) */
		if (k < 0)
			s->stats.send_errors++;
		s->sent_first = false;
		s->ts += ts_units(s, s->frame);
		return k < 0 ? k : 0;
	}
	plen = RTP_HEADER_SIZE + (size_t)k;

	if (s->srtp && srtp_channel_protect(s->srtp, pkt, &plen, false) < 0) {
		errno = EIO;
		n = -1;
	} else {
		n = sendto(s->fd, pkt, plen, MSG_NOSIGNAL,
			   (const struct sockaddr *)&s->remote, s->remote_len);
	}
	if (n < 0) {
		r = -errno;
		s->stats.send_errors++;
	} else {
		s->stats.packets_sent++;
		s->stats.octets_sent += (size_t)k;
		s->sent_since_report = true;
		s->last_send_ts = s->ts;
		s->last_send_usec = now_usec(CLOCK_MONOTONIC);
	}
	s->sent_first = true;
	s->seq++;
	s->ts += ts_units(s, s->frame);
	return r;
}

int rtp_session_set_udptl(struct rtp_session *s, const char *addr,
			  unsigned port, rtp_datagram_fn fn, void *opaque)
{
	struct sockaddr_storage sa;
	socklen_t len;

	if (!s || !fn || !addr || port == 0 || port > 65535 ||
	    sockaddr_parse(s->family, addr, port, &sa, &len) < 0)
		return -EINVAL;
	s->remote = sa;
	s->remote_len = len;
	s->signalled = sa;
	s->have_remote = true;
	s->latched = false;
	s->remote_heard = false;
	s->cand_count = 0;
	s->udptl_fn = fn;
	s->udptl_opaque = opaque;
	if (s->rtcp_timer)
		sd_event_source_set_enabled(s->rtcp_timer, SD_EVENT_OFF);
	return 0;
}

bool rtp_session_is_udptl(const struct rtp_session *s)
{
	return s && s->udptl_fn;
}

int rtp_session_send_udptl(struct rtp_session *s, const uint8_t *pkt,
			   size_t len)
{
	ssize_t n;

	if (!s->udptl_fn || !s->have_remote)
		return -ENOTCONN;
	n = sendto(s->fd, pkt, len, MSG_NOSIGNAL,
		   (const struct sockaddr *)&s->remote, s->remote_len);
	if (n < 0) {
		s->stats.send_errors++;
		return -errno;
	}
	s->stats.packets_sent++;
	s->stats.octets_sent += len;
	return 0;
}

int rtp_session_send_event(struct rtp_session *s, const uint8_t *payload,
			   size_t len, uint32_t timestamp, bool marker)
{
	uint8_t pkt[RTP_HEADER_SIZE + 16 + SRTP_CHANNEL_OVERHEAD];
	size_t plen = RTP_HEADER_SIZE + len;
	ssize_t n;

	if (!s || len > 16)
		return -EINVAL;
	if (!s->have_remote || s->udptl_fn)
		return -ENOTCONN;
	if (s->te_pt < 0)
		return -EOPNOTSUPP;
	if (!s->send_enabled)
		return 0;
	rtp_header(s, pkt, s->te_pt, marker, timestamp);
	memcpy(pkt + RTP_HEADER_SIZE, payload, len);
	s->seq++;
	if (s->srtp && srtp_channel_protect(s->srtp, pkt, &plen, false) < 0) {
		s->stats.send_errors++;
		return -EIO;
	}
	n = sendto(s->fd, pkt, plen, MSG_NOSIGNAL,
		   (const struct sockaddr *)&s->remote, s->remote_len);
	if (n < 0) {
		s->stats.send_errors++;
		return -errno;
	}
	s->stats.packets_sent++;
	s->stats.octets_sent += len;
	s->sent_since_report = true;
	return 0;
}

int rtp_session_set_payload_type(struct rtp_session *s, int payload_type)
{
	if (!s || !s->have_remote || payload_type < 0 || payload_type > 127 ||
	    payload_type == s->te_pt)
		return -EINVAL;
	/* a static type names its own codec (RFC 3551): no 0 for A-law */
	if (payload_type < 96 && payload_type != codec_static_pt(s->codec))
		return -EINVAL;
	s->pt = payload_type;
	return 0;
}

void rtp_session_set_sending(struct rtp_session *s, bool on)
{
	if (s)
		s->send_enabled = on;
}

void rtp_session_set_data(struct rtp_session *s, bool on)
{
	if (s && s->jb)
		jitter_set_fixed(s->jb, on);
	if (s)
		s->xr_data = on;
}

uint32_t rtp_session_next_timestamp(const struct rtp_session *s)
{
	return s->ts;
}

void rtp_session_skip(struct rtp_session *s, size_t n)
{
	s->ts += ts_units(s, n);
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
	struct emodel_input in = { .burst_r = 1.0 };
	int64_t eff;

	codec_emodel(s->cs ? codec_id(s->cs) : CODEC_PCMU, s->jb != NULL,
		     &in.ie, &in.bpl);

	*ret = s->stats;
	ret->loss_percent = 0.0;
	if (ret->expected > 0 && ret->lost > 0)
		ret->loss_percent = 100.0 * (double)ret->lost /
				    (double)ret->expected;
	ret->jitter_ms = ret->jitter * 1000.0 / s->clock;
	ret->rtt_ms = s->rtt_ms;
	ret->remote_report = s->remote_report;
	ret->remote_fraction_lost = s->remote_fraction_lost;
	ret->remote_lost = s->remote_lost;
	ret->remote_jitter_ms = s->remote_jitter * 1000.0 / s->clock;
	ret->playout = s->jb != NULL;
	eff = ret->lost;
	if (s->jb) {
		struct jitter_stats js;

		jitter_get_stats(s->jb, &js);
		ret->frames_played = js.frames;
		ret->frames_concealed = js.frames_concealed;
		ret->late = js.late;
		ret->duplicates = js.duplicates;
		ret->jitter_buffer_ms = js.delay_mean * 1000.0 / RTP_RATE;
		eff += (int64_t)js.late;
	}
	ret->loss_effective_percent = 0.0;
	if (ret->expected > 0 && eff > 0)
		ret->loss_effective_percent = 100.0 * (double)eff /
					      (double)ret->expected;
	if (ret->loss_effective_percent > 100.0)
		ret->loss_effective_percent = 100.0;
	ret->delay_ms = emodel_one_way_ms(ret->rtt_ms, ret->jitter_buffer_ms,
					  EMODEL_DEVICE_MS);
	in.ta_ms = ret->delay_ms;
	in.ppl = ret->loss_effective_percent;
	ret->r_factor = emodel_r(&in);
	ret->mos = emodel_mos(ret->r_factor);
}

int rtp_session_playout(struct rtp_session *s, int16_t *pcm, size_t n)
{
	int r;

	if (!s || !pcm || n == 0 || n > JITTER_FRAME_MAX)
		return -EINVAL;
	if (!s->jb) {
		memset(pcm, 0, n * sizeof(*pcm));
		return -EBUSY;
	}
	r = jitter_get(s->jb, pcm, n);
	if (r == JITTER_AUDIO || r == JITTER_CONCEALED) {
		struct jitter_stats js;

		/* a loss concealed, not the buffer growing */
		jitter_get_stats(s->jb, &js);
		rtcp_xr_burst_frame(&s->xr_burst,
				    js.frames_concealed != s->xr_concealed);
		s->xr_concealed = js.frames_concealed;
		s->xr_frame_ms = (unsigned)(n * 1000 / JITTER_RATE);
	}
	if (r == JITTER_AUDIO)
		rtcp_xr_level_frame(&s->xr_level, pcm, n);
	return r;
}

void rtp_session_xr_fill(struct rtp_session *s, struct rtcp_xr_voip *m)
{
	struct rtp_stats st;
	unsigned jb;

	rtcp_xr_voip_init(m);
	rtp_session_get_stats(s, &st);
	m->ssrc = st.remote_ssrc;
	m->loss_rate = rtcp_xr_fraction(st.lost > 0 ? (uint64_t)st.lost : 0,
					st.expected);
	m->discard_rate = rtcp_xr_fraction(st.late + st.duplicates,
					   st.expected);
	rtcp_xr_burst_fill(&s->xr_burst, s->xr_frame_ms ? s->xr_frame_ms : 20,
			   m);
	m->round_trip_delay = st.rtt_ms >= 0 ? (unsigned)lround(st.rtt_ms) : 0;
	m->signal_level = rtcp_xr_level_signal(&s->xr_level);
	m->noise_level = rtcp_xr_level_noise(&s->xr_level);
	m->r_factor = (unsigned)lround(st.r_factor < 0 ? 0 : st.r_factor);
	m->mos_lq = m->mos_cq = (unsigned)lround(st.mos * 10);
	if (!s->jb)
		return;
	jb = (unsigned)lround(st.jitter_buffer_ms);
	if (jb > s->xr_jb_max_ms)
		s->xr_jb_max_ms = jb;
	m->end_system_delay = jb + (unsigned)EMODEL_DEVICE_MS;
	/* G.711 Appendix I's way; none in a data call (fixed delay) */
	m->plc = s->xr_data ? RTCP_XR_PLC_DISABLED : RTCP_XR_PLC_ENHANCED;
	m->jba = s->xr_data ? RTCP_XR_JBA_FIXED : RTCP_XR_JBA_ADAPTIVE;
	m->jb_nominal = jb;
	m->jb_max = m->jb_abs_max = s->xr_jb_max_ms;
}

int rtp_session_set_remote_rtcp(struct rtp_session *s, const char *addr,
				unsigned port)
{
	char host[INET6_ADDRSTRLEN];
	struct sockaddr_storage sa;
	socklen_t len;

	if (!s || !s->have_remote || port == 0 || port > 65535)
		return -EINVAL;
	if (!addr) {
		/* the signalled RTP address */
		if (s->remote.ss_family == AF_INET)
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)&s->remote)->sin_addr,
				  host, sizeof(host));
		else
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)&s->remote)->sin6_addr,
				  host, sizeof(host));
		addr = host;
	}
	if (sockaddr_parse(s->family, addr, port, &sa, &len) < 0)
		return -EINVAL;
	s->rtcp_remote = sa;
	s->rtcp_remote_len = len;
	s->rtcp_explicit = true;
	s->rtcp_latched = false;
	return 0;
}

int rtp_session_set_rtcp_interval(struct rtp_session *s, unsigned ms)
{
	if (!s)
		return -EINVAL;
	s->rtcp_interval = ms;
	return rtcp_arm(s, ms);
}

int rtp_session_set_xr(struct rtp_session *s, const struct rtcp_xr_voip *m)
{
	if (!s)
		return -EINVAL;
	s->xr_on = m != NULL;
	if (m)
		s->xr = *m;
	return 0;
}

int rtp_session_set_cname(struct rtp_session *s, const char *cname)
{
	size_t n;

	if (!s || !cname)
		return -EINVAL;
	n = strlen(cname);
	if (n == 0 || n > RTP_CNAME_MAX)
		return -EINVAL;
	memcpy(s->cname, cname, n + 1);
	return 0;
}

int rtp_session_send_rtcp(struct rtp_session *s)
{
	if (!s)
		return -EINVAL;
	return rtcp_send(s);
}
