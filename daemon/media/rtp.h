/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtp.h - one RTP session (RFC 3550) on sd-event: audio over UDP in one of
 * the codecs of media/codec.h (G.711, Opus, G.722, G.729).
 *
 * The session owns a UDP socket on an even port and one on the next (odd)
 * port for RTCP.  Outgoing audio (8 kHz) is encoded with the negotiated
 * codec and sent in packets of ptime; the RTP timestamps count the codec's
 * clock (48 kHz for Opus, 8 kHz for the others, G.722 included).  Received
 * timestamps are mapped to 8 kHz for the jitter buffer.  With Opus, a
 * packet that follows a single lost one gives the lost one back from its
 * in-band FEC when it carries some (fec_recovered).  Incoming packets are validated and decoded;
 * then either handed to on_audio at once (when the callbacks set it: no
 * jitter buffer, no concealment) or, when on_audio is NULL, put into an
 * adaptive jitter buffer (jitter.h) that the owner drains with
 * rtp_session_playout() once per frame of its own audio clock, and that
 * conceals lost and late packets.
 *
 * Whose packets count: those from the address rtp_session_set_remote()
 * names (the SDP's); packets from anywhere else are ignored (counted in
 * packets_ignored), so a stranger's packet cannot take the call's audio
 * over or block it.  Symmetric RTP, for a far end behind NAT that sends
 * from another address than its SDP names: while nothing at all has come
 * from the signalled address, a source that sends RTP_LATCH_PACKETS
 * consistent packets in a row (one SSRC, each sequence number 1 to 10
 * above the one before, our payload types) becomes the remote: its packets
 * are taken from then on and ours go to it.  That happens at most once per
 * set_remote, and never once the signalled address has been heard: a
 * source that flows is never replaced.  A set_remote to the same address
 * (a session refresh, hold) keeps the source found.
 * rtp_session_set_symmetric(s, false) turns the latching off: only the
 * signalled address is ever heard and sent to.
 *
 * RTCP (RFC 3550): a compound report, SR if we sent RTP since the last
 * report, else RR, with a report block about the remote source when it
 * sent since the last report, and an SDES CNAME, goes every
 * rtcp interval (5 s) randomised to 0.5-1.5 times (the first after half
 * of that), to the remote's RTCP port: RTP port + 1 unless
 * rtp_session_set_remote_rtcp() says otherwise, on the remote's address;
 * the first valid RTCP packet received latches the RTCP destination to
 * its source.  RTCP from another IP address than the remote's is ignored
 * (rtcp_ignored).  Received SR/RR are parsed: the SR's timestamp for our LSR
 * and DLSR, the report block about us for the remote's view of our
 * stream and the round-trip time (A - LSR - DLSR).  Invalid compound
 * packets are counted in rtcp_invalid.  No BYE is sent.
 *
 * Every valid RTP packet whose payload type is neither the audio nor the
 * telephone-event one is ignored; telephone-event packets (RFC 4733) are
 * counted and decoded, and each event reaches on_event (below).
 * Malformed packets (short, version != 2, CSRC list, extension or padding
 * beyond the packet, oversize) never reach a callback and are counted in
 * packets_invalid.
 */
#ifndef FXSD_RTP_H
#define FXSD_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "media/codec.h"
#include "media/rtcpxr.h"

#define RTP_PT_PCMU		0
#define RTP_PT_PCMA		8
#define RTP_PTIME_DEFAULT	20	/* ms */
#define RTP_PTIME_MAX		120	/* ms: 960 samples per packet */
#define RTP_PACKET_MAX		1500	/* bytes; longer datagrams are invalid */
#define RTP_RECV_BURST		64	/* packets read per wakeup */
#define RTP_RTCP_INTERVAL	5000	/* ms, RFC 3550 minimum */
#define RTP_CNAME_MAX		255
#define RTP_LATCH_PACKETS	5	/* consistent packets to latch (NAT) */

/* What rtp_session_playout() returned. */
#define RTP_PLAYOUT_SILENCE	0	/* nothing received (yet): silence */
#define RTP_PLAYOUT_AUDIO	1	/* received audio */
#define RTP_PLAYOUT_CONCEALED	2	/* (partly) concealment of a loss */

struct rtp_session;

struct rtp_callbacks {
	/* Decoded samples of one audio packet (8 kHz), as it arrives.
	 * NULL: audio goes through the jitter buffer, to be fetched with
	 * rtp_session_playout().  The session must not be freed from inside
	 * a callback. */
	void (*on_audio)(void *userdata, const int16_t *pcm, size_t n);
	/* RFC 4733 telephone-events received: @event is the digit's
	 * character ('0'-'9', '*', '#', 'A'-'D'), once with @end false when
	 * it starts and once with @end true (and its @duration in samples)
	 * when it ends, whatever duplicates and losses came in between. */
	void (*on_event)(void *userdata, unsigned event, bool end,
			 unsigned duration);
};

