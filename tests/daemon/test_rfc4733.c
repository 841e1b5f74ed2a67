// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_rfc4733.c - unit tests of rfc4733.c: the payload layout byte for
 * byte, the sender's packet sequence (one timestamp, marker on the first
 * packet, growing durations, the end packet three times) and the receiver
 * turning streams with duplicates, losses and reordering into exactly one
 * START and one END per digit.
 */
#include <errno.h>
#include <string.h>

#include "dsp/rfc4733.h"
#include "unit.h"

UNIT_TEST(rfc4733_payload_layout)
{
	struct rfc4733_event ev = { .event = 5, .end = true, .volume = 10,
				    .duration = 1600 };
	struct rfc4733_event back;
	uint8_t b[4];
	static const uint8_t want[4] = { 0x05, 0x8a, 0x06, 0x40 };
	static const uint8_t want2[4] = { 0x0b, 0x3f, 0xff, 0xff };
	static const uint8_t with_r[4] = { 0x0c, 0x47, 0x01, 0x02 };

	CHECK_INT(rfc4733_encode(&ev, b), 4);
	CHECK(memcmp(b, want, 4) == 0, "got %02x %02x %02x %02x", b[0], b[1],
	      b[2], b[3]);
	ev = (struct rfc4733_event){ .event = 11, .end = false, .volume = 63,
				     .duration = 0xffff };
	CHECK_INT(rfc4733_encode(&ev, b), 4);
	CHECK(memcmp(b, want2, 4) == 0, "got %02x %02x %02x %02x", b[0], b[1],
	      b[2], b[3]);
	ev.volume = 64;
	CHECK_INT(rfc4733_encode(&ev, b), -EINVAL);

	CHECK_INT(rfc4733_decode(want, 4, &back), 0);
	CHECK(back.event == 5 && back.end && back.volume == 10 &&
	      back.duration == 1600, "decode %u %d %u %u", back.event, back.end,
	      back.volume, back.duration);
	/* the reserved bit is ignored */
	CHECK_INT(rfc4733_decode(with_r, 4, &back), 0);
	CHECK(back.event == 12 && !back.end && back.volume == 7 &&
	      back.duration == 258, "decode R %u %d %u %u", back.event, back.end,
	      back.volume, back.duration);
	CHECK_INT(rfc4733_decode(want, 3, &back), -EINVAL);

	CHECK_INT(rfc4733_digit_to_event('0'), 0);
	CHECK_INT(rfc4733_digit_to_event('9'), 9);
	CHECK_INT(rfc4733_digit_to_event('*'), 10);
	CHECK_INT(rfc4733_digit_to_event('#'), 11);
	CHECK_INT(rfc4733_digit_to_event('A'), 12);
	CHECK_INT(rfc4733_digit_to_event('d'), 15);
	CHECK_INT(rfc4733_digit_to_event('E'), -EINVAL);
	CHECK(rfc4733_event_to_digit(11) == '#', "11");
	CHECK(rfc4733_event_to_digit(13) == 'B', "13");
	CHECK(rfc4733_event_to_digit(16) == 0, "16");
}

/* Poll until idle, collecting the packets. */
static int drain(struct rfc4733_sender *s, struct rfc4733_packet *pk, int max)
{
	int n = 0;

	for (int i = 0; i < 1000 && rfc4733_sender_busy(s); i++) {
		struct rfc4733_packet p[RFC4733_POLL_MAX];
		int k = rfc4733_sender_poll(s, p);

		for (int j = 0; j < k && n < max; j++)
			pk[n++] = p[j];
	}
	return n;
}

