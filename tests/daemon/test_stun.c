// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_stun.c - the STUN Binding encoder and response parser
 * (daemon/sip/stun.c) against the test vectors of RFC 5769 (2.1 the
 * request, 2.2 the IPv4 response, 2.3 the IPv6 response: their
 * FINGERPRINTs and XOR-MAPPED-ADDRESSes), an RFC 3489 server's
 * MAPPED-ADDRESS answer, and broken messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "sip/stun.h"
#include "unit.h"

/* RFC 5769 2.1: a request (SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME,
 * MESSAGE-INTEGRITY, FINGERPRINT) */
static const uint8_t rfc5769_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
	0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20,
	0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56,
	0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2,
	0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 2.2: 192.0.2.1 port 32853 */
static const uint8_t rfc5769_ipv4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853 */
static const uint8_t rfc5769_ipv6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
	0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static const uint8_t vec_txid[12] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void addr_text(const struct sockaddr_storage *ss, char *buf,
		      size_t len, unsigned *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, buf, len);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, buf, len);
		*port = ntohs(s4->sin_port);
	}
}

/* The FINGERPRINT of each vector is the CRC-32 of what precedes it,
 * XOR 0x5354554e: our CRC against the RFC's numbers. */
UNIT_TEST(stun_rfc5769_fingerprints)
{
	const uint8_t *v[] = { rfc5769_request, rfc5769_ipv4, rfc5769_ipv6 };
	const size_t n[] = { sizeof(rfc5769_request), sizeof(rfc5769_ipv4),
			     sizeof(rfc5769_ipv6) };
	unsigned i;

	/* the CRC-32 check value of "123456789" */
	CHECK_INT(stun_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
	for (i = 0; i < 3; i++) {
		CHECK(stun_is_message(v[i], n[i]), "vector %u is STUN", i);
		CHECK_INT(stun_crc32(v[i], n[i] - 8) ^ STUN_FINGERPRINT_XOR,
			  be32(v[i] + n[i] - 4));
	}
}

UNIT_TEST(stun_rfc5769_responses)
{
	struct sockaddr_storage ss;
	char ip[64];
	unsigned port;
	int err = -1;

	CHECK_INT(stun_parse_binding_response(rfc5769_ipv4, sizeof(rfc5769_ipv4),
					      vec_txid, &ss, &err), 0);
	CHECK_INT(err, 0);
	addr_text(&ss, ip, sizeof(ip), &port);
	CHECK_STR(ip, "192.0.2.1");
	CHECK_INT(port, 32853);
	CHECK_INT(stun_parse_binding_response(rfc5769_ipv6, sizeof(rfc5769_ipv6),
					      vec_txid, &ss, NULL), 0);
	addr_text(&ss, ip, sizeof(ip), &port);
	CHECK_STR(ip, "2001:db8:1234:5678:11:2233:4455:6677");
	CHECK_INT(port, 32853);
	/* a request is no response */
	CHECK_INT(stun_parse_binding_response(rfc5769_request,
					      sizeof(rfc5769_request),
					      vec_txid, &ss, NULL), -ESRCH);
}

/* Another transaction's answer, a flipped bit under the FINGERPRINT, a
 * truncated or overlong attribute: refused. */
UNIT_TEST(stun_refused)
{
	struct sockaddr_storage ss;
	uint8_t m[sizeof(rfc5769_ipv4)], other[12];
	size_t i;

	memcpy(other, vec_txid, 12);
	other[11] ^= 1;
	CHECK_INT(stun_parse_binding_response(rfc5769_ipv4, sizeof(m), other,
					      &ss, NULL), -ESRCH);
	memcpy(m, rfc5769_ipv4, sizeof(m));
	m[45] ^= 0x01;		/* the mapped address */
	CHECK_INT(stun_parse_binding_response(m, sizeof(m), vec_txid, &ss,
					      NULL), -EBADMSG);
	memcpy(m, rfc5769_ipv4, sizeof(m));
	m[38] = 0x00;
	m[39] = 0xff;		/* XOR-MAPPED-ADDRESS past the end */
	CHECK_INT(stun_parse_binding_response(m, sizeof(m), vec_txid, &ss,
					      NULL), -EBADMSG);
	/* a datagram shorter than the header says */
	CHECK(!stun_is_message(rfc5769_ipv4, sizeof(m) - 4), "short");
	CHECK_INT(stun_parse_binding_response(rfc5769_ipv4, sizeof(m) - 4,
					      vec_txid, &ss, NULL), -EBADMSG);
	/* SIP is never STUN */
	CHECK(!stun_is_message((const uint8_t *)"OPTIONS sip:a@b SIP/2.0\r\n", 25),
	      "SIP taken for STUN");
	/* every truncation of the header is refused */
	for (i = 0; i < STUN_HEADER_SIZE; i++)
		CHECK(!stun_is_message(rfc5769_ipv4, i), "%zu bytes", i);
}

/* Our request; an answer built by hand, as an RFC 3489 server (stund)
 * gives it: MAPPED-ADDRESS only; and an error response. */
UNIT_TEST(stun_request_and_classic_answer)
{
	uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t req[STUN_REQUEST_SIZE], resp[32], errm[32];
	struct sockaddr_storage ss;
	char ip[64];
	unsigned port;
	int err = 0;

	CHECK_INT(stun_binding_request(txid, true, req, sizeof(req) - 1),
		  -ENOBUFS);
	CHECK_INT(stun_binding_request(txid, true, req, sizeof(req)),
		  STUN_REQUEST_SIZE);
	CHECK(stun_is_message(req, sizeof(req)), "our request is STUN");
	CHECK_INT(req[0], 0x00);
	CHECK_INT(req[1], 0x01);
	CHECK_INT(req[3], 8);
	CHECK_INT(be32(req + 4), STUN_MAGIC);
	CHECK(memcmp(req + 8, txid, 12) == 0, "transaction ID");
	CHECK_INT(be32(req + 20), 0x80280004u);
	CHECK_INT(be32(req + 24), stun_crc32(req, 20) ^ STUN_FINGERPRINT_XOR);
	CHECK_INT(stun_binding_request(txid, false, req, 20), 20);

	memset(resp, 0, sizeof(resp));
	resp[0] = 0x01;
	resp[1] = 0x01;
	resp[3] = 12;
	memcpy(resp + 4, "\x21\x12\xa4\x42", 4);
	memcpy(resp + 8, txid, 12);
	memcpy(resp + 20, "\x00\x01\x00\x08\x00\x01\x13\x88\xc6\x33\x64\x07", 12);
	CHECK_INT(stun_parse_binding_response(resp, sizeof(resp), txid, &ss,
					      NULL), 0);
	addr_text(&ss, ip, sizeof(ip), &port);
	CHECK_STR(ip, "198.51.100.7");
	CHECK_INT(port, 5000);
	resp[21] = 0x09;	/* no mapped address at all */
	CHECK_INT(stun_parse_binding_response(resp, sizeof(resp), txid, &ss,
					      NULL), -ENOENT);

	memset(errm, 0, sizeof(errm));
	memcpy(errm, resp, 20);
	errm[1] = 0x11;
	errm[3] = 8;
	memcpy(errm + 20, "\x00\x09\x00\x04\x00\x00\x04\x00", 8);
	CHECK_INT(stun_parse_binding_response(errm, 28, txid, &ss, &err),
		  -EPROTO);
	CHECK_INT(err, 400);
}
