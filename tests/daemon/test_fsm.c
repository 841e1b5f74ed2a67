// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fsm.c - the call state machine, exhaustively.
 *
 * Three kinds of cases:
 *   - properties of all |states| x |events| pairs: every pair defined,
 *     results in range, and a model of the port's resources (tone, ring,
 *     timers, digit map, media, call, line feed) that must end, after the
 *     actions of any step, exactly where the next state says it is;
 *   - each rule of the machine with its exact, ordered action list;
 *   - walk-throughs of whole calls, and the table dump (text and DOT).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line/fsm.h"
#include "unit.h"

#define S(x) CALL_STATE_##x
#define E(x) CALL_EVENT_##x
#define A(x) CALL_ACTION_##x
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the port model --------------------------------------------------- */

enum tone { TONE_NONE, TONE_DIAL, TONE_RINGBACK, TONE_BUSY, TONE_REORDER,
	    TONE_HOWLER, TONE_CONFIRM };
enum timer { TIMER_NONE, TIMER_FIRST_DIGIT, TIMER_NO_ANSWER, TIMER_TONE,
	     TIMER_HOWLER, TIMER_FORWARD };
enum media { MEDIA_NONE, MEDIA_EARLY, MEDIA_FULL };

/* What the Line would have running for a port. */
struct port {
	enum tone tone;
	bool ring;
	enum timer timer;	/* the machine's timer: one at a time */
	bool digit_map;		/* the digit map's inter-digit timer */
	bool warm_line;		/* the warm line's timer (beside the first
				 * digit's) */
	enum media media;
	bool call;		/* a dialog / pending INVITE is kept */
	bool open_loop;
	bool holdoff;		/* the ring hold-off timer (beside the
				 * forward timer): the ringer is due */
	bool prompt;		/* spoken prompts (the menu, the announcement) */
};

/* What must be running while the port sits in @s. */
static struct port canonical(enum call_state s)
{
	struct port p = { 0 };

	switch (s) {
	case CALL_STATE_IDLE:
	case CALL_STATE_PARKED:
		break;
	case CALL_STATE_DIALTONE:
		p.tone = TONE_DIAL;
		p.timer = TIMER_FIRST_DIGIT;
		p.warm_line = true;
		break;
	case CALL_STATE_CONFIRM:
		p.tone = TONE_CONFIRM;
		p.timer = TIMER_TONE;
		break;
	case CALL_STATE_DIALING:
		p.digit_map = true;
		break;
	case CALL_STATE_TRYING:
		p.timer = TIMER_NO_ANSWER;
		p.call = true;
		break;
	case CALL_STATE_RINGBACK:
		p.tone = TONE_RINGBACK;
		p.timer = TIMER_NO_ANSWER;
		p.call = true;
		break;
	case CALL_STATE_EARLY:
		p.media = MEDIA_EARLY;
		p.timer = TIMER_NO_ANSWER;
		p.call = true;
		break;
	case CALL_STATE_RINGING:
		/* just entered: the hold-off runs, the ringer is due (the
		 * ringing that follows compares equal, model_compare()) */
		p.holdoff = true;
		p.timer = TIMER_FORWARD;	/* when forward_no_answer is set */
		p.call = true;
		break;
	case CALL_STATE_INCALL:
		p.media = MEDIA_FULL;
		p.call = true;
		break;
	case CALL_STATE_BUSY:
		p.tone = TONE_BUSY;
		p.timer = TIMER_TONE;
		break;
	case CALL_STATE_REORDER:
		p.tone = TONE_REORDER;
		p.timer = TIMER_TONE;
		break;
	case CALL_STATE_HOWLER:
		p.tone = TONE_HOWLER;
		p.timer = TIMER_HOWLER;
		break;
	case CALL_STATE_DISCONNECTED:
		p.tone = TONE_REORDER;
		p.timer = TIMER_TONE;
		p.open_loop = true;
		break;
	case CALL_STATE_ANNOUNCE:
		p.prompt = true;
		break;
	case CALL_STATE_MENU:
		p.prompt = true;
		p.timer = TIMER_FIRST_DIGIT;
		break;
	default:
		abort();
	}
	return p;
}

static bool offhook_state(enum call_state s)
{
	return s != CALL_STATE_IDLE && s != CALL_STATE_RINGING;
}

static int fail(char *msg, size_t size, const char *what, enum call_action a)
{
	snprintf(msg, size, "%s: %s", call_action_to_string(a), what);
	return -1;
}

/*
 * Carry out @r's actions on @p, strictly: starting a tone over a tone, a
 * timer over a timer, media without a call, forgetting a call with media
 * running, and so on, is an error.  Returns 0, or -1 with @msg set.
 */
static int model_apply(struct port *p, enum call_event e,
		       const struct fsm_result *r, char *msg, size_t size)
{
	static const enum timer fired[_CALL_EVENT_MAX] = {
		[CALL_EVENT_TIMER_FIRST_DIGIT] = TIMER_FIRST_DIGIT,
		[CALL_EVENT_TIMER_NO_ANSWER] = TIMER_NO_ANSWER,
		[CALL_EVENT_TIMER_TONE] = TIMER_TONE,
		[CALL_EVENT_TIMER_HOWLER] = TIMER_HOWLER,
		[CALL_EVENT_TIMER_FORWARD] = TIMER_FORWARD,
	};
	unsigned i;

	/* A timer that fired is no longer armed. */
	if (fired[e] != TIMER_NONE && p->timer == fired[e])
		p->timer = TIMER_NONE;
	if (e == CALL_EVENT_TIMER_WARM_LINE)
		p->warm_line = false;
	if (e == CALL_EVENT_TIMER_RING_HOLDOFF)
		p->holdoff = false;

	for (i = 0; i < r->n_actions; i++) {
		enum call_action a = r->actions[i];
		enum tone tone = TONE_NONE;
		enum timer timer = TIMER_NONE;

		switch (a) {
		case CALL_ACTION_TONE_DIAL: tone = TONE_DIAL; break;
		case CALL_ACTION_TONE_RINGBACK: tone = TONE_RINGBACK; break;
		case CALL_ACTION_TONE_BUSY: tone = TONE_BUSY; break;
		case CALL_ACTION_TONE_REORDER: tone = TONE_REORDER; break;
		case CALL_ACTION_TONE_HOWLER: tone = TONE_HOWLER; break;
		case CALL_ACTION_TONE_CONFIRM: tone = TONE_CONFIRM; break;
		case CALL_ACTION_TIMER_CONFIRM_START: timer = TIMER_TONE; break;
		case CALL_ACTION_TIMER_FIRST_DIGIT_START:
			timer = TIMER_FIRST_DIGIT; break;
		case CALL_ACTION_TIMER_NO_ANSWER_START:
			timer = TIMER_NO_ANSWER; break;
		case CALL_ACTION_TIMER_TONE_START: timer = TIMER_TONE; break;
		case CALL_ACTION_TIMER_HOWLER_START:
			timer = TIMER_HOWLER; break;
		case CALL_ACTION_TIMER_FORWARD_START:
			timer = TIMER_FORWARD; break;
		default: break;
		}
		if (tone != TONE_NONE) {
			if (p->tone != TONE_NONE)
				return fail(msg, size, "over a playing tone", a);
			p->tone = tone;
			continue;
		}
		if (timer != TIMER_NONE) {
			if (p->timer != TIMER_NONE)
				return fail(msg, size, "over an armed timer", a);
			p->timer = timer;
			continue;
		}

		switch (a) {
		case CALL_ACTION_TONE_STOP:
			p->tone = TONE_NONE;
			break;
		case CALL_ACTION_TIMER_RING_HOLDOFF_START:
			if (p->ring || p->holdoff || !p->call)
				return fail(msg, size, "ringing, armed twice or without a call", a);
			p->holdoff = true;
			break;
		case CALL_ACTION_RING_START:
			if (p->ring || p->holdoff || !p->call)
				return fail(msg, size, "ringing twice or without a call", a);
			p->ring = true;
			break;
		case CALL_ACTION_RING_STOP:
			p->ring = false;
			break;
		case CALL_ACTION_DIGITS_CLEAR:
			p->digit_map = false;
			break;
		case CALL_ACTION_DIGIT_ADD:
			p->digit_map = true;
			break;
		case CALL_ACTION_DIGIT_SEND:
			if (p->media != MEDIA_FULL)
				return fail(msg, size, "outside a call", a);
			break;
		case CALL_ACTION_TIMERS_STOP:
			p->timer = TIMER_NONE;
			p->digit_map = false;
			p->warm_line = false;
			p->holdoff = false;
			break;
		case CALL_ACTION_TIMER_WARM_LINE_START:
			if (p->warm_line)
				return fail(msg, size, "over an armed timer", a);
			p->warm_line = true;
			break;
		case CALL_ACTION_STAR_CODE:
			if (p->call || p->media != MEDIA_NONE)
				return fail(msg, size, "in a call", a);
			break;
		case CALL_ACTION_NUMBER_PRESET:
			if (p->call)
				return fail(msg, size, "while a call is kept", a);
			break;
		case CALL_ACTION_SIP_SEND_INVITE:
		case CALL_ACTION_CALL_KEEP:
			if (p->call)
				return fail(msg, size, "while a call is kept", a);
			p->call = true;
			break;
		case CALL_ACTION_SIP_SEND_CANCEL:
			if (!p->call || p->media == MEDIA_FULL)
				return fail(msg, size, "no pending INVITE", a);
			break;
		case CALL_ACTION_SIP_SEND_BYE:
		case CALL_ACTION_SIP_ANSWER_180:
		case CALL_ACTION_SIP_ANSWER_200:
		case CALL_ACTION_SIP_REPLY_487:
		case CALL_ACTION_SIP_REPLY_BYE_200:
			if (!p->call)
				return fail(msg, size, "without a call", a);
			break;
		case CALL_ACTION_SIP_FORWARD_NO_ANSWER:
			if (!p->call || !(p->ring || p->holdoff))
				return fail(msg, size, "without a ringing call", a);
			break;
		case CALL_ACTION_SIP_REJECT_433:
		case CALL_ACTION_SIP_FORWARD_ALL:
		case CALL_ACTION_SIP_FORWARD_BUSY:
		case CALL_ACTION_SIP_REJECT_486:
		case CALL_ACTION_SIP_REJECT_488:
		case CALL_ACTION_SIP_REJECT_OFFER:
		case CALL_ACTION_SIP_BYE_STRAY:
			break;	/* they act on the event's message only */
		case CALL_ACTION_SIP_ANSWER_OFFER:
		case CALL_ACTION_SIP_ANSWER_T38:
		case CALL_ACTION_SIP_OFFER_T38:
		case CALL_ACTION_MEDIA_T38_START:
		case CALL_ACTION_MEDIA_UPDATE:
			if (!p->call || p->media != MEDIA_FULL)
				return fail(msg, size, "outside a call", a);
			break;
		case CALL_ACTION_CALL_CLEAR:
			if (p->media != MEDIA_NONE || p->ring || p->holdoff)
				return fail(msg, size, "with media or ring running", a);
			p->call = false;
			break;
		case CALL_ACTION_MEDIA_START:
			if (!p->call || p->media != MEDIA_NONE)
				return fail(msg, size, "without a call or over media", a);
			p->media = MEDIA_FULL;
			break;
		case CALL_ACTION_MEDIA_EARLY_START:
			if (!p->call || p->media == MEDIA_FULL)
				return fail(msg, size, "without a call or in a call", a);
			p->media = MEDIA_EARLY;
			break;
		case CALL_ACTION_MEDIA_STOP:
			p->media = MEDIA_NONE;
			break;
		case CALL_ACTION_LINE_OPEN_LOOP:
			p->open_loop = true;
			break;
		case CALL_ACTION_LINE_NORMAL:
			p->open_loop = false;
			break;
		case CALL_ACTION_MENU_START:
			p->digit_map = false;
			/* fall through */
		case CALL_ACTION_ANNOUNCE_START:
			if (p->prompt || p->tone != TONE_NONE || p->call)
				return fail(msg, size, "over prompts, a tone or a call", a);
			p->prompt = true;
			break;
		case CALL_ACTION_MENU_KEY:
		case CALL_ACTION_MENU_PROMPT_DONE:
			if (!p->prompt)
				return fail(msg, size, "outside the menu", a);
			break;
		case CALL_ACTION_PROMPT_STOP:
			p->prompt = false;
			break;
		default:
			return fail(msg, size, "unknown to the model", a);
		}
	}
	return 0;
}

