// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_srtp.c - unit tests of srtp.c (SRTP/SRTCP on libsrtp2: round trip,
 * tag failure, replay, keys that change or stay) and of the SDES side of
 * sdp.c (a=crypto parsing, offers, answers, the SRTP policy).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "media/sdp.h"
#include "media/srtp.h"
#include "unit.h"

/* RFC 4568's example key (base64 of 30 bytes). */
#define KEY80 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"

static const char crypto_offer_fmt[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6000 %s 0 8 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"%s";

static void make_offer(char *buf, size_t len, const char *proto,
		       const char *crypto)
{
	snprintf(buf, len, crypto_offer_fmt, proto, crypto);
}

/* A 12-byte RTP header and @n payload bytes of @fill. */
static size_t rtp_packet(uint8_t *p, uint16_t seq, uint8_t fill, size_t n)
{
	memset(p, 0, 12);
	p[0] = 0x80;
	p[2] = seq >> 8;
	p[3] = seq & 0xff;
	p[7] = 160;
	p[8] = 0x12; p[9] = 0x34; p[10] = 0x56; p[11] = 0x78;
	memset(p + 12, fill, n);
	return 12 + n;
}

/* Channel @a sending to channel @b, suite @suite, keys drawn fresh. */
static int pair(enum sdp_crypto_suite suite, struct srtp_channel **a,
		struct srtp_channel **b, struct sdp_crypto *k)
{
	int r = srtp_channel_keygen(suite, k);

	if (r >= 0)
		r = srtp_channel_new(a);
	if (r >= 0)
		r = srtp_channel_new(b);
	if (r >= 0)
		r = srtp_channel_set_tx(*a, k);
	if (r >= 0)
		r = srtp_channel_set_rx(*b, k);
	return r;
}

UNIT_TEST(srtp_round_trip_each_suite)
{
	for (int s = 0; s < _SDP_CRYPTO_MAX; s++) {
		struct srtp_channel *a = NULL, *b = NULL;
		struct sdp_crypto k;
		uint8_t p[12 + 160 + SRTP_CHANNEL_OVERHEAD], plain[12 + 160];
		size_t n, n0;
		int r = pair(s, &a, &b, &k);
		static const size_t tag[] = { 10, 4, 16 };

		CHECK(r == 0, "pair %d: %d", s, r);
		n = n0 = rtp_packet(p, 1, 0xd5, 160);
		memcpy(plain, p, n);
		CHECK(srtp_channel_protect(a, p, &n, false) == 0, "protect");
		CHECK_INT(n, n0 + tag[s]);
		CHECK(memcmp(p + 12, plain + 12, 160) != 0, "payload in clear");
		CHECK(memchr(p + 12, 0xd5, 160) == NULL ||
		      memcmp(p + 12, plain + 12, 16) != 0, "not encrypted");
		CHECK(srtp_channel_unprotect(b, p, &n, false) == 0,
		      "unprotect %s", sdp_crypto_suite_to_string(s));
		CHECK_INT(n, n0);
		CHECK(memcmp(p, plain, n0) == 0, "round trip %d", s);

		/* SRTCP: a receiver report, index and tag appended */
		uint8_t c[8 + SRTP_CHANNEL_OVERHEAD] = { 0x80, 201, 0, 1,
							 1, 2, 3, 4 };
		n = 8;
		CHECK(srtp_channel_protect(a, c, &n, true) == 0, "rtcp");
		CHECK(n > 8 + 4, "srtcp length %zu", n);
		CHECK(srtp_channel_unprotect(b, c, &n, true) == 0, "unrtcp");
		CHECK_INT(n, 8);
		CHECK_INT(c[7], 4);
		srtp_channel_free(a);
		srtp_channel_free(b);
	}
}

UNIT_TEST(srtp_tag_failure_and_replay)
{
	struct srtp_channel *a = NULL, *b = NULL, *c = NULL;
	struct sdp_crypto k, other;
	uint8_t p[200], q[200], copy[200];
	size_t n, m;

	CHECK(pair(SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80, &a, &b, &k) == 0, "pair");
	n = rtp_packet(p, 7, 0x55, 160);
	CHECK(srtp_channel_protect(a, p, &n, false) == 0, "protect");
	memcpy(copy, p, n);

	/* one bit flipped in the payload: the tag does not match */
	memcpy(q, p, n);
	m = n;
	q[40] ^= 1;
	CHECK_INT(srtp_channel_unprotect(b, q, &m, false), -EBADMSG);
	/* the wrong key */
	CHECK(srtp_channel_keygen(SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80, &other) == 0, "gen");
	CHECK(srtp_channel_new(&c) == 0 && srtp_channel_set_rx(c, &other) == 0, "c");
	memcpy(q, p, n);
	m = n;
	CHECK_INT(srtp_channel_unprotect(c, q, &m, false), -EBADMSG);
	/* the genuine packet still goes through, once */
	m = n;
	CHECK_INT(srtp_channel_unprotect(b, p, &m, false), 0);
	m = n;
	CHECK_INT(srtp_channel_unprotect(b, copy, &m, false), -EALREADY);
	/* a packet too short to hold a tag */
	m = 12;
	CHECK(srtp_channel_unprotect(b, copy, &m, false) < 0, "short");
	/* no keys: nothing goes through either way */
	srtp_channel_free(c);
	CHECK(srtp_channel_new(&c) == 0, "new");
	m = 20;
	CHECK_INT(srtp_channel_protect(c, q, &m, false), -ENOKEY);
	CHECK_INT(srtp_channel_unprotect(c, q, &m, false), -ENOKEY);
	srtp_channel_free(a);
	srtp_channel_free(b);
	srtp_channel_free(c);
}

UNIT_TEST(srtp_same_key_keeps_state)
{
	struct srtp_channel *a = NULL, *b = NULL;
	struct sdp_crypto k, k2;
	uint8_t p[200], copy[200];
	size_t n, m;

	CHECK(pair(SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32, &a, &b, &k) == 0, "pair");
	CHECK_INT(srtp_channel_tx_suite(a), SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32);
	CHECK_INT(srtp_channel_tx_suite(b), -1);
	n = rtp_packet(p, 100, 1, 20);
	CHECK(srtp_channel_protect(a, p, &n, false) == 0, "protect");
	memcpy(copy, p, n);
	m = n;
	CHECK(srtp_channel_unprotect(b, p, &n, false) == 0, "unprotect");
	CHECK(srtp_channel_rx_is(b, &k), "rx is k");
	/* the sender never protects one sequence number twice */
	n = rtp_packet(p, 100, 1, 20);
	CHECK(srtp_channel_protect(a, p, &n, false) < 0, "seq 100 again");
	/* a re-INVITE with the same key: the replay window is kept */
	k2 = k;
	k2.tag = 9;
	CHECK(srtp_channel_set_rx(b, &k2) == 0, "same key");
	CHECK_INT(srtp_channel_unprotect(b, copy, &m, false), -EALREADY);
	/* a new key starts afresh, and the old one no longer passes */
	CHECK(srtp_channel_keygen(SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32, &k2) == 0, "gen");
	CHECK(memcmp(k.key, k2.key, 30) != 0, "two draws, one key");
	CHECK(!srtp_channel_rx_is(b, &k2), "rx is not k2");
	CHECK(srtp_channel_set_rx(b, &k2) == 0, "new key");
	n = rtp_packet(p, 101, 1, 20);
	CHECK(srtp_channel_protect(a, p, &n, false) == 0, "protect");
	CHECK_INT(srtp_channel_unprotect(b, p, &n, false), -EBADMSG);
	srtp_channel_free(a);
	srtp_channel_free(b);
}

UNIT_TEST(sdp_crypto_attribute)
{
	struct sdp_crypto c;
	static const char *const bad[] = {
		"",
		"1",
		"1 AES_CM_128_HMAC_SHA1_80",
		"x AES_CM_128_HMAC_SHA1_80 inline:" KEY80,
		"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" KEY80,
		"1 AES_CM_128_HMAC_SHA1_80 key:" KEY80,
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 "|",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 "|2^",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 "|x",
		"1 AES_CM_128_HMAC_SHA1_80 inline:WVNf*19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
		"1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubG=z",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 KEY80 KEY80,
	};
	static const char *const unusable[] = {
		"1 AES_CM_256_HMAC_SHA1_80 inline:" KEY80,
		"1 F8_128_HMAC_SHA1_80 inline:" KEY80,
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 "|2^20|1:4",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 ";inline:" KEY80,
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 " UNENCRYPTED_SRTP",
		"1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVu",
		"1 AEAD_AES_128_GCM inline:" KEY80,
	};
	char longv[400];

	CHECK_INT(sdp_crypto_parse("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80
				   "|2^20", &c), 0);
	CHECK_INT(c.tag, 1);
	CHECK_INT(c.suite, SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80);
	CHECK(memcmp(c.key, "YS___semctl () {\t220;}\n}\nunles", 30) == 0,
	      "key bytes");
	CHECK_INT(sdp_crypto_parse("999999999 AES_CM_128_HMAC_SHA1_32 inline:"
				   KEY80 "  ", &c), 0);
	CHECK_INT(c.tag, 999999999);
	CHECK_INT(c.suite, SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32);
	/* 28 bytes for GCM, with and without padding */
	CHECK_INT(sdp_crypto_parse("3 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
				   &c), 0);
	CHECK_INT(c.suite, SDP_CRYPTO_AEAD_AES_128_GCM);
	CHECK_INT(c.key[27], 27);
	CHECK_INT(sdp_crypto_parse("3 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw",
				   &c), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(sdp_crypto_parse(bad[i], &c) == -EBADMSG,
		      "bad '%s': %d", bad[i], sdp_crypto_parse(bad[i], &c));
	for (size_t i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++)
		CHECK(sdp_crypto_parse(unusable[i], &c) == -EOPNOTSUPP,
		      "unusable '%s': %d", unusable[i],
		      sdp_crypto_parse(unusable[i], &c));
	memset(longv, 'A', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	memcpy(longv, "1 AES_CM_128_HMAC_SHA1_80 inline:", 33);
	CHECK_INT(sdp_crypto_parse(longv, &c), -EBADMSG);
}

static struct sdp_crypto keys[_SDP_CRYPTO_MAX];

static struct sdp_local local(enum sdp_srtp policy)
{
	for (int i = 0; i < _SDP_CRYPTO_MAX; i++) {
		memset(keys[i].key, 0x11 * (i + 1), sizeof(keys[i].key));
		keys[i].suite = i;
		keys[i].tag = i + 1;
	}
	return (struct sdp_local){
		.address = "127.0.0.1", .rtp_port = 10000,
		.session_id = 1, .session_version = 1,
		.direction = SDP_SENDRECV, .srtp = policy, .keys = keys,
		.prefer = -1,
	};
}

UNIT_TEST(sdp_srtp_offers)
{
	char buf[SDP_TEXT_MAX];
	struct sdp_local l = local(SDP_SRTP_REQUIRED);
	struct sdp_media m;

	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "required");
	CHECK(strstr(buf, "m=audio 10000 RTP/SAVP 0 8 101\r\n"), "%s", buf);
	/* 0x11 * 30 and 0x22 * 30 in base64 */
	CHECK(strstr(buf, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:ERERERERERERERERERERERERERERERERERERERER\r\n"),
	      "%s", buf);
	CHECK(strstr(buf, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi\r\n"),
	      "%s", buf);
	CHECK(!strstr(buf, "GCM"), "GCM offered: %s", buf);
	/* our own offer parses back to our first key */
	CHECK_INT(sdp_parse(buf, &m), 0);
	CHECK(m.savp && m.secure, "savp %d secure %d", m.savp, m.secure);
	CHECK_INT(m.crypto.tag, 1);
	CHECK(memcmp(m.crypto.key, keys[0].key, 30) == 0, "key");

	l = local(SDP_SRTP_OPTIONAL);
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "optional");
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 0 8 101\r\n"), "%s", buf);
	CHECK(strstr(buf, "a=crypto:1 "), "%s", buf);
	l.prefer = SDP_CRYPTO_AEAD_AES_128_GCM;
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "prefer gcm");
	CHECK(strstr(buf, "a=crypto:3 AEAD_AES_128_GCM inline:MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMw==\r\na=crypto:1 "),
	      "%s", buf);

	l = local(SDP_SRTP_OFF);
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "off");
	CHECK(!strstr(buf, "crypto"), "%s", buf);
	l.keys = NULL;
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "off, no keys");
	l.srtp = SDP_SRTP_OPTIONAL;
	CHECK_INT(sdp_build_offer(&l, buf, sizeof(buf)), -EINVAL);
}

