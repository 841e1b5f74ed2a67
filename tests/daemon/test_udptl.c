// SPDX-License-Identifier: GPL-2.0-only
/* test_udptl.c - unit tests of udptl.c: the frame, redundancy, recovery. */
#include <errno.h>

#include "media/udptl.h"
#include "unit.h"

UNIT_TEST(udptl_encode_bytes)
{
	static const uint8_t prim[] = { 0x00, 0x01 }, sec[] = { 0xaa };
	static const uint8_t want[] = {
		0x01, 0x02,		/* seq-number 258 */
		0x02, 0x00, 0x01,	/* primary: 2 octets */
		0x00,			/* secondary-ifp-packets */
		0x01, 0x01, 0xaa,	/* 1 of them, 1 octet */
	};
	struct udptl_ifp p = { prim, sizeof(prim) }, s = { sec, sizeof(sec) };
	uint8_t buf[64];
	int n;

	n = udptl_encode(258, &p, &s, 1, buf, sizeof(buf));
	CHECK_INT(n, sizeof(want));
	CHECK(!memcmp(buf, want, sizeof(want)), "bytes differ");
	CHECK_INT(udptl_encode(258, &p, &s, 1, buf, sizeof(want) - 1), -ENOBUFS);
	p.len = 0;
	CHECK_INT(udptl_encode(258, &p, NULL, 0, buf, sizeof(buf)), -EINVAL);
	p.len = UDPTL_IFP_MAX + 1;
	CHECK_INT(udptl_encode(258, &p, NULL, 0, buf, sizeof(buf)), -EINVAL);
}

UNIT_TEST(udptl_long_length)
{
	uint8_t ifp[200], buf[300];
	struct udptl_ifp p = { ifp, sizeof(ifp) };
	struct udptl_packet d;
	int n;

	memset(ifp, 0x5a, sizeof(ifp));
	n = udptl_encode(7, &p, NULL, 0, buf, sizeof(buf));
	CHECK_INT(n, 2 + 2 + 200 + 2);
	/* 200 = 0x00c8 as a two-octet length determinant */
	CHECK(buf[2] == 0x80 && buf[3] == 0xc8, "length %02x %02x", buf[2], buf[3]);
	CHECK_INT(udptl_decode(buf, n, &d), 0);
	CHECK_INT(d.seq, 7);
	CHECK_INT(d.primary.len, 200);
	CHECK(d.primary.data == buf + 4, "primary points into the packet");
	CHECK_INT(d.n_secondary, 0);
	CHECK(!d.fec, "not FEC");
}

UNIT_TEST(udptl_decode_bad)
{
	/* truncated primary, fragmented length, empty IFP, bad choice,
	 * trailing octet, secondary count past the end */
	static const uint8_t trunc[] = { 0, 1, 3, 0xaa, 0xbb };
	static const uint8_t frag[] = { 0, 1, 0xc1, 0xaa, 0x00, 0x00 };
	static const uint8_t empty[] = { 0, 1, 0, 0x00, 0x00 };
	static const uint8_t choice[] = { 0, 1, 1, 0xaa, 0x40, 0x00 };
	static const uint8_t trail[] = { 0, 1, 1, 0xaa, 0x00, 0x00, 0x00 };
	static const uint8_t count[] = { 0, 1, 1, 0xaa, 0x00, 0x02, 0x01, 0xbb };
	static const uint8_t nochoice[] = { 0, 1, 1, 0xaa };
	struct udptl_packet d = { .seq = 99 };

	CHECK_INT(udptl_decode(trunc, sizeof(trunc), &d), -EBADMSG);
	CHECK_INT(udptl_decode(frag, sizeof(frag), &d), -EBADMSG);
	CHECK_INT(udptl_decode(empty, sizeof(empty), &d), -EBADMSG);
	CHECK_INT(udptl_decode(choice, sizeof(choice), &d), -EBADMSG);
	CHECK_INT(udptl_decode(trail, sizeof(trail), &d), -EBADMSG);
	CHECK_INT(udptl_decode(count, sizeof(count), &d), -EBADMSG);
	CHECK_INT(udptl_decode(nochoice, sizeof(nochoice), &d), -EBADMSG);
	CHECK_INT(udptl_decode(trunc, 1, &d), -EBADMSG);
	CHECK_INT(d.seq, 99);	/* untouched */
}

