/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * udptl.h - UDPTL (ITU-T T.38 clause 9.1), the framing of T.38 fax IFP
 * packets over UDP, with redundancy.
 *
 * Pure code: no I/O, no logging, no allocation.  spandsp (0.0.6, Debian's)
 * builds and reads the IFP packets (t38_core) but has no UDPTL layer, so
 * the frame around them is ours.  A UDPTL packet is ASN.1, aligned PER:
 *
 *   UDPTLPacket ::= SEQUENCE {
 *       seq-number         INTEGER (0..65535),       -- 2 octets
 *       primary-ifp-packet open type (an IFP),       -- length + octets
 *       error-recovery     CHOICE {                  -- 1 octet: 0x00/0x80
 *           secondary-ifp-packets SEQUENCE OF open type,  -- count, each
 *           fec-info SEQUENCE { fec-npackets INTEGER,    --  length +
 *                               fec-data SEQUENCE OF OCTET STRING } } }
 *
 * Lengths and counts are PER length determinants: one octet below 128,
 * two (10xxxxxx xxxxxxxx) below 16384; fragmented ones (11xxxxxx) are
 * refused.  The secondary IFPs are the packets sent before the primary,
 * newest first: secondary[0] is seq-number - 1.  We send redundancy (what
 * T38FaxUdpEC t38UDPRedundancy names); a peer's FEC packets are read for
 * their primary IFP only.
 */
#ifndef FXSD_UDPTL_H
#define FXSD_UDPTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UDPTL_IFP_MAX		512	/* longest IFP packet kept or sent */
#define UDPTL_SECONDARY_MAX	16	/* secondary IFPs read from a packet */
#define UDPTL_REDUNDANCY_MAX	4	/* secondary IFPs we send */
#define UDPTL_PACKET_MAX	1500	/* longest UDPTL packet read or built */

/* One IFP packet: @len octets at @data (inside the UDPTL packet read). */
struct udptl_ifp {
	const uint8_t *data;
	size_t len;
};

/**
 * struct udptl_packet - a UDPTL packet read by udptl_decode()
 * @seq: its sequence number
 * @primary: the IFP packet it carries
 * @fec: its error recovery is FEC (@secondary is then empty)
 * @n_secondary: how many secondary IFPs it carries
 * @secondary: the IFPs of @seq - 1, @seq - 2, ... (newest first)
 */
struct udptl_packet {
	uint16_t seq;
	struct udptl_ifp primary;
	bool fec;
	unsigned n_secondary;
	struct udptl_ifp secondary[UDPTL_SECONDARY_MAX];
};

/*
 * Read the UDPTL packet @buf of @len octets.  Returns 0 and fills *@ret
 * (pointing into @buf), or -EBADMSG: truncated, an empty IFP, an IFP of
 * more than UDPTL_IFP_MAX octets, a fragmented length, more than
 * UDPTL_SECONDARY_MAX secondary IFPs, octets after the end, a packet of
 * more than UDPTL_PACKET_MAX.  *@ret is only written on success.
 */
int udptl_decode(const uint8_t *buf, size_t len, struct udptl_packet *ret);

/*
 * Build a UDPTL packet: @seq, @primary, and @n (at most
 * UDPTL_SECONDARY_MAX) secondary IFPs @secondary (newest first) as
 * redundancy.  Returns its length, -EINVAL for an empty or too long IFP,
 * -ENOBUFS when @len is too small.
 */
int udptl_encode(uint16_t seq, const struct udptl_ifp *primary,
		 const struct udptl_ifp *secondary, unsigned n,
		 uint8_t *buf, size_t len);

/**
 * struct udptl_tx - the sending side: sequence numbers and the IFPs kept
 *	for redundancy
 * @seq: the sequence number of the next packet
 * @redundancy: secondary IFPs per packet (0 - UDPTL_REDUNDANCY_MAX)
 * @max_packet: the far end's T38FaxMaxDatagram: the oldest secondary IFPs
 *	are left out of a packet that would be longer (0: no limit but
 *	UDPTL_PACKET_MAX)
 * @n_hist: how many IFPs @hist holds
 * @head: where the next IFP goes in @hist
 * @hist: the last IFPs sent
 * @hist_len: their lengths
 */
struct udptl_tx {
	uint16_t seq;
	unsigned redundancy;
	size_t max_packet;
	unsigned n_hist;
	unsigned head;
	uint8_t hist[UDPTL_REDUNDANCY_MAX][UDPTL_IFP_MAX];
	size_t hist_len[UDPTL_REDUNDANCY_MAX];
};

/* A sender starting at sequence number 0 with @redundancy (capped). */
void udptl_tx_init(struct udptl_tx *tx, unsigned redundancy);

/*
 * The packet that carries IFP @ifp (@len octets) and the last
 * @tx->redundancy ones (as many as fit @tx->max_packet), into @buf.
 * Returns its length (and the sequence number advances), or the errors of
 * udptl_encode() (and nothing changes): -ENOBUFS when even the primary
 * alone does not fit.
 */
int udptl_tx_packet(struct udptl_tx *tx, const uint8_t *ifp, size_t len,
		    uint8_t *buf, size_t buflen);

/**
 * struct udptl_rx - the receiving side
 * @started: a packet was taken
 * @next: the sequence number expected next
 * @received: packets taken (duplicates and old ones not counted)
 * @recovered: IFPs given from the redundancy of a later packet
 * @lost: IFPs neither received nor recovered
 */
struct udptl_rx {
	bool started;
	uint16_t next;
	uint64_t received;
	uint64_t recovered;
	uint64_t lost;
};

/* Called with each IFP in order of sequence number, none twice. */
typedef void (*udptl_ifp_fn)(void *opaque, uint16_t seq,
			     const uint8_t *ifp, size_t len);

/*
 * Take the UDPTL packet @buf: the IFPs missing before it that its
 * redundancy carries, then its primary, each given to @fn in order.  A
 * packet older than the last one taken (or the same) gives nothing; a
 * sequence number more than 32767 ahead counts as older.  Returns how many
 * IFPs were given, or -EBADMSG (udptl_decode()).
 */
int udptl_rx_packet(struct udptl_rx *rx, const uint8_t *buf, size_t len,
		    udptl_ifp_fn fn, void *opaque);

#define UDPTL_HOLD_MAX		64	/* packets a udptl_jb holds */

/* A packet waiting in a struct udptl_jb. */
struct udptl_held {
	uint64_t at;
	uint16_t seq;
	unsigned n_secondary;
	size_t len;
	uint8_t data[UDPTL_PACKET_MAX];
};

/**
 * struct udptl_jb - a receiver with a reorder stash: a packet that
 *	arrives ahead of a gap its redundancy does not fill waits (up to
 *	@hold, or while fewer than UDPTL_HOLD_MAX wait) for the missing
 *	ones, which may only be late; whatever is in order, or fills its own
 *	gap, goes at once.  Time is the caller's count (samples, say).
 * @rx: the receiver the packets go to, in order of sequence number
 * @hold: how long a packet may wait, in the caller's units
 * @held: packets that had to wait
 * @n: how many wait now
 * @stash: them
 */
struct udptl_jb {
	struct udptl_rx rx;
	uint64_t hold;
	uint64_t held;
	unsigned n;
	struct udptl_held stash[UDPTL_HOLD_MAX];
};

void udptl_jb_init(struct udptl_jb *jb, uint64_t hold);

/*
 * A packet from the far end at time @now: its IFPs (and those of packets
 * waiting that may now go) given to @fn in order, or it waits.  Returns
 * 0, or -EBADMSG (dropped: udptl_decode()).
 */
int udptl_jb_put(struct udptl_jb *jb, const uint8_t *buf, size_t len,
		 uint64_t now, udptl_ifp_fn fn, void *opaque);

/* Time passed: the packets that waited long enough go (the gaps before
 * them given up, or filled by their redundancy). */
void udptl_jb_tick(struct udptl_jb *jb, uint64_t now, udptl_ifp_fn fn,
		   void *opaque);

#endif /* FXSD_UDPTL_H */
