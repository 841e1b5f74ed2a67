// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_codec.c - unit tests of media/codec.c: the table, fmtp parsing, and
 * a round trip of a two-tone signal through each codec, measured against
 * the input (normalised cross-correlation at the best lag, and the SNR
 * there), not against anything the codec says of itself.
 *
 * The decoders here are the encoders' own libraries (libopus, spandsp,
 * bcg729); tests/daemon/codec_ffmpeg.sh decodes the same streams with
 * ffmpeg's own decoders, which share no code with them.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "dsp/emodel.h"
#include "media/codec.h"
#include "unit.h"

#define RATE	8000
#define SECS	2
#define N	(RATE * SECS)
#define LAG_MAX	400	/* samples: the codecs' delays are below 50 ms */

/* 440 + 1130 Hz, -12 dBFS each, with a slow amplitude swell. */
static void make_signal(int16_t *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / RATE;
		double a = 0.6 + 0.4 * sin(2 * M_PI * 1.5 * t);

		x[i] = (int16_t)(a * (8000 * sin(2 * M_PI * 440 * t) +
				      6000 * sin(2 * M_PI * 1130 * t + 1.0)));
	}
}

/*
 * Normalised cross-correlation of @y (delayed by the lag) with @x over the
 * second half of the signal (past the codecs' start-up); the best lag in
 * *@ret_lag, the SNR in dB there in *@ret_snr.
 */
static double best_ncc(const int16_t *x, const int16_t *y, size_t n,
		       int *ret_lag, double *ret_snr)
{
	double best = -2.0;
	size_t from = n / 2, len = n / 2 - LAG_MAX;

	for (int lag = 0; lag < LAG_MAX; lag++) {
		double xy = 0, xx = 0, yy = 0, ncc;

		for (size_t i = from; i < from + len; i++) {
			xy += (double)x[i - lag] * y[i];
			xx += (double)x[i - lag] * x[i - lag];
			yy += (double)y[i] * y[i];
		}
		ncc = xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0;
		if (ncc > best) {
			double e = 0;

			best = ncc;
			*ret_lag = lag;
			for (size_t i = from; i < from + len; i++) {
				double d = (double)y[i] - x[i - lag];

				e += d * d;
			}
			*ret_snr = 10 * log10(xx / (e > 0 ? e : 1));
		}
	}
	return best;
}

/* Encode @x in @frame-sample packets and decode them: into @y. */
static int round_trip(enum codec_id id, const struct codec_params *p,
		      const int16_t *x, int16_t *y, size_t n, size_t frame,
		      size_t *ret_bytes)
{
	struct codec *c;
	uint8_t pkt[CODEC_PAYLOAD_MAX];
	size_t i, bytes = 0;
	int r;

	r = codec_new(id, p, &c);
	if (r < 0)
		return r;
	for (i = 0; i + frame <= n; i += frame) {
		int k = codec_encode(c, x + i, frame, pkt, sizeof(pkt));

		if (k < 0) {
			codec_free(c);
			return k;
		}
		bytes += k;
		if (k == 0) {
			/* not transmitted: silence */
			for (size_t j = 0; j < frame; j++)
				y[i + j] = 0;
			continue;
		}
		if (codec_packet_samples(c, pkt, k) != (int)frame) {
			codec_free(c);
			return -EPROTO;
		}
		r = codec_decode(c, pkt, k, y + i, frame);
		if (r != (int)frame) {
			codec_free(c);
			return r < 0 ? r : -EPROTO;
		}
	}
	codec_free(c);
	*ret_bytes = bytes;
	return 0;
}

