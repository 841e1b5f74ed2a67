/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fsm.h - the call state machine of one FXS port, after the VOCAL SIP UA
 *
 * The machine is pure: no I/O, no logging, no timers, no allocation.  It is
 * a table, printable with fsm_dump():
 *
 *   - per state, VOCAL's entry and exit operator lists (entry[], exit[]);
 *   - per (state, event), either a transition (next state + the event's
 *     own action list) or an explicit "ignore" with the reason.
 *
 * fsm_step() answers one event with the next state and the ordered list of
 * actions to carry out: the event's actions, then - only if the state
 * changes - the old state's exit actions, then the new state's entry
 * actions.  A transition back into the same state runs only its event
 * actions.  Every one of the _CALL_STATE_MAX x _CALL_EVENT_MAX pairs is
 * defined (the unit tests prove it).
 *
 * The Line (one per port) owns the real things - the tone generator, the
 * ringer, timers, the SIP dialog, the RTP session, the line feed - and
 * carries the actions out.  Its side of the contract:
 *
 *   - Feed one event at a time and carry out all its actions, in order,
 *     before the next event.  Events that actions cause (digit map results,
 *     send failures, ...) are queued and stepped afterwards, never
 *     re-entrantly.  Actions run with the triggering event at hand: a SIP
 *     action answers or reads the message the event came with.
 *   - An action that fails is logged and the Line carries on; a failure
 *     that changes the call comes back as an event (an INVITE that cannot
 *     be sent is a SIP_TIMEOUT, for instance).
 *   - Every action is idempotent: stopping what is not running, clearing
 *     what is empty, is a no-op.  The machine relies on it.
 *   - The port starts in CALL_STATE_IDLE with the line reset (no tone, no
 *     ring, forward feed, no call).  A phone found off-hook at start is an
 *     OFFHOOK event.
 *
 * What the SIP layer does by itself, so that no event or action exists
 * for it: 100 Trying; the ACK to every 2xx of ours, first copy and
 * retransmissions (the client INVITE transaction ends with the 2xx, the UA
 * acknowledges - RFC 3261 13.2.2.4), and the ACK of non-2xx finals (the
 * client INVITE transaction); retransmission of our 200 until the ACK
 * arrives; 481 to a BYE or CANCEL that matches no dialog or transaction of
 * the port, and to one the machine ignores; 200 to a CANCEL that arrives
 * after our final answer (it has no effect); re-INVITE, UPDATE and OPTIONS
 * inside an established dialog (session refresh, far-end hold): they are
 * not the INVITE event (an SDP offer they carry is the OFFER event);
 * 415 to an INVITE, re-INVITE or UPDATE whose body is not SDP; 401/407
 * challenges (the request is resent with
 * credentials, the machine never sees the challenge).
 */
#ifndef FXSD_FSM_H
#define FXSD_FSM_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

