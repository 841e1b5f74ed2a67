// SPDX-License-Identifier: GPL-2.0-only
/*
 * digest.c - HTTP digest authentication for SIP.  See digest.h.
 *
 *   HA1      = H(username ":" realm ":" password)
 *   -sess:     H(HA1 ":" nonce ":" cnonce)
 *   HA2      = H(method ":" uri)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)  qop=auth
 *              H(HA1 ":" nonce ":" HA2)                            no qop
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "sip/digest.h"

static const char *const digest_algorithm_table[_DIGEST_ALGORITHM_MAX] = {
	[DIGEST_ALGORITHM_MD5] = "MD5",
	[DIGEST_ALGORITHM_MD5_SESS] = "MD5-sess",
	[DIGEST_ALGORITHM_SHA256] = "SHA-256",
	[DIGEST_ALGORITHM_SHA256_SESS] = "SHA-256-sess",
};

const char *digest_algorithm_to_string(enum digest_algorithm a)
{
	if (a < 0 || a >= _DIGEST_ALGORITHM_MAX)
		return NULL;
	return digest_algorithm_table[a];
}

enum digest_algorithm digest_algorithm_from_string(const char *s)
{
	int a;

	if (!s)
		return _DIGEST_ALGORITHM_INVALID;
	for (a = 0; a < _DIGEST_ALGORITHM_MAX; a++)
		if (strcasecmp(s, digest_algorithm_table[a]) == 0)
			return a;
	return _DIGEST_ALGORITHM_INVALID;
}

static bool algorithm_is_sess(enum digest_algorithm a)
{
	return a == DIGEST_ALGORITHM_MD5_SESS ||
	       a == DIGEST_ALGORITHM_SHA256_SESS;
}

/* ---- challenge parser ---- */

/* RFC 7230 tchar: the characters of a token. */
static bool is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Skip blanks, and line folds (CRLF or LF followed by a blank) too. */
static const char *skip_ws(const char *s)
{
	for (;;) {
		if (is_ws(*s))
			s++;
		else if (s[0] == '\r' && s[1] == '\n' && is_ws(s[2]))
			s += 3;
		else if (s[0] == '\n' && is_ws(s[1]))
			s += 2;
		else
			return s;
	}
}

/* A parameter value as found in the text, escapes not yet removed. */
struct raw_value {
	const char *p;
	size_t len;
	bool quoted;
};

/*
 * Scan a value at *@s: a quoted-string or a bare word.  Bare words are
 * taken leniently (up to whitespace or ','), since servers send unquoted
 * base64 nonces that are not strictly tokens.
 */
static int scan_value(const char **s, struct raw_value *ret)
{
	const char *q = *s;

	if (*q == '"') {
		ret->p = ++q;
		ret->quoted = true;
		for (;; q++) {
			if (*q == '\0')
				return -EINVAL;		/* unterminated */
			if (*q == '"')
				break;
			if (*q == '\\') {
				q++;
				if (*q == '\0')
					return -EINVAL;
			}
			if ((unsigned char)*q < 0x20 && *q != '\t')
				return -EINVAL;
			if (*q == 0x7f)
				return -EINVAL;
		}
		ret->len = q - ret->p;
		*s = q + 1;
		return 0;
	}
	ret->p = q;
	ret->quoted = false;
	while (*q && !is_ws(*q) && *q != ',' && *q != '"') {
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return -EINVAL;
		q++;
	}
	ret->len = q - ret->p;
	if (ret->len == 0)
		return -EINVAL;
	*s = q;
	return 0;
}

/* Copy @v into @buf (size @size) removing escapes; -ENOBUFS if too long. */
static int copy_value(const struct raw_value *v, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < v->len; i++) {
		if (v->quoted && v->p[i] == '\\')
			i++;
		if (n + 1 >= size)
			return -ENOBUFS;
		buf[n++] = v->p[i];
	}
	buf[n] = '\0';
	return 0;
}

