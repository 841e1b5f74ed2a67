// SPDX-License-Identifier: GPL-2.0-only
/* test_sdp.c - unit tests of sdp.c: offers, answers, parsing. */
#include <stdio.h>
#include <sys/socket.h>

#include "media/sdp.h"
#include "unit.h"

static const struct sdp_local local4 = {
	.address = "192.0.2.10", .rtp_port = 10000,
	.session_id = 1234, .session_version = 1,
	.direction = SDP_SENDRECV,
};

/* As baresip sends it (trimmed): several codecs, telephone-event 101. */
static const char baresip_offer[] =
	"v=0\r\n"
	"o=- 1193484391 1593279125 IN IP4 10.0.0.5\r\n"
	"s=-\r\n"
	"c=IN IP4 10.0.0.5\r\n"
	"t=0 0\r\n"
	"m=audio 10688 RTP/AVP 96 9 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:96 opus/48000/2\r\n"
	"a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=sendrecv\r\n"
	"a=label:1\r\n"
	"a=ssrc:1437398340 cname:39dc0b54-6d1a-4c84-9bcd-9a8cba43c3bb\r\n"
	"a=rtcp-rsize\r\n";

/* As sipp's uac_pcap scenario sends it: LF line ends, no rtpmap. */
static const char sipp_offer[] =
	"v=0\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\n"
	"s=-\n"
	"c=IN IP4 127.0.0.1\n"
	"t=0 0\n"
	"m=audio 6000 RTP/AVP 0\n"
	"a=rtpmap:0 PCMU/8000\n";

UNIT_TEST(sdp_offer_build)
{
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;
	int n;

	n = sdp_build_offer(&local4, buf, sizeof(buf));
	CHECK(n > 0, "build: %d", n);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 0 8 101\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "c=IN IP4 192.0.2.10\r\n"), "c= in %s", buf);
	CHECK(strstr(buf, "o=fxsd 1234 1 IN IP4 192.0.2.10\r\n"), "o=");
	CHECK(strstr(buf, "a=fmtp:101 0-16\r\n"), "fmtp");
	CHECK(strstr(buf, "a=ptime:20\r\n"), "ptime");
	CHECK(strstr(buf, "a=sendrecv\r\n"), "direction");
	CHECK_INT(strlen(buf), n);
	/* our own offer parses back */
	CHECK_INT(sdp_parse(buf, &m), 0);
	CHECK_STR(m.address, "192.0.2.10");
	CHECK_INT(m.port, 10000);
	CHECK_INT(m.pt, 0);
	CHECK_INT(m.te_pt, 101);
	CHECK_INT(m.ptime, 20);
	/* too small */
	CHECK_INT(sdp_build_offer(&local4, buf, 40), -ENOBUFS);
}

UNIT_TEST(sdp_offer_bad_args)
{
	char buf[SDP_TEXT_MAX];
	struct sdp_local l = local4;

	l.address = "example.com";
	CHECK_INT(sdp_build_offer(&l, buf, sizeof(buf)), -EINVAL);
	l = local4;
	l.rtp_port = 0;
	CHECK_INT(sdp_build_offer(&l, buf, sizeof(buf)), -EINVAL);
}

UNIT_TEST(sdp_answer_baresip)
{
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;
	int n;

	n = sdp_build_answer(baresip_offer, &local4, buf, sizeof(buf), &m);
	CHECK(n > 0, "answer: %d", n);
	CHECK_STR(m.address, "10.0.0.5");
	CHECK_INT(m.family, AF_INET);
	CHECK_INT(m.port, 10688);
	CHECK_INT(m.pt, 0);
	CHECK_INT(m.codec, CODEC_PCMU);
	CHECK_INT(m.te_pt, 101);
	CHECK_INT(m.ptime, 20);
	CHECK_INT(m.direction, SDP_SENDRECV);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 0 101\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:101 telephone-event/8000\r\n"), "te");
	CHECK(strstr(buf, "c=IN IP4 192.0.2.10\r\n"), "c=");
	CHECK(!strstr(buf, "opus"), "no opus");
}

