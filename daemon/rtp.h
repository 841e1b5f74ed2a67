/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtp.h - one RTP session (RFC 3550) on sd-event: G.711 audio over UDP.
 *
 * The session owns a UDP socket on an even port and one on the next (odd)
 * port, reserved for RTCP (whatever arrives there is read and dropped; no
 * RTCP is sent yet).  Outgoing audio is encoded with the negotiated law
 * and sent in packets of ptime; incoming packets are validated, decoded and
 * handed to on_audio.  Symmetric RTP: the first valid packet after
 * rtp_session_set_remote() "latches" the destination to its source address
 * (for phones behind NAT); from then on packets from other sources are
 * ignored (counted in packets_ignored) until the next set_remote.
 *
 * Every valid RTP packet whose payload type is neither the audio nor the
 * telephone-event one is ignored; telephone-event packets (RFC 4733) are
 * accepted and counted but not yet decoded (on_event is never called yet).
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

#define RTP_PT_PCMU		0
#define RTP_PT_PCMA		8
#define RTP_PTIME_DEFAULT	20	/* ms */
#define RTP_PTIME_MAX		120	/* ms: 960 samples per packet */
#define RTP_PACKET_MAX		1500	/* bytes; longer datagrams are invalid */
#define RTP_RECV_BURST		64	/* packets read per wakeup */

struct rtp_session;

struct rtp_callbacks {
	/* Decoded samples of one audio packet (8 kHz).  The session must
	 * not be freed from inside a callback. */
	void (*on_audio)(void *userdata, const int16_t *pcm, size_t n);
	/* Reserved for RFC 4733 events; not called yet. */
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
 * @packets_ignored: valid RTP but not for us: other payload type, other
 *	source after latching, no remote set yet, a wild sequence jump
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
};

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

/*
 * Set (or change) the peer: where to send, the audio payload type
 * (RTP_PT_PCMU or RTP_PT_PCMA: it names the law), the telephone-event
 * payload type (0-127 but not the audio one, or -1 for none), ptime in
 * ms (multiple of 5, at most RTP_PTIME_MAX; 0 = RTP_PTIME_DEFAULT).
 * Restarts latching and the receive statistics of the remote source; our
 * SSRC, sequence number and timestamp continue.  A changed ptime drops
 * buffered partial frames.
 * Returns 0 or -EINVAL (nothing changed).
 */
int rtp_session_set_remote(struct rtp_session *s, const char *addr,
			   unsigned port, int payload_type, int te_payload_type,
			   unsigned ptime_ms);

/*
 * Queue @n samples (8 kHz) of audio; every complete ptime frame is encoded
 * and sent at once, the rest waits for the next call.  Returns 0;
 * -ENOTCONN when no remote is set (the samples are dropped); or the first
 * send error (counted in send_errors; the frame is lost, sequence number
 * and timestamp advance as if it had been sent, the session stays usable).
 */
int rtp_session_send(struct rtp_session *s, const int16_t *pcm, size_t n);

void rtp_session_get_stats(const struct rtp_session *s,
			   struct rtp_stats *ret);

#endif /* FXSD_RTP_H */
