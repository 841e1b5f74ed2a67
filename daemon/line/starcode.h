/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * starcode.h - what the dialled digits are: a number for the digit map, a
 * star code of the port's table (config.h's struct config_star_code), or
 * nothing yet.  Pure code: no I/O, logging or allocation.
 *
 * The star code table is looked at first, for digits that begin with '*'
 * when the table is not empty:
 *
 *   - the digits are a code of the table: a code without a number is
 *     complete at once (no code is a prefix of another: config.c checks),
 *     so DIAL_CODE; a code that takes a number (forward-all-on: "*72"
 *     then the number) collects it with the digit map, which decides when
 *     it is complete as for any number (its substitutions apply);
 *   - the digits are the beginning of a code: DIAL_MORE;
 *   - anything else beginning with '*' is an unknown code: DIAL_INVALID
 *     (the phone hears reorder).  The digit map's "*xx" alternatives are
 *     not reached while the table has codes ("star_codes = none" with no
 *     star_code lines gives the digit map every string).
 *
 * Other digits are the digit map's alone.
 */
#ifndef FXSD_STARCODE_H
#define FXSD_STARCODE_H

#include <stdbool.h>

#include "config.h"
#include "line/digitmap.h"

enum dial_verdict {
	DIAL_MORE,		/* keep collecting: the long inter-digit timer */
	DIAL_MORE_SHORT,	/* complete, but more may follow: the short one */
	DIAL_NUMBER,		/* call @number */
	DIAL_CODE,		/* run @action (with @number if it takes one) */
	DIAL_INVALID,		/* nothing can match: reorder */
	_DIAL_VERDICT_MAX,
};

/**
 * struct dial_result - what dial_classify() made of the digits
 * @verdict: see enum dial_verdict
 * @action: DIAL_CODE: the code's action
 * @code: DIAL_CODE: the code ("*72"), a pointer into the table
 * @number: DIAL_NUMBER: the number to call; DIAL_CODE: the number the code
 *	took (after the digit map's substitutions), "" when it takes none
 */
struct dial_result {
	enum dial_verdict verdict;
	enum config_star_action action;
	const char *code;
	char number[DIGITMAP_NUMBER_MAX];
};

/*
 * Classify @digits with the star code table @codes (@n codes) and the
 * digit map @dm; @timer_expired as for digitmap_match(): the inter-digit
 * timer ran out (or '#' was pressed), so what is not complete now never
 * will be.  Returns 0, -EINVAL for a NULL argument.
 */
int dial_classify(const struct config_star_code *codes, unsigned n,
		  const struct digitmap *dm, const char *digits,
		  bool timer_expired, struct dial_result *ret);

/* "more", "more-short", "number", "code", "invalid"; NULL out of range. */
const char *dial_verdict_to_string(enum dial_verdict v);

#endif /* FXSD_STARCODE_H */