static int model_compare(const struct port *got, const struct port *want,
			 char *msg, size_t size)
{
#define FIELD(f)							\
	do {								\
		if (got->f != want->f) {				\
			snprintf(msg, size, "%s is %d, the state wants %d", \
				 #f, (int)got->f, (int)want->f);	\
			return -1;					\
		}							\
	} while (0)
	FIELD(tone);
	/* ringing, or about to (the hold-off armed): the same state */
	if ((got->ring || got->holdoff) != (want->ring || want->holdoff)) {
		snprintf(msg, size, "ring/hold-off is %d, the state wants %d",
			 got->ring || got->holdoff, want->ring || want->holdoff);
		return -1;
	}
	FIELD(timer);
	FIELD(digit_map);
	FIELD(warm_line);
	FIELD(media);
	FIELD(call);
	FIELD(open_loop);
	FIELD(prompt);
#undef FIELD
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void format_actions(char *buf, size_t size, const enum call_action *a,
			   unsigned n)
{
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		const char *name = call_action_to_string(a[i]);

		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				name ? name : "?");
	}
}

static bool has(const struct fsm_result *r, enum call_action a)
{
	unsigned i;

	for (i = 0; i < r->n_actions; i++)
		if (r->actions[i] == a)
			return true;
	return false;
}

/* Index of @a in @r, or -1. */
static int find(const struct fsm_result *r, enum call_action a)
{
	unsigned i;

	for (i = 0; i < r->n_actions; i++)
		if (r->actions[i] == a)
			return (int)i;
	return -1;
}

/* fsm_step() for in-range pairs; a hole in the table (-ENOENT) reads as
 * "ignored", and fsm_all_pairs_defined reports it. */
static struct fsm_result step(enum call_state s, enum call_event e)
{
	struct fsm_result r = { .next = s, .ignored = true };

	(void)fsm_step(s, e, &r);
	return r;
}

/* A port going through events, checked against the model at every step. */
struct walk {
	enum call_state s;
	struct port p;
	char msg[1024];
};

static struct walk walk_at(enum call_state s)
{
	return (struct walk){ .s = s, .p = canonical(s) };
}

static int walk_step(struct walk *w, enum call_event e, enum call_state next,
		     bool want_ignored, const enum call_action *want,
		     unsigned n_want)
{
	char got_s[384], want_s[384], why[256];
	struct port want_p;
	struct fsm_result r;
	int k;

	k = fsm_step(w->s, e, &r);
	if (k < 0) {
		snprintf(w->msg, sizeof(w->msg), "%s + %s: fsm_step() = %d",
			 call_state_to_string(w->s), call_event_to_string(e), k);
		return -1;
	}
	format_actions(got_s, sizeof(got_s), r.actions, r.n_actions);
	format_actions(want_s, sizeof(want_s), want, n_want);
	if (r.ignored != want_ignored || r.next != next ||
	    r.n_actions != n_want ||
	    (n_want && memcmp(r.actions, want, n_want * sizeof(*want)))) {
		snprintf(w->msg, sizeof(w->msg),
			 "%s + %s: got %s[%s] -> %s, want %s[%s] -> %s",
			 call_state_to_string(w->s), call_event_to_string(e),
			 r.ignored ? "ignored " : "", got_s,
			 call_state_to_string(r.next),
			 want_ignored ? "ignored " : "", want_s,
			 call_state_to_string(next));
		return -1;
	}
	want_p = canonical(next);
	if (model_apply(&w->p, e, &r, why, sizeof(why)) < 0 ||
	    model_compare(&w->p, &want_p, why, sizeof(why)) < 0) {
		snprintf(w->msg, sizeof(w->msg), "%s + %s -> %s [%s]: %s",
			 call_state_to_string(w->s), call_event_to_string(e),
			 call_state_to_string(next), got_s, why);
		return -1;
	}
	w->s = next;
	return 0;
}

/* Step @w with @ev: it must go to @to with exactly the actions given. */
#define WALK(w, ev, to, ...)						\
	do {								\
		static const enum call_action want_[] = { __VA_ARGS__ }; \
		CHECK(walk_step(&(w), E(ev), S(to), false, want_,	\
				ARRAY_SIZE(want_)) == 0, "%s", (w).msg); \
	} while (0)

/* Step @w with @ev: it must be ignored. */
#define WALK_IGNORED(w, ev)						\
	CHECK(walk_step(&(w), E(ev), (w).s, true, NULL, 0) == 0, "%s", (w).msg)

/* One step from @from's canonical state. */
#define EXPECT(from, ev, to, ...)					\
	do {								\
		struct walk w_ = walk_at(S(from));			\
		WALK(w_, ev, to, __VA_ARGS__);				\
	} while (0)

#define EXPECT_IGNORED(from, ev)					\
	do {								\
		struct walk w_ = walk_at(S(from));			\
		WALK_IGNORED(w_, ev);					\
	} while (0)

/* ---- names ------------------------------------------------------------ */

static bool clean_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return false;
	return true;
}

UNIT_TEST(fsm_state_names)
{
	int i, j;

	CHECK_STR(call_state_to_string(CALL_STATE_IDLE), "idle");
	CHECK_STR(call_state_to_string(CALL_STATE_DIALTONE), "dial-tone");
	CHECK_STR(call_state_to_string(CALL_STATE_DIALING), "dialing");
	CHECK_STR(call_state_to_string(CALL_STATE_TRYING), "trying");
	CHECK_STR(call_state_to_string(CALL_STATE_RINGBACK), "ringback");
	CHECK_STR(call_state_to_string(CALL_STATE_EARLY), "early-media");
	CHECK_STR(call_state_to_string(CALL_STATE_RINGING), "ringing");
	CHECK_STR(call_state_to_string(CALL_STATE_INCALL), "in-call");
	CHECK_STR(call_state_to_string(CALL_STATE_BUSY), "busy");
	CHECK_STR(call_state_to_string(CALL_STATE_REORDER), "reorder");
	CHECK_STR(call_state_to_string(CALL_STATE_HOWLER), "howler");
	CHECK_STR(call_state_to_string(CALL_STATE_DISCONNECTED), "disconnected");
	CHECK_STR(call_state_to_string(CALL_STATE_PARKED), "parked");
	for (i = 0; i < _CALL_STATE_MAX; i++) {
		const char *n = call_state_to_string(i);

		CHECK(clean_name(n), "state %d has name \"%s\"", i, n ? n : "(null)");
		CHECK_INT(call_state_from_string(n), i);
		for (j = 0; j < i; j++)
			CHECK(strcmp(n, call_state_to_string(j)), "states %d and %d share \"%s\"", i, j, n);
	}
	CHECK(call_state_to_string(_CALL_STATE_MAX) == NULL, "name past the end");
	CHECK(call_state_to_string(-1) == NULL, "name of -1");
	CHECK_INT(call_state_from_string("no-such-state"), -EINVAL);
	CHECK_INT(call_state_from_string(NULL), -EINVAL);
}