/**
 * enum call_state - where a port's call is
 * @CALL_STATE_IDLE: on-hook, no call.
 * @CALL_STATE_DIALTONE: off-hook, dial tone, waiting for the first digit
 *	(the first-digit timer runs).
 * @CALL_STATE_DIALING: collecting digits; the Line's digit map decides
 *	when the number is complete (DIAL_COMPLETE) or cannot be (DIAL_INVALID).
 * @CALL_STATE_TRYING: our INVITE is out, no ringing indication yet; the
 *	caller hears silence.  The no-answer timer runs from here through
 *	RINGBACK and EARLY until the call is answered or given up.
 * @CALL_STATE_RINGBACK: a 180 (or a 183 without SDP) arrived; local
 *	ringback tone.
 * @CALL_STATE_EARLY: a 183 with SDP arrived; far-end audio (early media).
 * @CALL_STATE_RINGING: an incoming INVITE rings the phone (on-hook), after
 *	the ring hold-off (TIMER_RING_HOLDOFF).
 * @CALL_STATE_INCALL: the call is up, two-way audio.
 * @CALL_STATE_BUSY: the far end was busy; busy tone until the tone timer.
 * @CALL_STATE_REORDER: the call failed, the number was invalid or nothing
 *	was dialed; reorder (congestion) tone until the tone timer.
 * @CALL_STATE_HOWLER: the phone was left off-hook; off-hook warning tone
 *	until the howler timer.
 * @CALL_STATE_DISCONNECTED: the far end hung up while the phone is still
 *	off-hook: disconnect supervision (open-loop pulse, if configured) and
 *	reorder tone until the tone timer.
 * @CALL_STATE_PARKED: the howler has run its course; the line is silent and
 *	fed normally (so that hanging up is still seen) until the phone goes
 *	on-hook or flashes.  Permanent open loop is not used here because the
 *	hook state cannot be sensed without loop feed (FXS_LINEFEED_OPEN).
 * @CALL_STATE_CONFIRM: a star code was dialled and has run: the
 *	confirmation tone plays until the tone timer (a short one), then
 *	dial tone comes back; a digit meanwhile begins the next number.
 * @CALL_STATE_ANNOUNCE: the phone was lifted while the port cannot make
 *	calls (not registered, no network): a spoken reason plays in place
 *	of dial tone, then dial tone (local and emergency dial plans still
 *	work); a digit meanwhile begins the number, a flash skips it.
 * @CALL_STATE_MENU: the voice menu (line/menu.h): the phone dialled the
 *	port's voice_menu code; each key plays the menu machine's prompts.
 */
enum call_state {
	CALL_STATE_IDLE,
	CALL_STATE_DIALTONE,
	CALL_STATE_DIALING,
	CALL_STATE_TRYING,
	CALL_STATE_RINGBACK,
	CALL_STATE_EARLY,
	CALL_STATE_RINGING,
	CALL_STATE_INCALL,
	CALL_STATE_BUSY,
	CALL_STATE_REORDER,
	CALL_STATE_HOWLER,
	CALL_STATE_DISCONNECTED,
	CALL_STATE_PARKED,
	CALL_STATE_CONFIRM,
	/* the voice menu and the unavailability announcement (line/menu.h) */
	CALL_STATE_ANNOUNCE,
	CALL_STATE_MENU,
	_CALL_STATE_MAX,
	_CALL_STATE_INVALID = -EINVAL,
};

