// SPDX-License-Identifier: GPL-2.0-only
/*
 * sdp.c - SDP offer/answer for one audio stream.  See sdp.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "media/codec.h"
#include "media/sdp.h"

#define SDP_MAX_MEDIA	8
#define SDP_MAX_FMT	32
#define SDP_TOKEN_MAX	32
#define SDP_MAX_CRYPTO	8	/* usable a=crypto lines kept per m= line */
#define SDP_CRYPTO_B64_MAX	64	/* base64 of the longest key, padded */

static const char *const sdp_direction_table[_SDP_DIRECTION_MAX] = {
	[SDP_SENDRECV] = "sendrecv",
	[SDP_SENDONLY] = "sendonly",
	[SDP_RECVONLY] = "recvonly",
	[SDP_INACTIVE] = "inactive",
};

const char *sdp_direction_to_string(enum sdp_direction d)
{
	if (d < 0 || d >= _SDP_DIRECTION_MAX)
		return NULL;
	return sdp_direction_table[d];
}

enum sdp_direction sdp_direction_reverse(enum sdp_direction d)
{
	switch (d) {
	case SDP_SENDONLY:
		return SDP_RECVONLY;
	case SDP_RECVONLY:
		return SDP_SENDONLY;
	default:
		return d;
	}
}

bool sdp_direction_sends(enum sdp_direction d)
{
	return d == SDP_SENDRECV || d == SDP_SENDONLY;
}

bool sdp_direction_receives(enum sdp_direction d)
{
	return d == SDP_SENDRECV || d == SDP_RECVONLY;
}

/* ---- parser ---- */

#define FMT_TELEPHONE_EVENT	(-2)
#define FMT_OTHER		(-1)

struct sdp_fmt {
	int pt;
	int codec;	/* enum codec_id, FMT_TELEPHONE_EVENT or FMT_OTHER */
	unsigned clock;	/* a telephone-event's RTP clock (8000, 48000) */
	const char *fmtp;	/* its a=fmtp value in the SDP text, or NULL */
	size_t fmtp_len;
};

struct sdp_mline {
	char media[SDP_TOKEN_MAX];
	char proto[SDP_TOKEN_MAX];
	char first_fmt[SDP_TOKEN_MAX];
	unsigned port;
	struct sdp_fmt fmt[SDP_MAX_FMT];
	unsigned n_fmt;
	char address[SDP_ADDRESS_MAX];	/* "" = session level */
	int family;
	unsigned ptime;			/* 0 = session level */
	int direction;			/* -1 = session level */
	bool xr_voip;			/* a=rtcp-xr with voip-metrics */
	struct sdp_crypto crypto[SDP_MAX_CRYPTO];	/* usable lines */
	unsigned n_crypto;
	struct sdp_t38 t38;		/* m=image: its T.38 attributes */
};

struct sdp_parsed {
	char address[SDP_ADDRESS_MAX];
	int family;
	unsigned ptime;
	int direction;
	bool xr_voip;
	struct sdp_mline m[SDP_MAX_MEDIA];
	unsigned n_m;
};

/* RFC 3611 5.1: "rtcp-xr" [":" xr-format *(SP xr-format)]; true when
 * one of the formats is voip-metrics (which has no parameters). */
static bool xr_has_voip(const char *v)
{
	if (strncmp(v, "rtcp-xr", 7) != 0 || (v[7] != ':' && v[7]))
		return false;
	for (v += v[7] ? 8 : 7; *v;) {
		size_t n;

		while (*v == ' ' || *v == '\t')
			v++;
		n = strcspn(v, " \t");
		if (n == 12 && strncmp(v, "voip-metrics", 12) == 0)
			return true;
		v += n;
	}
	return false;
}

static int parse_uint(const char *s, unsigned long max, unsigned *ret)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -EBADMSG;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > max || (*end && *end != '/' && !isspace((unsigned char)*end)))
		return -EBADMSG;
	*ret = v;
	return 0;
}

/* Copy the next space-separated token of *@p into @buf; 0 or -EBADMSG. */
static int next_token(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ')
		s++;
	n = strcspn(s, " ");
	if (n == 0 || n >= len)
		return -EBADMSG;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = s + n;
	return 0;
}

/* ---- SDES keys (RFC 4568) ---- */

static const char *const crypto_suite_table[_SDP_CRYPTO_MAX] = {
	[SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80] = "AES_CM_128_HMAC_SHA1_80",
	[SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32] = "AES_CM_128_HMAC_SHA1_32",
	[SDP_CRYPTO_AEAD_AES_128_GCM] = "AEAD_AES_128_GCM",
};

static const size_t crypto_key_len[_SDP_CRYPTO_MAX] = {
	[SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80] = 30,	/* 16 key + 14 salt */
	[SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32] = 30,
	[SDP_CRYPTO_AEAD_AES_128_GCM] = 28,		/* 16 key + 12 salt */
};

const char *sdp_crypto_suite_to_string(enum sdp_crypto_suite s)
{
	if ((int)s < 0 || s >= _SDP_CRYPTO_MAX)
		return NULL;
	return crypto_suite_table[s];
}

