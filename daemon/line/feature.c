// SPDX-License-Identifier: GPL-2.0-only
/*
 * feature.c - the feature machine of one FXS port: the table,
 * feature_step() and feature_dump().  See feature.h for the contract.
 *
 * The conventions are the North American ones an HT802 or SPA112 follows
 * by default: a flash in a call holds it and gives dial tone; a flash with
 * a call waiting takes it and holds the other; a flash with two calls
 * swaps them; a flash with a call on hold and no second call talking takes
 * the held one back; hanging up with a call on hold rings the phone, and
 * lifting it takes the held call back; a flash with a call on hold and a
 * second one the phone dialled joins the three (3-way calling), and a
 * flash in the conference drops the party added last; hanging up with a
 * call on hold and a second party called or talking transfers the held
 * one to it (blind or attended), and rings back if the transfer fails.
 */
#include <string.h>

#include "line/feature.h"

static const char *const state_names[_FEATURE_STATE_MAX] = {
	[FEATURE_STATE_SINGLE] = "single",
	[FEATURE_STATE_WAITING] = "call-waiting",
	[FEATURE_STATE_HELD] = "held",
	[FEATURE_STATE_RECALL] = "recall",
	[FEATURE_STATE_CONFERENCE] = "conference",
	[FEATURE_STATE_TRANSFER] = "transfer",
	[FEATURE_STATE_TRANSFERRED] = "transferred",
};

static const char *const event_names[_FEATURE_EVENT_MAX] = {
	[FEATURE_EVENT_FLASH_TALKING] = "flash-talking",
	[FEATURE_EVENT_FLASH] = "flash",
	[FEATURE_EVENT_OFFHOOK] = "offhook",
	[FEATURE_EVENT_ONHOOK] = "onhook",
	[FEATURE_EVENT_INVITE_WAITABLE] = "invite-waitable",
	[FEATURE_EVENT_INVITE] = "invite",
	[FEATURE_EVENT_OTHER_ENDED] = "other-ended",
	[FEATURE_EVENT_OTHER_OFFER] = "other-offer",
	[FEATURE_EVENT_OTHER_ANSWER] = "other-answer",
	[FEATURE_EVENT_TIMER_RECALL] = "timer-recall",
	[FEATURE_EVENT_FLASH_JOIN] = "flash-join",
	[FEATURE_EVENT_FRONT_ENDED] = "front-ended",
	[FEATURE_EVENT_ONHOOK_BLIND] = "onhook-blind",
	[FEATURE_EVENT_ONHOOK_ATTENDED] = "onhook-attended",
	[FEATURE_EVENT_REFER_OK] = "refer-ok",
	[FEATURE_EVENT_REFER_FAILED] = "refer-failed",
	[FEATURE_EVENT_REFER_IN] = "refer-in",
	[FEATURE_EVENT_REFER_IN_REFUSED] = "refer-in-refused",
	[FEATURE_EVENT_OTHER_ANSWERED] = "other-answered",
	[FEATURE_EVENT_CALL] = "call",
	[FEATURE_EVENT_INVITE_WAITABLE_FWD] = "invite-waitable-forwardable",
	[FEATURE_EVENT_INVITE_FWD] = "invite-forwardable",
};

