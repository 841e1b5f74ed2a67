// SPDX-License-Identifier: GPL-2.0-only
/*
 * channel_bench.c - CPU cost of one full-duplex phone channel: the work
 * fxsd does for a call every 20 ms, with the daemon's own modules.
 *
 * The channel is set up as daemon/line/line.c sets up a line in a call: an echo
 * canceller (64 ms tail, residual suppression on), an in-band DTMF
 * detector, an RFC 4733 sender, and an RTP session (rtp.c) on a real UDP
 * socket on 127.0.0.1 with its jitter buffer, on an sd-event loop.  Two
 * wakeups per 20 ms drive it, as in fxsd:
 *
 *  - RTP: the session's socket is readable; rtp.c receives the far end's
 *    packet, parses it, decodes G.711 and puts it into the jitter buffer;
 *  - PCM: the phone's frame is readable on the "PCM fd" (here one end of
 *    an AF_UNIX SOCK_SEQPACKET pair, standing in for the driver's PCM
 *    channel); the handler is line_pcm_ready()'s media path: echo
 *    canceller with the frame played last as reference, DTMF detector,
 *    G.711 encode + RTP packet + sendto (or telephone-events while a
 *    keyed digit is sent), jitter buffer playout with concealment, and
 *    the played frame written back to the PCM fd (after a cushion of two
 *    frames of silence the first time).
 *
 * Every 250 frames (5 s) an RTCP report is sent, as the session's timer
 * does (called directly here: the timer runs on wall-clock time).
 *
 * Around the channel, not counted in its CPU time (chan_tick() is all that
 * is): a far end sending G.711 packets of a CSS-like signal through a
 * simulated network (10 ms + exponential jitter, random loss), and a phone
 * whose microphone picks up a near-end talker plus the echo of what it
 * plays through a hybrid model (5 ms bulk delay, 12 ms dispersion, ERL
 * 6 dB), the played audio going through a driver-like queue first.  The
 * two talkers take turns: far end 0-4 s, near end 3.5-7.5 s of every 8 s
 * (0.5 s of double talk).
 *
 * Prints the CPU time of the channel per channel-second, the median over
 * a few calls (CLOCK_PROCESS_CPUTIME_ID around each tick's channel work,
 * less the cost of reading that clock), a breakdown per stage
 * (CLOCK_MONOTONIC marks; -n turns them off), and checks that the call
 * worked: packets both ways, loss and concealment, and the echo level the
 * far end receives while only it talks (fxsd's packets decoded).
 *
 * Usage: channel_bench [-s SECONDS] [-r CALLS] [-t TAIL_MS] [-j JITTER_MS]
 *			[-l LOSS_PCT] [-a] [-n]
 *	-s  seconds of audio per call (default 60; 0 sets the call up and
 *	    ends it)
 *	-r  calls (default 5; the CPU figures are their median)
 *	-t  echo tail (default 64, fxsd's default)
 *	-j  mean of the exponential network jitter, ms (default 5)
 *	-l  random packet loss, percent (default 1)
 *	-a  PCMA instead of PCMU
 *	-n  no per-stage timing (for callgrind: chan_tick() then holds only
 *	    the channel's own work; bench/callgrind.sh counts it)
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <systemd/sd-event.h>

#include "dsp/dtmf.h"
#include "dsp/echo.h"
#include "dsp/rfc4733.h"
#include "echo_sim.h"
#include "media/g711.h"
#include "media/rtp.h"

#define FRAME		160	/* 20 ms at 8 kHz, LINE_FRAME */
#define FRAME_MS	20
#define RTCP_FRAMES	250	/* an RTCP report every 5 s */
#define TE_PT		101	/* telephone-event payload type */
#define LOOP_SECONDS	16	/* talker signals repeat after this */
#define LOOP_LEN	(SIM_RATE * LOOP_SECONDS)
#define NET_BASE_MS	10.0	/* fixed network delay */
#define NET_MAX_MS	1000.0	/* longest delay simulated */
#define NET_QUEUE	128	/* packets in flight */
#define PHONE_QUEUE	32	/* frames queued in the "driver" */
#define HYB_TAPS	(2 * SIM_MAX_TAPS)
#define MAX_REPEATS	101
#define MAX_SECONDS	86400

