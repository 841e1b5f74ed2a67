// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_menu.c - the voice menu machine (line/menu.h): which prompts each
 * key plays, the restart's confirmation, the announcement's reasons, and
 * that prompts/en.txt names every prompt of the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line/menu.h"
#include "unit.h"

/* The prompts of @r as "name name ..." */
static const char *said(const struct menu_result *r)
{
	static char buf[4096];
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < r->n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				i ? " " : "", prompt_name(r->p[i]));
	return buf;
}

static const struct menu_facts facts = {
	.address = "192.0.2.17",
	.reg = MENU_REG_OK,
	.registrar = "sip.example.net:5062",
	.version = "1.4",
	.mos_x10 = 43,
};

UNIT_TEST(menu_keys)
{
	struct menu m;
	struct menu_result r;
	struct menu_facts f = facts;

	CHECK_INT(menu_start(&m, &r), 0);
	CHECK_STR(said(&r), "menu");
	CHECK_INT(menu_key(&m, '1', &f, &r), 0);
	CHECK_STR(said(&r), "ip-address 1 9 2 dot 0 dot 2 dot 1 7");
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "registered");
	CHECK_INT(menu_key(&m, '3', &f, &r), 0);
	CHECK_STR(said(&r), "version 1 dot 4");
	CHECK_INT(menu_key(&m, '4', &f, &r), 0);
	CHECK_STR(said(&r), "mos 4 point 3");
	CHECK_INT(menu_key(&m, '#', &f, &r), 0);
	CHECK_STR(said(&r), "menu");
	CHECK_INT(menu_key(&m, '7', &f, &r), 0);
	CHECK_STR(said(&r), "invalid-key menu");
	CHECK_INT(menu_key(&m, '*', &f, &r), 0);
	CHECK_STR(said(&r), "invalid-key menu");
	f.mos_x10 = -1;
	f.address = "";
	CHECK_INT(menu_key(&m, '4', &f, &r), 0);
	CHECK_STR(said(&r), "no-call");
	CHECK_INT(menu_key(&m, '1', &f, &r), 0);
	CHECK_STR(said(&r), "no-address");
	f.address = "2001:db8::1";
	CHECK_INT(menu_key(&m, '1', &f, &r), 0);
	CHECK_STR(said(&r), "ip-address 2 0 0 1 colon d b 8 colon colon 1");
	f.mos_x10 = 40;
	CHECK_INT(menu_key(&m, '4', &f, &r), 0);
	CHECK_STR(said(&r), "mos 4 point 0");
	CHECK(!r.restart, "no restart");
	CHECK_INT(menu_key(&m, 'x', &f, &r), -EINVAL);
	CHECK_INT(menu_key(NULL, '1', &f, &r), -EINVAL);
}

UNIT_TEST(menu_registration_reasons)
{
	struct menu m;
	struct menu_result r;
	struct menu_facts f = facts;

	menu_start(&m, &r);
	f.reg = MENU_REG_NO_ANSWER;
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "not-registered no-answer-from s i p dot e x a m p l e dot n e t");
	f.registrar = "[2001:db8::5]:5060";
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "not-registered no-answer-from 2 0 0 1 colon d b 8 colon colon 5");
	f.reg = MENU_REG_AUTH;
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "not-registered wrong-password");
	f.reg = MENU_REG_REFUSED;
	f.reg_status = 404;
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "not-registered refused 4 0 4");
	f.reg = MENU_REG_NO_NETWORK;
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "not-registered no-network");
	f.reg = MENU_REG_TRYING;
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "registering");
	f.reg = MENU_REG_DISABLED;
	CHECK_INT(menu_key(&m, '2', &f, &r), 0);
	CHECK_STR(said(&r), "registration-off");
}

