// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_rtp.c - libFuzzer target: RTP and RTCP datagrams into fxsd's RTP
 * session (daemon/media/rtp.c), audio and RFC 4733 telephone-events.
 *
 * This file #includes rtp.c to reach the static rx_rtp() and rx_rtcp(),
 * what on_rtp_io() / on_rtcp_io() call for each datagram read from the
 * sockets.  For every input a real session is created with
 * rtp_session_new() on 127.0.0.1 and given a remote (127.0.0.1:9, PCMU or
 * PCMA, telephone-event 101, as after an SDP answer); the datagrams then
 * arrive as if from the remote's address or from another one (the
 * session latches on the first valid source).  sendto() is replaced by
 * one that drops the datagram: nothing is sent.
 *
 * Input: one mode byte, then records: a flags byte, a 2-byte big-endian
 * length, that many bytes.
 *   mode bit 0   1 = on_audio callback, 0 = the jitter buffer (playout)
 *   mode bit 1   1 = PCMA, 0 = PCMU
 *   mode bit 2   1 = SRTP: the session is keyed (fixed keys, the suite
 *                from mode bits 3-4, modulo 3) and authenticates every
 *                datagram before looking at it
 *   flags bit 0  1 = RTCP (to the RTCP socket), 0 = RTP
 *   flags bit 1  1 = from 127.0.0.3:7000, 0 = from 127.0.0.1:9
 *   flags bit 2  then play out one 20 ms frame (jitter buffer)
 *   flags bit 3  then send one 20 ms frame and an RTCP report
 *   flags bit 4  (SRTP) protected first with the remote's key, as the
 *                remote would send it: the datagram gets past the check
 * Lengths over RTP_PACKET_MAX are counted invalid, as the socket readers
 * do.
 *
 * Checked besides memory safety: telephone-events come out as START, END,
 * START, END... with the same digit in each pair (rtp.h: "once with @end
 * false when it starts and once with @end true ... when it ends");
 * decoded audio never has more samples than the datagram had bytes.
 */
#define sendto fuzz_sendto
#include "../../daemon/media/rtp.c"
#undef sendto

#include "fuzz.h"

ssize_t fuzz_sendto(int fd, const void *buf, size_t len, int flags,
		    __CONST_SOCKADDR_ARG to, socklen_t tolen)
{
	(void)fd;
	(void)buf;
	(void)flags;
	(void)to;
	(void)tolen;
	return (ssize_t)len;
}

struct fuzz_ctx {
	bool sounding;
	unsigned digit;
	size_t max_samples;
};

static void on_audio(void *userdata, const int16_t *pcm, size_t n)
{
	struct fuzz_ctx *f = userdata;
	volatile int16_t sink = 0;
	size_t i;

	fuzz_assert(n <= f->max_samples);
	for (i = 0; i < n; i++)	/* every sample must be initialised */
		sink ^= pcm[i];
	(void)sink;
}

static void on_event(void *userdata, unsigned event, bool end,
		     unsigned duration)
{
	struct fuzz_ctx *f = userdata;

	(void)duration;
	fuzz_assert(event == 0 || strchr("0123456789*#ABCD", (int)event));
	if (end) {
		fuzz_assert(f->sounding && f->digit == event);
		f->sounding = false;
	} else {
		fuzz_assert(!f->sounding);
		f->sounding = true;
		f->digit = event;
	}
}

static void set_addr(struct sockaddr_storage *ss, const char *ip, unsigned port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s4->sin_addr);
}

/* Keys for SRTP mode: the remote's (our rx), ours (tx). */
static void srtp_keys(unsigned suite, struct srtp_channel **ret_local,
		      struct srtp_channel **ret_remote)
{
	struct sdp_crypto rk = { 1, suite, { 0x5a, 1, 2, 3, 4, 5 } };
	struct sdp_crypto lk = { 1, suite, { 0xa5, 9, 8, 7, 6, 5 } };

	if (srtp_channel_new(ret_local) < 0 || srtp_channel_new(ret_remote) < 0 ||
	    srtp_channel_set_rx(*ret_local, &rk) < 0 ||
	    srtp_channel_set_tx(*ret_local, &lk) < 0 ||
	    srtp_channel_set_tx(*ret_remote, &rk) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sd_event *e;
	struct srtp_channel *local = NULL, *remote = NULL;
	struct rtp_callbacks cb = { .on_event = on_event };
	struct fuzz_ctx f = { 0 };
	struct rtp_session *s = NULL;
	struct sockaddr_storage from;
	struct rtp_stats st;
	int16_t pcm[160] = { 0 };
	unsigned mode;

	if (size < 1)
		return 0;
	if (!e && sd_event_new(&e) < 0)
		abort();
	mode = data[0];
	data++;
	size--;
	if (mode & 1)
		cb.on_audio = on_audio;
	if (rtp_session_new(e, "127.0.0.1", 0, 0, &cb, &f, &s) < 0)
		abort();
	if (mode >> 5) {
		/* bits 5-7: Opus, G.722, G.729 (and G.711 again) */
		int c = (CODEC_OPUS + (mode >> 5) - 1) % _CODEC_MAX;
		struct codec_params p;

		codec_params_default(c, &p);
		p.fec = p.dtx = mode & 2;
		if (rtp_session_set_remote_codec(s, "127.0.0.1", 9, c,
						 codec_offer_pt(c), &p, 101,
						 20) < 0)
			abort();
	} else if (rtp_session_set_remote(s, "127.0.0.1", 9, mode & 2 ?
					  RTP_PT_PCMA : RTP_PT_PCMU, 101,
					  20) < 0) {
		abort();
	}
	if (mode & 4) {
		srtp_keys((mode >> 3 & 3) % _SDP_CRYPTO_MAX, &local, &remote);
		rtp_session_set_srtp(s, local);
	}

	while (size >= 3) {
		unsigned flags = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];
		uint8_t *pkt;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		pkt = malloc(len + SRTP_CHANNEL_OVERHEAD);
		fuzz_assert(pkt);
		memcpy(pkt, data, len);
		data += len;
		size -= len;
		if (flags & 2)
			set_addr(&from, "127.0.0.3", 7000);
		else
			set_addr(&from, "127.0.0.1", 9);
		/* G.711 and G.722: a sample per byte; the others up to a
		 * packet's 120 ms */
		f.max_samples = mode >> 5 ? JITTER_SPAN_MAX : len;
		if (remote && (flags & 16) && len <= RTP_PACKET_MAX)
			(void)srtp_channel_protect(remote, pkt, &len, flags & 1);
		if (flags & 1)
			rx_rtcp(s, pkt, len, &from, sizeof(from));
		else
			rx_rtp(s, pkt, len, &from, sizeof(from));
		free(pkt);
		if (flags & 4)
			(void)rtp_session_playout(s, pcm, 160);
		if (flags & 8) {
			(void)rtp_session_send(s, pcm, 160);
			(void)rtp_session_send_rtcp(s);
		}
	}
	rtp_session_get_stats(s, &st);
	fuzz_assert(st.loss_percent == st.loss_percent);	/* not NaN */
	fuzz_assert(st.jitter_ms == st.jitter_ms);
	(void)rtp_session_send_rtcp(s);
	rtp_session_free(s);
	srtp_channel_free(local);
	srtp_channel_free(remote);
	return 0;
}