UNIT_TEST(sdp_answer_sipp)
{
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	CHECK(sdp_build_answer(sipp_offer, &local4, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_STR(m.address, "127.0.0.1");
	CHECK_INT(m.port, 6000);
	CHECK_INT(m.pt, 0);
	CHECK_INT(m.te_pt, -1);
	CHECK_INT(m.ptime, 20);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 0\r\n"), "m= in %s", buf);
	CHECK(!strstr(buf, "telephone-event"), "no te");
}

UNIT_TEST(sdp_pcma_only)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 8 100\r\nc=IN IP4 10.1.1.2\r\n"
		"a=rtpmap:100 telephone-event/8000\r\na=ptime:30\r\n"
		"a=sendonly\r\n";
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	CHECK(sdp_build_answer(offer, &local4, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_STR(m.address, "10.1.1.2");	/* media-level c= */
	CHECK_INT(m.pt, 8);
	CHECK_INT(m.codec, CODEC_PCMA);
	CHECK_INT(m.te_pt, 100);
	CHECK_INT(m.ptime, 30);
	CHECK_INT(m.direction, SDP_SENDONLY);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 8 100\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:8 PCMA/8000\r\n"), "rtpmap");
	CHECK(strstr(buf, "a=ptime:30\r\n"), "ptime");
	CHECK(strstr(buf, "a=recvonly\r\n"), "direction in %s", buf);
}

UNIT_TEST(sdp_no_common_codec)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 9 18 96\r\n"
		"a=rtpmap:96 opus/48000/2\r\n";
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	CHECK_INT(sdp_parse(offer, &m), -EPROTONOSUPPORT);
	CHECK_INT(sdp_build_answer(offer, &local4, buf, sizeof(buf), NULL),
		  -EPROTONOSUPPORT);
}

UNIT_TEST(sdp_dynamic_pt_remap)
{
	/* PT 0 remapped to something else does not count as PCMU; a
	 * dynamic PT with PCMA/8000 does. */
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 0 97\r\n"
		"a=rtpmap:0 L16/8000\r\na=rtpmap:97 pcma/8000\r\n";
	struct sdp_media m;

	CHECK_INT(sdp_parse(offer, &m), 0);
	CHECK_INT(m.pt, 97);
	CHECK_INT(m.codec, CODEC_PCMA);
}

UNIT_TEST(sdp_malformed)
{
	struct sdp_media m;

	CHECK_INT(sdp_parse("", &m), -EBADMSG);
	CHECK_INT(sdp_parse(NULL, &m), -EBADMSG);
	CHECK_INT(sdp_parse("hello world\r\n", &m), -EBADMSG);
	CHECK_INT(sdp_parse("v=1\r\nm=audio 1 RTP/AVP 0\r\n", &m), -EBADMSG);
	/* bad port */
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3.4\r\n"
			    "m=audio 99999 RTP/AVP 0\r\n", &m), -EBADMSG);
	/* bad address */
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3\r\n"
			    "m=audio 4000 RTP/AVP 0\r\n", &m), -EBADMSG);
	/* no c= at all */
	CHECK_INT(sdp_parse("v=0\r\nm=audio 4000 RTP/AVP 0\r\n", &m), -EBADMSG);
	/* m= without formats */
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP\r\n",
			    &m), -EBADMSG);
	/* non-numeric format */
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3.4\r\n"
			    "m=audio 4000 RTP/AVP x\r\n", &m), -EBADMSG);
	/* no audio / port 0 */
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3.4\r\n"
			    "m=audio 0 RTP/AVP 0\r\n", &m), -ENOMEDIUM);
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3.4\r\n", &m), -ENOMEDIUM);
	/* line without '=' */
	CHECK_INT(sdp_parse("v=0\r\nc=IN IP4 1.2.3.4\r\nfoo\r\n"
			    "m=audio 4000 RTP/AVP 0\r\n", &m), -EBADMSG);
}

UNIT_TEST(sdp_ipv6)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\n"
		"c=IN IP6 2001:db8::1\r\nt=0 0\r\n"
		"m=audio 5004 RTP/AVP 0 101\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n";
	struct sdp_local l6 = local4;
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	l6.address = "2001:db8::10";
	CHECK(sdp_build_answer(offer, &l6, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.family, AF_INET6);
	CHECK_STR(m.address, "2001:db8::1");
	CHECK_INT(m.port, 5004);
	CHECK(strstr(buf, "c=IN IP6 2001:db8::10\r\n"), "c= in %s", buf);
	CHECK(strstr(buf, "o=fxsd 1234 1 IN IP6 2001:db8::10\r\n"), "o=");
}

UNIT_TEST(sdp_ptime_default_and_session_level)
{
	static const char offer[] =
		"v=0\r\ns=-\r\nc=IN IP4 10.1.1.1\r\na=ptime:40\r\na=recvonly\r\n"
		"m=audio 4000 RTP/AVP 8\r\n";
	struct sdp_media m;

	CHECK_INT(sdp_parse(sipp_offer, &m), 0);
	CHECK_INT(m.ptime, 20);
	CHECK_INT(sdp_parse(offer, &m), 0);
	CHECK_INT(m.ptime, 40);
	CHECK_INT(m.direction, SDP_RECVONLY);
}

