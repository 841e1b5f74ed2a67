// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_confedit.c - libFuzzer target: the configuration file as text
 * (daemon/confedit.c), what EditConfig and ReadConfig make of a file
 * an administrator wrote.
 *
 * The input is a file, up to its first NUL (as fxsd reads it).  Checked besides memory safety: after setting
 * [port 0] user to a value that needs quoting, the first user key of a
 * [port 0] reads back as that value; after removing it, there is one
 * user key fewer in the [port 0] sections (none removed when there was
 * none).
 */
#include <stdio.h>

#include "confedit.h"

#include "fuzz.h"

#define VALUE "a \"b\" #c; \\d "

struct count {
	unsigned n;
	const char *first;	/* a copy of the first value */
	char buf[256];
};

static int count_user(const char *section, const char *key,
		      const char *value, unsigned line, void *ud)
{
	struct count *c = ud;

	(void)line;
	if (strcmp(section, "port 0") || strcmp(key, "user"))
		return 0;
	if (!c->n++) {
		snprintf(c->buf, sizeof(c->buf), "%s", value);
		c->first = c->buf;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct count before = { 0 }, after = { 0 };
	char *text = fuzz_strndup(data, size), *out = NULL;

	size = strlen(text);
	confedit_scan(text, size, count_user, &before);
	if (confedit_set(text, size, "port 0", "user", VALUE, &out) == 0) {
		confedit_scan(out, strlen(out), count_user, &after);
		fuzz_assert(after.n >= 1 && !strcmp(after.first, VALUE));
		free(out);
	}
	memset(&after, 0, sizeof(after));
	if (confedit_set(text, size, "port 0", "user", "", &out) == 0) {
		confedit_scan(out, strlen(out), count_user, &after);
		fuzz_assert(after.n == (before.n ? before.n - 1 : 0));
		free(out);
	}
	free(text);
	return 0;
}