UNIT_TEST(sdp_srtp_answers)
{
	char offer[SDP_TEXT_MAX], buf[SDP_TEXT_MAX];
	struct sdp_local l;
	struct sdp_media m;

	/* the first usable line is taken: an unknown suite and an MKI are
	 * skipped, GCM is taken when the peer offers it first */
	make_offer(offer, sizeof(offer), "RTP/SAVP",
		   "a=crypto:7 AES_CM_256_HMAC_SHA1_80 inline:" KEY80 "\r\n"
		   "a=crypto:8 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 "|2^20|1:4\r\n"
		   "a=crypto:9 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==\r\n"
		   "a=crypto:10 AES_CM_128_HMAC_SHA1_32 inline:" KEY80 "\r\n");
	for (int p = SDP_SRTP_OPTIONAL; p <= SDP_SRTP_REQUIRED; p++) {
		l = local(p);
		CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0,
		      "answer %d", p);
		CHECK(strstr(buf, "m=audio 10000 RTP/SAVP 0 101\r\n"), "%s", buf);
		CHECK(strstr(buf, "a=crypto:9 AEAD_AES_128_GCM inline:MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMw==\r\n"),
		      "%s", buf);
		CHECK(!strstr(strstr(buf, "a=crypto") + 1, "a=crypto"),
		      "one key in the answer: %s", buf);
		CHECK(m.secure && m.crypto.tag == 9 &&
		      m.crypto.suite == SDP_CRYPTO_AEAD_AES_128_GCM, "remote");
	}
	/* off: an RTP/SAVP offer cannot be answered */
	l = local(SDP_SRTP_OFF);
	CHECK_INT(sdp_build_answer(offer, &l, buf, sizeof(buf), &m), -ENOKEY);

	/* best-effort SDES: RTP/AVP with keys */
	make_offer(offer, sizeof(offer), "RTP/AVP",
		   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY80 "|2^31\r\n");
	l = local(SDP_SRTP_OFF);
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "off");
	CHECK(!strstr(buf, "crypto") && !m.secure, "off answers in clear: %s", buf);
	l = local(SDP_SRTP_REQUIRED);
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "req");
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 0 101\r\n"), "%s", buf);
	CHECK(strstr(buf, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:ERERERERERERERERERERERERERERERERERERERER\r\n"),
	      "%s", buf);

	/* no keys at all */
	make_offer(offer, sizeof(offer), "RTP/AVP", "");
	l = local(SDP_SRTP_REQUIRED);
	CHECK_INT(sdp_build_answer(offer, &l, buf, sizeof(buf), &m), -ENOKEY);
	l = local(SDP_SRTP_OPTIONAL);
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "opt");
	CHECK(!strstr(buf, "crypto") && !m.secure, "%s", buf);
	/* RTP/SAVP whose only keys are malformed: as without keys */
	make_offer(offer, sizeof(offer), "RTP/SAVP",
		   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!!!\r\n"
		   "a=crypto:\r\n"
		   "a=crypto:2 AES_CM_128_HMAC_SHA1_80\r\n");
	CHECK_INT(sdp_build_answer(offer, &l, buf, sizeof(buf), &m), -ENOKEY);
	CHECK_INT(sdp_parse(offer, &m), 0);
	CHECK(m.savp && !m.secure, "savp without keys");
	CHECK_INT(sdp_srtp_check(&m, SDP_SRTP_OFF), -ENOKEY);
	CHECK_INT(sdp_srtp_check(&m, SDP_SRTP_OPTIONAL), -ENOKEY);
	CHECK_INT(sdp_srtp_check(&m, SDP_SRTP_REQUIRED), -ENOKEY);
	m.savp = false;
	CHECK_INT(sdp_srtp_check(&m, SDP_SRTP_OFF), 0);
	CHECK_INT(sdp_srtp_check(&m, SDP_SRTP_OPTIONAL), 0);
	CHECK_INT(sdp_srtp_check(&m, SDP_SRTP_REQUIRED), -ENOKEY);
}
