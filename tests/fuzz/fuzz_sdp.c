// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_sdp.c - libFuzzer target: a remote SDP body (offer or answer), as
 * fxsd gets it in an INVITE, 183 or 200: sdp_parse() and
 * sdp_build_answer().
 *
 * Checked besides memory safety: what sdp_parse() returns is sane (a
 * NUL-terminated address of the family it names, a port of 1-65535, a
 * G.711 codec, a payload type of 0-127); an answer we build fits its
 * buffer, parses with sdp_parse() and names the same codec on the same
 * payload type as the offer.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "media/sdp.h"

static void check_media(const struct sdp_media *m)
{
	unsigned char addr[16];

	fuzz_assert(strnlen(m->address, sizeof(m->address)) < sizeof(m->address));
	fuzz_assert(m->family == AF_INET || m->family == AF_INET6);
	fuzz_assert(inet_pton(m->family, m->address, addr) == 1);
	fuzz_assert(m->port >= 1 && m->port <= 65535);
	fuzz_assert(m->codec == SDP_PT_PCMU || m->codec == SDP_PT_PCMA);
	fuzz_assert(m->pt >= 0 && m->pt <= 127);
	fuzz_assert(m->te_pt >= -1 && m->te_pt <= 127);
	fuzz_assert(m->direction >= 0 && m->direction < _SDP_DIRECTION_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sdp_local loc = {
		.address = "192.0.2.1", .rtp_port = 4000, .session_id = 42,
		.session_version = 7, .direction = SDP_SENDRECV,
	};
	struct sdp_media m, offer, ans;
	char buf[SDP_TEXT_MAX];
	char *s;
	int r;

	if (size > 2 * SDP_TEXT_MAX)
		return 0;
	s = fuzz_strndup(data, size);
	if (sdp_parse(s, &m) == 0)
		check_media(&m);
	r = sdp_build_answer(s, &loc, buf, sizeof(buf), &offer);
	if (r >= 0) {
		fuzz_assert((size_t)r < sizeof(buf) && strlen(buf) == (size_t)r);
		check_media(&offer);
		fuzz_assert(sdp_parse(buf, &ans) == 0);
		fuzz_assert(ans.codec == offer.codec && ans.pt == offer.pt);
	}
	free(s);
	return 0;
}
