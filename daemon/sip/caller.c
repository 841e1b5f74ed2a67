// SPDX-License-Identifier: GPL-2.0-only
/*
 * caller.c - anonymity and Alert-Info of an incoming INVITE, read from
 * the message text (see caller.h).  libosip2 keeps only the Alert-Info
 * values in angle brackets and silently drops the bare forms providers
 * send ("info=alert-group", "Bellcore-dr2"), so the header lines are read
 * here from the text itself.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/caller.h"

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool token_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || (ch && strchr("-._~!*'+%:", ch));
}

/* @s[0..n) trimmed of blanks on both sides. */
static void trim(const char **s, size_t *n)
{
	while (*n && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && blank((*s)[*n - 1]))
		(*n)--;
}

/* Add @s[0..n) to @out as one token when it is one and fits. */
static bool add_token(const char *s, size_t n, char *out, size_t outlen,
		      size_t *pos)
{
	size_t i, need;

	trim(&s, &n);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n == 0 || n > SIP_ALERT_TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!token_char(s[i]))
			return false;
	need = (*pos ? 1 : 0) + n;
	if (*pos + need + 1 > outlen)
		return false;
	if (*pos)
		out[(*pos)++] = ' ';
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return true;
}

/* The value of parameter "info" in the ";"-separated @p[0..n), or NULL. */
static const char *info_param(const char *p, size_t n, size_t *ret_n)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i, end, klen;
		const char *k;
		bool quoted = false;

		for (end = i; end < n && (quoted || p[end] != ';'); end++)
			if (p[end] == '"')
				quoted = !quoted;
		k = p + start;
		klen = end - start;
		trim(&k, &klen);
		if (klen > 5 && strncasecmp(k, "info", 4) == 0) {
			const char *v = k + 4;
			size_t vlen = klen - 4;

			trim(&v, &vlen);
			if (vlen && v[0] == '=') {
				v++;
				vlen--;
				trim(&v, &vlen);
				*ret_n = vlen;
				return v;
			}
		}
		i = end + 1;
	}
	return NULL;
}

/* The token of one Alert-Info value @v[0..n) into @out (see caller.h). */
static bool value_token(const char *v, size_t n, char *out, size_t outlen,
			size_t *pos)
{
	const char *uri = NULL, *params, *info;
	size_t urilen = 0, plen, ilen;

	trim(&v, &n);
	if (n && v[0] == '<') {
		const char *gt = memchr(v, '>', n);

		if (!gt)
			return false;
		uri = v + 1;
		urilen = (size_t)(gt - uri);
		params = gt + 1;
		plen = n - (size_t)(params - v);
	} else {
		/* bare: a token, or parameters only ("info=...") */
		const char *semi = memchr(v, ';', n), *eq = memchr(v, '=', n);

		if (eq && (!semi || eq < semi)) {
			params = v;
			plen = n;
		} else {
			uri = v;
			urilen = semi ? (size_t)(semi - v) : n;
			params = uri + urilen;
			plen = n - urilen;
		}
	}
	info = info_param(params, plen, &ilen);
	if (info)
		return add_token(info, ilen, out, outlen, pos);
	if (!uri)
		return false;
	trim(&uri, &urilen);
	if (urilen > 10 && strncasecmp(uri, "urn:alert:", 10) == 0)
		return add_token(uri, urilen, out, outlen, pos);
	if ((urilen > 7 && strncasecmp(uri, "http://", 7) == 0) ||
	    (urilen > 8 && strncasecmp(uri, "https://", 8) == 0)) {
		const char *host = memchr(uri, '/', urilen) + 2;
		const char *end = uri + urilen, *slash, *seg;

		/* the path's last segment, without a query or fragment */
		for (seg = host; seg < end && *seg != '?' && *seg != '#'; seg++)
			;
		end = seg;
		slash = NULL;
		for (seg = host; seg < end; seg++)
			if (*seg == '/')
				slash = seg;
		if (!slash)
			return false;
		return add_token(slash + 1, (size_t)(end - slash - 1), out,
				 outlen, pos);
	}
	return add_token(uri, urilen, out, outlen, pos);
}

/* The comma-separated values of one header's value @v[0..n). */
static void header_tokens(const char *v, size_t n, char *out, size_t outlen,
			  size_t *pos, int *count)
{
	size_t i = 0;

	while (i < n && *count < SIP_ALERT_TOKENS_MAX) {
		size_t start = i;
		bool quoted = false, angle = false;

		for (; i < n; i++) {
			if (v[i] == '"' && !angle)
				quoted = !quoted;
			else if (v[i] == '<' && !quoted)
				angle = true;
			else if (v[i] == '>' && !quoted)
				angle = false;
			else if (v[i] == ',' && !quoted && !angle)
				break;
		}
		if (value_token(v + start, i - start, out, outlen, pos))
			(*count)++;
		i++;
	}
}

int alert_info_tokens(const char *msg, size_t len, char *out, size_t outlen)
{
	/* one header's value, folded lines joined by a blank */
	char value[1024];
	size_t pos = 0, vlen = 0, i = 0;
	bool in_alert = false, overlong = false;
	int count = 0;

	if (!out || !outlen)
		return -EINVAL;
	out[0] = '\0';
	if (!msg)
		return 0;
	/* past the start line */
	while (i < len && msg[i] != '\n')
		i++;
	i++;
	while (i < len) {
		size_t start = i, end;

		while (i < len && msg[i] != '\n')
			i++;
		end = i;
		i++;
		if (end > start && msg[end - 1] == '\r')
			end--;
		if (end > start && blank(msg[start])) {
			/* a folded line continues the header before it */
			if (in_alert && !overlong) {
				if (vlen + 1 + (end - start) > sizeof(value))
					overlong = true;
				else {
					value[vlen++] = ' ';
					memcpy(value + vlen, msg + start,
					       end - start);
					vlen += end - start;
				}
			}
			continue;
		}
		if (in_alert && !overlong)
			header_tokens(value, vlen, out, outlen, &pos, &count);
		in_alert = false;
		if (end == start)
			break;	/* the end of the header block */
		if (end - start > 10 &&
		    strncasecmp(msg + start, "Alert-Info", 10) == 0) {
			const char *p = msg + start + 10;

			while (p < msg + end && blank(*p))
				p++;
			if (p < msg + end && *p == ':') {
				p++;
				vlen = (size_t)(msg + end - p);
				overlong = vlen > sizeof(value);
				if (!overlong)
					memcpy(value, p, vlen);
				in_alert = true;
			}
		}
	}
	if (in_alert && !overlong)
		header_tokens(value, vlen, out, outlen, &pos, &count);
	return count;
}

/* Whether the Privacy value @p holds "id" or "header" (RFC 3323 4.2). */
static bool privacy_hides(const char *p)
{
	while (p && *p) {
		size_t n;

		while (*p == ';' || *p == ',' || blank(*p))
			p++;
		n = strcspn(p, ";, \t");
		if ((n == 2 && strncasecmp(p, "id", 2) == 0) ||
		    (n == 6 && strncasecmp(p, "header", 6) == 0))
			return true;
		p += n;
	}
	return false;
}

bool caller_is_anonymous(const char *from_user, const char *from_host,
			 const char *privacy, bool has_pai)
{
	if (from_user && strcasecmp(from_user, "anonymous") == 0)
		return true;
	if (from_host && strcasecmp(from_host, "anonymous.invalid") == 0)
		return true;
	return !has_pai && privacy_hides(privacy);
}
