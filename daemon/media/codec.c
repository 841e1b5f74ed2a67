// SPDX-License-Identifier: GPL-2.0-only
/*
 * codec.c - G.711, Opus, G.722 and G.729 behind one interface.  See codec.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bcg729/decoder.h>
#include <bcg729/encoder.h>
#include <opus/opus.h>
#include <spandsp/telephony.h>
#include <spandsp/g722.h>
#include <speex/speex_resampler.h>

#include "dsp/emodel.h"
#include "media/codec.h"
#include "media/g711.h"

#define OPUS_PT_OFFER		111
#define OPUS_BITRATE		20000	/* bit/s: narrowband SILK with room for FEC */
#define OPUS_LOSS_PERC		10	/* what the encoder plans FEC for */
#define G722_RATE		16000
#define G722_BITRATE		64000
#define G729_FRAME		80	/* samples: 10 ms */
#define G729_FRAME_BYTES	10
#define G729_SID_BYTES		2
#define RESAMPLER_QUALITY	5	/* speexdsp 0-10; 5: its VoIP setting */
#define FRAME_MAX		960	/* samples at 8 kHz: 120 ms */

struct codec_desc {
	const char *name;	/* config name */
	const char *rtp;	/* SDP encoding name */
	unsigned clock;
	unsigned channels;
	int static_pt;
};

static const struct codec_desc codec_table[_CODEC_MAX] = {
	[CODEC_PCMU] = { "pcmu", "PCMU", 8000, 1, 0 },
	[CODEC_PCMA] = { "pcma", "PCMA", 8000, 1, 8 },
	[CODEC_OPUS] = { "opus", "opus", 48000, 2, -1 },
	[CODEC_G722] = { "g722", "G722", 8000, 1, 9 },
	[CODEC_G729] = { "g729", "G729", 8000, 1, 18 },
};

static bool codec_valid(enum codec_id c)
{
	return (int)c >= 0 && c < _CODEC_MAX;
}

const char *codec_to_string(enum codec_id c)
{
	return codec_valid(c) ? codec_table[c].name : NULL;
}

enum codec_id codec_from_string(const char *s)
{
	int c;

	if (!s)
		return _CODEC_INVALID;
	for (c = 0; c < _CODEC_MAX; c++)
		if (strcasecmp(s, codec_table[c].name) == 0)
			return c;
	return _CODEC_INVALID;
}

const char *codec_rtp_name(enum codec_id c)
{
	return codec_valid(c) ? codec_table[c].rtp : NULL;
}

void codec_emodel(enum codec_id c, bool concealed, double *ie, double *bpl)
{
	switch (c) {
	case CODEC_G729:
		/* G.113 Appendix I: G.729A + VAD, its own concealment */
		*ie = EMODEL_IE_G729;
		*bpl = EMODEL_BPL_G729;
		return;
	case CODEC_OPUS:
	case CODEC_G722:
		/* G.113 has wideband figures only; narrowband here: as
		 * G.711, and they always conceal (the codec, or the jitter
		 * buffer on the decoded audio) */
		*ie = EMODEL_IE_G711;
		*bpl = EMODEL_BPL_G711_PLC;
		return;
	default:
		*ie = EMODEL_IE_G711;
		*bpl = concealed ? EMODEL_BPL_G711_PLC : EMODEL_BPL_G711;
		return;
	}
}

unsigned codec_clock(enum codec_id c)
{
	return codec_valid(c) ? codec_table[c].clock : 0;
}

unsigned codec_channels(enum codec_id c)
{
	return codec_valid(c) ? codec_table[c].channels : 0;
}

int codec_static_pt(enum codec_id c)
{
	return codec_valid(c) ? codec_table[c].static_pt : -1;
}

int codec_offer_pt(enum codec_id c)
{
	if (!codec_valid(c))
		return -1;
	return c == CODEC_OPUS ? OPUS_PT_OFFER : codec_table[c].static_pt;
}

