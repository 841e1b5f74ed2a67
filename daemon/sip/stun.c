// SPDX-License-Identifier: GPL-2.0-only
/*
 * stun.c - STUN Binding request and response (RFC 5389), pure: see
 * stun.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "sip/stun.h"

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

uint32_t stun_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return c ^ 0xffffffffu;
}

int stun_binding_request(const uint8_t txid[STUN_TXID_SIZE], bool fingerprint,
			 uint8_t *buf, size_t len)
{
	size_t n = fingerprint ? STUN_REQUEST_SIZE : STUN_HEADER_SIZE;

	if (!buf || len < n)
		return -ENOBUFS;
	put16(buf, STUN_BINDING_REQUEST);
	put16(buf + 2, n - STUN_HEADER_SIZE);
	put32(buf + 4, STUN_MAGIC);
	memcpy(buf + 8, txid, STUN_TXID_SIZE);
	if (fingerprint) {
		put16(buf + 20, STUN_ATTR_FINGERPRINT);
		put16(buf + 22, 4);
		put32(buf + 24, stun_crc32(buf, 20) ^ STUN_FINGERPRINT_XOR);
	}
	return (int)n;
}

bool stun_is_message(const uint8_t *p, size_t n)
{
	return p && n >= STUN_HEADER_SIZE && (p[0] & 0xc0) == 0 &&
	       get32(p + 4) == STUN_MAGIC && get16(p + 2) % 4 == 0 &&
	       (size_t)get16(p + 2) + STUN_HEADER_SIZE == n;
}

/* (XOR-)MAPPED-ADDRESS value @v of @len bytes into *@ret. */
static int read_address(const uint8_t *msg, const uint8_t *v, size_t len,
			bool xor, struct sockaddr_storage *ret)
{
	unsigned port;
	size_t i;

	if (len < 4 || v[0] != 0)
		return -EBADMSG;
	port = get16(v + 2);
	if (xor)
		port ^= STUN_MAGIC >> 16;
	memset(ret, 0, sizeof(*ret));
	if (v[1] == 0x01) {		/* IPv4 */
		struct sockaddr_in *s4 = (struct sockaddr_in *)ret;
		uint8_t a[4];

		if (len != 8)
			return -EBADMSG;
		for (i = 0; i < 4; i++)
			a[i] = v[4 + i] ^ (xor ? msg[4 + i] : 0);
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a, 4);
		return 0;
	}
	if (v[1] == 0x02) {		/* IPv6: XOR with cookie + txid */
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ret;
		uint8_t a[16];

		if (len != 20)
			return -EBADMSG;
		for (i = 0; i < 16; i++)
			a[i] = v[4 + i] ^ (xor ? msg[4 + i] : 0);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a, 16);
		return 0;
	}
	return -EBADMSG;
}

int stun_parse_binding_response(const uint8_t *p, size_t n,
				const uint8_t txid[STUN_TXID_SIZE],
				struct sockaddr_storage *ret, int *ret_error)
{
	struct sockaddr_storage mapped, xmapped;
	bool have_mapped = false, have_xmapped = false;
	unsigned type;
	size_t off;
	int error = 0, r;

	if (ret_error)
		*ret_error = 0;
	if (!p || !txid || !ret)
		return -EINVAL;
	if (!stun_is_message(p, n))
		return -EBADMSG;
	type = get16(p);
	if ((type != STUN_BINDING_SUCCESS && type != STUN_BINDING_ERROR) ||
	    memcmp(p + 8, txid, STUN_TXID_SIZE) != 0)
		return -ESRCH;
	for (off = STUN_HEADER_SIZE; off < n;) {
		unsigned at, alen;
		const uint8_t *v;

		if (n - off < 4)
			return -EBADMSG;
		at = get16(p + off);
		alen = get16(p + off + 2);
		v = p + off + 4;
		if (alen > n - off - 4)
			return -EBADMSG;
		switch (at) {
		case STUN_ATTR_FINGERPRINT:
			/* the last attribute; the CRC of all before it */
			if (alen != 4 || off + 8 != n)
				return -EBADMSG;
			if (get32(v) != (stun_crc32(p, off) ^ STUN_FINGERPRINT_XOR))
				return -EBADMSG;
			break;
		case STUN_ATTR_XOR_MAPPED:
			if (!have_xmapped) {
				r = read_address(p, v, alen, true, &xmapped);
				if (r < 0)
					return r;
				have_xmapped = true;
			}
			break;
		case STUN_ATTR_MAPPED:
			if (!have_mapped) {
				r = read_address(p, v, alen, false, &mapped);
				if (r < 0)
					return r;
				have_mapped = true;
			}
			break;
		case 0x0009:	/* ERROR-CODE: class and number */
			if (alen >= 4 && !error)
				error = (v[2] & 7) * 100 + v[3] % 100;
			break;
		default:
			break;
		}
		off += 4 + ((alen + 3u) & ~3u);
	}
	if (off != n)
		return -EBADMSG;
	if (type == STUN_BINDING_ERROR) {
		if (ret_error)
			*ret_error = error;
		return -EPROTO;
	}
	if (have_xmapped)
		*ret = xmapped;
	else if (have_mapped)
		*ret = mapped;
	else
		return -ENOENT;
	return 0;
}