size_t sdp_crypto_key_len(enum sdp_crypto_suite s)
{
	if ((int)s < 0 || s >= _SDP_CRYPTO_MAX)
		return 0;
	return crypto_key_len[s];
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* @n bytes of @in as padded base64 into @out (4 * ceil(n / 3) + 1). */
static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[(v >> 12) & 63];
		*out++ = b64_alphabet[(v >> 6) & 63];
		*out++ = b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0);

		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[(v >> 12) & 63];
		*out++ = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/*
 * Decode the @len base64 characters at @in (padding optional) into @out,
 * which holds @max bytes.  Returns the byte count or -EBADMSG.
 */
static int b64_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	uint32_t acc = 0;
	size_t i, bits = 0, n = 0, pad = 0;

	for (i = 0; i < len; i++) {
		const char *c;

		if (in[i] == '=') {
			pad++;
			continue;
		}
		c = in[i] ? strchr(b64_alphabet, in[i]) : NULL;
		if (!c || pad)
			return -EBADMSG;	/* junk, or data after '=' */
		acc = (acc << 6 | (uint32_t)(c - b64_alphabet)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= max)
				return -EBADMSG;
			out[n++] = (acc >> bits) & 0xff;
		}
	}
	if (pad > 2 || bits >= 6 || (pad && (len % 4) != 0))
		return -EBADMSG;
	return (int)n;
}

/* A lifetime: decimal or "2^" decimal, at most 2^48 (RFC 4568 6.1). */
static bool crypto_lifetime_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 2 && s[0] == '2' && s[1] == '^')
		i = 2;
	if (i == n || n - i > 15)
		return false;
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int sdp_crypto_parse(const char *v, struct sdp_crypto *ret)
{
	struct sdp_crypto c = { 0 };
	char tok[SDP_TOKEN_MAX];
	const char *key, *end, *bar;
	size_t n;
	int suite, r;
	unsigned tag;

	if (!v || strnlen(v, 256) >= 256)
		return -EBADMSG;
	n = strspn(v, "0123456789");
	if (n == 0 || n > 9 || v[n] != ' ' || parse_uint(v, SDP_CRYPTO_TAG_MAX, &tag) < 0)
		return -EBADMSG;
	v += n;
	if (next_token(&v, tok, sizeof(tok)) < 0)
		return -EBADMSG;
	for (suite = 0; suite < _SDP_CRYPTO_MAX; suite++)
		if (strcmp(tok, crypto_suite_table[suite]) == 0)
			break;
	while (*v == ' ')
		v++;
	if (strncmp(v, "inline:", 7) != 0)
		return -EBADMSG;
	key = v + 7;
	end = key + strcspn(key, " ");
	if (end[strspn(end, " ")])
		return -EOPNOTSUPP;	/* session parameters */
	if (memchr(key, ';', end - key))
		return -EOPNOTSUPP;	/* several keys */
	bar = memchr(key, '|', end - key);
	if (bar) {
		const char *f = bar + 1, *g = memchr(f, '|', end - f);
		size_t fl = (g ? g : end) - f;

		if (g || memchr(f, ':', fl))
			return -EOPNOTSUPP;	/* an MKI */
		if (!crypto_lifetime_ok(f, fl))
			return -EBADMSG;
	} else {
		bar = end;
	}
	if (bar - key > SDP_CRYPTO_B64_MAX)
		return -EBADMSG;
	r = b64_decode(key, bar - key, c.key, sizeof(c.key));
	if (r < 0)
		return r;
	if (suite == _SDP_CRYPTO_MAX || (size_t)r != crypto_key_len[suite])
		return -EOPNOTSUPP;
	c.tag = tag;
	c.suite = suite;
	*ret = c;
	return 0;
}

/* "IN IP4 1.2.3.4" -> family + address; multicast TTL suffixes refused. */
static int parse_connection(const char *v, char *addr, int *family)
{
	char nettype[SDP_TOKEN_MAX], atype[SDP_TOKEN_MAX], a[SDP_ADDRESS_MAX];
	unsigned char bin[16];
	int fam;

	if (next_token(&v, nettype, sizeof(nettype)) < 0 ||
	    next_token(&v, atype, sizeof(atype)) < 0 ||
	    next_token(&v, a, sizeof(a)) < 0)
		return -EBADMSG;
	if (strcmp(nettype, "IN") != 0)
		return -EBADMSG;
	if (strcmp(atype, "IP4") == 0)
		fam = AF_INET;
	else if (strcmp(atype, "IP6") == 0)
		fam = AF_INET6;
	else
		return -EBADMSG;
	if (inet_pton(fam, a, bin) != 1)
		return -EBADMSG;
	strcpy(addr, a);
	*family = fam;
	return 0;
}

static int parse_direction(const char *v)
{
	int d;

	for (d = 0; d < _SDP_DIRECTION_MAX; d++)
		if (strcmp(v, sdp_direction_table[d]) == 0)
			return d;
	return -1;
}

static struct sdp_fmt *find_fmt(struct sdp_mline *m, int pt)
{
	unsigned i;

	for (i = 0; i < m->n_fmt; i++)
		if (m->fmt[i].pt == pt)
			return &m->fmt[i];
	return NULL;
}

/* The codec a static payload type names without an rtpmap (RFC 3551). */
static int static_codec(unsigned pt)
{
	int c;

	for (c = 0; c < _CODEC_MAX; c++)
		if (codec_static_pt(c) == (int)pt)
			return c;
	return FMT_OTHER;
}