UNIT_TEST(rfc4733_sender_known_duration)
{
	struct rfc4733_sender s;
	struct rfc4733_packet pk[32];
	/* '7' for 100 ms at ptime 20 ms, volume 10, timestamp 0x12345678 */
	static const uint8_t want[7][4] = {
		{ 7, 10, 0x00, 0xa0 }, { 7, 10, 0x01, 0x40 }, { 7, 10, 0x01, 0xe0 },
		{ 7, 10, 0x02, 0x80 }, { 7, 0x8a, 0x03, 0x20 },
		{ 7, 0x8a, 0x03, 0x20 }, { 7, 0x8a, 0x03, 0x20 },
	};
	int n;

	rfc4733_sender_init(&s, 160);
	CHECK(!rfc4733_sender_busy(&s), "busy after init");
	CHECK_INT(rfc4733_sender_start(&s, 'E', 10, 0, 800), -EINVAL);
	CHECK_INT(rfc4733_sender_start(&s, '7', 64, 0, 800), -EINVAL);
	CHECK_INT(rfc4733_sender_start(&s, '7', 10, 0x12345678, 800), 0);
	CHECK_INT(rfc4733_sender_start(&s, '8', 10, 0x12345679, 800), -EBUSY);
	n = drain(&s, pk, 32);
	CHECK_INT(n, 7);
	for (int i = 0; i < 7; i++) {
		CHECK(memcmp(pk[i].payload, want[i], 4) == 0,
		      "packet %d: %02x %02x %02x %02x", i, pk[i].payload[0],
		      pk[i].payload[1], pk[i].payload[2], pk[i].payload[3]);
		CHECK(pk[i].timestamp == 0x12345678, "packet %d timestamp %x", i,
		      pk[i].timestamp);
		CHECK(pk[i].marker == (i == 0), "packet %d marker %d", i,
		      pk[i].marker);
	}
}

UNIT_TEST(rfc4733_sender_open_ended)
{
	struct rfc4733_sender s;
	struct rfc4733_packet p[RFC4733_POLL_MAX], pk[32];
	struct rfc4733_event ev;
	int n, ends = 0;

	rfc4733_sender_init(&s, 160);
	CHECK_INT(rfc4733_sender_end(&s, 100), -EALREADY);
	CHECK_INT(rfc4733_sender_start(&s, '#', 6, 1000, 0), 0);
	for (int i = 1; i <= 4; i++) {
		CHECK_INT(rfc4733_sender_poll(&s, p), 1);
		CHECK_INT(rfc4733_decode(p[0].payload, 4, &ev), 0);
		CHECK(ev.event == 11 && !ev.end && ev.duration == 160 * i,
		      "poll %d: event %u end %d duration %u", i, ev.event, ev.end,
		      ev.duration);
		CHECK(p[0].marker == (i == 1) && p[0].timestamp == 1000, "poll %d", i);
	}
	/* measured 590 samples, fewer than already sent (640): 640 stays */
	CHECK_INT(rfc4733_sender_end(&s, 590), 0);
	n = drain(&s, pk, 32);
	CHECK_INT(n, 3);
	for (int i = 0; i < n; i++) {
		CHECK_INT(rfc4733_decode(pk[i].payload, 4, &ev), 0);
		CHECK(ev.end && ev.duration == 640 && ev.volume == 6 && !pk[i].marker,
		      "end %d: end %d duration %u", i, ev.end, ev.duration);
		ends++;
	}
	CHECK_INT(ends, RFC4733_END_COPIES);

	/* a longer measured duration is taken as it is */
	CHECK_INT(rfc4733_sender_start(&s, '1', 6, 5000, 0), 0);
	CHECK_INT(rfc4733_sender_poll(&s, p), 1);
	CHECK_INT(rfc4733_sender_end(&s, 300), 0);
	CHECK_INT(rfc4733_sender_poll(&s, p), 1);
	CHECK_INT(rfc4733_decode(p[0].payload, 4, &ev), 0);
	CHECK(ev.end && ev.duration == 300, "end duration %u", ev.duration);

	/* the next digit starts while end copies are due: both go out */
	CHECK_INT(rfc4733_sender_start(&s, '2', 6, 6000, 320), 0);
	CHECK_INT(rfc4733_sender_poll(&s, p), 2);
	CHECK(p[0].timestamp == 5000 && p[0].payload[0] == 1 && (p[0].payload[1] & 0x80),
	      "old end copy first");
	CHECK(p[1].timestamp == 6000 && p[1].payload[0] == 2 && p[1].marker,
	      "then the new event's first packet");
	n = drain(&s, pk, 32);
	/* one old end copy, the new end x3 */
	CHECK_INT(n, 4);
	CHECK(pk[0].timestamp == 5000 && pk[1].timestamp == 6000, "order");
}

