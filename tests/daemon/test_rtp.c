// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_rtp.c - tests of rtp.c with real UDP sockets on 127.0.0.1: two
 * sessions talking, raw packets checked on a plain socket, latching,
 * garbage, loss and jitter statistics.  The sd-event loop runs under a
 * timeout until the expected packets have arrived.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "media/g711.h"
#include "media/rtp.h"
#include "unit.h"

#define LOOP_TIMEOUT_MS	2000

#define _cleanup_(f) __attribute__((cleanup(f)))

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static void freep(void *p)
{
	free(*(void **)p);
}

struct sink {
	int16_t pcm[16000];
	size_t n;
	unsigned calls;
	size_t last_n;
};

static void sink_audio(void *userdata, const int16_t *pcm, size_t n)
{
	struct sink *k = userdata;

	k->calls++;
	k->last_n = n;
	for (size_t i = 0; i < n && k->n < 16000; i++)
		k->pcm[k->n++] = pcm[i];
}

static const struct rtp_callbacks sink_cb = { .on_audio = sink_audio };

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Run @e until @cond holds or the timeout passes. */
#define RUN_UNTIL(e, cond)						\
	do {								\
		uint64_t end_ = now_ms() + LOOP_TIMEOUT_MS;		\
									\
		while (!(cond) && now_ms() < end_)			\
			sd_event_run((e), 10000);			\
	} while (0)

/* Run @e for @ms regardless (to see that nothing more comes). */
static void run_for(sd_event *e, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		sd_event_run(e, 5000);
}

static uint64_t stat_handled(const struct rtp_session *s)
{
	struct rtp_stats st;

	rtp_session_get_stats(s, &st);
	return st.packets_received + st.packets_invalid + st.packets_ignored;
}

/* A plain UDP socket on 127.0.0.1, ephemeral port in *@ret_port. */
static int udp_open(unsigned *ret_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

static ssize_t udp_send(int fd, unsigned port, const void *buf, size_t n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	return sendto(fd, buf, n, 0, (struct sockaddr *)&sa, sizeof(sa));
}

/* Receive one datagram within @ms; length or -1. */
static ssize_t udp_recv(int fd, void *buf, size_t n, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return recv(fd, buf, n, 0);
}

static size_t rtp_build(uint8_t *p, int pt, uint16_t seq, uint32_t ts,
			uint32_t ssrc, bool marker, size_t payload)
{
	p[0] = 0x80;
	p[1] = (uint8_t)(pt | (marker ? 0x80 : 0));
	p[2] = seq >> 8;
	p[3] = seq & 0xff;
	p[4] = ts >> 24;
	p[5] = (ts >> 16) & 0xff;
	p[6] = (ts >> 8) & 0xff;
	p[7] = ts & 0xff;
	p[8] = ssrc >> 24;
	p[9] = (ssrc >> 16) & 0xff;
	p[10] = (ssrc >> 8) & 0xff;
	p[11] = ssrc & 0xff;
	for (size_t i = 0; i < payload; i++)
		p[12 + i] = g711_ulaw_encode((int16_t)(i * 100));
	return 12 + payload;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void tone_1k(int16_t *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (int16_t)lrint(10000 * sin(2 * M_PI * 1000 * i / 8000.0));
}

UNIT_TEST(rtp_ports)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *a = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *b = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned base, p;
	int fd, r, err;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK(rtp_session_free(NULL) == NULL, "free(NULL)");

	/* A range: an even port inside it, the next one bound as well. */
	srand((unsigned)getpid());
	base = 30000 + 2 * (unsigned)(rand() % 10000);
	r = rtp_session_new(e, "127.0.0.1", base, base + 19, &sink_cb, NULL, &a);
	CHECK_INT(r, 0);
	p = rtp_session_local_port(a);
	CHECK(p % 2 == 0 && p >= base && p <= base + 19, "port %u", p);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(p + 1);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	close(fd);
	CHECK(r < 0 && err == EADDRINUSE, "RTCP port %u not reserved", p + 1);

	/* A one-port range that is taken. */
	r = rtp_session_new(e, "127.0.0.1", p, p, &sink_cb, NULL, &b);
	CHECK_INT(r, -EADDRINUSE);
	/* An odd one-port range has no even port. */
	CHECK_INT(rtp_session_new(e, NULL, p + 1, p + 1, NULL, NULL, &b),
		  -EINVAL);
	CHECK_INT(rtp_session_new(e, "not-an-ip", 0, 0, NULL, NULL, &b),
		  -EINVAL);
	CHECK_INT(rtp_session_new(e, NULL, 2000, 1000, NULL, NULL, &b), -EINVAL);

	/* Kernel-chosen, any address, and IPv6 loopback if present. */
	CHECK_INT(rtp_session_new(e, NULL, 0, 0, NULL, NULL, &b), 0);
	CHECK(rtp_session_local_port(b) % 2 == 0, "odd port");
	b = rtp_session_free(b);
	r = rtp_session_new(e, "::1", 0, 0, NULL, NULL, &b);
	CHECK(r == 0 || r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT,
	      "::1: %d", r);
	b = rtp_session_free(b);
	a = rtp_session_free(a);
	CHECK(a == NULL, "free returns NULL");
}

static void exchange(int law)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *a = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *b = NULL;
	_cleanup_(freep) struct sink *ka = calloc(1, sizeof(*ka));
	_cleanup_(freep) struct sink *kb = calloc(1, sizeof(*kb));
	static int16_t tone[8000];
	struct rtp_stats sa, sb;

	tone_1k(tone, 8000);
	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, ka, &a), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, kb, &b), 0);
	CHECK_INT(rtp_session_set_remote(a, "127.0.0.1",
					 rtp_session_local_port(b), law, 101,
					 20), 0);
	CHECK_INT(rtp_session_set_remote(b, "127.0.0.1",
					 rtp_session_local_port(a), law, -1,
					 0), 0);

	/* 1 s from a to b in odd pieces: 50 packets. */
	for (size_t i = 0; i < 8000; i += 37)
		CHECK_INT(rtp_session_send(a, tone + i,
					   8000 - i < 37 ? 8000 - i : 37), 0);
	/* 200 ms back from b to a. */
	CHECK_INT(rtp_session_send(b, tone, 1600), 0);
	RUN_UNTIL(e, kb->n >= 8000 && ka->n >= 1600);
	CHECK_INT(kb->n, 8000);
	CHECK_INT(ka->n, 1600);
	CHECK_INT(kb->calls, 50);
	for (size_t i = 0; i < 8000; i++) {
		uint8_t c;
		int16_t want;

		g711_encode(law, tone + i, &c, 1);
		g711_decode(law, &c, &want, 1);
		CHECK(kb->pcm[i] == want, "sample %zu: %d, want %d", i,
		      kb->pcm[i], want);
		if (i < 1600)
			CHECK(ka->pcm[i] == want, "back sample %zu: %d", i,
			      ka->pcm[i]);
	}
	rtp_session_get_stats(a, &sa);
	rtp_session_get_stats(b, &sb);
	CHECK_INT(sa.packets_sent, 50);
	CHECK_INT(sa.octets_sent, 8000);
	CHECK_INT(sa.packets_received, 10);
	CHECK_INT(sb.packets_received, 50);
	CHECK_INT(sb.octets_received, 8000);
	CHECK_INT(sb.expected, 50);
	CHECK_INT(sb.lost, 0);
	CHECK_INT(sb.packets_invalid, 0);
	CHECK_INT(sb.remote_ssrc, sa.ssrc);
	CHECK(sa.ssrc != sb.ssrc, "same SSRC");
}

UNIT_TEST(rtp_exchange_pcmu)
{
	exchange(RTP_PT_PCMU);
}

