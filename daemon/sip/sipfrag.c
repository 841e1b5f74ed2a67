// SPDX-License-Identifier: GPL-2.0-only
/*
 * sipfrag.c - what transfer reads and writes: the status line of a
 * message/sipfrag body, Refer-To and Replaces values (see sipfrag.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sip/sipfrag.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int sipfrag_status(const char *body, size_t len, int *ret_code)
{
	const char *p = body, *end = body + len;
	int code = 0, i;

	if (!body || len > SIP_SIPFRAG_MAX || memchr(body, '\0', len))
		return -EBADMSG;
	if (len < 11 || strncasecmp(p, "SIP/2.0 ", 8) != 0)
		return -EBADMSG;
	p += 8;
	for (i = 0; i < 3; i++, p++) {
		if (*p < '0' || *p > '9')
			return -EBADMSG;
		code = code * 10 + (*p - '0');
	}
	if (code < 100 || code > 699)
		return -EBADMSG;
	if (p < end && *p != ' ' && *p != '\r' && *p != '\n')
		return -EBADMSG;
	/* the reason phrase: no control characters up to the line end */
	for (; p < end && *p != '\r' && *p != '\n'; p++)
		if (is_ctl((unsigned char)*p) && *p != '\t')
			return -EBADMSG;
	if (p < end && *p == '\r' && (p + 1 == end || p[1] != '\n'))
		return -EBADMSG;
	*ret_code = code;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @s..@e %-unescaped into @out; no NUL or control character may result. */
