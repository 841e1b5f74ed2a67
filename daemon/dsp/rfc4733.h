/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rfc4733.h - RTP telephone-event payloads (RFC 4733, DTMF events 0-15).
 *
 * Pure code: no I/O, no logging, no allocation.  Durations and timestamps
 * are in RTP timestamp units (8 kHz samples for telephone-event/8000).
 *
 * Payload (4 bytes, network order):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |     event     |E|R| volume    |          duration             |
 *
 * What the RTP session (rtp.c) must do with this module:
 *
 * Sending.  The payload type is the telephone-event PT negotiated in SDP
 * (struct sdp's te_pt; send no events when it is absent).  When the in-band
 * detector (or the line) reports "digit started", call
 * rfc4733_sender_start() with the RTP timestamp the audio packet covering
 * the tone's start carries (or the current one); that timestamp is put in
 * every packet of the event.  Then, every ptime, call rfc4733_sender_poll()
 * and send each returned packet in order with the event PT, the returned
 * timestamp and marker, and the session's next sequence numbers; while the
 * sender is busy, send no audio packet for that ptime (the event replaces
 * it; the audio clock keeps running, so the first audio packet afterwards
 * has its normal, later timestamp).  When the digit ends call
 * rfc4733_sender_end() with its duration: the next polls send the end
 * packet (E bit, final duration) three times, one per ptime.  Muting the
 * tone in the audio (so it is not sent both ways) is the caller's job.
 *
 * Receiving.  Pass every packet of the telephone-event PT to
 * rfc4733_receiver_packet() with its RTP timestamp and marker.  Each digit
 * comes out exactly once as a START (play the tone) and once as an END
 * (stop it) event, whatever duplicates, losses and reordering happen: an
 * event is identified by its timestamp, retransmitted end packets and late
 * packets of older events are ignored, a lost start only means the START
 * comes with the first packet that did arrive, and a new timestamp ends a
 * digit whose end packets were all lost.  If no event packet arrives for a
 * while (e.g. 3 x ptime + 100 ms) while a digit is sounding, call
 * rfc4733_receiver_flush().  Call rfc4733_receiver_init() again when the
 * remote SSRC changes.
 */
#ifndef FXSD_RFC4733_H
#define FXSD_RFC4733_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RFC4733_PAYLOAD_LEN	4
#define RFC4733_VOLUME_MAX	63	/* -63 dBm0 */
#define RFC4733_END_COPIES	3	/* times the end packet is sent */
#define RFC4733_POLL_MAX	2	/* packets one poll can return */
#define RFC4733_RX_MAX		3	/* events one received packet can give */

/**
 * struct rfc4733_event - one telephone-event payload
 * @event: event code (0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash)
 * @end: the E bit
 * @volume: power level in -dBm0 (0-63)
 * @duration: of the event so far, in timestamp units
 */
struct rfc4733_event {
	uint8_t event;
	bool end;
	uint8_t volume;
	uint16_t duration;
};

/* Write @ev to @out.  Returns 4, or -EINVAL (volume above 63). */
int rfc4733_encode(const struct rfc4733_event *ev, uint8_t out[RFC4733_PAYLOAD_LEN]);
/* Read the first event of a payload of @len bytes (further, redundant
 * blocks are ignored).  Returns 0, or -EINVAL when shorter than 4 bytes. */
int rfc4733_decode(const uint8_t *buf, size_t len, struct rfc4733_event *ev);

/* '0'-'9', '*', '#', 'A'-'D' (a-d too) -> 0-15; -EINVAL otherwise. */
int rfc4733_digit_to_event(char digit);
/* 0-15 -> the digit; 0 for any other event. */
char rfc4733_event_to_digit(unsigned event);

/**
 * struct rfc4733_packet - a packet to send
 * @payload: the 4 payload bytes
 * @marker: RTP marker bit (first packet of an event)
 * @timestamp: RTP timestamp (the event's start, the same in all packets)
 */
struct rfc4733_packet {
	uint8_t payload[RFC4733_PAYLOAD_LEN];
	bool marker;
	uint32_t timestamp;
};

/**
 * struct rfc4733_sender - sends one event at a time; all fields private
 */
struct rfc4733_sender {
	uint32_t ptime;			/* samples per packet */
	uint32_t timestamp;
	uint32_t elapsed;		/* duration reported so far */
	uint32_t final;			/* end duration, once known */
	bool have_final;
	uint8_t event;
	uint8_t volume;
	bool active;			/* event in progress */
	bool first;			/* next packet is the first */
	unsigned end_left;		/* end packets still to send */
	struct rfc4733_packet end_pkt;	/* the last event's end packet */
};

/* @ptime in samples (160 for 20 ms); 0 is taken as 160. */
void rfc4733_sender_init(struct rfc4733_sender *s, uint32_t ptime);

/*
 * Begin @digit at RTP timestamp @timestamp with @volume (-dBm0, 0-63).
 * @duration: its length in samples when already known, else 0 and call
 * rfc4733_sender_end() later.  End packets of a previous event that are
 * still due are sent first by the next poll.  Returns 0, -EINVAL (bad
 * digit or volume) or -EBUSY (the previous event has not ended yet).
 */
int rfc4733_sender_start(struct rfc4733_sender *s, char digit, unsigned volume,
			 uint32_t timestamp, uint32_t duration);
/*
 * The current event lasted @duration samples (0: as long as already sent).
 * The final duration is never less than one already sent.  Returns 0 or
 * -EALREADY when no event is in progress.
 */
int rfc4733_sender_end(struct rfc4733_sender *s, uint32_t duration);
/* True while packets remain to be sent (event running or end copies due). */
bool rfc4733_sender_busy(const struct rfc4733_sender *s);
/*
 * Call once per ptime: the event advances by ptime and the packets to send
 * now (0 to RFC4733_POLL_MAX, in order) are written to @out.  Returns their
 * number.
 */
int rfc4733_sender_poll(struct rfc4733_sender *s,
			struct rfc4733_packet out[RFC4733_POLL_MAX]);

/**
 * struct rfc4733_rx_event - a received digit started or ended
 * @digit: '0'-'9', '*', '#', 'A'-'D'; 0 for other events (see @event)
 * @event: the event code
 * @end: false: START, true: END
 * @volume: -dBm0
 * @timestamp: the event's RTP timestamp
 * @duration: final duration (END), duration so far (START)
 */
struct rfc4733_rx_event {
	char digit;
	uint8_t event;
	bool end;
	uint8_t volume;
	uint32_t timestamp;
	uint16_t duration;
};

/**
 * struct rfc4733_receiver - all fields private
 */
struct rfc4733_receiver {
	bool have;			/* an event was seen */
	bool ended;			/* and its END was reported */
	uint8_t event;
	uint8_t volume;
	uint32_t timestamp;
	uint16_t duration;
};

void rfc4733_receiver_init(struct rfc4733_receiver *r);
/*
 * One received telephone-event packet.  Writes 0-3 events to @out, in
 * order: END of a digit whose end packets were lost, START, END of a digit
 * known only from its end packet.  Returns their number, or
 * -EINVAL for a payload shorter than 4 bytes.  @marker is not relied upon.
 */
int rfc4733_receiver_packet(struct rfc4733_receiver *r, uint32_t timestamp,
			    bool marker, const uint8_t *payload, size_t len,
			    struct rfc4733_rx_event out[RFC4733_RX_MAX]);
/* End a sounding digit whose end packets never came: returns 1 with its
 * END in @out, else 0. */
int rfc4733_receiver_flush(struct rfc4733_receiver *r, struct rfc4733_rx_event *out);

#endif /* FXSD_RFC4733_H */