UNIT_TEST(fsm_event_and_action_names)
{
	int i, j;

	for (i = 0; i < _CALL_EVENT_MAX; i++) {
		const char *n = call_event_to_string(i);

		CHECK(clean_name(n), "event %d has name \"%s\"", i, n ? n : "(null)");
		CHECK_INT(call_event_from_string(n), i);
		for (j = 0; j < i; j++)
			CHECK(strcmp(n, call_event_to_string(j)), "events %d and %d share \"%s\"", i, j, n);
	}
	for (i = 0; i < _CALL_ACTION_MAX; i++) {
		const char *n = call_action_to_string(i);

		CHECK(clean_name(n), "action %d has name \"%s\"", i, n ? n : "(null)");
		CHECK_INT(call_action_from_string(n), i);
		for (j = 0; j < i; j++)
			CHECK(strcmp(n, call_action_to_string(j)), "actions %d and %d share \"%s\"", i, j, n);
	}
	CHECK_STR(call_event_to_string(CALL_EVENT_TIMER_NO_ANSWER), "timer-no-answer");
	CHECK_STR(call_action_to_string(CALL_ACTION_SIP_ANSWER_180), "sip-answer-180");
	CHECK(call_event_to_string(_CALL_EVENT_MAX) == NULL, "event name past the end");
	CHECK(call_action_to_string(_CALL_ACTION_MAX) == NULL, "action name past the end");
	CHECK(call_action_to_string(-1) == NULL, "action name of -1");
	CHECK_INT(call_event_from_string("hook"), -EINVAL);
	CHECK_INT(call_action_from_string(""), -EINVAL);
}

/* ---- every pair ------------------------------------------------------- */

UNIT_TEST(fsm_all_pairs_defined)
{
	struct fsm_result r;
	int s, e, k;
	unsigned i, n = 0;

	for (s = 0; s < _CALL_STATE_MAX; s++)
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			const char *sn = call_state_to_string(s);
			const char *en = call_event_to_string(e);

			memset(&r, 0xa5, sizeof(r));
			k = fsm_step(s, e, &r);
			CHECK(k == 0, "%s + %s: fsm_step() = %d (undefined pair)", sn, en, k);
			CHECK(r.next >= 0 && r.next < _CALL_STATE_MAX, "%s + %s: next %d", sn, en, r.next);
			CHECK(r.n_actions <= FSM_MAX_ACTIONS, "%s + %s: %u actions", sn, en, r.n_actions);
			for (i = 0; i < r.n_actions; i++)
				CHECK(r.actions[i] >= 0 && r.actions[i] < _CALL_ACTION_MAX,
				      "%s + %s: action %u is %d", sn, en, i, r.actions[i]);
			if (r.ignored) {
				CHECK(r.next == s && r.n_actions == 0,
				      "%s + %s: ignored but acts", sn, en);
				CHECK(r.note && *r.note, "%s + %s: ignored without a reason", sn, en);
			} else {
				CHECK(r.note == NULL, "%s + %s: note on a transition", sn, en);
				/* A transition that does nothing must say "ignore". */
				CHECK(r.next != s || r.n_actions > 0,
				      "%s + %s: silent self-transition", sn, en);
			}
			n++;
		}
	CHECK_INT(n, _CALL_STATE_MAX * _CALL_EVENT_MAX);
}

UNIT_TEST(fsm_step_rejects_out_of_range)
{
	struct fsm_result r;

	memset(&r, 0x5a, sizeof(r));
	CHECK_INT(fsm_step(_CALL_STATE_MAX, CALL_EVENT_OFFHOOK, &r), -EINVAL);
	CHECK_INT(fsm_step(CALL_STATE_IDLE, _CALL_EVENT_MAX, &r), -EINVAL);
	CHECK_INT(fsm_step((enum call_state)-1, CALL_EVENT_OFFHOOK, &r), -EINVAL);
	CHECK_INT(fsm_step(CALL_STATE_IDLE, (enum call_event)-1, &r), -EINVAL);
	CHECK_INT(fsm_step(CALL_STATE_IDLE, (enum call_event)1000, &r), -EINVAL);
	CHECK_INT(fsm_step(CALL_STATE_IDLE, CALL_EVENT_OFFHOOK, NULL), -EINVAL);
	CHECK_INT(r.n_actions, 0x5a5a5a5a);	/* untouched */
}

/* From each state's resources, any step's actions give the next state's. */
UNIT_TEST(fsm_model_every_pair)
{
	struct fsm_result r;
	struct port p, want;
	char why[256], acts[384];
	int s, e;

	for (s = 0; s < _CALL_STATE_MAX; s++)
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			r = step(s, e);
			p = canonical(s);
			want = canonical(r.next);
			format_actions(acts, sizeof(acts), r.actions, r.n_actions);
			CHECK(model_apply(&p, e, &r, why, sizeof(why)) == 0 &&
			      model_compare(&p, &want, why, sizeof(why)) == 0,
			      "%s + %s -> %s [%s]: %s", call_state_to_string(s),
			      call_event_to_string(e), call_state_to_string(r.next),
			      acts, why);
		}
}

UNIT_TEST(fsm_leaving_ringing_stops_ring)
{
	int e;

	for (e = 0; e < _CALL_EVENT_MAX; e++) {
		struct fsm_result r = step(CALL_STATE_RINGING, e);

		if (r.next != CALL_STATE_RINGING)
			CHECK(has(&r, CALL_ACTION_RING_STOP), "ringing + %s: no ring-stop",
			      call_event_to_string(e));
		else
			CHECK(!has(&r, CALL_ACTION_RING_STOP), "ringing + %s: ring-stop, staying",
			      call_event_to_string(e));
	}
}

UNIT_TEST(fsm_leaving_media_stops_media)
{
	static const enum call_state media_states[] = { S(INCALL), S(EARLY) };
	unsigned i;
	int e;

	for (i = 0; i < ARRAY_SIZE(media_states); i++)
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			enum call_state s = media_states[i];
			struct fsm_result r = step(s, e);

			if (r.next != s)
				CHECK(has(&r, CALL_ACTION_MEDIA_STOP), "%s + %s: no media-stop",
				      call_state_to_string(s), call_event_to_string(e));
		}
}

UNIT_TEST(fsm_into_idle_from_offhook_is_quiet)
{
	int s, e;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct port p = canonical(s);

		if (!offhook_state(s))
			continue;
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			struct fsm_result r = step(s, e);
			const char *sn = call_state_to_string(s);
			const char *en = call_event_to_string(e);

			if (r.next != CALL_STATE_IDLE)
				continue;
			CHECK(p.tone == TONE_NONE || has(&r, CALL_ACTION_TONE_STOP),
			      "%s + %s -> idle: tone left playing", sn, en);
			CHECK((p.timer == TIMER_NONE && !p.digit_map &&
			       !p.warm_line) ||
			      has(&r, CALL_ACTION_TIMERS_STOP),
			      "%s + %s -> idle: timer left armed", sn, en);
			CHECK(p.media == MEDIA_NONE || has(&r, CALL_ACTION_MEDIA_STOP),
			      "%s + %s -> idle: media left running", sn, en);
			CHECK(!p.open_loop || has(&r, CALL_ACTION_LINE_NORMAL),
			      "%s + %s -> idle: loop left open", sn, en);
			CHECK(has(&r, CALL_ACTION_CALL_CLEAR), "%s + %s -> idle: call kept", sn, en);
			/* Start nothing on the way to idle. */
			CHECK(!has(&r, CALL_ACTION_TONE_DIAL) && !has(&r, CALL_ACTION_TONE_REORDER) &&
			      !has(&r, CALL_ACTION_TIMER_TONE_START) && !has(&r, CALL_ACTION_MEDIA_START),
			      "%s + %s -> idle: starts something", sn, en);
		}
	}
}

UNIT_TEST(fsm_onhook_from_every_offhook_state_reaches_idle)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, CALL_EVENT_ONHOOK);

		if (offhook_state(s))
			CHECK(!r.ignored && r.next == CALL_STATE_IDLE, "%s + onhook -> %s",
			      call_state_to_string(s), call_state_to_string(r.next));
		else
			CHECK(r.ignored, "%s + onhook not ignored", call_state_to_string(s));
	}
}

UNIT_TEST(fsm_no_incall_without_media_start)
{
	int s, e;

	for (s = 0; s < _CALL_STATE_MAX; s++)
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			struct fsm_result r = step(s, e);

			if (s == CALL_STATE_INCALL || r.next != CALL_STATE_INCALL)
				continue;
			CHECK(has(&r, CALL_ACTION_MEDIA_START), "%s + %s -> in-call: no media-start",
			      call_state_to_string(s), call_event_to_string(e));
			/* ...and nothing stops it again on the way in. */
			CHECK(find(&r, CALL_ACTION_MEDIA_STOP) < find(&r, CALL_ACTION_MEDIA_START),
			      "%s + %s: media-stop after media-start",
			      call_state_to_string(s), call_event_to_string(e));
			CHECK(r.actions[r.n_actions - 1] == CALL_ACTION_MEDIA_START,
			      "%s + %s: media-start is not last",
			      call_state_to_string(s), call_event_to_string(e));
		}
}

