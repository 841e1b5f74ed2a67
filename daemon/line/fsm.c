// SPDX-License-Identifier: GPL-2.0-only
/*
 * fsm.c - the call state machine of one FXS port: the table, fsm_step()
 * and fsm_dump().  See fsm.h for the contract with the Line.
 *
 * The shape is VOCAL's: every state acquires what it needs in its entry
 * list and releases it in its exit list (DIALTONE starts dial tone and the
 * first-digit timer and stops both on exit; RINGING rings and stops; INCALL
 * starts media and stops it), and the states without a call (IDLE, BUSY,
 * REORDER, DISCONNECTED) clear the call on entry.  What belongs to no single
 * state is in the transition's event list: the no-answer timer spans
 * TRYING, RINGBACK and EARLY, so the transitions leaving that group stop it;
 * SIP messages are sent or answered by the transition that has them.
 */
#include <string.h>

#include "line/fsm.h"

static const char *const call_state_table[_CALL_STATE_MAX] = {
	[CALL_STATE_IDLE] = "idle",
	[CALL_STATE_DIALTONE] = "dial-tone",
	[CALL_STATE_DIALING] = "dialing",
	[CALL_STATE_TRYING] = "trying",
	[CALL_STATE_RINGBACK] = "ringback",
	[CALL_STATE_EARLY] = "early-media",
	[CALL_STATE_RINGING] = "ringing",
	[CALL_STATE_INCALL] = "in-call",
	[CALL_STATE_BUSY] = "busy",
	[CALL_STATE_REORDER] = "reorder",
	[CALL_STATE_HOWLER] = "howler",
	[CALL_STATE_DISCONNECTED] = "disconnected",
	[CALL_STATE_PARKED] = "parked",
	[CALL_STATE_CONFIRM] = "confirm",
};

static const char *const call_event_table[_CALL_EVENT_MAX] = {
	[CALL_EVENT_OFFHOOK] = "offhook",
	[CALL_EVENT_ONHOOK] = "onhook",
	[CALL_EVENT_FLASH] = "flash",
	[CALL_EVENT_DIGIT] = "digit",
	[CALL_EVENT_DIAL_COMPLETE] = "dial-complete",
	[CALL_EVENT_DIAL_INVALID] = "dial-invalid",
	[CALL_EVENT_TIMER_FIRST_DIGIT] = "timer-first-digit",
	[CALL_EVENT_TIMER_TONE] = "timer-tone",
	[CALL_EVENT_TIMER_HOWLER] = "timer-howler",
	[CALL_EVENT_TIMER_NO_ANSWER] = "timer-no-answer",
	[CALL_EVENT_INVITE] = "invite",
	[CALL_EVENT_INVITE_UNUSABLE] = "invite-unusable",
	[CALL_EVENT_OFFER] = "offer",
	[CALL_EVENT_CANCEL] = "cancel",
	[CALL_EVENT_ACK] = "ack",
	[CALL_EVENT_BYE] = "bye",
	[CALL_EVENT_PROVISIONAL_RINGING] = "provisional-ringing",
	[CALL_EVENT_PROVISIONAL_EARLY] = "provisional-early",
	[CALL_EVENT_SUCCESS] = "success",
	[CALL_EVENT_SUCCESS_STRAY] = "success-stray",
	[CALL_EVENT_FAIL_BUSY] = "fail-busy",
	[CALL_EVENT_FAIL_OTHER] = "fail-other",
	[CALL_EVENT_SIP_TIMEOUT] = "sip-timeout",
	[CALL_EVENT_REINVITE_ANSWER] = "reinvite-answer",
	[CALL_EVENT_INVITE_ANONYMOUS] = "invite-anonymous",
	[CALL_EVENT_INVITE_FORWARD_ALL] = "invite-forward-all",
	[CALL_EVENT_INVITE_DND] = "invite-dnd",
	[CALL_EVENT_INVITE_DND_FORWARD] = "invite-dnd-forward",
	[CALL_EVENT_INVITE_FORWARDABLE] = "invite-forwardable",
	[CALL_EVENT_TIMER_FORWARD] = "timer-forward",
	[CALL_EVENT_DIAL_CODE] = "dial-code",
	[CALL_EVENT_OFFHOOK_HOTLINE] = "offhook-hotline",
	[CALL_EVENT_TIMER_WARM_LINE] = "timer-warm-line",
	[CALL_EVENT_TIMER_RING_HOLDOFF] = "timer-ring-holdoff",
};

