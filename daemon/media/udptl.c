// SPDX-License-Identifier: GPL-2.0-only
/*
 * udptl.c - UDPTL framing of T.38 IFP packets, with redundancy.  See
 * udptl.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "media/udptl.h"

/* ---- aligned PER pieces ---- */

/* Read a length determinant at *@pos; fragmented ones are refused. */
static int get_length(const uint8_t *buf, size_t len, size_t *pos,
		      size_t *ret)
{
	uint8_t b;

	if (*pos >= len)
		return -EBADMSG;
	b = buf[(*pos)++];
	if (!(b & 0x80)) {
		*ret = b;
		return 0;
	}
	if ((b & 0xc0) != 0x80 || *pos >= len)
		return -EBADMSG;
	*ret = (size_t)(b & 0x3f) << 8 | buf[(*pos)++];
	return 0;
}

/* An open type or OCTET STRING: a length, then that many octets. */
static int get_octets(const uint8_t *buf, size_t len, size_t *pos,
		      struct udptl_ifp *ret)
{
	size_t n;
	int r;

	r = get_length(buf, len, pos, &n);
	if (r < 0)
		return r;
	if (n > len - *pos)
		return -EBADMSG;
	ret->data = buf + *pos;
	ret->len = n;
	*pos += n;
	return 0;
}

static bool ifp_ok(const struct udptl_ifp *p)
{
	return p->len >= 1 && p->len <= UDPTL_IFP_MAX;
}

int udptl_decode(const uint8_t *buf, size_t len, struct udptl_packet *ret)
{
	struct udptl_packet p = { 0 };
	size_t pos = 2, n, i;
	struct udptl_ifp skip;
	int r;

	if (!buf || len < 2 || len > UDPTL_PACKET_MAX)
		return -EBADMSG;
	p.seq = (uint16_t)(buf[0] << 8 | buf[1]);
	r = get_octets(buf, len, &pos, &p.primary);
	if (r < 0 || !ifp_ok(&p.primary) || pos >= len)
		return -EBADMSG;
	switch (buf[pos++]) {
	case 0x00:	/* secondary-ifp-packets */
		r = get_length(buf, len, &pos, &n);
		if (r < 0 || n > UDPTL_SECONDARY_MAX)
			return -EBADMSG;
		for (i = 0; i < n; i++) {
			r = get_octets(buf, len, &pos, &p.secondary[i]);
			if (r < 0 || !ifp_ok(&p.secondary[i]))
				return -EBADMSG;
		}
		p.n_secondary = n;
		break;
	case 0x80:	/* fec-info: checked for shape, not used */
		p.fec = true;
		r = get_octets(buf, len, &pos, &skip);	/* fec-npackets */
		if (r < 0 || skip.len < 1 || skip.len > 4)
			return -EBADMSG;
		r = get_length(buf, len, &pos, &n);
		if (r < 0 || n > UDPTL_SECONDARY_MAX)
			return -EBADMSG;
		for (i = 0; i < n; i++) {
			r = get_octets(buf, len, &pos, &skip);
			if (r < 0 || skip.len > UDPTL_IFP_MAX)
				return -EBADMSG;
		}
		break;
	default:
		return -EBADMSG;
	}
	if (pos != len)
		return -EBADMSG;
	*ret = p;
	return 0;
}

struct wbuf {
	uint8_t *buf;
	size_t len, pos;
	bool overflow;
};

static void put_byte(struct wbuf *w, uint8_t b)
{
	if (w->pos >= w->len) {
		w->overflow = true;
		return;
	}
	w->buf[w->pos++] = b;
}

/* A length determinant for @n < 16384. */
static void put_length(struct wbuf *w, size_t n)
{
	if (n < 128) {
		put_byte(w, n);
	} else {
		put_byte(w, 0x80 | (n >> 8));
		put_byte(w, n & 0xff);
	}
}

static void put_octets(struct wbuf *w, const struct udptl_ifp *p)
{
	put_length(w, p->len);
	if (w->overflow || p->len > w->len - w->pos) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->pos, p->data, p->len);
	w->pos += p->len;
}

int udptl_encode(uint16_t seq, const struct udptl_ifp *primary,
		 const struct udptl_ifp *secondary, unsigned n,
		 uint8_t *buf, size_t len)
{
	struct wbuf w = { buf, len, 0, false };
	unsigned i;

	if (!primary || !ifp_ok(primary) || n > UDPTL_SECONDARY_MAX ||
	    (n && !secondary))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!ifp_ok(&secondary[i]))
			return -EINVAL;
	if (!buf)
		return -ENOBUFS;
	put_byte(&w, seq >> 8);
	put_byte(&w, seq & 0xff);
	put_octets(&w, primary);
	put_byte(&w, 0x00);	/* secondary-ifp-packets */
	put_length(&w, n);
	for (i = 0; i < n; i++)
		put_octets(&w, &secondary[i]);
	if (w.overflow || w.pos > UDPTL_PACKET_MAX)
		return -ENOBUFS;
	return (int)w.pos;
}

/* ---- sender ---- */

void udptl_tx_init(struct udptl_tx *tx, unsigned redundancy)
{
	memset(tx, 0, sizeof(*tx));
	tx->redundancy = redundancy < UDPTL_REDUNDANCY_MAX ?
			 redundancy : UDPTL_REDUNDANCY_MAX;
}