UNIT_TEST(rtp_exchange_pcma)
{
	exchange(RTP_PT_PCMA);
}

UNIT_TEST(rtp_header_fields)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	static int16_t pcm[2000];
	uint8_t buf[2000], enc[300];
	struct rtp_stats st;
	uint16_t seq0 = 0;
	uint32_t ts0 = 0, ssrc0 = 0;
	unsigned port;
	_cleanup_(closep) int fd = -1;
	ssize_t n;

	tone_1k(pcm, 2000);
	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, NULL, &s), 0);
	fd = udp_open(&port);
	CHECK(fd >= 0, "udp_open: %d", fd);

	CHECK_INT(rtp_session_send(s, pcm, 160), -ENOTCONN);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMU,
					 101, 20), 0);
	/* 5 packets and 100 samples left over */
	CHECK_INT(rtp_session_send(s, pcm, 900), 0);
	for (int i = 0; i < 5; i++) {
		n = udp_recv(fd, buf, sizeof(buf), 1000);
		CHECK_INT(n, 172);
		CHECK_INT(buf[0], 0x80);	/* V=2, no P, X, CC */
		CHECK_INT(buf[1] & 0x7f, 0);
		CHECK_INT(buf[1] >> 7, i == 0);	/* marker on the first */
		if (i == 0) {
			seq0 = be16(buf + 2);
			ts0 = be32(buf + 4);
			ssrc0 = be32(buf + 8);
		}
		CHECK_INT(be16(buf + 2), (uint16_t)(seq0 + i));
		CHECK_INT(be32(buf + 4), (uint32_t)(ts0 + 160 * i));
		CHECK_INT(be32(buf + 8), ssrc0);
		g711_encode(G711_ULAW, pcm + 160 * i, enc, 160);
		CHECK(memcmp(buf + 12, enc, 160) == 0, "payload %d", i);
	}
	CHECK_INT(udp_recv(fd, buf, sizeof(buf), 50), -1);
	CHECK_INT(rtp_session_send(s, pcm + 900, 60), 0);
	n = udp_recv(fd, buf, sizeof(buf), 1000);
	CHECK_INT(n, 172);
	CHECK_INT(buf[1], 0);
	CHECK_INT(be16(buf + 2), (uint16_t)(seq0 + 5));
	CHECK_INT(be32(buf + 4), (uint32_t)(ts0 + 800));
	g711_encode(G711_ULAW, pcm + 800, enc, 160);
	CHECK(memcmp(buf + 12, enc, 160) == 0, "payload across calls");

	/* PCMA, 30 ms: 240 samples per packet, same SSRC, seq goes on. */
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMA,
					 -1, 30), 0);
	CHECK_INT(rtp_session_send(s, pcm, 480), 0);
	for (int i = 0; i < 2; i++) {
		n = udp_recv(fd, buf, sizeof(buf), 1000);
		CHECK_INT(n, 252);
		CHECK_INT(buf[1], 8);
		CHECK_INT(be16(buf + 2), (uint16_t)(seq0 + 6 + i));
		CHECK_INT(be32(buf + 4), (uint32_t)(ts0 + 960 + 240 * i));
		CHECK_INT(be32(buf + 8), ssrc0);
		g711_encode(G711_ALAW, pcm + 240 * i, enc, 240);
		CHECK(memcmp(buf + 12, enc, 240) == 0, "A-law payload %d", i);
	}
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_sent, 8);
	CHECK_INT(st.octets_sent, 6 * 160 + 2 * 240);
	CHECK_INT(st.ssrc, ssrc0);

	/* Bad arguments change nothing. */
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, 3, -1, 20),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, 0, 0, 20),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, 0, 128, 20),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, 0, -1, 7),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, 0, -1, 125),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "localhost", port, 0, -1, 20),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", 0, 0, -1, 20),
		  -EINVAL);
	CHECK_INT(rtp_session_set_remote(s, "::1", port, 0, -1, 20), -EINVAL);
}

/* Send @count packets from @fd: SSRC @ssrc, sequence numbers from @seq
 * going up by @step, PCMU 160 samples. */
static void send_run(int fd, unsigned port, uint32_t ssrc, uint16_t seq,
		     unsigned step, unsigned count)
{
	uint8_t buf[200];
	size_t n;

	for (unsigned i = 0; i < count; i++) {
		n = rtp_build(buf, 0, (uint16_t)(seq + i * step),
			      1000 + 160 * i, ssrc, i == 0, 160);
		udp_send(fd, port, buf, n);
	}
}

/* Send one packet of ours; which of @fds (or none: -1) gets it. */
static int sent_to(struct rtp_session *s, const int *fds, int n_fds)
{
	static int16_t pcm[160];
	uint8_t buf[400];
	int who = -1;

	if (rtp_session_send(s, pcm, 160) < 0)
		return -2;
	for (int i = 0; i < n_fds; i++)
		if (udp_recv(fds[i], buf, sizeof(buf), i == 0 ? 200 : 20) > 0)
			who = who == -1 ? i : -3;
	return who;
}

struct dgrams {
	unsigned n;
	size_t last_len;
	uint8_t last[64];
};

static void take_dgram(void *opaque, const uint8_t *buf, size_t len)
{
	struct dgrams *d = opaque;

	d->n++;
	d->last_len = len;
	memcpy(d->last, buf, len < sizeof(d->last) ? len : sizeof(d->last));
}

/*
 * T.38: UDPTL on the session's socket.  Datagrams from the remote go to
 * the callback as they are (not RTP: no header is looked at); a stranger's
 * (another host) are ignored; with symmetric RTP a datagram from another
 * port of the remote's host before the remote is heard moves the remote
 * there (NAT).  rtp_session_send_udptl() sends to it; audio and RTCP do
 * not go out; rtp_session_set_remote() takes the session back to RTP.
 */
UNIT_TEST(rtp_udptl)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	_cleanup_(closep) int fd1 = -1;
	_cleanup_(closep) int fd2 = -1;
	_cleanup_(closep) int fd3 = -1;
	static const uint8_t pkt[] = { 0x00, 0x07, 0x01, 0x04, 0x00 };
	struct dgrams d = { 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct rtp_stats st;
	uint8_t buf[400];
	unsigned p1, p2, p3, lp;
	int fds[2];

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &s), 0);
	lp = rtp_session_local_port(s);
	fd1 = udp_open(&p1);	/* the far end the SDP names */
	fd2 = udp_open(&p2);	/* the far end behind NAT */
	/* a stranger: another host (127.0.0.2) */
	fd3 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(0x7f000002);
	CHECK(fd1 >= 0 && fd2 >= 0 && fd3 >= 0 &&
	      bind(fd3, (struct sockaddr *)&sa, sizeof(sa)) == 0, "sockets");
	(void)p3;
	fds[0] = fd1;
	fds[1] = fd2;
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);
	CHECK(!rtp_session_is_udptl(s), "RTP first");
	CHECK_INT(rtp_session_send_udptl(s, pkt, sizeof(pkt)), -ENOTCONN);
	CHECK_INT(rtp_session_set_udptl(s, "127.0.0.1", 0, take_dgram, &d),
		  -EINVAL);
	CHECK_INT(rtp_session_set_udptl(s, "127.0.0.1", p1, NULL, &d), -EINVAL);
	CHECK_INT(rtp_session_set_udptl(s, "127.0.0.1", p1, take_dgram, &d), 0);
	CHECK(rtp_session_is_udptl(s), "UDPTL now");

	/* audio sends nothing now; UDPTL goes to the remote */
	CHECK_INT(sent_to(s, fds, 2), -1);
	CHECK_INT(rtp_session_send_udptl(s, pkt, sizeof(pkt)), 0);
	CHECK(udp_recv(fd1, buf, sizeof(buf), 200) == sizeof(pkt) &&
	      !memcmp(buf, pkt, sizeof(pkt)), "the UDPTL packet at the remote");

	/* a stranger's datagram: ignored */
	udp_send(fd3, lp, pkt, sizeof(pkt));
	RUN_UNTIL(e, stat_handled(s) >= 1);
	CHECK_INT(d.n, 0);
	/* NAT: the remote's host from another port, before it is heard */
	udp_send(fd2, lp, pkt, sizeof(pkt));
	RUN_UNTIL(e, d.n >= 1);
	CHECK_INT(d.n, 1);
	CHECK(d.last_len == sizeof(pkt) && !memcmp(d.last, pkt, sizeof(pkt)),
	      "the datagram as it came");
	CHECK_INT(rtp_session_send_udptl(s, pkt, 3), 0);
	CHECK(udp_recv(fd2, buf, sizeof(buf), 200) == 3, "sent where it came from");
	/* heard now: the signalled port cannot take it back */
	udp_send(fd1, lp, pkt, sizeof(pkt));
	RUN_UNTIL(e, stat_handled(s) >= 3);
	CHECK_INT(d.n, 1);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_received, 1);
	CHECK_INT(st.packets_ignored, 2);
	CHECK_INT(k->calls, 0);

	/* back to audio: the same signalled address keeps the NAT's */
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);
	CHECK(!rtp_session_is_udptl(s), "RTP again");
	CHECK_INT(rtp_session_send_udptl(s, pkt, sizeof(pkt)), -ENOTCONN);
	CHECK_INT(sent_to(s, fds, 2), 1);
}