UNIT_TEST(menu_restart_needs_confirmation)
{
	struct menu m;
	struct menu_result r;

	menu_start(&m, &r);
	CHECK_INT(menu_key(&m, '9', &facts, &r), 0);
	CHECK_STR(said(&r), "confirm-restart");
	menu_prompt_done(&m, &r);
	CHECK(!r.restart, "not before the confirmation");
	/* another key goes back */
	CHECK_INT(menu_key(&m, '2', &facts, &r), 0);
	CHECK_STR(said(&r), "menu");
	CHECK_INT(menu_key(&m, '1', &facts, &r), 0);
	CHECK_STR(said(&r), "ip-address 1 9 2 dot 0 dot 2 dot 1 7");
	menu_prompt_done(&m, &r);
	CHECK(!r.restart, "1 in the menu is the address");
	CHECK_INT(menu_key(&m, '9', &facts, &r), 0);
	CHECK_INT(menu_key(&m, '1', &facts, &r), 0);
	CHECK_STR(said(&r), "restarting");
	CHECK(!r.restart, "only once it has been said");
	/* keys meanwhile change nothing */
	CHECK_INT(menu_key(&m, '#', &facts, &r), 0);
	CHECK_INT(r.n, 0);
	menu_prompt_done(&m, &r);
	CHECK(r.restart, "restart once said");
	/* a new menu starts afresh */
	menu_start(&m, &r);
	menu_prompt_done(&m, &r);
	CHECK(!r.restart, "a fresh menu");
}

UNIT_TEST(menu_reg_classify_statuses)
{
	CHECK_INT(menu_reg_classify(false, SIP_REG_FAILED, 408), MENU_REG_DISABLED);
	CHECK_INT(menu_reg_classify(true, SIP_REG_REGISTERED, 200), MENU_REG_OK);
	CHECK_INT(menu_reg_classify(true, SIP_REG_REGISTERING, 0), MENU_REG_TRYING);
	CHECK_INT(menu_reg_classify(true, SIP_REG_NONE, 0), MENU_REG_TRYING);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 408), MENU_REG_NO_ANSWER);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 503), MENU_REG_NO_ANSWER);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 401), MENU_REG_AUTH);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 403), MENU_REG_AUTH);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 407), MENU_REG_AUTH);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 404), MENU_REG_REFUSED);
	CHECK_INT(menu_reg_classify(true, SIP_REG_FAILED, 0), MENU_REG_NO_NETWORK);
	CHECK(menu_reg_usable(MENU_REG_OK) && menu_reg_usable(MENU_REG_DISABLED) &&
	      !menu_reg_usable(MENU_REG_NO_ANSWER) &&
	      !menu_reg_usable(MENU_REG_TRYING), "usable");
}

UNIT_TEST(menu_unavailable_reasons)
{
	struct menu_result r;
	struct menu_facts f = facts;

	CHECK_INT(menu_unavailable(&f, &r), 0);
	CHECK_INT(r.n, 0);
	f.reg = MENU_REG_DISABLED;
	CHECK_INT(menu_unavailable(&f, &r), 0);
	CHECK_INT(r.n, 0);
	f.reg = MENU_REG_TRYING;
	CHECK_INT(menu_unavailable(&f, &r), 0);
	CHECK_INT(r.n, 0);
	f.reg = MENU_REG_NO_ANSWER;
	f.registrar = "pbx.example.org";
	CHECK_INT(menu_unavailable(&f, &r), 0);
	CHECK_STR(said(&r), "unavailable no-answer-from p b x dot e x a m p l e dot o r g check-server");
	f.reg = MENU_REG_AUTH;
	CHECK_INT(menu_unavailable(&f, &r), 0);
	CHECK_STR(said(&r), "unavailable wrong-password check-password");
	f.reg = MENU_REG_NO_NETWORK;
	CHECK_INT(menu_unavailable(&f, &r), 0);
	CHECK_STR(said(&r), "unavailable no-network check-network");
	CHECK_INT(menu_unavailable(NULL, &r), -EINVAL);
}

/* prompts/en.txt (the texts the build speaks) and the machine's names
 * are the same list, in the same order. */
UNIT_TEST(menu_prompt_list_matches)
{
	char line[512];
	FILE *f = fopen("prompts/en.txt", "r");
	int i = 0;

	CHECK(f, "prompts/en.txt: run from the top of the tree");
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!tab || i >= _PROMPT_MAX)
			break;
		*tab = '\0';
		if (strcmp(line, prompt_name(i)) != 0)
			break;
		i++;
	}
	fclose(f);
	CHECK(i == _PROMPT_MAX, "prompts/en.txt differs from menu.c at prompt %d (%s)",
	      i, i < _PROMPT_MAX ? prompt_name(i) : "past the end");
	CHECK(prompt_name(_PROMPT_MAX) == NULL, "out of range");
}
