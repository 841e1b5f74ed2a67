/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * srtp.h - SRTP and SRTCP (RFC 3711, RFC 7714 for AES-GCM) on libsrtp2,
 * for one RTP session: what we send is protected with our key, what we
 * receive is authenticated (and checked against replay, libsrtp's 128
 * packet window) with the remote's key before anything else looks at it.
 *
 * The keys come from SDES a=crypto lines (media/sdp.h); our own are drawn
 * from the kernel's CSPRNG (getrandom).  The two directions have separate
 * libsrtp sessions, so a re-INVITE that changes one key leaves the other
 * direction's state (rollover counter, replay window) alone.  Keys are
 * never logged and are wiped when replaced or freed.
 */
#ifndef FXSD_SRTP_H
#define FXSD_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/sdp.h"

/* Bytes a packet grows by when protected (auth tag; SRTCP index + tag). */
#define SRTP_CHANNEL_OVERHEAD	32

struct srtp_channel;

/*
 * Initialise libsrtp (its crypto self-tests: some 50 ms, seconds under
 * emulation) unless done: at start, so that no call waits for it.
 * srtp_channel_new() does it too.  0 or -EIO.
 */
int srtp_channel_init(void);

/* A new key for @suite (tag = suite + 1) from getrandom(); 0 or -errno. */
int srtp_channel_keygen(enum sdp_crypto_suite suite, struct sdp_crypto *ret);

/* A channel with neither direction keyed; 0, -ENOMEM or -EIO. */
int srtp_channel_new(struct srtp_channel **ret);
struct srtp_channel *srtp_channel_free(struct srtp_channel *c);

/*
 * Key the sending (@tx) or receiving (@rx) direction.  The same suite and
 * key as already in place changes nothing (returns 0: the state is kept);
 * another one starts that direction afresh.  0, -EINVAL or -EIO.
 */
int srtp_channel_set_tx(struct srtp_channel *c, const struct sdp_crypto *tx);
int srtp_channel_set_rx(struct srtp_channel *c, const struct sdp_crypto *rx);
/* Whether the direction is keyed. */
bool srtp_channel_has_tx(const struct srtp_channel *c);
bool srtp_channel_has_rx(const struct srtp_channel *c);
/* The suite the sending direction is keyed with, -1 when it is not. */
int srtp_channel_tx_suite(const struct srtp_channel *c);
/* Whether the receiving direction is keyed with @k's suite and key. */
bool srtp_channel_rx_is(const struct srtp_channel *c,
			const struct sdp_crypto *k);

/*
 * Protect the RTP (@rtcp false) or RTCP packet of *@len bytes in @pkt,
 * which has room for *@len + SRTP_CHANNEL_OVERHEAD; *@len grows.
 * 0, -ENOKEY (no tx key) or -EIO.
 */
int srtp_channel_protect(struct srtp_channel *c, uint8_t *pkt, size_t *len,
			 bool rtcp);

/*
 * Authenticate and decrypt in place; *@len shrinks.  0, -ENOKEY (no rx
 * key), -EBADMSG (authentication failed, malformed), -EALREADY (a replay).
 */
int srtp_channel_unprotect(struct srtp_channel *c, uint8_t *pkt, size_t *len,
			   bool rtcp);

#endif /* FXSD_SRTP_H */
