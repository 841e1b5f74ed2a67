/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digitmap.h - Cisco/Grandstream style dial plans ("digit maps").
 *
 * A digit map decides, digit by digit, when the user has finished dialling
 * and which number to send.  Pure code: no I/O, no logging.
 *
 * Syntax (whitespace is ignored everywhere):
 *
 *   map         := [ "{" ] alternative { "|" alternative } [ "}" ]
 *   alternative := element... [ "T" ]
 *   element     := ( "0".."9" | "*" | "#" | "x" | set ) [ "." ]
 *                | "<" literal ":" literal ">"
 *   set         := "[" ( digit | digit "-" digit | "*" | "#" )... "]"
 *
 *   x       any digit 0-9 (not '*' or '#')
 *   [2-9]   one symbol out of the set; ranges and single symbols mix:
 *           "[1-3579*]"
 *   e.      the element e repeated zero or more times: "x." is any number
 *           of digits
 *   T       ends an alternative: it only completes when the inter-digit
 *           timer has expired ("x.T": anything, once the user stops)
 *   <a:b>   prefix substitution: the dialled symbols must be a, and b is
 *           sent in their place.  "<:1617>xxxxxxx" adds an area code,
 *           "<011:>x." strips the international prefix, "<9:>x." strips
 *           an outside-line digit.  a and b are literal 0-9 * #.
 *
 * Example: "{ [2-9]xxxxxx | 1[2-9]xxxxxxxxx | 911 | *xx | x.T }"
 *
 * Matching (digitmap_match()), from the caller's point of view:
 *
 *   DIGITMAP_PARTIAL    keep collecting, arm the long inter-digit timer
 *   DIGITMAP_AMBIGUOUS  a number is complete but more digits may follow,
 *                       arm the short inter-digit timer
 *   DIGITMAP_MATCH      dial ret_number now
 *   DIGITMAP_NOMATCH    no alternative can ever match: play reorder
 *
 * When either timer expires, call again with timer_expired = true: the
 * answer is then MATCH (some alternative is complete, including the "T"
 * ones) or NOMATCH (the digits so far are not a complete number).
 *
 * Alternatives ending in "T" are fallbacks: they are only considered when
 * no plain alternative is still possible, or when the timer has expired.
 * So with the example map, "555" is PARTIAL (it may become a 7 digit
 * number) rather than AMBIGUOUS because of "x.T", and "*72" is MATCH at
 * once although "x.T" could go on.  "911" there is AMBIGUOUS, because
 * [2-9]xxxxxx allows 911xxxx: write [2-8]xxxxxx to have it dial at once.
 * When several alternatives are complete the first plain one in map order
 * wins, else the first "T" one.
 *
 * "#" to send: when the user presses '#' and the map has no alternative
 * that uses '#' at that point (digitmap_match() returns NOMATCH with the
 * '#' appended), the caller strips the trailing '#' and calls again with
 * timer_expired = true, exactly as if the inter-digit timer had expired.
 *
 * An empty dialled string is never complete (PARTIAL).
 */
#ifndef FXSD_DIGITMAP_H
#define FXSD_DIGITMAP_H

#include <stdbool.h>
#include <stddef.h>

/* Longest map text accepted by digitmap_parse(), without the NUL. */
#define DIGITMAP_SPEC_MAX 1024
/* Most alternatives in one map. */
#define DIGITMAP_ALTERNATIVES_MAX 64
/* Most elements in one alternative (each literal of <a:b> counts one). */
#define DIGITMAP_ELEMENTS_MAX 63
/* Most symbols inserted by the substitutions of one alternative. */
#define DIGITMAP_INSERT_MAX 64
/* Longest dialled string digitmap_match() looks at; longer is NOMATCH. */
#define DIGITMAP_DIGITS_MAX 64
/* A ret_number buffer of this size always holds the number to dial. */
#define DIGITMAP_NUMBER_MAX (DIGITMAP_DIGITS_MAX + DIGITMAP_INSERT_MAX + 1)

struct digitmap;

enum digitmap_result {
	DIGITMAP_NOMATCH,
	DIGITMAP_PARTIAL,
	DIGITMAP_AMBIGUOUS,
	DIGITMAP_MATCH,
	_DIGITMAP_RESULT_MAX,
};

/*
 * Compile @spec.  On success *@ret owns a new map (free it with
 * digitmap_free()).  On a syntax error returns -EINVAL and writes a message
 * such as "position 7: unclosed '['" to @err (positions count characters
 * from 1); @err may be NULL.  -ENOMEM when out of memory.
 */
int digitmap_parse(const char *spec, struct digitmap **ret, char *err,
		   size_t errlen);

/* Free @dm; NULL is a no-op.  Returns NULL. */
struct digitmap *digitmap_free(struct digitmap *dm);

/* For __attribute__((cleanup(digitmap_freep))). */
static inline void digitmap_freep(struct digitmap **dm)
{
	if (dm)
		*dm = digitmap_free(*dm);
}

/*
 * Classify the symbols dialled so far (@digits: '0'-'9', '*', '#'; any other
 * character gives NOMATCH).  On DIGITMAP_MATCH the number to dial, after
 * substitutions, is written to @ret_number; otherwise @ret_number is set to
 * "".  @ret_number may be NULL to only classify.  A @number_len smaller than
 * the number needs is a caller bug and yields NOMATCH; DIGITMAP_NUMBER_MAX
 * bytes are always enough.
 */
enum digitmap_result digitmap_match(const struct digitmap *dm,
				    const char *digits, bool timer_expired,
				    char *ret_number, size_t number_len);

/* "nomatch", "partial", "ambiguous", "match"; NULL when out of range. */
const char *digitmap_result_to_string(enum digitmap_result r);

#endif /* FXSD_DIGITMAP_H */