/* Does the unescaped @v equal @word, ignoring case? */
static bool value_is(const struct raw_value *v, const char *word)
{
	char buf[32];

	if (copy_value(v, buf, sizeof(buf)) < 0)
		return false;
	return strcasecmp(buf, word) == 0;
}

/*
 * qop: a comma separated list of tokens (quoted by the RFCs, bare from
 * some servers).  Sets *@ret_auth when "auth" is among them; -EINVAL for
 * an empty list.
 */
static int parse_qop(const struct raw_value *v, bool *ret_auth)
{
	char buf[128];
	char *tok, *save = NULL;
	bool any = false;
	int r;

	r = copy_value(v, buf, sizeof(buf));
	if (r < 0)
		return -EINVAL;
	*ret_auth = false;
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		any = true;
		if (strcasecmp(tok, "auth") == 0)
			*ret_auth = true;
	}
	return any ? 0 : -EINVAL;
}

/* _DIGEST_ALGORITHM_INVALID for names we do not know. */
static enum digest_algorithm parse_algorithm(const struct raw_value *v)
{
	char buf[32];

	if (copy_value(v, buf, sizeof(buf)) < 0)
		return _DIGEST_ALGORITHM_INVALID;
	return digest_algorithm_from_string(buf);
}

static bool name_is(const char *name, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(name, word, len) == 0;
}

enum {
	SEEN_REALM = 1 << 0,
	SEEN_NONCE = 1 << 1,
	SEEN_OPAQUE = 1 << 2,
	SEEN_ALGORITHM = 1 << 3,
	SEEN_QOP = 1 << 4,
	SEEN_STALE = 1 << 5,
};

static int seen_once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return -EINVAL;
	*seen |= bit;
	return 0;
}