#define NOINLINE	__attribute__((noinline))

/* ---- the channel: what fxsd's struct line holds for the media path ---- */

enum stage {
	STAGE_RX,	/* RTP wakeup: recvfrom, parse, decode, jitter put */
	STAGE_PCM_IO,	/* PCM wakeup: event loop, read, write */
	STAGE_EC,	/* echo canceller */
	STAGE_DTMF,	/* DTMF detector */
	STAGE_TX,	/* G.711 encode, RTP header, sendto */
	STAGE_PLAYOUT,	/* jitter get, concealment */
	STAGE_RTCP,	/* RTCP report */
	STAGE_MAX,
};

static const char *const stage_names[STAGE_MAX] = {
	[STAGE_RX] = "RTP receive (wakeup, recvfrom, parse, decode, jitter put)",
	[STAGE_PCM_IO] = "PCM wakeup (event loop, read + write of the frames)",
	[STAGE_EC] = "echo canceller (MDF + residual suppressor)",
	[STAGE_DTMF] = "in-band DTMF detector",
	[STAGE_TX] = "RTP send (G.711 encode, header, sendto)",
	[STAGE_PLAYOUT] = "playout (jitter get, concealment)",
	[STAGE_RTCP] = "RTCP (one report per 5 s)",
};

struct chan {
	sd_event *event;
	struct rtp_session *rtp;
	int pcm_fd;
	sd_event_source *pcm_source;
	struct echo_canceller *ec;
	struct dtmf_detector dtmf;
	struct dtmf_gen dtmf_out;	/* far-end digits (none come here) */
	struct rfc4733_sender ev_tx;
	bool ev_unsupported;
	bool writing;
	int16_t last_played[FRAME];
	double erle_db;
	uint64_t frames;		/* frames handled */
	unsigned digits;		/* digits the detector reported */

