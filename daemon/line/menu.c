// SPDX-License-Identifier: GPL-2.0-only
/*
 * menu.c - the voice menu and the unavailability announcement: which
 * prompts to play (menu.h).  Pure: no I/O, logging or allocation.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "line/menu.h"

static const char *const prompt_table[_PROMPT_MAX] = {
	[PROMPT_0] = "0", [PROMPT_1] = "1", [PROMPT_2] = "2", [PROMPT_3] = "3",
	[PROMPT_4] = "4", [PROMPT_5] = "5", [PROMPT_6] = "6", [PROMPT_7] = "7",
	[PROMPT_8] = "8", [PROMPT_9] = "9",
	[PROMPT_A] = "a", [PROMPT_B] = "b", [PROMPT_C] = "c", [PROMPT_D] = "d",
	[PROMPT_E] = "e", [PROMPT_F] = "f", [PROMPT_G] = "g", [PROMPT_H] = "h",
	[PROMPT_I] = "i", [PROMPT_J] = "j", [PROMPT_K] = "k", [PROMPT_L] = "l",
	[PROMPT_M] = "m", [PROMPT_N] = "n", [PROMPT_O] = "o", [PROMPT_P] = "p",
	[PROMPT_Q] = "q", [PROMPT_R] = "r", [PROMPT_S] = "s", [PROMPT_T] = "t",
	[PROMPT_U] = "u", [PROMPT_V] = "v", [PROMPT_W] = "w", [PROMPT_X] = "x",
	[PROMPT_Y] = "y", [PROMPT_Z] = "z",
	[PROMPT_DOT] = "dot",
	[PROMPT_DASH] = "dash",
	[PROMPT_COLON] = "colon",
	[PROMPT_POINT] = "point",
	[PROMPT_MENU] = "menu",
	[PROMPT_INVALID_KEY] = "invalid-key",
	[PROMPT_IP_ADDRESS] = "ip-address",
	[PROMPT_NO_ADDRESS] = "no-address",
	[PROMPT_REGISTERED] = "registered",
	[PROMPT_REGISTERING] = "registering",
	[PROMPT_NOT_REGISTERED] = "not-registered",
	[PROMPT_REG_DISABLED] = "registration-off",
	[PROMPT_NO_ANSWER_FROM] = "no-answer-from",
	[PROMPT_WRONG_PASSWORD] = "wrong-password",
	[PROMPT_REFUSED] = "refused",
	[PROMPT_NO_NETWORK] = "no-network",
	[PROMPT_VERSION] = "version",
	[PROMPT_MOS] = "mos",
	[PROMPT_NO_CALL] = "no-call",
	[PROMPT_CONFIRM_RESTART] = "confirm-restart",
	[PROMPT_RESTARTING] = "restarting",
	[PROMPT_UNAVAILABLE] = "unavailable",
	[PROMPT_CHECK_NETWORK] = "check-network",
	[PROMPT_CHECK_SERVER] = "check-server",
	[PROMPT_CHECK_PASSWORD] = "check-password",
};

const char *prompt_name(enum prompt_id p)
{
	if ((unsigned)p >= _PROMPT_MAX)
		return NULL;
	return prompt_table[p];
}

enum menu_reg menu_reg_classify(bool register_enabled,
				enum sip_reg_state state, int status)
{
	if (!register_enabled)
		return MENU_REG_DISABLED;
	switch (state) {
	case SIP_REG_REGISTERED:
		return MENU_REG_OK;
	case SIP_REG_FAILED:
		break;
	default:
		return MENU_REG_TRYING;
	}
	if (status == 0)
		return MENU_REG_NO_NETWORK;
	if (status == 408 || status == 503)
		return MENU_REG_NO_ANSWER;
	if (status == 401 || status == 403 || status == 407)
		return MENU_REG_AUTH;
	return MENU_REG_REFUSED;
}

bool menu_reg_usable(enum menu_reg r)
{
	return r == MENU_REG_OK || r == MENU_REG_DISABLED;
}

static void add(struct menu_result *r, enum prompt_id p)
{
	if (r->n < MENU_PROMPTS_MAX)
		r->p[r->n++] = p;
}

/* A character of an address, a host name or a version; others are
 * skipped. */
static void add_char(struct menu_result *r, char c)
{
	if (c >= '0' && c <= '9')
		add(r, PROMPT_0 + (c - '0'));
	else if (c >= 'a' && c <= 'z')
		add(r, PROMPT_A + (c - 'a'));
	else if (c >= 'A' && c <= 'Z')
		add(r, PROMPT_A + (c - 'A'));
	else if (c == '.')
		add(r, PROMPT_DOT);
	else if (c == '-')
		add(r, PROMPT_DASH);
	else if (c == ':')
		add(r, PROMPT_COLON);
}

static void add_text(struct menu_result *r, const char *s)
{
	for (; s && *s; s++)
		add_char(r, *s);
}