int digest_parse_challenge(const char *value, struct digest_challenge *ret)
{
	struct digest_challenge c = {
		.algorithm = DIGEST_ALGORITHM_MD5,
	};
	bool no_auth = false;
	const char *s, *name, *after;
	struct raw_value v;
	unsigned seen = 0;
	size_t name_len;
	int r;

	if (!value || !ret)
		return -EINVAL;

	/* A leading word not followed by '=' is the scheme. */
	s = skip_ws(value);
	name = s;
	while (is_tchar(*s))
		s++;
	after = skip_ws(s);
	if (s > name && *after != '=') {
		if ((size_t)(s - name) != 6 || strncasecmp(name, "Digest", 6))
			return -EOPNOTSUPP;
		if (*s && after == s)
			return -EINVAL;		/* "Digest," */
		s = after;
	} else {
		s = name;
	}

	for (;;) {
		/* Empty list elements (",,") are allowed, RFC 7230 7. */
		s = skip_ws(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\0')
			break;

		name = s;
		while (is_tchar(*s))
			s++;
		name_len = s - name;
		if (name_len == 0)
			return -EINVAL;
		s = skip_ws(s);
		if (*s++ != '=')
			return -EINVAL;
		s = skip_ws(s);
		r = scan_value(&s, &v);
		if (r < 0)
			return r;
		s = skip_ws(s);
		if (*s != ',' && *s != '\0')
			return -EINVAL;

#define IS(word) name_is(name, name_len, word)
		if (IS("realm")) {
			r = seen_once(&seen, SEEN_REALM);
			if (r >= 0)
				r = copy_value(&v, c.realm, sizeof(c.realm));
		} else if (IS("nonce")) {
			r = seen_once(&seen, SEEN_NONCE);
			if (r >= 0)
				r = copy_value(&v, c.nonce, sizeof(c.nonce));
		} else if (IS("opaque")) {
			r = seen_once(&seen, SEEN_OPAQUE);
			if (r >= 0)
				r = copy_value(&v, c.opaque, sizeof(c.opaque));
		} else if (IS("algorithm")) {
			r = seen_once(&seen, SEEN_ALGORITHM);
			c.algorithm = parse_algorithm(&v);
		} else if (IS("qop")) {
			r = seen_once(&seen, SEEN_QOP);
			if (r >= 0)
				r = parse_qop(&v, &c.qop_auth);
			no_auth = !c.qop_auth;
		} else if (IS("stale")) {
			r = seen_once(&seen, SEEN_STALE);
			c.stale = value_is(&v, "true");
		}
#undef IS
		if (r < 0)
			return r;
	}

	if (!(seen & SEEN_REALM) || !(seen & SEEN_NONCE) || !c.nonce[0])
		return -EINVAL;
	if (c.algorithm < 0 || no_auth)
		return -EOPNOTSUPP;

	*ret = c;
	return 0;
}

/* ---- response ---- */

static const EVP_MD *algorithm_md(enum digest_algorithm a)
{
	switch (a) {
	case DIGEST_ALGORITHM_MD5:
	case DIGEST_ALGORITHM_MD5_SESS:
		return EVP_md5();
	case DIGEST_ALGORITHM_SHA256:
	case DIGEST_ALGORITHM_SHA256_SESS:
		return EVP_sha256();
	default:
		return NULL;
	}
}

/*
 * ret_hex = lowercase hex of H(parts[0] ":" parts[1] ":" ...); @ret_hex
 * holds 2 * EVP_MAX_MD_SIZE + 1 bytes.
 */
static int hash_hex(EVP_MD_CTX *ctx, const EVP_MD *md,
		    const char *const *parts, size_t n_parts, char *ret_hex)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bin[EVP_MAX_MD_SIZE];
	unsigned int bin_len = 0, i;
	size_t k;

	if (!EVP_DigestInit_ex(ctx, md, NULL))
		return -EOPNOTSUPP;
	for (k = 0; k < n_parts; k++) {
		if (k > 0 && !EVP_DigestUpdate(ctx, ":", 1))
			return -EIO;
		if (!EVP_DigestUpdate(ctx, parts[k], strlen(parts[k])))
			return -EIO;
	}
	if (!EVP_DigestFinal_ex(ctx, bin, &bin_len))
		return -EIO;
	for (i = 0; i < bin_len; i++) {
		ret_hex[2 * i] = hex[bin[i] >> 4];
		ret_hex[2 * i + 1] = hex[bin[i] & 0xf];
	}
	ret_hex[2 * bin_len] = '\0';
	return 0;
}

int digest_response(const struct digest_challenge *c, const char *username,
		    const char *password, const char *method, const char *uri,
		    const char *cnonce, uint32_t nc, char *ret_hex,
		    size_t hexlen)
{
	char ha1[2 * EVP_MAX_MD_SIZE + 1], ha2[2 * EVP_MAX_MD_SIZE + 1];
	char resp[2 * EVP_MAX_MD_SIZE + 1], nc_hex[9];
	bool sess;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	size_t n;
	int r;

	if (ret_hex && hexlen)
		ret_hex[0] = '\0';
	if (!c || !username || !password || !method || !uri || !ret_hex)
		return -EINVAL;
	md = algorithm_md(c->algorithm);
	if (!md)
		return -EINVAL;
	sess = algorithm_is_sess(c->algorithm);
	if ((c->qop_auth || sess) && (!cnonce || !cnonce[0]))
		return -EINVAL;
	if (c->qop_auth && nc == 0)
		return -EINVAL;
	n = 2 * (size_t)EVP_MD_get_size(md);
	if (hexlen < n + 1)
		return -ENOBUFS;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;

	r = hash_hex(ctx, md,
		     (const char *const[]){ username, c->realm, password }, 3,
		     ha1);
	if (r < 0)
		goto out;
	if (sess) {
		r = hash_hex(ctx, md,
			     (const char *const[]){ ha1, c->nonce, cnonce }, 3,
			     ha1);
		if (r < 0)
			goto out;
	}
	r = hash_hex(ctx, md, (const char *const[]){ method, uri }, 2, ha2);
	if (r < 0)
		goto out;
	if (c->qop_auth) {
		snprintf(nc_hex, sizeof(nc_hex), "%08x", (unsigned)nc);
		r = hash_hex(ctx, md,
			     (const char *const[]){ ha1, c->nonce, nc_hex,
						    cnonce, "auth", ha2 },
			     6, resp);
	} else {
		r = hash_hex(ctx, md,
			     (const char *const[]){ ha1, c->nonce, ha2 }, 3,
			     resp);
	}
	if (r < 0)
		goto out;
	memcpy(ret_hex, resp, n + 1);
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* ---- Authorization header ---- */

/* A bounded string builder: remembers that something did not fit. */
struct out {
	char *buf;
	size_t size, len;
	unsigned params;	/* written by out_param() so far */
	bool overflow;
};

static void out_raw(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->overflow || o->len + n >= o->size) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n + 1);
	o->len += n;
}

