// SPDX-License-Identifier: GPL-2.0-only
/*
 * mwi.c - the message-summary body of RFC 3842 5.2 (see mwi.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "sip/mwi.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* @s..@e without leading and trailing blanks (and a CR at the end). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && blank(**s))
		(*s)++;
	while (*e > *s && (blank((*e)[-1]) || (*e)[-1] == '\r'))
		(*e)--;
}

static bool span_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

/* A count at *@p (blanks before it skipped); advances *@p past it. */
static int count(const char **p, const char *e, unsigned *ret)
{
	const char *s = *p;
	unsigned v = 0;
	int digits = 0;

	while (s < e && blank(*s))
		s++;
	for (; s < e && *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (++digits > 6 || v > SIP_MWI_COUNT_MAX)
			return -EBADMSG;
	}
	if (!digits)
		return -EBADMSG;
	*p = s;
	*ret = v;
	return 0;
}

/* Expect @c at *@p (blanks before it skipped). */
static int expect(const char **p, const char *e, char c)
{
	const char *s = *p;

	while (s < e && blank(*s))
		s++;
	if (s == e || *s != c)
		return -EBADMSG;
	*p = s + 1;
	return 0;
}

/* "new/old [(urgent_new/urgent_old)]": the four counts. */
static int summary(const char *s, const char *e, unsigned v[4])
{
	v[2] = v[3] = 0;
	if (count(&s, e, &v[0]) < 0 || expect(&s, e, '/') < 0 ||
	    count(&s, e, &v[1]) < 0)
		return -EBADMSG;
	while (s < e && blank(*s))
		s++;
	if (s == e)
		return 0;
	if (expect(&s, e, '(') < 0 || count(&s, e, &v[2]) < 0 ||
	    expect(&s, e, '/') < 0 || count(&s, e, &v[3]) < 0 ||
	    expect(&s, e, ')') < 0)
		return -EBADMSG;
	while (s < e && blank(*s))
		s++;
	return s == e ? 0 : -EBADMSG;
}

int mwi_parse(const char *body, size_t len, struct sip_mwi *ret)
{
	static const char *const classes[] = {
		"Voice-Message", "Fax-Message", "Pager-Message",
		"Multimedia-Message", "Text-Message", "None",
	};
	const char *p = body, *end = body + len;
	bool have_status = false, have_account = false;
	unsigned seen = 0, i;

	if (!body || len > SIP_MWI_BODY_MAX || memchr(body, '\0', len))
		return -EBADMSG;
	memset(ret, 0, sizeof(*ret));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl ? nl : end, *colon, *ns, *ne, *vs, *ve;

		p = nl ? nl + 1 : end;
		ve = le;
		trim(&ls, &ve);
		if (ls == ve) {
			if (have_status)
				break;	/* the optional message headers follow */
			continue;	/* blank lines before the status line */
		}
		colon = memchr(ls, ':', (size_t)(ve - ls));
		if (!colon)
			return -EBADMSG;
		ns = ls;
		ne = colon;
		vs = colon + 1;
		trim(&ns, &ne);
		trim(&vs, &ve);
		if (ns == ne)
			return -EBADMSG;
		if (span_is(ns, ne, "Messages-Waiting")) {
			if (have_status)
				return -EBADMSG;
			if (span_is(vs, ve, "yes"))
				ret->waiting = true;
			else if (!span_is(vs, ve, "no"))
				return -EBADMSG;
			have_status = true;
			continue;
		}
		if (span_is(ns, ne, "Message-Account")) {
			size_t n = (size_t)(ve - vs);

			if (have_account || n == 0 ||
			    n >= sizeof(ret->account))
				return -EBADMSG;
			memcpy(ret->account, vs, n);
			ret->account[n] = '\0';
			have_account = true;
			continue;
		}
		for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
			unsigned v[4];

			if (!span_is(ns, ne, classes[i]))
				continue;
			if (seen & (1u << i) || summary(vs, ve, v) < 0)
				return -EBADMSG;
			seen |= 1u << i;
			if (i == 0) {
				ret->voice = true;
				ret->new_msgs = v[0];
				ret->old_msgs = v[1];
				ret->urgent_new = v[2];
				ret->urgent_old = v[3];
			}
			break;
		}
		/* any other header: an extension, ignored */
	}
	return have_status ? 0 : -EBADMSG;
}