UNIT_TEST(fsm_invite_when_not_idle_is_486)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, CALL_EVENT_INVITE);

		if (s == CALL_STATE_IDLE)
			continue;
		CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
		      r.actions[0] == CALL_ACTION_SIP_REJECT_486,
		      "%s + invite: not a plain 486", call_state_to_string(s));
	}
}

/* An INVITE whose offer we cannot answer never rings: 488, nothing else,
 * in every state. */
UNIT_TEST(fsm_invite_unusable_is_488)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, CALL_EVENT_INVITE_UNUSABLE);

		CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
		      r.actions[0] == CALL_ACTION_SIP_REJECT_488,
		      "%s + invite-unusable: not a plain 488",
		      call_state_to_string(s));
	}
}

/* An offer in the dialog is answered in a call, refused elsewhere; it
 * never changes the state. */
UNIT_TEST(fsm_offer_answered_in_call_only)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, CALL_EVENT_OFFER);
		enum call_action want = s == CALL_STATE_INCALL ?
					CALL_ACTION_SIP_ANSWER_OFFER :
					CALL_ACTION_SIP_REJECT_OFFER;

		CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
		      r.actions[0] == want, "%s + offer: not %s",
		      call_state_to_string(s), call_action_to_string(want));
	}
}

/* A fax heard offers T.38 in a call only; its answer switches a call to
 * T.38, a refusal changes nothing (pass-through goes on); elsewhere all
 * three are ignored. */
UNIT_TEST(fsm_fax_t38_in_call_only)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result f = step(s, CALL_EVENT_FAX_DETECTED);
		struct fsm_result a = step(s, CALL_EVENT_T38_ACCEPTED);
		struct fsm_result r = step(s, CALL_EVENT_T38_REFUSED);
		const char *sn = call_state_to_string(s);

		CHECK(r.ignored && r.next == s, "%s + t38-refused acts", sn);
		if (s == CALL_STATE_INCALL) {
			CHECK(!f.ignored && f.next == s && f.n_actions == 1 &&
			      f.actions[0] == CALL_ACTION_SIP_OFFER_T38,
			      "%s + fax-detected: no T.38 offer", sn);
			CHECK(!a.ignored && a.next == s && a.n_actions == 1 &&
			      a.actions[0] == CALL_ACTION_MEDIA_T38_START,
			      "%s + t38-accepted: no switch", sn);
		} else {
			CHECK(f.ignored && a.ignored, "%s: a fax event acts", sn);
		}
	}
}

/* A T.38 offer (fax = t38) likewise: the T.38 answer in a call, 488
 * elsewhere, the state unchanged. */
UNIT_TEST(fsm_offer_t38_answered_in_call_only)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, CALL_EVENT_OFFER_T38);
		enum call_action want = s == CALL_STATE_INCALL ?
					CALL_ACTION_SIP_ANSWER_T38 :
					CALL_ACTION_SIP_REJECT_OFFER;

		CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
		      r.actions[0] == want, "%s + offer-t38: not %s",
		      call_state_to_string(s), call_action_to_string(want));
	}
}

UNIT_TEST(fsm_offhook_when_offhook_is_ignored)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++)
		if (offhook_state(s))
			CHECK(step(s, CALL_EVENT_OFFHOOK).ignored, "%s + offhook acts",
			      call_state_to_string(s));
}

UNIT_TEST(fsm_onhook_states_ignore_the_phone)
{
	static const enum call_event phone[] = { E(ONHOOK), E(FLASH), E(DIGIT) };
	static const enum call_state onhook[] = { S(IDLE), S(RINGING) };
	unsigned i, j;

	for (i = 0; i < ARRAY_SIZE(onhook); i++)
		for (j = 0; j < ARRAY_SIZE(phone); j++)
			CHECK(step(onhook[i], phone[j]).ignored, "%s + %s acts",
			      call_state_to_string(onhook[i]), call_event_to_string(phone[j]));
}

UNIT_TEST(fsm_stray_success_is_killed_everywhere)
{
	int s;

	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, CALL_EVENT_SUCCESS_STRAY);

		CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
		      r.actions[0] == CALL_ACTION_SIP_BYE_STRAY,
		      "%s + success-stray: not a plain sip-bye-stray", call_state_to_string(s));
	}
}

/* A timer event acts only in the states that keep that timer armed. */
UNIT_TEST(fsm_timers_act_only_where_armed)
{
	static const struct {
		enum call_event e;
		enum timer t;
	} timers[] = {
		{ E(TIMER_FIRST_DIGIT), TIMER_FIRST_DIGIT },
		{ E(TIMER_NO_ANSWER), TIMER_NO_ANSWER },
		{ E(TIMER_TONE), TIMER_TONE },
		{ E(TIMER_HOWLER), TIMER_HOWLER },
	};
	unsigned i;
	int s;

	for (i = 0; i < ARRAY_SIZE(timers); i++)
		for (s = 0; s < _CALL_STATE_MAX; s++) {
			bool armed = canonical(s).timer == timers[i].t;
			struct fsm_result r = step(s, timers[i].e);

			CHECK(r.ignored != armed, "%s + %s: %s",
			      call_state_to_string(s), call_event_to_string(timers[i].e),
			      armed ? "ignored" : "acts on a stale timer");
			if (armed)
				CHECK(r.next != s, "%s + %s: stays", call_state_to_string(s),
				      call_event_to_string(timers[i].e));
		}
}

/* No dead ends: every state is reachable from idle, and idle from it. */
UNIT_TEST(fsm_reachability)
{
	bool from_idle[_CALL_STATE_MAX] = { [CALL_STATE_IDLE] = true };
	bool to_idle[_CALL_STATE_MAX] = { [CALL_STATE_IDLE] = true };
	bool changed = true;
	int s, e;

	while (changed) {
		changed = false;
		for (s = 0; s < _CALL_STATE_MAX; s++)
			for (e = 0; e < _CALL_EVENT_MAX; e++) {
				struct fsm_result r = step(s, e);

				if (from_idle[s] && !from_idle[r.next])
					from_idle[r.next] = changed = true;
				if (to_idle[r.next] && !to_idle[s])
					to_idle[s] = changed = true;
			}
	}
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		CHECK(from_idle[s], "%s unreachable from idle", call_state_to_string(s));
		CHECK(to_idle[s], "idle unreachable from %s", call_state_to_string(s));
	}
}

/* Every action is produced somewhere: the enum has no dead entries. */
UNIT_TEST(fsm_every_action_used)
{
	bool used[_CALL_ACTION_MAX] = { false };
	unsigned i;
	int s, e, a;

	for (s = 0; s < _CALL_STATE_MAX; s++)
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			struct fsm_result r = step(s, e);

			for (i = 0; i < r.n_actions; i++)
				used[r.actions[i]] = true;
		}
	for (a = 0; a < _CALL_ACTION_MAX; a++)
		CHECK(used[a], "%s is never produced", call_action_to_string(a));
}

/* ---- the rules, one by one -------------------------------------------- */

UNIT_TEST(fsm_rule_invite_in_idle_rings)
{
	EXPECT(IDLE, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180), A(TIMER_RING_HOLDOFF_START),
	     A(TIMER_FORWARD_START));
}

UNIT_TEST(fsm_rule_offhook_in_ringing_answers)
{
	/* Event action, RINGING's exit, INCALL's entry. */
	EXPECT(RINGING, OFFHOOK, INCALL, A(SIP_ANSWER_200), A(RING_STOP), A(TIMERS_STOP),
	     A(MEDIA_START));
}

UNIT_TEST(fsm_rule_cancel_in_ringing)
{
	EXPECT(RINGING, CANCEL, IDLE, A(SIP_REPLY_487), A(RING_STOP), A(TIMERS_STOP),
	     A(CALL_CLEAR));
}

UNIT_TEST(fsm_rule_bye_in_ringing)
{
	EXPECT(RINGING, BYE, IDLE, A(SIP_REPLY_BYE_200), A(SIP_REPLY_487), A(RING_STOP),
	       A(TIMERS_STOP), A(CALL_CLEAR));
}

UNIT_TEST(fsm_rule_timeout_in_ringing)
{
	EXPECT(RINGING, SIP_TIMEOUT, IDLE, A(RING_STOP), A(TIMERS_STOP),
	       A(CALL_CLEAR));
}

UNIT_TEST(fsm_rule_onhook_in_ringing_ignored)
{
	EXPECT_IGNORED(RINGING, ONHOOK);
}

