// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_profile.c - libFuzzer target: what provisioning reads from the
 * network (daemon/ctl/profile.c, daemon/config.c's overlay).
 *
 * The input is, at once: a response header line as libcurl hands it to
 * profile_header_line(); a URL template for profile_expand_url() and
 * profile_url_redact(); a file's content for profile_first_line(); and
 * a profile parsed by config_parse_overlay() over a fixed base.
 *
 * Checked besides memory safety: kept validators are printable ASCII and
 * a status line clears them; an expansion fits its buffer and has no
 * brace left; the redacted URL is never longer than the URL and keeps no
 * '@' before its path; an overlay that parses has the base's port and
 * [provisioning], and its error names the profile or the base with a
 * line number.
 */
#include <stdio.h>

#include "config.h"
#include "ctl/profile.h"

#include "fuzz.h"

static const char base[] =
	"[global]\n"
	"sip_port = 5060\n"
	"[provisioning]\n"
	"url = https://prov.example/{mac}.conf\n"
	"[port 0]\n"
	"user = 1000\n"
	"domain = example.net\n"
	"password = base-secret\n";

static void printable(const char *s)
{
	for (; *s; s++)
		fuzz_assert((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_validators v = { "\"x\"", "Mon" };
	struct fxsd_config *c = NULL;
	char buf[512], err[512];
	char *text;
	int r;

	if (size > CONFIG_FILE_MAX)
		return 0;
	text = fuzz_strndup(data, size);

	r = profile_header_line(text, size, &v);
	printable(v.etag);
	printable(v.last_modified);
	if (r == 1)
		fuzz_assert(!v.etag[0] && !v.last_modified[0]);

	if (profile_expand_url(text, "0011aabbccdd", "SN 1/2", 3, buf,
			       sizeof(buf)) == 0) {
		fuzz_assert(strlen(buf) < sizeof(buf));
		/* "{{mac}}" is the literal "{mac}" */
		fuzz_assert(strstr(text, "{{") ||
			    (!strstr(buf, "{mac}") && !strstr(buf, "{serial}")));
	}

	profile_url_redact(text, buf, sizeof(buf));
	fuzz_assert(strlen(buf) <= strlen(text));
	{
		const char *a = strstr(buf, "://");

		if (a && a == strstr(text, "://") - text + buf) {
			a += 3;
			fuzz_assert(!memchr(a, '@', strcspn(a, "/?#")));
		}
	}

	if (profile_first_line(text, buf, sizeof(buf)) == 0)
		fuzz_assert(!strchr(buf, '\n') && strlen(buf) < sizeof(buf));

	if (config_parse_overlay(base, sizeof(base) - 1, "base.conf", text, size,
				 "https://prov.example/x.conf", &c, err,
				 sizeof(err)) == 0) {
		fuzz_assert(config_port(c, 0));
		fuzz_assert(!strcmp(c->provisioning.url,
				    "https://prov.example/{mac}.conf"));
	} else {
		fuzz_assert(strnlen(err, sizeof(err)) < sizeof(err));
		fuzz_assert(!strncmp(err, "https://prov.example/x.conf", 27) ||
			    !strncmp(err, "base.conf", 9));
	}
	config_free(c);
	free(text);
	return 0;
}
