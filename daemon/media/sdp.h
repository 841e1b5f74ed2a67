/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sdp.h - SDP offer/answer (RFC 4566, RFC 3264) for one audio stream.
 *
 * Pure code: no I/O, no logging, no allocation.  A small parser and builder
 * of our own (libosip2's sdp_message is not used): it only needs v=, o=, c=,
 * m=, a=rtpmap, a=fmtp, a=ptime and the direction attributes.
 *
 * What we offer and accept: the port's codecs of media/codec.h, in its
 * order (default PCMU, PCMA): PCMU (PT 0), PCMA (8), G722 (9), G729 (18) -
 * also under a dynamic PT with their rtpmap - and opus/48000/2 (offered as
 * PT 111, with our fmtp), and telephone-event/8000 (RFC 4733, events
 * 0-16; with Opus also telephone-event/48000, PT 110: RFC 7587's clock).  An answer takes the offer's first format that is one of the
 * port's codecs (RFC 3264 6.1: the offerer's preference), with that
 * format's fmtp for our encoder (struct codec_params); G.729 Annex B only
 * when both sides want it.  The first audio m= line with a non-zero port is
 * the stream; other m= lines are declined (port 0) in an answer.
 *
 * SRTP keys go in a=crypto lines (SDES, RFC 4568): AES_CM_128_HMAC_SHA1_80
 * and _32 are offered, AEAD_AES_128_GCM (RFC 7714) is taken when the peer
 * offers it.  A crypto line we cannot use (unknown suite, a key of the
 * wrong length, an MKI, session parameters, too long) is ignored, never an
 * error of the whole SDP: what follows from having no usable key is the
 * port's policy (sdp_srtp_check()).
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
#define SDP_PT_TELEPHONE_EVENT_48K 110	/* ... at 48 kHz, with Opus */
#define SDP_PTIME_DEFAULT	20	/* ms, when a=ptime is absent */
#define SDP_ADDRESS_MAX		64	/* buffer size, NUL included */
#define SDP_TEXT_MAX		4096	/* longest SDP we build or parse */
#define SDP_CODECS_MAX		8	/* entries of sdp_local.codecs */

#include "media/codec.h"

enum sdp_srtp {
	SDP_SRTP_OFF,		/* no keys; RTP/SAVP refused */
	SDP_SRTP_OPTIONAL,	/* RTP/AVP + a=crypto offered, either taken */
	SDP_SRTP_REQUIRED,	/* RTP/SAVP + a=crypto offered, keys needed */
};

enum sdp_crypto_suite {
	SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80,
	SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32,
	SDP_CRYPTO_AEAD_AES_128_GCM,
	_SDP_CRYPTO_MAX,
	_SDP_CRYPTO_INVALID = -EINVAL,
};

#define SDP_CRYPTO_KEY_MAX	30	/* master key + salt, bytes */
#define SDP_CRYPTO_TAG_MAX	999999999u

/* "AES_CM_128_HMAC_SHA1_80", ...; NULL when out of range. */
const char *sdp_crypto_suite_to_string(enum sdp_crypto_suite s);
/* Bytes of master key + salt for @s (30, 30, 28), 0 when out of range. */
size_t sdp_crypto_key_len(enum sdp_crypto_suite s);

/**
 * struct sdp_crypto - one SDES key (an a=crypto line)
 * @tag: the line's tag (1-999999999)
 * @suite: its crypto suite
 * @key: master key followed by master salt, sdp_crypto_key_len() bytes
 */
struct sdp_crypto {
	unsigned tag;
	enum sdp_crypto_suite suite;
	uint8_t key[SDP_CRYPTO_KEY_MAX];
};

/*
 * Parse the value of an a=crypto attribute (what follows "a=crypto:"):
 * "TAG SUITE inline:BASE64KEY[|LIFETIME]".  Returns 0 and fills *@ret, or
 * -EBADMSG (malformed, too long), -EOPNOTSUPP (a suite we do not know, a
 * key that is not of the suite's length, an MKI, several keys, session
 * parameters).  *@ret is only written on success.
 */
int sdp_crypto_parse(const char *value, struct sdp_crypto *ret);

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
 * @codec: the codec in use (enum codec_id)
 * @codecs: the codecs we offer and accept, in order of preference (enum
 *	codec_id); NULL (or @n_codecs 0): PCMU, PCMA
 * @n_codecs: how many (at most SDP_CODECS_MAX)
 * @g729_annexb: offer / accept G.729 Annex B (annexb=yes)
 * @srtp: the port's SRTP policy: what we offer, what an answer takes
 * @keys: when @srtp is not off, our key for each suite (indexed by
 *	enum sdp_crypto_suite); an offer carries the _80 one (tag 1) and the
 *	_32 one (tag 2), after @prefer's when that is GCM (tag 3); an answer
 *	the offer's first usable suite with our key for it
 * @prefer: the suite in use (re-offers), -1 for none
 * @rtcp_xr: we send RTCP XR VoIP Metrics (RFC 3611): an offer carries
 *	a=rtcp-xr:voip-metrics, an answer only when the offer had it
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
	const int *codecs;
	unsigned n_codecs;
	bool g729_annexb;
	enum sdp_srtp srtp;
	const struct sdp_crypto *keys;
	int prefer;
	bool rtcp_xr;
};