static int parse_mline(const char *v, struct sdp_mline *m)
{
	char tok[SDP_TOKEN_MAX];
	unsigned pt;

	memset(m, 0, sizeof(*m));
	m->direction = -1;
	if (next_token(&v, m->media, sizeof(m->media)) < 0 ||
	    next_token(&v, tok, sizeof(tok)) < 0 ||
	    parse_uint(tok, 65535, &m->port) < 0 ||
	    next_token(&v, m->proto, sizeof(m->proto)) < 0)
		return -EBADMSG;
	while (next_token(&v, tok, sizeof(tok)) == 0) {
		if (m->n_fmt == 0)
			strcpy(m->first_fmt, tok);
		if (strcmp(m->media, "audio") != 0)
			continue;
		if (m->n_fmt >= SDP_MAX_FMT || parse_uint(tok, 127, &pt) < 0)
			return -EBADMSG;
		m->fmt[m->n_fmt].pt = pt;
		m->fmt[m->n_fmt].codec = static_codec(pt);
		m->n_fmt++;
	}
	while (*v == ' ')
		v++;
	if (*v || !m->first_fmt[0])
		return -EBADMSG;
	return 0;
}

static int parse_rtpmap(const char *v, struct sdp_mline *m)
{
	unsigned pt, clock = 0, channels = 0;
	struct sdp_fmt *f;
	const char *name, *slash;
	char enc[SDP_TOKEN_MAX];
	size_t n;
	int c;

	if (parse_uint(v, 127, &pt) < 0)
		return -EBADMSG;
	name = strchr(v, ' ');
	if (!name)
		return -EBADMSG;
	name++;
	f = find_fmt(m, pt);
	if (!f)
		return 0;	/* rtpmap for a format not listed: ignore */
	f->codec = FMT_OTHER;	/* e.g. a dynamic PT remapping 0 or 8 */
	/* encoding name / clock rate [/ channels] */
	slash = strchr(name, '/');
	n = slash ? (size_t)(slash - name) : 0;
	if (n == 0 || n >= sizeof(enc) ||
	    parse_uint(slash + 1, 1000000, &clock) < 0)
		return 0;	/* not one of ours */
	memcpy(enc, name, n);
	enc[n] = '\0';
	slash = strchr(slash + 1, '/');
	if (slash && parse_uint(slash + 1, 255, &channels) < 0)
		return 0;
	if (strcasecmp(enc, "telephone-event") == 0) {
		if (clock == 8000 || clock == 48000) {
			f->codec = FMT_TELEPHONE_EVENT;
			f->clock = clock;
		}
		return 0;
	}
	c = codec_from_rtpmap(enc, clock, channels);
	if (c >= 0)
		f->codec = c;
	return 0;
}

/* a=fmtp:PT PARAMS: remembered (@v points into the SDP text) and parsed
 * for the codec chosen, whatever the order of the rtpmap and fmtp lines. */
static void parse_fmtp(const char *v, size_t len, struct sdp_mline *m)
{
	unsigned pt;
	struct sdp_fmt *f;
	const char *sp;

	if (parse_uint(v, 127, &pt) < 0)
		return;
	sp = memchr(v, ' ', len);
	if (!sp)
		return;
	f = find_fmt(m, pt);
	if (!f)
		return;
	f->fmtp = sp + 1;
	f->fmtp_len = len - (size_t)(sp + 1 - v);
}

/* ---- T.38 attributes ---- */

static const char *const t38_ec_table[_SDP_T38_EC_MAX] = {
	[SDP_T38_EC_NONE] = "t38UDPNoEC",
	[SDP_T38_EC_REDUNDANCY] = "t38UDPRedundancy",
	[SDP_T38_EC_FEC] = "t38UDPFEC",
};

static const char *const t38_rate_table[_SDP_T38_RATE_MAX] = {
	[SDP_T38_TRANSFERRED_TCF] = "transferredTCF",
	[SDP_T38_LOCAL_TCF] = "localTCF",
};

const char *sdp_t38_ec_to_string(enum sdp_t38_ec ec)
{
	if ((int)ec < 0 || ec >= _SDP_T38_EC_MAX)
		return NULL;
	return t38_ec_table[ec];
}

const char *sdp_t38_rate_to_string(enum sdp_t38_rate r)
{
	if ((int)r < 0 || r >= _SDP_T38_RATE_MAX)
		return NULL;
	return t38_rate_table[r];
}

void sdp_t38_default(struct sdp_t38 *ret)
{
	*ret = (struct sdp_t38) {
		.version = 0,
		.max_bitrate = 14400,
		.rate = SDP_T38_TRANSFERRED_TCF,
		.max_buffer = 1800,
		.max_datagram = 400,
		.ec = SDP_T38_EC_REDUNDANCY,
	};
}

/* What the remote's stream means when it says nothing (T.38 Annex D). */
static void t38_absent(struct sdp_t38 *t)
{
	*t = (struct sdp_t38) {
		.max_bitrate = 14400,
		.rate = SDP_T38_TRANSFERRED_TCF,
		.ec = SDP_T38_EC_NONE,
	};
}

/* A boolean T.38 attribute: present alone, or ":1" (":0" is false, as
 * some gateways write it). */
static bool t38_flag(const char *value)
{
	return !value || strcmp(value, "0") != 0;
}

/*
 * One a=T38... attribute (@v: what follows "a="); names are matched
 * without case (T38MaxBitRate is written T38maxBitRate by some), a value
 * we cannot read leaves the field as it was.
 */