static const char *const action_names[_FEATURE_ACTION_MAX] = {
	[FEATURE_ACTION_PASS] = "pass",
	[FEATURE_ACTION_OTHER_KEEP] = "other-keep",
	[FEATURE_ACTION_OTHER_RINGING] = "other-ringing",
	[FEATURE_ACTION_OTHER_ANSWER_OFFER] = "other-answer-offer",
	[FEATURE_ACTION_OTHER_REJECT_OFFER] = "other-reject-offer",
	[FEATURE_ACTION_OTHER_UPDATE] = "other-update",
	[FEATURE_ACTION_OTHER_BYE] = "other-bye",
	[FEATURE_ACTION_OTHER_CLEAR] = "other-clear",
	[FEATURE_ACTION_REJECT_486] = "reject-486",
	[FEATURE_ACTION_CW_START] = "cw-start",
	[FEATURE_ACTION_CW_STOP] = "cw-stop",
	[FEATURE_ACTION_HOLD] = "hold",
	[FEATURE_ACTION_RESUME] = "resume",
	[FEATURE_ACTION_ANSWER] = "answer",
	[FEATURE_ACTION_SWAP] = "swap",
	[FEATURE_ACTION_FRONT_HANGUP] = "front-hangup",
	[FEATURE_ACTION_FRONT_DIALTONE] = "front-dial-tone",
	[FEATURE_ACTION_FRONT_INCALL] = "front-in-call",
	[FEATURE_ACTION_FRONT_RINGING] = "front-ringing",
	[FEATURE_ACTION_RECALL_RING_START] = "recall-ring-start",
	[FEATURE_ACTION_RECALL_RING_STOP] = "recall-ring-stop",
	[FEATURE_ACTION_TIMER_RECALL_START] = "timer-recall-start",
	[FEATURE_ACTION_TIMER_RECALL_STOP] = "timer-recall-stop",
	[FEATURE_ACTION_RESUME_OTHER] = "resume-other",
	[FEATURE_ACTION_MIX_START] = "mix-start",
	[FEATURE_ACTION_MIX_STOP] = "mix-stop",
	[FEATURE_ACTION_REFER_BLIND] = "refer-blind",
	[FEATURE_ACTION_REFER_ATTENDED] = "refer-attended",
	[FEATURE_ACTION_FRONT_PARK] = "front-park",
	[FEATURE_ACTION_FRONT_DROP] = "front-drop",
	[FEATURE_ACTION_TRANSFEREE_INVITE] = "transferee-invite",
	[FEATURE_ACTION_NOTIFY_OK] = "notify-ok",
	[FEATURE_ACTION_NOTIFY_FAILED] = "notify-failed",
	[FEATURE_ACTION_NOTIFY_REFUSED] = "notify-refused",
	[FEATURE_ACTION_FORWARD_BUSY] = "forward-busy",
};

const char *feature_state_to_string(enum feature_state s)
{
	return (unsigned)s < _FEATURE_STATE_MAX ? state_names[s] : NULL;
}

const char *feature_event_to_string(enum feature_event e)
{
	return (unsigned)e < _FEATURE_EVENT_MAX ? event_names[e] : NULL;
}

const char *feature_action_to_string(enum feature_action a)
{
	return (unsigned)a < _FEATURE_ACTION_MAX ? action_names[a] : NULL;
}

enum cell_kind { CELL_UNDEFINED = 0, CELL_IGNORE, CELL_GO };

struct cell {
	enum cell_kind kind;
	enum feature_state next;
	unsigned n;
	enum feature_action a[FEATURE_MAX_ACTIONS];
	const char *why;
};

/* GO(NEXT, actions...) with the actions named without their prefix;
 * IGNORE(why) an explicit no-op. */
#define F1(a) FEATURE_ACTION_##a
#define F2(a, ...) FEATURE_ACTION_##a, F1(__VA_ARGS__)
#define F3(a, ...) FEATURE_ACTION_##a, F2(__VA_ARGS__)
#define F4(a, ...) FEATURE_ACTION_##a, F3(__VA_ARGS__)
#define F5(a, ...) FEATURE_ACTION_##a, F4(__VA_ARGS__)
#define F6(a, ...) FEATURE_ACTION_##a, F5(__VA_ARGS__)
#define PICK(_1, _2, _3, _4, _5, _6, x, ...) x
#define GO(to, ...)							\
	{ .kind = CELL_GO, .next = FEATURE_STATE_##to,			\
	  .n = PICK(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0),			\
	  .a = { PICK(__VA_ARGS__, F6, F5, F4, F3, F2, F1, 0)(__VA_ARGS__) } }
#define IGNORE(reason) { .kind = CELL_IGNORE, .why = (reason) }
#define ON(ev) [FEATURE_EVENT_##ev]

#define NO_OTHER	"the line has no second call"
#define NO_RECALL	"stale timer: the phone is not ringing for a held call"
#define OFF_HOOK	"the phone is already off-hook"
#define ON_HOOK		"the phone is on-hook"
#define NO_REFER	"no transfer of ours is under way"

