/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * menu.h - the voice menu of a port and the announcement of why it cannot
 * make calls: which spoken prompts to play.  Pure code: no I/O, logging
 * or allocation; the Line plays the prompts (files synthesized at build
 * time, one per enum prompt_id) and gathers the facts.
 *
 * The menu (the call machine's CALL_STATE_MENU, entered by dialling the
 * port's voice_menu code):
 *
 *   1  the IP address ("one nine two dot ...")
 *   2  the registration of this port and why it fails ("not registered:
 *      no answer from s i p dot ...", "wrong password", ...)
 *   3  the software version
 *   4  the last call's quality (MOS, "four point three")
 *   9  restart the service: "press 1 to confirm"; 1 restarts, any
 *      other key goes back to the menu
 *   #  says the menu again;  any other key: "invalid key" and the menu
 *
 * Numbers and addresses are composed from prompts of one character each.
 */
#ifndef FXSD_MENU_H
#define FXSD_MENU_H

#include <stdbool.h>

#include "sip/sip.h"

/*
 * The prompts: one file each, named by prompt_name() ("0".."9", "a".."z",
 * "dot", "menu", ...).  MENU_PROMPT_TEXTS gives what each says (English);
 * the Makefile synthesizes them from tests/../menu_prompts.txt, which must
 * list the same names: test_menu checks it.
 */
enum prompt_id {
	PROMPT_0, PROMPT_1, PROMPT_2, PROMPT_3, PROMPT_4,
	PROMPT_5, PROMPT_6, PROMPT_7, PROMPT_8, PROMPT_9,
	PROMPT_A, PROMPT_B, PROMPT_C, PROMPT_D, PROMPT_E, PROMPT_F, PROMPT_G,
	PROMPT_H, PROMPT_I, PROMPT_J, PROMPT_K, PROMPT_L, PROMPT_M, PROMPT_N,
	PROMPT_O, PROMPT_P, PROMPT_Q, PROMPT_R, PROMPT_S, PROMPT_T, PROMPT_U,
	PROMPT_V, PROMPT_W, PROMPT_X, PROMPT_Y, PROMPT_Z,
	PROMPT_DOT,		/* "dot" (addresses, host names) */
	PROMPT_DASH,		/* "dash" */
	PROMPT_COLON,		/* "colon" (IPv6) */
	PROMPT_POINT,		/* "point" (the decimal point of a MOS) */
	PROMPT_MENU,		/* the greeting: the keys */
	PROMPT_INVALID_KEY,
	PROMPT_IP_ADDRESS,	/* "the IP address is" */
	PROMPT_NO_ADDRESS,	/* "no IP address" */
	PROMPT_REGISTERED,	/* "this line is registered" */
	PROMPT_REGISTERING,	/* "this line is registering" */
	PROMPT_NOT_REGISTERED,	/* "this line is not registered" */
	PROMPT_REG_DISABLED,	/* "registration is turned off" */
	PROMPT_NO_ANSWER_FROM,	/* "no answer from" (+ the host) */
	PROMPT_WRONG_PASSWORD,	/* "wrong user name or password" */
	PROMPT_REFUSED,		/* "the server refused, code" (+ digits) */
	PROMPT_NO_NETWORK,	/* "no network" */
	PROMPT_VERSION,		/* "software version" */
	PROMPT_MOS,		/* "the last call's quality score is" */
	PROMPT_NO_CALL,		/* "no call yet" */
	PROMPT_CONFIRM_RESTART,	/* "to restart the service, press 1" */
	PROMPT_RESTARTING,	/* "restarting" */
	PROMPT_UNAVAILABLE,	/* "the phone service is not available" */
	PROMPT_CHECK_NETWORK,	/* "check the network cable" */
	PROMPT_CHECK_SERVER,	/* "check the server address" */
	PROMPT_CHECK_PASSWORD,	/* "check the user name and password" */
	_PROMPT_MAX,
};

/* "0", "a", "dot", "menu", "invalid-key", ...; NULL out of range. */
const char *prompt_name(enum prompt_id p);

/* What the registration of a port says, as the menu tells it. */
enum menu_reg {
	MENU_REG_OK,		/* registered */
	MENU_REG_DISABLED,	/* register = no: calls need no registration */
	MENU_REG_TRYING,	/* the first REGISTER is out */
	MENU_REG_NO_ANSWER,	/* a timeout or a transport failure (408, 503) */
	MENU_REG_AUTH,		/* 401, 403, 407: wrong credentials */
	MENU_REG_REFUSED,	/* any other final status */
	MENU_REG_NO_NETWORK,	/* nothing could be sent (status 0) */
	_MENU_REG_MAX,
};

/* From the SIP agent's state and the status of its last answer (see
 * sip.h's on_registration). */
enum menu_reg menu_reg_classify(bool register_enabled,
				enum sip_reg_state state, int status);
/* Whether the port can make calls: registered, or registration off. */
bool menu_reg_usable(enum menu_reg r);

/**
 * struct menu_facts - what the menu tells, gathered by the Line
 * @address: the port's IP address as text, "" when it has none
 * @reg: the registration
 * @reg_status: its last SIP status (MENU_REG_REFUSED says it)
 * @registrar: host[:port] of the registrar (MENU_REG_NO_ANSWER says the
 *	host)
 * @version: the software version, "1.2.3"
 * @mos_x10: the last answered call's MOS times ten, rounded; -1 none yet
 */
struct menu_facts {
	const char *address;
	enum menu_reg reg;
	int reg_status;
	const char *registrar;
	const char *version;
	int mos_x10;
};

/* The most prompts one answer holds (a host name spelled out). */
#define MENU_PROMPTS_MAX 320

/**
 * struct menu_result - what to play, in order, in place of what plays
 * @n: how many of @p are valid (0: nothing new; what plays goes on)
 * @p: the prompts
 * @restart: once they have played, restart the service
 */
struct menu_result {
	unsigned n;
	enum prompt_id p[MENU_PROMPTS_MAX];
	bool restart;
};

enum menu_state {
	MENU_MAIN,		/* waiting for a key */
	MENU_CONFIRM,		/* 9 was pressed: 1 restarts */
	MENU_RESTARTING,	/* "restarting" plays, then the restart */
};

struct menu {
	enum menu_state state;
};

/* Enter the menu: the greeting.  Returns 0, -EINVAL for NULL. */
int menu_start(struct menu *m, struct menu_result *ret);
/* Key @key ('0'-'9', '*', '#') pressed with @f as things stand.  Returns
 * 0, -EINVAL for NULL or a character that is not a key. */
int menu_key(struct menu *m, char key, const struct menu_facts *f,
	     struct menu_result *ret);
/* The prompts of the last answer have played: ret->restart says whether
 * to restart now.  Returns 0, -EINVAL for NULL. */
int menu_prompt_done(struct menu *m, struct menu_result *ret);

/*
 * The announcement when the phone is lifted on a port that cannot make
 * calls: what is wrong and what to check ("the phone service is not
 * available. no answer from pbx dot example dot org. check the server
 * address").  ret->n is 0 when the port can make calls.  Returns 0,
 * -EINVAL for NULL.
 */
int menu_unavailable(const struct menu_facts *f, struct menu_result *ret);

#endif /* FXSD_MENU_H */
