/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unit.h - the daemon's unit test framework: pure code, no I/O.
 *
 * A test file defines cases with UNIT_TEST(name) { ... } and assertions
 * with CHECK(cond, fmt, ...): a failed CHECK records "file:line: message"
 * and ends the case.  Cases register themselves at load time; unit_main.c
 * runs them all (or those whose name contains argv[1]) and ends with the
 * line "N passed, M failed".
 */
#ifndef FXS_UNIT_H
#define FXS_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
	struct unit_case *next;
};

void unit_register(struct unit_case *c);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int unit_failed(void);

#define UNIT_TEST(n)							\
	static void unit_fn_##n(void);					\
	static struct unit_case unit_case_##n = { #n, unit_fn_##n, NULL }; \
	__attribute__((constructor)) static void unit_reg_##n(void)	\
	{								\
		unit_register(&unit_case_##n);				\
	}								\
	static void unit_fn_##n(void)

/* Assert @cond; on failure record the formatted message and return. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			unit_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			return;						\
		}							\
	} while (0)

#define CHECK_STR(got, want)						\
	CHECK(strcmp((got), (want)) == 0, "%s: got \"%s\", want \"%s\"", \
	      #got, (got), (want))

#define CHECK_INT(got, want)						\
	CHECK((long long)(got) == (long long)(want),			\
	      "%s: got %lld, want %lld", #got, (long long)(got),	\
	      (long long)(want))

#endif /* FXS_UNIT_H */