UNIT_TEST(fsm_rule_bye_in_incall_disconnects)
{
	EXPECT(INCALL, BYE, DISCONNECTED, A(SIP_REPLY_BYE_200), A(MEDIA_STOP), A(CALL_CLEAR),
	       A(LINE_OPEN_LOOP), A(TONE_REORDER), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_timeout_in_incall_hangs_up)
{
	EXPECT(INCALL, SIP_TIMEOUT, DISCONNECTED, A(SIP_SEND_BYE), A(MEDIA_STOP),
	       A(CALL_CLEAR), A(LINE_OPEN_LOOP), A(TONE_REORDER), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_onhook_in_incall_sends_bye)
{
	EXPECT(INCALL, ONHOOK, IDLE, A(SIP_SEND_BYE), A(MEDIA_STOP), A(CALL_CLEAR));
}

UNIT_TEST(fsm_rule_incall_digit_flash_ack)
{
	EXPECT(INCALL, DIGIT, INCALL, A(DIGIT_SEND));
	EXPECT_IGNORED(INCALL, FLASH);
	/* the ACK may bring the answer to the offer in our 200 */
	EXPECT(INCALL, ACK, INCALL, A(MEDIA_UPDATE));
	EXPECT_IGNORED(INCALL, CANCEL);
}

UNIT_TEST(fsm_rule_offhook_in_idle_dial_tone)
{
	EXPECT(IDLE, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL),
	       A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
}

UNIT_TEST(fsm_rule_first_digit_stops_dial_tone)
{
	EXPECT(DIALTONE, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
}

UNIT_TEST(fsm_rule_more_digits)
{
	EXPECT(DIALING, DIGIT, DIALING, A(DIGIT_ADD));
}

UNIT_TEST(fsm_rule_dial_complete_sends_invite)
{
	EXPECT(DIALING, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	       A(TIMER_NO_ANSWER_START));
}

UNIT_TEST(fsm_rule_hot_line)
{
	EXPECT(DIALTONE, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TONE_STOP),
	       A(TIMERS_STOP), A(TIMER_NO_ANSWER_START));
}

UNIT_TEST(fsm_rule_hotline_dials_at_once)
{
	/* No dial tone: straight from idle to the INVITE. */
	EXPECT(IDLE, OFFHOOK_HOTLINE, TRYING, A(NUMBER_PRESET), A(SIP_SEND_INVITE),
	       A(TIMER_NO_ANSWER_START));
	/* Lifting a ringing phone answers it, hotline or not. */
	EXPECT(RINGING, OFFHOOK_HOTLINE, INCALL, A(SIP_ANSWER_200), A(RING_STOP),
	       A(TIMERS_STOP), A(MEDIA_START));
	EXPECT_IGNORED(DIALTONE, OFFHOOK_HOTLINE);
	EXPECT_IGNORED(INCALL, OFFHOOK_HOTLINE);
}

UNIT_TEST(fsm_rule_warm_line_after_its_timer)
{
	EXPECT(DIALTONE, TIMER_WARM_LINE, TRYING, A(NUMBER_PRESET), A(SIP_SEND_INVITE),
	       A(TONE_STOP), A(TIMERS_STOP), A(TIMER_NO_ANSWER_START));
	/* a digit in time stops it (dial tone's exit), a late one is stale */
	EXPECT(DIALTONE, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	EXPECT_IGNORED(DIALING, TIMER_WARM_LINE);
	EXPECT_IGNORED(IDLE, TIMER_WARM_LINE);
	EXPECT_IGNORED(CONFIRM, TIMER_WARM_LINE);
}

UNIT_TEST(fsm_rule_star_code_confirms_then_dial_tone)
{
	EXPECT(DIALING, DIAL_CODE, CONFIRM, A(STAR_CODE), A(TIMERS_STOP),
	       A(DIGITS_CLEAR), A(TONE_CONFIRM), A(TIMER_CONFIRM_START));
	EXPECT(CONFIRM, TIMER_TONE, DIALTONE, A(TONE_STOP), A(TIMERS_STOP),
	       A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START),
	       A(TIMER_WARM_LINE_START));
	/* hanging up finishes; dialling on begins the number */
	EXPECT(CONFIRM, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(CONFIRM, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	EXPECT(CONFIRM, INVITE, CONFIRM, A(SIP_REJECT_486));
	EXPECT_IGNORED(DIALTONE, DIAL_CODE);
	EXPECT_IGNORED(INCALL, DIAL_CODE);
	EXPECT_IGNORED(TRYING, DIAL_CODE);
}

UNIT_TEST(fsm_walk_star_code_then_call)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL),
	     A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIGIT, DIALING, A(DIGIT_ADD));
	WALK(w, DIGIT, DIALING, A(DIGIT_ADD));
	WALK(w, DIAL_CODE, CONFIRM, A(STAR_CODE), A(TIMERS_STOP),
	     A(DIGITS_CLEAR), A(TONE_CONFIRM), A(TIMER_CONFIRM_START));
	WALK(w, TIMER_TONE, DIALTONE, A(TONE_STOP), A(TIMERS_STOP),
	     A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START),
	     A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	     A(TIMER_NO_ANSWER_START));
}