/* The host of "host[:port]" or "[v6]:port", spelled. */
static void add_host(struct menu_result *r, const char *hp)
{
	const char *end;

	if (!hp)
		return;
	if (*hp == '[') {
		end = strchr(++hp, ']');
	} else {
		end = strchr(hp, ':');
	}
	if (!end)
		end = hp + strlen(hp);
	for (; hp < end; hp++)
		add_char(r, *hp);
}

static void add_number(struct menu_result *r, int v)
{
	char buf[16];
	int n = 0;

	if (v < 0)
		v = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(buf));
	while (n)
		add_char(r, buf[--n]);
}

/* Why the registration fails, and for the announcement what to check. */
static void add_reason(struct menu_result *r, const struct menu_facts *f,
		       bool advice)
{
	switch (f->reg) {
	case MENU_REG_NO_ANSWER:
		add(r, PROMPT_NO_ANSWER_FROM);
		add_host(r, f->registrar);
		if (advice)
			add(r, PROMPT_CHECK_SERVER);
		break;
	case MENU_REG_AUTH:
		add(r, PROMPT_WRONG_PASSWORD);
		if (advice)
			add(r, PROMPT_CHECK_PASSWORD);
		break;
	case MENU_REG_REFUSED:
		add(r, PROMPT_REFUSED);
		add_number(r, f->reg_status);
		if (advice)
			add(r, PROMPT_CHECK_SERVER);
		break;
	case MENU_REG_NO_NETWORK:
		add(r, PROMPT_NO_NETWORK);
		if (advice)
			add(r, PROMPT_CHECK_NETWORK);
		break;
	default:
		break;
	}
}

int menu_start(struct menu *m, struct menu_result *ret)
{
	if (!m || !ret)
		return -EINVAL;
	m->state = MENU_MAIN;
	ret->n = 0;
	ret->restart = false;
	add(ret, PROMPT_MENU);
	return 0;
}

static bool is_key(char k)
{
	return (k >= '0' && k <= '9') || k == '*' || k == '#';
}

int menu_key(struct menu *m, char key, const struct menu_facts *f,
	     struct menu_result *ret)
{
	if (!m || !f || !ret || !is_key(key))
		return -EINVAL;
	ret->n = 0;
	ret->restart = false;
	switch (m->state) {
	case MENU_RESTARTING:
		return 0;	/* "restarting" plays on */
	case MENU_CONFIRM:
		if (key == '1') {
			m->state = MENU_RESTARTING;
			add(ret, PROMPT_RESTARTING);
		} else {
			m->state = MENU_MAIN;
			add(ret, PROMPT_MENU);
		}
		return 0;
	case MENU_MAIN:
		break;
	}
	switch (key) {
	case '1':
		if (f->address && f->address[0]) {
			add(ret, PROMPT_IP_ADDRESS);
			add_text(ret, f->address);
		} else {
			add(ret, PROMPT_NO_ADDRESS);
		}
		break;
	case '2':
		switch (f->reg) {
		case MENU_REG_OK:
			add(ret, PROMPT_REGISTERED);
			break;
		case MENU_REG_DISABLED:
			add(ret, PROMPT_REG_DISABLED);
			break;
		case MENU_REG_TRYING:
			add(ret, PROMPT_REGISTERING);
			break;
		default:
			add(ret, PROMPT_NOT_REGISTERED);
			add_reason(ret, f, false);
			break;
		}
		break;
	case '3':
		add(ret, PROMPT_VERSION);
		add_text(ret, f->version);
		break;
	case '4':
		if (f->mos_x10 < 0) {
			add(ret, PROMPT_NO_CALL);
		} else {
			add(ret, PROMPT_MOS);
			add_number(ret, f->mos_x10 / 10);
			add(ret, PROMPT_POINT);
			add_number(ret, f->mos_x10 % 10);
		}
		break;
	case '9':
		m->state = MENU_CONFIRM;
		add(ret, PROMPT_CONFIRM_RESTART);
		break;
	case '#':
		add(ret, PROMPT_MENU);
		break;
	default:
		add(ret, PROMPT_INVALID_KEY);
		add(ret, PROMPT_MENU);
		break;
	}
	return 0;
}

int menu_prompt_done(struct menu *m, struct menu_result *ret)
{
	if (!m || !ret)
		return -EINVAL;
	ret->n = 0;
	ret->restart = m->state == MENU_RESTARTING;
	return 0;
}

int menu_unavailable(const struct menu_facts *f, struct menu_result *ret)
{
	if (!f || !ret)
		return -EINVAL;
	ret->n = 0;
	ret->restart = false;
	if (menu_reg_usable(f->reg) || f->reg == MENU_REG_TRYING)
		return 0;
	add(ret, PROMPT_UNAVAILABLE);
	add_reason(ret, f, true);
	return 0;
}
