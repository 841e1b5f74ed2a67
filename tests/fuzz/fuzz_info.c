// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_info.c - libFuzzer target: the body of a SIP INFO carrying DTMF,
 * application/dtmf-relay ("Signal=5\r\nDuration=160\r\n") and
 * application/dtmf ("5"), as handle_info() in daemon/sip/info.c reads it.
 *
 * The parsers are static in info.c, so this file #includes it (and links
 * the rest of daemon/sip/).  The body
 * is handed over as handle_info() does: a pointer and a length, in a
 * buffer of exactly that size (libosip2 keeps bodies with their length;
 * no NUL is promised after it).  The first byte picks the content type.
 * fuzz_sip reaches the same functions through a whole INFO in a dialog;
 * this target finds the body's corner cases much faster.
 *
 * Checked besides memory safety: an accepted body gives one of the
 * digits 0-9 * # A-D, and a Duration of at most 60000 ms; a body longer
 * than SIP_DTMF_BODY_MAX is never accepted by handle_info() (it checks
 * that first), so longer inputs are not looked at.
 */
#include "../../daemon/sip/info.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char digit = 0, *body;
	unsigned ms = 0;
	int r;

	if (size < 1 || size - 1 > SIP_DTMF_BODY_MAX)
		return 0;
	body = malloc(size - 1 ? size - 1 : 1);
	fuzz_assert(body);
	memcpy(body, data + 1, size - 1);
	if (data[0] & 1)
		r = parse_dtmf(body, size - 1, &digit);
	else
		r = parse_dtmf_relay(body, size - 1, &digit, &ms);
	if (r == 0) {
		fuzz_assert(digit && strchr("0123456789*#ABCD", digit));
		fuzz_assert(ms <= SIP_DTMF_DURATION_MAX);
	} else {
		fuzz_assert(r == -EBADMSG);
	}
	free(body);
	return 0;
}
