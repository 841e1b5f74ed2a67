// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_digest.c - unit tests for daemon/sip/digest.c.
 *
 * Expected hashes come from RFC 7616 3.9.1 and RFC 2617 3.5; those the
 * RFCs do not print (no qop, SIP REGISTER, -sess) were computed separately
 * with python3 hashlib, as were the RFC values themselves.
 */
#include <errno.h>
#include <string.h>

#include "sip/digest.h"
#include "unit.h"

#define RFC7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"

/* The RFC 7616 3.9.1 challenge, with the algorithm given. */
#define RFC7616_CHALLENGE(alg)						\
	"Digest\r\n realm=\"http-auth@example.org\",\r\n"		\
	" qop=\"auth, auth-int\",\r\n algorithm=" alg ",\r\n"	\
	" nonce=\"" RFC7616_NONCE "\",\r\n opaque=\"" RFC7616_OPAQUE "\""

/* The same without the folding: a SIP parser unfolds header lines. */
#define RFC7616_CHALLENGE_LINE(alg)					\
	"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", " \
	"algorithm=" alg ", nonce=\"" RFC7616_NONCE "\", "		\
	"opaque=\"" RFC7616_OPAQUE "\""

#define RFC2617_CHALLENGE						\
	"realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "		\
	"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "		\
	"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""

#define SIP_CHALLENGE							\
	"Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", " \
	"nonce=\"84a4cc6f3082121f32b42a2187831a9e\", stale=FALSE, "	\
	"algorithm=MD5"

static char hex[DIGEST_HEX_MAX];
static char hdr[1024];

#define PARSE_OK(c, value)						\
	do {								\
		int r_ = digest_parse_challenge((value), &(c));	\
		CHECK(r_ == 0, "parse \"%s\": %d", (value), r_);	\
	} while (0)

#define PARSE_FAILS(value, err)						\
	do {								\
		struct digest_challenge c_;				\
		int r_ = digest_parse_challenge((value), &c_);		\
		CHECK(r_ == (err), "parse \"%s\": got %d, want %d",	\
		      (value), r_, (err));				\
	} while (0)

UNIT_TEST(dg_rfc7616_md5)
{
	struct digest_challenge c;

	/* RFC 7616 3.9.1 has the challenge with SHA-256; same nonce */
	PARSE_OK(c, RFC7616_CHALLENGE("MD5"));
	CHECK_STR(c.realm, "http-auth@example.org");
	CHECK_STR(c.nonce, RFC7616_NONCE);
	CHECK_STR(c.opaque, RFC7616_OPAQUE);
	CHECK_INT(c.algorithm, DIGEST_ALGORITHM_MD5);
	CHECK(c.qop_auth, "qop auth not seen");
	CHECK(!c.stale, "stale");
	CHECK_INT(digest_response(&c, "Mufasa", "Circle of Life", "GET",
				  "/dir/index.html", RFC7616_CNONCE, 1, hex,
				  sizeof(hex)), 0);
	CHECK_STR(hex, "8ca523f5e9506fed4657c9700eebdbec");
}

