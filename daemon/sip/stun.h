/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stun.h - STUN Binding (RFC 5389) messages: the request we send and the
 * response we read, pure (no I/O, no allocation, no logging).  The query
 * itself (socket, retransmissions) is nat.c's.
 *
 * What the parser takes: a Binding success response (class 0b10, method
 * 0x001) with the magic cookie and the transaction ID of our request; the
 * mapped address from XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (an RFC 3489
 * server's answer; it echoes our 16 bytes, so the cookie is there too);
 * a FINGERPRINT, when present, must be the CRC-32 of what precedes it
 * XOR 0x5354554e and be the last attribute.  MESSAGE-INTEGRITY is not
 * checked (a Binding to a public STUN server carries no credentials);
 * other attributes are skipped.  Attributes must lie within the message
 * and the message length must be the datagram's.
 */
#ifndef FXSD_SIP_STUN_H
#define FXSD_SIP_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_SIZE	20
#define STUN_MAGIC		0x2112a442u
#define STUN_TXID_SIZE		12
#define STUN_BINDING_REQUEST	0x0001
#define STUN_BINDING_SUCCESS	0x0101
#define STUN_BINDING_ERROR	0x0111
#define STUN_ATTR_MAPPED	0x0001
#define STUN_ATTR_XOR_MAPPED	0x0020
#define STUN_ATTR_INTEGRITY	0x0008
#define STUN_ATTR_FINGERPRINT	0x8028
#define STUN_FINGERPRINT_XOR	0x5354554eu
/* our request: the header and a FINGERPRINT */
#define STUN_REQUEST_SIZE	(STUN_HEADER_SIZE + 8)

/*
 * The Binding request with transaction ID @txid into @buf (@len at least
 * STUN_REQUEST_SIZE; with @fingerprint a FINGERPRINT attribute, else the
 * bare 20-byte header).  Returns its length, or -ENOBUFS.
 */
int stun_binding_request(const uint8_t txid[STUN_TXID_SIZE], bool fingerprint,
			 uint8_t *buf, size_t len);

/* Does the datagram look like STUN (first two bits 0, the cookie, a
 * length that is the rest of the datagram and a multiple of 4)?  A SIP
 * message never does: it begins with a letter. */
bool stun_is_message(const uint8_t *p, size_t n);

/* CRC-32 (ISO-HDLC, as zlib's crc32()) of @n bytes. */
uint32_t stun_crc32(const uint8_t *p, size_t n);

/*
 * Read a Binding response for @txid: 0 with the mapped address in
 * *@ret (AF_INET or AF_INET6, port set); -ESRCH when it is not for
 * @txid (or not a Binding response), -EPROTO for a Binding error
 * response (its code in *@ret_error when not NULL, 0 when absent),
 * -EBADMSG when malformed (a bad length, an attribute past the end, a
 * wrong FINGERPRINT, an address of the wrong size or family), -ENOENT
 * when it has no mapped address.
 */
int stun_parse_binding_response(const uint8_t *p, size_t n,
				const uint8_t txid[STUN_TXID_SIZE],
				struct sockaddr_storage *ret, int *ret_error);

#endif /* FXSD_SIP_STUN_H */
