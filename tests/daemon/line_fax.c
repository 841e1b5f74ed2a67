// SPDX-License-Identifier: GPL-2.0-only
/*
 * line_fax.c - spandsp's fax terminals for the line test layer (see
 * line_fax.h).
 */
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "media/udptl.h"

#include "line_fax.h"
#include "t30term.h"

struct phone_fax {
	fax_state_t *fax;
	int result;
};

struct far_fax {
	t38_terminal_state_t *t38;
	struct udptl_tx tx;
	struct udptl_jb rx;
	uint64_t now;
	far_fax_send_fn send;
	void *opaque;
	int result;
};

struct phone_fax *phone_fax_new(const char *tx)
{
	struct phone_fax *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->fax = fax_init(NULL, true);
	if (!f->fax) {
		free(f);
		return NULL;
	}
	fax_set_transmit_on_idle(f->fax, 1);
	t30term_setup(fax_get_t30_state(f->fax), tx, NULL, &f->result);
	t30_set_supported_modems(fax_get_t30_state(f->fax), T30_SUPPORT_V27TER |
				 T30_SUPPORT_V29 | T30_SUPPORT_V17);
	return f;
}

void phone_fax_free(struct phone_fax *f)
{
	if (!f)
		return;
	fax_free(f->fax);
	free(f);
}

void phone_fax_tx(struct phone_fax *f, int16_t *out, size_t n)
{
	int k = fax_tx(f->fax, out, (int)n);

	if (k < 0)
		k = 0;
	if ((size_t)k < n)
		memset(out + k, 0, (n - (size_t)k) * sizeof(*out));
}

void phone_fax_rx(struct phone_fax *f, const int16_t *in, size_t n)
{
	int16_t buf[320];

	while (n) {
		size_t k = n < 320 ? n : 320;

		memcpy(buf, in, k * sizeof(*in));
		fax_rx(f->fax, buf, (int)k);
		in += k;
		n -= k;
	}
}

int phone_fax_result(const struct phone_fax *f)
{
	return f->result;
}

static int far_send(t38_core_state_t *s, void *user, const uint8_t *ifp,
		    int len, int count)
{
	struct far_fax *f = user;
	uint8_t pkt[UDPTL_PACKET_MAX];
	int n, i;

	(void)s;
	n = udptl_tx_packet(&f->tx, ifp, (size_t)len, pkt, sizeof(pkt));
	for (i = 0; n > 0 && i < (count < 1 ? 1 : count); i++)
		f->send(f->opaque, pkt, (size_t)n);
	return 0;
}

static void far_ifp(void *opaque, uint16_t seq, const uint8_t *ifp,
		    size_t len)
{
	struct far_fax *f = opaque;

	t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(f->t38), ifp,
			       (int)len, seq);
}

struct far_fax *far_fax_new(const char *rx, far_fax_send_fn send,
			    void *opaque)
{
	struct far_fax *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->send = send;
	f->opaque = opaque;
	f->t38 = t38_terminal_init(NULL, false, far_send, f);
	if (!f->t38) {
		free(f);
		return NULL;
	}
	t30term_setup(t38_terminal_get_t30_state(f->t38), NULL, rx, &f->result);
	udptl_tx_init(&f->tx, 3);
	udptl_jb_init(&f->rx, 60 * 8);
	return f;
}

void far_fax_free(struct far_fax *f)
{
	if (!f)
		return;
	t38_terminal_free(f->t38);
	free(f);
}

void far_fax_packet(struct far_fax *f, const uint8_t *pkt, size_t len)
{
	(void)udptl_jb_put(&f->rx, pkt, len, f->now, far_ifp, f);
}

void far_fax_tick(struct far_fax *f, size_t n)
{
	f->now += n;
	udptl_jb_tick(&f->rx, f->now, far_ifp, f);
	t38_terminal_send_timeout(f->t38, (int)n);
}

int far_fax_result(const struct far_fax *f)
{
	return f->result;
}

bool fax_result_ok(int code)
{
	return code == T30_ERR_OK;
}

const char *fax_result_str(int code)
{
	return code < 0 ? "no end" : t30_completion_code_to_str(code);
}