UNIT_TEST(sdp_second_media_declined)
{
	static const char offer[] =
		"v=0\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n"
		"m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
		"m=audio 4000 RTP/AVP 0\r\n";
	char buf[SDP_TEXT_MAX];
	char *v, *a;

	CHECK(sdp_build_answer(offer, &local4, buf, sizeof(buf), NULL) > 0,
	      "answer");
	v = strstr(buf, "m=video 0 RTP/AVP 96\r\n");
	a = strstr(buf, "m=audio 10000 RTP/AVP 0\r\n");
	CHECK(v && a && v < a, "m= lines in order: %s", buf);
}

UNIT_TEST(sdp_direction_strings)
{
	CHECK_STR(sdp_direction_to_string(SDP_INACTIVE), "inactive");
	CHECK(sdp_direction_to_string(_SDP_DIRECTION_MAX) == NULL, "range");
	CHECK_INT(sdp_direction_reverse(SDP_SENDONLY), SDP_RECVONLY);
}

/* Hold offers (re-INVITE) and the answer's direction (RFC 3264 8.4):
 * a=sendonly / inactive, and the RFC 2543 way, c=0.0.0.0. */
UNIT_TEST(sdp_hold_directions)
{
	static const struct {
		const char *c, *attr, *answer;
		enum sdp_direction remote;
	} cases[] = {
		{ "10.1.1.1", "a=sendonly\r\n", "a=recvonly\r\n", SDP_SENDONLY },
		{ "10.1.1.1", "a=inactive\r\n", "a=inactive\r\n", SDP_INACTIVE },
		{ "10.1.1.1", "a=recvonly\r\n", "a=sendonly\r\n", SDP_RECVONLY },
		{ "10.1.1.1", "", "a=sendrecv\r\n", SDP_SENDRECV },
		{ "0.0.0.0", "", "a=recvonly\r\n", SDP_SENDONLY },
		{ "0.0.0.0", "a=sendrecv\r\n", "a=recvonly\r\n", SDP_SENDONLY },
		{ "0.0.0.0", "a=recvonly\r\n", "a=inactive\r\n", SDP_INACTIVE },
		{ "0.0.0.0", "a=sendonly\r\n", "a=recvonly\r\n", SDP_SENDONLY },
	};
	char offer[512], buf[SDP_TEXT_MAX];
	struct sdp_media m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(offer, sizeof(offer),
			 "v=0\r\no=- 1 2 IN IP4 10.1.1.1\r\ns=-\r\n"
			 "c=IN IP4 %s\r\nt=0 0\r\n"
			 "m=audio 4000 RTP/AVP 0 101\r\n"
			 "a=rtpmap:101 telephone-event/8000\r\n%s",
			 cases[i].c, cases[i].attr);
		CHECK(sdp_build_answer(offer, &local4, buf, sizeof(buf), &m) > 0,
		      "case %zu: answer", i);
		CHECK(m.direction == cases[i].remote, "case %zu: remote %s", i,
		      sdp_direction_to_string(m.direction));
		CHECK(strstr(buf, cases[i].answer), "case %zu: want %s in %s",
		      i, cases[i].answer, buf);
		CHECK_INT(sdp_parse(offer, &m), 0);
		CHECK(m.direction == cases[i].remote, "case %zu: parse", i);
	}
	CHECK(sdp_direction_sends(SDP_SENDRECV) && sdp_direction_sends(SDP_SENDONLY) &&
	      !sdp_direction_sends(SDP_RECVONLY) && !sdp_direction_sends(SDP_INACTIVE),
	      "sends");
	CHECK(sdp_direction_receives(SDP_SENDRECV) && sdp_direction_receives(SDP_RECVONLY) &&
	      !sdp_direction_receives(SDP_SENDONLY) && !sdp_direction_receives(SDP_INACTIVE),
	      "receives");
}

/* A new offer in the session keeps the codec in use when it has it. */
UNIT_TEST(sdp_answer_keeps_codec)
{
	static const char offer[] =
		"v=0\r\no=- 1 3 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.9\r\n"
		"t=0 0\r\nm=audio 4002 RTP/AVP 0 96 101\r\n"
		"a=rtpmap:96 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
	struct sdp_local l = local4;
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	l.keep_codec = true;
	l.codec = CODEC_PCMA;
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.pt, 96);
	CHECK_INT(m.codec, CODEC_PCMA);
	CHECK_STR(m.address, "10.1.1.9");
	CHECK_INT(m.port, 4002);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 96 101\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:96 PCMA/8000\r\n"), "rtpmap in %s", buf);
	/* not offered any more: the first one we support */
	l.codec = CODEC_PCMU;
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.pt, 0);
	/* a first offer has no codec to keep */
	CHECK(sdp_build_answer(offer, &local4, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.pt, 0);
}

/* A dynamic payload type for a law is answered with that number. */
UNIT_TEST(sdp_answer_dynamic_pt)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 96 98\r\n"
		"a=rtpmap:96 PCMA/8000\r\na=rtpmap:98 telephone-event/8000\r\n";
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	CHECK(sdp_build_answer(offer, &local4, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.pt, 96);
	CHECK_INT(m.codec, CODEC_PCMA);
	CHECK_INT(m.te_pt, 98);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 96 98\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:96 PCMA/8000\r\n"), "rtpmap in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:98 telephone-event/8000\r\n"), "te in %s", buf);
}