UNIT_TEST(fsm_rule_dial_invalid_reorder)
{
	EXPECT(DIALING, DIAL_INVALID, REORDER, A(TIMERS_STOP), A(CALL_CLEAR),
	       A(TONE_REORDER), A(TIMER_TONE_START));
	EXPECT(DIALTONE, DIAL_INVALID, REORDER, A(TONE_STOP), A(TIMERS_STOP),
	       A(CALL_CLEAR), A(TONE_REORDER), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_first_digit_timeout_reorder)
{
	EXPECT(DIALTONE, TIMER_FIRST_DIGIT, REORDER, A(TONE_STOP), A(TIMERS_STOP),
	       A(CALL_CLEAR), A(TONE_REORDER), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_flash_recalls_dial_tone)
{
	EXPECT(DIALING, FLASH, DIALTONE, A(TIMERS_STOP), A(DIGITS_CLEAR), A(TONE_DIAL),
	       A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	EXPECT(BUSY, FLASH, DIALTONE, A(TONE_STOP), A(TIMERS_STOP), A(DIGITS_CLEAR),
	       A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	EXPECT(DISCONNECTED, FLASH, DIALTONE, A(TONE_STOP), A(TIMERS_STOP), A(LINE_NORMAL),
	       A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	EXPECT(PARKED, FLASH, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL),
	       A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	EXPECT_IGNORED(DIALTONE, FLASH);
	EXPECT_IGNORED(TRYING, FLASH);
	EXPECT_IGNORED(RINGBACK, FLASH);
	EXPECT_IGNORED(EARLY, FLASH);
}

UNIT_TEST(fsm_rule_provisional_ringing_ringback)
{
	EXPECT(TRYING, PROVISIONAL_RINGING, RINGBACK, A(TONE_RINGBACK));
	EXPECT_IGNORED(RINGBACK, PROVISIONAL_RINGING);
	EXPECT_IGNORED(EARLY, PROVISIONAL_RINGING);
}

UNIT_TEST(fsm_rule_provisional_early_media)
{
	EXPECT(TRYING, PROVISIONAL_EARLY, EARLY, A(MEDIA_EARLY_START));
	EXPECT(RINGBACK, PROVISIONAL_EARLY, EARLY, A(TONE_STOP), A(MEDIA_EARLY_START));
	/* A newer 183: re-target, without leaving EARLY. */
	EXPECT(EARLY, PROVISIONAL_EARLY, EARLY, A(MEDIA_EARLY_START));
}

UNIT_TEST(fsm_rule_success_answers)
{
	EXPECT(TRYING, SUCCESS, INCALL, A(TIMERS_STOP), A(MEDIA_START));
	EXPECT(RINGBACK, SUCCESS, INCALL, A(TIMERS_STOP), A(TONE_STOP), A(MEDIA_START));
	EXPECT(EARLY, SUCCESS, INCALL, A(TIMERS_STOP), A(MEDIA_STOP), A(MEDIA_START));
}

UNIT_TEST(fsm_rule_fail_busy)
{
	EXPECT(TRYING, FAIL_BUSY, BUSY, A(TIMERS_STOP), A(CALL_CLEAR), A(TONE_BUSY),
	       A(TIMER_TONE_START));
	EXPECT(RINGBACK, FAIL_BUSY, BUSY, A(TIMERS_STOP), A(TONE_STOP), A(CALL_CLEAR),
	       A(TONE_BUSY), A(TIMER_TONE_START));
	EXPECT(EARLY, FAIL_BUSY, BUSY, A(TIMERS_STOP), A(MEDIA_STOP), A(CALL_CLEAR),
	       A(TONE_BUSY), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_failures_reorder)
{
	EXPECT(TRYING, FAIL_OTHER, REORDER, A(TIMERS_STOP), A(CALL_CLEAR),
	       A(TONE_REORDER), A(TIMER_TONE_START));
	EXPECT(TRYING, SIP_TIMEOUT, REORDER, A(TIMERS_STOP), A(CALL_CLEAR),
	       A(TONE_REORDER), A(TIMER_TONE_START));
	EXPECT(RINGBACK, FAIL_OTHER, REORDER, A(TIMERS_STOP), A(TONE_STOP), A(CALL_CLEAR),
	       A(TONE_REORDER), A(TIMER_TONE_START));
	EXPECT(EARLY, SIP_TIMEOUT, REORDER, A(TIMERS_STOP), A(MEDIA_STOP), A(CALL_CLEAR),
	       A(TONE_REORDER), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_no_answer_cancels)
{
	EXPECT(TRYING, TIMER_NO_ANSWER, REORDER, A(SIP_SEND_CANCEL), A(TIMERS_STOP),
	       A(CALL_CLEAR), A(TONE_REORDER), A(TIMER_TONE_START));
	EXPECT(RINGBACK, TIMER_NO_ANSWER, REORDER, A(SIP_SEND_CANCEL), A(TIMERS_STOP),
	       A(TONE_STOP), A(CALL_CLEAR), A(TONE_REORDER), A(TIMER_TONE_START));
	EXPECT(EARLY, TIMER_NO_ANSWER, REORDER, A(SIP_SEND_CANCEL), A(TIMERS_STOP),
	       A(MEDIA_STOP), A(CALL_CLEAR), A(TONE_REORDER), A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_bye_from_callee_in_early_dialog)
{
	EXPECT(RINGBACK, BYE, REORDER, A(SIP_REPLY_BYE_200), A(SIP_SEND_CANCEL),
	       A(TIMERS_STOP), A(TONE_STOP), A(CALL_CLEAR), A(TONE_REORDER),
	       A(TIMER_TONE_START));
}

UNIT_TEST(fsm_rule_onhook_while_calling_cancels)
{
	EXPECT(TRYING, ONHOOK, IDLE, A(SIP_SEND_CANCEL), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(RINGBACK, ONHOOK, IDLE, A(SIP_SEND_CANCEL), A(TIMERS_STOP), A(TONE_STOP),
	       A(CALL_CLEAR));
	EXPECT(EARLY, ONHOOK, IDLE, A(SIP_SEND_CANCEL), A(TIMERS_STOP), A(MEDIA_STOP),
	       A(CALL_CLEAR));
}

UNIT_TEST(fsm_rule_onhook_everywhere_else)
{
	EXPECT(DIALTONE, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(DIALING, ONHOOK, IDLE, A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(BUSY, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(REORDER, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(HOWLER, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(DISCONNECTED, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(LINE_NORMAL),
	       A(CALL_CLEAR));
	EXPECT(PARKED, ONHOOK, IDLE, A(CALL_CLEAR));
}

UNIT_TEST(fsm_rule_tone_timeout_howler)
{
	EXPECT(BUSY, TIMER_TONE, HOWLER, A(TONE_STOP), A(TIMERS_STOP), A(TONE_HOWLER),
	       A(TIMER_HOWLER_START));
	EXPECT(REORDER, TIMER_TONE, HOWLER, A(TONE_STOP), A(TIMERS_STOP), A(TONE_HOWLER),
	       A(TIMER_HOWLER_START));
	EXPECT(DISCONNECTED, TIMER_TONE, HOWLER, A(TONE_STOP), A(TIMERS_STOP),
	       A(LINE_NORMAL), A(TONE_HOWLER), A(TIMER_HOWLER_START));
}

UNIT_TEST(fsm_rule_howler_timeout_parks)
{
	EXPECT(HOWLER, TIMER_HOWLER, PARKED, A(TONE_STOP), A(TIMERS_STOP));
	EXPECT_IGNORED(PARKED, TIMER_HOWLER);
	EXPECT_IGNORED(PARKED, DIGIT);
}

UNIT_TEST(fsm_rule_invite_while_busy_486)
{
	EXPECT(INCALL, INVITE, INCALL, A(SIP_REJECT_486));
	EXPECT(RINGING, INVITE, RINGING, A(SIP_REJECT_486));
	EXPECT(DIALTONE, INVITE, DIALTONE, A(SIP_REJECT_486));
	EXPECT(HOWLER, INVITE, HOWLER, A(SIP_REJECT_486));
}

UNIT_TEST(fsm_rule_offhook_while_offhook_ignored)
{
	EXPECT_IGNORED(DIALTONE, OFFHOOK);
	EXPECT_IGNORED(INCALL, OFFHOOK);
	EXPECT_IGNORED(DISCONNECTED, OFFHOOK);
}

UNIT_TEST(fsm_rule_stale_sip)
{
	/* A 2xx nobody wants: ACKed by the SIP layer, then BYE. */
	EXPECT(IDLE, SUCCESS, IDLE, A(SIP_BYE_STRAY));
	EXPECT(RINGING, SUCCESS, RINGING, A(SIP_BYE_STRAY));
	EXPECT(BUSY, SUCCESS, BUSY, A(SIP_BYE_STRAY));
	EXPECT(INCALL, SUCCESS_STRAY, INCALL, A(SIP_BYE_STRAY));
	EXPECT(TRYING, SUCCESS_STRAY, TRYING, A(SIP_BYE_STRAY));
	/* Never BYE our own call over a 2xx retransmission. */
	EXPECT_IGNORED(INCALL, SUCCESS);
	EXPECT_IGNORED(IDLE, FAIL_OTHER);	/* the 487 after our CANCEL */
	EXPECT_IGNORED(IDLE, FAIL_BUSY);
	EXPECT_IGNORED(IDLE, PROVISIONAL_RINGING);
	EXPECT_IGNORED(IDLE, BYE);
	EXPECT_IGNORED(IDLE, CANCEL);
	EXPECT_IGNORED(IDLE, ACK);
	EXPECT_IGNORED(IDLE, SIP_TIMEOUT);
	EXPECT_IGNORED(INCALL, FAIL_OTHER);
	EXPECT_IGNORED(INCALL, PROVISIONAL_EARLY);
	EXPECT_IGNORED(DISCONNECTED, BYE);
	EXPECT_IGNORED(REORDER, SIP_TIMEOUT);
}

UNIT_TEST(fsm_rule_stale_timers_and_dial_plan)
{
	EXPECT_IGNORED(IDLE, TIMER_TONE);
	EXPECT_IGNORED(DIALING, TIMER_FIRST_DIGIT);
	EXPECT_IGNORED(INCALL, TIMER_NO_ANSWER);
	EXPECT_IGNORED(HOWLER, TIMER_TONE);
	EXPECT_IGNORED(TRYING, DIAL_COMPLETE);
	EXPECT_IGNORED(REORDER, DIAL_INVALID);
}

UNIT_TEST(fsm_self_transition_runs_only_event_actions)
{
	struct fsm_result r = step(CALL_STATE_DIALING, CALL_EVENT_DIGIT);

	/* DIALING's entry (digit-add) and exit (timers-stop) must not run. */
	CHECK_INT(r.n_actions, 1);
	CHECK_INT(r.actions[0], CALL_ACTION_DIGIT_ADD);
	r = step(CALL_STATE_BUSY, CALL_EVENT_INVITE);
	CHECK(!has(&r, CALL_ACTION_TONE_STOP) && !has(&r, CALL_ACTION_TONE_BUSY),
	      "busy + invite re-ran busy's exit or entry");
}

/* ---- walk-throughs ---------------------------------------------------- */

UNIT_TEST(fsm_walk_incoming_call)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180), A(TIMER_RING_HOLDOFF_START),
	     A(TIMER_FORWARD_START));
	WALK(w, INVITE, RINGING, A(SIP_REJECT_486));	/* a second caller */
	WALK_IGNORED(w, TIMER_TONE);
	WALK(w, OFFHOOK, INCALL, A(SIP_ANSWER_200), A(RING_STOP), A(TIMERS_STOP),
	     A(MEDIA_START));
	WALK(w, ACK, INCALL, A(MEDIA_UPDATE));
	WALK(w, OFFER, INCALL, A(SIP_ANSWER_OFFER));	/* hold, resume */
	WALK(w, OFFER_T38, INCALL, A(SIP_ANSWER_T38));	/* a fax */
	WALK(w, FAX_DETECTED, INCALL, A(SIP_OFFER_T38));
	WALK(w, T38_ACCEPTED, INCALL, A(MEDIA_T38_START));
	WALK_IGNORED(w, T38_REFUSED);
	WALK(w, INVITE_UNUSABLE, INCALL, A(SIP_REJECT_488));
	WALK(w, DIGIT, INCALL, A(DIGIT_SEND));
	WALK_IGNORED(w, FLASH);
	WALK(w, BYE, DISCONNECTED, A(SIP_REPLY_BYE_200), A(MEDIA_STOP), A(CALL_CLEAR),
	     A(LINE_OPEN_LOOP), A(TONE_REORDER), A(TIMER_TONE_START));
	WALK_IGNORED(w, OFFHOOK);	/* loop feed back after the pulse */
	WALK(w, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(LINE_NORMAL), A(CALL_CLEAR));
}

UNIT_TEST(fsm_walk_incoming_call_left_off_hook)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180), A(TIMER_RING_HOLDOFF_START),
	     A(TIMER_FORWARD_START));
	WALK(w, OFFHOOK, INCALL, A(SIP_ANSWER_200), A(RING_STOP), A(TIMERS_STOP),
	     A(MEDIA_START));
	WALK(w, BYE, DISCONNECTED, A(SIP_REPLY_BYE_200), A(MEDIA_STOP), A(CALL_CLEAR),
	     A(LINE_OPEN_LOOP), A(TONE_REORDER), A(TIMER_TONE_START));
	WALK(w, TIMER_TONE, HOWLER, A(TONE_STOP), A(TIMERS_STOP), A(LINE_NORMAL),
	     A(TONE_HOWLER), A(TIMER_HOWLER_START));
	WALK(w, INVITE, HOWLER, A(SIP_REJECT_486));
	WALK(w, TIMER_HOWLER, PARKED, A(TONE_STOP), A(TIMERS_STOP));
	WALK_IGNORED(w, DIGIT);
	WALK(w, ONHOOK, IDLE, A(CALL_CLEAR));
	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
}

UNIT_TEST(fsm_walk_outgoing_call)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIGIT, DIALING, A(DIGIT_ADD));
	WALK(w, DIGIT, DIALING, A(DIGIT_ADD));
	WALK_IGNORED(w, TIMER_FIRST_DIGIT);	/* fired as the digit came */
	WALK(w, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	     A(TIMER_NO_ANSWER_START));
	WALK_IGNORED(w, DIGIT);
	WALK(w, PROVISIONAL_RINGING, RINGBACK, A(TONE_RINGBACK));
	WALK_IGNORED(w, PROVISIONAL_RINGING);
	WALK(w, PROVISIONAL_EARLY, EARLY, A(TONE_STOP), A(MEDIA_EARLY_START));
	WALK(w, SUCCESS, INCALL, A(TIMERS_STOP), A(MEDIA_STOP), A(MEDIA_START));
	WALK(w, SUCCESS_STRAY, INCALL, A(SIP_BYE_STRAY));	/* another fork */
	WALK_IGNORED(w, SUCCESS);				/* retransmission */
	WALK_IGNORED(w, TIMER_NO_ANSWER);
	WALK(w, ONHOOK, IDLE, A(SIP_SEND_BYE), A(MEDIA_STOP), A(CALL_CLEAR));
	WALK_IGNORED(w, SIP_TIMEOUT);	/* our BYE got no answer */
}

UNIT_TEST(fsm_walk_busy)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	     A(TIMER_NO_ANSWER_START));
	WALK(w, FAIL_BUSY, BUSY, A(TIMERS_STOP), A(CALL_CLEAR), A(TONE_BUSY),
	     A(TIMER_TONE_START));
	WALK_IGNORED(w, DIGIT);
	WALK(w, TIMER_TONE, HOWLER, A(TONE_STOP), A(TIMERS_STOP), A(TONE_HOWLER),
	     A(TIMER_HOWLER_START));
	WALK(w, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
}

UNIT_TEST(fsm_walk_busy_then_redial_with_flash)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	     A(TIMER_NO_ANSWER_START));
	WALK(w, PROVISIONAL_RINGING, RINGBACK, A(TONE_RINGBACK));
	WALK(w, FAIL_BUSY, BUSY, A(TIMERS_STOP), A(TONE_STOP), A(CALL_CLEAR), A(TONE_BUSY),
	     A(TIMER_TONE_START));
	WALK(w, FLASH, DIALTONE, A(TONE_STOP), A(TIMERS_STOP), A(DIGITS_CLEAR), A(TONE_DIAL),
	     A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIAL_INVALID, REORDER, A(TIMERS_STOP), A(CALL_CLEAR), A(TONE_REORDER),
	     A(TIMER_TONE_START));
	WALK(w, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
}

UNIT_TEST(fsm_walk_caller_cancels)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180), A(TIMER_RING_HOLDOFF_START),
	     A(TIMER_FORWARD_START));
	WALK_IGNORED(w, ONHOOK);
	WALK(w, CANCEL, IDLE, A(SIP_REPLY_487), A(RING_STOP), A(TIMERS_STOP),
	     A(CALL_CLEAR));
	WALK_IGNORED(w, ACK);	/* the ACK of the 487 is the SIP layer's */
	WALK_IGNORED(w, CANCEL);	/* retransmitted CANCEL */
	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180), A(TIMER_RING_HOLDOFF_START),
	     A(TIMER_FORWARD_START));
	WALK(w, OFFHOOK, INCALL, A(SIP_ANSWER_200), A(RING_STOP), A(TIMERS_STOP),
	     A(MEDIA_START));
	WALK(w, ONHOOK, IDLE, A(SIP_SEND_BYE), A(MEDIA_STOP), A(CALL_CLEAR));
}

