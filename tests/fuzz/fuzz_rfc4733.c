// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_rfc4733.c - libFuzzer target: RFC 4733 telephone-event payloads as
 * they arrive in RTP, in any order, duplicated or lost
 * (daemon/dsp/rfc4733.c): rfc4733_decode() and the receiver.
 *
 * Input: records of 9 bytes: 4-byte RTP timestamp, a flags byte (bit 0
 * marker, bit 1 flush afterwards as for the no-packet timeout, bits 2-4
 * payload length 0-7), the 4 payload bytes (the length may say fewer or
 * more: more reads the next record's bytes, as a redundant payload).
 *
 * Checked besides memory safety (rfc4733.h): each digit comes out exactly
 * once as a START and once as an END, so events alternate START, END with
 * the same event code and timestamp in each pair, at most RFC4733_RX_MAX
 * per packet; a payload shorter than 4 bytes is refused; an event decoded
 * and encoded again gives the same 4 bytes (volume up to 63).
 */
#include <errno.h>
#include <stdbool.h>

#include "dsp/rfc4733.h"
#include "fuzz.h"

struct state {
	bool sounding;
	uint8_t event;
	uint32_t timestamp;
};

static void take(struct state *st, const struct rfc4733_rx_event *ev)
{
	if (ev->end) {
		fuzz_assert(st->sounding && st->event == ev->event &&
			    st->timestamp == ev->timestamp);
		st->sounding = false;
	} else {
		fuzz_assert(!st->sounding);
		st->sounding = true;
		st->event = ev->event;
		st->timestamp = ev->timestamp;
	}
	fuzz_assert(ev->digit == rfc4733_event_to_digit(ev->event));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc4733_receiver r;
	struct state st = { 0 };
	size_t off;

	rfc4733_receiver_init(&r);
	for (off = 0; off + 9 <= size; off += 9) {
		const uint8_t *p = data + off;
		uint32_t ts = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			      (uint32_t)p[2] << 8 | p[3];
		size_t len = (p[4] >> 2) & 7, avail = size - off - 5;
		struct rfc4733_rx_event out[RFC4733_RX_MAX];
		struct rfc4733_event ev;
		uint8_t *pl, again[RFC4733_PAYLOAD_LEN];
		int k, i;

		if (len > avail)
			len = avail;
		pl = malloc(len ? len : 1);
		fuzz_assert(pl);
		memcpy(pl, p + 5, len);
		if (rfc4733_decode(pl, len, &ev) == 0) {
			fuzz_assert(len >= RFC4733_PAYLOAD_LEN);
			if (ev.volume <= RFC4733_VOLUME_MAX) {
				fuzz_assert(rfc4733_encode(&ev, again) ==
					    RFC4733_PAYLOAD_LEN);
				fuzz_assert(memcmp(again, pl, 4) == 0 ||
					    (pl[1] & 0x40));	/* R bit */
			}
		} else {
			fuzz_assert(len < RFC4733_PAYLOAD_LEN);
		}
		k = rfc4733_receiver_packet(&r, ts, p[4] & 1, pl, len, out);
		free(pl);
		if (len < RFC4733_PAYLOAD_LEN) {
			fuzz_assert(k == -EINVAL);
			continue;
		}
		fuzz_assert(k >= 0 && k <= RFC4733_RX_MAX);
		for (i = 0; i < k; i++)
			take(&st, &out[i]);
		if (p[4] & 2) {
			k = rfc4733_receiver_flush(&r, out);
			fuzz_assert(k == 0 || k == 1);
			if (k)
				take(&st, &out[0]);
			fuzz_assert(!st.sounding);
		}
	}
	return 0;
}