static void check_codec(enum codec_id id, size_t frame, double min_ncc,
			double min_snr, size_t want_bytes_per_s)
{
	int16_t *x = malloc(N * sizeof(*x)), *y = calloc(N, sizeof(*y));
	struct codec_params p;
	size_t bytes = 0;
	double ncc, snr = 0;
	int lag = -1, r;

	if (!x || !y) {
		free(x);
		free(y);
		unit_fail(__FILE__, __LINE__, "out of memory");
		return;
	}
	make_signal(x, N);
	codec_params_default(id, &p);
	p.annexb = false;	/* every G.729 frame sent: codec_g729_annexb */
	r = round_trip(id, &p, x, y, N, frame, &bytes);
	ncc = best_ncc(x, y, N, &lag, &snr);
	free(x);
	free(y);
	CHECK(r == 0, "%s: round trip %d", codec_to_string(id), r);
	CHECK(ncc >= min_ncc, "%s: correlation %.3f < %.3f (lag %d, SNR %.1f dB)",
	      codec_to_string(id), ncc, min_ncc, lag, snr);
	CHECK(snr >= min_snr, "%s: SNR %.1f dB < %.1f (lag %d)",
	      codec_to_string(id), snr, min_snr, lag);
	if (want_bytes_per_s)
		CHECK(bytes / SECS == want_bytes_per_s, "%s: %zu bytes/s, want %zu",
		      codec_to_string(id), bytes / SECS, want_bytes_per_s);
	printf("# %s: correlation %.4f, SNR %.1f dB at lag %d, %zu bit/s\n",
	       codec_to_string(id), ncc, snr, lag, bytes * 8 / SECS);
}

UNIT_TEST(codec_round_trip_pcmu)
{
	check_codec(CODEC_PCMU, 160, 0.999, 30.0, 8000);
}

UNIT_TEST(codec_round_trip_pcma)
{
	check_codec(CODEC_PCMA, 160, 0.999, 30.0, 8000);
}

UNIT_TEST(codec_round_trip_g722)
{
	/* 64 kbit/s; the resamplers' filters delay, not distort */
	check_codec(CODEC_G722, 160, 0.99, 30.0, 8000);
}

UNIT_TEST(codec_round_trip_g729)
{
	/* 8 kbit/s CELP: the waveform follows, less closely */
	check_codec(CODEC_G729, 160, 0.95, 10.0, 1000);
}

UNIT_TEST(codec_round_trip_opus)
{
	check_codec(CODEC_OPUS, 160, 0.95, 12.0, 0);
}

UNIT_TEST(codec_round_trip_opus_60ms)
{
	check_codec(CODEC_OPUS, 480, 0.95, 12.0, 0);
}

UNIT_TEST(codec_table)
{
	CHECK_STR(codec_to_string(CODEC_OPUS), "opus");
	CHECK_INT(codec_from_string("G722"), CODEC_G722);
	CHECK_INT(codec_from_string("ilbc"), -EINVAL);
	CHECK_INT(codec_from_string(NULL), -EINVAL);
	CHECK_INT(codec_clock(CODEC_OPUS), 48000);
	CHECK_INT(codec_clock(CODEC_G722), 8000);	/* RFC 3551's quirk */
	CHECK_INT(codec_static_pt(CODEC_G729), 18);
	CHECK_INT(codec_static_pt(CODEC_OPUS), -1);
	CHECK_INT(codec_from_rtpmap("OPUS", 48000, 2), CODEC_OPUS);
	CHECK_INT(codec_from_rtpmap("opus", 48000, 1), -EINVAL);
	CHECK_INT(codec_from_rtpmap("opus", 8000, 2), -EINVAL);
	CHECK_INT(codec_from_rtpmap("G722", 16000, 0), -EINVAL);
	CHECK_INT(codec_from_rtpmap("G722", 8000, 1), CODEC_G722);
	CHECK_INT(codec_from_rtpmap("g729", 8000, 0), CODEC_G729);
	CHECK(codec_ptime_ok(CODEC_OPUS, 20) && codec_ptime_ok(CODEC_OPUS, 60) &&
	      !codec_ptime_ok(CODEC_OPUS, 30), "opus ptimes");
	CHECK(codec_ptime_ok(CODEC_G729, 30) && !codec_ptime_ok(CODEC_G729, 25),
	      "g729 ptimes");
	CHECK(!codec_rtp_name(_CODEC_MAX) && !codec_to_string(-1), "range");
}