static void parse_t38_attr(const char *v, struct sdp_t38 *t)
{
	char name[SDP_TOKEN_MAX];
	const char *colon = strchr(v, ':'), *value = colon ? colon + 1 : NULL;
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	unsigned u;
	int i;

	if (n >= sizeof(name))
		return;
	memcpy(name, v, n);
	name[n] = '\0';
	if (strcasecmp(name, "T38FaxVersion") == 0) {
		if (value && parse_uint(value, 255, &u) == 0)
			t->version = u > SDP_T38_VERSION_MAX ?
				     SDP_T38_VERSION_MAX : u;
	} else if (strcasecmp(name, "T38MaxBitRate") == 0) {
		if (value && parse_uint(value, 1000000, &u) == 0 && u >= 2400)
			t->max_bitrate = u;
	} else if (strcasecmp(name, "T38FaxRateManagement") == 0) {
		for (i = 0; value && i < _SDP_T38_RATE_MAX; i++)
			if (strcasecmp(value, t38_rate_table[i]) == 0)
				t->rate = i;
	} else if (strcasecmp(name, "T38FaxMaxBuffer") == 0) {
		if (value && parse_uint(value, 65535, &u) == 0)
			t->max_buffer = u;
	} else if (strcasecmp(name, "T38FaxMaxDatagram") == 0) {
		if (value && parse_uint(value, 65535, &u) == 0)
			t->max_datagram = u;
	} else if (strcasecmp(name, "T38FaxUdpEC") == 0) {
		for (i = 0; value && i < _SDP_T38_EC_MAX; i++)
			if (strcasecmp(value, t38_ec_table[i]) == 0)
				t->ec = i;
	} else if (strcasecmp(name, "T38FaxFillBitRemoval") == 0) {
		t->fill_bit_removal = t38_flag(value);
	} else if (strcasecmp(name, "T38FaxTranscodingMMR") == 0) {
		t->transcoding_mmr = t38_flag(value);
	} else if (strcasecmp(name, "T38FaxTranscodingJBIG") == 0) {
		t->transcoding_jbig = t38_flag(value);
	}
}

static int sdp_parse_all(const char *sdp, struct sdp_parsed *p)
{
	const char *line = sdp;
	struct sdp_mline *cur = NULL;
	bool first = true;
	int r;

	memset(p, 0, sizeof(*p));
	p->direction = -1;
	if (!sdp || strlen(sdp) > SDP_TEXT_MAX)
		return -EBADMSG;
	while (*line) {
		char buf[512];
		const char *v;
		size_t n = strcspn(line, "\r\n"), n_raw;

		if (n >= sizeof(buf))
			return -EBADMSG;
		memcpy(buf, line, n);
		buf[n] = '\0';
		line += n;
		n_raw = n;	/* line - n_raw: this line in the text */
		if (*line == '\r') {
			line++;
			n_raw++;
		}
		if (*line == '\n') {
			line++;
			n_raw++;
		}
		if (n == 0)
			continue;	/* tolerate blank lines / trailing CRLF */
		if (n < 2 || buf[1] != '=' || !islower((unsigned char)buf[0]))
			return -EBADMSG;
		v = buf + 2;
		if (first) {
			if (strcmp(buf, "v=0") != 0)
				return -EBADMSG;
			first = false;
			continue;
		}
		switch (buf[0]) {
		case 'm':
			if (p->n_m >= SDP_MAX_MEDIA)
				return -EBADMSG;
			cur = &p->m[p->n_m++];
			r = parse_mline(v, cur);
			if (r < 0)
				return r;
			t38_absent(&cur->t38);
			break;
		case 'c':
			r = parse_connection(v, cur ? cur->address : p->address,
					     cur ? &cur->family : &p->family);
			if (r < 0)
				return r;
			break;
		case 'a': {
			unsigned ptime;
			int d;

			if (cur && strcmp(cur->media, "image") == 0 &&
			    strncasecmp(v, "T38", 3) == 0) {
				parse_t38_attr(v, &cur->t38);
			} else if (strncmp(v, "fmtp:", 5) == 0) {
				if (cur && strcmp(cur->media, "audio") == 0)
					parse_fmtp(line - n_raw + 7, n - 7, cur);
			} else if (strncmp(v, "rtpmap:", 7) == 0) {
				if (cur && strcmp(cur->media, "audio") == 0) {
					r = parse_rtpmap(v + 7, cur);
					if (r < 0)
						return r;
				}
			} else if (strncmp(v, "ptime:", 6) == 0) {
				if (parse_uint(v + 6, 1000, &ptime) < 0 || !ptime)
					return -EBADMSG;
				if (cur)
					cur->ptime = ptime;
				else
					p->ptime = ptime;
			} else if (strncmp(v, "rtcp-xr", 7) == 0 &&
				   (v[7] == ':' || !v[7])) {
				if (xr_has_voip(v)) {
					if (cur)
						cur->xr_voip = true;
					else
						p->xr_voip = true;
				}
			} else if (strncmp(v, "crypto:", 7) == 0) {
				/* unusable or beyond the limit: ignored */
				if (cur && cur->n_crypto < SDP_MAX_CRYPTO &&
				    sdp_crypto_parse(v + 7, &cur->crypto[cur->n_crypto]) == 0)
					cur->n_crypto++;
			} else if ((d = parse_direction(v)) >= 0) {
				if (cur)
					cur->direction = d;
				else
					p->direction = d;
			}
			break;
		}
		default:
			break;
		}
	}
	if (first)
		return -EBADMSG;
	return 0;
}