int udptl_tx_packet(struct udptl_tx *tx, const uint8_t *ifp, size_t len,
		    uint8_t *buf, size_t buflen)
{
	struct udptl_ifp primary = { ifp, len };
	struct udptl_ifp sec[UDPTL_REDUNDANCY_MAX];
	size_t lim = buflen;
	unsigned n, i;
	int r;

	if (tx->max_packet && tx->max_packet < lim)
		lim = tx->max_packet;

	n = tx->n_hist < tx->redundancy ? tx->n_hist : tx->redundancy;
	for (i = 0; i < n; i++) {
		/* newest first: the one just before head, then back */
		unsigned k = (tx->head + UDPTL_REDUNDANCY_MAX - 1 - i) %
			     UDPTL_REDUNDANCY_MAX;

		sec[i].data = tx->hist[k];
		sec[i].len = tx->hist_len[k];
	}
	/* the oldest secondaries left out until it fits */
	do {
		r = udptl_encode(tx->seq, &primary, sec, n, buf, lim);
	} while (r == -ENOBUFS && n-- > 0);
	if (r < 0)
		return r;
	tx->seq++;
	if (tx->redundancy) {
		memcpy(tx->hist[tx->head], ifp, len);
		tx->hist_len[tx->head] = len;
		tx->head = (tx->head + 1) % UDPTL_REDUNDANCY_MAX;
		if (tx->n_hist < UDPTL_REDUNDANCY_MAX)
			tx->n_hist++;
	}
	return r;
}

/* ---- receiver ---- */

int udptl_rx_packet(struct udptl_rx *rx, const uint8_t *buf, size_t len,
		    udptl_ifp_fn fn, void *opaque)
{
	struct udptl_packet p;
	int16_t ahead;
	int given = 0, r;
	unsigned k;

	r = udptl_decode(buf, len, &p);
	if (r < 0)
		return r;
	if (!rx->started) {
		rx->started = true;
		rx->next = p.seq;
	}
	ahead = (int16_t)(uint16_t)(p.seq - rx->next);
	if (ahead < 0)
		return 0;	/* a duplicate, or late: given already */
	rx->received++;
	/* the missing ones, oldest first: seq - k is secondary[k - 1] */
	for (k = (unsigned)ahead; k >= 1; k--) {
		const struct udptl_ifp *s;

		if (k > p.n_secondary) {
			/* beyond the redundancy: count the rest at once */
			rx->lost += k - p.n_secondary;
			k = p.n_secondary + 1;
			continue;
		}
		s = &p.secondary[k - 1];
		fn(opaque, (uint16_t)(p.seq - k), s->data, s->len);
		rx->recovered++;
		given++;
	}
	fn(opaque, p.seq, p.primary.data, p.primary.len);
	rx->next = p.seq + 1;
	return given + 1;
}

/* ---- reorder stash ---- */

void udptl_jb_init(struct udptl_jb *jb, uint64_t hold)
{
	memset(jb, 0, offsetof(struct udptl_jb, stash));
	jb->hold = hold;
}

/* How far @seq is ahead of the next one expected (negative: behind). */
static int jb_ahead(const struct udptl_jb *jb, uint16_t seq)
{
	return jb->rx.started ? (int16_t)(uint16_t)(seq - jb->rx.next) : 0;
}

void udptl_jb_tick(struct udptl_jb *jb, uint64_t now, udptl_ifp_fn fn,
		   void *opaque)
{
	while (jb->n) {
		struct udptl_held *h;
		unsigned best = 0, i;

		for (i = 1; i < jb->n; i++)
			if (jb_ahead(jb, jb->stash[i].seq) <
			    jb_ahead(jb, jb->stash[best].seq))
				best = i;
		h = &jb->stash[best];
		if (jb_ahead(jb, h->seq) > (int)h->n_secondary &&
		    now - h->at < jb->hold && jb->n < UDPTL_HOLD_MAX)
			return;	/* the missing one may still come */
		(void)udptl_rx_packet(&jb->rx, h->data, h->len, fn, opaque);
		*h = jb->stash[--jb->n];
	}
}

int udptl_jb_put(struct udptl_jb *jb, const uint8_t *buf, size_t len,
		 uint64_t now, udptl_ifp_fn fn, void *opaque)
{
	struct udptl_packet p;
	struct udptl_held *h;
	int ahead, r;

	r = udptl_decode(buf, len, &p);
	if (r < 0)
		return r;
	ahead = jb_ahead(jb, p.seq);
	if (ahead < 0)
		return 0;	/* given already, or too late */
	if (ahead <= (int)p.n_secondary && !jb->n) {
		(void)udptl_rx_packet(&jb->rx, buf, len, fn, opaque);
		return 0;
	}
	if (jb->n == UDPTL_HOLD_MAX)
		udptl_jb_tick(jb, now, fn, opaque);	/* the first goes */
	h = &jb->stash[jb->n++];
	h->at = now;
	h->seq = p.seq;
	h->n_secondary = p.n_secondary;
	h->len = len;
	memcpy(h->data, buf, len);
	if (ahead > (int)p.n_secondary)
		jb->held++;
	udptl_jb_tick(jb, now, fn, opaque);
	return 0;
}
