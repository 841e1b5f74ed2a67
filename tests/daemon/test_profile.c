// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_profile.c - unit tests for provisioning's pure parts
 * (daemon/ctl/profile.c: URL expansion, the retry schedule, the
 * validators kept from response headers) and for the profile overlay of
 * daemon/config.c (config_parse_overlay()).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl/profile.h"
#include "unit.h"

UNIT_TEST(profile_expand_url_placeholders)
{
	char buf[256];

	CHECK_INT(profile_expand_url("https://p.example/{mac}.cfg", "0011aabbccdd",
				     "S1", 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "https://p.example/0011aabbccdd.cfg");
	CHECK_INT(profile_expand_url("https://p/{serial}/{port}/{mac}", "00aa",
				     "3d12ab", 17, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "https://p/3d12ab/17/00aa");
	/* a serial with blanks and slashes is percent-encoded */
	CHECK_INT(profile_expand_url("https://p/{serial}", "x", "SN 1/2+é", 0,
				     buf, sizeof(buf)), 0);
	CHECK_STR(buf, "https://p/SN%201%2F2%2B%C3%A9");
	/* no placeholder: as it is; doubled braces are literal */
	CHECK_INT(profile_expand_url("https://p/a?x={{y}}", NULL, NULL, -1, buf,
				     sizeof(buf)), 0);
	CHECK_STR(buf, "https://p/a?x={y}");
}

UNIT_TEST(profile_expand_url_errors)
{
	char buf[32];

	CHECK_INT(profile_expand_url("https://p/{nope}", "a", "b", 0, buf,
				     sizeof(buf)), -EINVAL);
	CHECK_INT(profile_expand_url("https://p/{mac", "a", "b", 0, buf,
				     sizeof(buf)), -EINVAL);
	CHECK_INT(profile_expand_url("https://p/}", "a", "b", 0, buf,
				     sizeof(buf)), -EINVAL);
	CHECK_INT(profile_expand_url("https://p/{mac}", "", "b", 0, buf,
				     sizeof(buf)), -ENODATA);
	CHECK_INT(profile_expand_url("https://p/{serial}", "a", NULL, 0, buf,
				     sizeof(buf)), -ENODATA);
	CHECK_INT(profile_expand_url("https://p/{port}", "a", "b", -1, buf,
				     sizeof(buf)), -ENODATA);
	CHECK_INT(profile_expand_url("https://p.example/{mac}/x", "0011aabbccdd",
				     "b", 0, buf, 28), -ENOBUFS);
	/* exactly fits: 27 characters and the NUL */
	CHECK_INT(profile_expand_url("https://p.example/{mac}/", "0011aabb",
				     "b", 0, buf, 28), 0);
	CHECK_INT(strlen(buf), 27);
}

UNIT_TEST(profile_url_redacted)
{
	char buf[128];

	profile_url_redact("https://user:pw@p.example:8443/a@b?c=@", buf,
			   sizeof(buf));
	CHECK_STR(buf, "https://p.example:8443/a@b?c=@");
	profile_url_redact("https://a@b:c@h/x", buf, sizeof(buf));
	CHECK_STR(buf, "https://h/x");
	profile_url_redact("https://h/x@y", buf, sizeof(buf));
	CHECK_STR(buf, "https://h/x@y");
	profile_url_redact("http://u@h", buf, sizeof(buf));
	CHECK_STR(buf, "http://h");
}

UNIT_TEST(profile_mac_and_first_line)
{
	static const unsigned char mac[6] = { 0x02, 0xAB, 0x00, 0x0f, 0xc0, 0x01 };
	char buf[32];

	CHECK_INT(profile_format_mac(mac, 6, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "02ab000fc001");
	CHECK_INT(profile_format_mac(mac, 6, buf, 12), -ENOBUFS);
	CHECK_INT(profile_first_line("  3d1219c7 \nsecond\n", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "3d1219c7");
	CHECK_INT(profile_first_line(" \t\r\nx", buf, sizeof(buf)), -ENODATA);
	CHECK_INT(profile_first_line("", buf, sizeof(buf)), -ENODATA);
	CHECK_INT(profile_first_line("0123456789", buf, 10), -ENOBUFS);
}

/*
 * The schedule: retry n waits d = min(max, min * 2^(n-1)) s, at a point
 * of [d/2, d] the random number picks; the whole range is reachable.
 */
UNIT_TEST(profile_backoff_schedule)
{
	static const uint64_t d_ms[] = { 0, 30000, 60000, 120000, 240000,
					 480000, 960000, 1920000, 3600000,
					 3600000 };
	unsigned n;

	CHECK_INT(profile_backoff_ms(0, 30, 3600, 12345), 0);
	for (n = 1; n < sizeof(d_ms) / sizeof(d_ms[0]); n++) {
		uint64_t lo = profile_backoff_ms(n, 30, 3600, 0);
		uint64_t hi = profile_backoff_ms(n, 30, 3600,
						 (uint32_t)(d_ms[n] / 2));
		uint64_t any = profile_backoff_ms(n, 30, 3600, 0xffffffffu);

		CHECK(lo == d_ms[n] / 2, "retry %u: lowest %llu, want %llu", n,
		      (unsigned long long)lo, (unsigned long long)(d_ms[n] / 2));
		CHECK(hi == d_ms[n], "retry %u: highest %llu, want %llu", n,
		      (unsigned long long)hi, (unsigned long long)d_ms[n]);
		CHECK(any >= lo && any <= hi, "retry %u: %llu out of range", n,
		      (unsigned long long)any);
	}
	/* far past the cap, no overflow */
	CHECK_INT(profile_backoff_ms(1000, 30, 3600, 0), 1800000);
	/* the test's short schedule: 1, 2, 4, 4 s */
	CHECK_INT(profile_backoff_ms(1, 1, 4, 500), 1000);
	CHECK_INT(profile_backoff_ms(2, 1, 4, 0), 1000);
	CHECK_INT(profile_backoff_ms(3, 1, 4, 2000), 4000);
	CHECK_INT(profile_backoff_ms(4, 1, 4, 0), 2000);
}

/* The jitter spreads: 1000 units that failed together do not retry in
 * the same second (of the 30 s of [30 s, 60 s] at retry 2 no second gets
 * more than a tenth of them). */
UNIT_TEST(profile_backoff_spreads)
{
	unsigned bins[31] = { 0 }, i, worst = 0;
	uint32_t x = 2463534242u;

	for (i = 0; i < 1000; i++) {
		uint64_t ms;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		ms = profile_backoff_ms(2, 30, 3600, x);
		CHECK(ms >= 30000 && ms <= 60000, "%llu", (unsigned long long)ms);
		bins[(ms - 30000) / 1000]++;
	}
	for (i = 0; i < 31; i++)
		worst = bins[i] > worst ? bins[i] : worst;
	CHECK(worst < 100, "%u retries in one second", worst);
}

static int header(const char *line, struct profile_validators *v)
{
	return profile_header_line(line, strlen(line), v);
}

UNIT_TEST(profile_headers_kept)
{
	struct profile_validators v = { "", "" };

	CHECK_INT(header("HTTP/1.1 200 OK\r\n", &v), 1);
	CHECK_INT(header("ETag: \"abc-1\"\r\n", &v), 0);
	CHECK_STR(v.etag, "\"abc-1\"");
	CHECK_INT(header("last-modified:Wed, 21 Oct 2015 07:28:00 GMT \r\n", &v), 0);
	CHECK_STR(v.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	/* weak tags are kept as sent; another header changes nothing */
	CHECK_INT(header("Etag:  W/\"x\"\n", &v), 0);
	CHECK_STR(v.etag, "W/\"x\"");
	CHECK_INT(header("Content-Length: 5\r\n", &v), 0);
	CHECK_STR(v.etag, "W/\"x\"");
	/* the end of the headers, a name that only begins alike */
	CHECK_INT(header("\r\n", &v), 0);
	CHECK_INT(header("ETagX: \"y\"\r\n", &v), 0);
	CHECK_STR(v.etag, "W/\"x\"");
	/* a redirect's headers do not count for the final response */
	CHECK_INT(header("HTTP/2 304\r\n", &v), 1);
	CHECK_STR(v.etag, "");
	CHECK_STR(v.last_modified, "");
}

UNIT_TEST(profile_headers_refused)
{
	struct profile_validators v = { "\"old\"", "Mon" };
	char big[400];

	/* control characters (a header injection in our next request),
	 * 8-bit bytes, empty values, values too long: not kept */
	CHECK_INT(header("ETag: \"a\rInjected: 1\"\r\n", &v), 0);
	CHECK_STR(v.etag, "\"old\"");
	CHECK_INT(header("ETag: \"\xc3\xa9\"\r\n", &v), 0);
	CHECK_STR(v.etag, "\"old\"");
	CHECK_INT(header("ETag:   \r\n", &v), 0);
	CHECK_STR(v.etag, "\"old\"");
	memset(big, 'a', sizeof(big));
	memcpy(big, "ETag: ", 6);
	CHECK_INT(profile_header_line(big, sizeof(big), &v), 0);
	CHECK_STR(v.etag, "\"old\"");
	CHECK_INT(header("Last-Modified: 012345678901234567890123456789012345678901234567890123456789012345\r\n", &v), 0);
	CHECK_STR(v.last_modified, "Mon");
	/* not NUL-terminated: only @len bytes are read */
	CHECK_INT(profile_header_line("ETag: \"abcdef\"", 10, &v), 0);
	CHECK_STR(v.etag, "\"abc");
}

static const char base[] =
	"[global]\n"
	"tone_country = US\n"
	"[provisioning]\n"
	"url = https://p.example/{mac}.cfg\n"
	"[port 0]\n"
	"user = 1000\n"
	"domain = example.net\n"
	"forward_no_answer_secs = 20\n"
	"password = base\n";

static int overlay(const char *profile, struct fxsd_config **c, char *err,
		   size_t errlen)
{
	return config_parse_overlay(base, strlen(base), "/etc/fxsd/fxsd.conf",
				    profile, profile ? strlen(profile) : 0,
				    "https://p.example/x.cfg", c, err, errlen);
}

UNIT_TEST(profile_overlay_merges)
{
	struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p0, *p1;
	char err[256];

	CHECK(overlay("# profile\n[port 0]\nforward_no_answer_secs = 25\n"
		      "password = \"s3cr#t\"\n[global]\ntone_country = UK\n"
		      "[port 1]\nuser = 1001\ndomain = example.org\n",
		      &c, err, sizeof(err)) == 0, "%s", err);
	p0 = config_port(c, 0);
	p1 = config_port(c, 1);
	CHECK(p0 && p1, "ports");
	CHECK_INT(p0->forward_no_answer_secs, 25);
	CHECK_STR(p0->password, "s3cr#t");
	CHECK_STR(p0->user, "1000");		/* the base's, kept */
	CHECK_STR(p0->registrar, "example.net");
	CHECK_STR(p1->domain, "example.org");
	CHECK_INT(p1->tone_country, CONFIG_TONE_UK);	/* the profile's [global] */
	CHECK_INT(c->global.tone_country, CONFIG_TONE_UK);
	CHECK_STR(c->provisioning.url, "https://p.example/{mac}.cfg");
	config_free(c);
	c = NULL;
	/* no profile: the base alone */
	CHECK(overlay(NULL, &c, err, sizeof(err)) == 0, "%s", err);
	CHECK_INT(config_port(c, 0)->forward_no_answer_secs, 20);
	config_free(c);
}

UNIT_TEST(profile_overlay_errors_name_the_url)
{
	struct fxsd_config *c = NULL;
	char err[256];

	CHECK_INT(overlay("[port 0]\n\nforward_no_answer_secs = 9999\n", &c,
			  err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "https://p.example/x.cfg:3: invalid forward_no_answer_secs '9999' (1-600)");
	/* the profile cannot move the server */
	CHECK_INT(overlay("[provisioning]\nurl = https://evil/\n", &c, err,
			  sizeof(err)), -EINVAL);
	CHECK(strstr(err, "https://p.example/x.cfg:1: ") == err, "%s", err);
	/* a key twice in the profile; a section twice in the profile */
	CHECK_INT(overlay("[port 0]\nexpires = 60\nexpires = 70\n", &c, err,
			  sizeof(err)), -EINVAL);
	CHECK(strstr(err, "x.cfg:3: duplicate key 'expires'"), "%s", err);
	CHECK_INT(overlay("[port 0]\n[port 0]\n", &c, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "x.cfg:2: duplicate section [port 0]"), "%s", err);
	/* a new port still needs user and domain */
	CHECK_INT(overlay("[port 2]\nuser = 3\n", &c, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "x.cfg:1: [port 2] has no 'domain'"), "%s", err);
	/* truncated mid-quote */
	CHECK_INT(overlay("[port 0]\npassword = \"abc", &c, err, sizeof(err)),
		  -EINVAL);
	CHECK(strstr(err, "x.cfg:2: unterminated quoted value"), "%s", err);
	CHECK(c == NULL, "no config on error");
}

/* Passwords never reach the messages (they go to the journal). */
UNIT_TEST(profile_overlay_errors_hide_passwords)
{
	static const char *const bad[] = {
		"[port 0]\npassword = top\x01secret\n",
		"[port 0]\npassword = \"topsecret\n",
		"[port 0]\npassword = \"topsecret\" junk\n",
		"[port 0]\npassword = \"top\\qsecret\"\n",
		"[port 0]\npassword = topsecretxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		"[port 0]\npassword topsecret\n",
	};
	struct fxsd_config *c = NULL;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(overlay(bad[i], &c, err, sizeof(err)) < 0, "case %zu parsed",
		      i);
		CHECK(!strstr(err, "topsecret") && !strstr(err, "secret"),
		      "case %zu: %s", i, err);
	}
}