/* The stream: first audio m= line with a non-zero port. */
static struct sdp_mline *sdp_stream(struct sdp_parsed *p)
{
	unsigned i;

	for (i = 0; i < p->n_m; i++)
		if (strcmp(p->m[i].media, "audio") == 0 && p->m[i].port &&
		    strncmp(p->m[i].proto, "RTP/", 4) == 0)
			return &p->m[i];
	return NULL;
}

static const int sdp_default_codecs[] = { CODEC_PCMU, CODEC_PCMA };

/* @l's codec list (the default when it names none). */
static void local_codecs(const struct sdp_local *l, const int **ret,
			 unsigned *ret_n)
{
	if (l && l->codecs && l->n_codecs) {
		*ret = l->codecs;
		*ret_n = l->n_codecs;
	} else {
		*ret = sdp_default_codecs;
		*ret_n = sizeof(sdp_default_codecs) / sizeof(sdp_default_codecs[0]);
	}
}

/* Whether @c is a codec we take: one of @l's (without @l: PCMU, PCMA). */
static bool codec_wanted(const struct sdp_local *l, int c)
{
	const int *list;
	unsigned n, i;

	if (c < 0)
		return false;
	local_codecs(l, &list, &n);
	for (i = 0; i < n; i++)
		if (list[i] == c)
			return true;
	return false;
}

/* The fmtp parameters of @f (its codec's defaults, what its a=fmtp says
 * over them; a malformed a=fmtp leaves the defaults). */
static void fmt_params(const struct sdp_fmt *f, struct codec_params *ret)
{
	char v[512];

	codec_params_default(f->codec, ret);
	if (!f->fmtp || f->fmtp_len >= sizeof(v))
		return;
	memcpy(v, f->fmtp, f->fmtp_len);
	v[f->fmtp_len] = '\0';
	(void)codec_fmtp_parse(f->codec, v, ret);
}

static int sdp_fill(struct sdp_parsed *p, struct sdp_mline *m,
		    const struct sdp_local *l, struct sdp_media *ret)
{
	struct sdp_media r = { .pt = -1, .te_pt = -1 };
	const struct sdp_fmt *chosen = NULL;
	unsigned i;

	if (m->address[0]) {
		strcpy(r.address, m->address);
		r.family = m->family;
	} else if (p->address[0]) {
		strcpy(r.address, p->address);
		r.family = p->family;
	} else {
		return -EBADMSG;
	}
	r.port = m->port;
	if (l && l->keep_codec && codec_wanted(l, l->codec)) {
		for (i = 0; i < m->n_fmt; i++)
			if (m->fmt[i].codec == l->codec) {
				chosen = &m->fmt[i];
				break;
			}
	}
	for (i = 0; i < m->n_fmt; i++) {
		/* the offerer's preference: its first format we take */
		if (!chosen && codec_wanted(l, m->fmt[i].codec))
			chosen = &m->fmt[i];
	}
	if (!chosen)
		return -EPROTONOSUPPORT;
	/* telephone-event: the one at the codec's RTP clock (RFC 4733 2.1,
	 * RFC 7587: Opus counts 48 kHz), else the first */
	for (i = 0; i < m->n_fmt; i++) {
		const struct sdp_fmt *f = &m->fmt[i];

		if (f->codec != FMT_TELEPHONE_EVENT)
			continue;
		if (r.te_pt < 0 ||
		    (r.te_clock != codec_clock(chosen->codec) &&
		     f->clock == codec_clock(chosen->codec))) {
			r.te_pt = f->pt;
			r.te_clock = f->clock;
		}
	}
	r.pt = chosen->pt;
	r.codec = chosen->codec;
	fmt_params(chosen, &r.params);
	if (l && r.codec == CODEC_G729)
		r.params.annexb = r.params.annexb && l->g729_annexb;
	r.ptime = m->ptime ? m->ptime : p->ptime ? p->ptime : SDP_PTIME_DEFAULT;
	r.direction = m->direction >= 0 ? m->direction :
		      p->direction >= 0 ? p->direction : SDP_SENDRECV;
	r.savp = strncmp(m->proto, "RTP/SAVP", 8) == 0;
	r.xr_voip = m->xr_voip || p->xr_voip;
	if (m->n_crypto && !(l && l->srtp == SDP_SRTP_OFF)) {
		r.secure = true;
		r.crypto = m->crypto[0];
	}
	if (strcmp(r.address, "0.0.0.0") == 0 || strcmp(r.address, "::") == 0)
		r.direction = r.direction == SDP_SENDRECV ? SDP_SENDONLY :
			      r.direction == SDP_RECVONLY ? SDP_INACTIVE :
			      r.direction;
	*ret = r;
	return 0;
}

int sdp_parse(const char *sdp, struct sdp_media *ret)
{
	struct sdp_parsed p;
	struct sdp_mline *m;
	int r;

	r = sdp_parse_all(sdp, &p);
	if (r < 0)
		return r;
	m = sdp_stream(&p);
	if (!m)
		return -ENOMEDIUM;
	return sdp_fill(&p, m, NULL, ret);
}

