// SPDX-License-Identifier: GPL-2.0-only
/* profile.c - provisioning's pure parts, see profile.h */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl/profile.h"

static bool unreserved(unsigned char ch)
{
	return isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

/* Append @s percent-encoded; false when it does not fit. */
static bool put_encoded(char *buf, size_t len, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (unreserved(ch)) {
			if (*pos + 1 >= len)
				return false;
			buf[(*pos)++] = (char)ch;
		} else {
			if (*pos + 3 >= len)
				return false;
			buf[(*pos)++] = '%';
			buf[(*pos)++] = hex[ch >> 4];
			buf[(*pos)++] = hex[ch & 15];
		}
	}
	return true;
}

int profile_expand_url(const char *tmpl, const char *mac, const char *serial,
		       int port, char *buf, size_t len)
{
	size_t pos = 0;
	const char *t;

	if (!tmpl || !buf || len == 0)
		return -EINVAL;
	for (t = tmpl; *t; t++) {
		const char *value = NULL;
		char num[16];

		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			if (pos + 1 >= len)
				return -ENOBUFS;
			buf[pos++] = *t++;
			continue;
		}
		if (*t == '}')
			return -EINVAL;
		if (*t != '{') {
			if (pos + 1 >= len)
				return -ENOBUFS;
			buf[pos++] = *t;
			continue;
		}
		if (strncmp(t, "{mac}", 5) == 0) {
			value = mac;
			t += 4;
		} else if (strncmp(t, "{serial}", 8) == 0) {
			value = serial;
			t += 7;
		} else if (strncmp(t, "{port}", 6) == 0) {
			if (port >= 0) {
				snprintf(num, sizeof(num), "%d", port);
				value = num;
			}
			t += 5;
		} else {
			return -EINVAL;
		}
		if (!value || !*value)
			return -ENODATA;
		if (!put_encoded(buf, len, &pos, value))
			return -ENOBUFS;
	}
	buf[pos] = '\0';
	return 0;
}

void profile_url_redact(const char *url, char *buf, size_t len)
{
	const char *auth, *end, *at;

	if (!buf || len == 0)
		return;
	if (!url) {
		buf[0] = '\0';
		return;
	}
	auth = strstr(url, "://");
	if (!auth) {
		snprintf(buf, len, "%s", url);
		return;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	/* the last '@' of the authority ends the user information */
	while (at) {
		const char *next = memchr(at + 1, '@', (size_t)(end - at - 1));

		if (!next)
			break;
		at = next;
	}
	if (!at) {
		snprintf(buf, len, "%s", url);
		return;
	}
	snprintf(buf, len, "%.*s%s", (int)(auth - url), url, at + 1);
}

uint64_t profile_backoff_ms(unsigned failures, unsigned min_s, unsigned max_s,
			    uint32_t rnd)
{
	uint64_t d, half;
	unsigned i;

	if (failures == 0)
		return 0;
	if (min_s == 0)
		min_s = 1;
	if (max_s < min_s)
		max_s = min_s;
	d = min_s;
	for (i = 1; i < failures && d < max_s; i++)
		d *= 2;
	if (d > max_s)
		d = max_s;
	d *= 1000;
	half = d / 2;
	return d - half + rnd % (half + 1);
}

/* @line (@len bytes) begins with @name and a colon: the value's start. */
static const char *header_value(const char *line, size_t len,
				const char *name, size_t *ret_len)
{
	size_t n = strlen(name), s, e;

	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	s = n + 1;
	e = len;
	while (e > s && (line[e - 1] == '\r' || line[e - 1] == '\n' ||
			 line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	while (s < e && (line[s] == ' ' || line[s] == '\t'))
		s++;
	*ret_len = e - s;
	return line + s;
}

static void keep(char *dst, size_t size, const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n >= size)
		return;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int profile_header_line(const char *line, size_t len,
			struct profile_validators *v)
{
	const char *val;
	size_t n;

	if (!line || !v)
		return 0;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		v->etag[0] = '\0';
		v->last_modified[0] = '\0';
		return 1;
	}
	if ((val = header_value(line, len, "etag", &n)))
		keep(v->etag, sizeof(v->etag), val, n);
	else if ((val = header_value(line, len, "last-modified", &n)))
		keep(v->last_modified, sizeof(v->last_modified), val, n);
	return 0;
}

int profile_format_mac(const unsigned char *addr, size_t n, char *buf,
		       size_t len)
{
	size_t i;

	if (!addr || !buf || len < 2 * n + 1)
		return -ENOBUFS;
	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", addr[i]);
	buf[2 * n] = '\0';
	return 0;
}

int profile_first_line(const char *text, char *buf, size_t len)
{
	size_t s = 0, e;

	if (!text || !buf || len == 0)
		return -EINVAL;
	while (text[s] == ' ' || text[s] == '\t')
		s++;
	e = s + strcspn(text + s, "\r\n");
	while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t'))
		e--;
	if (e == s)
		return -ENODATA;
	if (e - s >= len)
		return -ENOBUFS;
	memcpy(buf, text + s, e - s);
	buf[e - s] = '\0';
	return 0;
}