/**
 * struct sdp_media - the outcome of parsing the remote SDP
 * @family: AF_INET or AF_INET6 of @address
 * @address: remote RTP address (c= of the media, else of the session)
 * @port: remote RTP port (from m=)
 * @pt: the codec: the first of the remote's formats that we support
 *	(sdp_parse(): PCMU or PCMA; sdp_parse_codecs(), sdp_build_answer():
 *	the port's codecs); as the payload type number used on the wire
 * @codec: the codec @pt stands for (enum codec_id)
 * @params: its fmtp parameters (what the remote asks of our encoder)
 * @te_pt: telephone-event payload type, -1 when absent: of those offered
 *	(telephone-event/8000 or /48000), the one at @codec's RTP clock,
 *	else the first
 * @te_clock: @te_pt's RTP clock (8000 or 48000), 0 when absent
 * @ptime: ms, SDP_PTIME_DEFAULT when absent
 * @direction: the remote's direction attribute (default sendrecv); a
 *	connection address of 0.0.0.0 (or ::), the RFC 2543 way to put a call
 *	on hold, takes the receiving away: sendrecv becomes sendonly,
 *	recvonly inactive
 * @savp: the stream's transport is RTP/SAVP (or RTP/SAVPF)
 * @secure: @crypto holds the first usable a=crypto line of the stream
 * @crypto: the remote's key (and the tag and suite it goes with)
 * @xr_voip: the remote's a=rtcp-xr (stream or session level) lists
 *	voip-metrics (RFC 3611 5.1): it wants our XR VoIP Metrics blocks
 */
struct sdp_media {
	int family;
	char address[SDP_ADDRESS_MAX];
	unsigned port;
	int pt;
	int codec;
	struct codec_params params;
	int te_pt;
	unsigned te_clock;
	unsigned ptime;
	enum sdp_direction direction;
	bool savp;
	bool secure;
	struct sdp_crypto crypto;
	bool xr_voip;
};

/*
 * Build our offer into @buf (CRLF line ends, NUL-terminated):
 * @l's codecs in its order, telephone-event 101 (0-16), a=ptime, the
 * direction.
 * Returns the length, -EINVAL for bad arguments (address not an IP
 * literal, port 0), -ENOBUFS when @len is too small.
 */
int sdp_build_offer(const struct sdp_local *l, char *buf, size_t len);

/*
 * Parse a remote offer or answer.  Returns 0 and fills *@ret, or
 *   -EBADMSG     malformed SDP (no v=0, bad m= / c= lines, no connection
 *                address for the stream, a line without "x=")
 *   -ENOMEDIUM   no audio m= line with a non-zero port
 *   -EPROTONOSUPPORT  none of our codecs among the stream's formats
 * *@ret is only written on success.
 */
int sdp_parse(const char *sdp, struct sdp_media *ret);

/*
 * sdp_parse() with the codec chosen among @l's codecs (@l->keep_codec,
 * @l->codec, @l->g729_annexb heeded; the rest of @l unused) instead of
 * PCMU and PCMA: for an answer to our offer, or a remote SDP seen again.
 */
int sdp_parse_codecs(const char *sdp, const struct sdp_local *l,
		     struct sdp_media *ret);

/*
 * Whether the stream @m (an offer, or an answer to our offer) can be taken
 * under @policy: 0, or -ENOKEY when it needs keys we do not have (RTP/SAVP
 * under off, RTP/SAVP without a usable a=crypto line, no usable line under
 * required).  Under off, keys in an RTP/AVP stream are not used.
 */
int sdp_srtp_check(const struct sdp_media *m, enum sdp_srtp policy);

/*
 * Answer the remote offer @offer: the first of its formats we support
 * (@l->codec when @l->keep_codec and the offer has it),
 * its telephone-event PT (if any), its ptime, the reverse of its
 * direction (intersected with @l->direction), the offer's first usable
 * a=crypto line answered with our key of its suite (unless @l->srtp is
 * off).  Other m= lines are declined with port 0.  Returns the length
 * written to @buf and, if @ret_remote is not NULL, the parsed offer (its
 * @secure false when the answer carries no key); errors as sdp_parse(),
 * sdp_srtp_check() and sdp_build_offer().
 */