int sdp_parse_codecs(const char *sdp, const struct sdp_local *l,
		     struct sdp_media *ret)
{
	struct sdp_local c = { .srtp = SDP_SRTP_OPTIONAL };
	struct sdp_parsed p;
	struct sdp_mline *m;
	int r;

	if (l) {
		/* only what chooses the codec: keys are taken as sdp_parse() */
		if (l->n_codecs > SDP_CODECS_MAX)
			return -EINVAL;
		c.codecs = l->codecs;
		c.n_codecs = l->n_codecs;
		c.keep_codec = l->keep_codec;
		c.codec = l->codec;
		c.g729_annexb = l->g729_annexb;
	}
	r = sdp_parse_all(sdp, &p);
	if (r < 0)
		return r;
	m = sdp_stream(&p);
	if (!m)
		return -ENOMEDIUM;
	return sdp_fill(&p, m, &c, ret);
}

int sdp_srtp_check(const struct sdp_media *m, enum sdp_srtp policy)
{
	switch (policy) {
	case SDP_SRTP_OFF:
		return m->savp ? -ENOKEY : 0;
	case SDP_SRTP_OPTIONAL:
		return m->savp && !m->secure ? -ENOKEY : 0;
	default:
		return m->secure ? 0 : -ENOKEY;
	}
}

/* ---- builder ---- */

struct sbuf {
	char *buf;
	size_t len, pos;
	bool overflow;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->pos, b->len - b->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->pos) {
		b->overflow = true;
		return;
	}
	b->pos += n;
}

static int check_local(const struct sdp_local *l, int *family)
{
	unsigned char bin[16];

	unsigned i;

	if (!l || !l->address || !l->rtp_port || l->rtp_port > 65535 ||
	    l->direction < 0 || l->direction >= _SDP_DIRECTION_MAX ||
	    (l->srtp != SDP_SRTP_OFF && !l->keys) ||
	    l->n_codecs > SDP_CODECS_MAX)
		return -EINVAL;
	for (i = 0; l->codecs && i < l->n_codecs; i++)
		if (!codec_rtp_name(l->codecs[i]))
			return -EINVAL;
	if (inet_pton(AF_INET, l->address, bin) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, l->address, bin) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

static void sb_session(struct sbuf *b, const struct sdp_local *l, int family)
{
	const char *ip = family == AF_INET6 ? "IP6" : "IP4";

	sb_printf(b, "v=0\r\n");
	sb_printf(b, "o=fxsd %" PRIu64 " %" PRIu64 " IN %s %s\r\n",
		  l->session_id, l->session_version, ip, l->address);
	sb_printf(b, "s=fxsd\r\n");
	sb_printf(b, "c=IN %s %s\r\n", ip, l->address);
	sb_printf(b, "t=0 0\r\n");
}

static void sb_crypto(struct sbuf *b, unsigned tag,
		      const struct sdp_crypto *k)
{
	char b64[4 * ((SDP_CRYPTO_KEY_MAX + 2) / 3) + 1];

	b64_encode(k->key, crypto_key_len[k->suite], b64);
	sb_printf(b, "a=crypto:%u %s inline:%s\r\n", tag,
		  crypto_suite_table[k->suite], b64);
	explicit_bzero(b64, sizeof(b64));
}

static int sb_finish(struct sbuf *b)
{
	if (b->overflow) {
		if (b->len)
			b->buf[0] = '\0';
		return -ENOBUFS;
	}
	return b->pos;
}

/* a=rtpmap (and a=fmtp) of codec @c under @pt. */
static void sb_codec(struct sbuf *b, int c, int pt, bool annexb)
{
	char fmtp[CODEC_FMTP_MAX];

	if (codec_channels(c) > 1)
		sb_printf(b, "a=rtpmap:%d %s/%u/%u\r\n", pt, codec_rtp_name(c),
			  codec_clock(c), codec_channels(c));
	else
		sb_printf(b, "a=rtpmap:%d %s/%u\r\n", pt, codec_rtp_name(c),
			  codec_clock(c));
	if (codec_fmtp_format(c, annexb, fmtp, sizeof(fmtp)) > 0)
		sb_printf(b, "a=fmtp:%d %s\r\n", pt, fmtp);
}

int sdp_build_offer(const struct sdp_local *l, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, false };
	const int *list;
	unsigned i, n;
	int family, r;
	bool opus = false;

	r = check_local(l, &family);
	if (r < 0)
		return r;
	if (!buf || !len)
		return -ENOBUFS;
	local_codecs(l, &list, &n);
	sb_session(&b, l, family);
	sb_printf(&b, "m=audio %u %s", l->rtp_port,
		  l->srtp == SDP_SRTP_REQUIRED ? "RTP/SAVP" : "RTP/AVP");

	for (i = 0; i < n; i++) {
		sb_printf(&b, " %d", codec_offer_pt(list[i]));
		opus |= list[i] == CODEC_OPUS;
	}
	sb_printf(&b, " %d", SDP_PT_TELEPHONE_EVENT);
	if (opus)
		sb_printf(&b, " %d", SDP_PT_TELEPHONE_EVENT_48K);
	sb_printf(&b, "\r\n");
	for (i = 0; i < n; i++)
		sb_codec(&b, list[i], codec_offer_pt(list[i]), l->g729_annexb);
	sb_printf(&b, "a=rtpmap:%d telephone-event/8000\r\n",
		  SDP_PT_TELEPHONE_EVENT);
	sb_printf(&b, "a=fmtp:%d 0-16\r\n", SDP_PT_TELEPHONE_EVENT);
	if (opus) {
		/* Opus's events at its own clock */
		sb_printf(&b, "a=rtpmap:%d telephone-event/48000\r\n",
			  SDP_PT_TELEPHONE_EVENT_48K);
		sb_printf(&b, "a=fmtp:%d 0-16\r\n", SDP_PT_TELEPHONE_EVENT_48K);
	}
	sb_printf(&b, "a=ptime:%u\r\n", l->ptime ? l->ptime : SDP_PTIME_DEFAULT);
	sb_printf(&b, "a=%s\r\n", sdp_direction_table[l->direction]);
	if (l->rtcp_xr)
		sb_printf(&b, "a=rtcp-xr:voip-metrics\r\n");
	if (l->srtp != SDP_SRTP_OFF) {
		/* tag = suite + 1, so that an answer's tag names our key */
		if (l->prefer == SDP_CRYPTO_AEAD_AES_128_GCM)
			sb_crypto(&b, l->prefer + 1, &l->keys[l->prefer]);
		sb_crypto(&b, SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80 + 1,
			  &l->keys[SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80]);
		sb_crypto(&b, SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32 + 1,
			  &l->keys[SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32]);
	}
	return sb_finish(&b);
}