	bool timing;			/* per-stage CLOCK_MONOTONIC marks */
	uint64_t mark;
	uint64_t ns[STAGE_MAX];
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void stage_start(struct chan *c)
{
	if (c->timing)
		c->mark = clock_ns(CLOCK_MONOTONIC);
}

/* The time since the last mark goes to @st. */
static void stage_end(struct chan *c, enum stage st)
{
	uint64_t t;

	if (!c->timing)
		return;
	t = clock_ns(CLOCK_MONOTONIC);
	c->ns[st] += t - c->mark;
	c->mark = t;
}

/* A digit the phone keyed: to the far end as telephone-events
 * (line_dtmf_event()). */
static void chan_dtmf_event(void *userdata, const struct dtmf_event *ev)
{
	struct chan *c = userdata;

	if (!ev->end) {
		if (!c->ev_unsupported)
			rfc4733_sender_start(&c->ev_tx, ev->digit, 10,
					     rtp_session_next_timestamp(c->rtp),
					     0);
		return;
	}
	if (!c->ev_unsupported)
		rfc4733_sender_end(&c->ev_tx, ev->duration);
	c->digits++;
}

/* Far-end digits would be played to the phone (line_rtp_event()). */
static void chan_rtp_event(void *userdata, unsigned event, bool end,
			   unsigned duration)
{
	struct chan *c = userdata;

	(void)duration;
	if (end)
		dtmf_gen_stop(&c->dtmf_out);
	else
		dtmf_gen_start(&c->dtmf_out, (char)event, -10, 0, 0);
}

static const struct rtp_callbacks chan_rtp_callbacks = {
	.on_event = chan_rtp_event,
};

/* line_send_frame(): audio, or telephone-events while a digit is sent. */
static void chan_send_frame(struct chan *c, const int16_t *frame)
{
	struct rfc4733_packet pk[RFC4733_POLL_MAX];
	int i, n;

	if (!rfc4733_sender_busy(&c->ev_tx)) {
		rtp_session_send(c->rtp, frame, FRAME);
		return;
	}
	n = rfc4733_sender_poll(&c->ev_tx, pk);
	for (i = 0; i < n; i++)
		if (rtp_session_send_event(c->rtp, pk[i].payload,
					   sizeof(pk[i].payload),
					   pk[i].timestamp,
					   pk[i].marker) == -EOPNOTSUPP) {
			c->ev_unsupported = true;
			rfc4733_sender_init(&c->ev_tx, FRAME);
			rtp_session_send(c->rtp, frame, FRAME);
			return;
		}
	rtp_session_skip(c->rtp, FRAME);
}

static void chan_write(struct chan *c, const int16_t *buf, size_t len)
{
	if (write(c->pcm_fd, buf, len) < 0 && errno != EAGAIN)
		perror("channel_bench: write to the phone");
}

/* line_pcm_ready() for a line in a call with media (no tone, no caller
 * ID): the stage marks are the only addition. */
static int chan_pcm_ready(sd_event_source *s, int fd, uint32_t revents,
			  void *userdata)
{
	struct chan *c = userdata;
	int16_t frame[FRAME], out[FRAME];
	ssize_t n;

	(void)s;
	(void)revents;
	while ((n = read(fd, frame, sizeof(frame))) == sizeof(frame)) {
		static const int16_t cushion[2 * FRAME];

		stage_end(c, STAGE_PCM_IO);
		echo_canceller_process(c->ec, frame, c->last_played, frame);
		c->erle_db = echo_canceller_erle_total_db(c->ec);
		stage_end(c, STAGE_EC);
		if (!dtmf_gen_active(&c->dtmf_out))
			dtmf_detect(&c->dtmf, frame, FRAME, NULL, 0);
		stage_end(c, STAGE_DTMF);
		chan_send_frame(c, frame);
		stage_end(c, STAGE_TX);
		rtp_session_playout(c->rtp, out, FRAME);
		stage_end(c, STAGE_PLAYOUT);
		if (!c->writing)
			chan_write(c, cushion, sizeof(cushion));
		c->writing = true;
		chan_write(c, out, sizeof(out));
		memcpy(c->last_played, out, sizeof(out));
		c->frames++;
	}
	return 0;
}

/* The RTP socket's wakeup: one event loop iteration (the PCM source has a
 * lower priority, so the packet is taken first). */
static NOINLINE void chan_rx_wakeup(struct chan *c)
{
	stage_start(c);
	sd_event_run(c->event, 0);
	stage_end(c, STAGE_RX);
}

/* The PCM fd's wakeup: the event loop until the phone's frame has been
 * handled. */
static NOINLINE void chan_pcm_wakeup(struct chan *c)
{
	uint64_t before = c->frames;
	int i;

	stage_start(c);
	for (i = 0; i < 8 && c->frames == before; i++)
		sd_event_run(c->event, 0);
	stage_end(c, STAGE_PCM_IO);
}

static NOINLINE void chan_rtcp_wakeup(struct chan *c)
{
	stage_start(c);
	rtp_session_send_rtcp(c->rtp);
	stage_end(c, STAGE_RTCP);
}

/* Everything the channel does in one 20 ms tick; the only code counted. */
static NOINLINE void chan_tick(struct chan *c, bool packet, bool rtcp)
{
	if (packet)
		chan_rx_wakeup(c);
	chan_pcm_wakeup(c);
	if (rtcp)
		chan_rtcp_wakeup(c);
}

/* line_new() + line_rtp_open() + line_media_start(), media part. */
static int chan_new(sd_event *e, int pcm_fd, unsigned tail_ms, int law,
		    unsigned remote_port, unsigned remote_rtcp_port,
		    struct chan *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->event = e;
	c->pcm_fd = pcm_fd;
	dtmf_detector_init(&c->dtmf, chan_dtmf_event, c);
	dtmf_gen_stop(&c->dtmf_out);
	rfc4733_sender_init(&c->ev_tx, FRAME);
	r = echo_canceller_new(tail_ms, true, &c->ec);
	if (r < 0)
		return r;
	r = rtp_session_new(e, "127.0.0.1", 0, 0, &chan_rtp_callbacks, c,
			    &c->rtp);
	if (r < 0)
		return r;
	/* reports are sent by chan_rtcp_wakeup(), on audio time */
	r = rtp_session_set_rtcp_interval(c->rtp, 0);
	if (r >= 0)
		r = rtp_session_set_remote(c->rtp, "127.0.0.1", remote_port,
					   law, TE_PT, FRAME_MS);
	if (r >= 0)
		r = rtp_session_set_remote_rtcp(c->rtp, NULL, remote_rtcp_port);
	if (r < 0)
		return r;
	r = sd_event_add_io(e, &c->pcm_source, pcm_fd, EPOLLIN,
			    chan_pcm_ready, c);
	if (r < 0)
		return r;
	return sd_event_source_set_priority(c->pcm_source,
					    SD_EVENT_PRIORITY_NORMAL + 1);
}

static void chan_free(struct chan *c)
{
	sd_event_source_disable_unref(c->pcm_source);
	rtp_session_free(c->rtp);
	echo_canceller_free(c->ec);
}

/* ---- the far end and the network ---- */

struct net_packet {
	double arrive;			/* ms */
	size_t len;
	uint8_t data[12 + FRAME];
};

struct far_end {
	int fd;				/* RTP: sends, and takes fxsd's */
	int rtcp_fd;
	unsigned port, rtcp_port;
	int law;
	uint16_t seq;
	uint32_t ts;
	double jitter_ms, loss;
	unsigned seed;
	struct net_packet q[NET_QUEUE];
	bool used[NET_QUEUE];
	uint64_t sent, dropped, received, rtcp_received;
	/* what fxsd sent: power of each frame, by its index in the call */
	double *out_pow;
	uint64_t ticks;
	uint32_t ts0;
	bool have_ts0;
};

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

static double uniform(unsigned *seed)
{
	return (sim_rand(seed) + 1.0) / 2.0;	/* [0, 1) */
}

/* Packet @k of the far end's audio @pcm (sent at k * 20 ms) into the
 * network: lost, or queued until its arrival time. */
static void far_packet(struct far_end *f, uint64_t k, const int16_t *pcm)
{
	double d = NET_BASE_MS - f->jitter_ms * log(1.0 - uniform(&f->seed));
	struct net_packet *p = NULL;
	int i;

	if (d > NET_MAX_MS)
		d = NET_MAX_MS;
	f->seq++;
	f->ts += FRAME;
	if (uniform(&f->seed) < f->loss) {
		f->dropped++;
		return;
	}
	for (i = 0; i < NET_QUEUE && !p; i++)
		if (!f->used[i]) {
			p = &f->q[i];
			f->used[i] = true;
		}
	if (!p) {
		f->dropped++;
		return;
	}
	p->arrive = (double)k * FRAME_MS + d;
	p->data[0] = 0x80;
	p->data[1] = (uint8_t)(f->law | (k == 0 ? 0x80 : 0));
	p->data[2] = f->seq >> 8;
	p->data[3] = f->seq & 0xff;
	p->data[4] = f->ts >> 24;
	p->data[5] = (f->ts >> 16) & 0xff;
	p->data[6] = (f->ts >> 8) & 0xff;
	p->data[7] = f->ts & 0xff;
	memcpy(p->data + 8, "\x5e\xed\xca\xfe", 4);	/* SSRC */
	g711_encode(f->law, pcm, p->data + 12, FRAME);
	p->len = 12 + FRAME;
}

/* Deliver, in order of arrival, what has arrived by @now; the number sent. */
static unsigned far_deliver(struct far_end *f, double now, unsigned chan_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned n = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(chan_port);
	for (;;) {
		int i, first = -1;

		for (i = 0; i < NET_QUEUE; i++)
			if (f->used[i] && f->q[i].arrive <= now &&
			    (first < 0 || f->q[i].arrive < f->q[first].arrive))
				first = i;
		if (first < 0)
			return n;
		if (sendto(f->fd, f->q[first].data, f->q[first].len, 0,
			   (struct sockaddr *)&sa, sizeof(sa)) > 0) {
			f->sent++;
			n++;
		}
		f->used[first] = false;
	}
}

/* Take what fxsd sent: count it, and the power of its audio frames. */
static void far_drain(struct far_end *f)
{
	uint8_t buf[2048];
	int16_t pcm[FRAME];
	ssize_t n;

	while ((n = recv(f->fd, buf, sizeof(buf), 0)) > 0) {
		uint32_t ts, k;
		double p = 0;
		int i;

		f->received++;
		if (n != 12 + FRAME || (buf[1] & 0x7f) != f->law)
			continue;	/* telephone-event */
		ts = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 |
		     (uint32_t)buf[6] << 8 | buf[7];
		if (!f->have_ts0) {
			f->ts0 = ts;
			f->have_ts0 = true;
		}
		k = (ts - f->ts0) / FRAME;
		if (k >= f->ticks)
			continue;
		g711_decode(f->law, buf + 12, pcm, FRAME);
		for (i = 0; i < FRAME; i++)
			p += (double)pcm[i] * pcm[i];
		f->out_pow[k] = p;
	}
	while (recv(f->rtcp_fd, buf, sizeof(buf), 0) > 0)
		f->rtcp_received++;
}

/* ---- the phone ---- */

struct phone {
	int fd;				/* the "driver" side of the PCM fd */
	int16_t q[PHONE_QUEUE][FRAME];	/* frames fxsd wrote, to be played */
	unsigned q_head, q_len;
	double h[HYB_TAPS];		/* hybrid echo path */
	size_t nh;
	double hist[HYB_TAPS + FRAME];	/* played samples, newest last */
	double *echo_pow;		/* echo power picked up, per tick */
	uint64_t underruns, overruns;
};

/* Tick @k: play a frame, pick up near end + echo, hand the frame over. */
static void phone_tick(struct phone *p, uint64_t k, const double *near)
{
	int16_t buf[FRAME], mic[FRAME];
	double pe = 0;
	size_t i, j;

	while (read(p->fd, buf, sizeof(buf)) == sizeof(buf)) {
		if (p->q_len == PHONE_QUEUE) {
			p->overruns++;
			continue;
		}
		memcpy(p->q[(p->q_head + p->q_len++) % PHONE_QUEUE], buf,
		       sizeof(buf));
	}
	memmove(p->hist, p->hist + FRAME, HYB_TAPS * sizeof(double));
	if (p->q_len) {
		for (i = 0; i < FRAME; i++)
			p->hist[HYB_TAPS + i] = p->q[p->q_head][i];
		p->q_head = (p->q_head + 1) % PHONE_QUEUE;
		p->q_len--;
	} else {
		for (i = 0; i < FRAME; i++)
			p->hist[HYB_TAPS + i] = 0;
		p->underruns++;
	}
	for (i = 0; i < FRAME; i++) {
		double e = 0;

		for (j = 0; j < p->nh; j++)
			e += p->h[j] * p->hist[HYB_TAPS + i - j];
		pe += e * e;
		mic[i] = sim_s16(near[i] + e);
	}
	p->echo_pow[k] = pe;
	if (write(p->fd, mic, sizeof(mic)) != sizeof(mic))
		perror("channel_bench: write to fxsd");
}

/* ---- signals ---- */

static double far_sig[LOOP_LEN], near_sig[LOOP_LEN];

/* Far end 0-4 s, near end 3.5-7.5 s of every 8 s; a noise floor. */
static void signals(void)
{
	unsigned seed = 4711;
	size_t i;

	sim_css(far_sig, LOOP_LEN, -10, 1);
	sim_css(near_sig, LOOP_LEN, -15, 99);
	for (i = 0; i < LOOP_LEN; i++) {
		size_t t = i % (8 * SIM_RATE);

		if (t >= 4 * SIM_RATE)
			far_sig[i] = 0;
		if (t < 7 * SIM_RATE / 2 || t >= 15 * SIM_RATE / 2)
			near_sig[i] = 0;
		far_sig[i] += sim_dbm0_rms(-70) * sim_rand(&seed);
		near_sig[i] += sim_dbm0_rms(-65) * sim_rand(&seed);
	}
}

/* ---- one call ---- */

struct options {
	unsigned seconds, tail, repeats;
	double jitter_ms, loss_pct;
	int law;
	bool timing;
};

struct result {
	double cpu_ms;			/* channel, per channel-second */
	double all_ms;			/* whole loop, per channel-second */
	double stage_ms[STAGE_MAX];	/* per channel-second */
	double clock_ns;		/* one CPU clock read */
	/* checks */
	uint64_t frames;
	struct rtp_stats rtp;
	uint64_t far_sent, far_dropped, far_received, far_rtcp;
	uint64_t underruns, overruns;
	unsigned digits;
	double echo_in, echo_out;	/* far-end-only frames, summed power */
	unsigned echo_frames;
};

/* Mean cost of one clock_gettime(@id), ns. */
static double clock_cost_ns(clockid_t id)
{
	const int n = 20000;
	uint64_t a = clock_ns(id), b = a;
	int i;

	for (i = 0; i < n; i++)
		b = clock_ns(id);
	return (double)(b - a) / n;
}

/* Tick @k is far-end speech only (with the echo's delay on either side),
 * after the first 8 s when the call is long enough to leave them out. */
static bool far_only(uint64_t k, uint64_t ticks)
{
	uint64_t ms = k * FRAME_MS;

	if (ticks * FRAME_MS >= 16000 && ms < 8000)
		return false;
	return ms % 8000 >= 1000 && ms % 8000 < 3400;
}

static int run_call(const struct options *o, struct result *res)
{
	static struct phone phone;
	static struct far_end far;
	uint64_t ticks = (uint64_t)o->seconds * 1000 / FRAME_MS;
	uint64_t t, cpu_chan = 0, cpu_all;
	sd_event *e = NULL;
	struct chan c;
	unsigned chan_port;
	int sv[2], r, i;

	memset(&phone, 0, sizeof(phone));
	memset(&far, 0, sizeof(far));
	memset(res, 0, sizeof(*res));
	phone.nh = sim_hybrid(phone.h, 3, 12, 40, 6);
	phone.echo_pow = calloc(ticks + 1, sizeof(double));
	far.out_pow = calloc(ticks + 1, sizeof(double));
	far.ticks = ticks;
	far.law = o->law;
	far.jitter_ms = o->jitter_ms;
	far.loss = o->loss_pct / 100;
	far.seed = 2024;
	far.seq = 1000;
	far.ts = 50000;
	if (!phone.echo_pow || !far.out_pow)
		return -ENOMEM;
	far.fd = udp_open(&far.port);
	if (far.fd < 0)
		return far.fd;
	far.rtcp_fd = udp_open(&far.rtcp_port);
	if (far.rtcp_fd < 0)
		return far.rtcp_fd;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		return -errno;
	phone.fd = sv[1];
	r = sd_event_new(&e);
	if (r < 0)
		return r;
	r = chan_new(e, sv[0], o->tail, o->law, far.port, far.rtcp_port, &c);
	if (r < 0)
		return r;
	c.timing = o->timing;
	chan_port = rtp_session_local_port(c.rtp);
	res->clock_ns = clock_cost_ns(CLOCK_PROCESS_CPUTIME_ID);

	cpu_all = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (t = 0; t < ticks; t++) {
		size_t at = (size_t)(t * FRAME % LOOP_LEN);
		int16_t pcm[FRAME];
		unsigned n;
		uint64_t a;

		/* the phone's frame of this tick, the far end's packet */
		phone_tick(&phone, t, near_sig + at);
		for (i = 0; i < FRAME; i++)
			pcm[i] = sim_s16(far_sig[at + i]);
		far_packet(&far, t, pcm);
		/* the playout clock ticks 7.3 ms after the far end's */
		n = far_deliver(&far, (double)t * FRAME_MS + 7.3, chan_port);

		a = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		chan_tick(&c, n > 0, t % RTCP_FRAMES == RTCP_FRAMES - 1);
		cpu_chan += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - a;

		far_drain(&far);
	}
	cpu_all = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_all;

	if (o->seconds) {
		/* one clock read per tick is inside the bracket */
		res->cpu_ms = ((double)cpu_chan -
			       res->clock_ns * (double)ticks) / 1e6 / o->seconds;
		res->all_ms = (double)cpu_all / 1e6 / o->seconds;
		for (i = 0; i < STAGE_MAX; i++)
			res->stage_ms[i] = (double)c.ns[i] / 1e6 / o->seconds;
	}
	for (t = 0; t < ticks; t++)
		if (far_only(t, ticks)) {
			res->echo_in += phone.echo_pow[t];
			res->echo_out += far.out_pow[t];
			res->echo_frames++;
		}
	res->frames = c.frames;
	rtp_session_get_stats(c.rtp, &res->rtp);
	res->far_sent = far.sent;
	res->far_dropped = far.dropped;
	res->far_received = far.received;
	res->far_rtcp = far.rtcp_received;
	res->underruns = phone.underruns;
	res->overruns = phone.overruns;
	res->digits = c.digits;

	chan_free(&c);
	sd_event_unref(e);
	close(sv[0]);
	close(sv[1]);
	close(far.fd);
	close(far.rtcp_fd);
	free(phone.echo_pow);
	free(far.out_pow);
	return 0;
}

/* ---- main ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A level in dBm0 from the power summed over @frames frames. */
static double level_dbm0(double pow, unsigned frames)
{
	double rms0 = sim_dbm0_rms(0);

	return 10 * log10(pow / ((double)frames * FRAME) / (rms0 * rms0) +
			  1e-20);
}

static void usage(void)
{
	fprintf(stderr, "usage: channel_bench [-s SECONDS] [-r CALLS] "
		"[-t TAIL_MS] [-j JITTER_MS] [-l LOSS_PCT] [-a] [-n]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct options o = {
		.seconds = 60, .tail = 64, .repeats = 5, .jitter_ms = 5,
		.loss_pct = 1, .law = G711_ULAW, .timing = true,
	};
	double cpu[MAX_REPEATS], all[MAX_REPEATS], clk[MAX_REPEATS];
	double stage[STAGE_MAX][MAX_REPEATS], sum = 0;
	struct result res;
	unsigned k;
	int opt, r, i;

	while ((opt = getopt(argc, argv, "s:r:t:j:l:an")) != -1) {
		switch (opt) {
		case 's':
			o.seconds = (unsigned)atoi(optarg);
			break;
		case 'r':
			o.repeats = (unsigned)atoi(optarg);
			break;
		case 't':
			o.tail = (unsigned)atoi(optarg);
			break;
		case 'j':
			o.jitter_ms = atof(optarg);
			break;
		case 'l':
			o.loss_pct = atof(optarg);
			break;
		case 'a':
			o.law = G711_ALAW;
			break;
		case 'n':
			o.timing = false;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.jitter_ms < 0 || o.loss_pct < 0 ||
	    o.loss_pct > 100 || o.repeats < 1 || o.repeats > MAX_REPEATS ||
	    o.seconds > MAX_SECONDS)
		usage();

	signals();
	printf("# channel benchmark: one full-duplex call (echo canceller, "
	       "DTMF detector, %s, RTP, jitter buffer), %u s of audio in "
	       "%d ms frames, %u calls\n",
	       o.law == G711_ULAW ? "PCMU" : "PCMA", o.seconds, FRAME_MS,
	       o.repeats);
	printf("# echo tail %u ms with residual suppression; network %.0f ms "
	       "+ exponential jitter of mean %.1f ms, %.1f %% loss\n",
	       o.tail, NET_BASE_MS, o.jitter_ms, o.loss_pct);
	for (k = 0; k < o.repeats; k++) {
		r = run_call(&o, &res);
		if (r < 0) {
			fprintf(stderr, "channel_bench: setting up the call: "
				"%s\n", strerror(-r));
			return 1;
		}
		cpu[k] = res.cpu_ms;
		all[k] = res.all_ms;
		clk[k] = res.clock_ns;
		for (i = 0; i < STAGE_MAX; i++)
			stage[i][k] = res.stage_ms[i];
	}
	if (o.seconds == 0) {
		printf("# 0 s: calls set up and torn down only\n");
		return 0;
	}
	if (o.timing) {
		double med[STAGE_MAX];

		printf("%-58s %9s %7s\n",
		       "stage (CLOCK_MONOTONIC, median of the calls)",
		       "ms/ch-s", "share");
		for (i = 0; i < STAGE_MAX; i++) {
			med[i] = median(stage[i], o.repeats);
			sum += med[i];
		}
		for (i = 0; i < STAGE_MAX; i++)
			printf("%-58s %9.3f %6.1f %%\n", stage_names[i],
			       med[i], 100.0 * med[i] / sum);
		printf("%-58s %9.3f\n", "sum of the stages", sum);
	}
	{
		double c_med = median(cpu, o.repeats);

		printf("# CPU: %.3f ms per channel-second, median of %u calls "
		       "(%.3f-%.3f), i.e. %.0f channels per core\n",
		       c_med, o.repeats, cpu[0], cpu[o.repeats - 1],
		       1000.0 / c_med);
		printf("#   CLOCK_PROCESS_CPUTIME_ID around the channel's work "
		       "of each tick, less one read of that clock "
		       "(%.0f ns)%s\n", median(clk, o.repeats),
		       o.timing ? "; includes the stage marks" : "");
		printf("#   whole loop with the phone and network simulation: "
		       "%.3f ms per channel-second\n", median(all, o.repeats));
	}
	printf("# checks (last call): %llu frames; fxsd sent %llu RTP packets, "
	       "the far end got %llu (+%llu RTCP); the far end sent %llu "
	       "(+%llu lost in the network), fxsd took %llu, %llu of them "
	       "late; %llu frames concealed; phone queue under/overruns "
	       "%llu/%llu; DTMF talk-off %u\n",
	       (unsigned long long)res.frames,
	       (unsigned long long)res.rtp.packets_sent,
	       (unsigned long long)res.far_received,
	       (unsigned long long)res.far_rtcp,
	       (unsigned long long)res.far_sent,
	       (unsigned long long)res.far_dropped,
	       (unsigned long long)res.rtp.packets_received,
	       (unsigned long long)res.rtp.late,
	       (unsigned long long)res.rtp.frames_concealed,
	       (unsigned long long)res.underruns,
	       (unsigned long long)res.overruns, res.digits);
	if (res.echo_frames)
		printf("# echo heard by the far end in far-end-only speech: "
		       "echo %.1f dBm0 at the phone, %.1f dBm0 in fxsd's RTP "
		       "(%u frames)\n",
		       level_dbm0(res.echo_in, res.echo_frames),
		       level_dbm0(res.echo_out, res.echo_frames),
		       res.echo_frames);
	return 0;
}