/*
 * A stranger's packets during set-up take nothing over: the SDP's address
 * is the source.  Symmetric RTP (NAT): only after RTP_LATCH_PACKETS
 * consistent packets, only while the signalled address is silent, and
 * never away from a source that flows.
 */
UNIT_TEST(rtp_latching)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	uint8_t buf[400];
	struct rtp_stats st;
	unsigned p1, p2, p3, lp;
	_cleanup_(closep) int fd1 = -1;
	_cleanup_(closep) int fd2 = -1;
	_cleanup_(closep) int fd3 = -1;
	int fds[3];
	uint64_t h;
	size_t n;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &s), 0);
	lp = rtp_session_local_port(s);
	fd1 = udp_open(&p1);	/* the far end the SDP names */
	fd2 = udp_open(&p2);	/* the far end behind NAT */
	fd3 = udp_open(&p3);	/* a stranger */
	CHECK(fd1 >= 0 && fd2 >= 0 && fd3 >= 0, "udp_open");
	fds[0] = fd1;
	fds[1] = fd2;
	fds[2] = fd3;
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);

	/* Garbage, a foreign payload type and one valid packet from the
	 * stranger during set-up: all ignored, we still send to the SDP's
	 * address. */
	udp_send(fd3, lp, "junk", 4);
	n = rtp_build(buf, 18, 1, 0, 0x3333, false, 20);
	udp_send(fd3, lp, buf, n);
	send_run(fd3, lp, 0x3333, 7, 1, 1);
	RUN_UNTIL(e, stat_handled(s) >= 3);
	CHECK_INT(stat_handled(s), 3);
	CHECK_INT(k->calls, 0);
	CHECK_INT(sent_to(s, fds, 3), 0);

	/* The real far end is heard. */
	send_run(fd1, lp, 0x1111, 100, 1, 1);
	RUN_UNTIL(e, k->calls >= 1);
	CHECK_INT(k->calls, 1);

	/* A stranger's consistent stream cannot move a source that flows. */
	send_run(fd3, lp, 0x3333, 8, 1, 3 * RTP_LATCH_PACKETS);
	RUN_UNTIL(e, stat_handled(s) >= 4 + 3 * RTP_LATCH_PACKETS);
	CHECK_INT(k->calls, 1);
	CHECK_INT(sent_to(s, fds, 3), 0);
	send_run(fd1, lp, 0x1111, 101, 1, 1);
	RUN_UNTIL(e, k->calls >= 2);
	CHECK_INT(k->calls, 2);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_invalid, 1);
	CHECK_INT(st.packets_received, 2);
	CHECK_INT(st.packets_ignored, 2 + 3 * RTP_LATCH_PACKETS);
	CHECK_INT(st.remote_ssrc, 0x1111);

	/* NAT: the SDP names p1 again (a new address: p3 first), but the far
	 * end sends from fd2 and nothing comes from the signalled address.
	 * Inconsistent packets never latch: SSRCs that change, sequence
	 * numbers that jump or go back. */
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p3, RTP_PT_PCMU, -1,
					 20), 0);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);
	h = stat_handled(s);
	for (unsigned i = 0; i < 2 * RTP_LATCH_PACKETS; i++)
		send_run(fd2, lp, 0x2000 + i, 10, 1, 1);	/* SSRC hops */
	send_run(fd2, lp, 0x2222, 10, 100, RTP_LATCH_PACKETS);	/* jumps */
	send_run(fd2, lp, 0x2222, 900, 0xffff, RTP_LATCH_PACKETS); /* back */
	RUN_UNTIL(e, stat_handled(s) >= h + 4 * RTP_LATCH_PACKETS);
	CHECK_INT(stat_handled(s), h + 4 * RTP_LATCH_PACKETS);
	CHECK_INT(k->calls, 2);
	CHECK_INT(sent_to(s, fds, 3), 0);

	/* RTP_LATCH_PACKETS - 1 consistent ones are not enough ... */
	send_run(fd2, lp, 0x2222, 2000, 1, RTP_LATCH_PACKETS - 1);
	RUN_UNTIL(e, stat_handled(s) >= h + 5 * RTP_LATCH_PACKETS - 1);
	CHECK_INT(k->calls, 2);
	CHECK_INT(sent_to(s, fds, 3), 0);
	/* ... the next one (a lost packet in between is fine) latches: it is
	 * taken, and we send there. */
	send_run(fd2, lp, 0x2222, 2000 + RTP_LATCH_PACKETS, 1, 1);
	RUN_UNTIL(e, k->calls >= 3);
	CHECK_INT(k->calls, 3);
	CHECK_INT(sent_to(s, fds, 3), 1);

	/* Once latched, nobody else: not the stranger, not even the SDP's
	 * address. */
	h = stat_handled(s);
	send_run(fd3, lp, 0x3333, 50, 1, 2 * RTP_LATCH_PACKETS);
	send_run(fd1, lp, 0x1111, 300, 1, 2 * RTP_LATCH_PACKETS);
	RUN_UNTIL(e, stat_handled(s) >= h + 4 * RTP_LATCH_PACKETS);
	CHECK_INT(k->calls, 3);
	CHECK_INT(sent_to(s, fds, 3), 1);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.remote_ssrc, 0x2222);

	/* A session refresh to the same address keeps the source found. */
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);
	CHECK_INT(sent_to(s, fds, 3), 1);
	send_run(fd2, lp, 0x2222, 2010, 1, 1);
	RUN_UNTIL(e, k->calls >= 4);
	CHECK_INT(k->calls, 4);
}

/*
 * symmetric_rtp = no: a far end behind NAT that sends from elsewhere is
 * never latched, however consistent its stream; we keep sending to the
 * SDP's address and take only its packets.  Turned back on, the same
 * stream latches after RTP_LATCH_PACKETS.
 */