/* The direction we answer with: what the offer allows and we want. */
static enum sdp_direction answer_direction(enum sdp_direction offered,
					   enum sdp_direction local)
{
	bool send, recv;

	send = (offered == SDP_SENDRECV || offered == SDP_RECVONLY) &&
	       (local == SDP_SENDRECV || local == SDP_SENDONLY);
	recv = (offered == SDP_SENDRECV || offered == SDP_SENDONLY) &&
	       (local == SDP_SENDRECV || local == SDP_RECVONLY);
	if (send && recv)
		return SDP_SENDRECV;
	if (send)
		return SDP_SENDONLY;
	if (recv)
		return SDP_RECVONLY;
	return SDP_INACTIVE;
}

int sdp_build_answer(const char *offer, const struct sdp_local *l, char *buf,
		     size_t len, struct sdp_media *ret_remote)
{
	struct sbuf b = { buf, len, 0, false };
	struct sdp_parsed p;
	struct sdp_mline *stream;
	struct sdp_media remote;
	unsigned i;
	int family, r;

	r = check_local(l, &family);
	if (r < 0)
		return r;
	if (!buf || !len)
		return -ENOBUFS;
	r = sdp_parse_all(offer, &p);
	if (r < 0)
		return r;
	stream = sdp_stream(&p);
	if (!stream)
		return -ENOMEDIUM;
	r = sdp_fill(&p, stream, l, &remote);
	if (r < 0)
		return r;
	r = sdp_srtp_check(&remote, l->srtp);
	if (r < 0)
		return r;

	sb_session(&b, l, family);
	for (i = 0; i < p.n_m; i++) {
		struct sdp_mline *m = &p.m[i];

		if (m != stream) {
			sb_printf(&b, "m=%s 0 %s %s\r\n", m->media, m->proto,
				  m->first_fmt);
			continue;
		}
		if (remote.te_pt >= 0)
			sb_printf(&b, "m=audio %u %s %d %d\r\n", l->rtp_port,
				  m->proto, remote.pt, remote.te_pt);
		else
			sb_printf(&b, "m=audio %u %s %d\r\n", l->rtp_port,
				  m->proto, remote.pt);
		sb_codec(&b, remote.codec, remote.pt,
			 remote.codec == CODEC_G729 && remote.params.annexb);
		if (remote.te_pt >= 0) {
			sb_printf(&b, "a=rtpmap:%d telephone-event/%u\r\n",
				  remote.te_pt, remote.te_clock);
			sb_printf(&b, "a=fmtp:%d 0-16\r\n", remote.te_pt);
		}
		sb_printf(&b, "a=ptime:%u\r\n", remote.ptime);
		sb_printf(&b, "a=%s\r\n", sdp_direction_table[
			  answer_direction(remote.direction, l->direction)]);
		if (l->rtcp_xr && remote.xr_voip)
			sb_printf(&b, "a=rtcp-xr:voip-metrics\r\n");
		if (remote.secure)
			sb_crypto(&b, remote.crypto.tag,
				  &l->keys[remote.crypto.suite]);
	}
	r = sb_finish(&b);
	if (r >= 0 && ret_remote)
		*ret_remote = remote;
	return r;
}

/* ---- T.38 ---- */

/* The T.38 stream: first m=image udptl t38 line with a non-zero port. */
static struct sdp_mline *sdp_image_stream(struct sdp_parsed *p)
{
	unsigned i;

	for (i = 0; i < p->n_m; i++)
		if (strcmp(p->m[i].media, "image") == 0 && p->m[i].port &&
		    strcasecmp(p->m[i].proto, "udptl") == 0 &&
		    strcasecmp(p->m[i].first_fmt, "t38") == 0)
			return &p->m[i];
	return NULL;
}

static int image_fill(const struct sdp_parsed *p, const struct sdp_mline *m,
		      struct sdp_image *ret)
{
	struct sdp_image r = { 0 };