UNIT_TEST(dg_rfc7616_sha256)
{
	struct digest_challenge c;

	PARSE_OK(c, RFC7616_CHALLENGE_LINE("SHA-256"));
	CHECK_INT(c.algorithm, DIGEST_ALGORITHM_SHA256);
	CHECK(c.qop_auth, "qop auth not seen");
	CHECK_INT(digest_response(&c, "Mufasa", "Circle of Life", "GET",
				  "/dir/index.html", RFC7616_CNONCE, 1, hex,
				  sizeof(hex)), 0);
	CHECK_STR(hex, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

UNIT_TEST(dg_rfc7616_authorization_md5)
{
	struct digest_challenge c;

	PARSE_OK(c, RFC7616_CHALLENGE_LINE("MD5"));
	CHECK_INT(digest_authorization(&c, "Mufasa", "Circle of Life", "GET",
				       "/dir/index.html", RFC7616_CNONCE, 1,
				       hdr, sizeof(hdr)), 0);
	CHECK_STR(hdr,
		  "Digest username=\"Mufasa\", "
		  "realm=\"http-auth@example.org\", "
		  "nonce=\"" RFC7616_NONCE "\", "
		  "uri=\"/dir/index.html\", "
		  "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
		  "algorithm=MD5, "
		  "cnonce=\"" RFC7616_CNONCE "\", "
		  "qop=auth, nc=00000001, "
		  "opaque=\"" RFC7616_OPAQUE "\"");
}

UNIT_TEST(dg_rfc7616_authorization_sha256)
{
	struct digest_challenge c;

	PARSE_OK(c, RFC7616_CHALLENGE("SHA-256"));
	CHECK_INT(digest_authorization(&c, "Mufasa", "Circle of Life", "GET",
				       "/dir/index.html", RFC7616_CNONCE, 1,
				       hdr, sizeof(hdr)), 0);
	CHECK(strstr(hdr, "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", algorithm=SHA-256, "),
	      "%s", hdr);
}

UNIT_TEST(dg_rfc2617_qop)
{
	struct digest_challenge c;

	PARSE_OK(c, RFC2617_CHALLENGE);
	CHECK_INT(c.algorithm, DIGEST_ALGORITHM_MD5);
	CHECK_INT(digest_response(&c, "Mufasa", "Circle Of Life", "GET",
				  "/dir/index.html", "0a4f113b", 1, hex,
				  sizeof(hex)), 0);
	CHECK_STR(hex, "6629fae49393a05397450978507c4ef1");
}

UNIT_TEST(dg_rfc2617_without_qop)
{
	struct digest_challenge c;

	PARSE_OK(c, "Digest realm=\"testrealm@host.com\", "
		    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
	CHECK(!c.qop_auth, "qop");
	CHECK_STR(c.opaque, "");
	/* without qop, cnonce and nc are not used: NULL is fine */
	CHECK_INT(digest_response(&c, "Mufasa", "Circle Of Life", "GET",
				  "/dir/index.html", NULL, 0, hex,
				  sizeof(hex)), 0);
	CHECK_STR(hex, "670fd8c2df070c60b045671b8b24ff02");
	CHECK_INT(digest_authorization(&c, "Mufasa", "Circle Of Life", "GET",
				       "/dir/index.html", NULL, 0, hdr,
				       sizeof(hdr)), 0);
	CHECK_STR(hdr,
		  "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
		  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		  "uri=\"/dir/index.html\", "
		  "response=\"670fd8c2df070c60b045671b8b24ff02\", "
		  "algorithm=MD5");
}

UNIT_TEST(dg_sip_register)
{
	struct digest_challenge c;

	PARSE_OK(c, SIP_CHALLENGE);
	CHECK_STR(c.realm, "atlanta.com");
	CHECK(!c.stale, "stale=FALSE");
	CHECK_INT(digest_authorization(&c, "alice", "secret", "REGISTER",
				       "sip:atlanta.com", NULL, 0, hdr,
				       sizeof(hdr)), 0);
	CHECK_STR(hdr,
		  "Digest username=\"alice\", realm=\"atlanta.com\", "
		  "nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
		  "uri=\"sip:atlanta.com\", "
		  "response=\"0534730df9b76ff85088704104e68f4d\", "
		  "algorithm=MD5");
}

UNIT_TEST(dg_md5_sess)
{
	struct digest_challenge c;

	PARSE_OK(c, "Digest realm=\"atlanta.com\", nonce=\"abc123\", "
		    "qop=\"auth\", algorithm=MD5-sess");
	CHECK_INT(c.algorithm, DIGEST_ALGORITHM_MD5_SESS);
	CHECK_INT(digest_authorization(&c, "alice", "secret", "REGISTER",
				       "sip:atlanta.com", "0a4f113b", 2, hdr,
				       sizeof(hdr)), 0);
	CHECK_STR(hdr,
		  "Digest username=\"alice\", realm=\"atlanta.com\", "
		  "nonce=\"abc123\", uri=\"sip:atlanta.com\", "
		  "response=\"6a9d9deceb383781fe49dd7a80b720b0\", "
		  "algorithm=MD5-sess, cnonce=\"0a4f113b\", qop=auth, "
		  "nc=00000002");
}

UNIT_TEST(dg_sha256_sess)
{
	struct digest_challenge c;

	PARSE_OK(c, "Digest realm=\"atlanta.com\", nonce=\"abc123\", "
		    "qop=auth, algorithm=sha-256-SESS");
	CHECK_INT(c.algorithm, DIGEST_ALGORITHM_SHA256_SESS);
	CHECK_INT(digest_response(&c, "alice", "secret", "REGISTER",
				  "sip:atlanta.com", "0a4f113b", 2, hex,
				  sizeof(hex)), 0);
	CHECK_STR(hex, "560c4d6d22ae1fa883c1e3204b604cd766cb53ac4166dd71ae93e115c6c9c21f");
}

UNIT_TEST(dg_nc_is_hex)
{
	struct digest_challenge c;

	PARSE_OK(c, RFC7616_CHALLENGE_LINE("MD5"));
	CHECK_INT(digest_authorization(&c, "Mufasa", "Circle of Life", "GET",
				       "/dir/index.html", RFC7616_CNONCE,
				       0x1ab, hdr, sizeof(hdr)), 0);
	CHECK(strstr(hdr, ", nc=000001ab, "), "%s", hdr);
}

UNIT_TEST(dg_parse_quoted_commas_escapes)
{
	struct digest_challenge c;

	PARSE_OK(c, "Digest realm=\"a \\\"quoted\\\", realm\", "
		    "nonce=\"n,1=2\", opaque=\"x\\\\y\\z\"");
	CHECK_STR(c.realm, "a \"quoted\", realm");
	CHECK_STR(c.nonce, "n,1=2");
	CHECK_STR(c.opaque, "x\\yz");
	/* re-escaped on the way out */
	CHECK_INT(digest_authorization(&c, "a\"b", "pw", "REGISTER", "sip:x",
				       NULL, 0, hdr, sizeof(hdr)), 0);
	CHECK(strstr(hdr, "Digest username=\"a\\\"b\", "
			  "realm=\"a \\\"quoted\\\", realm\", "
			  "nonce=\"n,1=2\", "), "%s", hdr);
	CHECK(strstr(hdr, ", opaque=\"x\\\\yz\""), "%s", hdr);
}

UNIT_TEST(dg_parse_any_order_unknown_params)
{
	struct digest_challenge c;

	PARSE_OK(c, "  nonce=abc/+=,foo=\"bar, baz=\\\"q\\\"\" ,, "
		    "Realm = \"r\" , domain=\"sip:a sip:b\",stale=TRUE,"
		    "algorithm=md5, userhash=false, charset=UTF-8  ");
	CHECK_STR(c.nonce, "abc/+=");
	CHECK_STR(c.realm, "r");
	CHECK_STR(c.opaque, "");
	CHECK_INT(c.algorithm, DIGEST_ALGORITHM_MD5);
	CHECK(c.stale, "stale=TRUE");
	CHECK(!c.qop_auth, "qop");
}

UNIT_TEST(dg_parse_scheme_word)
{
	struct digest_challenge a, b, d;

	PARSE_OK(a, "Digest realm=\"r\", nonce=\"n\"");
	PARSE_OK(b, "realm=\"r\", nonce=\"n\"");
	PARSE_OK(d, "\tdigest  realm=\"r\",nonce=\"n\"");
	CHECK_STR(a.realm, "r");
	CHECK_STR(a.nonce, "n");
	CHECK_STR(b.realm, a.realm);
	CHECK_STR(b.nonce, a.nonce);
	CHECK_STR(d.realm, a.realm);
	CHECK_STR(d.nonce, a.nonce);
	CHECK(a.algorithm == b.algorithm && a.algorithm == d.algorithm &&
	      a.qop_auth == b.qop_auth && a.qop_auth == d.qop_auth,
	      "with and without scheme differ");
	PARSE_FAILS("Basic realm=\"r\"", -EOPNOTSUPP);
	PARSE_FAILS("DigestX realm=\"r\", nonce=\"n\"", -EOPNOTSUPP);
}

UNIT_TEST(dg_parse_qop_variants)
{
	struct digest_challenge c;

	PARSE_OK(c, "realm=\"r\", nonce=\"n\", qop=auth");
	CHECK(c.qop_auth, "bare qop=auth");
	PARSE_OK(c, "realm=\"r\", nonce=\"n\", qop=\"auth-int,auth\"");
	CHECK(c.qop_auth, "auth second");
	PARSE_OK(c, "realm=\"r\", nonce=\"n\", qop=\" AUTH \"");
	CHECK(c.qop_auth, "case and blanks");
	PARSE_FAILS("realm=\"r\", nonce=\"n\", qop=\"auth-int\"", -EOPNOTSUPP);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", qop=\"authx\"", -EOPNOTSUPP);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", qop=\"\"", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", qop=\" , \"", -EINVAL);
}

UNIT_TEST(dg_parse_missing_params)
{
	PARSE_FAILS("Digest nonce=\"n\", qop=\"auth\"", -EINVAL);
	PARSE_FAILS("Digest realm=\"r\", qop=\"auth\"", -EINVAL);
	PARSE_FAILS("Digest realm=\"r\", nonce=\"\"", -EINVAL);
	PARSE_FAILS("Digest", -EINVAL);
	PARSE_FAILS("", -EINVAL);
	PARSE_FAILS("   ", -EINVAL);
	/* missing realm wins over an unknown algorithm */
	PARSE_FAILS("Digest nonce=\"n\", algorithm=SHA-512-256", -EINVAL);
}

UNIT_TEST(dg_parse_garbage)
{
	PARSE_FAILS("realm=\"unterminated, nonce=\"n\"", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=\"n\\", -EINVAL);
	PARSE_FAILS("Digest realm", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=,", -EINVAL);
	PARSE_FAILS("=x, realm=\"r\", nonce=\"n\"", -EINVAL);
	PARSE_FAILS("realm=\"r\" nonce=\"n\"", -EINVAL);
	PARSE_FAILS("realm=\"r\"x, nonce=\"n\"", -EINVAL);
	PARSE_FAILS("\"realm\"=\"r\", nonce=\"n\"", -EINVAL);
	PARSE_FAILS("Digest, realm=\"r\", nonce=\"n\"", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=\"a\rb\"", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=a\nb", -EINVAL);
	PARSE_FAILS("realm=\"r\", realm=\"s\", nonce=\"n\"", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", NONCE=\"m\"", -EINVAL);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", algorithm=MD5, algorithm=MD5",
		    -EINVAL);
}

UNIT_TEST(dg_parse_unsupported)
{
	PARSE_FAILS(RFC7616_CHALLENGE_LINE("SHA-512-256"), -EOPNOTSUPP);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", algorithm=\"SHA-512-256-sess\"",
		    -EOPNOTSUPP);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5",
		    -EOPNOTSUPP);
	PARSE_FAILS("realm=\"r\", nonce=\"n\", algorithm=MD5-sessions-and-more-and-more-and-more",
		    -EOPNOTSUPP);
}

UNIT_TEST(dg_parse_lengths)
{
	struct digest_challenge c;
	char value[700], big[600];

	memset(big, 'r', DIGEST_REALM_MAX - 1);
	big[DIGEST_REALM_MAX - 1] = '\0';
	snprintf(value, sizeof(value), "realm=\"%s\", nonce=n", big);
	PARSE_OK(c, value);
	CHECK_INT(strlen(c.realm), DIGEST_REALM_MAX - 1);
	snprintf(value, sizeof(value), "realm=\"%sr\", nonce=n", big);
	PARSE_FAILS(value, -ENOBUFS);

	/* escapes do not count: 255 characters from 510 */
	big[0] = '\0';
	while (strlen(big) < 2 * (DIGEST_NONCE_MAX - 1))
		strcat(big, "\\n");
	snprintf(value, sizeof(value), "realm=r, nonce=\"%s\"", big);
	PARSE_OK(c, value);
	CHECK_INT(strlen(c.nonce), DIGEST_NONCE_MAX - 1);
	snprintf(value, sizeof(value), "realm=r, nonce=\"%sn\"", big);
	PARSE_FAILS(value, -ENOBUFS);

	memset(big, 'o', 300);
	big[300] = '\0';
	snprintf(value, sizeof(value), "realm=r, nonce=n, opaque=%s", big);
	PARSE_FAILS(value, -ENOBUFS);
}

UNIT_TEST(dg_parse_error_leaves_ret)
{
	struct digest_challenge c;

	memset(&c, 0x5a, sizeof(c));
	CHECK_INT(digest_parse_challenge("realm=\"r\", nonce=\"n\", qop=auth-int",
					 &c), -EOPNOTSUPP);
	CHECK(c.realm[0] == 0x5a && c.nonce[0] == 0x5a, "ret written");
	CHECK_INT(digest_parse_challenge(NULL, &c), -EINVAL);
	CHECK_INT(digest_parse_challenge("realm=r, nonce=n", NULL), -EINVAL);
}

UNIT_TEST(dg_response_buffer_small)
{
	struct digest_challenge c;
	char small[64];

	PARSE_OK(c, RFC7616_CHALLENGE_LINE("MD5"));
	CHECK_INT(digest_response(&c, "Mufasa", "Circle of Life", "GET",
				  "/dir/index.html", RFC7616_CNONCE, 1, small,
				  32), -ENOBUFS);
	CHECK_STR(small, "");
	CHECK_INT(digest_response(&c, "Mufasa", "Circle of Life", "GET",
				  "/dir/index.html", RFC7616_CNONCE, 1, small,
				  33), 0);
	CHECK_STR(small, "8ca523f5e9506fed4657c9700eebdbec");

	c.algorithm = DIGEST_ALGORITHM_SHA256;
	CHECK_INT(digest_response(&c, "Mufasa", "Circle of Life", "GET",
				  "/dir/index.html", RFC7616_CNONCE, 1, small,
				  sizeof(small)), -ENOBUFS);
	CHECK_INT(digest_response(&c, "Mufasa", "Circle of Life", "GET",
				  "/dir/index.html", RFC7616_CNONCE, 1, hex,
				  sizeof(hex)), 0);
	CHECK_INT(strlen(hex), 64);
}

UNIT_TEST(dg_authorization_buffer_small)
{
	struct digest_challenge c;
	char small[sizeof(hdr)];
	size_t need, len;
	int r;

	PARSE_OK(c, RFC7616_CHALLENGE_LINE("SHA-256"));
	CHECK_INT(digest_authorization(&c, "Mufasa", "Circle of Life", "GET",
				       "/dir/index.html", RFC7616_CNONCE, 1,
				       hdr, sizeof(hdr)), 0);
	need = strlen(hdr) + 1;
	/* every shorter buffer fails cleanly, the exact size works */
	for (len = 0; len < need; len++) {
		memset(small, 'z', sizeof(small));
		r = digest_authorization(&c, "Mufasa", "Circle of Life", "GET",
					 "/dir/index.html", RFC7616_CNONCE, 1,
					 small, len);
		CHECK(r == -ENOBUFS, "len %zu: got %d", len, r);
		CHECK(len == 0 || small[0] == '\0', "len %zu: not emptied",
		      len);
		CHECK(small[len] == 'z', "len %zu: wrote past the end", len);
	}
	CHECK_INT(digest_authorization(&c, "Mufasa", "Circle of Life", "GET",
				       "/dir/index.html", RFC7616_CNONCE, 1,
				       small, need), 0);
	CHECK_STR(small, hdr);
}

UNIT_TEST(dg_bad_arguments)
{
	struct digest_challenge c, q;

	PARSE_OK(c, SIP_CHALLENGE);
	PARSE_OK(q, RFC7616_CHALLENGE_LINE("MD5"));
	/* qop needs a cnonce and a nonce count from 1 */
	CHECK_INT(digest_response(&q, "u", "p", "GET", "/", NULL, 1, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(&q, "u", "p", "GET", "/", "", 1, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(&q, "u", "p", "GET", "/", "cn", 0, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(&c, NULL, "p", "GET", "/", NULL, 0, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(&c, "u", NULL, "GET", "/", NULL, 0, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(&c, "u", "p", NULL, "/", NULL, 0, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(&c, "u", "p", "GET", NULL, NULL, 0, hex,
				  sizeof(hex)), -EINVAL);
	CHECK_INT(digest_response(NULL, "u", "p", "GET", "/", NULL, 0, hex,
				  sizeof(hex)), -EINVAL);
	/* header injection */
	CHECK_INT(digest_authorization(&c, "u", "p", "REGISTER",
				       "sip:a\r\nVia: x", NULL, 0, hdr,
				       sizeof(hdr)), -EINVAL);
	CHECK_STR(hdr, "");
	CHECK_INT(digest_authorization(&c, "u\n", "p", "REGISTER", "sip:a",
				       NULL, 0, hdr, sizeof(hdr)), -EINVAL);
	c.algorithm = _DIGEST_ALGORITHM_MAX;
	CHECK_INT(digest_response(&c, "u", "p", "GET", "/", NULL, 0, hex,
				  sizeof(hex)), -EINVAL);
	c.algorithm = _DIGEST_ALGORITHM_INVALID;
	CHECK_INT(digest_authorization(&c, "u", "p", "GET", "/", NULL, 0, hdr,
				       sizeof(hdr)), -EINVAL);
}

UNIT_TEST(dg_algorithm_strings)
{
	CHECK_STR(digest_algorithm_to_string(DIGEST_ALGORITHM_MD5), "MD5");
	CHECK_STR(digest_algorithm_to_string(DIGEST_ALGORITHM_MD5_SESS),
		  "MD5-sess");
	CHECK_STR(digest_algorithm_to_string(DIGEST_ALGORITHM_SHA256),
		  "SHA-256");
	CHECK_STR(digest_algorithm_to_string(DIGEST_ALGORITHM_SHA256_SESS),
		  "SHA-256-sess");
	CHECK(!digest_algorithm_to_string(_DIGEST_ALGORITHM_MAX), "MAX");
	CHECK(!digest_algorithm_to_string(_DIGEST_ALGORITHM_INVALID),
	      "INVALID");
	CHECK_INT(digest_algorithm_from_string("sha-256"),
		  DIGEST_ALGORITHM_SHA256);
	CHECK_INT(digest_algorithm_from_string("MD5-Sess"),
		  DIGEST_ALGORITHM_MD5_SESS);
	CHECK_INT(digest_algorithm_from_string("SHA-512-256"), -EINVAL);
	CHECK_INT(digest_algorithm_from_string(NULL), -EINVAL);
}