/*
 * telephone-event at 8 and 48 kHz offered: the one at the chosen codec's
 * clock is taken and answered (Opus: 48 kHz, RFC 7587; PCMU: 8 kHz); an
 * Opus offer with telephone-event/8000 only still gets events; other
 * clocks are not telephone-events we know.
 */
UNIT_TEST(sdp_telephone_event_clock)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 111 0 101 100\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=rtpmap:100 telephone-event/48000\r\n";
	static const char only8k[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 111 101\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n";
	static const char odd[] =
		"v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
		"t=0 0\r\nm=audio 4000 RTP/AVP 0 97\r\n"
		"a=rtpmap:97 telephone-event/16000\r\n";
	static const int opus_first[] = { CODEC_OPUS, CODEC_PCMU };
	static const int pcmu_only[] = { CODEC_PCMU };
	struct sdp_local l = local4;
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	l.codecs = opus_first;
	l.n_codecs = 2;
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.codec, CODEC_OPUS);
	CHECK_INT(m.te_pt, 100);
	CHECK_INT(m.te_clock, 48000);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 111 100\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:100 telephone-event/48000\r\n"), "te in %s", buf);

	l.codecs = pcmu_only;
	l.n_codecs = 1;
	CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.codec, CODEC_PCMU);
	CHECK_INT(m.te_pt, 101);
	CHECK_INT(m.te_clock, 8000);
	CHECK(strstr(buf, "a=rtpmap:101 telephone-event/8000\r\n"), "te in %s", buf);

	l.codecs = opus_first;
	l.n_codecs = 2;
	CHECK(sdp_build_answer(only8k, &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.codec, CODEC_OPUS);
	CHECK_INT(m.te_pt, 101);
	CHECK_INT(m.te_clock, 8000);

	CHECK(sdp_build_answer(odd, &local4, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.te_pt, -1);
	CHECK_INT(m.te_clock, 0);
	CHECK(!strstr(buf, "telephone-event"), "te in %s", buf);
}

/* An RTP/SAVP offer (SRTP) cannot be answered by a port without SRTP: it
 * used to be answered RTP/SAVP with no key and the media sent in clear. */
UNIT_TEST(sdp_savp_offer_refused_without_srtp)
{
	static const char savp_offer[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\n"
		"m=audio 6000 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	char buf[SDP_TEXT_MAX];
	int r;

	r = sdp_build_answer(savp_offer, &local4, buf, sizeof(buf), NULL);
	CHECK(r < 0, "answered: %s", buf);
	CHECK_INT(r, -ENOKEY);
}

/* ---- the codec table (media/codec.h) ---- */

static const int all_codecs[] = {
	CODEC_PCMU, CODEC_PCMA, CODEC_OPUS, CODEC_G722, CODEC_G729,
};

/* The offer lists the port's codecs in its order, with rtpmap and fmtp. */
UNIT_TEST(sdp_offer_codecs)
{
	struct sdp_local l = local4;
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;
	static const int order[] = { CODEC_OPUS, CODEC_G729, CODEC_PCMA };

	l.codecs = all_codecs;
	l.n_codecs = 5;
	l.g729_annexb = true;
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "build");
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 0 8 111 9 18 101 110\r\n"), "m= in %s", buf);
	/* Opus counts 48 kHz (RFC 7587): its telephone-event too */
	CHECK(strstr(buf, "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
		      "a=rtpmap:110 telephone-event/48000\r\na=fmtp:110 0-16\r\n"),
	      "te in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:111 opus/48000/2\r\n"), "opus rtpmap");
	CHECK(strstr(buf, "a=fmtp:111 maxplaybackrate=8000;sprop-maxcapturerate=8000;useinbandfec=1;usedtx=0\r\n"),
	      "opus fmtp in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:9 G722/8000\r\n"), "g722 rtpmap: clock 8000");
	CHECK(strstr(buf, "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=yes\r\n"),
	      "g729 in %s", buf);
	/* our own offer, answered by a port with every codec: the first */
	CHECK_INT(sdp_parse_codecs(buf, &l, &m), 0);
	CHECK_INT(m.codec, CODEC_PCMU);

	l.codecs = order;
	l.n_codecs = 3;
	l.g729_annexb = false;
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "build");
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 111 18 8 101 110\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=fmtp:18 annexb=no\r\n"), "annexb=no");
	CHECK(!strstr(buf, "PCMU"), "no PCMU");
	/* a codec out of range or too many: refused */
	l.n_codecs = SDP_CODECS_MAX + 1;
	CHECK_INT(sdp_build_offer(&l, buf, sizeof(buf)), -EINVAL);
}