UNIT_TEST(codec_fmtp)
{
	struct codec_params p;
	char buf[CODEC_FMTP_MAX];

	codec_params_default(CODEC_OPUS, &p);
	CHECK(!p.fec && !p.dtx && p.maxplaybackrate == 48000, "opus defaults");
	CHECK_INT(codec_fmtp_parse(CODEC_OPUS,
		"maxplaybackrate=16000; stereo=0;useinbandfec=1 ;usedtx=1", &p), 0);
	CHECK(p.fec && p.dtx && p.maxplaybackrate == 16000, "opus parsed");
	CHECK_INT(codec_fmtp_parse(CODEC_OPUS, "useinbandfec=2", &p), -EBADMSG);
	CHECK_INT(codec_fmtp_parse(CODEC_OPUS, "maxplaybackrate=96000", &p),
		  -EBADMSG);
	CHECK(p.fec && p.maxplaybackrate == 16000, "unchanged on error");
	CHECK_INT(codec_fmtp_parse(CODEC_OPUS, "useinbandfec=0;;x;=;y=", &p), 0);
	CHECK(!p.fec, "fec off");

	codec_params_default(CODEC_G729, &p);
	CHECK(p.annexb, "annexb defaults to yes (RFC 4749)");
	CHECK_INT(codec_fmtp_parse(CODEC_G729, "annexb=NO", &p), 0);
	CHECK(!p.annexb, "annexb=no");
	CHECK_INT(codec_fmtp_parse(CODEC_G729, "annexb=maybe", &p), -EBADMSG);
	/* another codec's parameter is not ours */
	CHECK_INT(codec_fmtp_parse(CODEC_PCMU, "annexb=maybe", &p), 0);

	CHECK(codec_fmtp_format(CODEC_OPUS, false, buf, sizeof(buf)) > 0 &&
	      strstr(buf, "useinbandfec=1") && strstr(buf, "maxplaybackrate=8000"),
	      "opus fmtp %s", buf);
	CHECK_INT(codec_fmtp_format(CODEC_G729, true, buf, sizeof(buf)), 10);
	CHECK_STR(buf, "annexb=yes");
	CHECK_INT(codec_fmtp_format(CODEC_PCMA, true, buf, sizeof(buf)), 0);
	CHECK_INT(codec_fmtp_format(CODEC_OPUS, false, buf, 8), -ENOBUFS);
}

/* Opus DTX: silence is not sent (after the encoder's hangover). */
UNIT_TEST(codec_opus_dtx)
{
	struct codec_params p;
	struct codec *c;
	int16_t zero[160] = { 0 };
	uint8_t pkt[CODEC_PAYLOAD_MAX];
	int skipped = 0, r;

	codec_params_default(CODEC_OPUS, &p);
	p.dtx = true;
	CHECK_INT(codec_new(CODEC_OPUS, &p, &c), 0);
	for (int i = 0; i < 50; i++) {
		r = codec_encode(c, zero, 160, pkt, sizeof(pkt));
		if (r < 0)
			break;
		skipped += r == 0;
	}
	codec_free(c);
	CHECK(r >= 0, "encode %d", r);
	CHECK(skipped > 30, "DTX skipped %d of 50 silent frames", skipped);
}

