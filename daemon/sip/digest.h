/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.h - HTTP digest authentication as SIP uses it (RFC 2617, RFC 7616,
 * RFC 8760): parse a WWW-Authenticate / Proxy-Authenticate challenge and
 * compute the Authorization / Proxy-Authorization answer.
 *
 * Pure code: no I/O, no logging.  Hashes come from OpenSSL's libcrypto
 * (link with -lcrypto).  Supported: MD5, MD5-sess, SHA-256, SHA-256-sess,
 * with qop=auth or without qop.  Not supported: qop=auth-int, SHA-512-256,
 * userhash=true (the username is sent in clear), username*.
 *
 * A server may offer several challenges (RFC 8760: SHA-256 first, then MD5
 * for old clients); try them in order and answer the first one
 * digest_parse_challenge() accepts.
 */
#ifndef FXSD_DIGEST_H
#define FXSD_DIGEST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIGEST_REALM_MAX 128	/* buffer sizes, NUL included */
#define DIGEST_NONCE_MAX 256
#define DIGEST_OPAQUE_MAX 256
/* A ret_hex buffer of this size holds any response (SHA-256: 64 + NUL). */
#define DIGEST_HEX_MAX 65

enum digest_algorithm {
	DIGEST_ALGORITHM_MD5,		/* also when the challenge names none */
	DIGEST_ALGORITHM_MD5_SESS,
	DIGEST_ALGORITHM_SHA256,
	DIGEST_ALGORITHM_SHA256_SESS,
	_DIGEST_ALGORITHM_MAX,
	_DIGEST_ALGORITHM_INVALID = -EINVAL,
};

struct digest_challenge {
	char realm[DIGEST_REALM_MAX];	/* unescaped */
	char nonce[DIGEST_NONCE_MAX];
	char opaque[DIGEST_OPAQUE_MAX];	/* "" when absent; then not echoed */
	enum digest_algorithm algorithm;
	bool qop_auth;			/* qop offered and includes "auth" */
	bool stale;			/* stale=true: retry with new nonce */
};

/* "MD5", "MD5-sess", "SHA-256", "SHA-256-sess"; NULL when out of range. */
const char *digest_algorithm_to_string(enum digest_algorithm a);
/* Case-insensitive; _DIGEST_ALGORITHM_INVALID (-EINVAL) when unknown. */
enum digest_algorithm digest_algorithm_from_string(const char *s);

/*
 * Parse a Digest challenge.  @value is the header value after the scheme
 * word ("realm=\"x\", nonce=\"y\"") or including it ("Digest realm=...").
 * Parameters come in any order, as quoted-strings (backslash escapes) or
 * tokens; unknown ones are ignored.  Errors:
 *   -EINVAL      syntax error, a parameter given twice, realm or nonce
 *                missing, nonce empty
 *   -EOPNOTSUPP  another scheme than Digest, an unknown algorithm, or a qop
 *                list without "auth" (e.g. only "auth-int")
 *   -ENOBUFS     realm, nonce or opaque longer than the buffers above
 * *@ret is only written on success.
 */
int digest_parse_challenge(const char *value, struct digest_challenge *ret);

/*
 * Compute the response= value for @c, as lowercase hex, into @ret_hex.
 * @cnonce (client nonce, non-empty) is needed when @c->qop_auth or for a
 * -sess algorithm, @nc (nonce count, from 1) when @c->qop_auth; they may
 * be NULL / 0 otherwise.  @uri is the digest-uri (for SIP the Request-URI).
 * -EINVAL on missing or bad arguments, -ENOBUFS when @hexlen is too small
 * (DIGEST_HEX_MAX always fits), -EOPNOTSUPP when libcrypto refuses the
 * hash (e.g. MD5 in FIPS mode), -ENOMEM.
 */
int digest_response(const struct digest_challenge *c, const char *username,
		    const char *password, const char *method, const char *uri,
		    const char *cnonce, uint32_t nc, char *ret_hex,
		    size_t hexlen);

/*
 * Build the whole Authorization / Proxy-Authorization header value:
 *   Digest username="..", realm="..", nonce="..", uri="..", response="..",
 *   algorithm=.., cnonce="..", qop=auth, nc=00000001, opaque=".."
 * cnonce, qop and nc only when @c->qop_auth (cnonce also for -sess),
 * opaque only when the challenge had a non-empty one.  Quoted values are
 * escaped.  Errors as digest_response(); -EINVAL also for a CR or LF
 * that would end the header line.  On error @ret is "" (if @len > 0).
 */
int digest_authorization(const struct digest_challenge *c,
			 const char *username, const char *password,
			 const char *method, const char *uri,
			 const char *cnonce, uint32_t nc, char *ret,
			 size_t len);

#endif /* FXSD_DIGEST_H */
