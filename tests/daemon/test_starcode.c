// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_starcode.c - the star code table: its config lines (parsing, the
 * defaults, errors naming file:line), and what dialled digits are with
 * the table before the digit map (line/starcode.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "line/digitmap.h"
#include "line/starcode.h"
#include "unit.h"

#define P "/etc/fxsd/fxsd.conf"
#define PORT0 "[port 0]\nuser = 100\ndomain = pbx.example.org\n"

static void free_config(struct fxsd_config **c)
{
	config_free(*c);
}

static void free_map(struct digitmap **dm)
{
	digitmap_free(*dm);
}

#define _cleanup_cfg_ __attribute__((cleanup(free_config)))
#define _cleanup_map_ __attribute__((cleanup(free_map)))

/* The port 0 of @text, parsed (NULL, and the case failed, if it did not). */
static struct fxsd_config *parse(const char *text)
{
	struct fxsd_config *c = NULL;
	char err[512] = "";
	int r;

	r = config_parse_string(text, P, &c, err, sizeof(err));
	if (r < 0)
		unit_fail(__FILE__, __LINE__, "parse failed (%d): %s", r, err);
	return r == 0 ? c : NULL;
}

static void check_error(const char *text, const char *want)
{
	struct fxsd_config *c = NULL;
	char err[512] = "";
	int r;

	r = config_parse_string(text, P, &c, err, sizeof(err));
	CHECK(r == -EINVAL && !c, "got %d (%s), want %s", r, err, want);
	config_free(c);
	CHECK_STR(err, want);
}

/* The action of @code in @p, or -1. */
static int action_of(const struct fxsd_port_config *p, const char *code)
{
	unsigned i;

	for (i = 0; i < p->n_star_codes; i++)
		if (strcmp(p->star_codes[i].code, code) == 0)
			return p->star_codes[i].action;
	return -1;
}

/* ---- the table in the config ------------------------------------------ */

UNIT_TEST(starcode_defaults)
{
	_cleanup_cfg_ struct fxsd_config *c = parse(PORT0);
	const struct fxsd_port_config *p;

	if (!c)
		return;
	p = &c->ports[0];
	CHECK_INT(p->n_star_codes, 13);
	CHECK_INT(action_of(p, "*67"), CONFIG_STAR_PRIVACY);
	CHECK_INT(action_of(p, "*82"), CONFIG_STAR_PRIVACY_OFF);
	CHECK_INT(action_of(p, "*70"), CONFIG_STAR_CW_CANCEL);
	CHECK_INT(action_of(p, "*78"), CONFIG_STAR_DND_ON);
	CHECK_INT(action_of(p, "*79"), CONFIG_STAR_DND_OFF);
	CHECK_INT(action_of(p, "*72"), CONFIG_STAR_FORWARD_ALL_ON);
	CHECK_INT(action_of(p, "*73"), CONFIG_STAR_FORWARD_ALL_OFF);
	CHECK_INT(action_of(p, "*90"), CONFIG_STAR_FORWARD_BUSY_ON);
	CHECK_INT(action_of(p, "*91"), CONFIG_STAR_FORWARD_BUSY_OFF);
	CHECK_INT(action_of(p, "*92"), CONFIG_STAR_FORWARD_NO_ANSWER_ON);
	CHECK_INT(action_of(p, "*93"), CONFIG_STAR_FORWARD_NO_ANSWER_OFF);
	CHECK_INT(action_of(p, "*77"), CONFIG_STAR_ANONYMOUS_REJECT_ON);
	CHECK_INT(action_of(p, "*87"), CONFIG_STAR_ANONYMOUS_REJECT_OFF);
	CHECK(!p->privacy, "privacy on by default");
	CHECK_INT(p->privacy_identity, CONFIG_PRIVACY_IDENTITY_PPI);
	CHECK_STR(p->hotline, "");
	CHECK_STR(p->warm_line, "");
	CHECK_INT(p->warm_line_secs, 5);
}

UNIT_TEST(starcode_lines_add_and_replace)
{
	_cleanup_cfg_ struct fxsd_config *c = parse(
		PORT0 "star_code = *67 privacy-off\n"
		"star_code = *4 dnd-on   # a short one\n"
		"star_code = *123456 forward-all-on\n");
	const struct fxsd_port_config *p;

	if (!c)
		return;
	p = &c->ports[0];
	CHECK_INT(p->n_star_codes, 15);
	CHECK_INT(action_of(p, "*67"), CONFIG_STAR_PRIVACY_OFF);
	CHECK_INT(action_of(p, "*4"), CONFIG_STAR_DND_ON);
	CHECK_INT(action_of(p, "*123456"), CONFIG_STAR_FORWARD_ALL_ON);
	CHECK_INT(action_of(p, "*70"), CONFIG_STAR_CW_CANCEL);
}

UNIT_TEST(starcode_none_drops_the_defaults)
{
	_cleanup_cfg_ struct fxsd_config *c = parse(
		PORT0 "star_code = *6 privacy\nstar_codes = none\n");
	_cleanup_cfg_ struct fxsd_config *d = parse(PORT0 "star_codes = none\n");

	if (!c || !d)
		return;
	CHECK_INT(c->ports[0].n_star_codes, 1);
	CHECK_INT(action_of(&c->ports[0], "*6"), CONFIG_STAR_PRIVACY);
	CHECK_INT(d->ports[0].n_star_codes, 0);
}

UNIT_TEST(starcode_dump_round_trip)
{
	_cleanup_cfg_ struct fxsd_config *c = parse(
		PORT0 "star_code = *5 cw-cancel\nprivacy = yes\n"
		"privacy_identity = none\nwarm_line = 611\nwarm_line_secs = 9\n");
	_cleanup_cfg_ struct fxsd_config *c2 = NULL;
	char *buf = NULL, err[512] = "";
	size_t len = 0;
	unsigned i;
	FILE *f;

	if (!c)
		return;
	f = open_memstream(&buf, &len);
	CHECK(f && config_dump(c, f) == 0, "dump");
	fclose(f);
	CHECK(config_parse_string(buf, "dump", &c2, err, sizeof(err)) == 0,
	      "re-parse: %s\n%s", err, buf);
	if (c2) {
		const struct fxsd_port_config *a = &c->ports[0], *b = &c2->ports[0];

		CHECK_INT(b->n_star_codes, a->n_star_codes);
		for (i = 0; i < a->n_star_codes && i < b->n_star_codes; i++) {
			CHECK_STR(b->star_codes[i].code, a->star_codes[i].code);
			CHECK_INT(b->star_codes[i].action, a->star_codes[i].action);
		}
		CHECK(b->privacy, "privacy lost");
		CHECK_INT(b->privacy_identity, CONFIG_PRIVACY_IDENTITY_NONE);
		CHECK_STR(b->warm_line, "611");
		CHECK_INT(b->warm_line_secs, 9);
	}
	free(buf);
}

UNIT_TEST(starcode_hotline)
{
	_cleanup_cfg_ struct fxsd_config *c = parse(PORT0 "hotline = 911\n");

	if (c)
		CHECK_STR(c->ports[0].hotline, "911");
}

UNIT_TEST(starcode_config_errors)
{
	check_error(PORT0 "star_code = 67 privacy\n",
		    P ":4: invalid star code '67' ('*' and 1-7 digits)");
	check_error(PORT0 "star_code = *\n",
		    P ":4: invalid star code '*' ('*' and 1-7 digits)");
	check_error(PORT0 "star_code = *6a7 privacy\n",
		    P ":4: invalid star code '*6a7' ('*' and 1-7 digits)");
	check_error(PORT0 "star_code = *12345678 privacy\n",
		    P ":4: invalid star code '*12345678' ('*' and 1-7 digits)");
	check_error(PORT0 "star_code = *67\n",
		    P ":4: invalid star_code action '' for *67 (privacy, privacy-off, cw-cancel, dnd-on, dnd-off, forward-all-on, forward-all-off, forward-busy-on, forward-busy-off, forward-no-answer-on, forward-no-answer-off, anonymous-reject-on, anonymous-reject-off)");
	check_error(PORT0 "star_code = *67 hide\n",
		    P ":4: invalid star_code action 'hide' for *67 (privacy, privacy-off, cw-cancel, dnd-on, dnd-off, forward-all-on, forward-all-off, forward-busy-on, forward-busy-off, forward-no-answer-on, forward-no-answer-off, anonymous-reject-on, anonymous-reject-off)");
	check_error(PORT0 "star_code = *5 privacy\n\nstar_code = *5 dnd-on\n",
		    P ":6: duplicate star code *5 (line 4)");
	/* a code must complete the moment it is dialled */
	check_error(PORT0 "star_code = *6 privacy\n",
		    P ":4: star code *6 is a prefix of the default *67 (star_codes = none drops the defaults)");
	check_error(PORT0 "star_codes = none\nstar_code = *5 privacy\nstar_code = *55 dnd-on\n",
		    P ":5: star code *5 is a prefix of *55");
	check_error(PORT0 "star_code = *670 dnd-on\n",
		    P ":4: the default star code *67 is a prefix of *670 (star_codes = none drops the defaults)");
	check_error(PORT0 "star_codes = some\n",
		    P ":4: invalid star_codes 'some' (none|default)");
	check_error(PORT0 "star_codes = none\nstar_codes = none\n",
		    P ":5: duplicate key 'star_codes'");
	check_error(PORT0 "privacy_identity = pai\n",
		    P ":4: invalid privacy_identity 'pai' (ppi|none)");
	check_error(PORT0 "hotline = 1@2\n",
		    P ":4: invalid hotline '1@2' (digits, letters and *#+-._!~'())");
	check_error(PORT0 "warm_line_secs = 15\n",
		    P ":4: invalid warm_line_secs '15' (1-14)");
	check_error(PORT0 "warm_line_secs = 0\n",
		    P ":4: invalid warm_line_secs '0' (1-14)");
	check_error(PORT0 "hotline = 1\nwarm_line = 2\n",
		    P ":1: [port 0] has both hotline and warm_line");
}

UNIT_TEST(starcode_too_many)
{
	char text[4096];
	size_t n;
	int i;

	n = snprintf(text, sizeof(text), PORT0);
	for (i = 0; i < CONFIG_STAR_CODES_MAX - 12; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "star_code = *1%02d dnd-on\n", i);
	check_error(text, P ":1: [port 0] has too many star codes with the defaults (max 32; star_codes = none drops them)");
	n = snprintf(text, sizeof(text), PORT0 "star_codes = none\n");
	for (i = 0; i <= CONFIG_STAR_CODES_MAX; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "star_code = *1%02d dnd-on\n", i);
	check_error(text, P ":37: too many star codes (max 32)");
}

/* ---- the digits against the table and the digit map -------------------- */

static const struct config_star_code table[] = {
	{ "*67", CONFIG_STAR_PRIVACY, 0 },
	{ "*70", CONFIG_STAR_CW_CANCEL, 0 },
	{ "*72", CONFIG_STAR_FORWARD_ALL_ON, 0 },
	{ "*73", CONFIG_STAR_FORWARD_ALL_OFF, 0 },
	{ "*1234", CONFIG_STAR_DND_ON, 0 },
};

struct dial_case {
	const char *digits;
	bool expired;
	enum dial_verdict verdict;
	int action;		/* -1: none */
	const char *number;
};

static void check_cases(const char *map, const struct config_star_code *codes,
			unsigned n, const struct dial_case *cases, size_t n_cases)
{
	_cleanup_map_ struct digitmap *dm = NULL;
	struct dial_result r;
	char err[128];
	size_t i;

	CHECK(digitmap_parse(map, &dm, err, sizeof(err)) == 0, "map: %s", err);
	if (!dm)
		return;
	for (i = 0; i < n_cases; i++) {
		const struct dial_case *k = &cases[i];

		CHECK(dial_classify(codes, n, dm, k->digits, k->expired, &r) == 0,
		      "%s: classify failed", k->digits);
		CHECK(r.verdict == k->verdict, "%s%s: %s, want %s", k->digits,
		      k->expired ? " (timer)" : "",
		      dial_verdict_to_string(r.verdict),
		      dial_verdict_to_string(k->verdict));
		if (k->action >= 0)
			CHECK((int)r.action == k->action, "%s: action %s",
			      k->digits, config_star_action_to_string(r.action));
		CHECK_STR(r.number, k->number);
	}
}

UNIT_TEST(dial_classify_codes_before_the_map)
{
	/* The default map, whose "*xx" would take any star code. */
	static const struct dial_case cases[] = {
		{ "*", false, DIAL_MORE, -1, "" },
		{ "*6", false, DIAL_MORE, -1, "" },
		/* complete the moment it is dialled: no timer */
		{ "*67", false, DIAL_CODE, CONFIG_STAR_PRIVACY, "" },
		{ "*70", false, DIAL_CODE, CONFIG_STAR_CW_CANCEL, "" },
		{ "*73", false, DIAL_CODE, CONFIG_STAR_FORWARD_ALL_OFF, "" },
		/* a longer code is collected to its end */
		{ "*12", false, DIAL_MORE, -1, "" },
		{ "*123", false, DIAL_MORE, -1, "" },
		{ "*1234", false, DIAL_CODE, CONFIG_STAR_DND_ON, "" },
		{ "*123", true, DIAL_INVALID, -1, "" },
		/* unknown codes: reorder, as soon as no code can match */
		{ "*99", false, DIAL_INVALID, -1, "" },
		{ "*5", false, DIAL_INVALID, -1, "" },
		{ "*6", true, DIAL_INVALID, -1, "" },
		/* *72 takes a number, collected by the digit map */
		{ "*72", false, DIAL_MORE, CONFIG_STAR_FORWARD_ALL_ON, "" },
		{ "*72", true, DIAL_INVALID, -1, "" },
		{ "*72555", false, DIAL_MORE, CONFIG_STAR_FORWARD_ALL_ON, "" },
		{ "*725551234", false, DIAL_CODE, CONFIG_STAR_FORWARD_ALL_ON,
		  "5551234" },
		{ "*7216175551234", false, DIAL_CODE,
		  CONFIG_STAR_FORWARD_ALL_ON, "16175551234" },
		/* "x.T": anything, once the timer runs out ('#') */
		{ "*72555", true, DIAL_CODE, CONFIG_STAR_FORWARD_ALL_ON, "555" },
		/* numbers are the map's, as before */
		{ "5551234", false, DIAL_NUMBER, -1, "5551234" },
		{ "911", false, DIAL_MORE_SHORT, -1, "" },
		{ "911", true, DIAL_NUMBER, -1, "911" },
		{ "555", false, DIAL_MORE, -1, "" },
	};

	check_cases(CONFIG_DEFAULT_DIGIT_MAP, table,
		    sizeof(table) / sizeof(table[0]), cases,
		    sizeof(cases) / sizeof(cases[0]));
}

UNIT_TEST(dial_classify_code_number_uses_substitutions)
{
	static const struct dial_case cases[] = {
		{ "*72", false, DIAL_MORE, -1, "" },
		/* "<9:>x." strips the outside-line digit; complete on '#' */
		{ "*729555", true, DIAL_CODE, CONFIG_STAR_FORWARD_ALL_ON, "555" },
		{ "*72555", false, DIAL_INVALID, -1, "" },
		{ "*67", false, DIAL_CODE, CONFIG_STAR_PRIVACY, "" },
		/* nothing follows a code without a number */
		{ "*671", false, DIAL_INVALID, -1, "" },
	};

	check_cases("{ <9:>x.T | 2xxx }", table,
		    sizeof(table) / sizeof(table[0]), cases,
		    sizeof(cases) / sizeof(cases[0]));
}

UNIT_TEST(dial_classify_without_codes_is_the_map)
{
	static const struct dial_case cases[] = {
		{ "*6", false, DIAL_MORE, -1, "" },
		{ "*67", false, DIAL_NUMBER, -1, "*67" },
		{ "*99", false, DIAL_NUMBER, -1, "*99" },
	};

	check_cases(CONFIG_DEFAULT_DIGIT_MAP, NULL, 0, cases,
		    sizeof(cases) / sizeof(cases[0]));
}

UNIT_TEST(dial_classify_bad_arguments)
{
	_cleanup_map_ struct digitmap *dm = NULL;
	struct dial_result r;

	CHECK(digitmap_parse("x.T", &dm, NULL, 0) == 0, "map");
	CHECK_INT(dial_classify(table, 1, NULL, "1", false, &r), -EINVAL);
	CHECK_INT(dial_classify(NULL, 1, dm, "1", false, &r), -EINVAL);
	CHECK_INT(dial_classify(table, 1, dm, NULL, false, &r), -EINVAL);
	CHECK_INT(dial_classify(table, 1, dm, "1", false, NULL), -EINVAL);
	CHECK(dial_verdict_to_string(_DIAL_VERDICT_MAX) == NULL, "name");
	CHECK_STR(config_star_action_to_string(CONFIG_STAR_ANONYMOUS_REJECT_OFF),
		  "anonymous-reject-off");
	CHECK_INT(config_star_action_from_string("DND-ON"), CONFIG_STAR_DND_ON);
	CHECK(config_star_action_per_call(CONFIG_STAR_CW_CANCEL) &&
	      !config_star_action_per_call(CONFIG_STAR_DND_ON), "per call");
}