/**
 * enum call_event - what can happen to a port
 * @CALL_EVENT_OFFHOOK: the handset was lifted.
 * @CALL_EVENT_ONHOOK: the handset was hung up (a break longer than the
 *	flash window).
 * @CALL_EVENT_FLASH: a hook flash.
 * @CALL_EVENT_DIGIT: a digit from the phone: pulse-dialed (kernel) or DTMF
 *	(the daemon's detector on the phone's audio).
 * @CALL_EVENT_DIAL_COMPLETE: the digit map matched a number to call (it
 *	may match the empty string: hot line / warm line).
 * @CALL_EVENT_DIAL_INVALID: the digit map can no longer match.
 * @CALL_EVENT_TIMER_FIRST_DIGIT: no digit in time after dial tone began.
 * @CALL_EVENT_TIMER_TONE: busy, reorder or disconnect tone played long
 *	enough.
 * @CALL_EVENT_TIMER_HOWLER: the howler played long enough.
 * @CALL_EVENT_TIMER_NO_ANSWER: our INVITE got no final answer in time.
 * @CALL_EVENT_INVITE: a dialog-creating INVITE (no To tag) for this port,
 *	already accepted by the Line's policy (source, request URI).
 * @CALL_EVENT_INVITE_UNUSABLE: such an INVITE whose SDP offer we cannot
 *	answer: no audio stream, no codec we support, malformed (RFC 3264
 *	6).  It never rings.
 * @CALL_EVENT_OFFER: a re-INVITE or UPDATE (RFC 3311) with an SDP offer
 *	inside an established dialog: hold, resume, a new address.
 * @CALL_EVENT_CANCEL: CANCEL of the incoming INVITE that is ringing.
 * @CALL_EVENT_ACK: ACK of the 2xx we sent (the dialog is confirmed); it
 *	carries the SDP answer when our 2xx carried the offer (an INVITE or
 *	re-INVITE without SDP, RFC 3261 13.2.1).
 * @CALL_EVENT_BYE: BYE inside the port's current dialog, early or
 *	confirmed.
 * @CALL_EVENT_PROVISIONAL_RINGING: 180, or 183 without SDP, to our INVITE.
 *	Other 1xx (100, 181, 182) are not delivered.
 * @CALL_EVENT_PROVISIONAL_EARLY: 183 with SDP to our INVITE.
 * @CALL_EVENT_SUCCESS: the first 2xx to the port's current INVITE; a
 *	retransmitted 2xx is re-ACKed by the SIP layer and not delivered.
 * @CALL_EVENT_SUCCESS_STRAY: a 2xx that creates a dialog the port does not
 *	want: a second answer of a forked INVITE, or an answer to an INVITE
 *	the port already gave up on (it raced our CANCEL, or came after the
 *	port moved on).  Only the Line can tell this from SUCCESS.
 * @CALL_EVENT_FAIL_BUSY: 486 or 600 to our INVITE.
 * @CALL_EVENT_FAIL_OTHER: any other final 3xx-6xx to our INVITE
 *	(redirects are not followed).
 * @CALL_EVENT_SIP_TIMEOUT: a transaction of the current call died: no
 *	response (timer B/F), transport error, or the ACK for our 2xx never
 *	came (timer H); or the far end said the dialog is gone (481, 408 to
 *	our re-INVITE).
 * @CALL_EVENT_REINVITE_ANSWER: the 2xx to our re-INVITE (taking the call
 *	off hold) with its SDP answer.
 * @CALL_EVENT_INVITE_ANONYMOUS: a new INVITE from an anonymous caller
 *	while the port rejects them (see fsm_invite_event()).
 * @CALL_EVENT_INVITE_FORWARD_ALL: a new INVITE while the port forwards
 *	every call.
 * @CALL_EVENT_INVITE_DND: a new INVITE while do-not-disturb is on.
 * @CALL_EVENT_INVITE_DND_FORWARD: the same, the port forwarding on busy.
 * @CALL_EVENT_INVITE_FORWARDABLE: any other new (usable) INVITE while
 *	the port forwards on busy: it rings an idle phone, and is forwarded
 *	where an INVITE would get 486.
 * @CALL_EVENT_TIMER_FORWARD: the phone rang for forward_no_answer_secs
 *	(the forward-on-no-answer timer).
 * @CALL_EVENT_DIAL_CODE: the digits are a code of the port's star code
 *	table (line/starcode.h), with its number if it takes one.
 * @CALL_EVENT_OFFHOOK_HOTLINE: the handset was lifted on a port with a
 *	hotline (`hotline = <number>`).
 * @CALL_EVENT_TIMER_WARM_LINE: nothing was dialled within warm_line_secs
 *	of dial tone on a port with a warm line.
 * @CALL_EVENT_TIMER_RING_HOLDOFF: the ring hold-off (ring_holdoff_ms)
 *	passed since an incoming INVITE was accepted: the ringer may start.
 * @CALL_EVENT_OFFHOOK_UNAVAILABLE: the handset was lifted while the port
 *	cannot make calls (not registered, no network) and its
 *	unavailable_announcement is on.
 * @CALL_EVENT_DIAL_MENU: the digits are the port's voice_menu code.
 * @CALL_EVENT_PROMPT_DONE: the spoken prompts the line was given have all
 *	been played.
 * @CALL_EVENT_OFFER_T38: an OFFER whose SDP has a T.38 stream (m=image
 *	udptl t38) and no audio, on a port with fax = t38 (with fax =
 *	passthrough it is an OFFER, and gets 488 as any offer without audio).
 * @CALL_EVENT_FAX_DETECTED: a fax's signal (CNG, or V.21 HDLC flags) heard
 *	from the phone or the far end in the call's audio, on a port with
 *	fax = t38; once per call, not while T.38 runs.
 * @CALL_EVENT_T38_ACCEPTED: the 2xx to our T.38 re-INVITE, with its answer.
 * @CALL_EVENT_T38_REFUSED: any other final answer to it (488, 415, ...; a
 *	481 or 408 also ends the call, see SIP_TIMEOUT).
 */
