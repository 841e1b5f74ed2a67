// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_sdp.c - libFuzzer target: a remote SDP body (offer or answer), as
 * fxsd gets it in an INVITE, 183 or 200: sdp_parse() and
 * sdp_build_answer().
 *
 * Checked besides memory safety: what sdp_parse() returns is sane (a
 * NUL-terminated address of the family it names, a port of 1-65535, a
 * G.711 codec, a payload type of 0-127); an answer we build fits its
 * buffer, parses with sdp_parse() and names the same codec on the same
 * payload type as the offer.  The offer is answered under each SRTP
 * policy (off, optional, required): an answer under off carries no key,
 * one under required always does, with the tag and suite of the offer's
 * key; sdp_crypto_parse() also gets the whole input as an a=crypto value.
 * T.38: what sdp_parse_t38() returns is sane (address, port, version
 * 0-3, enums in range); an answer built with sdp_build_t38_answer() fits,
 * parses back with the parameters it reports, a version and bit rate no
 * higher than ours or the offer's, and redundancy or no EC.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "media/sdp.h"

static void check_media(const struct sdp_media *m)
{
	unsigned char addr[16];

	fuzz_assert(strnlen(m->address, sizeof(m->address)) < sizeof(m->address));
	fuzz_assert(m->family == AF_INET || m->family == AF_INET6);
	fuzz_assert(inet_pton(m->family, m->address, addr) == 1);
	fuzz_assert(m->port >= 1 && m->port <= 65535);
	fuzz_assert(m->codec >= 0 && m->codec < _CODEC_MAX);
	fuzz_assert(m->params.maxplaybackrate >= 8000 &&
		    m->params.maxplaybackrate <= 48000);
	fuzz_assert(m->pt >= 0 && m->pt <= 127);
	fuzz_assert(m->te_pt >= -1 && m->te_pt <= 127);
	fuzz_assert(m->direction >= 0 && m->direction < _SDP_DIRECTION_MAX);
}

static const int all_codecs[] = {
	CODEC_OPUS, CODEC_G722, CODEC_G729, CODEC_PCMU, CODEC_PCMA,
};

static struct sdp_crypto keys[_SDP_CRYPTO_MAX] = {
	{ 1, SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80, { 1, 2, 3 } },
	{ 2, SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32, { 4, 5, 6 } },
	{ 3, SDP_CRYPTO_AEAD_AES_128_GCM, { 7, 8, 9 } },
};

static void check_t38(const struct sdp_image *im)
{
	unsigned char addr[16];

	fuzz_assert(im->family == AF_INET || im->family == AF_INET6);
	fuzz_assert(inet_pton(im->family, im->address, addr) == 1);
	fuzz_assert(im->port >= 1 && im->port <= 65535);
	fuzz_assert(im->direction >= 0 && im->direction < _SDP_DIRECTION_MAX);
	fuzz_assert(im->t38.version <= SDP_T38_VERSION_MAX);
	fuzz_assert(im->t38.max_bitrate >= 2400);
	fuzz_assert(sdp_t38_rate_to_string(im->t38.rate));
	fuzz_assert(sdp_t38_ec_to_string(im->t38.ec));
}

static void fuzz_t38(const char *s, const struct sdp_local *loc)
{
	struct sdp_image offer, ans;
	struct sdp_t38 ours;
	char buf[SDP_TEXT_MAX];
	int r;

	if (sdp_parse_t38(s, &offer) == 0)
		check_t38(&offer);
	sdp_t38_default(&ours);
	r = sdp_build_t38_answer(s, loc, &ours, buf, sizeof(buf), &offer);
	if (r < 0)
		return;
	fuzz_assert((size_t)r < sizeof(buf) && strlen(buf) == (size_t)r);
	check_t38(&offer);
	fuzz_assert(sdp_parse_t38(buf, &ans) == 0);
	fuzz_assert(ans.port == loc->rtp_port);
	fuzz_assert(ans.t38.version == offer.t38.version &&
		    ans.t38.version <= ours.version);
	fuzz_assert(ans.t38.max_bitrate == offer.t38.max_bitrate &&
		    ans.t38.max_bitrate <= ours.max_bitrate);
	fuzz_assert(ans.t38.rate == offer.t38.rate);
	fuzz_assert(ans.t38.ec == offer.t38.ec &&
		    ans.t38.ec != SDP_T38_EC_FEC);
	fuzz_assert(!ans.t38.fill_bit_removal && !ans.t38.transcoding_mmr &&
		    !ans.t38.transcoding_jbig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_local loc = {
		.address = "192.0.2.1", .rtp_port = 4000, .session_id = 42,
		.session_version = 7, .direction = SDP_SENDRECV,
		.keys = keys, .prefer = -1,
		.codecs = all_codecs, .n_codecs = 5, .g729_annexb = true,
	};
	struct codec_params cp;
	struct sdp_media m, offer, ans;
	struct sdp_crypto c;
	char buf[SDP_TEXT_MAX];
	char *s;
	int r;

	if (size > 2 * SDP_TEXT_MAX)
		return 0;
	s = fuzz_strndup(data, size);
	if (sdp_parse(s, &m) == 0)
		check_media(&m);
	if (sdp_parse_codecs(s, &loc, &m) == 0)
		check_media(&m);
	/* the fmtp parameters of each codec, as an a=fmtp value */
	for (int c = 0; c < _CODEC_MAX; c++) {
		codec_params_default(c, &cp);
		if (codec_fmtp_parse(c, s, &cp) == 0)
			fuzz_assert(cp.maxplaybackrate >= 8000 &&
				    cp.maxplaybackrate <= 48000);
	}
	if (sdp_crypto_parse(s, &c) == 0)
		fuzz_assert(c.suite >= 0 && c.suite < _SDP_CRYPTO_MAX &&
			    c.tag <= SDP_CRYPTO_TAG_MAX);
	for (int p = SDP_SRTP_OFF; p <= SDP_SRTP_REQUIRED; p++) {
		loc.srtp = p;
		r = sdp_build_answer(s, &loc, buf, sizeof(buf), &offer);
		if (r < 0)
			continue;
		fuzz_assert((size_t)r < sizeof(buf) && strlen(buf) == (size_t)r);
		check_media(&offer);
		fuzz_assert(sdp_parse_codecs(buf, &loc, &ans) == 0);
		fuzz_assert(ans.codec == offer.codec && ans.pt == offer.pt);
		fuzz_assert(sdp_srtp_check(&offer, p) == 0);
		fuzz_assert(ans.secure == offer.secure);
		if (p == SDP_SRTP_OFF)
			fuzz_assert(!ans.secure && !offer.savp);
		if (p == SDP_SRTP_REQUIRED)
			fuzz_assert(ans.secure);
		if (ans.secure)
			fuzz_assert(ans.crypto.tag == offer.crypto.tag &&
				    ans.crypto.suite == offer.crypto.suite &&
				    !memcmp(ans.crypto.key,
					    keys[ans.crypto.suite].key,
					    sizeof(ans.crypto.key)));
	}
	loc.srtp = SDP_SRTP_OFF;
	fuzz_t38(s, &loc);
	free(s);
	return 0;
}