UNIT_TEST(udptl_decode_fec)
{
	/* seq 5, primary 1 octet, fec-info: npackets 3, 2 FEC octet strings */
	static const uint8_t fec[] = {
		0, 5, 1, 0x11, 0x80, 1, 3, 2, 1, 0x22, 2, 0x33, 0x44,
	};
	struct udptl_packet d;

	CHECK_INT(udptl_decode(fec, sizeof(fec), &d), 0);
	CHECK(d.fec, "fec");
	CHECK_INT(d.seq, 5);
	CHECK_INT(d.primary.len, 1);
	CHECK_INT(d.primary.data[0], 0x11);
	CHECK_INT(d.n_secondary, 0);
	CHECK_INT(udptl_decode(fec, sizeof(fec) - 1, &d), -EBADMSG);
}

struct got {
	unsigned n;
	uint16_t seq[64];
	uint8_t first[64];
};

static void got_ifp(void *opaque, uint16_t seq, const uint8_t *ifp, size_t len)
{
	struct got *g = opaque;

	if (g->n < 64 && len) {
		g->seq[g->n] = seq;
		g->first[g->n] = ifp[0];
		g->n++;
	}
}

/* Packets 0..19 sent with redundancy 2, @drop(i) packets lost on the way:
 * what the receiver gives. */
static void run_loss(unsigned redundancy, const bool *drop, unsigned count,
		     uint16_t start, struct got *g, struct udptl_rx *rx)
{
	struct udptl_tx tx;
	uint8_t buf[UDPTL_PACKET_MAX], ifp[3];
	unsigned i;

	udptl_tx_init(&tx, redundancy);
	tx.seq = start;
	memset(g, 0, sizeof(*g));
	memset(rx, 0, sizeof(*rx));
	for (i = 0; i < count; i++) {
		int n;

		ifp[0] = (uint8_t)i;
		ifp[1] = 0x55;
		ifp[2] = (uint8_t)~i;
		n = udptl_tx_packet(&tx, ifp, sizeof(ifp), buf, sizeof(buf));
		if (n <= 0)
			return;
		if (!drop[i])
			(void)udptl_rx_packet(rx, buf, n, got_ifp, g);
	}
}

UNIT_TEST(udptl_redundancy_recovers)
{
	bool drop[20] = { false };
	struct udptl_rx rx;
	struct got g;
	unsigned i;

	/* two in a row lost: redundancy 2 gives both back */
	drop[5] = drop[6] = true;
	drop[12] = true;
	run_loss(2, drop, 20, 65530, &g, &rx);	/* across the wrap */
	CHECK_INT(g.n, 20);
	for (i = 0; i < 20; i++) {
		CHECK_INT(g.first[i], i);
		CHECK_INT(g.seq[i], (uint16_t)(65530 + i));
	}
	CHECK_INT(rx.recovered, 3);
	CHECK_INT(rx.lost, 0);
	CHECK_INT(rx.received, 17);

	/* three in a row: one is gone, the rest in order */
	drop[7] = true;
	run_loss(2, drop, 20, 0, &g, &rx);
	CHECK_INT(g.n, 19);
	CHECK_INT(rx.lost, 1);
	for (i = 0; i + 1 < g.n; i++)
		CHECK(g.seq[i] < g.seq[i + 1], "order at %u", i);
	CHECK_INT(g.first[5], 6);	/* 5 lost, 6 and 7 recovered */

	/* without redundancy every loss is a loss */
	run_loss(0, drop, 20, 0, &g, &rx);
	CHECK_INT(g.n, 16);
	CHECK_INT(rx.lost, 4);
	CHECK_INT(rx.recovered, 0);
}

UNIT_TEST(udptl_rx_duplicates)
{
	static const uint8_t a[] = { 0, 9, 1, 0xaa, 0, 0 };
	static const uint8_t b[] = { 0, 10, 1, 0xbb, 0, 1, 1, 0xaa };
	static const uint8_t old[] = { 0, 8, 1, 0xcc, 0, 0 };
	struct udptl_rx rx = { 0 };
	struct got g = { 0 };

	CHECK_INT(udptl_rx_packet(&rx, a, sizeof(a), got_ifp, &g), 1);
	CHECK_INT(udptl_rx_packet(&rx, a, sizeof(a), got_ifp, &g), 0);
	/* b's redundancy repeats a: only b's primary is new */
	CHECK_INT(udptl_rx_packet(&rx, b, sizeof(b), got_ifp, &g), 1);
	CHECK_INT(udptl_rx_packet(&rx, old, sizeof(old), got_ifp, &g), 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.first[0], 0xaa);
	CHECK_INT(g.first[1], 0xbb);
	CHECK_INT(rx.received, 2);
	CHECK_INT(udptl_rx_packet(&rx, a, 3, got_ifp, &g), -EBADMSG);
}

