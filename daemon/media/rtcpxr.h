/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtcpxr.h - the RTCP Extended Report (RFC 3611) VoIP Metrics report
 * block (block type 7, section 4.7), built from plain numbers: media/
 * knows nothing of the line or the echo canceller, the caller passes
 * their values in (RERL: the canceller's ERL + ERLE in dB).
 *
 * Units are those of the wire, already scaled by the caller where the
 * RFC scales (see struct rtcp_xr_voip); the builder only clamps each
 * field to its width.  Unknown 8-bit levels/scores are RTCP_XR_UNAVAIL
 * (127), as the RFC says.
 */
#ifndef FXSD_MEDIA_RTCPXR_H
#define FXSD_MEDIA_RTCPXR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_XR			207	/* RTCP packet type (RFC 3611 2) */
#define RTCP_XR_BT_VOIP		7	/* VoIP Metrics block type */
#define RTCP_XR_VOIP_SIZE	36	/* block size in octets */
#define RTCP_XR_PKT_SIZE	(8 + RTCP_XR_VOIP_SIZE)	/* header + block */
#define RTCP_XR_UNAVAIL		127	/* level/score not available */
#define RTCP_XR_GMIN		16	/* the RFC's recommended Gmin */

/* RX config (RFC 3611 4.7.6): PLC and jitter buffer adaptivity */
#define RTCP_XR_PLC_UNSPEC	0
#define RTCP_XR_PLC_DISABLED	1
#define RTCP_XR_PLC_ENHANCED	2
#define RTCP_XR_PLC_STANDARD	3
#define RTCP_XR_JBA_UNKNOWN	0
#define RTCP_XR_JBA_FIXED	2
#define RTCP_XR_JBA_ADAPTIVE	3

/**
 * struct rtcp_xr_voip - the values of one VoIP Metrics block
 * @ssrc: SSRC of the source reported on (the remote's)
 * @loss_rate: lost / expected, as a fraction x 256 (0-255)
 * @discard_rate: discarded (late, duplicate) / expected, x 256
 * @burst_density, @gap_density: fraction x 256 lost or discarded
 *	within bursts / gaps
 * @burst_duration, @gap_duration: mean durations in ms
 * @round_trip_delay: ms (from RTCP LSR/DLSR), 0 = unknown
 * @end_system_delay: ms (jitter buffer + frame + lookahead), 0 = unknown
 * @signal_level, @noise_level: dBm0 (signed), RTCP_XR_UNAVAIL if unknown
 * @rerl: residual echo return loss in dB, RTCP_XR_UNAVAIL if unknown
 * @gmin: burst/gap threshold (RTCP_XR_GMIN)
 * @r_factor: listening R (0-100), RTCP_XR_UNAVAIL if unknown
 * @ext_r_factor: R of the external network segment, RTCP_XR_UNAVAIL
 * @mos_lq, @mos_cq: MOS x 10 (10-50), RTCP_XR_UNAVAIL if unknown
 * @plc: RTCP_XR_PLC_*
 * @jba: RTCP_XR_JBA_*
 * @jb_rate: adjustment rate (0-15, 0 = unknown)
 * @jb_nominal, @jb_max, @jb_abs_max: ms
 */
struct rtcp_xr_voip {
	uint32_t ssrc;
	unsigned loss_rate, discard_rate;
	unsigned burst_density, gap_density;
	unsigned burst_duration, gap_duration;
	unsigned round_trip_delay, end_system_delay;
	int signal_level, noise_level;
	int rerl;
	unsigned gmin;
	unsigned r_factor, ext_r_factor;
	unsigned mos_lq, mos_cq;
	unsigned plc, jba, jb_rate;
	unsigned jb_nominal, jb_max, jb_abs_max;
};

/* Fill @m with "nothing known": levels and scores RTCP_XR_UNAVAIL,
 * Gmin RTCP_XR_GMIN, everything else 0. */
void rtcp_xr_voip_init(struct rtcp_xr_voip *m);

/* Write the VoIP Metrics block (RTCP_XR_VOIP_SIZE octets) into @p. */
void rtcp_xr_voip_block(const struct rtcp_xr_voip *m, uint8_t *p);

/* Write a whole XR packet (header with @sender_ssrc, then the block)
 * into @p (RTCP_XR_PKT_SIZE octets); returns its size. */
size_t rtcp_xr_voip_packet(const struct rtcp_xr_voip *m,
			   uint32_t sender_ssrc, uint8_t *p);

/* A fraction @num / @den as x 256 (0-255; 0 when @den is 0). */
unsigned rtcp_xr_fraction(uint64_t num, uint64_t den);

/**
 * struct rtcp_xr_burst - bursts and gaps of a stream (RFC 3611 4.7.2),
 * counted per frame played out: a burst is a stretch of frames that
 * begins and ends with a loss (lost or discarded: concealed) where
 * fewer than Gmin frames are received between two losses, and holds
 * two losses at least; everything else (isolated losses included) is
 * gap.  Zeroed it is empty.
 * @run: frames received since the last loss
 * @open_n, @open_lost: the burst (or lone loss) being built
 * @burst_n, @burst_lost, @bursts: closed bursts: frames, losses, count
 * @gap_n, @gap_lost: the gaps' frames and losses (closed stretches)
 * @lost: every loss, @n: every frame
 */
struct rtcp_xr_burst {
	uint64_t run;
	uint64_t open_n, open_lost;
	uint64_t burst_n, burst_lost, bursts;
	uint64_t gap_n, gap_lost;
	uint64_t lost, n;
};

/* One frame played out: @lost when it was concealed. */
void rtcp_xr_burst_frame(struct rtcp_xr_burst *b, bool lost);

/* The burst/gap fields of @m (densities x 256, mean durations in ms for
 * frames of @frame_ms, Gmin) from @b as it stands. */
void rtcp_xr_burst_fill(const struct rtcp_xr_burst *b, unsigned frame_ms,
			struct rtcp_xr_voip *m);

/**
 * struct rtcp_xr_level - the received signal's level (RFC 3611 4.7.4):
 * frames at RTCP_XR_SPEECH_DBM0 or above are speech (the signal level),
 * the others the idle channel (the noise level).  Zeroed it is empty.
 */
struct rtcp_xr_level {
	double speech_sum, noise_sum;	/* mean squares summed */
	uint64_t speech_n, noise_n;
};

#define RTCP_XR_SPEECH_DBM0	(-45)

/* One frame of @n 16-bit samples at 0 dBm0 = a sine of peak 22786. */
void rtcp_xr_level_frame(struct rtcp_xr_level *l, const int16_t *pcm,
			 size_t n);

/* The mean signal and noise levels in dBm0 (RTCP_XR_UNAVAIL when no
 * frame of that kind was seen). */
int rtcp_xr_level_signal(const struct rtcp_xr_level *l);
int rtcp_xr_level_noise(const struct rtcp_xr_level *l);

#endif