/* ---- receiver ---- */

struct rx {
	struct rfc4733_receiver r;
	char starts[32], ends[32];
	unsigned ns, ne;
	uint16_t last_dur;
	int bad;
};

static void feed(struct rx *x, uint32_t ts, bool m, uint8_t event, bool end,
		 uint16_t dur)
{
	struct rfc4733_event ev = { .event = event, .end = end, .volume = 10,
				    .duration = dur };
	struct rfc4733_rx_event out[RFC4733_RX_MAX];
	uint8_t b[4];
	int n;

	rfc4733_encode(&ev, b);
	n = rfc4733_receiver_packet(&x->r, ts, m, b, 4, out);
	if (n < 0) {
		x->bad++;
		return;
	}
	for (int i = 0; i < n; i++) {
		if (out[i].end) {
			if (x->ne < 31)
				x->ends[x->ne++] = out[i].digit;
			x->last_dur = out[i].duration;
		} else if (x->ns < 31) {
			x->starts[x->ns++] = out[i].digit;
		}
	}
	x->starts[x->ns] = '\0';
	x->ends[x->ne] = '\0';
}

static void rx_init(struct rx *x)
{
	memset(x, 0, sizeof(*x));
	rfc4733_receiver_init(&x->r);
}

UNIT_TEST(rfc4733_receiver_clean_and_duplicates)
{
	struct rx x;

	/* a clean stream: 5 at ts 100, 100 ms */
	rx_init(&x);
	feed(&x, 100, true, 5, false, 160);
	feed(&x, 100, false, 5, false, 320);
	feed(&x, 100, false, 5, false, 480);
	feed(&x, 100, false, 5, true, 800);
	feed(&x, 100, false, 5, true, 800);
	feed(&x, 100, false, 5, true, 800);
	CHECK_STR(x.starts, "5");
	CHECK_STR(x.ends, "5");
	CHECK_INT(x.last_dur, 800);

	/* every packet twice, then the same digit again (new timestamp) */
	rx_init(&x);
	for (int d = 0; d < 2; d++) {
		uint32_t ts = 1000 + 2000 * (uint32_t)d;

		for (int k = 0; k < 2; k++)
			feed(&x, ts, true, 1, false, 160);
		for (int i = 2; i <= 4; i++)
			for (int k = 0; k < 2; k++)
				feed(&x, ts, false, 1, false, (uint16_t)(160 * i));
		for (int i = 0; i < 3; i++)
			for (int k = 0; k < 2; k++)
				feed(&x, ts, false, 1, true, 640);
	}
	CHECK_STR(x.starts, "11");
	CHECK_STR(x.ends, "11");
	CHECK_INT(x.bad, 0);
}

