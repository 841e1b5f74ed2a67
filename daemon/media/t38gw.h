/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * t38gw.h - a T.38 gateway (ITU-T T.38): the fax machine on the phone
 * line talks its modems (V.21, V.27ter, V.29, V.17) into spandsp's
 * t38_gateway, which turns them into T.38 IFP packets for the far end and
 * the far end's IFP packets back into modem audio; the IFPs travel in
 * UDPTL packets (media/udptl.h) with redundancy.
 *
 * Packets from the far end go through a small reorder stash (what
 * arrives ahead of a gap waits @hold_ms for the missing one), so that
 * the gateway's modems get whole messages in order.
 *
 * No I/O, no logging, no clock: the phone's audio paces it (one call of
 * t38gw_from_phone() and t38gw_to_phone() per frame), packets to send go
 * to a callback, packets received are given to t38gw_from_far().  spandsp
 * allocates.
 */
#ifndef FXSD_T38GW_H
#define FXSD_T38GW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/udptl.h"

/**
 * struct t38gw_config - what the session's SDP agreed (media/sdp.h's
 *	struct sdp_t38, without the dependency)
 * @version: T38FaxVersion (0-3)
 * @max_bitrate: T38MaxBitRate: the fastest modem the gateway lets the fax
 *	machines use (14400: V.17, 9600: V.29, 4800: V.27ter)
 * @local_tcf: T38FaxRateManagement localTCF (else transferredTCF)
 * @max_datagram: the far end's T38FaxMaxDatagram, 0 when it gave none
 * @redundancy: secondary IFPs per UDPTL packet (0 when the far end takes
 *	no error correction)
 * @ecm: let the fax machines use error correction (T.30 Annex A)
 * @hold_ms: how long a packet that arrived ahead of a missing one (that
 *	its redundancy does not carry) waits for it: the missing one may
 *	only be late (0 - T38GW_HOLD_MAX_MS; media/udptl.h's udptl_jb)
 */
struct t38gw_config {
	unsigned version;
	unsigned max_bitrate;
	bool local_tcf;
	unsigned max_datagram;
	unsigned redundancy;
	bool ecm;
	unsigned hold_ms;
};

#define T38GW_HOLD_MAX_MS	500
/* Indicators and the ends of messages go this many times (the same
 * UDPTL packet): nothing may come after them to carry them again. */
#define T38GW_REPEAT_MAX	3

/* Version 0, 14400 bit/s, transferredTCF, redundancy 3, ECM, packets
 * held up to 60 ms (what the jitter buffer of a data call holds). */
void t38gw_config_default(struct t38gw_config *ret);

/* A UDPTL packet for the far end (@len octets, valid during the call). */
typedef void (*t38gw_send_fn)(void *opaque, const uint8_t *pkt, size_t len);

struct t38gw;

/* A gateway; -EINVAL for a bad config, -ENOMEM. */
int t38gw_new(const struct t38gw_config *c, t38gw_send_fn send, void *opaque,
	      struct t38gw **ret);
/* NULL-safe; returns NULL. */
struct t38gw *t38gw_free(struct t38gw *g);

/* @n samples (8 kHz) from the phone; the packets they make go to send. */
void t38gw_from_phone(struct t38gw *g, const int16_t *x, size_t n);
/* @n samples (8 kHz) for the phone: the far end's fax, remodulated.
 * The samples count the time packets are held. */
void t38gw_to_phone(struct t38gw *g, int16_t *out, size_t n);
/*
 * A UDPTL packet from the far end: 0, or -EBADMSG (dropped).  Its IFPs
 * go to the gateway at once when it is the next one or its redundancy
 * fills the gap before it; otherwise it waits (up to @hold_ms, and
 * UDPTL_HOLD_MAX packets) for the missing ones, and they all go in
 * order of sequence number.
 */
int t38gw_from_far(struct t38gw *g, const uint8_t *pkt, size_t len);

/**
 * struct t38gw_stats - what a gateway counted
 * @sent: UDPTL packets sent (repeats included)
 * @received: UDPTL packets taken from the far end
 * @recovered: IFPs recovered from the redundancy of later packets
 * @lost: IFPs the far end sent that never arrived
 * @bad: packets that were not UDPTL
 * @held: packets that waited for a missing one
 * @pages: pages the gateway relayed (either way)
 * @bit_rate: the image modem's bit rate last used, 0 before any
 */
struct t38gw_stats {
	uint64_t sent;
	uint64_t received;
	uint64_t recovered;
	uint64_t lost;
	uint64_t bad;
	uint64_t held;
	unsigned pages;
	unsigned bit_rate;
};

void t38gw_get_stats(const struct t38gw *g, struct t38gw_stats *ret);

#endif /* FXSD_T38GW_H */
