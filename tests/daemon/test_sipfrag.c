// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sipfrag.c - unit tests for daemon/sip/sipfrag.c: the sipfrag
 * status line (RFC 3420, as RFC 3515 NOTIFYs carry it), Refer-To (RFC
 * 3515) and Replaces (RFC 3891, its examples) values.
 */
#include <errno.h>
#include <string.h>

#include "sip/sipfrag.h"
#include "unit.h"

static int frag(const char *s, int *code)
{
	return sipfrag_status(s, strlen(s), code);
}

UNIT_TEST(sipfrag_status_lines)
{
	static const struct { const char *body; int code; } good[] = {
		{ "SIP/2.0 100 Trying\r\n", 100 },
		{ "SIP/2.0 200 OK", 200 },
		{ "SIP/2.0 180 Ringing\nContact: <sip:x@y>\n", 180 },
		{ "sip/2.0 503 Service Unavailable\r\n\r\n", 503 },
		{ "SIP/2.0 603\r\n", 603 },
	};
	static const char *const bad[] = {
		"", "SIP/2.0", "SIP/2.0 20 OK", "SIP/2.0 2000 OK",
		"SIP/2.0 099 x", "SIP/2.0 700 x", "SIP/1.0 200 OK",
		"INVITE sip:a@b SIP/2.0\r\n", "SIP/2.0 2x0 OK",
		"SIP/2.0 200 O\x01K", "SIP/2.0 200 OK\rX",
	};
	unsigned i;
	int code;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		code = 0;
		CHECK(frag(good[i].body, &code) == 0, "refused: %s", good[i].body);
		CHECK_INT(code, good[i].code);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(frag(bad[i], &code) == -EBADMSG, "accepted: %s", bad[i]);
	CHECK_INT(sipfrag_status("SIP/2.0 200 OK\0", 15, &code), -EBADMSG);
}

UNIT_TEST(refer_to_forms)
{
	char uri[256], rep[256];

	CHECK_INT(refer_to_parse("<sip:bob@example.com>", uri, sizeof(uri),
				 rep, sizeof(rep)), 0);
	CHECK_STR(uri, "sip:bob@example.com");
	CHECK_STR(rep, "");
	CHECK_INT(refer_to_parse("sip:1234@pbx.example;transport=udp", uri,
				 sizeof(uri), rep, sizeof(rep)), 0);
	CHECK_STR(uri, "sip:1234@pbx.example");
	CHECK_INT(refer_to_parse(" \"Bob\" <SIPS:bob@b.example;user=phone>;x=1 ",
				 uri, sizeof(uri), rep, sizeof(rep)), 0);
	CHECK_STR(uri, "SIPS:bob@b.example;user=phone");
	CHECK_INT(refer_to_parse("<tel:+15551234>", uri, sizeof(uri), rep,
				 sizeof(rep)), 0);
	CHECK_STR(uri, "tel:+15551234");
	/* RFC 3891 7's example: Replaces in the Refer-To URI */
	CHECK_INT(refer_to_parse("<sips:bob@bobster.example.org?Replaces=12345%40"
				 "192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>",
				 uri, sizeof(uri), rep, sizeof(rep)), 0);
	CHECK_STR(uri, "sips:bob@bobster.example.org");
	CHECK_STR(rep, "12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994");
	/* other headers dropped */
	CHECK_INT(refer_to_parse("<sip:c@x?Require=replaces&replaces=a%3bto-tag%3d1%3bfrom-tag%3d2&X=y>",
				 uri, sizeof(uri), rep, sizeof(rep)), 0);
	CHECK_STR(uri, "sip:c@x");
	CHECK_STR(rep, "a;to-tag=1;from-tag=2");
}