UNIT_TEST(rfc4733_receiver_loss_and_reorder)
{
	struct rx x;
	struct rfc4733_rx_event ev;
	uint8_t shortp[3] = { 1, 2, 3 };
	struct rfc4733_rx_event out[RFC4733_RX_MAX];

	/* start packet lost */
	rx_init(&x);
	feed(&x, 500, false, 9, false, 320);
	feed(&x, 500, false, 9, false, 480);
	feed(&x, 500, false, 9, true, 640);
	feed(&x, 500, false, 9, true, 640);
	CHECK_STR(x.starts, "9");
	CHECK_STR(x.ends, "9");

	/* only end packets arrive, reordered with a late update */
	feed(&x, 1500, false, 10, true, 960);
	feed(&x, 1500, false, 10, false, 800);
	feed(&x, 1500, false, 10, true, 960);
	feed(&x, 1500, true, 10, false, 160);
	feed(&x, 1500, false, 10, true, 960);
	CHECK_STR(x.starts, "9*");
	CHECK_STR(x.ends, "9*");
	CHECK_INT(x.last_dur, 960);

	/* all end packets of 'A' lost: the next event ends it */
	feed(&x, 3000, true, 12, false, 160);
	feed(&x, 3000, false, 12, false, 320);
	feed(&x, 4000, true, 13, false, 160);
	CHECK_STR(x.starts, "9*AB");
	CHECK_STR(x.ends, "9*A");
	CHECK_INT(x.last_dur, 320);
	/* late packets of 'A' after 'B' began change nothing */
	feed(&x, 3000, false, 12, true, 480);
	feed(&x, 3000, false, 12, false, 480);
	CHECK_STR(x.starts, "9*AB");
	CHECK_STR(x.ends, "9*A");
	/* 'B' loses its end packets and no more events come: flush */
	CHECK_INT(rfc4733_receiver_flush(&x.r, &ev), 1);
	CHECK(ev.end && ev.digit == 'B' && ev.timestamp == 4000, "flush %c", ev.digit);
	CHECK_INT(rfc4733_receiver_flush(&x.r, &ev), 0);
	/* ...and its end packets arriving after all change nothing */
	feed(&x, 4000, false, 13, true, 480);
	CHECK_STR(x.ends, "9*A");

	/* lost end, then a new event known only by its end packet */
	feed(&x, 6000, true, 0, false, 160);
	feed(&x, 7000, false, 2, true, 640);
	CHECK_STR(x.starts, "9*AB02");
	CHECK_STR(x.ends, "9*A02");

	/* a timestamp far in the past (here: a jump) starts a new event */
	feed(&x, 0x80000000u, true, 1, false, 160);
	CHECK_STR(x.starts, "9*AB021");
	CHECK_STR(x.ends, "9*A02");

	/* timestamps wrapping around 2^32 */
	rx_init(&x);
	feed(&x, 0xffffff00u, true, 3, false, 160);
	feed(&x, 0xffffff00u, false, 3, true, 320);
	feed(&x, 0x00000100u, true, 4, false, 160);
	feed(&x, 0xffffff00u, false, 3, true, 320);
	feed(&x, 0x00000100u, false, 4, true, 320);
	CHECK_STR(x.starts, "34");
	CHECK_STR(x.ends, "34");

	CHECK_INT(rfc4733_receiver_packet(&x.r, 1, false, shortp, 3, out), -EINVAL);
	CHECK_INT(x.bad, 0);
}

/* The sender's output through a lossy, duplicating channel: one digit each. */
UNIT_TEST(rfc4733_sender_to_receiver)
{
	static const char digits[] = "0123456789*#ABCD";
	struct rfc4733_sender s;
	struct rx x;
	struct rfc4733_packet pk[64];
	uint32_t ts = 0xfffff000u;

	rfc4733_sender_init(&s, 160);
	rx_init(&x);
	for (unsigned i = 0; digits[i]; i++) {
		int n;

		CHECK_INT(rfc4733_sender_start(&s, digits[i], 10, ts, 400 + 160 * i), 0);
		n = drain(&s, pk, 64);
		for (int j = 0; j < n; j++) {
			struct rfc4733_event ev;

			CHECK_INT(rfc4733_decode(pk[j].payload, 4, &ev), 0);
			if ((i % 3 == 0 && j == 0) || (i % 4 == 1 && j == n - 2))
				continue;	/* lose the start / an end copy */
			feed(&x, pk[j].timestamp, pk[j].marker, ev.event, ev.end,
			     ev.duration);
			if (i % 2)	/* duplicate */
				feed(&x, pk[j].timestamp, pk[j].marker, ev.event,
				     ev.end, ev.duration);
		}
		ts += 400 + 160 * i + 800;
	}
	CHECK_STR(x.starts, digits);
	CHECK_STR(x.ends, digits);
}