UNIT_TEST(rtp_symmetric_off)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	struct rtp_stats st;
	unsigned p1, p2, lp;
	_cleanup_(closep) int fd1 = -1;
	_cleanup_(closep) int fd2 = -1;
	int fds[2];

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &s), 0);
	lp = rtp_session_local_port(s);
	fd1 = udp_open(&p1);	/* the SDP's address: silent */
	fd2 = udp_open(&p2);	/* where the far end's RTP comes from */
	CHECK(fd1 >= 0 && fd2 >= 0, "udp_open");
	fds[0] = fd1;
	fds[1] = fd2;
	rtp_session_set_symmetric(s, false);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);
	send_run(fd2, lp, 0x4444, 10, 1, 4 * RTP_LATCH_PACKETS);
	RUN_UNTIL(e, stat_handled(s) >= 4 * RTP_LATCH_PACKETS);
	CHECK_INT(k->calls, 0);
	CHECK_INT(sent_to(s, fds, 2), 0);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_received, 0);
	CHECK_INT(st.packets_ignored, 4 * RTP_LATCH_PACKETS);

	/* on again (a new set_remote restarts latching) */
	rtp_session_set_symmetric(s, true);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p2 ^ 1, RTP_PT_PCMU,
					 -1, 20), 0);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", p1, RTP_PT_PCMU, -1,
					 20), 0);
	send_run(fd2, lp, 0x4444, 100, 1, RTP_LATCH_PACKETS);
	RUN_UNTIL(e, k->calls >= 1);
	CHECK_INT(k->calls, 1);
	CHECK_INT(sent_to(s, fds, 2), 1);
}

/* A law under a dynamic payload type goes out and is taken with that
 * number only; telephone-event under its own; hold sends nothing. */
UNIT_TEST(rtp_dynamic_pt_and_hold)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	static int16_t pcm[160];
	uint8_t buf[400], enc[160];
	struct rtp_stats st;
	unsigned port, lp;
	_cleanup_(closep) int fd = -1;
	uint32_t ts0;
	size_t n;

	tone_1k(pcm, 160);
	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &s), 0);
	lp = rtp_session_local_port(s);
	fd = udp_open(&port);
	CHECK(fd >= 0, "udp_open");
	CHECK_INT(rtp_session_set_payload_type(s, 96), -EINVAL); /* no remote */
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMA,
					 97, 20), 0);
	CHECK_INT(rtp_session_set_payload_type(s, 97), -EINVAL); /* the TE's */
	CHECK_INT(rtp_session_set_payload_type(s, 0), -EINVAL);	/* PCMU's */
	CHECK_INT(rtp_session_set_payload_type(s, 128), -EINVAL);
	CHECK_INT(rtp_session_set_payload_type(s, 96), 0);

	CHECK_INT(rtp_session_send(s, pcm, 160), 0);
	CHECK_INT(udp_recv(fd, buf, sizeof(buf), 1000), 172);
	CHECK_INT(buf[1] & 0x7f, 96);
	g711_encode(G711_ALAW, pcm, enc, 160);
	CHECK(memcmp(buf + 12, enc, 160) == 0, "A-law payload under PT 96");
	ts0 = be32(buf + 4);

	/* The far end's PT 96 is audio, A-law; its PT 8 is not ours now. */
	n = rtp_build(buf, 96, 1, 0, 0x96, false, 160);
	memcpy(buf + 12, enc, 160);
	udp_send(fd, lp, buf, n);
	RUN_UNTIL(e, k->calls >= 1);
	CHECK_INT(k->calls, 1);
	for (int i = 0; i < 160; i++) {
		int16_t want;

		g711_decode(G711_ALAW, enc + i, &want, 1);
		CHECK(k->pcm[i] == want, "sample %d: %d, want %d", i,
		      k->pcm[i], want);
	}
	n = rtp_build(buf, 8, 2, 160, 0x96, false, 160);
	udp_send(fd, lp, buf, n);
	RUN_UNTIL(e, stat_handled(s) >= 2);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_ignored, 1);
	CHECK_INT(k->calls, 1);

	/* Hold: nothing goes out, time runs on; then it resumes. */
	rtp_session_set_sending(s, false);
	CHECK_INT(rtp_session_send(s, pcm, 160), 0);
	CHECK_INT(rtp_session_send(s, pcm, 160), 0);
	CHECK_INT(udp_recv(fd, buf, sizeof(buf), 100), -1);
	rtp_session_set_sending(s, true);
	CHECK_INT(rtp_session_send(s, pcm, 160), 0);
	CHECK_INT(udp_recv(fd, buf, sizeof(buf), 1000), 172);
	CHECK_INT(buf[1] & 0x7f, 96);
	CHECK_INT(be32(buf + 4), ts0 + 3 * 160);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_sent, 2);

	/* set_remote goes back to the static number, and sends. */
	rtp_session_set_sending(s, false);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMA,
					 97, 20), 0);
	CHECK_INT(rtp_session_send(s, pcm, 160), 0);
	CHECK_INT(udp_recv(fd, buf, sizeof(buf), 1000), 172);
	CHECK_INT(buf[1] & 0x7f, 8);
}

UNIT_TEST(rtp_garbage)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	uint8_t buf[2100];
	struct rtp_stats st;
	uint64_t sent = 0, handled;
	unsigned port, lp;
	_cleanup_(closep) int fd = -1;
	size_t n;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &s), 0);
	lp = rtp_session_local_port(s);
	fd = udp_open(&port);
	CHECK(fd >= 0, "udp_open");
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMU,
					 101, 20), 0);

	udp_send(fd, lp, buf, 0);			/* empty */
	n = rtp_build(buf, 0, 1, 0, 42, false, 160);
	udp_send(fd, lp, buf, 5);			/* short */
	buf[0] = 0x40;					/* version 1 */
	udp_send(fd, lp, buf, n);
	buf[0] = 0x8f;					/* 15 CSRCs, 20 bytes */
	udp_send(fd, lp, buf, 20);
	buf[0] = 0x90;					/* extension too long */
	buf[14] = 0xff;
	buf[15] = 0xff;
	udp_send(fd, lp, buf, n);
	n = rtp_build(buf, 0, 1, 0, 42, false, 160);
	buf[0] = 0xa0;					/* padding 0 */
	buf[n - 1] = 0;
	udp_send(fd, lp, buf, n);
	buf[n - 1] = 161;				/* padding > payload */
	udp_send(fd, lp, buf, n);
	n = rtp_build(buf, 0, 1, 0, 42, false, 2000);	/* oversize */
	udp_send(fd, lp, buf, n);
	sent = 8;

	/* Valid, with 2 CSRCs, a 1-word extension and 4 bytes padding:
	 * 100 samples of payload. */
	n = rtp_build(buf, 0, 2, 160, 42, false, 0);
	buf[0] = 0x80 | 0x20 | 0x10 | 2;
	memset(buf + 12, 0, 8 + 4 + 4);
	buf[12 + 8 + 3] = 1;				/* ext length 1 */
	for (int i = 0; i < 100; i++)
		buf[12 + 16 + i] = g711_ulaw_encode(1000);
	memset(buf + 128, 0, 4);
	buf[131] = 4;
	udp_send(fd, lp, buf, 132);
	sent++;
	RUN_UNTIL(e, stat_handled(s) >= sent);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_invalid, 8);
	CHECK_INT(st.packets_received, 1);
	CHECK_INT(st.octets_received, 100);
	CHECK_INT(k->calls, 1);
	CHECK_INT(k->last_n, 100);
	CHECK_INT(k->pcm[0], g711_ulaw_decode(g711_ulaw_encode(1000)));

	/* Fuzz: random datagrams, half of them with version 2, in batches
	 * the socket buffer holds.  Nothing may crash; all are counted. */
	srand(1234);
	for (int batch = 0; batch < 20; batch++) {
		for (int i = 0; i < 100; i++) {
			size_t len = (size_t)(rand() % 300);

			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rand();
			if (len && i % 2)
				buf[0] = (uint8_t)((buf[0] & 0x3f) | 0x80);
			if (len > 1 && i % 4 == 1)
				buf[1] &= 0x80;		/* PT 0 */
			if (udp_send(fd, lp, buf, len) >= 0)
				sent++;
		}
		RUN_UNTIL(e, stat_handled(s) >= sent);
	}
	handled = stat_handled(s);
	CHECK(handled == sent, "handled %llu of %llu datagrams",
	      (unsigned long long)handled, (unsigned long long)sent);
	rtp_session_get_stats(s, &st);
	CHECK(st.packets_invalid > 500, "only %llu invalid",
	      (unsigned long long)st.packets_invalid);

}

