// SPDX-License-Identifier: GPL-2.0-only
/* confedit.c - the configuration file as text, see confedit.h */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confedit.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* One line of the text, without its line break; NUL-terminated copy. */
struct cline {
	char buf[CONFIG_LINE_MAX + 2];
	const char *next;	/* the next line's start */
};

static bool next_line(const char **pos, const char *end, struct cline *l)
{
	const char *s = *pos, *nl;
	size_t n;

	if (s >= end)
		return false;
	nl = memchr(s, '\n', end - s);
	n = (nl ? nl : end) - s;
	if (n && s[n - 1] == '\r')
		n--;
	if (n > CONFIG_LINE_MAX + 1)
		n = CONFIG_LINE_MAX + 1;
	memcpy(l->buf, s, n);
	l->buf[n] = '\0';
	*pos = nl ? nl + 1 : end;
	return true;
}

/* "[ port  1 ]" -> "port 1" into @name; false when @s is no header. */
static bool header_name(const char *s, char *name, size_t size)
{
	const char *close;
	size_t n = 0;

	while (blank(*s))
		s++;
	if (*s != '[')
		return false;
	close = strchr(s, ']');
	if (!close)
		return false;
	for (s++; s < close; s++) {
		if (blank(*s)) {
			if (n && name[n - 1] != ' ' && n + 1 < size)
				name[n++] = ' ';
		} else if (n + 1 < size) {
			name[n++] = *s;
		}
	}
	if (n && name[n - 1] == ' ')
		n--;
	name[n] = '\0';
	return true;
}

/*
 * "key = value": the key into @key and the unquoted value into @value
 * (both at least CONFIG_LINE_MAX + 2 bytes); false for other lines.
 */
static bool assignment(const char *s, char *key, char *value)
{
	const char *eq, *e;
	size_t n = 0;

	while (blank(*s))
		s++;
	if (!*s || *s == '#' || *s == ';' || *s == '[')
		return false;
	eq = strchr(s, '=');
	if (!eq)
		return false;
	for (e = eq; e > s && blank(e[-1]); e--)
		;
	if (e == s || e - s > CONFEDIT_NAME_MAX)
		return false;
	memcpy(key, s, e - s);
	key[e - s] = '\0';
	for (s = eq + 1; blank(*s); s++)
		;
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			value[n++] = *s;
		}
	} else {
		for (; *s; s++) {
			if ((*s == '#' || *s == ';') && (!n || blank(s[-1])))
				break;
			value[n++] = *s;
		}
		while (n && blank(value[n - 1]))
			n--;
	}
	value[n] = '\0';
	return true;
}

int confedit_scan(const char *text, size_t len, confedit_fn fn, void *ud)
{
	static struct cline l;
	static char key[CONFIG_LINE_MAX + 2], value[CONFIG_LINE_MAX + 2];
	char section[CONFEDIT_NAME_MAX + 1] = "";
	const char *pos = text, *end = text + len;
	unsigned line = 0;
	int r;

	while (next_line(&pos, end, &l)) {
		line++;
		if (header_name(l.buf, section, sizeof(section)))
			continue;
		if (!assignment(l.buf, key, value))
			continue;
		r = fn(section, key, value, line, ud);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool valid_name(const char *s, bool spaces)
{
	size_t n = strlen(s), i;

	if (!n || n > CONFEDIT_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!name_char(s[i]) &&
		    !(spaces && s[i] == ' ' && i && i + 1 < n && s[i + 1] != ' '))
			return false;
	return true;
}

/* "key = value\n", the value quoted when it needs it */
static void put_assignment(FILE *f, const char *key, const char *value)
{
	bool quote = blank(value[0]) || blank(value[strlen(value) - 1]) ||
		     strpbrk(value, "#;\"\\") != NULL;
	const char *s;

	fprintf(f, "%s = ", key);
	if (!quote) {
		fprintf(f, "%s\n", value);
		return;
	}
	fputc('"', f);
	for (s = value; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputs("\"\n", f);
}

int confedit_set(const char *text, size_t len, const char *section,
		 const char *key, const char *value, char **ret)
{
	static struct cline l;
	static char k[CONFIG_LINE_MAX + 2], v[CONFIG_LINE_MAX + 2];
	char cur[CONFEDIT_NAME_MAX + 1] = "";
	const char *pos = text, *end = text + len, *s, *after = NULL;
	const char *start, *key_line = NULL, *key_next = NULL;
	bool in = false, have_section = false;
	char *out = NULL;
	size_t out_len;
	FILE *f;

	if (!valid_name(key, false) || !valid_name(section, true))
		return -EINVAL;
	if (strlen(value) > CONFIG_LINE_MAX - strlen(key) - 8)
		return -EINVAL;
	for (s = value; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return -EINVAL;
	/* where the key is, or the end of the section's last assignment */
	for (start = pos; next_line(&pos, end, &l); start = pos) {
		if (header_name(l.buf, cur, sizeof(cur))) {
			in = !strcmp(cur, section);
			if (in) {
				have_section = true;
				after = pos;
			}
			continue;
		}
		if (!in || !assignment(l.buf, k, v))
			continue;
		after = pos;
		if (!strcmp(k, key) && !key_line) {
			key_line = start;
			key_next = pos;
		}
	}
	f = open_memstream(&out, &out_len);
	if (!f)
		return -ENOMEM;
	if (key_line) {
		fwrite(text, 1, key_line - text, f);
		if (*value)
			put_assignment(f, key, value);
		fwrite(key_next, 1, end - key_next, f);
	} else if (!*value) {
		fwrite(text, 1, len, f);
	} else if (have_section && after) {
		fwrite(text, 1, after - text, f);
		if (after > text && after[-1] != '\n')
			fputc('\n', f);
		put_assignment(f, key, value);
		fwrite(after, 1, end - after, f);
	} else {
		fwrite(text, 1, len, f);
		if (len && text[len - 1] != '\n')
			fputc('\n', f);
		fprintf(f, "%s[%s]\n", len ? "\n" : "", section);
		put_assignment(f, key, value);
	}
	if (fclose(f) || !out) {
		free(out);
		return -ENOMEM;
	}
	*ret = out;
	return 0;
}

bool confedit_secret(const char *key)
{
	return strstr(key, "password") != NULL;
}