enum call_event {
	CALL_EVENT_OFFHOOK,
	CALL_EVENT_ONHOOK,
	CALL_EVENT_FLASH,
	CALL_EVENT_DIGIT,
	CALL_EVENT_DIAL_COMPLETE,
	CALL_EVENT_DIAL_INVALID,
	CALL_EVENT_TIMER_FIRST_DIGIT,
	CALL_EVENT_TIMER_TONE,
	CALL_EVENT_TIMER_HOWLER,
	CALL_EVENT_TIMER_NO_ANSWER,
	CALL_EVENT_INVITE,
	CALL_EVENT_INVITE_UNUSABLE,
	CALL_EVENT_OFFER,
	CALL_EVENT_CANCEL,
	CALL_EVENT_ACK,
	CALL_EVENT_BYE,
	CALL_EVENT_PROVISIONAL_RINGING,
	CALL_EVENT_PROVISIONAL_EARLY,
	CALL_EVENT_SUCCESS,
	CALL_EVENT_SUCCESS_STRAY,
	CALL_EVENT_FAIL_BUSY,
	CALL_EVENT_FAIL_OTHER,
	CALL_EVENT_SIP_TIMEOUT,
	CALL_EVENT_REINVITE_ANSWER,
	CALL_EVENT_INVITE_ANONYMOUS,
	CALL_EVENT_INVITE_FORWARD_ALL,
	CALL_EVENT_INVITE_DND,
	CALL_EVENT_INVITE_DND_FORWARD,
	CALL_EVENT_INVITE_FORWARDABLE,
	CALL_EVENT_TIMER_FORWARD,
	CALL_EVENT_DIAL_CODE,
	CALL_EVENT_OFFHOOK_HOTLINE,
	CALL_EVENT_TIMER_WARM_LINE,
	CALL_EVENT_TIMER_RING_HOLDOFF,
	/* the voice menu and the unavailability announcement */
	CALL_EVENT_OFFHOOK_UNAVAILABLE,
	CALL_EVENT_DIAL_MENU,
	CALL_EVENT_PROMPT_DONE,
	/* T.38 fax */
	CALL_EVENT_OFFER_T38,
	CALL_EVENT_FAX_DETECTED,
	CALL_EVENT_T38_ACCEPTED,
	CALL_EVENT_T38_REFUSED,
	_CALL_EVENT_MAX,
	_CALL_EVENT_INVALID = -EINVAL,
};