static const char *const call_action_table[_CALL_ACTION_MAX] = {
	[CALL_ACTION_TONE_DIAL] = "tone-dial",
	[CALL_ACTION_TONE_RINGBACK] = "tone-ringback",
	[CALL_ACTION_TONE_BUSY] = "tone-busy",
	[CALL_ACTION_TONE_REORDER] = "tone-reorder",
	[CALL_ACTION_TONE_HOWLER] = "tone-howler",
	[CALL_ACTION_TONE_STOP] = "tone-stop",
	[CALL_ACTION_RING_START] = "ring-start",
	[CALL_ACTION_RING_STOP] = "ring-stop",
	[CALL_ACTION_DIGITS_CLEAR] = "digits-clear",
	[CALL_ACTION_DIGIT_ADD] = "digit-add",
	[CALL_ACTION_DIGIT_SEND] = "digit-send",
	[CALL_ACTION_TIMER_FIRST_DIGIT_START] = "timer-first-digit-start",
	[CALL_ACTION_TIMER_TONE_START] = "timer-tone-start",
	[CALL_ACTION_TIMER_HOWLER_START] = "timer-howler-start",
	[CALL_ACTION_TIMER_NO_ANSWER_START] = "timer-no-answer-start",
	[CALL_ACTION_TIMERS_STOP] = "timers-stop",
	[CALL_ACTION_SIP_SEND_INVITE] = "sip-send-invite",
	[CALL_ACTION_SIP_SEND_CANCEL] = "sip-send-cancel",
	[CALL_ACTION_SIP_SEND_BYE] = "sip-send-bye",
	[CALL_ACTION_SIP_ANSWER_180] = "sip-answer-180",
	[CALL_ACTION_SIP_ANSWER_200] = "sip-answer-200",
	[CALL_ACTION_SIP_REJECT_486] = "sip-reject-486",
	[CALL_ACTION_SIP_REJECT_488] = "sip-reject-488",
	[CALL_ACTION_SIP_ANSWER_OFFER] = "sip-answer-offer",
	[CALL_ACTION_SIP_REJECT_OFFER] = "sip-reject-offer",
	[CALL_ACTION_SIP_REPLY_487] = "sip-reply-487",
	[CALL_ACTION_SIP_REPLY_BYE_200] = "sip-reply-bye-200",
	[CALL_ACTION_SIP_BYE_STRAY] = "sip-bye-stray",
	[CALL_ACTION_CALL_KEEP] = "call-keep",
	[CALL_ACTION_CALL_CLEAR] = "call-clear",
	[CALL_ACTION_MEDIA_START] = "media-start",
	[CALL_ACTION_MEDIA_EARLY_START] = "media-early-start",
	[CALL_ACTION_MEDIA_STOP] = "media-stop",
	[CALL_ACTION_MEDIA_UPDATE] = "media-update",
	[CALL_ACTION_LINE_OPEN_LOOP] = "line-open-loop",
	[CALL_ACTION_LINE_NORMAL] = "line-normal",
	[CALL_ACTION_SIP_REJECT_433] = "sip-reject-433",
	[CALL_ACTION_SIP_FORWARD_ALL] = "sip-forward-all",
	[CALL_ACTION_SIP_FORWARD_BUSY] = "sip-forward-busy",
	[CALL_ACTION_SIP_FORWARD_NO_ANSWER] = "sip-forward-no-answer",
	[CALL_ACTION_TIMER_FORWARD_START] = "timer-forward-start",
	[CALL_ACTION_STAR_CODE] = "star-code",
	[CALL_ACTION_TONE_CONFIRM] = "tone-confirm",
	[CALL_ACTION_TIMER_CONFIRM_START] = "timer-confirm-start",
	[CALL_ACTION_TIMER_WARM_LINE_START] = "timer-warm-line-start",
	[CALL_ACTION_NUMBER_PRESET] = "number-preset",
	[CALL_ACTION_TIMER_RING_HOLDOFF_START] = "timer-ring-holdoff-start",
};

static const char *table_to_string(const char *const *table, unsigned n, int i)
{
	if (i < 0 || (unsigned)i >= n)
		return NULL;
	return table[i];
}

