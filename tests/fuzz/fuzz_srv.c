// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_srv.c - libFuzzer target: a DNS answer to fxsd's SRV query
 * (_sip._udp.<domain>), as c-ares hands it over: sip_srv_select() in
 * daemon/sip/resolve.c.  The resolver does not check the records, so
 * every byte of the answer is the DNS server's (or a spoofer's).
 *
 * Checked besides memory safety: a chosen target is a non-empty
 * NUL-terminated name that fits the buffer, with a port of 1-65535.
 */
#include <stdio.h>

#include "fuzz.h"
#include "sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *msg = malloc(size ? size : 1);
	char target[256];
	unsigned port = 0;
	int r;

	fuzz_assert(msg);
	memcpy(msg, data, size);
	r = sip_srv_select(msg, size, target, sizeof(target), &port);
	if (r == 0) {
		fuzz_assert(strnlen(target, sizeof(target)) < sizeof(target));
		fuzz_assert(target[0]);
		fuzz_assert(port >= 1 && port <= 65535);
	} else {
		fuzz_assert(r == -ENOENT || r == -EBADMSG || r == -ENAMETOOLONG);
	}
	free(msg);
	return 0;
}
