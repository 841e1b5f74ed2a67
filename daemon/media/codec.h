/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * codec.h - the audio codecs of an RTP stream, behind one interface.
 *
 * The board's audio is 8 kHz 16-bit linear; every codec here takes and
 * gives that, whatever it carries on the wire:
 *
 *	name	RTP name/clock	PT	what it is
 *	pcmu	PCMU/8000	0	G.711 mu-law (media/g711.c)
 *	pcma	PCMA/8000	8	G.711 A-law
 *	opus	opus/48000/2	dynamic	Opus (libopus, RFC 7587); the encoder
 *				and decoder run at 8 kHz (narrowband: the
 *				board has nothing above 4 kHz), timestamps
 *				count 48 kHz whatever the bandwidth
 *	g722	G722/8000	9	G.722 at 64 kbit/s (spandsp); the audio
 *				is 16 kHz (RFC 3551's clock of 8000 is a
 *				historical mistake kept on the wire),
 *				resampled from and to 8 kHz with speexdsp
 *	g729	G729/8000	18	G.729 (bcg729), Annex B (VAD, SID frames
 *				and comfort noise) when annexb says so
 *
 * The fmtp parameters (struct codec_params) are what the far end's SDP
 * asked of our encoder: Opus in-band FEC (useinbandfec=1) and DTX
 * (usedtx=1), its maxplaybackrate; G.729 Annex B (annexb=yes, the default
 * of RFC 4749 when absent).  codec_fmtp_parse() reads them from an
 * a=fmtp value, codec_fmtp_format() writes ours.
 *
 * Pure code apart from the libraries' allocations: no I/O, no logging.
 * media/ never sees SIP.
 */
#ifndef FXSD_CODEC_H
#define FXSD_CODEC_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CODEC_RATE		8000	/* the board's audio, Hz */
#define CODEC_FMTP_MAX		128	/* codec_fmtp_format() buffer */
#define CODEC_PAYLOAD_MAX	1500	/* longest encoded packet, bytes */

enum codec_id {
	CODEC_PCMU,
	CODEC_PCMA,
	CODEC_OPUS,
	CODEC_G722,
	CODEC_G729,
	_CODEC_MAX,
	_CODEC_INVALID = -EINVAL,
};

/* "pcmu", "pcma", "opus", "g722", "g729" (the config names); NULL when
 * out of range. */
const char *codec_to_string(enum codec_id c);
/* Case-insensitive; _CODEC_INVALID when unknown. */
enum codec_id codec_from_string(const char *s);
/* The SDP encoding name ("PCMU", "opus", "G722", ...); NULL out of range. */
const char *codec_rtp_name(enum codec_id c);
/*
 * The E-model's equipment impairment @ie and packet-loss robustness @bpl
 * (dsp/emodel.h) of codec @c as the phone hears it; @concealed: lost
 * packets are concealed (by the codec or fxsd's jitter buffer), else
 * played as silence (G.711 only: Bpl 4.3).  G.711 for a codec out of
 * range.
 */
void codec_emodel(enum codec_id c, bool concealed, double *ie, double *bpl);

/* The RTP clock rate (8000; 48000 for Opus); 0 out of range. */
unsigned codec_clock(enum codec_id c);
/* Channels in the rtpmap (2 for Opus, RFC 7587 says so; else 1). */
unsigned codec_channels(enum codec_id c);
/* The static payload type (0, 8, 9, 18), -1 for Opus. */
int codec_static_pt(enum codec_id c);
/* The payload type we offer it under (the static one, Opus 111). */
int codec_offer_pt(enum codec_id c);
/*
 * The codec an rtpmap names: @name (case-insensitive), @clock and
 * @channels (0 when the rtpmap had none); _CODEC_INVALID when not ours.
 */
enum codec_id codec_from_rtpmap(const char *name, unsigned clock,
				unsigned channels);
/* Whether packets of @ptime_ms ms are possible (Opus: 10, 20, 40, 60, 80,
 * 100, 120; G.729: multiples of 10; G.711, G.722: multiples of 5). */
bool codec_ptime_ok(enum codec_id c, unsigned ptime_ms);

/**
 * struct codec_params - fmtp parameters (what the far end asks of us)
 * @fec: Opus: send in-band FEC (the far end's useinbandfec=1)
 * @dtx: Opus: discontinuous transmission (its usedtx=1)
 * @maxplaybackrate: Opus: the highest rate it plays, Hz (default 48000)
 * @annexb: G.729: Annex B VAD/CNG (its annexb, default yes)
 */
struct codec_params {
	bool fec;
	bool dtx;
	unsigned maxplaybackrate;
	bool annexb;
};

/* The defaults of @c's fmtp when the SDP has none. */
void codec_params_default(enum codec_id c, struct codec_params *ret);

/*
 * Parse an a=fmtp value's parameters (what follows "a=fmtp:PT "), e.g.
 * "useinbandfec=1; usedtx=0" or "annexb=no", over the defaults in *@p.
 * Unknown parameters are ignored (RFC 7587 6.1); a known one with a bad
 * value is -EBADMSG (nothing written).  Returns 0.
 */
int codec_fmtp_parse(enum codec_id c, const char *fmtp,
		     struct codec_params *p);

/*
 * Our fmtp parameters for @c (what we ask of the far end: FEC, no DTX,
 * 8 kHz playback, and for G.729 @annexb) into @buf; "" when @c has none.
 * Returns the length or -ENOBUFS.
 */
int codec_fmtp_format(enum codec_id c, bool annexb, char *buf, size_t len);

struct codec;

/*
 * An encoder and decoder for @c with @p (NULL: the defaults).  Returns 0
 * and the state in *@ret, -EINVAL, or -ENOMEM.
 */
int codec_new(enum codec_id c, const struct codec_params *p,
	      struct codec **ret);
/* NULL-safe; returns NULL. */
struct codec *codec_free(struct codec *s);
enum codec_id codec_id(const struct codec *s);

/*
 * Encode @n samples (8 kHz, one packet's worth: a multiple of 80 for
 * G.729, an Opus frame size) into @out (@max bytes).  Returns the payload
 * length; 0 when there is nothing to send (Opus DTX, G.729 Annex B
 * silence); -EINVAL, -ENOBUFS.
 */
int codec_encode(struct codec *s, const int16_t *pcm, size_t n, uint8_t *out,
		 size_t max);

/*
 * Decode one packet's payload into at most @max samples at 8 kHz.
 * Returns the sample count (the packet's duration), or -EBADMSG for a
 * payload the codec cannot take (an empty one included).
 */
int codec_decode(struct codec *s, const uint8_t *in, size_t len, int16_t *pcm,
		 size_t max);

/*
 * Opus in-band FEC: recover the @n samples (8 kHz) lost just before the
 * packet @in from the redundancy it carries.  Returns @n, -EOPNOTSUPP
 * for other codecs, -EBADMSG.
 */
int codec_decode_fec(struct codec *s, const uint8_t *in, size_t len,
		     int16_t *pcm, size_t n);

/* Samples (8 kHz) the packet @in holds, without decoding it; -EBADMSG. */
int codec_packet_samples(const struct codec *s, const uint8_t *in, size_t len);

#endif /* FXSD_CODEC_H */