enum codec_id codec_from_rtpmap(const char *name, unsigned clock,
				unsigned channels)
{
	int c;

	if (!name)
		return _CODEC_INVALID;
	for (c = 0; c < _CODEC_MAX; c++) {
		const struct codec_desc *d = &codec_table[c];

		if (strcasecmp(name, d->rtp) != 0 || clock != d->clock)
			continue;
		/* Opus must say /2 (RFC 7587 7); mono codecs /1 or nothing */
		if (c == CODEC_OPUS ? channels != 2 :
		    channels != 0 && channels != 1)
			continue;
		return c;
	}
	return _CODEC_INVALID;
}

bool codec_ptime_ok(enum codec_id c, unsigned ptime_ms)
{
	if (!codec_valid(c) || ptime_ms == 0 || ptime_ms > 120)
		return false;
	switch (c) {
	case CODEC_OPUS:
		return ptime_ms == 10 || ptime_ms % 20 == 0;
	case CODEC_G729:
		return ptime_ms % 10 == 0;
	default:
		return ptime_ms % 5 == 0;
	}
}

void codec_params_default(enum codec_id c, struct codec_params *ret)
{
	(void)c;
	*ret = (struct codec_params){
		.maxplaybackrate = 48000,
		.annexb = true,	/* RFC 4749 4.1.9: absent means yes */
	};
}

/* "0"/"1" */
static int parse_flag01(const char *v, size_t n)
{
	if (n == 1 && (v[0] == '0' || v[0] == '1'))
		return v[0] == '1';
	return -EBADMSG;
}

int codec_fmtp_parse(enum codec_id c, const char *fmtp,
		     struct codec_params *p)
{
	struct codec_params q;
	const char *s = fmtp;

	if (!codec_valid(c) || !fmtp || !p)
		return -EINVAL;
	q = *p;
	while (*s) {
		const char *key, *eq, *val;
		size_t kn, vn;
		int r;

		while (*s == ' ' || *s == ';' || *s == '\t')
			s++;
		if (!*s)
			break;
		key = s;
		s += strcspn(s, ";");
		eq = memchr(key, '=', s - key);
		if (!eq)
			continue;	/* "a;b": a flag we do not know */
		kn = eq - key;
		while (kn && key[kn - 1] == ' ')
			kn--;
		val = eq + 1;
		while (val < s && *val == ' ')
			val++;
		vn = s - val;
		while (vn && (val[vn - 1] == ' ' || val[vn - 1] == '\t'))
			vn--;
#define KEY(k) (kn == sizeof(k) - 1 && strncasecmp(key, k, kn) == 0)
		if (c == CODEC_OPUS && KEY("useinbandfec")) {
			r = parse_flag01(val, vn);
			if (r < 0)
				return r;
			q.fec = r;
		} else if (c == CODEC_OPUS && KEY("usedtx")) {
			r = parse_flag01(val, vn);
			if (r < 0)
				return r;
			q.dtx = r;
		} else if (c == CODEC_OPUS && KEY("maxplaybackrate")) {
			unsigned long v = 0;
			size_t i;

			if (vn == 0 || vn > 6)
				return -EBADMSG;
			for (i = 0; i < vn; i++) {
				if (!isdigit((unsigned char)val[i]))
					return -EBADMSG;
				v = v * 10 + (val[i] - '0');
			}
			if (v < 8000 || v > 48000)
				return -EBADMSG;
			q.maxplaybackrate = v;
		} else if (c == CODEC_G729 && KEY("annexb")) {
			if (vn == 3 && strncasecmp(val, "yes", 3) == 0)
				q.annexb = true;
			else if (vn == 2 && strncasecmp(val, "no", 2) == 0)
				q.annexb = false;
			else
				return -EBADMSG;
		}
#undef KEY
	}
	*p = q;
	return 0;
}

