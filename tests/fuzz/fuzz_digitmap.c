// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_digitmap.c - libFuzzer target: digit maps (daemon/line/digitmap.c),
 * the dial plan a user writes in the configuration file, and the digits
 * dialled against it.
 *
 * Input: the map, then optionally a NUL byte and the dialled symbols.
 * The map is compiled with digitmap_parse(); every prefix of the dialled
 * symbols is classified with digitmap_match(), with and without an
 * expired timer.
 *
 * Checked besides memory safety: the error message of a refused map is
 * NUL-terminated; MATCH comes with a number of symbols 0-9 * # (empty
 * when a substitution removed every symbol: line.c then fails the call)
 * that fits DIGITMAP_NUMBER_MAX, any other result with ""; nothing
 * dialled is PARTIAL; else with an expired timer the answer is MATCH or
 * NOMATCH only.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "line/digitmap.h"

static void check(const struct digitmap *dm, const char *digits, bool timer)
{
	char number[DIGITMAP_NUMBER_MAX];
	enum digitmap_result r;
	size_t n;

	memset(number, 'z', sizeof(number));
	r = digitmap_match(dm, digits, timer, number, sizeof(number));
	fuzz_assert(r >= 0 && r < _DIGITMAP_RESULT_MAX);
	n = strnlen(number, sizeof(number));
	fuzz_assert(n < sizeof(number));
	if (r == DIGITMAP_MATCH) {
		/* may be "": "<9:>" strips all (see dm_subst_after_repeat) */
		fuzz_assert(strspn(number, "0123456789*#") == n);
	} else {
		fuzz_assert(n == 0);
	}
	if (!digits[0])
		fuzz_assert(r == DIGITMAP_PARTIAL);	/* never complete */
	else if (timer)
		fuzz_assert(r == DIGITMAP_MATCH || r == DIGITMAP_NOMATCH);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	struct digitmap *dm = NULL;
	char err[128];
	char *map, *digits;
	size_t i, n;

	if (size > 4 * DIGITMAP_SPEC_MAX)
		return 0;
	map = fuzz_strndup(data, mlen);
	digits = nul ? fuzz_strndup(nul + 1, size - mlen - 1) : fuzz_strndup(data, 0);
	if (digitmap_parse(map, &dm, err, sizeof(err)) == 0) {
		n = strlen(digits);
		for (i = 0; i <= n && i <= DIGITMAP_DIGITS_MAX + 2; i++) {
			char save = digits[i];

			digits[i] = '\0';
			check(dm, digits, false);
			check(dm, digits, true);
			digits[i] = save;
		}
		digitmap_free(dm);
	} else {
		fuzz_assert(strnlen(err, sizeof(err)) < sizeof(err));
	}
	free(map);
	free(digits);
	return 0;
}
