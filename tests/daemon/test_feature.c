// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_feature.c - the feature machine (daemon/line/feature.c): every pair
 * defined, the conventions of a real ATA as sequences of cells, the
 * fsm_enter() it relies on, and the dump.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line/feature.h"
#include "line/fsm.h"
#include "unit.h"

UNIT_TEST(feature_every_pair_defined)
{
	struct feature_result r;
	int s, e;

	for (s = 0; s < _FEATURE_STATE_MAX; s++)
		for (e = 0; e < _FEATURE_EVENT_MAX; e++) {
			CHECK(feature_step(s, e, &r) == 0, "%s/%s undefined",
			      feature_state_to_string(s),
			      feature_event_to_string(e));
			CHECK(r.ignored ? r.note != NULL : r.n_actions > 0,
			      "%s/%s: a step that does nothing must say why",
			      feature_state_to_string(s),
			      feature_event_to_string(e));
		}
	CHECK(feature_step(_FEATURE_STATE_MAX, 0, &r) == -EINVAL, "bad state");
	CHECK(feature_step(0, _FEATURE_EVENT_MAX, &r) == -EINVAL, "bad event");
	CHECK(feature_step(0, 0, NULL) == -EINVAL, "no result");
}

/* @s + @e goes to @next with exactly the actions @want (ending with -1) */
static bool cell_is(enum feature_state s, enum feature_event e,
		    enum feature_state next, const int *want)
{
	struct feature_result r;
	unsigned i;

	if (feature_step(s, e, &r) || r.ignored || r.next != next)
		return false;
	for (i = 0; want[i] >= 0; i++)
		if (i >= r.n_actions || (int)r.actions[i] != want[i])
			return false;
	return i == r.n_actions;
}

