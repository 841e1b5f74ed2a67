// SPDX-License-Identifier: GPL-2.0-only
/* test_digitmap.c - unit tests for daemon/line/digitmap.c. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "line/digitmap.h"
#include "unit.h"

#define _cleanup_digitmap_ __attribute__((cleanup(digitmap_freep)))

#define EXAMPLE "{ [2-9]xxxxxx | 1[2-9]xxxxxxxxx | 911 | *xx | x.T }"

static char number[DIGITMAP_NUMBER_MAX];
static char err[128];

static const char *res(enum digitmap_result r)
{
	const char *s = digitmap_result_to_string(r);

	return s ? s : "(invalid)";
}

/* Match @digits, expect @want and, for MATCH, the number @want_number. */
#define EXPECT(dm, digits, timer, want, want_number)			\
	do {								\
		enum digitmap_result r_ =				\
			digitmap_match((dm), (digits), (timer), number,	\
				       sizeof(number));			\
		CHECK(r_ == (want), "\"%s\"%s: got %s, want %s",	\
		      (digits), (timer) ? " (timer)" : "", res(r_),	\
		      res(want));					\
		CHECK_STR(number, (want_number));			\
	} while (0)

#define PARSE(dm, spec)							\
	do {								\
		int r_ = digitmap_parse((spec), &(dm), err, sizeof(err)); \
		CHECK(r_ == 0, "parse \"%s\": %d (%s)", (spec), r_, err); \
		CHECK(dm, "parse \"%s\": no map", (spec));		\
	} while (0)

/* Expect @spec to be rejected with exactly the message @msg. */
#define PARSE_FAILS(spec, msg)						\
	do {								\
		struct digitmap *dm_ = NULL;				\
		int r_ = digitmap_parse((spec), &dm_, err, sizeof(err)); \
		dm_ = digitmap_free(dm_);				\
		CHECK(r_ == -EINVAL, "parse \"%s\": got %d, want -EINVAL", \
		      (spec), r_);					\
		CHECK_STR(err, (msg));					\
	} while (0)

UNIT_TEST(dm_example_local_number)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, EXAMPLE);
	EXPECT(dm, "5", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "555", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "555123", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "5551234", false, DIGITMAP_MATCH, "5551234");
	EXPECT(dm, "2000000", false, DIGITMAP_MATCH, "2000000");
	EXPECT(dm, "9999999", false, DIGITMAP_MATCH, "9999999");
}

UNIT_TEST(dm_example_emergency)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, EXAMPLE);
	EXPECT(dm, "9", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "91", false, DIGITMAP_PARTIAL, "");
	/*
	 * 911 is complete, but also the start of the 7 digit number
	 * 911xxxx allowed by [2-9]xxxxxx: wait the short timer, then dial.
	 */
	EXPECT(dm, "911", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "911", true, DIGITMAP_MATCH, "911");
	EXPECT(dm, "9112", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "9112345", false, DIGITMAP_MATCH, "9112345");
	EXPECT(dm, "912", false, DIGITMAP_PARTIAL, "");
}

UNIT_TEST(dm_emergency_without_overlap)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	/* with 9 taken out of the local range, 911 dials at once */
	PARSE(dm, "{ [2-8]xxxxxx | 1[2-9]xxxxxxxxx | 911 | *xx | x.T }");
	EXPECT(dm, "91", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "911", false, DIGITMAP_MATCH, "911");
	EXPECT(dm, "9", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "92", false, DIGITMAP_AMBIGUOUS, "");
}

UNIT_TEST(dm_example_star_code)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, EXAMPLE);
	EXPECT(dm, "*", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "*7", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "*72", false, DIGITMAP_MATCH, "*72");
	/* x.T takes only digits: *721 cannot match anything */
	EXPECT(dm, "*721", false, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "*#", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_example_long_distance)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, EXAMPLE);
	EXPECT(dm, "1", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "1555", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "1212555123", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "12125551234", false, DIGITMAP_MATCH, "12125551234");
	/* 11 is no long distance number: only x.T is left */
	EXPECT(dm, "11", false, DIGITMAP_AMBIGUOUS, "");
}