/* Send RTP packets with the sequence numbers @seqs from @fd to @s. */
static bool send_seqs(sd_event *e, struct rtp_session *s, int fd,
		      uint32_t ssrc, const uint16_t *seqs, size_t n)
{
	uint8_t buf[200];
	uint64_t want = stat_handled(s) + n, got;

	for (size_t i = 0; i < n; i++) {
		size_t len = rtp_build(buf, 0, seqs[i], seqs[i] * 160u, ssrc,
				       false, 160);

		udp_send(fd, rtp_session_local_port(s), buf, len);
	}
	RUN_UNTIL(e, (got = stat_handled(s)) >= want);
	return got == want;
}

UNIT_TEST(rtp_loss_and_wrap)
{
	static const uint16_t gap[] = { 100, 101, 102, 105, 106 };
	static const uint16_t wrap[] = { 65534, 65535, 0, 1 };
	static const uint16_t dup[] = { 1, 3 };
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	struct rtp_stats st;
	unsigned port;
	_cleanup_(closep) int fd = -1;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &s), 0);
	fd = udp_open(&port);
	CHECK(fd >= 0, "udp_open");
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMU,
					 -1, 20), 0);

	CHECK(send_seqs(e, s, fd, 7, gap, 5), "gap packets not handled");
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_received, 5);
	CHECK_INT(st.expected, 7);
	CHECK_INT(st.lost, 2);
	CHECK_INT(st.last_seq, 106);
	CHECK_INT(st.remote_ssrc, 7);

	/* A new SSRC starts over; the sequence wraps. */
	CHECK(send_seqs(e, s, fd, 8, wrap, 4), "wrap packets not handled");
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.remote_ssrc, 8);
	CHECK_INT(st.expected, 4);
	CHECK_INT(st.lost, 0);
	CHECK_INT(st.last_seq, 65536 + 1);
	CHECK(send_seqs(e, s, fd, 8, dup, 2), "more packets not handled");
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.expected, 6);
	CHECK_INT(st.lost, 0);		/* seq 2 lost, seq 1 twice */
	CHECK_INT(st.last_seq, 65536 + 3);

}

UNIT_TEST(rtp_jitter_and_payload_types)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	uint8_t buf[200];
	struct rtp_stats st;
	unsigned port;
	_cleanup_(closep) int fd = -1;
	size_t n;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &s), 0);
	fd = udp_open(&port);
	CHECK(fd >= 0, "udp_open");

	/* Before set_remote nothing is accepted. */
	n = rtp_build(buf, 0, 1, 0, 9, false, 160);
	udp_send(fd, rtp_session_local_port(s), buf, n);
	RUN_UNTIL(e, stat_handled(s) >= 1);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_ignored, 1);
	CHECK_INT(k->calls, 0);

	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMA,
					 101, 20), 0);
	/* Two packets 20 ms apart in timestamp, at once on the wire:
	 * |D| = 160, J = 160 / 16 = 10. */
	n = rtp_build(buf, 8, 1, 0, 9, false, 160);
	udp_send(fd, rtp_session_local_port(s), buf, n);
	n = rtp_build(buf, 8, 2, 160, 9, false, 160);
	udp_send(fd, rtp_session_local_port(s), buf, n);
	/* PCMU is not what was negotiated; 101 is an event, not audio. */
	n = rtp_build(buf, 0, 3, 320, 9, false, 160);
	udp_send(fd, rtp_session_local_port(s), buf, n);
	n = rtp_build(buf, 101, 3, 320, 9, true, 4);
	udp_send(fd, rtp_session_local_port(s), buf, n);
	RUN_UNTIL(e, stat_handled(s) >= 5);
	run_for(e, 20);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.packets_received, 3);
	CHECK_INT(st.packets_ignored, 2);	/* before set_remote, PCMU */
	CHECK_INT(k->calls, 2);
	CHECK(st.jitter >= 8 && st.jitter <= 11, "jitter %u", st.jitter);
	CHECK_INT(st.expected, 3);
	CHECK_INT(st.lost, 0);

}

/* ---- playout and RTCP ---- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint64_t ntp_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)(uint32_t)(t.tv_sec + 2208988800u) << 32) |
	       (((uint64_t)t.tv_nsec << 32) / 1000000000u);
}

/* Hand-built SDES with one CNAME chunk; its length. */
static size_t sdes_build(uint8_t *p, uint32_t ssrc, const char *cname)
{
	size_t clen = strlen(cname), n = (4 + 4 + 2 + clen + 1 + 3) / 4 * 4;

	memset(p, 0, n);
	p[0] = 0x81;
	p[1] = 202;
	p[2] = 0;
	p[3] = (uint8_t)(n / 4 - 1);
	put32(p + 4, ssrc);
	p[8] = 1;
	p[9] = (uint8_t)clen;
	memcpy(p + 10, cname, clen);
	return n;
}

