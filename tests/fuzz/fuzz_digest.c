// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_digest.c - libFuzzer target: a WWW-Authenticate /
 * Proxy-Authenticate header value from a 401/407 (digest.c):
 * digest_parse_challenge(), and for an accepted challenge the
 * Authorization value fxsd would send.
 *
 * Checked besides memory safety: the parsed realm, nonce and opaque are
 * NUL-terminated in their buffers, the nonce is not empty, the algorithm
 * is a known one; the Authorization value fits, contains no CR or LF (it
 * must not end the header line) and starts with "Digest ".
 */
#include "fuzz.h"
#include "sip/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_challenge c;
	char out[2048];
	char *s;
	int r;

	if (size > 4096)
		return 0;
	s = fuzz_strndup(data, size);
	if (digest_parse_challenge(s, &c) == 0) {
		fuzz_assert(strnlen(c.realm, sizeof(c.realm)) < sizeof(c.realm));
		fuzz_assert(strnlen(c.nonce, sizeof(c.nonce)) < sizeof(c.nonce));
		fuzz_assert(strnlen(c.opaque, sizeof(c.opaque)) < sizeof(c.opaque));
		fuzz_assert(c.nonce[0]);
		fuzz_assert(digest_algorithm_to_string(c.algorithm));
		r = digest_authorization(&c, "1001", "secret", "REGISTER",
					 "sip:example.com", "0a4f113b", 1, out,
					 sizeof(out));
		if (r >= 0) {
			fuzz_assert(strnlen(out, sizeof(out)) < sizeof(out));
			fuzz_assert(!strpbrk(out, "\r\n"));
			fuzz_assert(strncmp(out, "Digest ", 7) == 0);
		}
	}
	free(s);
	return 0;
}