UNIT_TEST(dm_example_timer_fallback)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, EXAMPLE);
	EXPECT(dm, "0", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "0", true, DIGITMAP_MATCH, "0");
	EXPECT(dm, "01234", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "01234", true, DIGITMAP_MATCH, "01234");
	/* 8 digits: too long for [2-9]xxxxxx, x.T still takes it */
	EXPECT(dm, "55512345", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "55512345", true, DIGITMAP_MATCH, "55512345");
	/* the long timer expiring on a partial number dials it via x.T */
	EXPECT(dm, "555", true, DIGITMAP_MATCH, "555");
	EXPECT(dm, "911", true, DIGITMAP_MATCH, "911");
}

UNIT_TEST(dm_timer_expired_incomplete)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "[2-9]xxxxxx | 911");
	EXPECT(dm, "555", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "555", true, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "5551234", true, DIGITMAP_MATCH, "5551234");
}

UNIT_TEST(dm_nomatch)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "[2-9]xxxxxx | 911");
	EXPECT(dm, "0", false, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "1", false, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "55512345", false, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "9112", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "*", false, DIGITMAP_NOMATCH, "");
	/* characters that are no DTMF symbol never match */
	EXPECT(dm, "9a", false, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "91 1", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_empty_dial_string)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "x.");
	EXPECT(dm, "", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "", true, DIGITMAP_PARTIAL, "");
}

UNIT_TEST(dm_complete_but_longer_possible)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "911 | 9xxxxxx");
	EXPECT(dm, "91", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "911", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "911", true, DIGITMAP_MATCH, "911");
	EXPECT(dm, "9115", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "9115", true, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "9115551", false, DIGITMAP_MATCH, "9115551");
}

UNIT_TEST(dm_set_ranges_and_singles)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;
	const char *yes[] = { "10", "29", "35", "51", "73", "98", "*0" };
	const char *no[] = { "00", "40", "60", "80", "#0", "x0" };
	size_t i;

	PARSE(dm, "[1-3579*]x");
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		EXPECT(dm, yes[i], false, DIGITMAP_MATCH, yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		EXPECT(dm, no[i], false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_set_star_hash)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "[*#]xx | #[0-0]");
	EXPECT(dm, "*67", false, DIGITMAP_MATCH, "*67");
	EXPECT(dm, "#6", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "#0", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "#0", true, DIGITMAP_MATCH, "#0");
	EXPECT(dm, "#01", false, DIGITMAP_MATCH, "#01");
	EXPECT(dm, "1", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_x_is_digits_only)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "xX");
	EXPECT(dm, "07", false, DIGITMAP_MATCH, "07");
	EXPECT(dm, "*", false, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "1#", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_repeat)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "011x.");
	EXPECT(dm, "0", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "01", false, DIGITMAP_PARTIAL, "");
	/* zero repetitions complete the match, more may follow */
	EXPECT(dm, "011", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "011442079460000", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "011442079460000", true, DIGITMAP_MATCH,
	       "011442079460000");
	EXPECT(dm, "012", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_repeat_then_terminator)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "x.# | [2-3].4");
	EXPECT(dm, "#", false, DIGITMAP_MATCH, "#");
	EXPECT(dm, "12", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "12#", false, DIGITMAP_MATCH, "12#");
	EXPECT(dm, "4", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "2323", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "23234", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "23234#", false, DIGITMAP_MATCH, "23234#");
	EXPECT(dm, "12#3", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_timer_alternative)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "xxxT");
	EXPECT(dm, "12", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "12", true, DIGITMAP_NOMATCH, "");
	EXPECT(dm, "123", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "123", true, DIGITMAP_MATCH, "123");
	EXPECT(dm, "1234", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_hash_to_send)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;
	char digits[16] = "555#";

	PARSE(dm, EXAMPLE);
	/* no alternative takes '#': the caller strips it, sends at once */
	EXPECT(dm, digits, false, DIGITMAP_NOMATCH, "");
	digits[strlen(digits) - 1] = '\0';
	EXPECT(dm, digits, true, DIGITMAP_MATCH, "555");
}