UNIT_TEST(rtp_rtcp_layout_and_rtt)
{
	static const uint16_t seqs[] = { 100, 101, 103, 104 };	/* 102 lost */
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(closep) int fd = -1;
	_cleanup_(closep) int cfd = -1;
	static int16_t pcm[480];
	uint8_t buf[600], want[600];
	struct rtp_stats st;
	unsigned port, cport, lp;
	uint64_t ntp0, ntp1;
	uint32_t ts_sr, last_ts, lsr, dlsr, ntp_mid;
	size_t n;
	ssize_t got;

	tone_1k(pcm, 480);
	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &s), 0);
	lp = rtp_session_local_port(s);
	fd = udp_open(&port);
	cfd = udp_open(&cport);
	CHECK(fd >= 0 && cfd >= 0, "udp_open");
	CHECK_INT(rtp_session_send_rtcp(s), -ENOTCONN);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMU,
					 -1, 20), 0);
	CHECK_INT(rtp_session_set_remote_rtcp(s, NULL, cport), 0);
	CHECK_INT(rtp_session_set_cname(s, ""), -EINVAL);
	CHECK_INT(rtp_session_set_cname(s, "fxs1@example.net"), 0);

	/* Nothing sent or heard yet: an RR without blocks, and SDES. */
	CHECK_INT(rtp_session_send_rtcp(s), 0);
	got = udp_recv(cfd, buf, sizeof(buf), 1000);
	rtp_session_get_stats(s, &st);
	memset(want, 0, sizeof(want));
	want[0] = 0x80;
	want[1] = 201;
	want[3] = 1;
	put32(want + 4, st.ssrc);
	n = 8 + sdes_build(want + 8, st.ssrc, "fxs1@example.net");
	CHECK_INT(n, 8 + 28);
	CHECK_INT(got, (ssize_t)n);
	CHECK(memcmp(buf, want, n) == 0, "empty RR differs");

	/* The remote sends RTP (102 lost) and an SR; we send 3 packets. */
	CHECK(send_seqs(e, s, fd, 0xcafe0001, seqs, 4), "RTP not handled");
	memset(want, 0, 64);
	want[0] = 0x80;
	want[1] = 200;
	want[3] = 6;
	put32(want + 4, 0xcafe0001);
	put32(want + 8, 0x83aa7e80);		/* NTP, middle 0x7e801234 */
	put32(want + 12, 0x12345678);
	udp_send(cfd, lp + 1, want, 28);
	RUN_UNTIL(e, (rtp_session_get_stats(s, &st), st.rtcp_received >= 1));
	CHECK_INT(st.rtcp_received, 1);
	CHECK_INT(rtp_session_send(s, pcm, 480), 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(udp_recv(fd, buf, sizeof(buf), 1000), 172);
	last_ts = be32(buf + 4);
	usleep(50000);

	/* SR + block + SDES. */
	rtp_session_get_stats(s, &st);
	ntp0 = ntp_now();
	CHECK_INT(rtp_session_send_rtcp(s), 0);
	ntp1 = ntp_now();
	got = udp_recv(cfd, buf, sizeof(buf), 1000);
	n = 28 + 24;
	n += sdes_build(want + n, st.ssrc, "fxs1@example.net");
	CHECK_INT(got, (ssize_t)n);
	want[0] = 0x81;				/* V=2, RC=1 */
	want[1] = 200;
	want[2] = 0;
	want[3] = 12;				/* (28 + 24) / 4 - 1 */
	put32(want + 4, st.ssrc);
	/* NTP and RTP timestamps: read back, checked for range */
	memcpy(want + 8, buf + 8, 12);
	put32(want + 20, 3);			/* packets */
	put32(want + 24, 480);			/* octets */
	put32(want + 28, 0xcafe0001);
	want[32] = 51;				/* 1 of 5 lost: 256 / 5 */
	want[33] = 0;
	want[34] = 0;
	want[35] = 1;				/* cumulative 1 */
	put32(want + 36, 104);			/* extended highest */
	put32(want + 40, st.jitter);
	put32(want + 44, 0x7e801234);		/* LSR */
	memcpy(want + 48, buf + 48, 4);		/* DLSR: range below */
	for (size_t i = 0; i < n; i++)
		CHECK(buf[i] == want[i], "SR byte %zu: %#x, want %#x", i,
		      buf[i], want[i]);
	CHECK(be32(buf + 8) >= (uint32_t)(ntp0 >> 32) &&
	      be32(buf + 8) <= (uint32_t)(ntp1 >> 32), "NTP seconds");
	ts_sr = be32(buf + 16);
	/* the RTP clock goes on from the last packet's timestamp */
	CHECK((int32_t)(ts_sr - last_ts) >= 400 &&
	      (int32_t)(ts_sr - last_ts) < 8000, "SR RTP timestamp %u after %u",
	      ts_sr, last_ts);
	dlsr = be32(buf + 48);
	CHECK(dlsr >= 50 * 65536 / 1000 && dlsr < 1000 * 65536 / 1000,
	      "DLSR %u", dlsr);

	/* An RR about us: LSR = the middle of our SR's NTP, DLSR 100 ms,
	 * sent 150 ms after it: RTT about 50 ms. */
	lsr = (uint32_t)(be32(buf + 8) << 16 | be32(buf + 12) >> 16);
	usleep(150000);
	memset(want, 0, 64);
	want[0] = 0x81;
	want[1] = 201;
	want[3] = 7;
	put32(want + 4, 0xcafe0001);
	put32(want + 8, st.ssrc);
	want[12] = 26;				/* about 10 % */
	want[13] = 0xff;			/* cumulative -2 */
	want[14] = 0xff;
	want[15] = 0xfe;
	put32(want + 16, 0x10005);
	put32(want + 20, 80);			/* 10 ms of jitter */
	put32(want + 24, lsr);
	put32(want + 28, 6554);			/* 100 ms */
	n = 32 + sdes_build(want + 32, 0xcafe0001, "remote");
	udp_send(cfd, lp + 1, want, n);
	/* and garbage: an SDES first, a bad length, version 1 */
	udp_send(cfd, lp + 1, want + 32, n - 32);
	want[3] = 9;
	udp_send(cfd, lp + 1, want, n);
	want[3] = 7;
	want[0] = 0x41;
	udp_send(cfd, lp + 1, want, n);
	RUN_UNTIL(e, (rtp_session_get_stats(s, &st),
		      st.rtcp_received + st.rtcp_invalid >= 5));
	CHECK_INT(st.rtcp_received, 2);
	CHECK_INT(st.rtcp_invalid, 3);
	CHECK(st.remote_report, "no remote report");
	CHECK_INT(st.remote_fraction_lost, 26);
	CHECK_INT(st.remote_lost, -2);
	CHECK(fabs(st.remote_jitter_ms - 10.0) < 1e-9, "remote jitter %f",
	      st.remote_jitter_ms);
	CHECK(st.rtt_ms >= 45 && st.rtt_ms < 150, "RTT %.1f ms", st.rtt_ms);
	ntp_mid = (uint32_t)(ntp_now() >> 16);
	CHECK(ntp_mid - lsr >= 150 * 65536 / 1000, "clock");

	/* Nothing new either way: RR again, no block. */
	CHECK_INT(rtp_session_send_rtcp(s), 0);
	got = udp_recv(cfd, buf, sizeof(buf), 1000);
	CHECK_INT(got, 8 + 28);
	CHECK_INT(buf[0], 0x80);
	CHECK_INT(buf[1], 201);
	rtp_session_get_stats(s, &st);
	CHECK_INT(st.rtcp_sent, 3);

	/* XR on (RFC 3611): the VoIP Metrics packet after the SDES, about
	 * the remote's SSRC; off again: gone. */
	{
		struct rtcp_xr_voip m;
		uint8_t xr[RTCP_XR_PKT_SIZE];

		rtcp_xr_voip_init(&m);
		m.ssrc = 1;			/* replaced by the session */
		m.loss_rate = 26;
		m.r_factor = 90;
		m.mos_lq = 43;
		CHECK_INT(rtp_session_set_xr(NULL, &m), -EINVAL);
		CHECK_INT(rtp_session_set_xr(s, &m), 0);
		CHECK_INT(rtp_session_send_rtcp(s), 0);
		got = udp_recv(cfd, buf, sizeof(buf), 1000);
		CHECK_INT(got, 8 + 28 + RTCP_XR_PKT_SIZE);
		m.ssrc = 0xcafe0001;
		CHECK_INT(rtcp_xr_voip_packet(&m, st.ssrc, xr), RTCP_XR_PKT_SIZE);
		CHECK(got == 8 + 28 + RTCP_XR_PKT_SIZE &&
		      memcmp(buf + 36, xr, RTCP_XR_PKT_SIZE) == 0,
		      "XR packet differs");
		CHECK_INT(buf[36 + 1], 207);
		CHECK_INT(be32(buf + 36 + 12), 0xcafe0001);
		CHECK_INT(rtp_session_set_xr(s, NULL), 0);
		CHECK_INT(rtp_session_send_rtcp(s), 0);
		got = udp_recv(cfd, buf, sizeof(buf), 1000);
		CHECK_INT(got, 8 + 28);
	}
}