/**
 * enum call_action - what the Line carries out; each one is idempotent
 * @CALL_ACTION_TONE_DIAL: play dial tone (the port's country tone plan).
 * @CALL_ACTION_TONE_RINGBACK: play ringback tone.
 * @CALL_ACTION_TONE_BUSY: play busy tone.
 * @CALL_ACTION_TONE_REORDER: play reorder (congestion) tone.
 * @CALL_ACTION_TONE_HOWLER: play the off-hook warning tone (howler).
 * @CALL_ACTION_TONE_STOP: stop whatever tone plays.
 * @CALL_ACTION_RING_START: ring the phone (cadence, caller ID between
 *	rings, from the call kept by CALL_KEEP).
 * @CALL_ACTION_RING_STOP: stop ringing.
 * @CALL_ACTION_DIGITS_CLEAR: empty the dialed number and reset the digit
 *	map (which may arm a warm-line timer of its own).
 * @CALL_ACTION_DIGIT_ADD: append the event's digit and run the digit map;
 *	it may arm its inter-digit timer, and its verdict comes back as
 *	DIAL_COMPLETE or DIAL_INVALID.
 * @CALL_ACTION_DIGIT_SEND: send the event's digit to the far end
 *	(RFC 4733 telephone-event).  For digits that are not already in the
 *	audio: pulse digits, and DTMF the media path removed from the audio.
 * @CALL_ACTION_TIMER_FIRST_DIGIT_START: arm the first-digit timer.
 * @CALL_ACTION_TIMER_TONE_START: arm the tone timer (busy/reorder/
 *	disconnect tone duration).
 * @CALL_ACTION_TIMER_HOWLER_START: arm the howler timer.
 * @CALL_ACTION_TIMER_NO_ANSWER_START: arm the no-answer timer.
 * @CALL_ACTION_TIMERS_STOP: disarm every call timer of the port, the digit
 *	map's inter-digit timer and the warm line's included.
 * @CALL_ACTION_SIP_SEND_INVITE: build the call from the dialed number and
 *	send the INVITE with our SDP offer; the port now has a call.
 * @CALL_ACTION_SIP_SEND_CANCEL: cancel our pending INVITE.  Before any
 *	provisional response the SIP layer holds the CANCEL until one arrives
 *	(RFC 3261 9.1); the INVITE transaction lives on in the SIP layer after
 *	CALL_CLEAR, and a 2xx it still gets is a SUCCESS_STRAY.
 * @CALL_ACTION_SIP_SEND_BYE: send BYE on the current dialog.  The BYE
 *	transaction lives on in the SIP layer after CALL_CLEAR.
 * @CALL_ACTION_SIP_ANSWER_180: answer the ringing INVITE with 180 Ringing,
 *	or 183 with SDP and a ringback stream, per the port's setting.
 * @CALL_ACTION_SIP_ANSWER_200: answer the ringing INVITE with 200 OK and
 *	our SDP answer.
 * @CALL_ACTION_SIP_REJECT_486: answer the event's (new) INVITE with 486
 *	Busy Here; the port's current call is untouched.
 * @CALL_ACTION_SIP_REJECT_488: answer the event's (new) INVITE with 488
 *	Not Acceptable Here and a Warning saying why (304 no audio stream,
 *	305 no codec we support, 399 malformed SDP); the port's current call
 *	is untouched.
 * @CALL_ACTION_SIP_ANSWER_OFFER: answer the event's offer in the call's
 *	dialog (RFC 3264 8): our codec kept if offered, the direction
 *	matching the offer's (sendonly / inactive / c=0.0.0.0 hold is
 *	answered recvonly / inactive), our sending stopped or resumed to
 *	match, RTP re-targeted to the offer's address; an offer we cannot
 *	take gets 488 and changes nothing.
 * @CALL_ACTION_SIP_REJECT_OFFER: answer the event's offer with 488 (no
 *	established call of this port to apply it to).
 * @CALL_ACTION_SIP_ANSWER_T38: answer the event's T.38 offer (media/sdp.h's
 *	T.38 answer, on the port the audio used) and switch the call's media
 *	to the T.38 gateway (media/t38gw.h) until the call ends or an audio
 *	offer takes it back; an offer we cannot take gets 488.
 * @CALL_ACTION_SIP_OFFER_T38: send a re-INVITE with our T.38 offer
 *	(m=image udptl t38 on the port the audio uses); the audio goes on
 *	until the answer.
 * @CALL_ACTION_MEDIA_T38_START: switch the call's media to the T.38
 *	gateway as the event's answer says (as SIP_ANSWER_T38 does).
 * @CALL_ACTION_SIP_REPLY_487: end the ringing INVITE with 487 Request
 *	Terminated, and answer the CANCEL that ended it, if any, with 200.
 * @CALL_ACTION_SIP_REPLY_BYE_200: answer the event's BYE with 200 OK.
 * @CALL_ACTION_SIP_BYE_STRAY: send BYE on the dialog the event's stray 2xx
 *	created (the SIP layer has ACKed it); the port's current call, if any,
 *	is untouched.
 * @CALL_ACTION_CALL_KEEP: keep the incoming INVITE's call: dialog, route
 *	set, remote target, caller identity for caller ID (VOCAL's ring
 *	operator); the port now has a call.
 * @CALL_ACTION_CALL_CLEAR: forget the port's call (dialog, SDP, local RTP
 *	port); transactions still running are left to the SIP layer.
 * @CALL_ACTION_MEDIA_START: start two-way media with the negotiated SDP
 *	(the answer in the 2xx, or the one in our 200).
 * @CALL_ACTION_MEDIA_EARLY_START: play the far end's early media described
 *	by the event's 183; a later 183 re-targets it to its own SDP.
 * @CALL_ACTION_MEDIA_STOP: stop the media stream (RTP, DSP chain).
 * @CALL_ACTION_MEDIA_UPDATE: the event (an ACK) carries the SDP answer to
 *	the offer in our 2xx: start or re-target media with it; an ACK
 *	without SDP changes nothing.
 * @CALL_ACTION_LINE_OPEN_LOOP: disconnect supervision: if the port is
 *	configured for it, open the loop (power denial) for the configured
 *	time, after which the Line restores forward feed by itself; a no-op
 *	otherwise.  The hook state is not sensed during the pulse.
 * @CALL_ACTION_LINE_NORMAL: restore forward feed now, ending an open-loop
 *	pulse still running.
 * @CALL_ACTION_SIP_REJECT_433: answer the event's (new) INVITE with 433
 *	Anonymity Disallowed; the port's current call is untouched.
 * @CALL_ACTION_SIP_FORWARD_ALL: answer the event's (new) INVITE with 302
 *	to the port's forward_all target (Diversion: unconditional).
 * @CALL_ACTION_SIP_FORWARD_BUSY: answer the event's (new) INVITE with 302
 *	to the port's forward_busy target (Diversion: user-busy, or
 *	do-not-disturb for an INVITE_DND_FORWARD).
 * @CALL_ACTION_SIP_FORWARD_NO_ANSWER: answer the ringing INVITE (the
 *	port's call) with 302 to the port's forward_no_answer target
 *	(Diversion: no-answer).
 * @CALL_ACTION_TIMER_FORWARD_START: arm the forward-on-no-answer timer
 *	for forward_no_answer_secs, when the port has a forward_no_answer
 *	target (a no-op without one, as LINE_OPEN_LOOP without its setting:
 *	the timer never fires, the phone rings on).
 * @CALL_ACTION_STAR_CODE: carry out the dialled star code's action: a
 *	per-call one (privacy, privacy-off, cw-cancel) marks the next call
 *	the phone makes; a setting (do not disturb, forwarding, anonymous
 *	rejection) changes the port's.
 * @CALL_ACTION_TONE_CONFIRM: play the confirmation tone (the country's
 *	stutter dial tone).
 * @CALL_ACTION_TIMER_CONFIRM_START: arm the tone timer for the
 *	confirmation's length.
 * @CALL_ACTION_TIMER_WARM_LINE_START: arm the warm-line timer if the
 *	port has a warm line; a no-op otherwise.
 * @CALL_ACTION_NUMBER_PRESET: the number to call is the port's hotline or
 *	warm line (they exclude each other).
 * @CALL_ACTION_TIMER_RING_HOLDOFF_START: arm the ring hold-off timer for
 *	the port's ring_holdoff_ms (0: it fires at once); RINGING's entry
 *	arms it instead of ringing, and its event starts the ringer.
 * @CALL_ACTION_ANNOUNCE_START: play the spoken reason why the port cannot
 *	make calls (menu_unavailable()); PROMPT_DONE follows it.
 * @CALL_ACTION_MENU_START: reset the menu machine and play its greeting
 *	(the keys it takes); the digits dialled are cleared.
 * @CALL_ACTION_MENU_KEY: give the event's digit to the menu machine and
 *	play the prompts it answers with, in place of what was playing.
 * @CALL_ACTION_MENU_PROMPT_DONE: tell the menu machine its prompts have
 *	played (after "restarting", the service restarts).
 * @CALL_ACTION_PROMPT_STOP: stop the spoken prompts; forget the menu.
 */