UNIT_TEST(dm_subst_add_prefix)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "<:1617>[2-9]xxxxxx | 1[2-9]xxxxxxxxx");
	EXPECT(dm, "555123", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "5551234", false, DIGITMAP_MATCH, "16175551234");
	EXPECT(dm, "12125551234", false, DIGITMAP_MATCH, "12125551234");
}

UNIT_TEST(dm_subst_strip)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "<011:>x.T | <9:>1[2-9]xxxxxxxxx");
	EXPECT(dm, "01", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "011", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "011442079460000", true, DIGITMAP_MATCH, "442079460000");
	EXPECT(dm, "912125551234", false, DIGITMAP_MATCH, "12125551234");
	/* the 9 must be dialled */
	EXPECT(dm, "12125551234", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_subst_replace)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "< 8 : 1617 >[2-9]xxxxxx | <*1:*72>x.T");
	EXPECT(dm, "85551234", false, DIGITMAP_MATCH, "16175551234");
	EXPECT(dm, "*15551234", true, DIGITMAP_MATCH, "*725551234");
	EXPECT(dm, "*2", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_subst_in_the_middle)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "1<617:>xxxxxxx<:#>");
	EXPECT(dm, "1617", false, DIGITMAP_PARTIAL, "");
	EXPECT(dm, "16175551234", false, DIGITMAP_MATCH, "15551234#");
	EXPECT(dm, "16185551234", false, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_subst_after_repeat)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	/* repeats take as much as they can: the last 0 is the stripped one */
	PARSE(dm, "x.<0:>");
	EXPECT(dm, "1000", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, "1000", true, DIGITMAP_MATCH, "100");
	EXPECT(dm, "0", true, DIGITMAP_MATCH, "");
	EXPECT(dm, "01", true, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_first_alternative_wins)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;

	PARSE(dm, "<:1>xxx | xxx | <:5>x.T");
	EXPECT(dm, "123", false, DIGITMAP_MATCH, "1123");
	/* a plain alternative is alive: wait the long timer ... */
	EXPECT(dm, "12", false, DIGITMAP_PARTIAL, "");
	/* ... and then take the fallback */
	EXPECT(dm, "12", true, DIGITMAP_MATCH, "512");
	/* complete plain alternatives beat "T" ones even on timeout */
	EXPECT(dm, "123", true, DIGITMAP_MATCH, "1123");
}

UNIT_TEST(dm_whitespace_braces_case)
{
	_cleanup_digitmap_ struct digitmap *a = NULL, *b = NULL, *c = NULL;

	PARSE(a, "  {\t9 1 1 |\n[ 2 - 9 ] x X . t }  ");
	EXPECT(a, "911", false, DIGITMAP_MATCH, "911");
	EXPECT(a, "2", false, DIGITMAP_PARTIAL, "");
	EXPECT(a, "23", false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(a, "234", true, DIGITMAP_MATCH, "234");
	PARSE(b, "911|x.T");
	EXPECT(b, "911", false, DIGITMAP_MATCH, "911");
	PARSE(c, "{911}");
	EXPECT(c, "911", false, DIGITMAP_MATCH, "911");
}

UNIT_TEST(dm_digit_limit)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;
	char digits[DIGITMAP_DIGITS_MAX + 2];

	PARSE(dm, "x.");
	memset(digits, '7', DIGITMAP_DIGITS_MAX);
	digits[DIGITMAP_DIGITS_MAX] = '\0';
	EXPECT(dm, digits, false, DIGITMAP_AMBIGUOUS, "");
	EXPECT(dm, digits, true, DIGITMAP_MATCH, digits);
	strcat(digits, "7");
	EXPECT(dm, digits, true, DIGITMAP_NOMATCH, "");
}