static const struct cell cells[_FEATURE_STATE_MAX][_FEATURE_EVENT_MAX] = {
	[FEATURE_STATE_SINGLE] = {
		/* flash in a call: hold it, dial tone for a second call */
		ON(FLASH_TALKING)	= GO(HELD, HOLD, SWAP, FRONT_DIALTONE),
		ON(FLASH)		= GO(SINGLE, PASS),
		ON(OFFHOOK)		= GO(SINGLE, PASS),
		ON(ONHOOK)		= GO(SINGLE, PASS),
		ON(INVITE_WAITABLE)	= GO(WAITING, OTHER_KEEP, OTHER_RINGING,
					     CW_START),
		ON(INVITE)		= GO(SINGLE, PASS),
		ON(OTHER_ENDED)		= IGNORE(NO_OTHER),
		ON(OTHER_OFFER)		= IGNORE(NO_OTHER),
		ON(OTHER_ANSWER)	= IGNORE(NO_OTHER),
		ON(TIMER_RECALL)	= IGNORE(NO_RECALL),
		ON(FLASH_JOIN)		= IGNORE(NO_OTHER),
		ON(FRONT_ENDED)		= GO(SINGLE, PASS),
		ON(ONHOOK_BLIND)	= GO(SINGLE, PASS),
		ON(ONHOOK_ATTENDED)	= GO(SINGLE, PASS),
		ON(REFER_OK)		= IGNORE(NO_REFER),
		ON(REFER_FAILED)	= IGNORE(NO_REFER),
		/* the far end transfers us: we call the target */
		ON(REFER_IN)		= GO(TRANSFERRED, TRANSFEREE_INVITE),
		ON(REFER_IN_REFUSED)	= GO(SINGLE, NOTIFY_REFUSED),
		ON(OTHER_ANSWERED)	= IGNORE("only a transfer's call of ours is awaited"),
		ON(CALL)		= GO(SINGLE, PASS),
		/* the same, forwarded on busy where 486 would answer */
		ON(INVITE_WAITABLE_FWD)	= GO(WAITING, OTHER_KEEP, OTHER_RINGING,
					     CW_START),
		ON(INVITE_FWD)		= GO(SINGLE, PASS),
	},
	[FEATURE_STATE_WAITING] = {
		/* take the waiting call, hold the one talking */
		ON(FLASH_TALKING)	= GO(HELD, CW_STOP, HOLD, SWAP, ANSWER,
					     FRONT_INCALL),
		/* the front call is over (its far end hung up): take the
		 * waiting one */
		ON(FLASH)		= GO(SINGLE, CW_STOP, FRONT_HANGUP, SWAP,
					     ANSWER, FRONT_INCALL),
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		/* hanging up ends the front call; the waiting one rings */
		ON(ONHOOK)		= GO(SINGLE, CW_STOP, PASS, SWAP,
					     FRONT_RINGING),
		ON(INVITE_WAITABLE)	= GO(WAITING, REJECT_486),
		ON(INVITE)		= GO(WAITING, REJECT_486),
		ON(OTHER_ENDED)		= GO(SINGLE, CW_STOP, OTHER_CLEAR),
		ON(OTHER_OFFER)		= GO(WAITING, OTHER_REJECT_OFFER),
		ON(OTHER_ANSWER)	= IGNORE("a waiting call has no re-INVITE of ours"),
		ON(TIMER_RECALL)	= IGNORE(NO_RECALL),
		ON(FLASH_JOIN)		= IGNORE("a waiting call is taken, not joined"),
		ON(FRONT_ENDED)		= GO(WAITING, PASS),
		ON(ONHOOK_BLIND)	= GO(SINGLE, CW_STOP, PASS, SWAP,
					     FRONT_RINGING),
		ON(ONHOOK_ATTENDED)	= GO(SINGLE, CW_STOP, PASS, SWAP,
					     FRONT_RINGING),
		ON(REFER_OK)		= IGNORE(NO_REFER),
		ON(REFER_FAILED)	= IGNORE(NO_REFER),
		ON(REFER_IN)		= GO(WAITING, NOTIFY_REFUSED),
		ON(REFER_IN_REFUSED)	= GO(WAITING, NOTIFY_REFUSED),
		ON(OTHER_ANSWERED)	= IGNORE("only a transfer's call of ours is awaited"),
		ON(CALL)		= GO(WAITING, PASS),
		ON(INVITE_WAITABLE_FWD)	= GO(WAITING, FORWARD_BUSY),
		ON(INVITE_FWD)		= GO(WAITING, FORWARD_BUSY),
	},
	[FEATURE_STATE_HELD] = {
		/* two calls: swap them */
		ON(FLASH_TALKING)	= GO(HELD, HOLD, SWAP, RESUME,
					     FRONT_INCALL),
		/* no second call talking: drop what the front has (dial
		 * tone, a call being set up, the tone after it ended) and
		 * take the held call back */
		ON(FLASH)		= GO(SINGLE, FRONT_HANGUP, SWAP, RESUME,
					     FRONT_INCALL),
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		/* hanging up ends the front call; the held one rings back */
		ON(ONHOOK)		= GO(RECALL, PASS, RECALL_RING_START,
					     TIMER_RECALL_START),
		ON(INVITE_WAITABLE)	= GO(HELD, REJECT_486),
		ON(INVITE)		= GO(HELD, REJECT_486),
		ON(OTHER_ENDED)		= GO(SINGLE, OTHER_CLEAR),
		ON(OTHER_OFFER)		= GO(HELD, OTHER_ANSWER_OFFER),
		ON(OTHER_ANSWER)	= GO(HELD, OTHER_UPDATE),
		ON(TIMER_RECALL)	= IGNORE(NO_RECALL),
		/* the 3-way call: the held one joins the one dialled */
		ON(FLASH_JOIN)		= GO(CONFERENCE, RESUME_OTHER, MIX_START),
		ON(FRONT_ENDED)		= GO(HELD, PASS),
		/* hanging up transfers the held call to the one dialled:
		 * blind while it is being called (our INVITE cancelled),
		 * attended once it talks (Replaces: its dialog is kept) */
		ON(ONHOOK_BLIND)	= GO(TRANSFER, REFER_BLIND, PASS),
		ON(ONHOOK_ATTENDED)	= GO(TRANSFER, REFER_ATTENDED, FRONT_PARK),
		/* lifted again during a transfer, which then succeeded */
		ON(REFER_OK)		= GO(SINGLE, OTHER_BYE, OTHER_CLEAR),
		ON(REFER_FAILED)	= IGNORE("the transfer failed: the call stays on hold"),
		ON(REFER_IN)		= GO(HELD, NOTIFY_REFUSED),
		ON(REFER_IN_REFUSED)	= GO(HELD, NOTIFY_REFUSED),
		ON(OTHER_ANSWERED)	= IGNORE("only a transfer's call of ours is awaited"),
		ON(CALL)		= GO(HELD, PASS),
		ON(INVITE_WAITABLE_FWD)	= GO(HELD, FORWARD_BUSY),
		ON(INVITE_FWD)		= GO(HELD, FORWARD_BUSY),
	},
	[FEATURE_STATE_RECALL] = {
		ON(FLASH_TALKING)	= IGNORE(ON_HOOK),
		ON(FLASH)		= IGNORE(ON_HOOK),
		/* lifting the phone takes the held call back */
		ON(OFFHOOK)		= GO(SINGLE, RECALL_RING_STOP,
					     TIMER_RECALL_STOP, SWAP, RESUME,
					     FRONT_INCALL),
		ON(ONHOOK)		= IGNORE(ON_HOOK),
		ON(INVITE_WAITABLE)	= GO(RECALL, REJECT_486),
		ON(INVITE)		= GO(RECALL, REJECT_486),
		ON(OTHER_ENDED)		= GO(SINGLE, RECALL_RING_STOP,
					     TIMER_RECALL_STOP, OTHER_CLEAR),
		ON(OTHER_OFFER)		= GO(RECALL, OTHER_ANSWER_OFFER),
		ON(OTHER_ANSWER)	= GO(RECALL, OTHER_UPDATE),
		/* nobody came: the held call ends */
		ON(TIMER_RECALL)	= GO(SINGLE, RECALL_RING_STOP, OTHER_BYE,
					     OTHER_CLEAR),
		ON(FLASH_JOIN)		= IGNORE(ON_HOOK),
		ON(FRONT_ENDED)		= GO(RECALL, PASS),
		ON(ONHOOK_BLIND)	= IGNORE(ON_HOOK),
		ON(ONHOOK_ATTENDED)	= IGNORE(ON_HOOK),
		ON(REFER_OK)		= IGNORE(NO_REFER),
		ON(REFER_FAILED)	= IGNORE(NO_REFER),
		ON(REFER_IN)		= GO(RECALL, NOTIFY_REFUSED),
		ON(REFER_IN_REFUSED)	= GO(RECALL, NOTIFY_REFUSED),
		ON(OTHER_ANSWERED)	= IGNORE("only a transfer's call of ours is awaited"),
		ON(CALL)		= GO(RECALL, PASS),
		ON(INVITE_WAITABLE_FWD)	= GO(RECALL, FORWARD_BUSY),
		ON(INVITE_FWD)		= GO(RECALL, FORWARD_BUSY),
	},
	[FEATURE_STATE_CONFERENCE] = {
		/* a flash drops the party added last: the first stays */
		ON(FLASH_TALKING)	= GO(SINGLE, MIX_STOP, FRONT_HANGUP, SWAP,
					     FRONT_INCALL),
		ON(FLASH)		= GO(SINGLE, MIX_STOP, FRONT_HANGUP, SWAP,
					     FRONT_INCALL),
		ON(FLASH_JOIN)		= GO(SINGLE, MIX_STOP, FRONT_HANGUP, SWAP,
					     FRONT_INCALL),
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		/* hanging up ends both */
		ON(ONHOOK)		= GO(SINGLE, MIX_STOP, OTHER_BYE, OTHER_CLEAR,
					     PASS),
		ON(INVITE_WAITABLE)	= GO(CONFERENCE, REJECT_486),
		ON(INVITE)		= GO(CONFERENCE, REJECT_486),
		/* one far end left: the other goes on alone */
		ON(OTHER_ENDED)		= GO(SINGLE, MIX_STOP, OTHER_CLEAR),
		ON(OTHER_OFFER)		= GO(CONFERENCE, OTHER_ANSWER_OFFER),
		ON(OTHER_ANSWER)	= GO(CONFERENCE, OTHER_UPDATE),
		ON(TIMER_RECALL)	= IGNORE(NO_RECALL),
		ON(FRONT_ENDED)		= GO(SINGLE, MIX_STOP, PASS, SWAP,
					     FRONT_INCALL),
		ON(ONHOOK_BLIND)	= GO(SINGLE, MIX_STOP, OTHER_BYE, OTHER_CLEAR,
					     PASS),
		/* conference_hangup_transfer: the first far end is
		 * transferred to the second (REFER with Replaces) */
		ON(ONHOOK_ATTENDED)	= GO(TRANSFER, MIX_STOP, REFER_ATTENDED,
					     FRONT_PARK),
		ON(REFER_OK)		= IGNORE(NO_REFER),
		ON(REFER_FAILED)	= IGNORE(NO_REFER),
		ON(REFER_IN)		= GO(CONFERENCE, NOTIFY_REFUSED),
		ON(REFER_IN_REFUSED)	= GO(CONFERENCE, NOTIFY_REFUSED),
		ON(OTHER_ANSWERED)	= IGNORE("only a transfer's call of ours is awaited"),
		ON(CALL)		= GO(CONFERENCE, PASS),
		ON(INVITE_WAITABLE_FWD)	= GO(CONFERENCE, FORWARD_BUSY),
		ON(INVITE_FWD)		= GO(CONFERENCE, FORWARD_BUSY),
	},
	[FEATURE_STATE_TRANSFER] = {
		ON(FLASH_TALKING)	= IGNORE(ON_HOOK),
		ON(FLASH)		= IGNORE(ON_HOOK),
		ON(FLASH_JOIN)		= IGNORE(ON_HOOK),
		/* lifted meanwhile: a parked call goes, dial tone; the
		 * transfer's outcome still comes */
		ON(OFFHOOK)		= GO(HELD, FRONT_DROP, PASS),
		ON(ONHOOK)		= IGNORE(ON_HOOK),
		ON(ONHOOK_BLIND)	= IGNORE(ON_HOOK),
		ON(ONHOOK_ATTENDED)	= IGNORE(ON_HOOK),
		ON(INVITE_WAITABLE)	= GO(TRANSFER, REJECT_486),
		ON(INVITE)		= GO(TRANSFER, REJECT_486),
		/* the transferee hung up on us (done, or gave up) */
		ON(OTHER_ENDED)		= GO(SINGLE, OTHER_CLEAR, FRONT_DROP),
		ON(OTHER_OFFER)		= GO(TRANSFER, OTHER_ANSWER_OFFER),
		ON(OTHER_ANSWER)	= GO(TRANSFER, OTHER_UPDATE),
		ON(TIMER_RECALL)	= IGNORE(NO_RECALL),
		ON(FRONT_ENDED)		= GO(TRANSFER, PASS),
		ON(REFER_OK)		= GO(SINGLE, OTHER_BYE, OTHER_CLEAR,
					     FRONT_DROP),
		/* it failed: the held call rings the phone back */
		ON(REFER_FAILED)	= GO(RECALL, FRONT_DROP, RECALL_RING_START,
					     TIMER_RECALL_START),
		ON(REFER_IN)		= GO(TRANSFER, NOTIFY_REFUSED),
		ON(REFER_IN_REFUSED)	= GO(TRANSFER, NOTIFY_REFUSED),
		ON(OTHER_ANSWERED)	= IGNORE("the held call answered long ago"),
		ON(CALL)		= GO(TRANSFER, PASS),
		ON(INVITE_WAITABLE_FWD)	= GO(TRANSFER, FORWARD_BUSY),
		ON(INVITE_FWD)		= GO(TRANSFER, FORWARD_BUSY),
	},
	[FEATURE_STATE_TRANSFERRED] = {
		ON(FLASH_TALKING)	= IGNORE("the phone talks on until the target answers"),
		ON(FLASH)		= IGNORE("the phone talks on until the target answers"),
		ON(FLASH_JOIN)		= IGNORE("the phone talks on until the target answers"),
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		/* hanging up ends it all: the target's call too */
		ON(ONHOOK)		= GO(SINGLE, NOTIFY_FAILED, OTHER_BYE,
					     OTHER_CLEAR, PASS),
		ON(ONHOOK_BLIND)	= GO(SINGLE, NOTIFY_FAILED, OTHER_BYE,
					     OTHER_CLEAR, PASS),
		ON(ONHOOK_ATTENDED)	= GO(SINGLE, NOTIFY_FAILED, OTHER_BYE,
					     OTHER_CLEAR, PASS),
		ON(INVITE_WAITABLE)	= GO(TRANSFERRED, REJECT_486),
		ON(INVITE)		= GO(TRANSFERRED, REJECT_486),
		/* the target refused or failed: we stay with the front */
		ON(OTHER_ENDED)		= GO(SINGLE, NOTIFY_FAILED, OTHER_CLEAR),
		ON(OTHER_OFFER)		= GO(TRANSFERRED, OTHER_REJECT_OFFER),
		ON(OTHER_ANSWER)	= IGNORE("no re-INVITE of ours in the target's call"),
		ON(TIMER_RECALL)	= IGNORE(NO_RECALL),
		/* the transferor hung up first: the target's call goes on */
		ON(FRONT_ENDED)		= GO(TRANSFERRED, PASS),
		ON(REFER_OK)		= IGNORE(NO_REFER),
		ON(REFER_FAILED)	= IGNORE(NO_REFER),
		ON(REFER_IN)		= GO(TRANSFERRED, NOTIFY_REFUSED),
		ON(REFER_IN_REFUSED)	= GO(TRANSFERRED, NOTIFY_REFUSED),
		/* the target answered: the phone talks to it, the
		 * transferor is told and its call ends */
		ON(OTHER_ANSWERED)	= GO(SINGLE, NOTIFY_OK, FRONT_HANGUP, SWAP,
					     FRONT_INCALL),
		ON(CALL)		= GO(TRANSFERRED, PASS),
		ON(INVITE_WAITABLE_FWD)	= GO(TRANSFERRED, FORWARD_BUSY),
		ON(INVITE_FWD)		= GO(TRANSFERRED, FORWARD_BUSY),
	},
};