UNIT_TEST(fsm_walk_we_cancel_and_a_late_2xx_arrives)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	     A(TIMER_NO_ANSWER_START));
	WALK(w, PROVISIONAL_RINGING, RINGBACK, A(TONE_RINGBACK));
	WALK(w, ONHOOK, IDLE, A(SIP_SEND_CANCEL), A(TIMERS_STOP), A(TONE_STOP),
	     A(CALL_CLEAR));
	/* The 200 crossed our CANCEL: kill the dialog it made. */
	WALK(w, SUCCESS, IDLE, A(SIP_BYE_STRAY));
	WALK_IGNORED(w, FAIL_OTHER);
	WALK_IGNORED(w, TIMER_NO_ANSWER);
	/* Picked up again; a 2xx of the abandoned INVITE still races in. */
	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, SUCCESS_STRAY, DIALTONE, A(SIP_BYE_STRAY));
	WALK(w, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
}

UNIT_TEST(fsm_walk_no_answer)
{
	struct walk w = walk_at(S(IDLE));

	WALK(w, OFFHOOK, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, DIGIT, DIALING, A(TONE_STOP), A(TIMERS_STOP), A(DIGIT_ADD));
	WALK(w, DIAL_COMPLETE, TRYING, A(SIP_SEND_INVITE), A(TIMERS_STOP),
	     A(TIMER_NO_ANSWER_START));
	WALK(w, PROVISIONAL_EARLY, EARLY, A(MEDIA_EARLY_START));
	WALK_IGNORED(w, PROVISIONAL_RINGING);
	WALK(w, TIMER_NO_ANSWER, REORDER, A(SIP_SEND_CANCEL), A(TIMERS_STOP), A(MEDIA_STOP),
	     A(CALL_CLEAR), A(TONE_REORDER), A(TIMER_TONE_START));
	WALK_IGNORED(w, FAIL_OTHER);	/* the 487 */
	WALK(w, TIMER_TONE, HOWLER, A(TONE_STOP), A(TIMERS_STOP), A(TONE_HOWLER),
	     A(TIMER_HOWLER_START));
	WALK(w, TIMER_HOWLER, PARKED, A(TONE_STOP), A(TIMERS_STOP));
	WALK(w, FLASH, DIALTONE, A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	WALK(w, TIMER_FIRST_DIGIT, REORDER, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR),
	     A(TONE_REORDER), A(TIMER_TONE_START));
	WALK(w, ONHOOK, IDLE, A(TONE_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
}

/* ---- the dump --------------------------------------------------------- */

static char *dump(bool dot, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	*ret = fsm_dump(f, dot);
	if (fclose(f) != 0)
		abort();
	return buf;
}

UNIT_TEST(fsm_dump_text)
{
	char needle[128];
	char *text;
	int k, s, e;

	text = dump(false, &k);
	CHECK_INT(k, 0);
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		snprintf(needle, sizeof(needle), "\nstate %s\n", call_state_to_string(s));
		if (!strstr(text, needle)) {
			free(text);
			CHECK(0, "no \"%s\" section", call_state_to_string(s));
		}
	}
	for (e = 0; e < _CALL_EVENT_MAX; e++) {
		snprintf(needle, sizeof(needle), "\t%s", call_event_to_string(e));
		if (!strstr(text, needle)) {
			free(text);
			CHECK(0, "event %s missing", call_event_to_string(e));
		}
	}
	k = strstr(text, "UNDEFINED") != NULL ||
	    !strstr(text, "\tinvite -> ringing: call-keep, sip-answer-180\n") ||
	    !strstr(text, "\tentry: call-clear, line-open-loop, tone-reorder, timer-tone-start\n") ||
	    !strstr(text, "\tonhook: ignored (the phone is on-hook)\n");
	free(text);
	CHECK(!k, "text dump lacks an expected line or has an undefined pair");
}

UNIT_TEST(fsm_dump_dot)
{
	bool edge[_CALL_STATE_MAX][_CALL_STATE_MAX] = { { false } };
	char needle[128];
	char *dot, *p, *line;
	int k, depth = 0, min_depth = 0, quotes = 0, s, e, n_edges = 0, arrows = 0;
	bool bad_line = false, missing = false;

	for (s = 0; s < _CALL_STATE_MAX; s++)
		for (e = 0; e < _CALL_EVENT_MAX; e++) {
			struct fsm_result r = step(s, e);

			if (!r.ignored && !edge[s][r.next]) {
				edge[s][r.next] = true;
				n_edges++;
			}
		}

	dot = dump(true, &k);
	CHECK_INT(k, 0);
	for (p = dot; *p; p++) {
		if (*p == '"')
			quotes++;
		if (quotes % 2)
			continue;	/* inside a quoted string */
		if (*p == '{')
			depth++;
		if (*p == '}' && --depth < min_depth)
			min_depth = depth;
	}
	for (line = dot; line && *line; line = p ? p + 1 : NULL) {
		int q = 0;
		char *c;

		p = strchr(line, '\n');
		for (c = line; *c && c != p; c++)
			q += *c == '"';
		bad_line |= q % 2 != 0;
		if (strncmp(line, "\t\"", 2) == 0 && strstr(line, "\" -> \"") &&
		    (!p || strstr(line, "\" -> \"") < p))
			arrows++;
	}
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		const char *sn = call_state_to_string(s);
		int n;

		snprintf(needle, sizeof(needle), "\t\"%s\" [label=\"%s\\nentry: ", sn, sn);
		missing |= !strstr(dot, needle);
		for (n = 0; n < _CALL_STATE_MAX; n++) {
			snprintf(needle, sizeof(needle), "\t\"%s\" -> \"%s\" [label=\"", sn,
				 call_state_to_string(n));
			missing |= !!strstr(dot, needle) != edge[s][n];
		}
	}
	k = strncmp(dot, "digraph ", 8) == 0 && dot[strlen(dot) - 2] == '}';
	free(dot);
	CHECK(k, "not a digraph ending in '}'");
	CHECK(depth == 0 && min_depth == 0, "braces unbalanced (depth %d, min %d)", depth,
	      min_depth);
	CHECK(quotes % 2 == 0 && !bad_line, "unbalanced quotes");
	CHECK(!missing, "a node or edge is missing, or an edge is extra");
	CHECK_INT(arrows, n_edges);
}

UNIT_TEST(fsm_dump_errors)
{
	FILE *f;
	int k;

	CHECK_INT(fsm_dump(NULL, false), -EINVAL);
	CHECK_INT(fsm_dump(NULL, true), -EINVAL);
	f = fopen("/dev/full", "w");
	if (!f)
		return;	/* no /dev/full: nothing to test */
	setvbuf(f, NULL, _IONBF, 0);
	k = fsm_dump(f, false);
	fclose(f);
	CHECK_INT(k, -EIO);
}

/* ---- the port's services: which INVITE event, and what it does ------- */

/* fsm_invite_event() against the rule written out another way: every
 * combination of the six facts. */