/* Opus FEC: the packet after a loss gives back the lost one's audio. */
UNIT_TEST(codec_opus_fec)
{
	struct codec_params p;
	struct codec *enc, *dec;
	int16_t *x = malloc(N * sizeof(*x)), *y = calloc(N, sizeof(*y));
	uint8_t pkt[2][CODEC_PAYLOAD_MAX];
	int len[2] = { 0, 0 }, lag = -1, r = 0, fec_frames = 0;
	double ncc, snr = 0;

	if (!x || !y) {
		free(x);
		free(y);
		unit_fail(__FILE__, __LINE__, "out of memory");
		return;
	}
	make_signal(x, N);
	codec_params_default(CODEC_OPUS, &p);
	p.fec = true;
	CHECK(codec_new(CODEC_OPUS, &p, &enc) == 0 &&
	      codec_new(CODEC_OPUS, &p, &dec) == 0, "new");
	/* every 5th packet lost, recovered from the next one's FEC */
	for (size_t i = 0, k = 0; i + 160 <= N; i += 160, k++) {
		int cur = k % 2;

		len[cur] = codec_encode(enc, x + i, 160, pkt[cur], sizeof(pkt[cur]));
		if (len[cur] <= 0) {
			r = -EPROTO;
			break;
		}
		if (k % 5 == 3)
			continue;	/* lost: decoded with the next */
		if (k % 5 == 4) {
			r = codec_decode_fec(dec, pkt[cur], len[cur], y + i - 160,
					     160);
			if (r != 160)
				break;
			fec_frames++;
		}
		r = codec_decode(dec, pkt[cur], len[cur], y + i, 160);
		if (r != 160)
			break;
	}
	codec_free(enc);
	codec_free(dec);
	ncc = best_ncc(x, y, N, &lag, &snr);
	free(x);
	free(y);
	CHECK(r == 160, "decode %d", r);
	CHECK(fec_frames > 10, "FEC frames %d", fec_frames);
	CHECK(ncc > 0.8, "with 20%% loss recovered: correlation %.3f", ncc);
	CHECK_INT(codec_decode_fec(NULL, pkt[0], 1, NULL, 160), -EINVAL);
}

/* G.729 Annex B: silence becomes SID frames and nothing; they decode. */
UNIT_TEST(codec_g729_annexb)
{
	struct codec_params p;
	struct codec *c;
	int16_t in[160], out[160];
	uint8_t pkt[CODEC_PAYLOAD_MAX];
	int sizes[3] = { 0, 0, 0 }, r = 0;

	codec_params_default(CODEC_G729, &p);
	CHECK(p.annexb, "default");
	CHECK_INT(codec_new(CODEC_G729, &p, &c), 0);
	for (int i = 0; i < 100; i++) {
		/* faint noise: what a quiet line carries */
		for (int j = 0; j < 160; j++)
			in[j] = (int16_t)((rand() % 21) - 10);
		r = codec_encode(c, in, 160, pkt, sizeof(pkt));
		if (r < 0)
			break;
		if (r == 0)
			sizes[0]++;
		else if (r % 10 == 2)
			sizes[1]++;
		else
			sizes[2]++;
		if (r > 0 && codec_decode(c, pkt, r, out, 160) <= 0) {
			r = -EPROTO;
			break;
		}
	}
	codec_free(c);
	CHECK(r >= 0, "encode/decode %d", r);
	CHECK(sizes[0] > 50, "untransmitted %d", sizes[0]);
	CHECK(sizes[1] > 0, "SID packets %d", sizes[1]);
	/* a payload of 10k + 2 bytes: frames and a SID; others malformed */
	CHECK_INT(codec_new(CODEC_G729, NULL, &c), 0);
	memset(pkt, 0, 12);
	r = codec_decode(c, pkt, 12, out, 160);
	CHECK(r == 160, "10 + 2 bytes: %d", r);
	CHECK_INT(codec_decode(c, pkt, 7, out, 160), -EBADMSG);
	CHECK_INT(codec_decode(c, pkt, 30, out, 160), -EBADMSG);
	codec_free(c);
}

UNIT_TEST(codec_bad_args)
{
	struct codec *c;
	int16_t pcm[960] = { 0 };
	uint8_t pkt[4] = { 0 };

	CHECK_INT(codec_new(_CODEC_MAX, NULL, &c), -EINVAL);
	CHECK_INT(codec_new(CODEC_G729, NULL, &c), 0);
	CHECK_INT(codec_encode(c, pcm, 100, pkt, sizeof(pkt)), -EINVAL);
	CHECK_INT(codec_encode(c, pcm, 80, pkt, 4), -ENOBUFS);
	CHECK_INT(codec_decode(c, pkt, 0, pcm, 960), -EBADMSG);
	codec_free(c);
	CHECK_INT(codec_new(CODEC_OPUS, NULL, &c), 0);
	CHECK_INT(codec_encode(c, pcm, 100, pkt, sizeof(pkt)), -EINVAL);
	/* an Opus TOC byte of a 120 ms frame does not fit 160 samples */
	pkt[0] = 0xf8 | 3;
	pkt[1] = 6;
	CHECK_INT(codec_decode(c, pkt, 2, pcm, 160), -EBADMSG);
	codec_free(c);
	CHECK(codec_free(NULL) == NULL, "free(NULL)");
}

