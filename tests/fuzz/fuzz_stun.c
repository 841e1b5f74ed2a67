// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_stun.c - libFuzzer target: a datagram on the SIP socket that
 * looks like STUN, into the Binding response parser (daemon/sip/stun.c)
 * as nat_stun_input() hands it over, with the transaction ID the
 * datagram itself carries (else nothing would get past that check) and
 * with another one.
 *
 * Checked besides memory safety: only the documented results; a
 * mapped address is IPv4 or IPv6; the same input parses the same way
 * twice; a response accepted for its own transaction ID is refused
 * (-ESRCH) for any other; stun_is_message() holds for what is accepted.
 */
#include <errno.h>
#include <netinet/in.h>

#include "sip/stun.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss, ss2;
	uint8_t txid[STUN_TXID_SIZE] = { 0 }, *buf = malloc(size ? size : 1);
	int r, r2, err = 0, err2 = 0;

	fuzz_assert(buf);
	memcpy(buf, data, size);
	if (size >= STUN_HEADER_SIZE)
		memcpy(txid, buf + 8, STUN_TXID_SIZE);
	(void)stun_is_message(buf, size);
	r = stun_parse_binding_response(buf, size, txid, &ss, &err);
	fuzz_assert(r == 0 || r == -ESRCH || r == -EPROTO || r == -EBADMSG ||
		    r == -ENOENT);
	fuzz_assert(r == -EPROTO || err == 0);
	fuzz_assert(err >= 0 && err <= 799);
	r2 = stun_parse_binding_response(buf, size, txid, &ss2, &err2);
	fuzz_assert(r2 == r && err2 == err);
	if (r == 0) {
		fuzz_assert(stun_is_message(buf, size));
		fuzz_assert(ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
		fuzz_assert(memcmp(&ss, &ss2, sizeof(ss)) == 0);
		txid[0] ^= 0x80;
		fuzz_assert(stun_parse_binding_response(buf, size, txid, &ss2,
							NULL) == -ESRCH);
	}
	free(buf);
	return 0;
}