UNIT_TEST(rtp_rtcp_timer)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *s = NULL;
	_cleanup_(closep) int fd = -1;
	_cleanup_(closep) int cfd = -1;
	uint8_t buf[600];
	unsigned port, cport;
	int count = 0;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &s), 0);
	fd = udp_open(&port);
	cfd = udp_open(&cport);
	CHECK(fd >= 0 && cfd >= 0, "udp_open");
	CHECK_INT(rtp_session_set_rtcp_interval(s, 100), 0);
	CHECK_INT(rtp_session_set_remote(s, "127.0.0.1", port, RTP_PT_PCMU,
					 -1, 20), 0);
	CHECK_INT(rtp_session_set_remote_rtcp(s, "127.0.0.1", cport), 0);
	/* 100 ms randomised to 50-150 ms: 6-20 reports in 1 s */
	run_for(e, 1000);
	while (udp_recv(cfd, buf, sizeof(buf), 0) > 0) {
		CHECK_INT(buf[1], 201);
		count++;
	}
	CHECK(count >= 6 && count <= 20, "%d reports in 1 s", count);
	/* 0 stops them */
	CHECK_INT(rtp_session_set_rtcp_interval(s, 0), 0);
	run_for(e, 300);
	CHECK_INT(udp_recv(cfd, buf, sizeof(buf), 0), -1);
}

UNIT_TEST(rtp_playout_modes)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *a = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *b = NULL;
	_cleanup_(freep) struct sink *k = calloc(1, sizeof(*k));
	int16_t out[160];
	struct rtp_stats st;

	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, &sink_cb, k, &a), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &b), 0);
	out[0] = 5;
	CHECK_INT(rtp_session_playout(a, out, 160), -EBUSY);
	CHECK_INT(out[0], 0);
	CHECK_INT(rtp_session_playout(b, out, 160), RTP_PLAYOUT_SILENCE);
	CHECK_INT(rtp_session_playout(b, out, 0), -EINVAL);
	CHECK_INT(rtp_session_playout(NULL, out, 160), -EINVAL);
	rtp_session_get_stats(a, &st);
	CHECK(!st.playout, "a plays out");
	CHECK(st.rtt_ms < 0, "RTT known");
	rtp_session_get_stats(b, &st);
	CHECK(st.playout, "b does not play out");
	CHECK_INT(st.frames_played, 1);
	CHECK(fabs(st.mos - 4.4093) < 0.001, "idle MOS %.4f", st.mos);
	/* the XR figures of the playout: adaptive with concealment, fixed
	 * without it in a data call; nothing played yet: no levels; a
	 * session without playout: no jitter buffer figures */
	{
		struct rtcp_xr_voip m;

		rtp_session_xr_fill(b, &m);
		CHECK_INT(m.jba, RTCP_XR_JBA_ADAPTIVE);
		CHECK_INT(m.plc, RTCP_XR_PLC_ENHANCED);
		CHECK_INT(m.signal_level, RTCP_XR_UNAVAIL);
		CHECK_INT(m.noise_level, RTCP_XR_UNAVAIL);
		CHECK_INT(m.rerl, RTCP_XR_UNAVAIL);
		rtp_session_set_data(b, true);
		rtp_session_xr_fill(b, &m);
		CHECK_INT(m.jba, RTCP_XR_JBA_FIXED);
		CHECK_INT(m.plc, RTCP_XR_PLC_DISABLED);
		rtp_session_set_data(b, false);
		rtp_session_xr_fill(b, &m);
		CHECK_INT(m.jba, RTCP_XR_JBA_ADAPTIVE);
		rtp_session_xr_fill(a, &m);
		CHECK_INT(m.jba, RTCP_XR_JBA_UNKNOWN);
		CHECK_INT(m.end_system_delay, 0);
	}
}

/*
 * a -> forwarder (drops @loss_pct % at random) -> b, 1000 packets, b's
 * playout pulled once per packet; RTCP both ways.  Fills *@ret with b's
 * stats, *@ret_dropped, *@ret_a with a's.
 */
static void loopback(double loss_pct, struct rtp_stats *ret,
		     struct rtp_stats *ret_a, unsigned *ret_dropped,
		     struct rtcp_xr_voip *ret_xr)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *a = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *b = NULL;
	_cleanup_(closep) int fwd = -1;
	static int16_t tone[160 * 1000];
	int16_t out[160];
	uint8_t buf[400];
	unsigned fport, dropped = 0, concealed = 0, audio = 0;
	struct rtp_stats sa;

	*ret_dropped = 0;
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < 160 * 1000; i++)
		tone[i] = (int16_t)lrint(8000 * sin(2 * M_PI * 300 * i / 8000.0));
	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &a), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &b), 0);
	fwd = udp_open(&fport);
	CHECK(fwd >= 0, "udp_open");
	CHECK_INT(rtp_session_set_remote(a, "127.0.0.1", fport, RTP_PT_PCMA,
					 -1, 20), 0);
	/* a's RTCP goes straight to b; b answers where it came from.  For b
	 * the forwarder is the far end (it only takes its packets). */
	CHECK_INT(rtp_session_set_remote_rtcp(a, NULL,
					      rtp_session_local_port(b) + 1), 0);
	CHECK_INT(rtp_session_set_remote(b, "127.0.0.1", fport, RTP_PT_PCMA,
					 -1, 20), 0);
	srand(4242);
	for (int i = 0; i < 1000; i++) {
		uint64_t before = stat_handled(b);
		bool drop = i > 0 && i < 999 &&
			    rand() < loss_pct / 100.0 * RAND_MAX;
		ssize_t n;
		int r;

		CHECK_INT(rtp_session_send(a, tone + 160 * i, 160), 0);
		n = udp_recv(fwd, buf, sizeof(buf), 1000);
		CHECK_INT(n, 172);
		if (drop) {
			dropped++;
		} else {
			udp_send(fwd, rtp_session_local_port(b), buf, (size_t)n);
			RUN_UNTIL(e, stat_handled(b) > before);
		}
		r = rtp_session_playout(b, out, 160);
		if (r == RTP_PLAYOUT_CONCEALED)
			concealed++;
		else if (r == RTP_PLAYOUT_AUDIO)
			audio++;
	}
	CHECK_INT(rtp_session_send_rtcp(a), 0);
	RUN_UNTIL(e, (rtp_session_get_stats(b, ret), ret->rtcp_received >= 1));
	CHECK_INT(rtp_session_send_rtcp(b), 0);
	RUN_UNTIL(e, (rtp_session_get_stats(a, &sa), sa.rtcp_received >= 1));
	rtp_session_get_stats(b, ret);
	rtp_session_get_stats(a, ret_a);
	rtp_session_xr_fill(b, ret_xr);
	*ret_dropped = dropped;
	CHECK_INT(concealed, dropped);
	CHECK_INT(audio + concealed, 1000);
}