/*
 * The E-model's codec figures (ITU-T G.113 Appendix I): G.729 Ie 11,
 * Bpl 19; G.711 Bpl 25.1 concealed, 4.3 not; G.722 and Opus as G.711
 * concealed.  Hand-computed R and MOS at 60 ms one way and 0 or 2 % loss.
 */
static double codec_mos(enum codec_id c, bool concealed, double ppl,
			double *r)
{
	struct emodel_input in = { .ta_ms = 60, .ppl = ppl, .burst_r = 1 };

	codec_emodel(c, concealed, &in.ie, &in.bpl);
	*r = emodel_r(&in);
	return emodel_mos(*r);
}

UNIT_TEST(codec_emodel_per_codec)
{
	double ie, bpl, r, mos;

	codec_emodel(CODEC_G729, true, &ie, &bpl);
	CHECK(ie == 11 && bpl == 19, "G.729: Ie %.1f, Bpl %.1f", ie, bpl);
	codec_emodel(CODEC_PCMU, false, &ie, &bpl);
	CHECK(ie == 0 && bpl == 4.3, "PCMU unconcealed: Ie %.1f, Bpl %.1f", ie,
	      bpl);
	codec_emodel(CODEC_PCMA, true, &ie, &bpl);
	CHECK(ie == 0 && bpl == 25.1, "PCMA: Ie %.1f, Bpl %.1f", ie, bpl);
	codec_emodel(CODEC_OPUS, false, &ie, &bpl);
	CHECK(ie == 0 && bpl == 25.1, "Opus: Ie %.1f, Bpl %.1f", ie, bpl);
	codec_emodel(CODEC_G722, true, &ie, &bpl);
	CHECK(ie == 0 && bpl == 25.1, "G.722: Ie %.1f, Bpl %.1f", ie, bpl);

	/* G.729, no loss: R = 93.2 - 11 = 82.2, MOS 1 + 2.877 + 0.2274 */
	mos = codec_mos(CODEC_G729, true, 0, &r);
	CHECK(fabs(r - 82.2) < 1e-9 && fabs(mos - 4.1044) < 5e-4,
	      "G.729 0 %%: R %.4f MOS %.4f", r, mos);
	/* 2 %: Ie,eff = 11 + 84 * 2 / 21 = 19, R 74.2, MOS 3.7873 */
	mos = codec_mos(CODEC_G729, true, 2, &r);
	CHECK(fabs(r - 74.2) < 1e-9 && fabs(mos - 3.7873) < 5e-4,
	      "G.729 2 %%: R %.4f MOS %.4f", r, mos);
	/* G.711 concealed, 2 %: Ie,eff = 95 * 2 / 27.1 = 7.0111 */
	mos = codec_mos(CODEC_PCMU, true, 2, &r);
	CHECK(fabs(r - (93.2 - 190 / 27.1)) < 1e-9, "PCMU 2 %%: R %.4f", r);
	CHECK(mos > codec_mos(CODEC_G729, true, 2, &r),
	      "G.729 rated above G.711 at the same loss");
	/* unconcealed G.711 at 2 %: Ie,eff = 190 / 6.3 = 30.16 */
	codec_mos(CODEC_PCMU, false, 2, &r);
	CHECK(fabs(r - (93.2 - 190 / 6.3)) < 1e-9, "PCMU unconcealed 2 %%: R %.4f",
	      r);
}