/* Append @s as a quoted-string, escaping '"' and '\\'. */
static void out_quoted(struct out *o, const char *s)
{
	char esc[3] = { '\\', 0, 0 };
	char one[2] = { 0, 0 };

	out_raw(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			esc[1] = *s;
			out_raw(o, esc);
		} else {
			one[0] = *s;
			out_raw(o, one);
		}
	}
	out_raw(o, "\"");
}

static void out_param(struct out *o, const char *name, const char *value,
		      bool quoted)
{
	if (o->params++ > 0)
		out_raw(o, ", ");
	out_raw(o, name);
	out_raw(o, "=");
	if (quoted)
		out_quoted(o, value);
	else
		out_raw(o, value);
}

/* Would @s end or corrupt the header line? */
static bool has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

int digest_authorization(const struct digest_challenge *c,
			 const char *username, const char *password,
			 const char *method, const char *uri,
			 const char *cnonce, uint32_t nc, char *ret,
			 size_t len)
{
	char resp[DIGEST_HEX_MAX], nc_hex[9];
	struct out o = { .buf = ret, .size = len };
	bool sess;
	int r;

	if (ret && len)
		ret[0] = '\0';
	if (!c || !ret)
		return -EINVAL;
	if (has_line_break(username) || has_line_break(uri) ||
	    has_line_break(cnonce) || has_line_break(c->realm) ||
	    has_line_break(c->nonce) || has_line_break(c->opaque))
		return -EINVAL;
	if (strnlen(c->realm, sizeof(c->realm)) == sizeof(c->realm) ||
	    strnlen(c->nonce, sizeof(c->nonce)) == sizeof(c->nonce) ||
	    strnlen(c->opaque, sizeof(c->opaque)) == sizeof(c->opaque))
		return -EINVAL;		/* not NUL terminated */

	r = digest_response(c, username, password, method, uri, cnonce, nc,
			    resp, sizeof(resp));
	if (r < 0)
		return r;
	sess = algorithm_is_sess(c->algorithm);

	out_raw(&o, "Digest ");
	out_param(&o, "username", username, true);
	out_param(&o, "realm", c->realm, true);
	out_param(&o, "nonce", c->nonce, true);
	out_param(&o, "uri", uri, true);
	out_param(&o, "response", resp, true);
	out_param(&o, "algorithm",
		  digest_algorithm_to_string(c->algorithm), false);
	if (c->qop_auth || sess)
		out_param(&o, "cnonce", cnonce, true);
	if (c->qop_auth) {
		snprintf(nc_hex, sizeof(nc_hex), "%08x", (unsigned)nc);
		out_param(&o, "qop", "auth", false);
		out_param(&o, "nc", nc_hex, false);
	}
	if (c->opaque[0])
		out_param(&o, "opaque", c->opaque, true);

	if (o.overflow) {
		if (len)
			ret[0] = '\0';
		return -ENOBUFS;
	}
	return 0;
}
