// SPDX-License-Identifier: GPL-2.0-only
/*
 * t38gw.c - a T.38 gateway on spandsp's t38_gateway and our UDPTL.  See
 * t38gw.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "media/t38gw.h"

struct t38gw {
	t38_gateway_state_t *gw;
	t38_core_state_t *core;
	struct udptl_tx tx;
	struct udptl_jb rx;
	t38gw_send_fn send;
	void *opaque;
	uint64_t sent;
	uint64_t bad;
	uint64_t now;		/* samples given to the phone */
};

void t38gw_config_default(struct t38gw_config *ret)
{
	*ret = (struct t38gw_config) {
		.version = 0,
		.max_bitrate = 14400,
		.redundancy = 3,
		.ecm = true,
		.hold_ms = 60,
	};
}

/*
 * spandsp's packet for the far end, in one UDPTL packet sent @count times
 * (the same sequence number: the far end takes the first to arrive).  The
 * repeats are for the packets nothing may follow for a while (indicators,
 * the end of a message): redundancy only helps a packet when another
 * comes after it.
 */
static int gw_tx_packet(t38_core_state_t *s, void *user_data,
			const uint8_t *buf, int len, int count)
{
	struct t38gw *g = user_data;
	uint8_t pkt[UDPTL_PACKET_MAX];
	int n, i;

	(void)s;
	if (len <= 0)
		return -1;
	n = udptl_tx_packet(&g->tx, buf, (size_t)len, pkt, sizeof(pkt));
	if (n < 0)
		return -1;
	if (count < 1)
		count = 1;
	for (i = 0; i < count && i < T38GW_REPEAT_MAX; i++) {
		g->sent++;
		g->send(g->opaque, pkt, (size_t)n);
	}
	return 0;
}

/* The modems a bit rate allows (T38MaxBitRate). */
static int modems_for(unsigned bitrate)
{
	int m = T30_SUPPORT_V27TER;

	if (bitrate >= 9600)
		m |= T30_SUPPORT_V29;
	if (bitrate >= 14400)
		m |= T30_SUPPORT_V17;
	return m;
}

int t38gw_new(const struct t38gw_config *c, t38gw_send_fn send, void *opaque,
	      struct t38gw **ret)
{
	struct t38gw *g;
	int cat;

	if (!c || !send || c->version > 3 || c->max_bitrate < 2400 ||
	    c->hold_ms > T38GW_HOLD_MAX_MS)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->send = send;
	g->opaque = opaque;
	udptl_jb_init(&g->rx, (uint64_t)c->hold_ms * 8);
	udptl_tx_init(&g->tx, c->redundancy);
	g->tx.max_packet = c->max_datagram;
	g->gw = t38_gateway_init(NULL, gw_tx_packet, g);
	if (!g->gw) {
		free(g);
		return -ENOMEM;
	}
	g->core = t38_gateway_get_t38_core_state(g->gw);
	t38_set_t38_version(g->core, (int)c->version);
	t38_set_data_rate_management_method(g->core, c->local_tcf ?
		T38_DATA_RATE_MANAGEMENT_LOCAL_TCF :
		T38_DATA_RATE_MANAGEMENT_TRANSFERRED_TCF);
	t38_set_fastest_image_data_rate(g->core, (int)c->max_bitrate);
	if (c->max_datagram)
		t38_set_max_datagram_size(g->core, (int)c->max_datagram);
	/* data once (the next packets carry it again), what ends something
	 * T38GW_REPEAT_MAX times */
	for (cat = T38_PACKET_CATEGORY_INDICATOR;
	     cat <= T38_PACKET_CATEGORY_IMAGE_DATA_END; cat++)
		t38_set_redundancy_control(g->core, cat,
			cat == T38_PACKET_CATEGORY_CONTROL_DATA ||
			cat == T38_PACKET_CATEGORY_IMAGE_DATA ? 1 :
			T38GW_REPEAT_MAX);
	t38_gateway_set_supported_modems(g->gw, modems_for(c->max_bitrate));
	t38_gateway_set_ecm_capability(g->gw, c->ecm);
	t38_gateway_set_transmit_on_idle(g->gw, true);
	*ret = g;
	return 0;
}

struct t38gw *t38gw_free(struct t38gw *g)
{
	if (!g)
		return NULL;
	t38_gateway_free(g->gw);
	free(g);
	return NULL;
}

void t38gw_from_phone(struct t38gw *g, const int16_t *x, size_t n)
{
	int16_t buf[320];

	/* spandsp's rx takes a non-const buffer */
	while (n) {
		size_t k = n < 320 ? n : 320;

		memcpy(buf, x, k * sizeof(*x));
		t38_gateway_rx(g->gw, buf, (int)k);
		x += k;
		n -= k;
	}
}

static void gw_rx_ifp(void *opaque, uint16_t seq, const uint8_t *ifp,
		      size_t len)
{
	struct t38gw *g = opaque;

	t38_core_rx_ifp_packet(g->core, ifp, (int)len, seq);
}

void t38gw_to_phone(struct t38gw *g, int16_t *out, size_t n)
{
	int got;

	g->now += n;
	udptl_jb_tick(&g->rx, g->now, gw_rx_ifp, g);
	got = t38_gateway_tx(g->gw, out, (int)n);
	if (got < 0)
		got = 0;
	if ((size_t)got < n)
		memset(out + got, 0, (n - (size_t)got) * sizeof(*out));
}

int t38gw_from_far(struct t38gw *g, const uint8_t *pkt, size_t len)
{
	if (udptl_jb_put(&g->rx, pkt, len, g->now, gw_rx_ifp, g) < 0) {
		g->bad++;
		return -EBADMSG;
	}
	return 0;
}

void t38gw_get_stats(const struct t38gw *g, struct t38gw_stats *ret)
{
	t38_stats_t st;

	t38_gateway_get_transfer_statistics(g->gw, &st);
	*ret = (struct t38gw_stats) {
		.sent = g->sent,
		.received = g->rx.rx.received,
		.recovered = g->rx.rx.recovered,
		.lost = g->rx.rx.lost,
		.bad = g->bad,
		.held = g->rx.held,
		.pages = st.pages_transferred > 0 ? (unsigned)st.pages_transferred : 0,
		.bit_rate = st.bit_rate > 0 ? (unsigned)st.bit_rate : 0,
	};
}
