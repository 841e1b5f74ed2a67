// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_mwi.c - libFuzzer target: the message-summary body of RFC 3842
 * (daemon/sip/mwi.c), as handle_notify() hands it over: a pointer and a
 * length in a buffer of exactly that size (no NUL after it).
 *
 * Checked besides memory safety: an accepted body gives counts of at
 * most SIP_MWI_COUNT_MAX, counts only with a Voice-Message line, and a
 * NUL-terminated account that fits; the same input parses the same way
 * twice; a body over SIP_MWI_BODY_MAX is refused.
 */
#include <errno.h>

#include "sip/mwi.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_mwi m, m2;
	char *body = malloc(size ? size : 1);
	int r;

	fuzz_assert(body);
	memcpy(body, data, size);
	r = mwi_parse(body, size, &m);
	if (r == 0) {
		fuzz_assert(size <= SIP_MWI_BODY_MAX);
		fuzz_assert(m.new_msgs <= SIP_MWI_COUNT_MAX &&
			    m.old_msgs <= SIP_MWI_COUNT_MAX &&
			    m.urgent_new <= SIP_MWI_COUNT_MAX &&
			    m.urgent_old <= SIP_MWI_COUNT_MAX);
		fuzz_assert(m.voice || (!m.new_msgs && !m.old_msgs &&
					!m.urgent_new && !m.urgent_old));
		fuzz_assert(memchr(m.account, '\0', sizeof(m.account)));
		fuzz_assert(mwi_parse(body, size, &m2) == 0 &&
			    memcmp(&m, &m2, sizeof(m)) == 0);
	} else {
		fuzz_assert(r == -EBADMSG);
	}
	free(body);
	return 0;
}