UNIT_TEST(fsm_invite_event_guards)
{
	unsigned m;

	for (m = 0; m < 64; m++) {
		struct fsm_invite_facts f = {
			.usable = m & 1, .anonymous = m & 2,
			.anonymous_reject = m & 4, .dnd = m & 8,
			.forward_all = m & 16, .forward_busy = m & 32,
		};
		enum call_event want;

		if (f.anonymous && f.anonymous_reject)
			want = E(INVITE_ANONYMOUS);
		else if (f.forward_all)
			want = E(INVITE_FORWARD_ALL);
		else if (f.dnd)
			want = f.forward_busy ? E(INVITE_DND_FORWARD) : E(INVITE_DND);
		else if (!f.usable)
			want = E(INVITE_UNUSABLE);
		else
			want = f.forward_busy ? E(INVITE_FORWARDABLE) : E(INVITE);
		CHECK(fsm_invite_event(&f) == want, "facts %#x: %s, want %s", m,
		      call_event_to_string(fsm_invite_event(&f)),
		      call_event_to_string(want));
	}
	CHECK(fsm_invite_event(NULL) == E(INVITE), "NULL facts");
}

/* Anonymous, DND and forward-all INVITEs never ring, in any state: each
 * gets its one answer and nothing else happens. */
UNIT_TEST(fsm_services_never_ring)
{
	static const struct {
		enum call_event e;
		enum call_action a;
	} cases[] = {
		{ E(INVITE_ANONYMOUS), A(SIP_REJECT_433) },
		{ E(INVITE_FORWARD_ALL), A(SIP_FORWARD_ALL) },
		{ E(INVITE_DND), A(SIP_REJECT_486) },
		{ E(INVITE_DND_FORWARD), A(SIP_FORWARD_BUSY) },
	};
	unsigned i;
	int s;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (s = 0; s < _CALL_STATE_MAX; s++) {
			struct fsm_result r = step(s, cases[i].e);

			CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
			      r.actions[0] == cases[i].a, "%s + %s: want only %s",
			      call_state_to_string(s),
			      call_event_to_string(cases[i].e),
			      call_action_to_string(cases[i].a));
		}
}

/* Forwarded on busy: an idle phone rings as for any INVITE; everywhere
 * else, where INVITE gets 486, INVITE_FORWARDABLE gets the 302. */
UNIT_TEST(fsm_forward_busy_where_486)
{
	int s;

	EXPECT(IDLE, INVITE_FORWARDABLE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180),
	       A(TIMER_RING_HOLDOFF_START), A(TIMER_FORWARD_START));
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result plain = step(s, E(INVITE));
		struct fsm_result r = step(s, E(INVITE_FORWARDABLE));

		if (s == CALL_STATE_IDLE)
			continue;
		CHECK(has(&plain, A(SIP_REJECT_486)), "%s + invite: no 486",
		      call_state_to_string(s));
		CHECK(!r.ignored && r.next == s && r.n_actions == 1 &&
		      r.actions[0] == A(SIP_FORWARD_BUSY),
		      "%s + invite-forwardable: want only sip-forward-busy",
		      call_state_to_string(s));
	}
}

/* No answer: ringing arms the forward timer, which forwards the call and
 * stops the ring; it means nothing anywhere else. */
UNIT_TEST(fsm_forward_no_answer)
{
	struct walk w = walk_at(S(IDLE));
	int s;

	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180), A(TIMER_RING_HOLDOFF_START),
	     A(TIMER_FORWARD_START));
	WALK(w, TIMER_FORWARD, IDLE, A(SIP_FORWARD_NO_ANSWER), A(RING_STOP),
	     A(TIMERS_STOP), A(CALL_CLEAR));
	for (s = 0; s < _CALL_STATE_MAX; s++)
		if (s != CALL_STATE_RINGING)
			CHECK(step(s, E(TIMER_FORWARD)).ignored,
			      "%s + timer-forward acts", call_state_to_string(s));
}

/* Ghost calls: an INVITE rings only after the hold-off; one cancelled
 * within it never starts the ringer; answered within it, it is a call. */
UNIT_TEST(fsm_ring_holdoff)
{
	struct walk w = walk_at(S(IDLE));
	int s;

	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180),
	     A(TIMER_RING_HOLDOFF_START), A(TIMER_FORWARD_START));
	WALK(w, CANCEL, IDLE, A(SIP_REPLY_487), A(RING_STOP), A(TIMERS_STOP),
	     A(CALL_CLEAR));
	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180),
	     A(TIMER_RING_HOLDOFF_START), A(TIMER_FORWARD_START));
	WALK(w, TIMER_RING_HOLDOFF, RINGING, A(RING_START));
	WALK(w, CANCEL, IDLE, A(SIP_REPLY_487), A(RING_STOP), A(TIMERS_STOP),
	     A(CALL_CLEAR));
	WALK(w, INVITE, RINGING, A(CALL_KEEP), A(SIP_ANSWER_180),
	     A(TIMER_RING_HOLDOFF_START), A(TIMER_FORWARD_START));
	WALK(w, OFFHOOK, INCALL, A(SIP_ANSWER_200), A(RING_STOP),
	     A(TIMERS_STOP), A(MEDIA_START));
	for (s = 0; s < _CALL_STATE_MAX; s++) {
		struct fsm_result r = step(s, E(TIMER_RING_HOLDOFF));

		if (s == CALL_STATE_RINGING)
			CHECK(!r.ignored && r.next == s && has(&r, A(RING_START)),
			      "ringing + timer-ring-holdoff: no ring-start");
		else
			CHECK(r.ignored && !has(&r, A(RING_START)),
			      "%s + timer-ring-holdoff acts",
			      call_state_to_string(s));
	}
}

UNIT_TEST(fsm_dump_invite_guards)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL, "open_memstream");
	if (!f)
		return;
	CHECK_INT(fsm_dump(f, false), 0);
	fclose(f);
	CHECK(strstr(buf, "incoming INVITE") &&
	      strstr(buf, "\tanonymous && anonymous_reject -> invite-anonymous\n") &&
	      strstr(buf, "\tdnd && forward_busy -> invite-dnd-forward\n") &&
	      strstr(buf, "\tforward_busy -> invite-forwardable\n") &&
	      strstr(buf, "\ttimer-forward -> idle: sip-forward-no-answer\n"),
	      "the dump lacks the INVITE guards or the forward cells");
	free(buf);
}

/* ---- the voice menu and the unavailability announcement --------------- */

UNIT_TEST(fsm_rule_voice_menu)
{
	/* the code dialled: the menu, its idle timer */
	EXPECT(DIALING, DIAL_MENU, MENU, A(TIMERS_STOP), A(MENU_START),
	       A(TIMER_FIRST_DIGIT_START));
	EXPECT_IGNORED(DIALTONE, DIAL_MENU);
	EXPECT_IGNORED(INCALL, DIAL_MENU);
	/* a key: its prompts, the idle timer again */
	EXPECT(MENU, DIGIT, MENU, A(TIMERS_STOP), A(MENU_KEY),
	       A(TIMER_FIRST_DIGIT_START));
	EXPECT(MENU, PROMPT_DONE, MENU, A(MENU_PROMPT_DONE), A(TIMERS_STOP),
	       A(TIMER_FIRST_DIGIT_START));
	/* hanging up leaves; a flash gives dial tone; left off hook: howler */
	EXPECT(MENU, ONHOOK, IDLE, A(PROMPT_STOP), A(TIMERS_STOP), A(CALL_CLEAR));
	EXPECT(MENU, FLASH, DIALTONE, A(PROMPT_STOP), A(TIMERS_STOP),
	       A(DIGITS_CLEAR), A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START),
	       A(TIMER_WARM_LINE_START));
	EXPECT(MENU, TIMER_FIRST_DIGIT, HOWLER, A(PROMPT_STOP), A(TIMERS_STOP),
	       A(TONE_HOWLER), A(TIMER_HOWLER_START));
	EXPECT(MENU, INVITE, MENU, A(SIP_REJECT_486));
	/* no prompt anywhere else */
	EXPECT_IGNORED(DIALTONE, PROMPT_DONE);
	EXPECT_IGNORED(IDLE, PROMPT_DONE);
}

UNIT_TEST(fsm_rule_unavailable_announcement)
{
	EXPECT(IDLE, OFFHOOK_UNAVAILABLE, ANNOUNCE, A(ANNOUNCE_START));
	/* said: dial tone, so local and emergency numbers still work */
	EXPECT(ANNOUNCE, PROMPT_DONE, DIALTONE, A(PROMPT_STOP), A(DIGITS_CLEAR),
	       A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	EXPECT(ANNOUNCE, DIGIT, DIALING, A(PROMPT_STOP), A(DIGIT_ADD));
	EXPECT(ANNOUNCE, FLASH, DIALTONE, A(PROMPT_STOP), A(DIGITS_CLEAR),
	       A(TONE_DIAL), A(TIMER_FIRST_DIGIT_START), A(TIMER_WARM_LINE_START));
	EXPECT(ANNOUNCE, ONHOOK, IDLE, A(PROMPT_STOP), A(CALL_CLEAR));
	EXPECT(ANNOUNCE, INVITE, ANNOUNCE, A(SIP_REJECT_486));
	/* a ringing phone lifted is answered whatever the registration */
	EXPECT(RINGING, OFFHOOK_UNAVAILABLE, INCALL, A(SIP_ANSWER_200),
	       A(RING_STOP), A(TIMERS_STOP), A(MEDIA_START));
	EXPECT_IGNORED(DIALTONE, OFFHOOK_UNAVAILABLE);
}