/**
 * struct rtp_stats - counters of a session
 * @packets_sent: RTP packets sent
 * @octets_sent: payload octets sent (as in an RTCP SR)
 * @packets_received: valid packets accepted (audio and telephone-event)
 * @octets_received: their payload octets
 * @packets_invalid: malformed datagrams dropped
 * @packets_ignored: valid RTP but not for us: other payload type, another
 *	source than the remote (a latch candidate's packets included), no
 *	remote set yet, a wild sequence jump
 * @send_errors: packets the socket refused
 * @expected: packets expected from the current remote source (RFC 3550
 *	A.3: extended highest sequence number - first + 1)
 * @lost: @expected minus the packets received from it; negative with
 *	duplicates
 * @last_seq: extended highest sequence number received (cycles << 16 | seq)
 * @jitter: interarrival jitter in timestamp units (RFC 3550 6.4.1,
 *	J += (|D| - J) / 16), of audio packets
 * @remote_ssrc: SSRC of the current remote source
 * @ssrc: our SSRC
 * @fec_recovered: lost Opus packets recovered from the next one's FEC
 *
 * Filled in by rtp_session_get_stats() from the above and the rest:
 * @rtcp_sent: RTCP compound packets sent
 * @rtcp_received: valid RTCP compound packets received
 * @rtcp_invalid: malformed RTCP datagrams dropped
 * @rtcp_ignored: RTCP datagrams from another host than the remote
 * @srtp_auth_failed: SRTP/SRTCP datagrams that failed authentication (or
 *	came before a key): dropped before any other check
 * @srtp_replayed: SRTP/SRTCP datagrams dropped as replays
 * @loss_percent: @lost / @expected in percent (0 when @lost < 0)
 * @jitter_ms: @jitter in ms
 * @rtt_ms: round-trip time from the last RR/SR about us with an LSR; < 0:
 *	not known yet
 * @remote_report: the remote reported on our stream; then:
 * @remote_fraction_lost: its last fraction lost (x / 256)
 * @remote_lost: its cumulative number of packets lost
 * @remote_jitter_ms: its interarrival jitter of our packets, ms
 * @playout: audio goes through the jitter buffer (on_audio NULL); then:
 * @frames_played: rtp_session_playout() calls
 * @frames_concealed: ... that had to conceal a loss
 * @late: packets that came after their playout time (late loss)
 * @duplicates: duplicate packets dropped by the jitter buffer
 * @jitter_buffer_ms: the jitter buffer's delay (mean over the call)
 * @loss_effective_percent: (@lost + @late) / @expected, percent: what the
 *	listener hears
 * @delay_ms: one-way delay estimate: @rtt_ms / 2 (0 when unknown) +
 *	@jitter_buffer_ms + EMODEL_DEVICE_MS
 * @r_factor: ITU-T G.107 R (emodel.h) from @delay_ms and
 *	@loss_effective_percent, random loss, with the codec's Ie and Bpl
 *	(codec_emodel(): G.711 Bpl 25.1 with concealment when @playout,
 *	else 4.3; G.729 Ie 11, Bpl 19)
 * @mos: the MOS estimate from @r_factor
 */
struct rtp_stats {
	uint64_t packets_sent;
	uint64_t octets_sent;
	uint64_t packets_received;
	uint64_t octets_received;
	uint64_t packets_invalid;
	uint64_t packets_ignored;
	uint64_t send_errors;
	uint64_t expected;
	int64_t lost;
	uint32_t last_seq;
	uint32_t jitter;
	uint32_t remote_ssrc;
	uint32_t ssrc;
	uint64_t fec_recovered;

	uint64_t rtcp_sent;
	uint64_t rtcp_received;
	uint64_t rtcp_invalid;
	uint64_t rtcp_ignored;
	uint64_t srtp_auth_failed;
	uint64_t srtp_replayed;
	double loss_percent;
	double jitter_ms;
	double rtt_ms;
	bool remote_report;
	uint8_t remote_fraction_lost;
	int32_t remote_lost;
	double remote_jitter_ms;
	bool playout;
	uint64_t frames_played;
	uint64_t frames_concealed;
	uint64_t late;
	uint64_t duplicates;
	double jitter_buffer_ms;
	double loss_effective_percent;
	double delay_ms;
	double r_factor;
	double mos;
};

struct srtp_channel;

/*
 * Protect what the session sends and authenticate what it receives with
 * @c (media/srtp.h), which the caller keeps and frees; NULL: plain RTP.
 * While @c is set, a datagram that fails authentication or is a replay is
 * counted (@srtp_auth_failed, @srtp_replayed) and dropped, before it can
 * latch the source.
 */
