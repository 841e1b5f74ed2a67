// SPDX-License-Identifier: GPL-2.0-only
/*
 * t38fax - a fax through fxsd's T.38 gateway (daemon/media/t38gw.c), on
 * the host, in simulated time.
 *
 *   t38fax DIR TX.tif RX.tif [LOSS_PCT [JITTER_MS [SEED [REDUNDANCY]]]]
 *
 * DIR "phone" sends TX.tif from the phone's fax machine to the far end,
 * "far" from the far end to the phone (the sender calls, the receiver
 * answers).  The phone's fax machine is a
 * spandsp audio terminal (V.21/V.27ter/V.29/V.17) wired to the gateway's
 * audio as the line would be; the far end is spandsp's T.38 terminal
 * (t38_terminal), reached over UDPTL packets built and read by
 * daemon/media/udptl.c at both ends (each holding packets that overtook
 * a missing one up to 60 ms, udptl_jb).  Both ways the channel loses
 * LOSS_PCT % of the packets and delays each 0..JITTER_MS (so some
 * overtake others).  ECM is on at both terminals.
 *
 * It ends when both terminals reach T.30 phase E, or after 300 simulated
 * seconds, and prints
 *   t38fax: phone CODE (TEXT), far CODE (TEXT), N pages, R bit/s
 *   t38fax: to the far end P packets (L lost), from it P (L lost);
 *           the gateway recovered N IFPs, lost M
 * exit 0 when both ended with T30_ERR_OK.
 *
 * With T38FAX_PCAP=FILE every UDPTL packet sent (before the channel loses
 * any) is written to FILE as raw IPv4/UDP (pcap, LINKTYPE_RAW): the
 * gateway's from 127.0.0.1:4000 to :4002, the far end's back, for a
 * decoder of another's (tshark) to read.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "media/t38gw.h"
#include "media/udptl.h"
#include "t30term.h"

#define FRAME		160
#define MAXQ		512
#define END_SAMPLES	(8000 * 300)

struct pkt {
	uint64_t due;	/* sample time it arrives */
	uint64_t order;	/* sent as the how manyth: ties go in order */
	size_t len;
	uint8_t data[UDPTL_PACKET_MAX];
};

/* One direction of the network: packets in flight. */
struct channel {
	struct pkt q[MAXQ];
	unsigned n;
	uint64_t sent, dropped;
};

static uint64_t now;
static unsigned loss_pct, jitter_ms;
static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void chan_send(struct channel *c, const uint8_t *p, size_t len)
{
	struct pkt *k;

	c->sent++;
	if (rnd() % 10000 < loss_pct * 100u || c->n == MAXQ) {
		c->dropped++;
		return;
	}
	k = &c->q[c->n++];
	k->due = now + (jitter_ms ? rnd() % (jitter_ms * 8 + 1) : 0);
	k->order = c->sent;
	k->len = len;
	memcpy(k->data, p, len);
}

/* Every packet due by now, in order of arrival time. */
static void chan_deliver(struct channel *c, void (*fn)(const uint8_t *, size_t))
{
	for (;;) {
		unsigned best = c->n, i;

		for (i = 0; i < c->n; i++)
			if (c->q[i].due <= now &&
			    (best == c->n || c->q[i].due < c->q[best].due ||
			     (c->q[i].due == c->q[best].due &&
			      c->q[i].order < c->q[best].order)))
				best = i;
		if (best == c->n)
			return;
		fn(c->q[best].data, c->q[best].len);
		c->q[best] = c->q[--c->n];
	}
}