UNIT_TEST(rtp_playout_loopback_loss)
{
	struct rtp_stats clean, lossy, a;
	struct rtcp_xr_voip xc, xl;
	unsigned dropped;

	loopback(0, &clean, &a, &dropped, &xc);
	CHECK(!unit_failed(), "clean run failed");
	CHECK_INT(dropped, 0);
	CHECK_INT(clean.lost, 0);
	CHECK_INT(clean.frames_concealed, 0);
	CHECK(a.rtt_ms >= 0 && a.rtt_ms < 100, "RTT %.1f", a.rtt_ms);

	/* b's XR VoIP Metrics (RFC 3611 4.7): nothing lost, one gap of
	 * 1000 frames, the tone's level (peak 8000: -9 dBm0), R and MOS */
	CHECK_INT(xc.loss_rate, 0);
	CHECK_INT(xc.discard_rate, 0);
	CHECK_INT(xc.burst_density, 0);
	CHECK_INT(xc.gap_density, 0);
	CHECK_INT(xc.burst_duration, 0);
	CHECK_INT(xc.gap_duration, 20000);
	CHECK_INT(xc.gmin, 16);
	CHECK_INT(xc.signal_level, -9);
	CHECK_INT(xc.noise_level, RTCP_XR_UNAVAIL);
	CHECK(xc.r_factor >= 90 && xc.r_factor <= 94, "R %u", xc.r_factor);
	CHECK_INT(xc.mos_lq, (unsigned)lround(clean.mos * 10));
	CHECK_INT(xc.plc, RTCP_XR_PLC_ENHANCED);
	CHECK_INT(xc.jba, RTCP_XR_JBA_ADAPTIVE);
	CHECK(xc.end_system_delay >= 20, "ESD %u", xc.end_system_delay);

	loopback(5, &lossy, &a, &dropped, &xl);
	CHECK(!unit_failed(), "lossy run failed");
	CHECK_INT(lossy.expected, 1000);
	CHECK_INT(lossy.lost, dropped);
	CHECK(lossy.loss_percent > 3.5 && lossy.loss_percent < 6.5,
	      "loss %.2f %%", lossy.loss_percent);
	CHECK_INT(lossy.frames_concealed, dropped);
	CHECK_INT(lossy.late, 0);
	CHECK(fabs(lossy.loss_effective_percent - lossy.loss_percent) < 1e-9,
	      "effective loss");
	/* b's view reached a through RTCP */
	CHECK(a.remote_report, "no report at a");
	CHECK_INT(a.remote_lost, dropped);
	CHECK(a.rtt_ms >= 0 && a.rtt_ms < 100, "RTT %.1f", a.rtt_ms);
	CHECK(lossy.mos < clean.mos - 0.3, "MOS %.3f vs %.3f", lossy.mos,
	      clean.mos);
	CHECK(clean.mos > 4.35, "clean MOS %.3f", clean.mos);
	/* every dropped packet a concealed frame, in a burst or a gap */
	CHECK_INT(xl.loss_rate, rtcp_xr_fraction(dropped, 1000));
	CHECK(xl.gap_density > 0, "gap density %u", xl.gap_density);
	CHECK(xl.r_factor < xc.r_factor, "R %u vs %u", xl.r_factor,
	      xc.r_factor);
	CHECK(xl.mos_lq < xc.mos_lq, "MOS-LQ %u vs %u", xl.mos_lq, xc.mos_lq);
	printf("# loopback: %u/1000 dropped, loss %.2f %%, MOS %.3f "
	       "(clean %.3f), RTT %.2f ms, R %.1f\n", dropped,
	       lossy.loss_percent, lossy.mos, clean.mos, a.rtt_ms,
	       lossy.r_factor);
}

/*
 * Opus (RFC 7587) between two sessions through a forwarder: PT 111,
 * timestamps in 48 kHz steps (960 per 20 ms), every 10th packet dropped
 * and recovered from the next one's in-band FEC, the audio played out
 * correlated with what was sent; then a switch to G.722 (a re-INVITE):
 * PT 9, steps of 160 (RFC 3551's 8000 Hz clock), audio still through.
 */
static double tone_corr(const int16_t *x, const int16_t *y, size_t n,
			int *ret_lag)
{
	double best = -2;

	for (int lag = 0; lag < 800; lag++) {
		double xy = 0, xx = 0, yy = 0;

		for (size_t i = 800; i < n; i++) {
			xy += (double)x[i - lag] * y[i];
			xx += (double)x[i - lag] * x[i - lag];
			yy += (double)y[i] * y[i];
		}
		if (xx > 0 && yy > 0 && xy / sqrt(xx * yy) > best) {
			best = xy / sqrt(xx * yy);
			*ret_lag = lag;
		}
	}
	return best;
}

UNIT_TEST(rtp_opus_then_g722)
{
	_cleanup_(sd_event_unrefp) sd_event *e = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *a = NULL;
	_cleanup_(rtp_session_freep) struct rtp_session *b = NULL;
	_cleanup_(closep) int fwd = -1;
	_cleanup_(freep) int16_t *tone = malloc(160 * 400 * sizeof(int16_t));
	_cleanup_(freep) int16_t *heard = calloc(160 * 400, sizeof(int16_t));
	struct codec_params p;
	struct rtp_stats st;
	uint8_t buf[1600];
	unsigned fport, dropped = 0;
	uint32_t last_ts = 0;
	double ncc;
	int lag = -1;

	CHECK(tone && heard, "malloc");
	for (size_t i = 0; i < 160 * 400; i++)
		tone[i] = (int16_t)lrint(6000 * sin(2 * M_PI * 440 * i / 8000.0) +
					 4000 * sin(2 * M_PI * 1250 * i / 8000.0));
	CHECK_INT(sd_event_new(&e), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &a), 0);
	CHECK_INT(rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &b), 0);
	fwd = udp_open(&fport);
	CHECK(fwd >= 0, "udp_open");
	codec_params_default(CODEC_OPUS, &p);
	p.fec = true;
	CHECK_INT(rtp_session_set_remote_codec(a, "127.0.0.1", fport, CODEC_OPUS,
					       111, &p, 101, 20), 0);
	CHECK_INT(rtp_session_set_remote_codec(b, "127.0.0.1", fport, CODEC_OPUS,
					       111, &p, 101, 20), 0);
	/* a static number that is not the codec's: refused */
	CHECK_INT(rtp_session_set_remote_codec(b, "127.0.0.1", fport, CODEC_OPUS,
					       9, &p, 101, 20), -EINVAL);
	for (int i = 0; i < 400; i++) {
		uint64_t before = stat_handled(b);
		bool g722 = i >= 250;
		ssize_t n;
		uint32_t ts;

		if (i == 250) {
			CHECK_INT(rtp_session_set_remote_codec(a, "127.0.0.1", fport,
							       CODEC_G722, 9, NULL,
							       101, 20), 0);
			CHECK_INT(rtp_session_set_remote_codec(b, "127.0.0.1", fport,
							       CODEC_G722, 9, NULL,
							       101, 20), 0);
		}
		CHECK_INT(rtp_session_send(a, tone + 160 * i, 160), 0);
		n = udp_recv(fwd, buf, sizeof(buf), 1000);
		CHECK(n > 12, "packet %d: %zd", i, n);
		CHECK_INT(buf[1] & 0x7f, g722 ? 9 : 111);
		if (g722)
			CHECK_INT(n, 12 + 160);
		ts = be32(buf + 4);
		if (i > 0 && i != 250)
			CHECK(ts - last_ts == (g722 ? 160u : 960u),
			      "packet %d: timestamp step %u", i, ts - last_ts);
		last_ts = ts;
		if (i % 10 == 5 && i < 240) {
			dropped++;
		} else {
			udp_send(fwd, rtp_session_local_port(b), buf, (size_t)n);
			RUN_UNTIL(e, stat_handled(b) > before);
		}
		CHECK(rtp_session_playout(b, heard + 160 * i, 160) >= 0, "playout");
	}
	rtp_session_get_stats(b, &st);
	/* FEC needs a packet or two of history in the encoder */
	CHECK(st.fec_recovered + 1 >= dropped && st.fec_recovered <= dropped,
	      "FEC recovered %" PRIu64 " of %u", st.fec_recovered, dropped);
	ncc = tone_corr(tone + 160 * 100, heard + 160 * 100, 160 * 130, &lag);
	/* every 10th frame concealed here: the playout is pulled right after
	 * each packet, so a recovered one comes after its time (late) */
	CHECK(ncc > 0.8, "Opus: correlation %.3f (lag %d)", ncc, lag);
	ncc = tone_corr(tone + 160 * 270, heard + 160 * 270, 160 * 130, &lag);
	CHECK(ncc > 0.95, "G.722: correlation %.3f (lag %d)", ncc, lag);
	printf("# opus then g722: %" PRIu64 "/%u recovered by FEC, G.722 correlation %.3f\n",
	       st.fec_recovered, dropped, ncc);
}
