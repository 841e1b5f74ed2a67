/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - small helpers shared by the libFuzzer targets in tests/fuzz.
 */
#ifndef FXS_FUZZ_H
#define FXS_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated heap copy of @size bytes (ASan sees every overread). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A failed property: abort, so libFuzzer saves the input. */
#define fuzz_assert(cond)                                                     \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

#endif /* FXS_FUZZ_H */