static int table_from_string(const char *const *table, unsigned n,
			     const char *s)
{
	unsigned i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (table[i] && strcmp(table[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

const char *call_state_to_string(enum call_state s)
{
	return table_to_string(call_state_table, _CALL_STATE_MAX, s);
}

const char *call_event_to_string(enum call_event e)
{
	return table_to_string(call_event_table, _CALL_EVENT_MAX, e);
}

const char *call_action_to_string(enum call_action a)
{
	return table_to_string(call_action_table, _CALL_ACTION_MAX, a);
}

enum call_state call_state_from_string(const char *s)
{
	return table_from_string(call_state_table, _CALL_STATE_MAX, s);
}

enum call_event call_event_from_string(const char *s)
{
	return table_from_string(call_event_table, _CALL_EVENT_MAX, s);
}

enum call_action call_action_from_string(const char *s)
{
	return table_from_string(call_action_table, _CALL_ACTION_MAX, s);
}

/*
 * One operator list: an entry list, an exit list or a transition's event
 * list.  Three lists make a step, so a step can never overflow the result.
 */
#define FSM_LIST_MAX 5
_Static_assert(3 * FSM_LIST_MAX <= FSM_MAX_ACTIONS,
	       "a step (event + exit + entry lists) must fit in fsm_result");

struct fsm_list {
	unsigned n;
	enum call_action a[FSM_LIST_MAX];
};

/* VOCAL's per-state operators. */
struct fsm_state_def {
	struct fsm_list entry;
	struct fsm_list exit;
};

enum fsm_kind {
	FSM_UNDEFINED = 0,	/* a hole in the table: a bug */
	FSM_IGNORE,		/* nothing happens, for the reason in @why */
	FSM_GO,			/* go to @next, running @actions first */
};

struct fsm_transition {
	enum fsm_kind kind;
	enum call_state next;
	struct fsm_list actions;
	const char *why;
};

/*
 * Table notation: LIST(TONE_STOP, TIMERS_STOP) is an operator list of up to
 * FSM_LIST_MAX actions named without their CALL_ACTION_ prefix (more is a
 * compile error); GO(NEXT, actions...) a transition with event actions;
 * MOVE(NEXT) one without; IGNORE(why) an explicit no-op.
 */
#define A1(a) CALL_ACTION_##a
#define A2(a, ...) CALL_ACTION_##a, A1(__VA_ARGS__)
#define A3(a, ...) CALL_ACTION_##a, A2(__VA_ARGS__)
#define A4(a, ...) CALL_ACTION_##a, A3(__VA_ARGS__)
#define A5(a, ...) CALL_ACTION_##a, A4(__VA_ARGS__)
#define PICK(_1, _2, _3, _4, _5, x, ...) x
#define LIST(...)							\
	{								\
		.n = PICK(__VA_ARGS__, 5, 4, 3, 2, 1, 0),		\
		.a = { PICK(__VA_ARGS__, A5, A4, A3, A2, A1, 0)(__VA_ARGS__) } \
	}
#define NOTHING { .n = 0 }
#define GO(to, ...)							\
	{ .kind = FSM_GO, .next = CALL_STATE_##to, .actions = LIST(__VA_ARGS__) }
#define MOVE(to) { .kind = FSM_GO, .next = CALL_STATE_##to, .actions = NOTHING }
#define IGNORE(reason) { .kind = FSM_IGNORE, .why = (reason) }
#define ON(ev) [CALL_EVENT_##ev]

/* Why an event means nothing: shared wording for the dump and the log. */
#define ON_HOOK		"the phone is on-hook"
#define OFF_HOOK	"the phone is already off-hook"
#define NOT_DIALING	"stale dial plan result: not dialing"
#define STALE_TIMER	"stale timer: not armed in this state"
#define NO_INVITE_IN	"no incoming INVITE is pending; the SIP layer answers 481"
#define NO_ACK_WANTED	"no 2xx of ours awaits an ACK"
#define NO_DIALOG	"no dialog; the SIP layer answers 481"
#define NO_INVITE_OUT	"stale response: no INVITE of ours is pending"
#define STALE_TIMEOUT	"stale timeout of a call that is over"
#define NO_DIGITS	"digits mean nothing here"
#define NO_REINVITE	"no re-INVITE of ours is pending in this state"
#define SETUP_FLASH	"a flash, perhaps a bumped hook, does not abandon a call being set up"

static const struct fsm_state_def states[_CALL_STATE_MAX] = {
	[CALL_STATE_IDLE] = {
		.entry = LIST(CALL_CLEAR),
		.exit = NOTHING,
	},
	[CALL_STATE_DIALTONE] = {
		/* The warm line's timer is a no-op without a warm line. */
		.entry = LIST(DIGITS_CLEAR, TONE_DIAL, TIMER_FIRST_DIGIT_START,
			      TIMER_WARM_LINE_START),
		.exit = LIST(TONE_STOP, TIMERS_STOP),
	},
	[CALL_STATE_DIALING] = {
		/* Only the first digit enters DIALING: it is added here. */
		.entry = LIST(DIGIT_ADD),
		/* The digit map's timer; the digits stay for the INVITE. */
		.exit = LIST(TIMERS_STOP),
	},
	[CALL_STATE_TRYING] = {
		/* Only DIAL_COMPLETE enters TRYING; the timer runs on
		 * through RINGBACK and EARLY. */
		.entry = LIST(TIMER_NO_ANSWER_START),
		.exit = NOTHING,
	},
	[CALL_STATE_RINGBACK] = {
		.entry = LIST(TONE_RINGBACK),
		.exit = LIST(TONE_STOP),
	},
	[CALL_STATE_EARLY] = {
		.entry = LIST(MEDIA_EARLY_START),
		/* Also on answer: INCALL restarts media with the 2xx's SDP,
		 * which may come from another fork than the 183. */
		.exit = LIST(MEDIA_STOP),
	},
	[CALL_STATE_RINGING] = {
		/* The ringer starts when the hold-off has passed (a ghost
		 * call's INVITE + CANCEL within it never rings the bell);
		 * the forward-on-no-answer timer, if the port has a target. */
		.entry = LIST(TIMER_RING_HOLDOFF_START, TIMER_FORWARD_START),
		.exit = LIST(RING_STOP, TIMERS_STOP),
	},
	[CALL_STATE_INCALL] = {
		.entry = LIST(MEDIA_START),
		.exit = LIST(MEDIA_STOP),
	},
	[CALL_STATE_BUSY] = {
		.entry = LIST(CALL_CLEAR, TONE_BUSY, TIMER_TONE_START),
		.exit = LIST(TONE_STOP, TIMERS_STOP),
	},
	[CALL_STATE_REORDER] = {
		.entry = LIST(CALL_CLEAR, TONE_REORDER, TIMER_TONE_START),
		.exit = LIST(TONE_STOP, TIMERS_STOP),
	},
	[CALL_STATE_HOWLER] = {
		.entry = LIST(TONE_HOWLER, TIMER_HOWLER_START),
		.exit = LIST(TONE_STOP, TIMERS_STOP),
	},
	[CALL_STATE_DISCONNECTED] = {
		.entry = LIST(CALL_CLEAR, LINE_OPEN_LOOP, TONE_REORDER,
			      TIMER_TONE_START),
		.exit = LIST(TONE_STOP, TIMERS_STOP, LINE_NORMAL),
	},
	[CALL_STATE_PARKED] = {
		/* Silent (HOWLER's exit stopped the tone), fed normally. */
		.entry = NOTHING,
		.exit = NOTHING,
	},
	[CALL_STATE_CONFIRM] = {
		/* The code has run (the event's STAR_CODE): its digits go. */
		.entry = LIST(DIGITS_CLEAR, TONE_CONFIRM, TIMER_CONFIRM_START),
		.exit = LIST(TONE_STOP, TIMERS_STOP),
	},
};

static const struct fsm_transition transitions[_CALL_STATE_MAX][_CALL_EVENT_MAX] = {
	[CALL_STATE_IDLE] = {
		ON(OFFHOOK)		= MOVE(DIALTONE),
		ON(OFFHOOK_HOTLINE)	= GO(TRYING, NUMBER_PRESET, SIP_SEND_INVITE),
		ON(ONHOOK)		= IGNORE(ON_HOOK),
		ON(FLASH)		= IGNORE(ON_HOOK),
		ON(DIGIT)		= IGNORE(ON_HOOK),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(RINGING, CALL_KEEP, SIP_ANSWER_180),
		ON(INVITE_UNUSABLE)	= GO(IDLE, SIP_REJECT_488),
		ON(OFFER)		= GO(IDLE, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		/* Defensive: nobody here wants the dialog it made. */
		ON(SUCCESS)		= GO(IDLE, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(IDLE, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		/* the port's services (fsm_invite_event()): whatever the
		 * state, these INVITEs never ring */
		ON(INVITE_ANONYMOUS)	= GO(IDLE, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(IDLE, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(IDLE, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(IDLE, SIP_FORWARD_BUSY),
		/* forwarded on busy: only where it would get 486 */
		ON(INVITE_FORWARDABLE)	= GO(RINGING, CALL_KEEP, SIP_ANSWER_180),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_DIALTONE] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		ON(FLASH)		= IGNORE("dial tone is already playing"),
		ON(DIGIT)		= MOVE(DIALING),
		/* The digit map matched the empty string: hot/warm line. */
		ON(DIAL_COMPLETE)	= GO(TRYING, SIP_SEND_INVITE),
		ON(DIAL_INVALID)	= MOVE(REORDER),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= MOVE(REORDER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= GO(TRYING, NUMBER_PRESET, SIP_SEND_INVITE),
		ON(INVITE)		= GO(DIALTONE, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(DIALTONE, SIP_REJECT_488),
		ON(OFFER)		= GO(DIALTONE, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(DIALTONE, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(DIALTONE, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(DIALTONE, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(DIALTONE, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(DIALTONE, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(DIALTONE, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(DIALTONE, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_DIALING] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		/* Start over: fresh dial tone, digits cleared. */
		ON(FLASH)		= MOVE(DIALTONE),
		ON(DIGIT)		= GO(DIALING, DIGIT_ADD),
		ON(DIAL_COMPLETE)	= GO(TRYING, SIP_SEND_INVITE),
		ON(DIAL_INVALID)	= MOVE(REORDER),
		ON(DIAL_CODE)		= GO(CONFIRM, STAR_CODE),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(DIALING, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(DIALING, SIP_REJECT_488),
		ON(OFFER)		= GO(DIALING, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(DIALING, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(DIALING, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(DIALING, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(DIALING, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(DIALING, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(DIALING, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(DIALING, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_TRYING] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= GO(IDLE, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(FLASH)		= IGNORE(SETUP_FLASH),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= GO(REORDER, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(TRYING, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(TRYING, SIP_REJECT_488),
		ON(OFFER)		= GO(TRYING, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		/* Only the caller may end an early dialog (RFC 3261 15);
		 * a callee that does anyway has failed the call. */
		ON(BYE)			= GO(REORDER, SIP_REPLY_BYE_200, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(PROVISIONAL_RINGING)	= MOVE(RINGBACK),
		ON(PROVISIONAL_EARLY)	= MOVE(EARLY),
		ON(SUCCESS)		= GO(INCALL, TIMERS_STOP),
		ON(SUCCESS_STRAY)	= GO(TRYING, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= GO(BUSY, TIMERS_STOP),
		ON(FAIL_OTHER)		= GO(REORDER, TIMERS_STOP),
		ON(SIP_TIMEOUT)		= GO(REORDER, TIMERS_STOP),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(TRYING, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(TRYING, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(TRYING, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(TRYING, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(TRYING, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_RINGBACK] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= GO(IDLE, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(FLASH)		= IGNORE(SETUP_FLASH),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= GO(REORDER, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(RINGBACK, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(RINGBACK, SIP_REJECT_488),
		ON(OFFER)		= GO(RINGBACK, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= GO(REORDER, SIP_REPLY_BYE_200, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(PROVISIONAL_RINGING)	= IGNORE("ringback tone is already playing"),
		ON(PROVISIONAL_EARLY)	= MOVE(EARLY),
		ON(SUCCESS)		= GO(INCALL, TIMERS_STOP),
		ON(SUCCESS_STRAY)	= GO(RINGBACK, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= GO(BUSY, TIMERS_STOP),
		ON(FAIL_OTHER)		= GO(REORDER, TIMERS_STOP),
		ON(SIP_TIMEOUT)		= GO(REORDER, TIMERS_STOP),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(RINGBACK, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(RINGBACK, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(RINGBACK, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(RINGBACK, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(RINGBACK, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_EARLY] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= GO(IDLE, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(FLASH)		= IGNORE(SETUP_FLASH),
		ON(DIGIT)		= IGNORE("digits are sent only once the call is up"),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= GO(REORDER, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(EARLY, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(EARLY, SIP_REJECT_488),
		ON(OFFER)		= GO(EARLY, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= GO(REORDER, SIP_REPLY_BYE_200, SIP_SEND_CANCEL, TIMERS_STOP),
		ON(PROVISIONAL_RINGING)	= IGNORE("early media goes on over a later 180, RFC 3960"),
		/* A newer 183 (another fork, new SDP): follow it. */
		ON(PROVISIONAL_EARLY)	= GO(EARLY, MEDIA_EARLY_START),
		ON(SUCCESS)		= GO(INCALL, TIMERS_STOP),
		ON(SUCCESS_STRAY)	= GO(EARLY, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= GO(BUSY, TIMERS_STOP),
		ON(FAIL_OTHER)		= GO(REORDER, TIMERS_STOP),
		ON(SIP_TIMEOUT)		= GO(REORDER, TIMERS_STOP),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(EARLY, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(EARLY, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(EARLY, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(EARLY, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(EARLY, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_RINGING] = {
		/* Ring-trip: the kernel has already cut the ring voltage. */
		ON(OFFHOOK)		= GO(INCALL, SIP_ANSWER_200),
		ON(OFFHOOK_HOTLINE)	= GO(INCALL, SIP_ANSWER_200),
		ON(ONHOOK)		= IGNORE(ON_HOOK),
		ON(FLASH)		= IGNORE(ON_HOOK),
		ON(DIGIT)		= IGNORE(ON_HOOK),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(RINGING, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(RINGING, SIP_REJECT_488),
		ON(OFFER)		= GO(RINGING, SIP_REJECT_OFFER),
		ON(CANCEL)		= GO(IDLE, SIP_REPLY_487),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		/* The caller ended our early dialog (RFC 3261 15.1.2):
		 * 200 to the BYE, 487 to the INVITE. */
		ON(BYE)			= GO(IDLE, SIP_REPLY_BYE_200, SIP_REPLY_487),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(RINGING, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(RINGING, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		/* The incoming transaction died (our 180 could not be
		 * sent): nobody is left to answer. */
		ON(SIP_TIMEOUT)		= MOVE(IDLE),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(RINGING, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(RINGING, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(RINGING, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(RINGING, SIP_FORWARD_BUSY),
		/* rung long enough: forwarded, ringing stops */
		ON(INVITE_FORWARDABLE)	= GO(RINGING, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= GO(IDLE, SIP_FORWARD_NO_ANSWER),
		/* the hold-off passed without a CANCEL: the bell rings */
		ON(TIMER_RING_HOLDOFF)	= GO(RINGING, RING_START),
	},
	[CALL_STATE_INCALL] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= GO(IDLE, SIP_SEND_BYE),
		ON(FLASH)		= IGNORE("the feature machine takes a flash in a call: hold, call waiting"),
		ON(DIGIT)		= GO(INCALL, DIGIT_SEND),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(INCALL, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(INCALL, SIP_REJECT_488),
		ON(OFFER)		= GO(INCALL, SIP_ANSWER_OFFER),
		ON(CANCEL)		= IGNORE("CANCEL after our 200 has no effect, RFC 3261 9.2; a BYE follows"),
		/* It confirms our 200, and may bring the answer to the
		 * offer in it (late offer). */
		ON(ACK)			= GO(INCALL, MEDIA_UPDATE),
		ON(BYE)			= GO(DISCONNECTED, SIP_REPLY_BYE_200),
		ON(PROVISIONAL_RINGING)	= IGNORE("stale response: the call is answered"),
		ON(PROVISIONAL_EARLY)	= IGNORE("stale response: the call is answered"),
		/* Never kill our own call over a 2xx the SIP layer should
		 * have absorbed; a second fork's 2xx is SUCCESS_STRAY. */
		ON(SUCCESS)		= IGNORE("a retransmitted 2xx of this call; the SIP layer re-ACKs it"),
		ON(SUCCESS_STRAY)	= GO(INCALL, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE("stale response: the call is answered"),
		ON(FAIL_OTHER)		= IGNORE("stale response: the call is answered"),
		/* No ACK for our 200 (RFC 3261 13.3.1.4), or an in-dialog
		 * request got no answer: the dialog is dead, end it. */
		ON(SIP_TIMEOUT)		= GO(DISCONNECTED, SIP_SEND_BYE),
		ON(REINVITE_ANSWER)	= GO(INCALL, MEDIA_UPDATE),
		ON(INVITE_ANONYMOUS)	= GO(INCALL, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(INCALL, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(INCALL, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(INCALL, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(INCALL, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_BUSY] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		/* Recall dial tone: a new call without hanging up. */
		ON(FLASH)		= MOVE(DIALTONE),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= MOVE(HOWLER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(BUSY, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(BUSY, SIP_REJECT_488),
		ON(OFFER)		= GO(BUSY, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(BUSY, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(BUSY, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(BUSY, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(BUSY, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(BUSY, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(BUSY, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(BUSY, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_REORDER] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		ON(FLASH)		= MOVE(DIALTONE),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= MOVE(HOWLER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(REORDER, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(REORDER, SIP_REJECT_488),
		ON(OFFER)		= GO(REORDER, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(REORDER, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(REORDER, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(REORDER, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(REORDER, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(REORDER, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(REORDER, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(REORDER, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_HOWLER] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		ON(FLASH)		= MOVE(DIALTONE),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= MOVE(PARKED),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(HOWLER, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(HOWLER, SIP_REJECT_488),
		ON(OFFER)		= GO(HOWLER, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(HOWLER, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(HOWLER, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(HOWLER, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(HOWLER, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(HOWLER, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(HOWLER, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(HOWLER, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_DISCONNECTED] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		ON(FLASH)		= MOVE(DIALTONE),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= MOVE(HOWLER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(DISCONNECTED, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(DISCONNECTED, SIP_REJECT_488),
		ON(OFFER)		= GO(DISCONNECTED, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(DISCONNECTED, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(DISCONNECTED, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		/* E.g. our BYE after the ACK never came: already over. */
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(DISCONNECTED, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(DISCONNECTED, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(DISCONNECTED, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(DISCONNECTED, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(DISCONNECTED, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_PARKED] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		ON(FLASH)		= MOVE(DIALTONE),
		ON(DIGIT)		= IGNORE(NO_DIGITS),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		ON(TIMER_TONE)		= IGNORE(STALE_TIMER),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(PARKED, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(PARKED, SIP_REJECT_488),
		ON(OFFER)		= GO(PARKED, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(PARKED, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(PARKED, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		ON(INVITE_ANONYMOUS)	= GO(PARKED, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(PARKED, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(PARKED, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(PARKED, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(PARKED, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
	[CALL_STATE_CONFIRM] = {
		ON(OFFHOOK)		= IGNORE(OFF_HOOK),
		ON(OFFHOOK_HOTLINE)	= IGNORE(OFF_HOOK),
		ON(ONHOOK)		= MOVE(IDLE),
		ON(FLASH)		= MOVE(DIALTONE),
		/* Dialling on over the confirmation: the number begins. */
		ON(DIGIT)		= MOVE(DIALING),
		ON(DIAL_COMPLETE)	= IGNORE(NOT_DIALING),
		ON(DIAL_INVALID)	= IGNORE(NOT_DIALING),
		ON(DIAL_CODE)		= IGNORE(NOT_DIALING),
		ON(TIMER_FIRST_DIGIT)	= IGNORE(STALE_TIMER),
		/* Confirmed: dial tone again, for a number or hanging up. */
		ON(TIMER_TONE)		= MOVE(DIALTONE),
		ON(TIMER_HOWLER)	= IGNORE(STALE_TIMER),
		ON(TIMER_NO_ANSWER)	= IGNORE(STALE_TIMER),
		ON(TIMER_WARM_LINE)	= IGNORE(STALE_TIMER),
		ON(INVITE)		= GO(CONFIRM, SIP_REJECT_486),
		ON(INVITE_UNUSABLE)	= GO(CONFIRM, SIP_REJECT_488),
		ON(OFFER)		= GO(CONFIRM, SIP_REJECT_OFFER),
		ON(CANCEL)		= IGNORE(NO_INVITE_IN),
		ON(ACK)			= IGNORE(NO_ACK_WANTED),
		ON(BYE)			= IGNORE(NO_DIALOG),
		ON(PROVISIONAL_RINGING)	= IGNORE(NO_INVITE_OUT),
		ON(PROVISIONAL_EARLY)	= IGNORE(NO_INVITE_OUT),
		ON(SUCCESS)		= GO(CONFIRM, SIP_BYE_STRAY),
		ON(SUCCESS_STRAY)	= GO(CONFIRM, SIP_BYE_STRAY),
		ON(FAIL_BUSY)		= IGNORE(NO_INVITE_OUT),
		ON(FAIL_OTHER)		= IGNORE(NO_INVITE_OUT),
		ON(SIP_TIMEOUT)		= IGNORE(STALE_TIMEOUT),
		ON(REINVITE_ANSWER)	= IGNORE(NO_REINVITE),
		/* off hook, as in dial tone: the services answer for it */
		ON(INVITE_ANONYMOUS)	= GO(CONFIRM, SIP_REJECT_433),
		ON(INVITE_FORWARD_ALL)	= GO(CONFIRM, SIP_FORWARD_ALL),
		ON(INVITE_DND)		= GO(CONFIRM, SIP_REJECT_486),
		ON(INVITE_DND_FORWARD)	= GO(CONFIRM, SIP_FORWARD_BUSY),
		ON(INVITE_FORWARDABLE)	= GO(CONFIRM, SIP_FORWARD_BUSY),
		ON(TIMER_FORWARD)	= IGNORE(STALE_TIMER),
		ON(TIMER_RING_HOLDOFF)	= IGNORE(STALE_TIMER),
	},
};

#undef A1
#undef A2
#undef A3
#undef A4
#undef A5
#undef PICK
#undef LIST
#undef NOTHING
#undef GO
#undef MOVE
#undef IGNORE
#undef ON

static void append(struct fsm_result *r, const struct fsm_list *l)
{
	/* Cannot overflow: see the _Static_assert on FSM_LIST_MAX. */
	memcpy(r->actions + r->n_actions, l->a, l->n * sizeof(l->a[0]));
	r->n_actions += l->n;
}

int fsm_step(enum call_state s, enum call_event e, struct fsm_result *ret)
{
	const struct fsm_transition *t;

	if (!ret || (unsigned)s >= _CALL_STATE_MAX ||
	    (unsigned)e >= _CALL_EVENT_MAX)
		return -EINVAL;

	*ret = (struct fsm_result){ .next = s, .ignored = true };
	t = &transitions[s][e];
	switch (t->kind) {
	case FSM_IGNORE:
		ret->note = t->why;
		return 0;
	case FSM_GO:
		break;
	default:
		ret->note = "no table entry";
		return -ENOENT;
	}

	ret->ignored = false;
	ret->next = t->next;
	append(ret, &t->actions);
	if (t->next != s) {
		append(ret, &states[s].exit);
		append(ret, &states[t->next].entry);
	}
	return 0;
}

int fsm_enter(enum call_state from, enum call_state to,
	      struct fsm_result *ret)
{
	if (!ret || (unsigned)from >= _CALL_STATE_MAX ||
	    (unsigned)to >= _CALL_STATE_MAX)
		return -EINVAL;
	*ret = (struct fsm_result){ .next = to };
	append(ret, &states[from].exit);
	append(ret, &states[to].entry);
	return 0;
}

enum call_event fsm_invite_event(const struct fsm_invite_facts *f)
{
	if (!f)
		return CALL_EVENT_INVITE;
	if (f->anonymous && f->anonymous_reject)
		return CALL_EVENT_INVITE_ANONYMOUS;
	if (f->forward_all)
		return CALL_EVENT_INVITE_FORWARD_ALL;
	if (f->dnd)
		return f->forward_busy ? CALL_EVENT_INVITE_DND_FORWARD :
					 CALL_EVENT_INVITE_DND;
	if (!f->usable)
		return CALL_EVENT_INVITE_UNUSABLE;
	return f->forward_busy ? CALL_EVENT_INVITE_FORWARDABLE :
				 CALL_EVENT_INVITE;
}

/* fsm_invite_event() as a table: its guards, in order. */
static const struct {
	const char *guard;
	enum call_event event;
} invite_guards[] = {
	{ "anonymous && anonymous_reject", CALL_EVENT_INVITE_ANONYMOUS },
	{ "forward_all", CALL_EVENT_INVITE_FORWARD_ALL },
	{ "dnd && forward_busy", CALL_EVENT_INVITE_DND_FORWARD },
	{ "dnd", CALL_EVENT_INVITE_DND },
	{ "!usable", CALL_EVENT_INVITE_UNUSABLE },
	{ "forward_busy", CALL_EVENT_INVITE_FORWARDABLE },
	{ "otherwise", CALL_EVENT_INVITE },
};

static void dump_list(FILE *f, const struct fsm_list *l, const char *sep)
{
	unsigned i;

	if (l->n == 0)
		fputs("-", f);
	for (i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? sep : "", call_action_table[l->a[i]]);
}

static void dump_text(FILE *f)
{
	const struct fsm_transition *t;
	int s, e;

	fprintf(f, "# fxsd call state machine: %d states, %d events, %d actions\n"
		"# a step runs the event's actions, then, if the state changes,\n"
		"# the old state's exit actions and the new state's entry actions\n",
		_CALL_STATE_MAX, _CALL_EVENT_MAX, _CALL_ACTION_MAX);
	fputs("\nincoming INVITE: the first guard that holds names its event\n", f);
	for (s = 0; s < (int)(sizeof(invite_guards) / sizeof(invite_guards[0])); s++)
		fprintf(f, "\t%s -> %s\n", invite_guards[s].guard,
			call_event_table[invite_guards[s].event]);
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		fprintf(f, "\nstate %s\n\tentry: ", call_state_table[s]);
		dump_list(f, &states[s].entry, ", ");
		fputs("\n\texit: ", f);
		dump_list(f, &states[s].exit, ", ");
		fputc('\n', f);
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			t = &transitions[s][e];
			fprintf(f, "\t%s", call_event_table[e]);
			switch (t->kind) {
			case FSM_GO:
				fprintf(f, " -> %s: ", call_state_table[t->next]);
				dump_list(f, &t->actions, ", ");
				fputc('\n', f);
				break;
			case FSM_IGNORE:
				fprintf(f, ": ignored (%s)\n", t->why);
				break;
			default:
				fputs(": UNDEFINED\n", f);
				break;
			}
		}
	}
}

static void dump_dot(FILE *f)
{
	const struct fsm_transition *t;
	int s, n, e;
	bool first;

	fputs("digraph fxsd_call {\n"
	      "\trankdir=LR;\n"
	      "\tnode [shape=box, fontname=\"monospace\"];\n"
	      "\tedge [fontname=\"monospace\", fontsize=10];\n", f);
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		fprintf(f, "\t\"%s\" [label=\"%s\\nentry: ",
			call_state_table[s], call_state_table[s]);
		dump_list(f, &states[s].entry, ", ");
		fputs("\\nexit: ", f);
		dump_list(f, &states[s].exit, ", ");
		fputs("\"];\n", f);
	}
	/* One edge per (state, next state), listing its events. */
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		for (n = 0; n < _CALL_STATE_MAX; n++) {
			first = true;
			for (e = 0; e < _CALL_EVENT_MAX; e++) {
				t = &transitions[s][e];
				if (t->kind != FSM_GO || t->next != n)
					continue;
				if (first)
					fprintf(f, "\t\"%s\" -> \"%s\" [label=\"",
						call_state_table[s],
						call_state_table[n]);
				else
					fputs("\\n", f);
				first = false;
				fputs(call_event_table[e], f);
				if (t->actions.n) {
					fputs(" / ", f);
					dump_list(f, &t->actions, ", ");
				}
			}
			if (!first)
				fputs("\"];\n", f);
		}
	}
	fputs("}\n", f);
}

int fsm_dump(FILE *f, bool dot)
{
	if (!f)
		return -EINVAL;
	if (dot)
		dump_dot(f);
	else
		dump_text(f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
