// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfc4733.c - RTP telephone-event payloads.  See rfc4733.h.
 */
#include <errno.h>
#include <string.h>

#include "dsp/rfc4733.h"

#define DURATION_MAX	0xffffu
/* A timestamp up to this far behind the current event's is a late packet
 * of an older event; further back it is taken as a new event. */
#define STALE_WINDOW	(1u << 20)

static const char rfc4733_digits[16] = {
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#',
	'A', 'B', 'C', 'D',
};

int rfc4733_encode(const struct rfc4733_event *ev, uint8_t out[RFC4733_PAYLOAD_LEN])
{
	if (ev->volume > RFC4733_VOLUME_MAX)
		return -EINVAL;
	out[0] = ev->event;
	out[1] = (uint8_t)((ev->end ? 0x80 : 0) | ev->volume);
	out[2] = (uint8_t)(ev->duration >> 8);
	out[3] = (uint8_t)ev->duration;
	return RFC4733_PAYLOAD_LEN;
}

int rfc4733_decode(const uint8_t *buf, size_t len, struct rfc4733_event *ev)
{
	if (!buf || len < RFC4733_PAYLOAD_LEN)
		return -EINVAL;
	ev->event = buf[0];
	ev->end = buf[1] & 0x80;
	ev->volume = buf[1] & 0x3f;
	ev->duration = (uint16_t)(buf[2] << 8 | buf[3]);
	return 0;
}

int rfc4733_digit_to_event(char digit)
{
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	for (unsigned i = 0; i < 16; i++)
		if (rfc4733_digits[i] == digit)
			return (int)i;
	return -EINVAL;
}

char rfc4733_event_to_digit(unsigned event)
{
	return event < 16 ? rfc4733_digits[event] : 0;
}

/* ---- sender ---- */

void rfc4733_sender_init(struct rfc4733_sender *s, uint32_t ptime)
{
	memset(s, 0, sizeof(*s));
	s->ptime = ptime ? ptime : 160;
}

int rfc4733_sender_start(struct rfc4733_sender *s, char digit, unsigned volume,
			 uint32_t timestamp, uint32_t duration)
{
	int ev = rfc4733_digit_to_event(digit);

	if (ev < 0 || volume > RFC4733_VOLUME_MAX)
		return -EINVAL;
	if (s->active)
		return -EBUSY;
	s->event = (uint8_t)ev;
	s->volume = (uint8_t)volume;
	s->timestamp = timestamp;
	s->elapsed = 0;
	s->have_final = duration > 0;
	s->final = duration > DURATION_MAX ? DURATION_MAX : duration;
	s->first = true;
	s->active = true;
	return 0;
}

int rfc4733_sender_end(struct rfc4733_sender *s, uint32_t duration)
{
	if (!s->active)
		return -EALREADY;
	if (duration > DURATION_MAX)
		duration = DURATION_MAX;
	if (duration < s->elapsed)
		duration = s->elapsed;
	if (duration == 0)		/* ended before its first packet */
		duration = s->ptime;
	s->final = duration;
	s->have_final = true;
	return 0;
}

bool rfc4733_sender_busy(const struct rfc4733_sender *s)
{
	return s->active || s->end_left > 0;
}

static void sender_packet(const struct rfc4733_sender *s, bool end,
			  uint32_t duration, struct rfc4733_packet *p)
{
	struct rfc4733_event ev = {
		.event = s->event,
		.end = end,
		.volume = s->volume,
		.duration = (uint16_t)duration,
	};

	rfc4733_encode(&ev, p->payload);
	p->marker = s->first;
	p->timestamp = s->timestamp;
}

int rfc4733_sender_poll(struct rfc4733_sender *s,
			struct rfc4733_packet out[RFC4733_POLL_MAX])
{
	int n = 0;

	/* a retransmission of the previous end packet */
	if (s->end_left > 0) {
		out[n] = s->end_pkt;
		out[n++].marker = false;
		s->end_left--;
	}
	if (!s->active)
		return n;

	uint32_t next = s->elapsed + s->ptime;

	if (next > DURATION_MAX)
		next = DURATION_MAX;
	if (s->have_final && next >= s->final) {
		sender_packet(s, true, s->final, &s->end_pkt);
		out[n++] = s->end_pkt;
		s->end_left = RFC4733_END_COPIES - 1;
		s->elapsed = s->final;
		s->active = false;
	} else {
		sender_packet(s, false, next, &out[n++]);
		s->elapsed = next;
	}
	s->first = false;
	return n;
}

/* ---- receiver ---- */

void rfc4733_receiver_init(struct rfc4733_receiver *r)
{
	memset(r, 0, sizeof(*r));
}

static void receiver_event(const struct rfc4733_receiver *r, bool end,
			   struct rfc4733_rx_event *out)
{
	out->digit = rfc4733_event_to_digit(r->event);
	out->event = r->event;
	out->end = end;
	out->volume = r->volume;
	out->timestamp = r->timestamp;
	out->duration = r->duration;
}

int rfc4733_receiver_packet(struct rfc4733_receiver *r, uint32_t timestamp,
			    bool marker, const uint8_t *payload, size_t len,
			    struct rfc4733_rx_event out[RFC4733_RX_MAX])
{
	struct rfc4733_event ev;
	int n = 0;

	(void)marker;
	if (rfc4733_decode(payload, len, &ev) < 0)
		return -EINVAL;

	if (r->have) {
		uint32_t behind = r->timestamp - timestamp;

		if (timestamp != r->timestamp && behind <= STALE_WINDOW)
			return 0;	/* late packet of an older event */
		if (timestamp == r->timestamp && ev.event == r->event) {
			if (r->ended)
				return 0;	/* duplicate or late */
			if (ev.duration > r->duration)
				r->duration = ev.duration;
			if (!ev.end)
				return 0;
			r->ended = true;
			receiver_event(r, true, &out[n++]);
			return n;
		}
		/* a new event: the previous one's end packets were lost */
		if (!r->ended) {
			r->ended = true;
			receiver_event(r, true, &out[n++]);
		}
	}
	r->have = true;
	r->ended = ev.end;
	r->event = ev.event;
	r->volume = ev.volume;
	r->timestamp = timestamp;
	r->duration = ev.duration;
	receiver_event(r, false, &out[n++]);
	if (ev.end)
		receiver_event(r, true, &out[n++]);
	return n;
}

int rfc4733_receiver_flush(struct rfc4733_receiver *r, struct rfc4733_rx_event *out)
{
	if (!r->have || r->ended)
		return 0;
	r->ended = true;
	receiver_event(r, true, out);
	return 1;
}