int codec_fmtp_format(enum codec_id c, bool annexb, char *buf, size_t len)
{
	int n;

	if (!buf || !len)
		return -ENOBUFS;
	switch (c) {
	case CODEC_OPUS:
		/* we play 8 kHz and want FEC; DTX would leave us to conceal */
		n = snprintf(buf, len, "maxplaybackrate=8000;sprop-maxcapturerate=8000;useinbandfec=1;usedtx=0");
		break;
	case CODEC_G729:
		n = snprintf(buf, len, "annexb=%s", annexb ? "yes" : "no");
		break;
	default:
		n = snprintf(buf, len, "%s", "");
		break;
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENOBUFS;
	}
	return n;
}

/* ---- the state ---- */

struct codec {
	enum codec_id id;
	struct codec_params params;
	OpusEncoder *opus_enc;
	OpusDecoder *opus_dec;
	g722_encode_state_t *g722_enc;
	g722_decode_state_t *g722_dec;
	SpeexResamplerState *up;	/* 8 -> 16 kHz before G.722 */
	SpeexResamplerState *down;	/* 16 -> 8 kHz after it */
	bcg729EncoderChannelContextStruct *g729_enc;
	bcg729DecoderChannelContextStruct *g729_dec;
};

enum codec_id codec_id(const struct codec *s)
{
	return s ? s->id : _CODEC_INVALID;
}

struct codec *codec_free(struct codec *s)
{
	if (!s)
		return NULL;
	if (s->opus_enc)
		opus_encoder_destroy(s->opus_enc);
	if (s->opus_dec)
		opus_decoder_destroy(s->opus_dec);
	if (s->g722_enc)
		g722_encode_free(s->g722_enc);
	if (s->g722_dec)
		g722_decode_free(s->g722_dec);
	if (s->up)
		speex_resampler_destroy(s->up);
	if (s->down)
		speex_resampler_destroy(s->down);
	if (s->g729_enc)
		closeBcg729EncoderChannel(s->g729_enc);
	if (s->g729_dec)
		closeBcg729DecoderChannel(s->g729_dec);
	free(s);
	return NULL;
}

static int opus_setup(struct codec *s)
{
	int err;

	s->opus_enc = opus_encoder_create(CODEC_RATE, 1, OPUS_APPLICATION_VOIP,
					  &err);
	if (!s->opus_enc)
		return err == OPUS_ALLOC_FAIL ? -ENOMEM : -EINVAL;
	s->opus_dec = opus_decoder_create(CODEC_RATE, 1, &err);
	if (!s->opus_dec)
		return err == OPUS_ALLOC_FAIL ? -ENOMEM : -EINVAL;
	if (opus_encoder_ctl(s->opus_enc, OPUS_SET_BITRATE(OPUS_BITRATE)) != OPUS_OK ||
	    opus_encoder_ctl(s->opus_enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK ||
	    opus_encoder_ctl(s->opus_enc, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_NARROWBAND)) != OPUS_OK ||
	    opus_encoder_ctl(s->opus_enc, OPUS_SET_INBAND_FEC(s->params.fec)) != OPUS_OK ||
	    opus_encoder_ctl(s->opus_enc, OPUS_SET_PACKET_LOSS_PERC(
				     s->params.fec ? OPUS_LOSS_PERC : 0)) != OPUS_OK ||
	    opus_encoder_ctl(s->opus_enc, OPUS_SET_DTX(s->params.dtx)) != OPUS_OK)
		return -EINVAL;
	return 0;
}

static int g722_setup(struct codec *s)
{
	int err;

	s->g722_enc = g722_encode_init(NULL, G722_BITRATE, 0);
	s->g722_dec = g722_decode_init(NULL, G722_BITRATE, 0);
	if (!s->g722_enc || !s->g722_dec)
		return -ENOMEM;
	s->up = speex_resampler_init(1, CODEC_RATE, G722_RATE,
				     RESAMPLER_QUALITY, &err);
	if (!s->up)
		return -ENOMEM;
	s->down = speex_resampler_init(1, G722_RATE, CODEC_RATE,
				       RESAMPLER_QUALITY, &err);
	if (!s->down)
		return -ENOMEM;
	/* start with the filters' history in place: no initial gap */
	speex_resampler_skip_zeros(s->up);
	speex_resampler_skip_zeros(s->down);
	return 0;
}