int sdp_build_answer(const char *offer, const struct sdp_local *l, char *buf,
		     size_t len, struct sdp_media *ret_remote);

/* ---- T.38 fax (ITU-T T.38 Annex D/E, RFC 3362): m=image udptl t38 ---- */

/* T38FaxUdpEC: the error correction of UDPTL */
enum sdp_t38_ec {
	SDP_T38_EC_NONE,
	SDP_T38_EC_REDUNDANCY,	/* t38UDPRedundancy */
	SDP_T38_EC_FEC,		/* t38UDPFEC */
	_SDP_T38_EC_MAX,
};

/* T38FaxRateManagement */
enum sdp_t38_rate {
	SDP_T38_TRANSFERRED_TCF,	/* transferredTCF (UDPTL's) */
	SDP_T38_LOCAL_TCF,		/* localTCF (TCP's) */
	_SDP_T38_RATE_MAX,
};

/* "t38UDPRedundancy", ...; "transferredTCF", ...; NULL when out of range */
const char *sdp_t38_ec_to_string(enum sdp_t38_ec ec);
const char *sdp_t38_rate_to_string(enum sdp_t38_rate r);

/**
 * struct sdp_t38 - the T.38 attributes of an m=image stream
 * @version: T38FaxVersion (0-3; absent: 0)
 * @max_bitrate: T38MaxBitRate in bit/s (absent: 14400)
 * @rate: T38FaxRateManagement (absent: transferredTCF)
 * @max_buffer: T38FaxMaxBuffer in octets, 0 when absent
 * @max_datagram: T38FaxMaxDatagram in octets, 0 when absent
 * @ec: T38FaxUdpEC (absent: none)
 * @fill_bit_removal: T38FaxFillBitRemoval
 * @transcoding_mmr: T38FaxTranscodingMMR
 * @transcoding_jbig: T38FaxTranscodingJBIG
 */
struct sdp_t38 {
	unsigned version;
	unsigned max_bitrate;
	enum sdp_t38_rate rate;
	unsigned max_buffer;
	unsigned max_datagram;
	enum sdp_t38_ec ec;
	bool fill_bit_removal;
	bool transcoding_mmr;
	bool transcoding_jbig;
};

#define SDP_T38_VERSION_MAX	3

/* What fxsd offers and can take: version 0, 14400 bit/s, transferredTCF,
 * a buffer of 1800 and datagrams of 400 octets, redundancy, none of the
 * optional features. */
void sdp_t38_default(struct sdp_t38 *ret);

/**
 * struct sdp_image - the remote's T.38 stream
 * @family: AF_INET or AF_INET6 of @address
 * @address: its UDPTL address (c= of the media, else of the session)
 * @port: its UDPTL port (from m=)
 * @direction: its direction attribute (default sendrecv)
 * @t38: its T.38 attributes
 */
struct sdp_image {
	int family;
	char address[SDP_ADDRESS_MAX];
	unsigned port;
	enum sdp_direction direction;
	struct sdp_t38 t38;
};

/*
 * Parse a remote offer or answer for its T.38 stream: the first
 * "m=image PORT udptl t38" line with a non-zero port (the transport's case
 * ignored).  Returns 0 and fills *@ret, or -EBADMSG (as sdp_parse()),
 * -ENOMEDIUM (no such stream).  A T.38 attribute with a value we cannot
 * read keeps its default; a version above SDP_T38_VERSION_MAX is read as
 * SDP_T38_VERSION_MAX.
 */
int sdp_parse_t38(const char *sdp, struct sdp_image *ret);

/*
 * Build our T.38 offer into @buf: a session as sdp_build_offer()'s (@l's
 * address, session id and version; @l->rtp_port is the UDPTL port) with
 * one "m=image PORT udptl t38" line carrying @ours.  Returns the length,
 * -EINVAL, -ENOBUFS as sdp_build_offer().
 */
int sdp_build_t38_offer(const struct sdp_local *l, const struct sdp_t38 *ours,
			char *buf, size_t len);

/*
 * Answer the remote offer @offer's T.38 stream with what both take: the
 * lower version and bit rate, the offer's rate management, our buffer and
 * datagram sizes, redundancy when the offer has any error correction (we
 * read a FEC peer's primary IFPs only), none of the optional features we
 * do not have.  Other m= lines are declined with port 0.  Returns the
 * length and, when @ret_remote is not NULL, the remote stream with the
 * answer's parameters in its @t38 (what the session runs with); errors as
 * sdp_parse_t38() and sdp_build_t38_offer().
 */
int sdp_build_t38_answer(const char *offer, const struct sdp_local *l,
			 const struct sdp_t38 *ours, char *buf, size_t len,
			 struct sdp_image *ret_remote);

#endif /* FXSD_SDP_H */
