/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ncc.h - normalised cross-correlation, shared by the tests that find a
 * known signal in a recording (tests/daemon/analyze.c, line_test.c).
 */
#ifndef FXS_TEST_NCC_H
#define FXS_TEST_NCC_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Normalised cross-correlation of @a and @b over @n samples: -1..1. */
static inline double ncc(const int16_t *a, const int16_t *b, size_t n)
{
	double ab = 0, aa = 0, bb = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

#endif