void rtp_session_set_srtp(struct rtp_session *s, struct srtp_channel *c);

/*
 * Bind a session on @bind_addr (an IPv4/IPv6 literal; NULL: any address,
 * IPv6 dual-stack when available) to an even port in [@port_min,
 * @port_max] (RTCP takes port + 1, which may lie just above @port_max),
 * starting at a random point of the range.  @port_min = @port_max = 0: an
 * even port the kernel chooses.  @cb is copied.  Returns 0 and the session
 * in *@ret, -EINVAL for bad arguments, -EADDRINUSE when every port pair of
 * the range is taken, or another negative errno.
 */
int rtp_session_new(sd_event *e, const char *bind_addr, unsigned port_min,
		    unsigned port_max, const struct rtp_callbacks *cb,
		    void *userdata, struct rtp_session **ret);
/* Frees the session and closes its sockets; NULL-safe; returns NULL. */
struct rtp_session *rtp_session_free(struct rtp_session *s);
unsigned rtp_session_local_port(const struct rtp_session *s);

/* For __attribute__((cleanup)). */
static inline void rtp_session_freep(struct rtp_session **s)
{
	rtp_session_free(*s);
}

/* Symmetric RTP (latching, above) on (the default) or off. */
void rtp_session_set_symmetric(struct rtp_session *s, bool on);
/*
 * Set (or change) the peer: where to send, the audio payload type
 * (RTP_PT_PCMU or RTP_PT_PCMA: it names the law), the telephone-event
 * payload type (0-127 but not the audio one, or -1 for none), ptime in
 * ms (multiple of 5, at most RTP_PTIME_MAX; 0 = RTP_PTIME_DEFAULT).
 * A new address restarts latching and the receive statistics of the
 * remote source (the same address keeps both); sending is turned on; our
 * SSRC, sequence number and timestamp continue.  A changed ptime drops
 * buffered partial frames.  The RTCP destination becomes @addr, port
 * @port + 1 (and unlatched); the jitter buffer keeps its contents (it
 * starts over by itself when the SSRC changes).  Arms the RTCP timer.
 * Returns 0 or -EINVAL (nothing changed).
 */
int rtp_session_set_remote(struct rtp_session *s, const char *addr,
			   unsigned port, int payload_type, int te_payload_type,
			   unsigned ptime_ms);

/*
 * The same with any codec of media/codec.h: @codec (enum codec_id) under
 * @payload_type on the wire (its static number, or dynamic 96-127), with
 * the remote's fmtp @params for our encoder (NULL: the codec's defaults).
 * A codec or parameters other than the session's take a new encoder and
 * decoder (a re-INVITE that changes the codec), and when the clock
 * changes the remote's timestamps are mapped afresh; the same keep them.
 * A ptime the codec cannot do (Opus 30 ms) becomes RTP_PTIME_DEFAULT.
 */
int rtp_session_set_remote_codec(struct rtp_session *s, const char *addr,
				 unsigned port, int codec, int payload_type,
				 const struct codec_params *params,
				 int te_payload_type, unsigned ptime_ms);

/*
 * The audio's payload type on the wire when the SDP gave the law a
 * dynamic number (96-127; e.g. "a=rtpmap:96 PCMA/8000"): packets are sent
 * with it and only packets carrying it are audio.  Call after
 * rtp_session_set_remote(), which resets it to the static number.  A
 * static number must be the law's own.  Returns 0 or -EINVAL.
 */
int rtp_session_set_payload_type(struct rtp_session *s, int payload_type);

/*
 * Send or not (hold: the far end's SDP is sendonly / inactive, or ours
 * is).  While off, rtp_session_send() and rtp_session_send_event() send
 * nothing (the timestamp runs on); receiving and RTCP go on.
 * rtp_session_set_remote() turns sending on.
 */
void rtp_session_set_sending(struct rtp_session *s, bool on);

/* A datagram of @len octets from the remote, as it came (UDPTL). */
typedef void (*rtp_datagram_fn)(void *opaque, const uint8_t *buf, size_t len);

/*
 * T.38: UDPTL in place of RTP on the session's socket (the port the audio
 * used, as ATAs do), to and from @addr:@port.  From now on every datagram
 * from there goes to @fn unparsed (with symmetric RTP, also one from
 * another port of that host before the remote is heard: it becomes the
 * remote); audio and RTCP are neither sent nor taken, until
 * rtp_session_set_remote*() takes the session back to audio.  Returns 0
 * or -EINVAL.
 */
int rtp_session_set_udptl(struct rtp_session *s, const char *addr,
			  unsigned port, rtp_datagram_fn fn, void *opaque);