int codec_new(enum codec_id c, const struct codec_params *p,
	      struct codec **ret)
{
	struct codec *s;
	int r = 0;

	if (!codec_valid(c) || !ret)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = c;
	if (p)
		s->params = *p;
	else
		codec_params_default(c, &s->params);
	switch (c) {
	case CODEC_OPUS:
		r = opus_setup(s);
		break;
	case CODEC_G722:
		r = g722_setup(s);
		break;
	case CODEC_G729:
		s->g729_enc = initBcg729EncoderChannel(s->params.annexb);
		s->g729_dec = initBcg729DecoderChannel();
		if (!s->g729_enc || !s->g729_dec)
			r = -ENOMEM;
		break;
	default:
		break;
	}
	if (r < 0) {
		codec_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

/* ---- encode ---- */

static int g722_enc(struct codec *s, const int16_t *pcm, size_t n,
		    uint8_t *out, size_t max)
{
	int16_t wide[2 * FRAME_MAX];
	spx_uint32_t in_len = n, out_len = 2 * n;

	if (n > FRAME_MAX)
		return -EINVAL;
	if (max < n)
		return -ENOBUFS;
	speex_resampler_process_int(s->up, 0, pcm, &in_len, wide, &out_len);
	/* the resampler gives 2n samples for n (ratio 2): pad if it did not */
	if (out_len < 2 * n)
		memset(wide + out_len, 0, (2 * n - out_len) * sizeof(*wide));
	return g722_encode(s->g722_enc, out, wide, 2 * n);
}

static int g729_enc(struct codec *s, const int16_t *pcm, size_t n,
		    uint8_t *out, size_t max)
{
	size_t i, len = 0;
	bool sid = false;

	if (n % G729_FRAME)
		return -EINVAL;
	if (max < n / G729_FRAME * G729_FRAME_BYTES)
		return -ENOBUFS;
	for (i = 0; i < n; i += G729_FRAME) {
		uint8_t frame[G729_FRAME_BYTES];
		uint8_t flen = 0;

		bcg729Encoder(s->g729_enc, pcm + i, frame, &flen);
		if (flen == 0)
			continue;	/* Annex B: nothing to transmit */
		if (sid) {
			/* a SID frame may only end a packet (RFC 3551 4.5.6) */
			len -= G729_SID_BYTES;
			sid = false;
		}
		memcpy(out + len, frame, flen);
		len += flen;
		sid = flen == G729_SID_BYTES;
	}
	return (int)len;
}

int codec_encode(struct codec *s, const int16_t *pcm, size_t n, uint8_t *out,
		 size_t max)
{
	int r;

	if (!s || !pcm || !out || n == 0 || n > FRAME_MAX)
		return -EINVAL;
	switch (s->id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (max < n)
			return -ENOBUFS;
		r = g711_encode(s->id == CODEC_PCMU ? G711_ULAW : G711_ALAW,
				pcm, out, n);
		return r < 0 ? r : (int)n;
	case CODEC_OPUS:
		r = opus_encode(s->opus_enc, pcm, n, out, max > INT32_MAX ?
				INT32_MAX : (opus_int32)max);
		if (r == OPUS_BUFFER_TOO_SMALL)
			return -ENOBUFS;
		if (r < 0)
			return -EINVAL;
		/* 1-2 bytes with DTX on: a frame not to transmit */
		if (s->params.dtx && r <= 2)
			return 0;
		return r;
	case CODEC_G722:
		return g722_enc(s, pcm, n, out, max);
	case CODEC_G729:
		return g729_enc(s, pcm, n, out, max);
	default:
		return -EINVAL;
	}
}

/* ---- decode ---- */

static int g722_dec(struct codec *s, const uint8_t *in, size_t len,
		    int16_t *pcm, size_t max)
{
	int16_t wide[2 * FRAME_MAX];
	spx_uint32_t in_len, out_len = len;
	int k;

	if (len > FRAME_MAX || len > max)
		return -EBADMSG;
	k = g722_decode(s->g722_dec, wide, in, len);
	if (k < 0)
		return -EBADMSG;
	in_len = k;
	speex_resampler_process_int(s->down, 0, wide, &in_len, pcm, &out_len);
	if (out_len < len)
		memset(pcm + out_len, 0, (len - out_len) * sizeof(*pcm));
	return (int)len;
}

static int g729_dec(struct codec *s, const uint8_t *in, size_t len,
		    int16_t *pcm, size_t max)
{
	size_t frames = len / G729_FRAME_BYTES, rest = len % G729_FRAME_BYTES;
	size_t i, n = 0;

	if (rest != 0 && rest != G729_SID_BYTES)
		return -EBADMSG;
	if ((frames + (rest != 0)) * G729_FRAME > max)
		return -EBADMSG;
	for (i = 0; i < frames; i++, n += G729_FRAME)
		bcg729Decoder(s->g729_dec, in + i * G729_FRAME_BYTES,
			      G729_FRAME_BYTES, 0, 0, 0, pcm + n);
	if (rest) {
		/* SID: comfort noise (Annex B) */
		bcg729Decoder(s->g729_dec, in + frames * G729_FRAME_BYTES,
			      G729_SID_BYTES, 0, 1, 0, pcm + n);
		n += G729_FRAME;
	}
	return (int)n;
}

int codec_packet_samples(const struct codec *s, const uint8_t *in, size_t len)
{
	int r;

	if (!s || !in || len == 0)
		return -EBADMSG;
	switch (s->id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
	case CODEC_G722:
		return (int)len;
	case CODEC_OPUS:
		r = opus_packet_get_nb_samples(in, len, CODEC_RATE);
		return r <= 0 ? -EBADMSG : r;
	case CODEC_G729:
		if (len % G729_FRAME_BYTES != 0 &&
		    len % G729_FRAME_BYTES != G729_SID_BYTES)
			return -EBADMSG;
		return (int)((len + G729_FRAME_BYTES - 1) / G729_FRAME_BYTES *
			     G729_FRAME);
	default:
		return -EBADMSG;
	}
}

int codec_decode(struct codec *s, const uint8_t *in, size_t len, int16_t *pcm,
		 size_t max)
{
	int r;

	if (!s || !in || !pcm || len == 0 || len > CODEC_PAYLOAD_MAX)
		return -EBADMSG;
	switch (s->id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (len > max)
			return -EBADMSG;
		r = g711_decode(s->id == CODEC_PCMU ? G711_ULAW : G711_ALAW,
				in, pcm, len);
		return r < 0 ? -EBADMSG : (int)len;
	case CODEC_OPUS:
		r = codec_packet_samples(s, in, len);
		if (r < 0 || (size_t)r > max)
			return -EBADMSG;
		r = opus_decode(s->opus_dec, in, len, pcm, r, 0);
		return r < 0 ? -EBADMSG : r;
	case CODEC_G722:
		return g722_dec(s, in, len, pcm, max);
	case CODEC_G729:
		return g729_dec(s, in, len, pcm, max);
	default:
		return -EBADMSG;
	}
}

int codec_decode_fec(struct codec *s, const uint8_t *in, size_t len,
		     int16_t *pcm, size_t n)
{
	int r;

	if (!s)
		return -EINVAL;
	if (s->id != CODEC_OPUS)
		return -EOPNOTSUPP;
	if (!in || len == 0 || len > CODEC_PAYLOAD_MAX || n == 0 ||
	    n > FRAME_MAX || n % 20)
		return -EBADMSG;
	r = opus_decode(s->opus_dec, in, len, pcm, n, 1);
	return r < 0 ? -EBADMSG : r;
}