UNIT_TEST(udptl_tx_max_packet)
{
	struct udptl_tx tx;
	struct udptl_packet d;
	uint8_t ifp[40], buf[UDPTL_PACKET_MAX];
	int n, i;

	udptl_tx_init(&tx, 3);
	tx.max_packet = 2 + 1 + 40 + 1 + 1 + 2 * 41;	/* room for 2 */
	memset(ifp, 1, sizeof(ifp));
	for (i = 0; i < 5; i++) {
		n = udptl_tx_packet(&tx, ifp, sizeof(ifp), buf, sizeof(buf));
		CHECK(n > 0 && (size_t)n <= tx.max_packet, "packet %d: %d", i, n);
		CHECK_INT(udptl_decode(buf, n, &d), 0);
		CHECK_INT(d.n_secondary, i < 2 ? i : 2);
		CHECK_INT(d.seq, i);
	}
	tx.max_packet = 10;	/* not even the primary */
	CHECK_INT(udptl_tx_packet(&tx, ifp, sizeof(ifp), buf, sizeof(buf)), -ENOBUFS);
	CHECK_INT(tx.seq, 5);
}

/* A packet with seq @seq carrying IFP {@seq}, no redundancy. */
static int one_pkt(uint16_t seq, uint8_t *buf)
{
	uint8_t ifp = (uint8_t)seq;
	struct udptl_ifp p = { &ifp, 1 };

	return udptl_encode(seq, &p, NULL, 0, buf, 16);
}

UNIT_TEST(udptl_jb_reorders)
{
	static struct udptl_jb jb;
	uint8_t b[16];
	struct got g = { 0 };
	int n;

	udptl_jb_init(&jb, 480);
	n = one_pkt(10, b);
	CHECK_INT(udptl_jb_put(&jb, b, n, 0, got_ifp, &g), 0);
	CHECK_INT(g.n, 1);	/* the first goes at once */
	n = one_pkt(12, b);
	CHECK_INT(udptl_jb_put(&jb, b, n, 160, got_ifp, &g), 0);
	CHECK_INT(g.n, 1);	/* 11 missing: 12 waits */
	CHECK_INT(jb.n, 1);
	udptl_jb_tick(&jb, 320, got_ifp, &g);
	CHECK_INT(g.n, 1);	/* still */
	n = one_pkt(11, b);
	CHECK_INT(udptl_jb_put(&jb, b, n, 400, got_ifp, &g), 0);
	CHECK_INT(g.n, 3);	/* 11 came late: 11, 12 in order */
	CHECK_INT(g.seq[1], 11);
	CHECK_INT(g.seq[2], 12);
	CHECK_INT(jb.rx.lost, 0);
	CHECK_INT(jb.held, 1);

	/* 13 lost for good: 14 goes once it has waited 480 */
	n = one_pkt(14, b);
	CHECK_INT(udptl_jb_put(&jb, b, n, 1000, got_ifp, &g), 0);
	udptl_jb_tick(&jb, 1479, got_ifp, &g);
	CHECK_INT(g.n, 3);
	udptl_jb_tick(&jb, 1480, got_ifp, &g);
	CHECK_INT(g.n, 4);
	CHECK_INT(g.seq[3], 14);
	CHECK_INT(jb.rx.lost, 1);
	/* 13 after all: too late, dropped */
	n = one_pkt(13, b);
	CHECK_INT(udptl_jb_put(&jb, b, n, 1500, got_ifp, &g), 0);
	CHECK_INT(g.n, 4);
	CHECK_INT(udptl_jb_put(&jb, b, 2, 1500, got_ifp, &g), -EBADMSG);
}

UNIT_TEST(udptl_jb_full)
{
	static struct udptl_jb jb;
	uint8_t b[16];
	struct got g = { 0 };
	int n, i;

	udptl_jb_init(&jb, 1000000);
	n = one_pkt(0, b);
	(void)udptl_jb_put(&jb, b, n, 0, got_ifp, &g);
	/* 1 never comes; 2.. wait until the stash is full, then go in order */
	for (i = 2; i < 1 + UDPTL_HOLD_MAX; i++) {
		n = one_pkt((uint16_t)i, b);
		(void)udptl_jb_put(&jb, b, n, 0, got_ifp, &g);
	}
	CHECK_INT(jb.n, UDPTL_HOLD_MAX - 1);
	CHECK_INT(g.n, 1);
	n = one_pkt((uint16_t)i, b);
	(void)udptl_jb_put(&jb, b, n, 0, got_ifp, &g);
	/* full: the first (2) was forced out; 3.. follow it in order */
	CHECK_INT(jb.rx.received, 1 + UDPTL_HOLD_MAX);
	CHECK_INT(g.n, 64);	/* what got_ifp keeps */
	CHECK_INT(g.seq[1], 2);
	CHECK_INT(jb.n, 0);
	CHECK_INT(jb.rx.lost, 1);
}