	if (m->address[0]) {
		strcpy(r.address, m->address);
		r.family = m->family;
	} else if (p->address[0]) {
		strcpy(r.address, p->address);
		r.family = p->family;
	} else {
		return -EBADMSG;
	}
	r.port = m->port;
	r.direction = m->direction >= 0 ? m->direction :
		      p->direction >= 0 ? p->direction : SDP_SENDRECV;
	r.t38 = m->t38;
	*ret = r;
	return 0;
}

int sdp_parse_t38(const char *sdp, struct sdp_image *ret)
{
	struct sdp_parsed p;
	struct sdp_mline *m;
	int r;

	r = sdp_parse_all(sdp, &p);
	if (r < 0)
		return r;
	m = sdp_image_stream(&p);
	if (!m)
		return -ENOMEDIUM;
	return image_fill(&p, m, ret);
}

static int check_t38(const struct sdp_t38 *t)
{
	if (!t || t->version > SDP_T38_VERSION_MAX || t->max_bitrate < 2400 ||
	    t->max_bitrate > 1000000 || (int)t->rate < 0 ||
	    t->rate >= _SDP_T38_RATE_MAX || (int)t->ec < 0 ||
	    t->ec >= _SDP_T38_EC_MAX || t->max_buffer > 65535 ||
	    t->max_datagram > 65535)
		return -EINVAL;
	return 0;
}

static void sb_t38(struct sbuf *b, unsigned port, const struct sdp_t38 *t)
{
	sb_printf(b, "m=image %u udptl t38\r\n", port);
	sb_printf(b, "a=T38FaxVersion:%u\r\n", t->version);
	sb_printf(b, "a=T38MaxBitRate:%u\r\n", t->max_bitrate);
	if (t->fill_bit_removal)
		sb_printf(b, "a=T38FaxFillBitRemoval\r\n");
	if (t->transcoding_mmr)
		sb_printf(b, "a=T38FaxTranscodingMMR\r\n");
	if (t->transcoding_jbig)
		sb_printf(b, "a=T38FaxTranscodingJBIG\r\n");
	sb_printf(b, "a=T38FaxRateManagement:%s\r\n", t38_rate_table[t->rate]);
	if (t->max_buffer)
		sb_printf(b, "a=T38FaxMaxBuffer:%u\r\n", t->max_buffer);
	if (t->max_datagram)
		sb_printf(b, "a=T38FaxMaxDatagram:%u\r\n", t->max_datagram);
	sb_printf(b, "a=T38FaxUdpEC:%s\r\n", t38_ec_table[t->ec]);
}

int sdp_build_t38_offer(const struct sdp_local *l, const struct sdp_t38 *ours,
			char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, false };
	int family, r;

	r = check_local(l, &family);
	if (r < 0)
		return r;
	r = check_t38(ours);
	if (r < 0)
		return r;
	if (!buf || !len)
		return -ENOBUFS;
	sb_session(&b, l, family);
	sb_t38(&b, l->rtp_port, ours);
	return sb_finish(&b);
}

int sdp_build_t38_answer(const char *offer, const struct sdp_local *l,
			 const struct sdp_t38 *ours, char *buf, size_t len,
			 struct sdp_image *ret_remote)
{
	struct sbuf b = { buf, len, 0, false };
	struct sdp_parsed p;
	struct sdp_mline *stream;
	struct sdp_image remote;
	struct sdp_t38 a;
	unsigned i;
	int family, r;

	r = check_local(l, &family);
	if (r < 0)
		return r;
	r = check_t38(ours);
	if (r < 0)
		return r;
	if (!buf || !len)
		return -ENOBUFS;
	r = sdp_parse_all(offer, &p);
	if (r < 0)
		return r;
	stream = sdp_image_stream(&p);
	if (!stream)
		return -ENOMEDIUM;
	r = image_fill(&p, stream, &remote);
	if (r < 0)
		return r;
	a = (struct sdp_t38) {
		.version = remote.t38.version < ours->version ?
			   remote.t38.version : ours->version,
		.max_bitrate = remote.t38.max_bitrate < ours->max_bitrate ?
			       remote.t38.max_bitrate : ours->max_bitrate,
		.rate = remote.t38.rate,
		.max_buffer = ours->max_buffer,
		.max_datagram = ours->max_datagram,
		.ec = remote.t38.ec == SDP_T38_EC_NONE ? SDP_T38_EC_NONE :
		      ours->ec == SDP_T38_EC_NONE ? SDP_T38_EC_NONE :
		      SDP_T38_EC_REDUNDANCY,
		.fill_bit_removal = remote.t38.fill_bit_removal &&
				    ours->fill_bit_removal,
		.transcoding_mmr = remote.t38.transcoding_mmr &&
				   ours->transcoding_mmr,
		.transcoding_jbig = remote.t38.transcoding_jbig &&
				    ours->transcoding_jbig,
	};
	sb_session(&b, l, family);
	for (i = 0; i < p.n_m; i++) {
		struct sdp_mline *m = &p.m[i];

		if (m == stream)
			sb_t38(&b, l->rtp_port, &a);
		else
			sb_printf(&b, "m=%s 0 %s %s\r\n", m->media, m->proto,
				  m->first_fmt);
	}
	r = sb_finish(&b);
	if (r >= 0 && ret_remote) {
		/* what the session runs with; the remote's sizes kept */
		a.max_buffer = remote.t38.max_buffer;
		a.max_datagram = remote.t38.max_datagram;
		remote.t38 = a;
		*ret_remote = remote;
	}
	return r;
}