enum call_action {
	CALL_ACTION_TONE_DIAL,
	CALL_ACTION_TONE_RINGBACK,
	CALL_ACTION_TONE_BUSY,
	CALL_ACTION_TONE_REORDER,
	CALL_ACTION_TONE_HOWLER,
	CALL_ACTION_TONE_STOP,
	CALL_ACTION_RING_START,
	CALL_ACTION_RING_STOP,
	CALL_ACTION_DIGITS_CLEAR,
	CALL_ACTION_DIGIT_ADD,
	CALL_ACTION_DIGIT_SEND,
	CALL_ACTION_TIMER_FIRST_DIGIT_START,
	CALL_ACTION_TIMER_TONE_START,
	CALL_ACTION_TIMER_HOWLER_START,
	CALL_ACTION_TIMER_NO_ANSWER_START,
	CALL_ACTION_TIMERS_STOP,
	CALL_ACTION_SIP_SEND_INVITE,
	CALL_ACTION_SIP_SEND_CANCEL,
	CALL_ACTION_SIP_SEND_BYE,
	CALL_ACTION_SIP_ANSWER_180,
	CALL_ACTION_SIP_ANSWER_200,
	CALL_ACTION_SIP_REJECT_486,
	CALL_ACTION_SIP_REJECT_488,
	CALL_ACTION_SIP_ANSWER_OFFER,
	CALL_ACTION_SIP_REJECT_OFFER,
	CALL_ACTION_SIP_REPLY_487,
	CALL_ACTION_SIP_REPLY_BYE_200,
	CALL_ACTION_SIP_BYE_STRAY,
	CALL_ACTION_CALL_KEEP,
	CALL_ACTION_CALL_CLEAR,
	CALL_ACTION_MEDIA_START,
	CALL_ACTION_MEDIA_EARLY_START,
	CALL_ACTION_MEDIA_STOP,
	CALL_ACTION_MEDIA_UPDATE,
	CALL_ACTION_LINE_OPEN_LOOP,
	CALL_ACTION_LINE_NORMAL,
	CALL_ACTION_SIP_REJECT_433,
	CALL_ACTION_SIP_FORWARD_ALL,
	CALL_ACTION_SIP_FORWARD_BUSY,
	CALL_ACTION_SIP_FORWARD_NO_ANSWER,
	CALL_ACTION_TIMER_FORWARD_START,
	CALL_ACTION_STAR_CODE,
	CALL_ACTION_TONE_CONFIRM,
	CALL_ACTION_TIMER_CONFIRM_START,
	CALL_ACTION_TIMER_WARM_LINE_START,
	CALL_ACTION_NUMBER_PRESET,
	CALL_ACTION_TIMER_RING_HOLDOFF_START,
	/* the voice menu and the unavailability announcement */
	CALL_ACTION_ANNOUNCE_START,
	CALL_ACTION_MENU_START,
	CALL_ACTION_MENU_KEY,
	CALL_ACTION_MENU_PROMPT_DONE,
	CALL_ACTION_PROMPT_STOP,
	/* T.38 fax */
	CALL_ACTION_SIP_ANSWER_T38,
	CALL_ACTION_SIP_OFFER_T38,
	CALL_ACTION_MEDIA_T38_START,
	_CALL_ACTION_MAX,
	_CALL_ACTION_INVALID = -EINVAL,
};

