// SPDX-License-Identifier: GPL-2.0-only
/*
 * starcode.c - star codes before the digit map.  See starcode.h.
 */
#include <errno.h>
#include <string.h>

#include "line/starcode.h"

static const char *const dial_verdict_table[_DIAL_VERDICT_MAX] = {
	[DIAL_MORE] = "more",
	[DIAL_MORE_SHORT] = "more-short",
	[DIAL_NUMBER] = "number",
	[DIAL_CODE] = "code",
	[DIAL_INVALID] = "invalid",
};

const char *dial_verdict_to_string(enum dial_verdict v)
{
	if ((unsigned)v >= _DIAL_VERDICT_MAX)
		return NULL;
	return dial_verdict_table[v];
}

/* The digit map's answer as a verdict. */
static enum dial_verdict from_digitmap(enum digitmap_result r, bool expired)
{
	switch (r) {
	case DIGITMAP_MATCH:
		return DIAL_NUMBER;
	case DIGITMAP_PARTIAL:
		return expired ? DIAL_INVALID : DIAL_MORE;
	case DIGITMAP_AMBIGUOUS:
		return expired ? DIAL_INVALID : DIAL_MORE_SHORT;
	default:
		return DIAL_INVALID;
	}
}

int dial_classify(const struct config_star_code *codes, unsigned n,
		  const struct digitmap *dm, const char *digits,
		  bool timer_expired, struct dial_result *ret)
{
	enum dial_verdict v;
	bool prefix = false;
	unsigned i;
	size_t len;

	if ((!codes && n) || !dm || !digits || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));

	if (n == 0 || digits[0] != '*') {
		ret->verdict = from_digitmap(
			digitmap_match(dm, digits, timer_expired, ret->number,
				       sizeof(ret->number)), timer_expired);
		if (ret->verdict != DIAL_NUMBER)
			ret->number[0] = '\0';
		return 0;
	}

	for (i = 0; i < n; i++) {
		const char *rest;

		len = strlen(codes[i].code);
		if (strncmp(digits, codes[i].code, len) != 0) {
			/* the digits so far begin this code */
			if (strncmp(codes[i].code, digits, strlen(digits)) == 0)
				prefix = true;
			continue;
		}
		ret->action = codes[i].action;
		ret->code = codes[i].code;
		rest = digits + len;
		if (!config_star_action_takes_number(codes[i].action)) {
			/* Complete when dialled; nothing may follow. */
			ret->verdict = *rest ? DIAL_INVALID : DIAL_CODE;
			return 0;
		}
		if (!*rest) {
			ret->verdict = timer_expired ? DIAL_INVALID : DIAL_MORE;
			return 0;
		}
		v = from_digitmap(digitmap_match(dm, rest, timer_expired,
						 ret->number,
						 sizeof(ret->number)),
				  timer_expired);
		ret->verdict = v == DIAL_NUMBER ? DIAL_CODE : v;
		if (ret->verdict != DIAL_CODE)
			ret->number[0] = '\0';
		return 0;
	}
	ret->verdict = prefix && !timer_expired ? DIAL_MORE : DIAL_INVALID;
	return 0;
}