#undef F1
#undef F2
#undef F3
#undef F4
#undef F5
#undef F6
#undef PICK
#undef GO
#undef IGNORE
#undef ON

int feature_step(enum feature_state s, enum feature_event e,
		 struct feature_result *ret)
{
	const struct cell *c;

	if (!ret || (unsigned)s >= _FEATURE_STATE_MAX ||
	    (unsigned)e >= _FEATURE_EVENT_MAX)
		return -EINVAL;
	*ret = (struct feature_result){ .next = s, .ignored = true };
	c = &cells[s][e];
	if (c->kind == CELL_IGNORE) {
		ret->note = c->why;
		return 0;
	}
	if (c->kind != CELL_GO) {
		ret->note = "no table entry";
		return -ENOENT;
	}
	ret->ignored = false;
	ret->next = c->next;
	ret->n_actions = c->n;
	memcpy(ret->actions, c->a, c->n * sizeof(c->a[0]));
	return 0;
}

static void dump_actions(FILE *f, const struct cell *c)
{
	unsigned i;

	if (!c->n)
		fputs("-", f);
	for (i = 0; i < c->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", action_names[c->a[i]]);
}

int feature_dump(FILE *f, bool dot)
{
	const struct cell *c;
	int s, e, n;
	bool first;

	if (!f)
		return -EINVAL;
	if (!dot) {
		fprintf(f, "\n# fxsd feature machine: %d states, %d events, %d actions\n"
			"# every event of a port goes through it first; \"pass\" hands\n"
			"# it to the call machine above, which drives the front call\n",
			_FEATURE_STATE_MAX, _FEATURE_EVENT_MAX,
			_FEATURE_ACTION_MAX);
		for (s = 0; s < _FEATURE_STATE_MAX; s++) {
			fprintf(f, "\nfeature-state %s\n", state_names[s]);
			for (e = 0; e < _FEATURE_EVENT_MAX; e++) {
				c = &cells[s][e];
				fprintf(f, "\t%s", event_names[e]);
				if (c->kind == CELL_GO) {
					fprintf(f, " -> %s: ", state_names[c->next]);
					dump_actions(f, c);
					fputc('\n', f);
				} else if (c->kind == CELL_IGNORE) {
					fprintf(f, ": ignored (%s)\n", c->why);
				} else {
					fputs(": UNDEFINED\n", f);
				}
			}
		}
	} else {
		fputs("digraph fxsd_feature {\n\trankdir=LR;\n"
		      "\tnode [shape=box, fontname=\"monospace\"];\n"
		      "\tedge [fontname=\"monospace\", fontsize=10];\n", f);
		for (s = 0; s < _FEATURE_STATE_MAX; s++)
			fprintf(f, "\t\"%s\";\n", state_names[s]);
		for (s = 0; s < _FEATURE_STATE_MAX; s++)
			for (n = 0; n < _FEATURE_STATE_MAX; n++) {
				first = true;
				for (e = 0; e < _FEATURE_EVENT_MAX; e++) {
					c = &cells[s][e];
					if (c->kind != CELL_GO || (int)c->next != n)
						continue;
					if (first)
						fprintf(f, "\t\"%s\" -> \"%s\" [label=\"",
							state_names[s], state_names[n]);
					else
						fputs("\\n", f);
					first = false;
					fprintf(f, "%s / ", event_names[e]);
					dump_actions(f, c);
				}
				if (!first)
					fputs("\"];\n", f);
			}
		fputs("}\n", f);
	}
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