bool rtp_session_is_udptl(const struct rtp_session *s);
/* One UDPTL packet to the remote: 0, -ENOTCONN (not UDPTL), or the send
 * error (counted in send_errors). */
int rtp_session_send_udptl(struct rtp_session *s, const uint8_t *pkt,
			   size_t len);

/*
 * Voiceband data (fax, modem; the caller tells): the playout buffer holds
 * its delay and plays losses as silence, no concealment (jitter.h,
 * jitter_set_fixed()).  Off: adaptive again.
 */
void rtp_session_set_data(struct rtp_session *s, bool on);

/*
 * Queue @n samples (8 kHz) of audio; every complete ptime frame is encoded
 * and sent at once, the rest waits for the next call.  Returns 0;
 * -ENOTCONN when no remote is set (the samples are dropped); or the first
 * send error (counted in send_errors; the frame is lost, sequence number
 * and timestamp advance as if it had been sent, the session stays usable).
 */
int rtp_session_send(struct rtp_session *s, const int16_t *pcm, size_t n);

/*
 * Send one RFC 4733 packet (payload from rfc4733_sender_poll()) with the
 * negotiated telephone-event type, the event's own @timestamp and @marker;
 * -EOPNOTSUPP when the far end offered no telephone-event.  While an event
 * is sent, audio is not: call rtp_session_skip() for each frame instead, so
 * that the audio timestamps go on counting time.
 */
int rtp_session_send_event(struct rtp_session *s, const uint8_t *payload,
			   size_t len, uint32_t timestamp, bool marker);
/* The RTP timestamp the next audio packet will carry. */
uint32_t rtp_session_next_timestamp(const struct rtp_session *s);
/* Let @n samples of time pass without sending them. */
void rtp_session_skip(struct rtp_session *s, size_t n);

void rtp_session_get_stats(const struct rtp_session *s,
			   struct rtp_stats *ret);

/*
 * One frame of the remote's audio for the local playout clock: fill @pcm
 * with @n samples (1..960; 160 for 20 ms), from the jitter buffer,
 * concealment or silence.  Call it once per frame, at the pace of the
 * audio device, whatever the ptime.  Returns RTP_PLAYOUT_*, -EINVAL, or
 * -EBUSY when on_audio is set (the session delivers audio itself; @pcm
 * is filled with silence).
 */
int rtp_session_playout(struct rtp_session *s, int16_t *pcm, size_t n);

/*
 * The remote's RTCP address from SDP (RFC 3605 a=rtcp): @addr (NULL: the
 * RTP address) and @port.  Call after rtp_session_set_remote(), which
 * resets it to RTP port + 1.  Returns 0 or -EINVAL.
 */
int rtp_session_set_remote_rtcp(struct rtp_session *s, const char *addr,
				unsigned port);

/* The RTCP report interval in ms (randomised 0.5-1.5 times each time);
 * 0 stops the reports.  Default RTP_RTCP_INTERVAL.  Returns 0 or
 * -EINVAL. */
int rtp_session_set_rtcp_interval(struct rtp_session *s, unsigned ms);

/* The SDES CNAME (1..RTP_CNAME_MAX bytes; default a random
 * "fxsd-<16 hex digits>", RFC 7022).  Returns 0 or -EINVAL. */
int rtp_session_set_cname(struct rtp_session *s, const char *cname);

/* Append an RTCP XR VoIP Metrics block (RFC 3611 4.7) with the values
 * of @m (copied; its ssrc is replaced by the remote's) to every compound
 * report from now on, until called with NULL.  Off by default: only when
 * the remote's SDP asked for voip-metrics (RFC 3611 5.1).  Returns 0 or
 * -EINVAL. */
int rtp_session_set_xr(struct rtp_session *s, const struct rtcp_xr_voip *m);

/*
 * The values of an XR VoIP Metrics block (and of an RFC 6035 report)
 * that the session knows, into @m (the rest as rtcp_xr_voip_init()):
 * loss and discard rates, bursts and gaps of the frames played out
 * (those that concealed a missing or late packet are lost; growing the
 * buffer is not), round-trip delay (RTCP), end-system delay (the
 * jitter buffer + EMODEL_DEVICE_MS), the received audio's signal and
 * noise levels, R and MOS (the E-model of rtp_session_get_stats(), as
 * MOS-LQ and MOS-CQ alike), the jitter buffer's figures.  The caller
 * adds RERL.
 */
void rtp_session_xr_fill(struct rtp_session *s, struct rtcp_xr_voip *m);

/* Send an RTCP report now (the timer goes on).  Returns 0, -ENOTCONN
 * without a remote, or the send error. */
int rtp_session_send_rtcp(struct rtp_session *s);

#endif /* FXSD_RTP_H */