static struct channel to_far, to_gw;
static FILE *pcap;

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One packet from 127.0.0.1:@from to 127.0.0.1:@to into the pcap. */
static void pcap_put(uint16_t from, uint16_t to, const uint8_t *p, size_t len)
{
	uint32_t rec[4];
	uint8_t h[28] = { 0x45, 0 };
	unsigned sum = 0;
	size_t ip_len = 28 + len;

	if (!pcap)
		return;
	rec[0] = (uint32_t)(now / 8000);
	rec[1] = (uint32_t)(now % 8000 * 125);
	rec[2] = rec[3] = (uint32_t)ip_len;
	h[2] = (uint8_t)(ip_len >> 8);
	h[3] = (uint8_t)ip_len;
	h[8] = 64;			/* TTL */
	h[9] = 17;			/* UDP */
	put32(h + 12, 0x7f000001);
	put32(h + 16, 0x7f000001);
	for (int i = 0; i < 20; i += 2)
		sum += (unsigned)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
	h[20] = (uint8_t)(from >> 8);
	h[21] = (uint8_t)from;
	h[22] = (uint8_t)(to >> 8);
	h[23] = (uint8_t)to;
	h[24] = (uint8_t)((8 + len) >> 8);
	h[25] = (uint8_t)(8 + len);
	fwrite(rec, sizeof(rec), 1, pcap);
	fwrite(h, sizeof(h), 1, pcap);
	fwrite(p, len, 1, pcap);
}

static void pcap_open(const char *path)
{
	/* host order magic, v2.4, snaplen, LINKTYPE_RAW */
	uint32_t g[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };

	pcap = fopen(path, "wb");
	if (pcap)
		fwrite(g, sizeof(g), 1, pcap);
}
static struct t38gw *gw;
static t38_terminal_state_t *far;
static struct udptl_tx far_tx;
static struct udptl_jb far_rx;
static int res_phone = -1, res_far = -1;

/* What the gateway sent under each sequence number, to check what the
 * far end is given (the UDPTL of both ends is fxsd's). */
static struct {
	size_t len;
	uint8_t data[UDPTL_IFP_MAX];
} sent_ifp[65536];
static uint64_t ifp_wrong;

static void gw_send(void *opaque, const uint8_t *p, size_t len)
{
	struct udptl_packet d;

	(void)opaque;
	if (udptl_decode(p, len, &d) == 0) {
		sent_ifp[d.seq].len = d.primary.len;
		memcpy(sent_ifp[d.seq].data, d.primary.data, d.primary.len);
	} else {
		ifp_wrong++;
	}
	pcap_put(4000, 4002, p, len);
	chan_send(&to_far, p, len);
}

static int far_send(t38_core_state_t *s, void *user, const uint8_t *buf,
		    int len, int count)
{
	uint8_t p[UDPTL_PACKET_MAX];
	int n;

	(void)s;
	(void)user;
	n = udptl_tx_packet(&far_tx, buf, (size_t)len, p, sizeof(p));
	/* as many times as spandsp asks (its defaults), as the gateway */
	for (int i = 0; n > 0 && i < (count < 1 ? 1 : count); i++) {
		pcap_put(4002, 4000, p, (size_t)n);
		chan_send(&to_gw, p, (size_t)n);
	}
	return 0;
}

static void far_ifp(void *opaque, uint16_t seq, const uint8_t *ifp, size_t len)
{
	(void)opaque;
	if (sent_ifp[seq].len != len || memcmp(sent_ifp[seq].data, ifp, len))
		ifp_wrong++;
	t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(far), ifp,
			       (int)len, seq);
}

static void at_far(const uint8_t *p, size_t len)
{
	(void)udptl_jb_put(&far_rx, p, len, now, far_ifp, NULL);
}

static void at_gw(const uint8_t *p, size_t len)
{
	(void)t38gw_from_far(gw, p, len);
}

