/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sdp.h - SDP offer/answer (RFC 4566, RFC 3264) for one G.711 audio stream.
 *
 * Pure code: no I/O, no logging, no allocation.  A small parser and builder
 * of our own (libosip2's sdp_message is not used): it only needs v=, o=, c=,
 * m=, a=rtpmap, a=ptime and the direction attributes.
 *
 * What we offer and accept: PCMU (PT 0), PCMA (PT 8) - also under a dynamic
 * PT with a "PCMU/8000" / "PCMA/8000" rtpmap - and telephone-event/8000
 * (RFC 4733, events 0-16).  The first audio m= line with a non-zero port is
 * the stream; other m= lines are declined (port 0) in an answer.
 */
#ifndef FXSD_SDP_H
#define FXSD_SDP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_PT_PCMU		0
#define SDP_PT_PCMA		8
#define SDP_PT_TELEPHONE_EVENT	101	/* what we offer */
#define SDP_PTIME_DEFAULT	20	/* ms, when a=ptime is absent */
#define SDP_ADDRESS_MAX		64	/* buffer size, NUL included */
#define SDP_TEXT_MAX		4096	/* longest SDP we build or parse */

enum sdp_direction {
	SDP_SENDRECV,
	SDP_SENDONLY,
	SDP_RECVONLY,
	SDP_INACTIVE,
	_SDP_DIRECTION_MAX,
	_SDP_DIRECTION_INVALID = -EINVAL,
};

/* "sendrecv", ...; NULL when out of range. */
const char *sdp_direction_to_string(enum sdp_direction d);
/* The direction seen from the other side (sendonly <-> recvonly). */
enum sdp_direction sdp_direction_reverse(enum sdp_direction d);
/* Whether the side whose SDP says @d sends / receives media. */
bool sdp_direction_sends(enum sdp_direction d);
bool sdp_direction_receives(enum sdp_direction d);

/**
 * struct sdp_local - our side of a session
 * @address: IPv4 or IPv6 literal for c= and o= (host or NAT address)
 * @rtp_port: our RTP port (even, 1-65535)
 * @session_id: o= sess-id
 * @session_version: o= sess-version (increment on every new offer/answer)
 * @ptime: packet time in ms, 0 = SDP_PTIME_DEFAULT
 * @direction: normally SDP_SENDRECV
 * @keep_codec: an answer to a new offer in the session (re-INVITE,
 *	UPDATE) keeps @codec when the offer has it (RFC 3264 8.3.2)
 * @codec: SDP_PT_PCMU or SDP_PT_PCMA, the law in use
 */
struct sdp_local {
	const char *address;
	unsigned rtp_port;
	uint64_t session_id;
	uint64_t session_version;
	unsigned ptime;
	enum sdp_direction direction;
	bool keep_codec;
	int codec;
};

/**
 * struct sdp_media - the outcome of parsing the remote SDP
 * @family: AF_INET or AF_INET6 of @address
 * @address: remote RTP address (c= of the media, else of the session)
 * @port: remote RTP port (from m=)
 * @pt: the codec: for an offer the first of the remote's formats that we
 *	support, for an answer the first the remote listed; as the payload
 *	type number used on the wire
 * @codec: SDP_PT_PCMU or SDP_PT_PCMA: which G.711 law @pt stands for
 * @te_pt: telephone-event payload type, -1 when absent
 * @ptime: ms, SDP_PTIME_DEFAULT when absent
 * @direction: the remote's direction attribute (default sendrecv); a
 *	connection address of 0.0.0.0 (or ::), the RFC 2543 way to put a call
 *	on hold, takes the receiving away: sendrecv becomes sendonly,
 *	recvonly inactive
 */
struct sdp_media {
	int family;
	char address[SDP_ADDRESS_MAX];
	unsigned port;
	int pt;
	int codec;
	int te_pt;
	unsigned ptime;
	enum sdp_direction direction;
};

/*
 * Build our offer into @buf (CRLF line ends, NUL-terminated):
 * PCMU, PCMA and telephone-event 101 (0-16), a=ptime, the direction.
 * Returns the length, -EINVAL for bad arguments (address not an IP
 * literal, port 0), -ENOBUFS when @len is too small.
 */
int sdp_build_offer(const struct sdp_local *l, char *buf, size_t len);

/*
 * Parse a remote offer or answer.  Returns 0 and fills *@ret, or
 *   -EBADMSG     malformed SDP (no v=0, bad m= / c= lines, no connection
 *                address for the stream, a line without "x=")
 *   -ENOMEDIUM   no audio m= line with a non-zero port
 *   -EPROTONOSUPPORT  no PCMU/PCMA among the stream's formats
 * *@ret is only written on success.
 */
int sdp_parse(const char *sdp, struct sdp_media *ret);

/*
 * Answer the remote offer @offer: the first of its formats we support
 * (@l->codec when @l->keep_codec and the offer has it),
 * its telephone-event PT (if any), its ptime, the reverse of its
 * direction (intersected with @l->direction).  Other m= lines are declined
 * with port 0.  Returns the length written to @buf and, if @ret_remote is
 * not NULL, the parsed offer; errors as sdp_parse() and
 * sdp_build_offer().
 */
int sdp_build_answer(const char *offer, const struct sdp_local *l, char *buf,
		     size_t len, struct sdp_media *ret_remote);

#endif /* FXSD_SDP_H */