static int unescape(const char *s, const char *e, char *out, size_t len)
{
	size_t n = 0;

	for (; s < e; s++) {
		char c = *s;

		if (c == '%') {
			int h, l;

			if (e - s < 3 || (h = hexval(s[1])) < 0 ||
			    (l = hexval(s[2])) < 0)
				return -EBADMSG;
			c = (char)(h * 16 + l);
			s += 2;
		}
		if (is_ctl((unsigned char)c))
			return -EBADMSG;
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

int refer_to_parse(const char *value, char *uri, size_t urilen,
		   char *replaces, size_t replen)
{
	const char *s, *e, *lt, *gt, *q, *p;
	bool have_replaces = false;
	size_t n;

	if (!value || !uri || !urilen || !replaces || !replen)
		return -EINVAL;
	n = strnlen(value, SIP_REFER_TO_MAX + 1);
	if (n > SIP_REFER_TO_MAX)
		return -ENAMETOOLONG;
	s = value;
	e = value + n;
	while (s < e && blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		e--;
	lt = memchr(s, '<', (size_t)(e - s));
	if (lt) {
		gt = memchr(lt, '>', (size_t)(e - lt));
		if (!gt)
			return -EBADMSG;
		/* a display name before '<': a quoted string or tokens */
		for (p = s; p < lt; p++)
			if (*p == '>' || is_ctl((unsigned char)*p))
				return -EBADMSG;
		s = lt + 1;
		e = gt;
	} else {
		/* addr-spec: its ';' parameters belong to the header */
		p = memchr(s, ';', (size_t)(e - s));
		if (p)
			e = p;
	}
	if (s == e)
		return -EBADMSG;
	for (p = s; p < e; p++)
		if (blank(*p) || *p == '<' || *p == '>' || *p == '"' ||
		    is_ctl((unsigned char)*p))
			return -EBADMSG;
	if (!((e - s > 4 && strncasecmp(s, "sip:", 4) == 0) ||
	      (e - s > 5 && strncasecmp(s, "sips:", 5) == 0) ||
	      (e - s > 4 && strncasecmp(s, "tel:", 4) == 0)))
		return -EBADMSG;
	q = memchr(s, '?', (size_t)(e - s));
	n = (size_t)((q ? q : e) - s);
	if (n >= urilen)
		return -ENAMETOOLONG;
	memcpy(uri, s, n);
	uri[n] = '\0';
	replaces[0] = '\0';
	for (p = q ? q + 1 : e; p < e;) {
		const char *amp = memchr(p, '&', (size_t)(e - p));
		const char *he = amp ? amp : e;
		const char *eq = memchr(p, '=', (size_t)(he - p));
		int r;

		if (!eq || eq == p)
			return -EBADMSG;
		if (eq - p == 8 && strncasecmp(p, "Replaces", 8) == 0) {
			if (have_replaces)
				return -EBADMSG;
			r = unescape(eq + 1, he, replaces, replen);
			if (r < 0)
				return r;
			have_replaces = true;
		}
		p = amp ? amp + 1 : e;
	}
	return 0;
}

/* A token of @s..@e up to a blank, ';' or '='; copied into @out. */
static const char *word(const char *s, const char *e, char *out, size_t len,
			int *err)
{
	const char *t = s;

	while (t < e && !blank(*t) && *t != ';' && *t != '=')
		t++;
	if (t == s) {
		*err = -EBADMSG;
		return t;
	}
	if (out) {
		if ((size_t)(t - s) >= len) {
			*err = -ENAMETOOLONG;
			return t;
		}
		memcpy(out, s, (size_t)(t - s));
		out[t - s] = '\0';
	}
	return t;
}

static const char *skip_blanks(const char *s, const char *e)
{
	while (s < e && blank(*s))
		s++;
	return s;
}

int replaces_parse(const char *value, struct sip_replaces *ret)
{
	const char *s, *e;
	bool to = false, from = false;
	size_t n;
	int err = 0;

	if (!value || !ret)
		return -EINVAL;
	n = strnlen(value, SIP_REPLACES_MAX + 1);
	if (n > SIP_REPLACES_MAX)
		return -ENAMETOOLONG;
	memset(ret, 0, sizeof(*ret));
	s = skip_blanks(value, value + n);
	e = value + n;
	while (e > s && blank(e[-1]))
		e--;
	for (const char *p = s; p < e; p++)
		if (is_ctl((unsigned char)*p) || *p == '"' || *p == '<' ||
		    *p == '>' || *p == ',')
			return -EBADMSG;
	s = word(s, e, ret->call_id, sizeof(ret->call_id), &err);
	if (err)
		return err;
	while ((s = skip_blanks(s, e)) < e) {
		char name[32], val[SIP_REPLACES_FIELD];
		bool has_val = false;

		if (*s != ';')
			return -EBADMSG;
		s = skip_blanks(s + 1, e);
		s = word(s, e, name, sizeof(name), &err);
		if (err == -ENAMETOOLONG) {	/* an unknown long name */
			err = 0;
			name[0] = '\0';
		}
		if (err)
			return err;
		s = skip_blanks(s, e);
		if (s < e && *s == '=') {
			s = skip_blanks(s + 1, e);
			s = word(s, e, val, sizeof(val), &err);
			if (err)
				return err;
			has_val = true;
		}
		if (strcasecmp(name, "to-tag") == 0) {
			if (to || !has_val)
				return -EBADMSG;
			memcpy(ret->to_tag, val, sizeof(val));
			to = true;
		} else if (strcasecmp(name, "from-tag") == 0) {
			if (from || !has_val)
				return -EBADMSG;
			memcpy(ret->from_tag, val, sizeof(val));
			from = true;
		} else if (strcasecmp(name, "early-only") == 0) {
			if (has_val)
				return -EBADMSG;
			ret->early_only = true;
		}
	}
	return to && from ? 0 : -EBADMSG;
}

static bool unreserved(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-_.!~*'()", c));
}

/* Append @s escaped to @out at *@pos. */
static int put_escaped(const char *s, char *out, size_t len, size_t *pos)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved((char)c)) {
			if (*pos + 1 >= len)
				return -ENAMETOOLONG;
			out[(*pos)++] = (char)c;
		} else {
			if (*pos + 3 >= len)
				return -ENAMETOOLONG;
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
	return 0;
}

int replaces_escape(const char *call_id, const char *to_tag,
		    const char *from_tag, char *out, size_t len)
{
	size_t pos = 0;

	if (!len)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (put_escaped(call_id, out, len, &pos) < 0 ||
	    put_escaped(";to-tag=", out, len, &pos) < 0 ||
	    put_escaped(to_tag, out, len, &pos) < 0 ||
	    put_escaped(";from-tag=", out, len, &pos) < 0 ||
	    put_escaped(from_tag, out, len, &pos) < 0)
		return -ENAMETOOLONG;
	return 0;
}