UNIT_TEST(dm_number_buffer)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;
	char small[11] = "junk";
	enum digitmap_result r;

	PARSE(dm, "<:1617>xxxxxxx");
	/* 11 digits need 12 bytes */
	r = digitmap_match(dm, "5551234", false, small, sizeof(small));
	CHECK_INT(r, DIGITMAP_NOMATCH);
	CHECK_STR(small, "");
	r = digitmap_match(dm, "5551234", false, NULL, 0);
	CHECK_INT(r, DIGITMAP_MATCH);
	r = digitmap_match(dm, "555123", false, NULL, 0);
	CHECK_INT(r, DIGITMAP_PARTIAL);
}

UNIT_TEST(dm_null_safety)
{
	struct digitmap *dm = NULL;

	CHECK(digitmap_free(NULL) == NULL, "digitmap_free(NULL)");
	CHECK_INT(digitmap_match(NULL, "911", true, number, sizeof(number)),
		  DIGITMAP_NOMATCH);
	CHECK_INT(digitmap_parse(NULL, &dm, err, sizeof(err)), -EINVAL);
	CHECK_INT(digitmap_parse("911", NULL, err, sizeof(err)), -EINVAL);
	/* no error buffer is fine */
	CHECK_INT(digitmap_parse("9[", &dm, NULL, 0), -EINVAL);
	CHECK(dm == NULL, "map set on error");
	PARSE(dm, "911");
	CHECK_INT(digitmap_match(dm, NULL, false, number, sizeof(number)),
		  DIGITMAP_NOMATCH);
	dm = digitmap_free(dm);
	CHECK(dm == NULL, "digitmap_free() returns NULL");
}

UNIT_TEST(dm_result_strings)
{
	CHECK_STR(digitmap_result_to_string(DIGITMAP_NOMATCH), "nomatch");
	CHECK_STR(digitmap_result_to_string(DIGITMAP_PARTIAL), "partial");
	CHECK_STR(digitmap_result_to_string(DIGITMAP_AMBIGUOUS), "ambiguous");
	CHECK_STR(digitmap_result_to_string(DIGITMAP_MATCH), "match");
	CHECK(!digitmap_result_to_string(_DIGITMAP_RESULT_MAX), "MAX");
}

UNIT_TEST(dm_error_brackets)
{
	PARSE_FAILS("{ [2-9xxxxxx | 911 }", "position 3: unclosed '['");
	PARSE_FAILS("911 | *[2-9", "position 8: unclosed '['");
	PARSE_FAILS("[]", "position 1: empty '[]'");
	PARSE_FAILS("[9-2]", "position 4: bad range in '[...]'");
	PARSE_FAILS("[2-*]", "position 4: bad range in '[...]'");
	PARSE_FAILS("[*-2]", "position 4: bad range in '[...]'");
	PARSE_FAILS("[2-]", "position 4: bad range in '[...]'");
	PARSE_FAILS("[1a]", "position 3: unexpected 'a' in '[...]'");
	PARSE_FAILS("[1[2]]", "position 1: unclosed '['");
}

UNIT_TEST(dm_error_braces)
{
	PARSE_FAILS("{911", "position 1: unclosed '{'");
	PARSE_FAILS("911}", "position 4: unexpected '}'");
	PARSE_FAILS("{911} x", "position 7: unexpected 'x' after '}'");
	PARSE_FAILS("{911}}", "position 6: unexpected '}' after '}'");
	PARSE_FAILS("{{911}}", "position 2: unexpected '{'");
}

UNIT_TEST(dm_error_empty)
{
	PARSE_FAILS("", "empty digit map");
	PARSE_FAILS(" \t ", "empty digit map");
	PARSE_FAILS("{ }", "empty digit map");
	PARSE_FAILS("911||*xx", "position 5: empty alternative");
	PARSE_FAILS("|911", "position 1: empty alternative");
	PARSE_FAILS("911|", "position 5: empty alternative");
	PARSE_FAILS("{911 | }", "position 8: empty alternative");
	PARSE_FAILS("911|T", "position 6: alternative matches no digits");
	PARSE_FAILS("<:123>", "position 7: alternative matches no digits");
}

