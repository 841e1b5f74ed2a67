// SPDX-License-Identifier: GPL-2.0-only
/* unit_main.c - runs every registered unit test case. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static struct unit_case *cases;
static struct unit_case **tail = &cases;
static char failure[1024];
static int failed;

void unit_register(struct unit_case *c)
{
	*tail = c;
	tail = &c->next;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	int n;
	va_list ap;

	failed = 1;
	n = snprintf(failure, sizeof(failure), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(failure + n, sizeof(failure) - n, fmt, ap);
	va_end(ap);
}

int unit_failed(void)
{
	return failed;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int pass = 0, fail = 0, n = 0;
	struct unit_case *c;

	for (c = cases; c; c = c->next) {
		if (filter && !strstr(c->name, filter))
			continue;
		failed = 0;
		failure[0] = '\0';
		c->fn();
		n++;
		if (failed) {
			printf("not ok %d %s: %s\n", n, c->name, failure);
			fail++;
		} else {
			printf("ok %d %s\n", n, c->name);
			pass++;
		}
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