UNIT_TEST(refer_to_refused)
{
	static const char *const bad[] = {
		"", "<>", "<sip:a@b", "http://example.com/", "<mailto:a@b>",
		"<sip:>", "sip:", "<sip:a b@c>", "<sip:a@b?Replaces=x%4>",
		"<sip:a@b?Replaces=x%zz>", "<sip:a@b?Replaces=x%0d%0aVia:>",
		"<sip:a@b?Replaces=1&Replaces=2>", "<sip:a@b?=x>",
		"<sip:a@b?junk>", "\"x>\" <sip:a@b>", "<sip:a@b\">",
	};
	char uri[256], rep[256], big[1100];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(refer_to_parse(bad[i], uri, sizeof(uri), rep,
				     sizeof(rep)) == -EBADMSG, "accepted: %s", bad[i]);
	CHECK_INT(refer_to_parse("<sip:aaaaaaaaaa@b>", uri, 10, rep,
				 sizeof(rep)), -ENAMETOOLONG);
	CHECK_INT(refer_to_parse("<sip:a@b?Replaces=0123456789>", uri,
				 sizeof(uri), rep, 10), -ENAMETOOLONG);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "<sip:", 5);
	CHECK_INT(refer_to_parse(big, uri, sizeof(uri), rep, sizeof(rep)),
		  -ENAMETOOLONG);
}

UNIT_TEST(replaces_values)
{
	struct sip_replaces r;

	CHECK_INT(replaces_parse("425928@bobster.example.org;to-tag=7743;"
				 "from-tag=6472", &r), 0);
	CHECK_STR(r.call_id, "425928@bobster.example.org");
	CHECK_STR(r.to_tag, "7743");
	CHECK_STR(r.from_tag, "6472");
	CHECK(!r.early_only, "early-only");
	CHECK_INT(replaces_parse(" 98732@sip.example.com ; From-Tag = r33th4x0r ;"
				 "early-only;to-tag=ff87ff;x=y ", &r), 0);
	CHECK_STR(r.call_id, "98732@sip.example.com");
	CHECK_STR(r.to_tag, "ff87ff");
	CHECK_STR(r.from_tag, "r33th4x0r");
	CHECK(r.early_only, "no early-only");
}

UNIT_TEST(replaces_refused)
{
	static const char *const bad[] = {
		"", ";to-tag=1;from-tag=2", "c;to-tag=1", "c;from-tag=2",
		"c;to-tag=1;to-tag=1;from-tag=2", "c;to-tag;from-tag=2",
		"c;to-tag=1;from-tag=2;early-only=1", "c to-tag=1;from-tag=2",
		"c;to-tag=1;from-tag=", "c;to-tag=1,x;from-tag=2",
		"c;to-tag=\"1\";from-tag=2", "c;to-tag=1;from-tag=2\r\n",
	};
	struct sip_replaces r;
	char big[300];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(replaces_parse(bad[i], &r) == -EBADMSG, "accepted: %s",
		      bad[i]);
	memset(big, 'x', 200);
	strcpy(big + 200, ";to-tag=1;from-tag=2");
	CHECK_INT(replaces_parse(big, &r), -ENAMETOOLONG);
}

UNIT_TEST(replaces_escape_round_trip)
{
	struct sip_replaces r;
	char esc[300], uri[256], rep[256], refer_to[400];

	CHECK_INT(replaces_escape("a1b2@10.0.0.1", "t=;&?", "f%1", esc,
				  sizeof(esc)), 0);
	CHECK_STR(esc, "a1b2%4010.0.0.1%3Bto-tag%3Dt%3D%3B%26%3F%3Bfrom-tag%3Df%251");
	CHECK_INT(replaces_escape("x", "y", "z", esc, 10), -ENAMETOOLONG);
	/* what sip_call_refer() sends, read back as an INVITE's Replaces */
	CHECK_INT(replaces_escape("3848276298220188511@atlanta.example.com",
				  "a6c85cf", "1928301774", esc, sizeof(esc)), 0);
	snprintf(refer_to, sizeof(refer_to), "<sip:carol@c.example?Replaces=%s>", esc);
	CHECK_INT(refer_to_parse(refer_to, uri, sizeof(uri), rep, sizeof(rep)), 0);
	CHECK_INT(replaces_parse(rep, &r), 0);
	CHECK_STR(r.call_id, "3848276298220188511@atlanta.example.com");
	CHECK_STR(r.to_tag, "a6c85cf");
	CHECK_STR(r.from_tag, "1928301774");
}