/* Names ("dial-tone", "timer-no-answer", "sip-answer-180"); NULL if out
 * of range.  The _from_string() functions return the value, or -EINVAL. */
const char *call_state_to_string(enum call_state s);
const char *call_event_to_string(enum call_event e);
const char *call_action_to_string(enum call_action a);
enum call_state call_state_from_string(const char *s);
enum call_event call_event_from_string(const char *s);
enum call_action call_action_from_string(const char *s);

/* The most actions one step can return (event + exit + entry). */
#define FSM_MAX_ACTIONS 16

/**
 * struct fsm_result - the answer to one event
 * @next: the state to be in after the actions
 * @n_actions: how many of @actions are valid
 * @actions: what to carry out, in this order
 * @ignored: the event means nothing in this state (a duplicate, a stale
 *	timer or SIP message, something that cannot happen); @next is the
 *	current state and there are no actions
 * @note: when @ignored, why (for a debug log line); NULL otherwise
 */
struct fsm_result {
	enum call_state next;
	unsigned n_actions;
	enum call_action actions[FSM_MAX_ACTIONS];
	bool ignored;
	const char *note;
};

/**
 * fsm_step() - answer event @e in state @s
 *
 * Returns 0 and fills @ret; -EINVAL if @s or @e is out of range or @ret is
 * NULL (@ret untouched); -ENOENT if the table has no entry for the pair, a
 * bug the unit tests rule out (@ret then says: ignored, stay in @s).
 */