/* An answer takes the offerer's first format among the port's codecs. */
UNIT_TEST(sdp_answer_opus)
{
	struct sdp_local l = local4;
	static const int mine[] = { CODEC_G722, CODEC_OPUS };
	char buf[SDP_TEXT_MAX];
	struct sdp_media m, a;

	l.codecs = mine;
	l.n_codecs = 2;
	CHECK(sdp_build_answer(baresip_offer, &l, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_INT(m.codec, CODEC_OPUS);
	CHECK_INT(m.pt, 96);
	CHECK(!m.params.fec && !m.params.dtx, "no FEC/DTX asked");
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 96 101\r\n"), "m= in %s", buf);
	CHECK(strstr(buf, "a=rtpmap:96 opus/48000/2\r\n"), "rtpmap in %s", buf);
	CHECK(strstr(buf, "a=fmtp:96 maxplaybackrate=8000;"), "fmtp in %s", buf);
	/* the offerer reads our answer */
	CHECK_INT(sdp_parse_codecs(buf, &l, &a), 0);
	CHECK_INT(a.codec, CODEC_OPUS);
	CHECK(a.params.fec && !a.params.dtx && a.params.maxplaybackrate == 8000,
	      "our fmtp read back");
	/* G.722 only: its static PT 9 */
	l.n_codecs = 1;
	CHECK(sdp_build_answer(baresip_offer, &l, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_INT(m.codec, CODEC_G722);
	CHECK_INT(m.pt, 9);
	CHECK(strstr(buf, "m=audio 10000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\n"),
	      "g722 answer in %s", buf);
}

/* fmtp before rtpmap, FEC and DTX asked, a dynamic G.729 */
static const char opus_offer[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 10.0.0.5\r\n"
	"s=-\r\n"
	"c=IN IP4 10.0.0.5\r\n"
	"t=0 0\r\n"
	"m=audio 4000 RTP/AVP 109 97 0\r\n"
	"a=fmtp:109 useinbandfec=1; usedtx=1; maxplaybackrate=16000\r\n"
	"a=rtpmap:109 OPUS/48000/2\r\n"
	"a=rtpmap:97 G729/8000\r\n"
	"a=fmtp:97 annexb=no\r\n"
	"a=ptime:40\r\n";

UNIT_TEST(sdp_answer_fmtp)
{
	struct sdp_local l = local4;
	static const int g729[] = { CODEC_G729, CODEC_PCMU };
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	l.codecs = all_codecs + 2;	/* opus, g722, g729 */
	l.n_codecs = 3;
	CHECK(sdp_build_answer(opus_offer, &l, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_INT(m.codec, CODEC_OPUS);
	CHECK_INT(m.pt, 109);
	CHECK(m.params.fec && m.params.dtx && m.params.maxplaybackrate == 16000,
	      "the offer's fmtp for our encoder");
	CHECK_INT(m.ptime, 40);
	CHECK(strstr(buf, "a=rtpmap:109 opus/48000/2\r\n"), "rtpmap in %s", buf);

	/* G.729 under a dynamic PT, annexb=no: no Annex B whatever we want */
	l.codecs = g729;
	l.n_codecs = 2;
	l.g729_annexb = true;
	CHECK(sdp_build_answer(opus_offer, &l, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_INT(m.codec, CODEC_G729);
	CHECK_INT(m.pt, 97);
	CHECK(!m.params.annexb, "annexb off");
	CHECK(strstr(buf, "a=rtpmap:97 G729/8000\r\na=fmtp:97 annexb=no\r\n"),
	      "g729 answer in %s", buf);
	/* without fmtp (PT 18), annexb is yes (RFC 4749) unless we say no */
	CHECK(sdp_build_answer("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 18\r\n",
			       &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK(m.params.annexb && strstr(buf, "a=fmtp:18 annexb=yes\r\n"),
	      "annexb yes in %s", buf);
	l.g729_annexb = false;
	CHECK(sdp_build_answer("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 18\r\n",
			       &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK(!m.params.annexb && strstr(buf, "a=fmtp:18 annexb=no\r\n"),
	      "annexb no in %s", buf);
	/* a malformed fmtp leaves the defaults, not an error */
	CHECK(sdp_build_answer("v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 18\r\n"
			       "a=fmtp:18 annexb=perhaps\r\n",
			       &l, buf, sizeof(buf), &m) > 0, "answer");
	CHECK_INT(m.codec, CODEC_G729);
}

/* A re-offer keeps the codec in use when it is still offered (RFC 3264
 * 8.3.2), whatever the order; opus/48000/1 is not Opus (RFC 7587). */
UNIT_TEST(sdp_reoffer_keeps_opus)
{
	struct sdp_local l = local4;
	char buf[SDP_TEXT_MAX];
	struct sdp_media m;

	l.codecs = all_codecs;
	l.n_codecs = 5;
	l.keep_codec = true;
	l.codec = CODEC_OPUS;
	CHECK(sdp_build_answer(baresip_offer, &l, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_INT(m.codec, CODEC_OPUS);
	l.codec = CODEC_G722;
	CHECK(sdp_build_answer(baresip_offer, &l, buf, sizeof(buf), &m) > 0,
	      "answer");
	CHECK_INT(m.codec, CODEC_G722);
	l.keep_codec = false;
	CHECK_INT(sdp_parse_codecs("v=0\r\nc=IN IP4 10.0.0.5\r\n"
				   "m=audio 4000 RTP/AVP 96\r\n"
				   "a=rtpmap:96 opus/48000/1\r\n", &l, &m),
		  -EPROTONOSUPPORT);
	/* sdp_parse() alone: G.711 only, as before */
	CHECK_INT(sdp_parse(opus_offer, &m), 0);
	CHECK_INT(m.codec, CODEC_PCMU);
	CHECK_INT(m.pt, 0);
}

/* RFC 3611 5.1: a=rtcp-xr with voip-metrics among its formats asks for
 * our VoIP Metrics blocks; we offer it, and answer it only when asked
 * and enabled. */
UNIT_TEST(sdp_rtcp_xr)
{
	static const char *const with[] = {
		"a=rtcp-xr:voip-metrics\r\n",
		"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,jitt voip-metrics\r\n",
		"a=rtcp-xr:voip-metrics  pkt-loss-rle\r\n",
	};
	static const char *const without[] = {
		"a=rtcp-xr\r\n",
		"a=rtcp-xr:\r\n",
		"a=rtcp-xr:voip-metricsx stat-summary\r\n",
		"a=rtcp-xrx:voip-metrics\r\n",
		"a=rtcp-xr:pkt-loss-rle=10\r\n",
		"",
	};
	char offer[512], buf[SDP_TEXT_MAX];
	struct sdp_local l = local4;
	struct sdp_media m;

	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "offer");
	CHECK(!strstr(buf, "rtcp-xr"), "rtcp-xr offered when off: %s", buf);
	l.rtcp_xr = true;
	CHECK(sdp_build_offer(&l, buf, sizeof(buf)) > 0, "offer");
	CHECK(strstr(buf, "\r\na=rtcp-xr:voip-metrics\r\n"), "offer: %s", buf);
	CHECK_INT(sdp_parse(buf, &m), 0);
	CHECK(m.xr_voip, "our own offer not understood");

	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++) {
		snprintf(offer, sizeof(offer), "%s%s", sipp_offer, with[i]);
		CHECK_INT(sdp_parse(offer, &m), 0);
		CHECK(m.xr_voip, "not seen in %s", with[i]);
		l.rtcp_xr = true;
		CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0,
		      "answer");
		CHECK(strstr(buf, "a=rtcp-xr:voip-metrics\r\n"), "answer %s", buf);
		l.rtcp_xr = false;
		CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0,
		      "answer");
		CHECK(!strstr(buf, "rtcp-xr"), "answered when off: %s", buf);
	}
	for (size_t i = 0; i < sizeof(without) / sizeof(without[0]); i++) {
		snprintf(offer, sizeof(offer), "%s%s", sipp_offer, without[i]);
		CHECK_INT(sdp_parse(offer, &m), 0);
		CHECK(!m.xr_voip, "seen in \"%s\"", without[i]);
		l.rtcp_xr = true;
		CHECK(sdp_build_answer(offer, &l, buf, sizeof(buf), &m) > 0,
		      "answer");
		CHECK(!strstr(buf, "rtcp-xr"), "answered unasked: %s", buf);
	}
	/* session level */
	snprintf(offer, sizeof(offer),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		 "t=0 0\r\na=rtcp-xr:voip-metrics\r\nm=audio 6000 RTP/AVP 0\r\n");
	CHECK_INT(sdp_parse(offer, &m), 0);
	CHECK(m.xr_voip, "session level not seen");
}

/* ---- T.38 ---- */

/* A re-INVITE to T.38 as Asterisk-style gateways send it (trimmed). */
static const char t38_offer[] =
	"v=0\r\n"
	"o=- 1 2 IN IP4 198.51.100.7\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.7\r\n"
	"t=0 0\r\n"
	"m=image 4002 UDPTL t38\r\n"
	"a=T38FaxVersion:1\r\n"
	"a=T38maxBitRate:9600\r\n"
	"a=T38FaxFillBitRemoval\r\n"
	"a=T38FaxRateManagement:transferredTCF\r\n"
	"a=T38FaxMaxBuffer:262\r\n"
	"a=T38FaxMaxDatagram:176\r\n"
	"a=T38FaxUdpEC:t38UDPFEC\r\n";

UNIT_TEST(sdp_t38_parse)
{
	struct sdp_image im;
	struct sdp_media m;

	CHECK_INT(sdp_parse_t38(t38_offer, &im), 0);
	CHECK_STR(im.address, "198.51.100.7");
	CHECK_INT(im.family, AF_INET);
	CHECK_INT(im.port, 4002);
	CHECK_INT(im.direction, SDP_SENDRECV);
	CHECK_INT(im.t38.version, 1);
	CHECK_INT(im.t38.max_bitrate, 9600);
	CHECK(im.t38.fill_bit_removal, "fill bit removal");
	CHECK(!im.t38.transcoding_mmr && !im.t38.transcoding_jbig, "mmr/jbig");
	CHECK_INT(im.t38.rate, SDP_T38_TRANSFERRED_TCF);
	CHECK_INT(im.t38.max_buffer, 262);
	CHECK_INT(im.t38.max_datagram, 176);
	CHECK_INT(im.t38.ec, SDP_T38_EC_FEC);
	/* no audio stream in it: the audio parser says so */
	CHECK_INT(sdp_parse(t38_offer, &m), -ENOMEDIUM);
	/* and an audio SDP has no T.38 stream */
	CHECK_INT(sdp_parse_t38(baresip_offer, &im), -ENOMEDIUM);
}

UNIT_TEST(sdp_t38_parse_defaults)
{
	/* nothing but the m= line; audio declined before it; a version too
	 * high, a value we cannot read, ":0" flags */
	static const char bare[] =
		"v=0\r\nc=IN IP6 2001:db8::7\r\n"
		"m=audio 0 RTP/AVP 0\r\n"
		"m=image 5000 udptl t38\r\n";
	static const char odd[] =
		"v=0\r\nc=IN IP4 192.0.2.1\r\n"
		"m=image 0 udptl t38\r\n"
		"m=image 5002 udptl t38\r\n"
		"c=IN IP4 192.0.2.2\r\n"
		"a=T38FaxVersion:9\r\n"
		"a=T38MaxBitRate:fast\r\n"
		"a=T38FaxRateManagement:localTCF\r\n"
		"a=T38FaxFillBitRemoval:0\r\n"
		"a=T38FaxTranscodingMMR:1\r\n"
		"a=T38FaxUdpEC:t38UDPRedundancy\r\n"
		"a=sendonly\r\n";
	static const char tcp[] =
		"v=0\r\nc=IN IP4 192.0.2.1\r\nm=image 5000 tcp t38\r\n";
	struct sdp_image im;

	CHECK_INT(sdp_parse_t38(bare, &im), 0);
	CHECK_INT(im.family, AF_INET6);
	CHECK_STR(im.address, "2001:db8::7");
	CHECK_INT(im.port, 5000);
	CHECK_INT(im.t38.version, 0);
	CHECK_INT(im.t38.max_bitrate, 14400);
	CHECK_INT(im.t38.rate, SDP_T38_TRANSFERRED_TCF);
	CHECK_INT(im.t38.ec, SDP_T38_EC_NONE);
	CHECK_INT(im.t38.max_datagram, 0);
	CHECK_INT(sdp_parse_t38(odd, &im), 0);
	CHECK_STR(im.address, "192.0.2.2");
	CHECK_INT(im.port, 5002);
	CHECK_INT(im.t38.version, SDP_T38_VERSION_MAX);
	CHECK_INT(im.t38.max_bitrate, 14400);
	CHECK_INT(im.t38.rate, SDP_T38_LOCAL_TCF);
	CHECK(!im.t38.fill_bit_removal, "FillBitRemoval:0");
	CHECK(im.t38.transcoding_mmr, "TranscodingMMR:1");
	CHECK_INT(im.t38.ec, SDP_T38_EC_REDUNDANCY);
	CHECK_INT(im.direction, SDP_SENDONLY);
	CHECK_INT(sdp_parse_t38(tcp, &im), -ENOMEDIUM);
	CHECK_INT(sdp_parse_t38("v=0\r\nm=image 5000 udptl t38\r\n", &im),
		  -EBADMSG);	/* no connection address */
}

UNIT_TEST(sdp_t38_offer)
{
	struct sdp_local l = local4;
	struct sdp_t38 t;
	struct sdp_image im;
	char buf[SDP_TEXT_MAX];
	int n;

	sdp_t38_default(&t);
	l.rtp_port = 10002;
	n = sdp_build_t38_offer(&l, &t, buf, sizeof(buf));
	CHECK(n > 0, "build: %d", n);
	CHECK_INT(strlen(buf), n);
	CHECK(strstr(buf, "m=image 10002 udptl t38\r\n"), "m= in %s", buf);
	CHECK(!strstr(buf, "m=audio"), "no audio");
	CHECK(strstr(buf, "c=IN IP4 192.0.2.10\r\n"), "c=");
	CHECK(strstr(buf, "a=T38FaxVersion:0\r\n"), "version");
	CHECK(strstr(buf, "a=T38MaxBitRate:14400\r\n"), "bit rate");
	CHECK(strstr(buf, "a=T38FaxRateManagement:transferredTCF\r\n"), "rate");
	CHECK(strstr(buf, "a=T38FaxMaxBuffer:1800\r\n"), "buffer");
	CHECK(strstr(buf, "a=T38FaxMaxDatagram:400\r\n"), "datagram");
	CHECK(strstr(buf, "a=T38FaxUdpEC:t38UDPRedundancy\r\n"), "ec");
	CHECK(!strstr(buf, "FillBitRemoval"), "no fill bit removal");
	/* it reads back as it was built */
	CHECK_INT(sdp_parse_t38(buf, &im), 0);
	CHECK_INT(im.port, 10002);
	CHECK(!memcmp(&im.t38, &t, sizeof(t)), "round trip");
	CHECK_INT(sdp_build_t38_offer(&l, &t, buf, 60), -ENOBUFS);
	t.version = 4;
	CHECK_INT(sdp_build_t38_offer(&l, &t, buf, sizeof(buf)), -EINVAL);
	sdp_t38_default(&t);
	l.address = "fax.example";
	CHECK_INT(sdp_build_t38_offer(&l, &t, buf, sizeof(buf)), -EINVAL);
}

UNIT_TEST(sdp_t38_answer)
{
	static const char mixed[] =
		"v=0\r\nc=IN IP4 192.0.2.9\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"m=image 4002 udptl t38\r\n"
		"a=T38FaxVersion:0\r\n"
		"a=T38MaxBitRate:33600\r\n"
		"a=T38FaxRateManagement:localTCF\r\n";
	struct sdp_local l = local4;
	struct sdp_t38 ours;
	struct sdp_image rem, back;
	char buf[SDP_TEXT_MAX];
	int n;

	sdp_t38_default(&ours);
	ours.version = 2;
	l.rtp_port = 10004;
	n = sdp_build_t38_answer(t38_offer, &l, &ours, buf, sizeof(buf), &rem);
	CHECK(n > 0, "answer: %d", n);
	CHECK(strstr(buf, "m=image 10004 udptl t38\r\n"), "m= in %s", buf);
	/* the lower version and bit rate, our sizes, redundancy for FEC, no
	 * fill bit removal (we do not do it) */
	CHECK(strstr(buf, "a=T38FaxVersion:1\r\n"), "version in %s", buf);
	CHECK(strstr(buf, "a=T38MaxBitRate:9600\r\n"), "bit rate");
	CHECK(strstr(buf, "a=T38FaxMaxDatagram:400\r\n"), "datagram");
	CHECK(strstr(buf, "a=T38FaxUdpEC:t38UDPRedundancy\r\n"), "ec");
	CHECK(!strstr(buf, "FillBitRemoval"), "fill bit removal");
	CHECK_INT(sdp_parse_t38(buf, &back), 0);
	CHECK_INT(back.t38.version, 1);
	/* what the session runs with: the answer's, the remote's sizes */
	CHECK_STR(rem.address, "198.51.100.7");
	CHECK_INT(rem.port, 4002);
	CHECK_INT(rem.t38.version, 1);
	CHECK_INT(rem.t38.max_bitrate, 9600);
	CHECK_INT(rem.t38.ec, SDP_T38_EC_REDUNDANCY);
	CHECK_INT(rem.t38.max_datagram, 176);
	CHECK_INT(rem.t38.max_buffer, 262);

	/* audio and image offered: the audio declined, the rate kept, no
	 * error correction offered, none answered */
	n = sdp_build_t38_answer(mixed, &l, &ours, buf, sizeof(buf), &rem);
	CHECK(n > 0, "answer: %d", n);
	CHECK(strstr(buf, "m=audio 0 RTP/AVP 0\r\n"), "audio declined in %s", buf);
	CHECK(strstr(buf, "a=T38FaxVersion:0\r\n"), "version");
	CHECK(strstr(buf, "a=T38MaxBitRate:14400\r\n"), "bit rate");
	CHECK(strstr(buf, "a=T38FaxRateManagement:localTCF\r\n"), "rate");
	CHECK(strstr(buf, "a=T38FaxUdpEC:t38UDPNoEC\r\n"), "ec");
	CHECK(strstr(buf, "m=audio") < strstr(buf, "m=image"), "m= order kept");
	/* an audio offer has no T.38 stream to answer */
	CHECK_INT(sdp_build_t38_answer(baresip_offer, &l, &ours, buf,
				       sizeof(buf), &rem), -ENOMEDIUM);
}
