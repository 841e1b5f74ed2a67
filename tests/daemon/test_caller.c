// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_caller.c - what an INVITE's text says of its caller
 * (daemon/sip/caller.c): the Alert-Info forms providers send, the
 * malformed ones left out, the bounds; anonymity.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/caller.h"
#include "unit.h"

#define START "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"

/* The tokens of a message made of START, @hdrs and an empty line. */
static int tokens(const char *hdrs, char *out, size_t n)
{
	char msg[8192];

	snprintf(msg, sizeof(msg), START "%sContent-Length: 0\r\n\r\nAlert-Info: <x/body>\r\n",
		 hdrs);
	return alert_info_tokens(msg, strlen(msg), out, n);
}

#define TOKENS(hdrs, want_n, want)					\
	do {								\
		char out_[SIP_ALERT_INFO_MAX];				\
		int n_ = tokens(hdrs, out_, sizeof(out_));		\
		CHECK(n_ == (want_n) && !strcmp(out_, want),		\
		      "%s: %d \"%s\", want %d \"%s\"", #hdrs, n_, out_, \
		      want_n, want);					\
	} while (0)

UNIT_TEST(alert_info_forms)
{
	TOKENS("Alert-Info: <http://127.0.0.1/Bellcore-dr2>\r\n", 1, "Bellcore-dr2");
	TOKENS("Alert-Info: <http://x/y>;info=Bellcore-dr3\r\n", 1, "Bellcore-dr3");
	TOKENS("Alert-Info: <http://www.notused.com>;info=alert-internal;x-line-id=0\r\n",
	       1, "alert-internal");
	TOKENS("Alert-Info: info=alert-group\r\n", 1, "alert-group");
	TOKENS("Alert-Info: info = \"Bellcore-dr4\"\r\n", 1, "Bellcore-dr4");
	TOKENS("Alert-Info: Bellcore-dr2\r\n", 1, "Bellcore-dr2");
	TOKENS("Alert-Info: <Bellcore-dr5>\r\n", 1, "Bellcore-dr5");
	TOKENS("Alert-Info: <urn:alert:service:call-waiting>, <urn:alert:source:external>\r\n",
	       2, "urn:alert:service:call-waiting urn:alert:source:external");
	TOKENS("alert-info  :<https://a.example/rings/Ring3?x=1#f>\r\n", 1, "Ring3");
	/* two header lines, in order; a folded one */
	TOKENS("Alert-Info: <urn:alert:priority:high>\r\nFrom: <sip:a@b>\r\n"
	       "Alert-Info:\r\n  <http://h/Bellcore-dr2>\r\n", 2,
	       "urn:alert:priority:high Bellcore-dr2");
	/* none, other headers that look alike, the body is not headers */
	TOKENS("", 0, "");
	TOKENS("Alert-Infos: Bellcore-dr2\r\nX-Alert-Info: Bellcore-dr3\r\n", 0, "");
	/* LF line ends */
	{
		const char m[] = "INVITE sip:a@b SIP/2.0\nAlert-Info: x-ring\n\n";
		char out[64];

		CHECK_INT(alert_info_tokens(m, strlen(m), out, sizeof(out)), 1);
		CHECK_STR(out, "x-ring");
	}
}

UNIT_TEST(alert_info_malformed)
{
	char big[2000], hdr[2100];

	/* no URI's last segment, an unterminated '<', a quote that never
	 * ends, characters a token may not hold, empty values */
	TOKENS("Alert-Info: <http://host.only>\r\n", 0, "");
	TOKENS("Alert-Info: <http://x/Bellcore-dr2\r\n", 0, "");
	TOKENS("Alert-Info: <http://x/y>;info=\"dr2\r\n", 0, "");
	TOKENS("Alert-Info: <http://x/a b>, ring<1>, info=x\"y, ,,;;\r\n", 0, "");
	TOKENS("Alert-Info: <<<>>>;;;===\r\n", 0, "");
	TOKENS("Alert-Info: <urn:alert:source:external>, <http://x/y z>, Bellcore-dr2\r\n",
	       2, "urn:alert:source:external Bellcore-dr2");
	/* a token of 64 characters is too long; 63 is not */
	memset(big, 'a', 64);
	big[64] = '\0';
	snprintf(hdr, sizeof(hdr), "Alert-Info: %s\r\n", big);
	TOKENS(hdr, 0, "");
	big[63] = '\0';
	snprintf(hdr, sizeof(hdr), "Alert-Info: %s\r\n", big);
	TOKENS(hdr, 1, big);
	/* a value over the parser's 1024 bytes is left out, not cut */
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(hdr, sizeof(hdr), "Alert-Info: x, %s\r\n", big);
	TOKENS(hdr, 0, "");
	/* arguments */
	CHECK_INT(alert_info_tokens(START, strlen(START), NULL, 5), -EINVAL);
	{
		char out[4] = "zzz";

		CHECK_INT(alert_info_tokens(NULL, 0, out, sizeof(out)), 0);
		CHECK_STR(out, "");
	}
}

UNIT_TEST(alert_info_bounds)
{
	char hdr[1024], out[SIP_ALERT_INFO_MAX], small[16];
	int n;

	/* at most SIP_ALERT_TOKENS_MAX tokens */
	snprintf(hdr, sizeof(hdr), "Alert-Info: a1, a2, a3, a4, a5, a6, a7, a8, a9, a10\r\n");
	n = tokens(hdr, out, sizeof(out));
	CHECK_INT(n, SIP_ALERT_TOKENS_MAX);
	CHECK_STR(out, "a1 a2 a3 a4 a5 a6 a7 a8");
	/* only whole tokens that fit */
	n = tokens("Alert-Info: Bellcore-dr2, x, Bellcore-dr3\r\n", small, sizeof(small));
	CHECK_INT(n, 2);
	CHECK_STR(small, "Bellcore-dr2 x");
	/* the message is not read past @len, and needs no NUL */
	{
		char m[] = START "Alert-Info: ringA\r\n\r\n";
		char *copy = malloc(strlen(m));

		memcpy(copy, m, strlen(m));
		n = alert_info_tokens(copy, strlen(m) - 6, out, sizeof(out));
		free(copy);
		CHECK_INT(n, 1);
		CHECK_STR(out, "rin");
	}
}

UNIT_TEST(caller_anonymous)
{
	CHECK(caller_is_anonymous("anonymous", "anonymous.invalid", NULL, false), "RFC 3323 From");
	CHECK(caller_is_anonymous("Anonymous", "example.com", NULL, true), "user anonymous");
	CHECK(caller_is_anonymous("2001", "ANONYMOUS.INVALID", NULL, false), "host anonymous.invalid");
	CHECK(caller_is_anonymous("2001", "example.com", "id", false), "Privacy: id");
	CHECK(caller_is_anonymous("2001", "example.com", "header;user", false), "Privacy: header");
	CHECK(caller_is_anonymous("2001", "example.com", " user ; ID ", false), "Privacy: ID, blanks");
	CHECK(!caller_is_anonymous("2001", "example.com", "id", true), "Privacy: id with a PAI");
	CHECK(!caller_is_anonymous("2001", "example.com", "none", false), "Privacy: none");
	CHECK(!caller_is_anonymous("2001", "example.com", "user;session", false), "Privacy: user");
	CHECK(!caller_is_anonymous("2001", "example.com", "identity", false), "not the value id");
	CHECK(!caller_is_anonymous("anonymous2", "example.com", NULL, false), "a user that only begins so");
	CHECK(!caller_is_anonymous(NULL, NULL, NULL, false), "nothing known");
}
