// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_srv.c - libFuzzer target: a DNS answer to fxsd's NAPTR or SRV
 * query, as c-ares hands it over: sip_srv_parse() with sip_srv_order(),
 * and sip_naptr_parse() in daemon/sip/resolve.c.  The
 * resolver does not check the records, so every byte of the answer is
 * the DNS server's (or a spoofer's).
 *
 * Checked besides memory safety: each SRV target is a non-empty
 * NUL-terminated name that fits its buffer, with a port of 1-65535; the
 * SRV records come out of sip_srv_order() as the same set, priorities
 * ascending; NAPTR records are sorted by order then preference, each
 * with a known transport and a non-empty replacement.
 */
#include <stdio.h>

#include "fuzz.h"
#include "sip/sip.h"

static uint32_t fuzz_rnd_state;

static uint32_t fuzz_rnd(void *ctx)
{
	(void)ctx;
	fuzz_rnd_state = fuzz_rnd_state * 1664525u + 1013904223u;
	return fuzz_rnd_state;
}

static void check_srv(const unsigned char *msg, size_t size)
{
	struct sip_srv_rr rr[8], before[8];
	unsigned long sum_before = 0, sum_after = 0;
	uint32_t ttl = 0;
	int n, i;

	n = sip_srv_parse(msg, size, rr, 8, &ttl);
	if (n < 0) {
		fuzz_assert(n == -ENOENT || n == -EBADMSG);
		return;
	}
	fuzz_assert(n >= 1 && n <= 8);
	memcpy(before, rr, sizeof(rr));
	fuzz_rnd_state = size;
	sip_srv_order(rr, n, fuzz_rnd, NULL);
	for (i = 0; i < n; i++) {
		fuzz_assert(rr[i].target[0]);
		fuzz_assert(strnlen(rr[i].target, sizeof(rr[i].target)) <
			    sizeof(rr[i].target));
		fuzz_assert(rr[i].port >= 1 && rr[i].port <= 65535);
		if (i)
			fuzz_assert(rr[i - 1].prio <= rr[i].prio);
		sum_before += before[i].port * 65536ul + before[i].weight;
		sum_after += rr[i].port * 65536ul + rr[i].weight;
	}
	fuzz_assert(sum_before == sum_after);	/* the same records */
}

static void check_naptr(const unsigned char *msg, size_t size)
{
	struct sip_naptr_rr rr[8];
	uint32_t ttl = 0;
	int n, i;

	n = sip_naptr_parse(msg, size, rr, 8, &ttl);
	if (n < 0) {
		fuzz_assert(n == -ENOENT || n == -EBADMSG);
		return;
	}
	fuzz_assert(n >= 1 && n <= 8);
	for (i = 0; i < n; i++) {
		fuzz_assert(rr[i].replacement[0]);
		fuzz_assert(rr[i].transport == SIP_TRANSPORT_UDP ||
			    rr[i].transport == SIP_TRANSPORT_TCP ||
			    rr[i].transport == SIP_TRANSPORT_TLS);
		if (i)
			fuzz_assert(rr[i - 1].order < rr[i].order ||
				    (rr[i - 1].order == rr[i].order &&
				     rr[i - 1].pref <= rr[i].pref));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *msg = malloc(size ? size : 1);

	fuzz_assert(msg);
	memcpy(msg, data, size);
	check_srv(msg, size);
	check_naptr(msg, size);
	free(msg);
	return 0;
}