#define CELL(s, e, n, ...)						\
	CHECK(cell_is(FEATURE_STATE_##s, FEATURE_EVENT_##e,		\
		      FEATURE_STATE_##n, (const int[]){ __VA_ARGS__, -1 }), \
	      "%s + %s", #s, #e)
#define A(x) FEATURE_ACTION_##x

UNIT_TEST(feature_call_waiting)
{
	/* a second caller in a call waits, with the alert */
	CELL(SINGLE, INVITE_WAITABLE, WAITING, A(OTHER_KEEP), A(OTHER_RINGING),
	     A(CW_START));
	/* a third is busy */
	CELL(WAITING, INVITE, WAITING, A(REJECT_486));
	CELL(WAITING, INVITE_WAITABLE, WAITING, A(REJECT_486));
	/* the flash takes it: the alert stops before the hold */
	CELL(WAITING, FLASH_TALKING, HELD, A(CW_STOP), A(HOLD), A(SWAP),
	     A(ANSWER), A(FRONT_INCALL));
	/* the waiting caller gave up */
	CELL(WAITING, OTHER_ENDED, SINGLE, A(CW_STOP), A(OTHER_CLEAR));
	/* hanging up: the waiting call rings the phone */
	CELL(WAITING, ONHOOK, SINGLE, A(CW_STOP), A(PASS), A(SWAP),
	     A(FRONT_RINGING));
	/* the front call ended first: a flash takes the waiting one */
	CELL(WAITING, FLASH, SINGLE, A(CW_STOP), A(FRONT_HANGUP), A(SWAP),
	     A(ANSWER), A(FRONT_INCALL));
	/* the front call's own events still go to the call machine */
	CELL(WAITING, CALL, WAITING, A(PASS));
}

UNIT_TEST(feature_hold_and_recall)
{
	CELL(SINGLE, FLASH_TALKING, HELD, A(HOLD), A(SWAP), A(FRONT_DIALTONE));
	/* two calls: swap */
	CELL(HELD, FLASH_TALKING, HELD, A(HOLD), A(SWAP), A(RESUME),
	     A(FRONT_INCALL));
	/* dial tone or a call being set up: back to the held one */
	CELL(HELD, FLASH, SINGLE, A(FRONT_HANGUP), A(SWAP), A(RESUME),
	     A(FRONT_INCALL));
	CELL(HELD, OTHER_ENDED, SINGLE, A(OTHER_CLEAR));
	CELL(HELD, OTHER_OFFER, HELD, A(OTHER_ANSWER_OFFER));
	CELL(HELD, OTHER_ANSWER, HELD, A(OTHER_UPDATE));
	CELL(HELD, INVITE_WAITABLE, HELD, A(REJECT_486));
	CELL(HELD, ONHOOK, RECALL, A(PASS), A(RECALL_RING_START),
	     A(TIMER_RECALL_START));
	CELL(RECALL, OFFHOOK, SINGLE, A(RECALL_RING_STOP),
	     A(TIMER_RECALL_STOP), A(SWAP), A(RESUME), A(FRONT_INCALL));
	CELL(RECALL, OTHER_ENDED, SINGLE, A(RECALL_RING_STOP),
	     A(TIMER_RECALL_STOP), A(OTHER_CLEAR));
	CELL(RECALL, TIMER_RECALL, SINGLE, A(RECALL_RING_STOP), A(OTHER_BYE),
	     A(OTHER_CLEAR));
	CELL(RECALL, INVITE, RECALL, A(REJECT_486));
}

UNIT_TEST(feature_conference)
{
	/* the 3-way call: the held one is taken back and mixed in */
	CELL(HELD, FLASH_JOIN, CONFERENCE, A(RESUME_OTHER), A(MIX_START));
	/* a flash drops the party added last (the front one) */
	CELL(CONFERENCE, FLASH_TALKING, SINGLE, A(MIX_STOP), A(FRONT_HANGUP),
	     A(SWAP), A(FRONT_INCALL));
	CELL(CONFERENCE, FLASH_JOIN, SINGLE, A(MIX_STOP), A(FRONT_HANGUP),
	     A(SWAP), A(FRONT_INCALL));
	/* hanging up ends both */
	CELL(CONFERENCE, ONHOOK, SINGLE, A(MIX_STOP), A(OTHER_BYE),
	     A(OTHER_CLEAR), A(PASS));
	/* one far end hangs up: the other goes on */
	CELL(CONFERENCE, OTHER_ENDED, SINGLE, A(MIX_STOP), A(OTHER_CLEAR));
	CELL(CONFERENCE, FRONT_ENDED, SINGLE, A(MIX_STOP), A(PASS), A(SWAP),
	     A(FRONT_INCALL));
	CELL(CONFERENCE, INVITE_WAITABLE, CONFERENCE, A(REJECT_486));
	/* outside a conference a front call's end is the call machine's */
	CELL(HELD, FRONT_ENDED, HELD, A(PASS));
}

UNIT_TEST(feature_transfer)
{
	/* hung up while the second party is called: blind */
	CELL(HELD, ONHOOK_BLIND, TRANSFER, A(REFER_BLIND), A(PASS));
	/* ... while it talks: attended, its dialog kept for Replaces */
	CELL(HELD, ONHOOK_ATTENDED, TRANSFER, A(REFER_ATTENDED),
	     A(FRONT_PARK));
	CELL(TRANSFER, REFER_OK, SINGLE, A(OTHER_BYE), A(OTHER_CLEAR),
	     A(FRONT_DROP));
	CELL(TRANSFER, REFER_FAILED, RECALL, A(FRONT_DROP),
	     A(RECALL_RING_START), A(TIMER_RECALL_START));
	CELL(TRANSFER, OTHER_ENDED, SINGLE, A(OTHER_CLEAR), A(FRONT_DROP));
	CELL(TRANSFER, OFFHOOK, HELD, A(FRONT_DROP), A(PASS));
	CELL(TRANSFER, INVITE, TRANSFER, A(REJECT_486));
	CELL(HELD, REFER_OK, SINGLE, A(OTHER_BYE), A(OTHER_CLEAR));
	/* elsewhere a hang-up is a hang-up */
	CELL(SINGLE, ONHOOK_BLIND, SINGLE, A(PASS));
	/* a conference left to its far ends (conference_hangup_transfer) */
	CELL(CONFERENCE, ONHOOK_ATTENDED, TRANSFER, A(MIX_STOP),
	     A(REFER_ATTENDED), A(FRONT_PARK));
}

UNIT_TEST(feature_transferred)
{
	/* the far end transfers us: we call the target, talking on */
	CELL(SINGLE, REFER_IN, TRANSFERRED, A(TRANSFEREE_INVITE));
	/* it answers: the transferor is told and hung up on, the phone
	 * talks to the target */
	CELL(TRANSFERRED, OTHER_ANSWERED, SINGLE, A(NOTIFY_OK),
	     A(FRONT_HANGUP), A(SWAP), A(FRONT_INCALL));
	CELL(TRANSFERRED, OTHER_ENDED, SINGLE, A(NOTIFY_FAILED),
	     A(OTHER_CLEAR));
	CELL(TRANSFERRED, ONHOOK, SINGLE, A(NOTIFY_FAILED), A(OTHER_BYE),
	     A(OTHER_CLEAR), A(PASS));
	/* a REFER with a second call there is refused */
	CELL(HELD, REFER_IN, HELD, A(NOTIFY_REFUSED));
	CELL(SINGLE, REFER_IN_REFUSED, SINGLE, A(NOTIFY_REFUSED));
}

UNIT_TEST(feature_single_passes)
{
	struct feature_result r;

	CELL(SINGLE, FLASH, SINGLE, A(PASS));
	CELL(SINGLE, OFFHOOK, SINGLE, A(PASS));
	CELL(SINGLE, ONHOOK, SINGLE, A(PASS));
	CELL(SINGLE, INVITE, SINGLE, A(PASS));
	CELL(SINGLE, CALL, SINGLE, A(PASS));
	CHECK(!feature_step(FEATURE_STATE_SINGLE, FEATURE_EVENT_OTHER_ENDED,
			    &r) && r.ignored, "no second call to end");
	CHECK(!feature_step(FEATURE_STATE_RECALL, FEATURE_EVENT_FLASH, &r) &&
	      r.ignored, "a flash on hook");
}

UNIT_TEST(feature_fsm_enter)
{
	struct fsm_result r;

	/* in-call -> dial-tone: media-stop, then dial tone's entry */
	CHECK(!fsm_enter(CALL_STATE_INCALL, CALL_STATE_DIALTONE, &r), "enter");
	CHECK_INT(r.n_actions, 5);
	CHECK_INT(r.actions[0], CALL_ACTION_MEDIA_STOP);
	CHECK_INT(r.actions[1], CALL_ACTION_DIGITS_CLEAR);
	CHECK_INT(r.actions[2], CALL_ACTION_TONE_DIAL);
	CHECK_INT(r.actions[3], CALL_ACTION_TIMER_FIRST_DIGIT_START);
	CHECK_INT(r.actions[4], CALL_ACTION_TIMER_WARM_LINE_START);
	CHECK_INT(r.next, CALL_STATE_DIALTONE);
	/* in-call -> in-call (a swap): media-stop, media-start */
	CHECK(!fsm_enter(CALL_STATE_INCALL, CALL_STATE_INCALL, &r), "enter");
	CHECK_INT(r.n_actions, 2);
	CHECK_INT(r.actions[0], CALL_ACTION_MEDIA_STOP);
	CHECK_INT(r.actions[1], CALL_ACTION_MEDIA_START);
	CHECK(fsm_enter(_CALL_STATE_MAX, 0, &r) == -EINVAL, "bad state");
	CHECK(fsm_enter(0, 0, NULL) == -EINVAL, "no result");
}

UNIT_TEST(feature_dump)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r, bad;

	if (!f)
		abort();
	r = feature_dump(f, false);
	fclose(f);
	bad = r || strstr(buf, "UNDEFINED") ||
	      !strstr(buf, "\nfeature-state call-waiting\n") ||
	      !strstr(buf, "\tflash-talking -> held: cw-stop, hold, swap, answer, front-in-call\n") ||
	      !strstr(buf, "\ttimer-recall: ignored (");
	free(buf);
	CHECK(!bad, "the dump lacks an expected line");
	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	r = feature_dump(f, true);
	fclose(f);
	bad = r || !strstr(buf, "digraph fxsd_feature {") ||
	      !strstr(buf, "\"recall\" -> \"single\"");
	free(buf);
	CHECK(!bad, "the graph lacks an expected edge");
	CHECK(feature_dump(NULL, false) == -EINVAL, "no file");
}

/* Forwarded on busy: with the line free the event is what it is without
 * forwarding (waits, or goes to the call machine); wherever the feature
 * machine would answer 486 it forwards instead. */
UNIT_TEST(feature_forward_busy)
{
	struct feature_result r486, r;
	int s;

	CELL(SINGLE, INVITE_WAITABLE_FWD, WAITING, A(OTHER_KEEP),
	     A(OTHER_RINGING), A(CW_START));
	CELL(SINGLE, INVITE_FWD, SINGLE, A(PASS));
	for (s = 0; s < _FEATURE_STATE_MAX; s++) {
		if (s == FEATURE_STATE_SINGLE)
			continue;
		CHECK(feature_step(s, FEATURE_EVENT_INVITE, &r486) == 0 &&
		      !r486.ignored && r486.n_actions == 1 &&
		      r486.actions[0] == A(REJECT_486),
		      "%s + invite: want reject-486", feature_state_to_string(s));
		CHECK(feature_step(s, FEATURE_EVENT_INVITE_FWD, &r) == 0 &&
		      !r.ignored && r.next == (enum feature_state)s &&
		      r.n_actions == 1 && r.actions[0] == A(FORWARD_BUSY),
		      "%s + invite-forwardable: want forward-busy",
		      feature_state_to_string(s));
		CHECK(feature_step(s, FEATURE_EVENT_INVITE_WAITABLE_FWD, &r) == 0 &&
		      !r.ignored && r.next == (enum feature_state)s &&
		      r.n_actions == 1 && r.actions[0] == A(FORWARD_BUSY),
		      "%s + invite-waitable-forwardable: want forward-busy",
		      feature_state_to_string(s));
	}
}