int fsm_step(enum call_state s, enum call_event e, struct fsm_result *ret);

/**
 * fsm_enter() - what moving from @from to @to takes, outside any event: the
 * exit actions of @from and the entry actions of @to (both, even when they
 * are the same state).  The feature machine (feature.h) puts the call
 * machine into a state with it when the front call changes.
 *
 * Returns 0, -EINVAL for a state out of range or a NULL @ret.
 */
int fsm_enter(enum call_state from, enum call_state to,
	      struct fsm_result *ret);

/**
 * struct fsm_invite_facts - what decides which event a new INVITE is
 * @usable: its SDP offer can be answered (else it is INVITE_UNUSABLE)
 * @anonymous: its caller is anonymous (sip_caller.anonymous)
 * @anonymous_reject: the port rejects anonymous callers
 * @dnd: do-not-disturb is on
 * @forward_all: the port forwards every call (a target is set)
 * @forward_busy: the port forwards on busy (a target is set)
 */
struct fsm_invite_facts {
	bool usable;
	bool anonymous;
	bool anonymous_reject;
	bool dnd;
	bool forward_all;
	bool forward_busy;
};

/**
 * fsm_invite_event() - the event a new INVITE is, by the port's services:
 * the guards of the table fsm_dump() prints under "incoming INVITE", the
 * first that holds wins:
 *
 *   anonymous && anonymous_reject   INVITE_ANONYMOUS (433)
 *   forward_all                     INVITE_FORWARD_ALL (302)
 *   dnd && forward_busy             INVITE_DND_FORWARD (302)
 *   dnd                             INVITE_DND (486)
 *   !usable                         INVITE_UNUSABLE (488)
 *   forward_busy                    INVITE_FORWARDABLE
 *   otherwise                       INVITE
 *
 * The call and feature machines then decide, per state, what each does.
 * Returns CALL_EVENT_INVITE for a NULL @f.
 */
enum call_event fsm_invite_event(const struct fsm_invite_facts *f);

/**
 * fsm_dump() - print the whole machine to @f
 *
 * As text (@dot false): per state its entry and exit lists, then every
 * event with its next state and event actions, or why it is ignored.  As a
 * Graphviz digraph (@dot true): one node per state labelled with its entry
 * and exit lists, one edge per (state, next state) pair labelled with the
 * events and their actions; ignored pairs are left out.
 *
 * Returns 0, -EINVAL if @f is NULL, -EIO if writing failed.
 */
int fsm_dump(FILE *f, bool dot);

#endif /* FXSD_FSM_H */