UNIT_TEST(dm_error_bad_chars)
{
	PARSE_FAILS("91a", "position 3: unexpected 'a'");
	PARSE_FAILS("911 | 5y5", "position 8: unexpected 'y'");
	PARSE_FAILS("91\x01", "position 3: unexpected character 0x01");
	PARSE_FAILS("9+1", "position 2: unexpected '+'");
	PARSE_FAILS(".9", "position 1: '.' must follow a digit, 'x' or '[...]'");
	PARSE_FAILS("x..", "position 3: '.' must follow a digit, 'x' or '[...]'");
	PARSE_FAILS("xT1", "position 3: 'T' must end the alternative");
	PARSE_FAILS("xTT", "position 3: 'T' must end the alternative");
	PARSE_FAILS("<9:>.", "position 5: '.' must follow a digit, 'x' or '[...]'");
}

UNIT_TEST(dm_error_substitution)
{
	PARSE_FAILS("<1x:>1", "position 3: unexpected 'x' in '<...>'");
	PARSE_FAILS("<12>x", "position 4: expected ':' in '<...>'");
	PARSE_FAILS("<1:2", "position 1: unclosed '<'");
	PARSE_FAILS("<1:2|3>x", "position 1: unclosed '<'");
	PARSE_FAILS("<1:2:3>x", "position 5: unexpected ':' in '<...>'");
	PARSE_FAILS("<:>x", "position 1: empty substitution '<:>'");
}

UNIT_TEST(dm_error_limits)
{
	_cleanup_digitmap_ struct digitmap *dm = NULL;
	char spec[DIGITMAP_SPEC_MAX + 2];
	size_t i, n;

	/* exactly DIGITMAP_SPEC_MAX characters is fine, one more is not */
	memset(spec, ' ', DIGITMAP_SPEC_MAX);
	memcpy(spec, "911", 3);
	spec[DIGITMAP_SPEC_MAX] = '\0';
	PARSE(dm, spec);
	dm = digitmap_free(dm);
	strcat(spec, " ");
	PARSE_FAILS(spec, "digit map longer than 1024 characters");

	/* 64 alternatives "0|1|...", then 65 */
	for (i = 0, n = 0; i < DIGITMAP_ALTERNATIVES_MAX; i++)
		n += sprintf(spec + n, "%s%zu", i ? "|" : "", i);
	PARSE(dm, spec);
	EXPECT(dm, "63", false, DIGITMAP_MATCH, "63");
	dm = digitmap_free(dm);
	strcat(spec, "|64");
	PARSE_FAILS(spec, "digit map has more than 64 alternatives");

	/* 63 elements, then 64 */
	memset(spec, 'x', DIGITMAP_ELEMENTS_MAX);
	spec[DIGITMAP_ELEMENTS_MAX] = '\0';
	PARSE(dm, spec);
	strcat(spec, "x");
	PARSE_FAILS(spec, "position 64: alternative longer than 63 elements");

	/* 65 inserted symbols */
	n = sprintf(spec, "<:");
	memset(spec + n, '1', DIGITMAP_INSERT_MAX + 1);
	strcpy(spec + n + DIGITMAP_INSERT_MAX + 1, ">x");
	PARSE_FAILS(spec,
		    "position 67: substitutions insert more than 64 symbols");
}

UNIT_TEST(dm_error_message_truncated)
{
	struct digitmap *dm = NULL;
	char small[12];

	memset(small, 'z', sizeof(small));
	CHECK_INT(digitmap_parse("{ [2-9xxxxxx }", &dm, small, sizeof(small)),
		  -EINVAL);
	CHECK_STR(small, "position 3:");
	CHECK_INT(digitmap_parse("{ [2-9xxxxxx }", &dm, small, 5), -EINVAL);
	CHECK_STR(small, "posi");
}
