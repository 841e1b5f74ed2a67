/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * feature.h - the feature machine of one FXS port: what the line does with
 * a second call (call waiting, hold, a second call of our own, recall)
 *
 * A line holds up to two calls: the front call, which the phone talks to
 * and which the call machine (fsm.h) drives, and the other call, waiting
 * (ringing in the background, the phone alerted by the call-waiting tone)
 * or held.  This machine sits in front of the call machine: the Line
 * classifies each event (fsm.h's call_event) as one of the feature events
 * below, and the cell for (feature state, feature event) says what
 * happens: pass the event on to the call machine (FEATURE_ACTION_PASS) or
 * carry out the feature's own actions.  Like fsm.h it is pure: no I/O,
 * logging, timers or allocation; every pair is defined; it is printed by
 * `fxsd --dump-fsm` after the call machine.
 *
 * The Line's side of the contract, beyond fsm.h's:
 *   - FEATURE_ACTION_SWAP exchanges the front and the other call (their
 *     SIP dialogs, RTP sessions and what each was told); the call machine's
 *     state is not touched by it.
 *   - FEATURE_ACTION_FRONT_* put the call machine into a state the way a
 *     transition would: the current state's exit actions, then the new
 *     state's entry actions (fsm_enter()), on the front call as it is
 *     after any SWAP before them.
 *   - FEATURE_ACTION_FRONT_HANGUP steps the call machine with an ONHOOK
 *     event (so its own cells end the front call: BYE, CANCEL, nothing)
 *     while the phone stays off hook.
 *   - OFFHOOK and ONHOOK update the Line's hook state whether they pass or
 *     not.
 */
#ifndef FXSD_FEATURE_H
#define FXSD_FEATURE_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

/**
 * enum feature_state - how many calls the line has, and how
 * @FEATURE_STATE_SINGLE: no call or one (the call machine's own).
 * @FEATURE_STATE_WAITING: the front call is talking and a second incoming
 *	call waits: it got 180, the phone hears the call-waiting tone.
 * @FEATURE_STATE_HELD: a call is on hold in the background; the front is
 *	whatever the call machine has (dial tone, a second call of ours, a
 *	call taken from waiting, the tone after the front call ended).
 * @FEATURE_STATE_RECALL: the phone was hung up with a call on hold: it
 *	rings, and lifting it takes the held call back.
 * @FEATURE_STATE_CONFERENCE: a 3-way call: the phone and both far ends
 *	each hear the other two (mixed by the line).
 * @FEATURE_STATE_TRANSFER: the phone hung up with a call on hold and a
 *	second party called or talking: the held call was sent a REFER to
 *	that party (`transfer_on_hangup = yes`); its outcome is awaited.
 * @FEATURE_STATE_TRANSFERRED: the front call's far end transferred us (a
 *	REFER): our INVITE to the target is on its way as the other call,
 *	the phone still talks to the front one.
 */
enum feature_state {
	FEATURE_STATE_SINGLE,
	FEATURE_STATE_WAITING,
	FEATURE_STATE_HELD,
	FEATURE_STATE_RECALL,
	FEATURE_STATE_CONFERENCE,
	FEATURE_STATE_TRANSFER,
	FEATURE_STATE_TRANSFERRED,
	_FEATURE_STATE_MAX,
	_FEATURE_STATE_INVALID = -EINVAL,
};

/**
 * enum feature_event - what the Line makes of an event
 * @FEATURE_EVENT_FLASH_TALKING: a hook flash while the front call is in
 *	a call (the call machine in in-call).
 * @FEATURE_EVENT_FLASH: any other hook flash.
 * @FEATURE_EVENT_OFFHOOK: the handset was lifted.
 * @FEATURE_EVENT_ONHOOK: the handset was hung up.
 * @FEATURE_EVENT_INVITE_WAITABLE: a new incoming call while the front
 *	call is talking, call waiting on for the port and this call.
 * @FEATURE_EVENT_INVITE: any other new incoming call.
 * @FEATURE_EVENT_OTHER_ENDED: the other call ended: BYE, CANCEL of the
 *	waiting INVITE, a failed or timed-out transaction of it.
 * @FEATURE_EVENT_OTHER_OFFER: an SDP offer (re-INVITE, UPDATE) in the
 *	other call's dialog.
 * @FEATURE_EVENT_OTHER_ANSWER: the answer to our re-INVITE of the other
 *	call (the hold that put it there).
 * @FEATURE_EVENT_TIMER_RECALL: the recall rang long enough.
 * @FEATURE_EVENT_FLASH_JOIN: a hook flash while the front call is talking
 *	and is one the phone dialled with the other on hold (a 3-way call:
 *	`three_way = yes`).
 * @FEATURE_EVENT_FRONT_ENDED: in a conference, the front call ended from
 *	its far end (BYE, a failed transaction).
 * @FEATURE_EVENT_ONHOOK_BLIND: hung up with a call on hold while the
 *	front call is being set up (INVITE out, not answered): a blind
 *	transfer when `transfer_on_hangup = yes`.
 * @FEATURE_EVENT_ONHOOK_ATTENDED: hung up with a call on hold while the
 *	front call talks: an attended transfer (`transfer_on_hangup`).
 * @FEATURE_EVENT_REFER_OK: our REFER of the other call succeeded (the
 *	final NOTIFY's sipfrag is 2xx).
 * @FEATURE_EVENT_REFER_FAILED: it failed: the REFER refused, a sipfrag of
 *	300 or more, no NOTIFY in time.
 * @FEATURE_EVENT_REFER_IN: the talking front call's far end sent a REFER
 *	(taken: 202, NOTIFY 100 by the SIP layer).
 * @FEATURE_EVENT_REFER_IN_REFUSED: any other REFER (no call talking, a
 *	second call already there).
 * @FEATURE_EVENT_OTHER_ANSWERED: the other call, one we made, was
 *	answered (2xx).
 * @FEATURE_EVENT_CALL: anything else: the front call's and the phone's
 *	events (digits, timers, the front call's SIP, the INVITEs the port's
 *	services answer whatever the line does: fsm_invite_event()).
 * @FEATURE_EVENT_INVITE_WAITABLE_FWD: INVITE_WAITABLE while the port
 *	forwards on busy (call.h's INVITE_FORWARDABLE).
 * @FEATURE_EVENT_INVITE_FWD: INVITE while the port forwards on busy.
 */
enum feature_event {
	FEATURE_EVENT_FLASH_TALKING,
	FEATURE_EVENT_FLASH,
	FEATURE_EVENT_OFFHOOK,
	FEATURE_EVENT_ONHOOK,
	FEATURE_EVENT_INVITE_WAITABLE,
	FEATURE_EVENT_INVITE,
	FEATURE_EVENT_OTHER_ENDED,
	FEATURE_EVENT_OTHER_OFFER,
	FEATURE_EVENT_OTHER_ANSWER,
	FEATURE_EVENT_TIMER_RECALL,
	FEATURE_EVENT_FLASH_JOIN,
	FEATURE_EVENT_FRONT_ENDED,
	FEATURE_EVENT_ONHOOK_BLIND,
	FEATURE_EVENT_ONHOOK_ATTENDED,
	FEATURE_EVENT_REFER_OK,
	FEATURE_EVENT_REFER_FAILED,
	FEATURE_EVENT_REFER_IN,
	FEATURE_EVENT_REFER_IN_REFUSED,
	FEATURE_EVENT_OTHER_ANSWERED,
	FEATURE_EVENT_CALL,
	FEATURE_EVENT_INVITE_WAITABLE_FWD,
	FEATURE_EVENT_INVITE_FWD,
	_FEATURE_EVENT_MAX,
	_FEATURE_EVENT_INVALID = -EINVAL,
};

/**
 * enum feature_action - what the Line carries out; each is idempotent
 * @FEATURE_ACTION_PASS: step the call machine with the event.
 * @FEATURE_ACTION_OTHER_KEEP: keep the event's INVITE as the other call.
 * @FEATURE_ACTION_OTHER_RINGING: answer the other call's INVITE with 180.
 * @FEATURE_ACTION_OTHER_ANSWER_OFFER: answer an offer in the other call
 *	keeping it held (our direction stays sendonly or inactive).
 * @FEATURE_ACTION_OTHER_REJECT_OFFER: answer it with 488 (a waiting call
 *	has no session to change yet).
 * @FEATURE_ACTION_OTHER_UPDATE: take the event's SDP answer as the other
 *	call's remote description.
 * @FEATURE_ACTION_OTHER_BYE: end the other call (BYE, or 480 while it
 *	only waits).
 * @FEATURE_ACTION_OTHER_CLEAR: forget the other call.
 * @FEATURE_ACTION_REJECT_486: answer the event's new INVITE with 486.
 * @FEATURE_ACTION_CW_START: alert the phone to the waiting call: the
 *	country's call-waiting tone over the front call's audio.
 * @FEATURE_ACTION_CW_STOP: stop that alert.
 * @FEATURE_ACTION_HOLD: put the front call on hold: re-INVITE with our
 *	offer a=sendonly, its audio no longer sent nor played.
 * @FEATURE_ACTION_RESUME: take the front call off hold: re-INVITE with
 *	a=sendrecv.
 * @FEATURE_ACTION_ANSWER: answer the front call's INVITE with 200 (a
 *	waiting call taken).
 * @FEATURE_ACTION_SWAP: exchange the front and the other call.
 * @FEATURE_ACTION_FRONT_HANGUP: end the front call as hanging up would.
 * @FEATURE_ACTION_FRONT_DIALTONE: the call machine to dial-tone.
 * @FEATURE_ACTION_FRONT_INCALL: the call machine to in-call.
 * @FEATURE_ACTION_FRONT_RINGING: the call machine to ringing (the waiting
 *	call, now the front one, rings the phone with its caller ID).
 * @FEATURE_ACTION_RECALL_RING_START: ring the phone for the held call.
 * @FEATURE_ACTION_RECALL_RING_STOP: stop that ringing.
 * @FEATURE_ACTION_TIMER_RECALL_START: arm the recall timer.
 * @FEATURE_ACTION_TIMER_RECALL_STOP: disarm it.
 * @FEATURE_ACTION_RESUME_OTHER: take the other call off hold (re-INVITE
 *	with a=sendrecv) and start its media beside the front call's.
 * @FEATURE_ACTION_MIX_START: the conference: mix the phone and both calls.
 * @FEATURE_ACTION_MIX_STOP: end the mixing; the front call alone again.
 * @FEATURE_ACTION_REFER_BLIND: send the other call a REFER to the number
 *	the front call dialled.
 * @FEATURE_ACTION_REFER_ATTENDED: send the other call a REFER to the front
 *	call's party with Replaces of the front call's dialog.
 * @FEATURE_ACTION_FRONT_PARK: the call machine to idle (the phone is on
 *	hook) keeping the front call's dialog for the transfer's Replaces;
 *	its media stops.
 * @FEATURE_ACTION_FRONT_DROP: a front call parked so is ended (BYE) and
 *	forgotten; nothing when the call machine has its own call.
 * @FEATURE_ACTION_TRANSFEREE_INVITE: call the REFER's target as the other
 *	call (with its Replaces, Referred-By).
 * @FEATURE_ACTION_NOTIFY_OK: tell the front call's far end the transfer
 *	worked (NOTIFY sipfrag 200).
 * @FEATURE_ACTION_NOTIFY_FAILED: tell it the transfer failed (the other
 *	call's final status, 503 when there was none).
 * @FEATURE_ACTION_NOTIFY_REFUSED: refuse the event's REFER (NOTIFY
 *	sipfrag 603).
 * @FEATURE_ACTION_FORWARD_BUSY: answer the event's new INVITE with 302
 *	to the port's forward_busy target (where REJECT_486 would answer
 *	it without one).
 */
enum feature_action {
	FEATURE_ACTION_PASS,
	FEATURE_ACTION_OTHER_KEEP,
	FEATURE_ACTION_OTHER_RINGING,
	FEATURE_ACTION_OTHER_ANSWER_OFFER,
	FEATURE_ACTION_OTHER_REJECT_OFFER,
	FEATURE_ACTION_OTHER_UPDATE,
	FEATURE_ACTION_OTHER_BYE,
	FEATURE_ACTION_OTHER_CLEAR,
	FEATURE_ACTION_REJECT_486,
	FEATURE_ACTION_CW_START,
	FEATURE_ACTION_CW_STOP,
	FEATURE_ACTION_HOLD,
	FEATURE_ACTION_RESUME,
	FEATURE_ACTION_ANSWER,
	FEATURE_ACTION_SWAP,
	FEATURE_ACTION_FRONT_HANGUP,
	FEATURE_ACTION_FRONT_DIALTONE,
	FEATURE_ACTION_FRONT_INCALL,
	FEATURE_ACTION_FRONT_RINGING,
	FEATURE_ACTION_RECALL_RING_START,
	FEATURE_ACTION_RECALL_RING_STOP,
	FEATURE_ACTION_TIMER_RECALL_START,
	FEATURE_ACTION_TIMER_RECALL_STOP,
	FEATURE_ACTION_RESUME_OTHER,
	FEATURE_ACTION_MIX_START,
	FEATURE_ACTION_MIX_STOP,
	FEATURE_ACTION_REFER_BLIND,
	FEATURE_ACTION_REFER_ATTENDED,
	FEATURE_ACTION_FRONT_PARK,
	FEATURE_ACTION_FRONT_DROP,
	FEATURE_ACTION_TRANSFEREE_INVITE,
	FEATURE_ACTION_NOTIFY_OK,
	FEATURE_ACTION_NOTIFY_FAILED,
	FEATURE_ACTION_NOTIFY_REFUSED,
	FEATURE_ACTION_FORWARD_BUSY,
	_FEATURE_ACTION_MAX,
	_FEATURE_ACTION_INVALID = -EINVAL,
};

const char *feature_state_to_string(enum feature_state s);
const char *feature_event_to_string(enum feature_event e);
const char *feature_action_to_string(enum feature_action a);

#define FEATURE_MAX_ACTIONS 6

/**
 * struct feature_result - the answer to one feature event
 * @next: the feature state after the actions
 * @n_actions: how many of @actions are valid
 * @actions: what to carry out, in this order
 * @ignored: the event means nothing in this state; no actions
 * @note: when @ignored, why
 */
struct feature_result {
	enum feature_state next;
	unsigned n_actions;
	enum feature_action actions[FEATURE_MAX_ACTIONS];
	bool ignored;
	const char *note;
};

/* 0 and @ret filled; -EINVAL for an argument out of range. */
int feature_step(enum feature_state s, enum feature_event e,
		 struct feature_result *ret);

/* Print the machine to @f, as fsm_dump() prints the call machine's. */
int feature_dump(FILE *f, bool dot);

#endif /* FXSD_FEATURE_H */