int main(int argc, char **argv)
{
	struct t38gw_config cfg;
	struct t38gw_stats st;
	fax_state_t *phone;
	t30_stats_t ts;
	int16_t buf[FRAME];
	bool from_phone;
	unsigned redundancy = 3;

	if (argc < 4 || (strcmp(argv[1], "phone") && strcmp(argv[1], "far"))) {
		fprintf(stderr, "usage: t38fax phone|far TX.tif RX.tif [LOSS_PCT [JITTER_MS [SEED [REDUNDANCY]]]]\n");
		return 2;
	}
	from_phone = strcmp(argv[1], "phone") == 0;
	loss_pct = argc > 4 ? (unsigned)atoi(argv[4]) : 0;
	jitter_ms = argc > 5 ? (unsigned)atoi(argv[5]) : 0;
	rnd_state = argc > 6 ? (uint32_t)atoi(argv[6]) : 1;
	if (argc > 7)
		redundancy = (unsigned)atoi(argv[7]);

	if (getenv("T38FAX_PCAP"))
		pcap_open(getenv("T38FAX_PCAP"));
	t38gw_config_default(&cfg);
	cfg.redundancy = redundancy;
	if (t38gw_new(&cfg, gw_send, NULL, &gw) < 0)
		return 1;
	/* the sender calls, the receiver answers */
	phone = fax_init(NULL, from_phone);
	far = t38_terminal_init(NULL, !from_phone, far_send, NULL);
	if (!phone || !far)
		return 1;
	fax_set_transmit_on_idle(phone, 1);
	t30term_setup(fax_get_t30_state(phone), from_phone ? argv[2] : NULL,
		      argv[3], &res_phone);
	t30_set_supported_modems(fax_get_t30_state(phone), T30_SUPPORT_V27TER |
				 T30_SUPPORT_V29 | T30_SUPPORT_V17);
	t30term_setup(t38_terminal_get_t30_state(far),
		      from_phone ? NULL : argv[2], argv[3], &res_far);
	udptl_tx_init(&far_tx, redundancy);
	udptl_jb_init(&far_rx, 60 * 8);

	for (now = 0; now < END_SAMPLES && (res_phone < 0 || res_far < 0);
	     now += FRAME) {
		int n = fax_tx(phone, buf, FRAME);

		if (n < FRAME)
			memset(buf + n, 0, (FRAME - n) * sizeof(*buf));
		t38gw_from_phone(gw, buf, FRAME);
		t38gw_to_phone(gw, buf, FRAME);
		fax_rx(phone, buf, FRAME);
		t38_terminal_send_timeout(far, FRAME);
		udptl_jb_tick(&far_rx, now, far_ifp, NULL);
		chan_deliver(&to_far, at_far);
		chan_deliver(&to_gw, at_gw);
	}
	t30_get_transfer_statistics(fax_get_t30_state(phone), &ts);
	t38gw_get_stats(gw, &st);
	printf("t38fax: phone %d (%s), far %d (%s), %d pages, %d bit/s, %.1f s\n",
	       res_phone, res_phone >= 0 ? t30_completion_code_to_str(res_phone) : "no end",
	       res_far, res_far >= 0 ? t30_completion_code_to_str(res_far) : "no end",
	       ts.pages_tx > ts.pages_rx ? ts.pages_tx : ts.pages_rx, ts.bit_rate,
	       now / 8000.0);
	printf("t38fax: to the far end %llu packets (%llu lost), from it %llu (%llu lost); "
	       "the gateway recovered %llu IFPs, lost %llu; the far end recovered %llu, lost %llu\n",
	       (unsigned long long)to_far.sent, (unsigned long long)to_far.dropped,
	       (unsigned long long)to_gw.sent, (unsigned long long)to_gw.dropped,
	       (unsigned long long)st.recovered, (unsigned long long)st.lost,
	       (unsigned long long)far_rx.rx.recovered, (unsigned long long)far_rx.rx.lost);
	printf("t38fax: %llu IFPs given to the far end differ from what the gateway sent\n", (unsigned long long)ifp_wrong);
	if (pcap)
		fclose(pcap);
	t38gw_free(gw);
	fax_free(phone);
	t38_terminal_free(far);
	return res_phone == T30_ERR_OK && res_far == T30_ERR_OK ? 0 : 1;
}
