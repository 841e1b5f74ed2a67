// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_udptl.c - libFuzzer target: UDPTL packets (T.38 over UDP) as a
 * far end sends them: udptl_decode() and the receiver udptl_rx_packet().
 *
 * The input is one packet, or several separated by "%%%%" (a stream the
 * receiver takes in order).  Checked besides memory safety: a packet that
 * decodes has IFPs of 1..UDPTL_IFP_MAX octets inside it; built again with
 * udptl_encode() (when it was not FEC) it gives the same octets; the
 * receiver gives IFPs in increasing sequence numbers (each 1..32768
 * after the one before, modulo 2^16), and its counters add up (every IFP
 * given was received or recovered).  The same stream through the reorder
 * stash (udptl_jb, 80 of 480 time units after each packet): the same
 * order property, and nothing left in it once its hold has passed.  The
 * sender's packets read back.
 */
#include <errno.h>

#include "fuzz.h"
#include "media/udptl.h"

struct seen {
	bool any;
	uint16_t last;	/* the last sequence number given */
	uint64_t n;
};

static void check_ifp(const uint8_t *pkt, size_t len, const struct udptl_ifp *p)
{
	fuzz_assert(p->len >= 1 && p->len <= UDPTL_IFP_MAX);
	fuzz_assert(p->data >= pkt && p->data + p->len <= pkt + len);
}

static void given(void *opaque, uint16_t seq, const uint8_t *ifp, size_t len)
{
	struct seen *s = opaque;

	fuzz_assert(ifp && len >= 1 && len <= UDPTL_IFP_MAX);
	/* after the last one given, within the receiver's window */
	if (s->any)
		fuzz_assert((uint16_t)(seq - s->last) >= 1 &&
			    (uint16_t)(seq - s->last) <= 32768);
	s->any = true;
	s->last = seq;
	s->n++;
}

static struct udptl_jb jb;

static void one(const uint8_t *pkt, size_t len, struct udptl_rx *rx,
		struct seen *s, struct seen *sj, uint64_t now)
{
	struct udptl_packet p;
	uint8_t buf[UDPTL_PACKET_MAX];
	unsigned i;
	int n;

	if (udptl_decode(pkt, len, &p) == 0) {
		check_ifp(pkt, len, &p.primary);
		fuzz_assert(p.n_secondary <= UDPTL_SECONDARY_MAX);
		for (i = 0; i < p.n_secondary; i++)
			check_ifp(pkt, len, &p.secondary[i]);
		if (!p.fec) {
			n = udptl_encode(p.seq, &p.primary, p.secondary,
					 p.n_secondary, buf, sizeof(buf));
			/* the same, unless it used a two-octet length
			 * determinant for a short value (allowed to read) */
			fuzz_assert(n > 0 && (size_t)n <= len);
			if ((size_t)n == len)
				fuzz_assert(memcmp(buf, pkt, len) == 0);
		}
	}
	(void)udptl_rx_packet(rx, pkt, len, given, s);
	(void)udptl_jb_put(&jb, pkt, len, now, given, sj);
	udptl_jb_tick(&jb, now + 80, given, sj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udptl_rx rx = { 0 };
	struct seen s = { 0 }, sj = { 0 };
	const uint8_t *p = data, *end = data + size;
	uint64_t now = 0;
	struct udptl_tx tx;
	uint8_t out[UDPTL_PACKET_MAX];
	int n;

	udptl_jb_init(&jb, 480);
	while (p <= end) {
		const uint8_t *sep = NULL;
		uint8_t *copy;
		size_t len;

		for (const uint8_t *q = p; q + 4 <= end; q++)
			if (!memcmp(q, "%%%%", 4)) {
				sep = q;
				break;
			}
		len = (size_t)((sep ? sep : end) - p);
		copy = malloc(len ? len : 1);	/* ASan sees every overread */
		if (!copy)
			abort();
		memcpy(copy, p, len);
		one(copy, len, &rx, &s, &sj, now);
		now += 160;
		free(copy);
		if (!sep)
			break;
		p = sep + 4;
	}
	fuzz_assert(rx.received + rx.recovered == s.n);
	/* the stash gives everything it holds once time has passed, in order */
	udptl_jb_tick(&jb, now + 480, given, &sj);
	fuzz_assert(jb.n == 0);
	fuzz_assert(jb.rx.received + jb.rx.recovered == sj.n);

	/* the sender: the input as IFPs of up to 64 octets, redundancy 3;
	 * each packet reads back with the IFPs sent before it */
	udptl_tx_init(&tx, 3);
	for (size_t off = 0; off < size && off < 1024; off += 64) {
		size_t len = size - off < 64 ? size - off : 64;
		struct udptl_packet pk;

		n = udptl_tx_packet(&tx, data + off, len, out, sizeof(out));
		fuzz_assert(n > 0);
		fuzz_assert(udptl_decode(out, n, &pk) == 0);
		fuzz_assert(pk.primary.len == len &&
			    !memcmp(pk.primary.data, data + off, len));
		fuzz_assert(pk.n_secondary == (off / 64 < 3 ? off / 64 : 3));
		for (unsigned i = 0; i < pk.n_secondary; i++)
			fuzz_assert(pk.secondary[i].len == 64 &&
				    !memcmp(pk.secondary[i].data,
					    data + off - 64 * (i + 1), 64));
	}
	return 0;
}
